import type { SyscallProfile } from '../tracing/types.js'
import type { BaselineModel, RunRecord } from '../models/types.js'
import {
  baselineStats,
  compareNames,
  featureRows,
  scoreIsolationForest,
  scoreKMeans,
  toRunRecord,
  windowFeatureRows,
  type BaselineStats,
  type Spread
} from '../models/index.js'
import { syscallClass, thresholdFactor } from './classes.js'
import { comparable } from './comparable.js'
import type { Finding, FindingChange, FindingKind, FindingMetric, GateOptions, GateResult } from './types.js'

export const DEFAULT_THRESHOLD = 0.1
/**
 * 8 calls or errors: above run-to-run jitter of small counters (3 -> 5 never fails) and at most 10% of a
 * syscall with 100 calls, so a 10% regression there is still caught. 100 ms of time in one syscall.
 */
export const DEFAULT_FLOORS = { calls: 8, errors: 8, time_us: 100_000 } as const
export const DEFAULT_GATE_OPTIONS: GateOptions = {
  threshold: DEFAULT_THRESHOLD,
  floors: { ...DEFAULT_FLOORS },
  failOn: 'regression'
}
/** A change must exceed this many robust standard deviations of the baseline's own runs. */
export const SPREAD_FACTOR = 4
/** Time is judged against its own spread only from this many baseline runs; below, time gives warnings only. */
export const MIN_RUNS_FOR_TIME = 3
/**
 * A syscall's time must reach this multiple of what its call count explains to be a regression: single
 * syscalls were measured 2.8x slower on a contended runner while most others were not (see docs/gate.md).
 */
export const TIME_RATIO = 3
/** Time-only inflation on at least this share of the syscalls that spend time is the runner, not the change. */
export const BROAD_INFLATION_SHARE = 0.5
/** Syscalls spending less than this (median baseline time) do not vote on broad inflation. */
const TIME_VOTE_MIN_US = 1000
/** Timing-class counts are reported as warnings from this relative change (or the threshold, if larger). */
const TIMING_WARN_THRESHOLD = 0.5
const EPSILON = 1e-9

type Direction = 1 | -1

interface Judgement {
  direction: Direction
  baseline: number
  delta: number
}

export function resolveGateOptions(options: Partial<GateOptions> = {}): GateOptions {
  return {
    threshold: options.threshold ?? DEFAULT_THRESHOLD,
    floors: { ...DEFAULT_FLOORS, ...options.floors },
    failOn: options.failOn ?? 'regression'
  }
}

/**
 * The verdict of one run against a baseline. See docs/gate.md for the rule and its reasons.
 * Pure: the same model, profile and options always give the same result, findings in a fixed order.
 */
export function analyzeRegression(
  model: BaselineModel | null,
  profile: SyscallProfile,
  options: Partial<GateOptions> = {}
): GateResult {
  const opts = resolveGateOptions(options)
  const runs = model?.window.runs.length ?? 0
  if (!model || runs === 0) {
    return {
      verdict: 'no-baseline',
      fails: false,
      fail_on: opts.failOn,
      regressions: [],
      improvements: [],
      warnings: [],
      anomalies: [],
      baseline_runs: 0
    }
  }
  const { window, current: record } = comparable(model.window, toRunRecord(profile), profile.traced)
  const stats = baselineStats(window)
  const findings: Finding[] = [
    ...countFindings(stats, record, opts),
    ...timeFindings(stats, record, opts),
    ...executableFindings(stats, record, opts),
    ...exitCodeFindings(stats, record)
  ]
  const anomalies = anomalyFindings(model, record)
  const regressions = findings.filter((f) => f.kind === 'regression')
  const improvements = findings.filter((f) => f.kind === 'improvement')
  const warnings = findings.filter((f) => f.kind === 'warning')
  const failing = regressions.length > 0 || (opts.failOn === 'anomaly' && anomalies.length > 0)
  const verdict = failing ? 'regression' : improvements.length > 0 ? 'improvement' : 'pass'
  return {
    verdict,
    fails: verdict === 'regression' && opts.failOn !== 'never',
    fail_on: opts.failOn,
    regressions,
    improvements,
    warnings,
    anomalies,
    baseline_runs: stats.runs
  }
}

