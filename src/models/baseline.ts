import type { SyscallProfile } from '../tracing/types.js'
import type { BaselineWindow, RunRecord } from './types.js'

/** How many runs a baseline window keeps unless told otherwise. */
export const DEFAULT_WINDOW_CAPACITY = 10

/** Location and spread of one number across the runs of a window. Absent means 0 in that run. */
export interface Spread {
  n: number
  mean: number
  /** Sample standard deviation (n - 1); 0 for a single run. */
  std: number
  median: number
  /** Median absolute deviation from the median (unscaled). */
  mad: number
  min: number
  max: number
}

export interface SyscallBaseline {
  /** Runs of the window in which the syscall was called at least once. */
  present: number
  calls: Spread
  errors: Spread
  time_us: Spread
}

export interface ExecutableSyscallBaseline {
  calls: Spread
  errors: Spread
}

export interface ExecutableBaseline {
  /** Runs of the window in which the executable ran. */
  present: number
  processes: Spread
  calls: Spread
  syscalls: Record<string, ExecutableSyscallBaseline>
}

/** The statistics the gate compares a run against. Keys are inserted in sorted order. */
export interface BaselineStats {
  runs: number
  wall_ms: Spread
  syscalls: Record<string, SyscallBaseline>
  executables: Record<string, ExecutableBaseline>
}

/** Reduces a profile to what the baseline keeps. Labels are copied; keys are written in sorted order. */
export function toRunRecord(
  profile: SyscallProfile,
  labels: Record<string, string> = {},
  recordedAt: number = 0
): RunRecord {
  const syscalls: RunRecord['syscalls'] = {}
  for (const s of [...profile.syscalls].sort((a, b) => compareNames(a.name, b.name))) {
    syscalls[s.name] = [s.calls, s.errors, s.time_us]
  }
  const executables: RunRecord['executables'] = {}
  const processes: RunRecord['processes'] = {}
  for (const e of [...profile.executables].sort((a, b) => compareNames(a.executable, b.executable))) {
    const perSyscall: Record<string, [number, number]> = {}
    for (const name of Object.keys(e.syscalls).sort(compareNames)) {
      const s = e.syscalls[name]
      if (s) perSyscall[name] = [s.calls, s.errors]
    }
    executables[e.executable] = perSyscall
    processes[e.executable] = e.processes
  }
  const sortedLabels: Record<string, string> = {}
  for (const key of Object.keys(labels).sort(compareNames)) sortedLabels[key] = labels[key] ?? ''
  return {
    recorded_at: recordedAt,
    labels: sortedLabels,
    wall_ms: profile.wall_ms,
    exit_code: profile.exit_code,
    syscalls,
    executables,
    processes
  }
}

/** Appends a run, dropping the oldest runs beyond capacity. Never mutates its inputs. */
export function appendRun(
  window: BaselineWindow | null,
  record: RunRecord,
  capacity: number = window?.capacity ?? DEFAULT_WINDOW_CAPACITY
): BaselineWindow {
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError(`baseline capacity must be a positive integer, got ${String(capacity)}`)
  }
  const runs = [...(window?.runs ?? []), record]
  return { capacity, runs: runs.slice(Math.max(0, runs.length - capacity)) }
}

/** Byte-order comparison, so that ordering never depends on locale or on object insertion order. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

export function spreadOf(values: readonly number[]): Spread {
  const n = values.length
  if (n === 0) return { n: 0, mean: 0, std: 0, median: 0, mad: 0, min: 0, max: 0 }
  const mean = values.reduce((a, b) => a + b, 0) / n
  const variance = n > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) : 0
  const med = median(values)
  return {
    n,
    mean,
    std: Math.sqrt(variance),
    median: med,
    mad: median(values.map((v) => Math.abs(v - med))),
    min: Math.min(...values),
    max: Math.max(...values)
  }
}

/** Per syscall and per (executable, syscall) spread of calls, errors and time over the window's runs. */
export function baselineStats(window: BaselineWindow): BaselineStats {
  const runs = window.runs
  const syscallNames = new Set<string>()
  const exeNames = new Set<string>()
  for (const run of runs) {
    for (const name of Object.keys(run.syscalls)) syscallNames.add(name)
    for (const exe of Object.keys(run.executables)) exeNames.add(exe)
    for (const exe of Object.keys(run.processes)) exeNames.add(exe)
  }
  const syscalls: Record<string, SyscallBaseline> = {}
  for (const name of [...syscallNames].sort(compareNames)) {
    const rows = runs.map((r) => r.syscalls[name])
    syscalls[name] = {
      present: rows.filter((row) => row !== undefined && row[0] > 0).length,
      calls: spreadOf(rows.map((row) => row?.[0] ?? 0)),
      errors: spreadOf(rows.map((row) => row?.[1] ?? 0)),
      time_us: spreadOf(rows.map((row) => row?.[2] ?? 0))
    }
  }
  const executables: Record<string, ExecutableBaseline> = {}
  for (const exe of [...exeNames].sort(compareNames)) {
    const names = new Set<string>()
    for (const run of runs) for (const name of Object.keys(run.executables[exe] ?? {})) names.add(name)
    const perSyscall: Record<string, ExecutableSyscallBaseline> = {}
    for (const name of [...names].sort(compareNames)) {
      const rows = runs.map((r) => r.executables[exe]?.[name])
      perSyscall[name] = {
        calls: spreadOf(rows.map((row) => row?.[0] ?? 0)),
        errors: spreadOf(rows.map((row) => row?.[1] ?? 0))
      }
    }
    executables[exe] = {
      present: runs.filter((r) => r.executables[exe] !== undefined || (r.processes[exe] ?? 0) > 0).length,
      processes: spreadOf(runs.map((r) => r.processes[exe] ?? 0)),
      calls: spreadOf(runs.map((r) => totalCalls(r.executables[exe]))),
      syscalls: perSyscall
    }
  }
  return { runs: runs.length, wall_ms: spreadOf(runs.map((r) => r.wall_ms)), syscalls, executables }
}

function totalCalls(perSyscall: Record<string, [number, number]> | undefined): number {
  let total = 0
  for (const row of Object.values(perSyscall ?? {})) total += row[0]
  return total
}
