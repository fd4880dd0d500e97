import type { RunRecord } from './types.js'
import { compareNames } from './baseline.js'

/**
 * One row per syscall of one run. Chosen to describe what kind of work a syscall is, not how much the
 * runner was loaded: counts on a log scale (a 10% change moves every syscall alike), latency per call on a log
 * scale, the share of calls that failed, and the syscall's share of the run's time in syscalls (relative, so a
 * uniformly slower runner moves it little).
 */
export const FEATURE_NAMES = ['log_calls', 'log_mean_time_us', 'error_rate', 'time_share'] as const

/** Scales below this are raised to it: a constant feature scales to 0 instead of dividing by zero. */
export const MIN_SCALE = 1e-6

export interface FeatureRow {
  syscall: string
  values: number[]
}

export interface Scaler {
  mean: number[]
  std: number[]
}

/** Feature rows of one run, sorted by syscall name; syscalls with no calls are left out. */
export function featureRows(record: RunRecord): FeatureRow[] {
  let totalTime = 0
  for (const row of Object.values(record.syscalls)) totalTime += Math.max(0, row[2])
  const rows: FeatureRow[] = []
  for (const name of Object.keys(record.syscalls).sort(compareNames)) {
    const row = record.syscalls[name]
    if (!row || row[0] <= 0) continue
    const [calls, errors, timeUs] = row
    rows.push({
      syscall: name,
      values: [
        Math.log1p(calls),
        Math.log1p(Math.max(0, timeUs) / calls),
        Math.min(1, Math.max(0, errors / calls)),
        totalTime > 0 ? Math.max(0, timeUs) / totalTime : 0
      ]
    })
  }
  return rows
}

/** Rows of every run of a window, run by run (oldest first), each run's rows sorted by syscall. */
export function windowFeatureRows(runs: readonly RunRecord[]): FeatureRow[] {
  return runs.flatMap((run) => featureRows(run))
}

/** Per-column mean and standard deviation (population), the deviation floored at MIN_SCALE. */
export function fitScaler(
  matrix: readonly (readonly number[])[],
  width: number = FEATURE_NAMES.length
): Scaler {
  const mean = new Array<number>(width).fill(0)
  const std = new Array<number>(width).fill(1)
  if (matrix.length === 0) return { mean, std }
  for (let j = 0; j < width; j++) {
    let sum = 0
    for (const row of matrix) sum += finite(row[j])
    const m = sum / matrix.length
    let sq = 0
    for (const row of matrix) sq += (finite(row[j]) - m) ** 2
    mean[j] = m
    std[j] = Math.max(MIN_SCALE, Math.sqrt(sq / matrix.length))
  }
  return { mean, std }
}

export function applyScaler(scaler: Scaler, values: readonly number[]): number[] {
  return values.map((v, j) => (finite(v) - (scaler.mean[j] ?? 0)) / Math.max(MIN_SCALE, scaler.std[j] ?? 1))
}

function finite(v: number | undefined): number {
  return v !== undefined && Number.isFinite(v) ? v : 0
}
