import type { SyscallProfile } from '../tracing/types.js'

/**
 * The profile as `strace -c` prints it: same columns, same order (time descending), same total line. Times here are
 * the microseconds inside each call as `-T` measures them, which is wall time; strace -c without -w shows system
 * time, so the seconds column differs from strace's while calls and errors are equal.
 */
export function renderSummaryTable(profile: SyscallProfile): string {
  const rows = [...profile.syscalls].sort(
    (a, b) => b.time_us - a.time_us || b.calls - a.calls || cmp(a.name, b.name)
  )
  const totalUs = rows.reduce((sum, r) => sum + r.time_us, 0)
  const totalCalls = rows.reduce((sum, r) => sum + r.calls, 0)
  const totalErrors = rows.reduce((sum, r) => sum + r.errors, 0)
  const width = Math.max(16, ...rows.map((r) => r.name.length))
  const dashes = `------ ----------- ----------- --------- --------- ${'-'.repeat(width)}`
  const line = (pct: number, us: number, calls: number, errors: number, name: string): string =>
    [
      pct.toFixed(2).padStart(6),
      (us / 1e6).toFixed(6).padStart(11),
      String(calls > 0 ? Math.round(us / calls) : 0).padStart(11),
      String(calls).padStart(9),
      (errors > 0 ? String(errors) : '').padStart(9),
      name
    ].join(' ')
  const out = ['% time     seconds  usecs/call     calls    errors syscall', dashes]
  for (const r of rows)
    out.push(line(totalUs > 0 ? (100 * r.time_us) / totalUs : 0, r.time_us, r.calls, r.errors, r.name))
  out.push(dashes)
  out.push(line(100, totalUs, totalCalls, totalErrors, 'total'))
  return `${out.join('\n')}\n`
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
