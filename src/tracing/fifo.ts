import { readSync } from 'node:fs'

/** A pipe's default capacity on Linux: a read this large means strace may have been waiting for room. */
const PIPE_CAPACITY = 65_536
/** Between polls while trace lines flow: a build writes well under 64 KiB in that time (about 1 MB/s for make -j2). */
const BUSY_DELAY_MS = 4
const MAX_DELAY_MS = 32
/** Reads per poll before yielding to the event loop (signals, the child's exit). */
const READS_PER_POLL = 32

/**
 * Reads the trace FIFO by polling a non-blocking descriptor, a few hundred times a second, instead of waiting on it.
 *
 * strace writes every traced syscall in two pieces (at entry and at exit). A reader that waits on the FIFO (a
 * net.Socket, `cat`) is woken for each write: two context switches per syscall, on the same cores as the build.
 * Measured on `find` (242k syscalls): 470k wake-ups and 8.5 s against 2.4k polls and 5.1 s, where strace alone
 * writing to /dev/null takes 4.9 s. Nobody waits on the FIFO here, so a write wakes nobody; the pipe holds what
 * strace writes between two polls, and a poll that finds it half full polls again at once, so strace never waits long.
 */
export class FifoPoller {
  private readonly buffer = Buffer.allocUnsafe(1 << 20)
  private delay = BUSY_DELAY_MS
  /** The pending delayed poll, if any (an immediate one needs no cancelling). */
  private timeout: NodeJS.Timeout | null = null
  private settle: { resolve: () => void; reject: (err: unknown) => void } | null = null
  /** Polls made so far (for benchmarks). */
  polls = 0

  /**
   * @param fd a FIFO opened O_RDONLY | O_NONBLOCK
   * @param onChunk gets each chunk read; the buffer is reused afterwards, so consume it before returning
   */
  constructor(
    private readonly fd: number,
    private readonly onChunk: (chunk: Buffer) => void
  ) {}

  /** Resolves at end of file (every writer closed and the pipe drained), rejects on a read error. */
  run(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject }
      this.schedule(0)
    })
  }

  /** Poll now and keep polling without delay: the writer has exited, only draining is left. */
  hurry(): void {
    this.delay = 0
    if (this.timeout !== null) {
      clearTimeout(this.timeout)
      this.timeout = null
      this.schedule(0)
    }
  }

  private schedule(delayMs: number): void {
    if (delayMs === 0) setImmediate(this.poll)
    else this.timeout = setTimeout(this.poll, delayMs)
  }

  private readonly poll = (): void => {
    this.timeout = null
    this.polls++
    let total = 0
    let full = false
    try {
      for (let i = 0; i < READS_PER_POLL; i++) {
        const n = readSync(this.fd, this.buffer, 0, this.buffer.length, null)
        if (n === 0) {
          this.settle?.resolve()
          return
        }
        total += n
        if (n >= PIPE_CAPACITY) full = true
        this.onChunk(this.buffer.subarray(0, n))
      }
      full = true // still more after many reads: come back at once
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') {
        this.settle?.reject(err)
        return
      }
    }
    if (this.delay === 0 || full || total >= PIPE_CAPACITY / 2) {
      this.schedule(0)
    } else {
      this.delay = total > 0 ? BUSY_DELAY_MS : Math.min(this.delay * 2, MAX_DELAY_MS)
      this.schedule(this.delay)
    }
  }
}