/**
 * Large: at least the floor in absolute terms AND at least `threshold` relative to the baseline median.
 * Unusual: beyond SPREAD_FACTOR robust standard deviations of the baseline runs (0 with one run: floors only).
 */
export function judgeChange(
  spread: Spread | undefined,
  current: number,
  floor: number,
  threshold: number
): Judgement | null {
  const baseline = spread?.median ?? 0
  const delta = current - baseline
  if (Math.abs(delta) < floor - EPSILON || delta === 0) return null
  if (baseline > 0 && Math.abs(delta) / baseline < threshold - EPSILON) return null
  if (Math.abs(delta) <= SPREAD_FACTOR * robustStd(spread)) return null
  return { direction: delta > 0 ? 1 : -1, baseline, delta }
}

/** max(1.4826 MAD, sample std): the MAD resists one odd run, the std sees a bimodal window. */
export function robustStd(spread: Spread | undefined): number {
  if (!spread || spread.n < 2) return 0
  return Math.max(1.4826 * spread.mad, spread.std)
}

function countFindings(stats: BaselineStats, record: RunRecord, opts: GateOptions): Finding[] {
  const names = [...new Set([...Object.keys(stats.syscalls), ...Object.keys(record.syscalls)])].sort(
    compareNames
  )
  const out: Finding[] = []
  for (const name of names) {
    const base = stats.syscalls[name]
    const row = record.syscalls[name] ?? [0, 0, 0]
    const cls = syscallClass(name)
    const metrics: ['calls' | 'errors', number, Spread | undefined, number][] = [
      ['calls', row[0], base?.calls, opts.floors.calls],
      ['errors', row[1], base?.errors, opts.floors.errors]
    ]
    for (const [metric, current, spread, floor] of metrics) {
      const factor = thresholdFactor(name, stats.runs)
      const threshold =
        cls === 'timing' ? Math.max(opts.threshold, TIMING_WARN_THRESHOLD) : factor * opts.threshold
      const j = judgeChange(spread, current, floor, threshold)
      if (!j) continue
      const change = changeOf(j.baseline, current)
      let kind: FindingKind = j.direction > 0 ? 'regression' : 'improvement'
      let detail =
        j.direction > 0
          ? `${metric} up by ${fmt(j.delta)}, beyond the ${pct(opts.threshold * factor)} threshold, the floor of ${fmt(floor)} and the baseline's spread`
          : `${metric} down by ${fmt(-j.delta)}`
      if (cls === 'timing') {
        kind = 'warning'
        detail = `${metric} changed by ${fmt(j.delta)}; ${name} depends on timing and contention, so it is not gated`
      }
      const attribution = attribute(stats, record, name, metric, j.delta)
      out.push(finding(name, metric, j.baseline, current, kind, change, detail, attribution))
    }
  }
  return out
}

/**
 * Time is secondary. First, if time rose at stable counts on most syscalls that spend time, the runner was
 * slower: one warning, nothing else. Otherwise a syscall's time beyond what its call count explains is looked
 * at only when it is a real part of the build (at least the time floor and `threshold` of the baseline's wall
 * time). It is a regression only when, in addition, the window holds MIN_RUNS_FOR_TIME runs, the time is at
 * least TIME_RATIO times what the call count explains, beyond SPREAD_FACTOR deviations of its own baseline
 * time, and the syscall is not one whose time is waiting (timing class, blocking I/O). Else a warning.
 */
