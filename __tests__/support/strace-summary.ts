/**
 * Reads the table `strace -c` (or the end of a `strace -C -o FILE` trace) prints: the oracle the profile is
 * checked against. Columns: % time, seconds, usecs/call, calls, errors (blank when zero), syscall.
 */
export interface StraceSummaryRow {
  calls: number
  errors: number
}

export function parseStraceSummary(text: string): Map<string, StraceSummaryRow> {
  const rows = new Map<string, StraceSummaryRow>()
  const lines = text.split('\n')
  const header = lines.findIndex((l) => l.startsWith('% time'))
  if (header < 0) throw new Error('no strace -c table in the text')
  for (const line of lines.slice(header + 2)) {
    if (line.startsWith('------')) break
    const f = line.trim().split(/\s+/)
    // 5 fields when errors is blank, 6 when not.
    if (f.length === 5) rows.set(f[4]!, { calls: Number(f[3]), errors: 0 })
    else if (f.length === 6) rows.set(f[5]!, { calls: Number(f[3]), errors: Number(f[4]) })
    else throw new Error(`unexpected strace -c row: ${JSON.stringify(line)}`)
  }
  return rows
}

/** Splits a `strace -C -o FILE` output into its trace lines and its summary table. */
export function splitTraceAndSummary(text: string): { trace: string[]; summary: string } {
  const at = text.indexOf('% time')
  if (at < 0) throw new Error('no strace -c table at the end of the trace')
  const trace = text
    .slice(0, at)
    .split('\n')
    .filter((l) => l !== '')
  return { trace, summary: text.slice(at) }
}
