/** What makes the gate fail the build: a regression, also an ML anomaly, or nothing (report only). */
export type FailOn = 'regression' | 'anomaly' | 'never'

/** Absolute minimum changes: below these a change is never a finding, whatever its percentage. */
export interface GateFloors {
  calls: number
  errors: number
  time_us: number
}

export interface GateOptions {
  /** Relative change that counts as large: 0.10 is 10%. */
  threshold: number
  floors: GateFloors
  failOn: FailOn
}

export type FindingMetric = 'calls' | 'errors' | 'time_us' | 'cluster' | 'outlier_score' | 'exit_code'

/** How the finding is judged: the list of GateResult it sits in. */
export type FindingKind = 'regression' | 'improvement' | 'warning' | 'anomaly'

/** What happened to the value: `new` and `gone` are against a baseline value of 0 / a current value of 0. */
export type FindingChange = 'increase' | 'decrease' | 'new' | 'gone'

export interface Finding {
  /** The syscall, or `*` for a finding about a whole executable or about every syscall at once. */
  syscall: string
  metric: FindingMetric
  /** Baseline value (median over the window's runs). */
  baseline: number
  current: number
  /** (current - baseline) / baseline * 100, rounded to 0.1; null when the baseline is 0. */
  change_pct: number | null
  /** The executable that contributed most of the change, or null when unknown. */
  executable: string | null
  /** Share (0..1) of the change that came from `executable`; null when unknown. */
  executable_share: number | null
  kind: FindingKind
  change: FindingChange
  /** One sentence on why this is (or is not) a regression. */
  detail: string
}

export type Verdict = 'pass' | 'regression' | 'improvement' | 'no-baseline'

export interface GateResult {
  verdict: Verdict
  /** Whether the caller should fail (non-zero exit): verdict is regression and failOn is not `never`. */
  fails: boolean
  fail_on: FailOn
  regressions: Finding[]
  improvements: Finding[]
  warnings: Finding[]
  anomalies: Finding[]
  baseline_runs: number
}