function timeFindings(stats: BaselineStats, record: RunRecord, opts: GateOptions): Finding[] {
  let voters = 0
  let inflated = 0
  let baseTotal = 0
  let curTotal = 0
  for (const [name, base] of Object.entries(stats.syscalls)) {
    if (syscallClass(name) === 'timing' || base.time_us.median < TIME_VOTE_MIN_US) continue
    const row = record.syscalls[name]
    if (!row || base.calls.median <= 0) continue
    if (Math.abs(row[0] - base.calls.median) / base.calls.median >= opts.threshold) continue
    voters++
    baseTotal += base.time_us.median
    curTotal += row[2]
    if (row[2] >= base.time_us.median * (1 + opts.threshold)) inflated++
  }
  if (voters >= 3 && inflated >= BROAD_INFLATION_SHARE * voters) {
    return [
      finding(
        '*',
        'time_us',
        baseTotal,
        curTotal,
        'warning',
        curTotal >= baseTotal ? 'increase' : 'decrease',
        `time in syscalls rose on ${inflated} of ${voters} syscalls at stable counts: a slower or busier runner, not more work`,
        null
      )
    ]
  }
  const out: Finding[] = []
  const minUnexplained = Math.max(opts.floors.time_us, opts.threshold * stats.wall_ms.median * 1000)
  const names = [...new Set([...Object.keys(stats.syscalls), ...Object.keys(record.syscalls)])].sort(
    compareNames
  )
  for (const name of names) {
    const cls = syscallClass(name)
    if (cls === 'timing') continue
    const base = stats.syscalls[name]
    const row = record.syscalls[name] ?? [0, 0, 0]
    const baseTime = base?.time_us.median ?? 0
    const baseCalls = base?.calls.median ?? 0
    // The time the current call count would take at the baseline's time per call.
    const expected = baseCalls > 0 ? baseTime * (row[0] / baseCalls) : 0
    const unexplained = row[2] - expected
    if (unexplained < minUnexplained - EPSILON) continue
    if (expected > 0 && unexplained / expected < opts.threshold - EPSILON) continue
    const ms = `${fmt(unexplained / 1000)} ms more than its call count explains`
    let reason: string | null = null
    if (stats.runs < MIN_RUNS_FOR_TIME) reason = `time is gated only from ${MIN_RUNS_FOR_TIME} baseline runs`
    else if (cls === 'blocking') reason = `${name} time is mostly waiting on other processes`
    else if (expected > 0 && row[2] < TIME_RATIO * expected) {
      reason = `under ${TIME_RATIO}x what its call count explains, within what a busy runner does to one syscall`
    } else if (unexplained <= SPREAD_FACTOR * robustStd(base?.time_us)) reason = 'within its own time spread'
    const kind: FindingKind = reason === null ? 'regression' : 'warning'
    const detail = reason === null ? `${ms}, beyond its own time spread` : `${ms}; not gated: ${reason}`
    out.push(finding(name, 'time_us', baseTime, row[2], kind, changeOf(baseTime, row[2]), detail, null))
  }
  return out
}

/**
 * A build runs the same programs every time. An executable the baseline never ran, making at least the calls
 * floor of syscalls, is a new step doing real work (a spawned tool, a sleep, a second compiler): a regression.
 * An executable of the baseline no longer run is an improvement. Only when the baseline knows executables.
 */
function executableFindings(stats: BaselineStats, record: RunRecord, opts: GateOptions): Finding[] {
  if (Object.keys(stats.executables).length === 0) return []
  const out: Finding[] = []
  const names = [...new Set([...Object.keys(stats.executables), ...Object.keys(record.executables)])].sort(
    compareNames
  )
  for (const exe of names) {
    const base = stats.executables[exe]
    const current = sumCalls(record.executables[exe])
    const processes = record.processes[exe] ?? 0
    if ((!base || base.present === 0) && current >= opts.floors.calls) {
      const detail = `new executable: ${processes} process${processes === 1 ? '' : 'es'}, ${current} syscalls`
      out.push(finding('*', 'calls', 0, current, 'regression', 'new', detail, { executable: exe, share: 1 }))
    } else if (
      base &&
      base.present === stats.runs &&
      current === 0 &&
      base.calls.median >= opts.floors.calls
    ) {
      const detail = `executable no longer run (${fmt(base.calls.median)} syscalls in the baseline)`
      out.push(
        finding('*', 'calls', base.calls.median, 0, 'improvement', 'gone', detail, {
          executable: exe,
          share: 1
        })
      )
    }
  }
  return out
}

function exitCodeFindings(stats: BaselineStats, record: RunRecord): Finding[] {
  if (record.exit_code === 0) return []
  return [
    finding(
      '*',
      'exit_code',
      0,
      record.exit_code,
      'warning',
      'increase',
      `the traced command exited with ${record.exit_code}: its counts may not be comparable with ${stats.runs} baseline run(s)`,
      null
    )
  ]
}

/**
 * ML findings, always anomalies (warnings unless failOn is `anomaly`): a syscall that now falls in the
 * anomalous k-means cluster although none of its baseline rows did, or lies farther from its centroid than
 * twice the farthest baseline row of that cluster (and at least 1 scaled unit beyond it); a syscall the
 * isolation forest now scores as an outlier although none of its baseline rows was one.
 */
