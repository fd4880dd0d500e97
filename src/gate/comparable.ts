import type { BaselineWindow, RunRecord } from '../models/types.js'
import { isTraced, type TracedSyscalls } from '../tracing/syscall-set.js'

/** The label under which a baseline run keeps the set of syscalls it traced (JSON of the profile's `traced`). */
export const TRACED_LABEL = 'traced'

/** A run's traced set from its labels; `all` when it recorded none (or recorded something unreadable). */
export function tracedOf(record: RunRecord): TracedSyscalls {
  const raw = record.labels[TRACED_LABEL]
  if (raw === undefined) return 'all'
  try {
    const value: unknown = JSON.parse(raw)
    if (value === 'all') return 'all'
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value
    if (typeof value === 'object' && value !== null && 'exclude' in value) {
      const exclude = value.exclude
      if (Array.isArray(exclude) && exclude.every((v) => typeof v === 'string')) return { exclude }
    }
  } catch {
    // unreadable: treat as a full trace
  }
  return 'all'
}

/**
 * The baseline window and the current run restricted to the syscalls every one of them traced, so that a run
 * traced with another set than its baseline (--trace-all against the default set, or the reverse) compares like
 * with like instead of showing the difference as syscalls that appeared or vanished.
 */
export function comparable(
  window: BaselineWindow,
  current: RunRecord,
  currentSet: TracedSyscalls
): { window: BaselineWindow; current: RunRecord } {
  const sets = [currentSet, ...window.runs.map(tracedOf)]
  const first = JSON.stringify(sets[0])
  if (sets.every((s) => JSON.stringify(s) === first)) return { window, current }
  const keep = (name: string): boolean => sets.every((set) => isTraced(set, name))
  return {
    window: { ...window, runs: window.runs.map((run) => restrict(run, keep)) },
    current: restrict(current, keep)
  }
}

function restrict(record: RunRecord, keep: (name: string) => boolean): RunRecord {
  const filter = <T>(entries: Record<string, T>): Record<string, T> =>
    Object.fromEntries(Object.entries(entries).filter(([name]) => keep(name)))
  const executables: RunRecord['executables'] = {}
  for (const [exe, calls] of Object.entries(record.executables)) executables[exe] = filter(calls)
  return { ...record, syscalls: filter(record.syscalls), executables }
}
