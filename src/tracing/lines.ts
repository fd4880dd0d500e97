/**
 * Splits a byte stream into lines without holding more than one partial line. strace escapes every non-ASCII byte,
 * so latin1 decoding is exact and the cheapest there is.
 */
export class LineSplitter {
  private rest = ''

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer): void {
    const text = this.rest + chunk.toString('latin1')
    let start = 0
    let nl = text.indexOf('\n', start)
    while (nl >= 0) {
      this.onLine(text.slice(start, nl))
      start = nl + 1
      nl = text.indexOf('\n', start)
    }
    this.rest = text.slice(start)
  }

  /** Flushes a last line that had no newline. */
  end(): void {
    if (this.rest !== '') this.onLine(this.rest)
    this.rest = ''
  }
}