function anomalyFindings(model: BaselineModel, record: RunRecord): Finding[] {
  const rows = featureRows(record)
  const baseRows = windowFeatureRows(model.window.runs)
  const out: Finding[] = []
  if (model.kmeans) {
    const base = scoreKMeans(model.kmeans, baseRows)
    const radius = new Map<number, number>()
    const wasAnomalous = new Set<string>()
    for (const a of base) {
      radius.set(a.cluster, Math.max(radius.get(a.cluster) ?? 0, a.distance))
      if (a.anomalous) wasAnomalous.add(a.syscall)
    }
    for (const a of scoreKMeans(model.kmeans, rows)) {
      const r = radius.get(a.cluster) ?? 0
      const far = a.distance > Math.max(2 * r, r + 1)
      const moved = a.anomalous && !wasAnomalous.has(a.syscall)
      if (!far && !moved) continue
      const detail = moved
        ? `now in the anomalous k-means cluster ${a.cluster}`
        : `${fmt(a.distance)} from the centroid of cluster ${a.cluster}, whose baseline rows lie within ${fmt(r)}`
      out.push(finding(a.syscall, 'cluster', r, a.distance, 'anomaly', 'increase', detail, null))
    }
  }
  if (model.iforest) {
    const threshold = model.iforest.score_threshold
    const baseMax = new Map<string, number>()
    for (const s of scoreIsolationForest(model.iforest, baseRows)) {
      baseMax.set(s.syscall, Math.max(baseMax.get(s.syscall) ?? 0, s.score))
    }
    for (const s of scoreIsolationForest(model.iforest, rows)) {
      const before = baseMax.get(s.syscall)
      if (!s.outlier || (before !== undefined && before >= threshold)) continue
      const detail = `isolation-forest score ${s.score.toFixed(3)} at or above the outlier threshold ${threshold.toFixed(3)}`
      out.push(finding(s.syscall, 'outlier_score', before ?? 0, s.score, 'anomaly', 'increase', detail, null))
    }
  }
  return out
}

interface Attribution {
  executable: string
  share: number
}

/** The executable whose own calls (or errors) of this syscall moved most in the direction of the change. */
export function attribute(
  stats: BaselineStats,
  record: RunRecord,
  syscall: string,
  metric: 'calls' | 'errors',
  delta: number
): Attribution | null {
  const index = metric === 'calls' ? 0 : 1
  const exes = new Set<string>()
  for (const [exe, base] of Object.entries(stats.executables)) if (base.syscalls[syscall]) exes.add(exe)
  for (const [exe, perSyscall] of Object.entries(record.executables)) if (perSyscall[syscall]) exes.add(exe)
  let best: Attribution | null = null
  let bestContribution = 0
  for (const exe of [...exes].sort(compareNames)) {
    const base = stats.executables[exe]?.syscalls[syscall]?.[metric].median ?? 0
    const current = record.executables[exe]?.[syscall]?.[index] ?? 0
    const contribution = (current - base) * Math.sign(delta)
    if (contribution > bestContribution) {
      bestContribution = contribution
      best = { executable: exe, share: Math.min(1, contribution / Math.abs(delta)) }
    }
  }
  return best
}

function finding(
  syscall: string,
  metric: FindingMetric,
  baseline: number,
  current: number,
  kind: FindingKind,
  change: FindingChange,
  detail: string,
  attribution: Attribution | null
): Finding {
  return {
    syscall,
    metric,
    baseline,
    current,
    change_pct: baseline > 0 ? Math.round(((current - baseline) / baseline) * 1000) / 10 : null,
    executable: attribution?.executable ?? null,
    executable_share: attribution ? Math.round(attribution.share * 1000) / 1000 : null,
    kind,
    change,
    detail
  }
}

function changeOf(baseline: number, current: number): FindingChange {
  if (baseline === 0 && current > 0) return 'new'
  if (current === 0 && baseline > 0) return 'gone'
  return current >= baseline ? 'increase' : 'decrease'
}

function sumCalls(perSyscall: Record<string, [number, number]> | undefined): number {
  let total = 0
  for (const row of Object.values(perSyscall ?? {})) total += row[0]
  return total
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1)
}

function pct(fraction: number): string {
  return `${Math.round(fraction * 1000) / 10}%`
}
