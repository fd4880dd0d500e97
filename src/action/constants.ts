/** Input and output names of action.yml, in one place. */
export const Inputs = {
  Command: 'command',
  WorkingDirectory: 'working-directory',
  Mode: 'mode',
  BaselineArtifact: 'baseline-artifact',
  Threshold: 'threshold',
  FailOn: 'fail-on',
  Runs: 'runs',
  Window: 'window',
  RetentionDays: 'retention-days',
  TraceAll: 'trace-all',
  GithubToken: 'github-token',
  StoreDir: 'store-dir'
} as const

export const Outputs = {
  Verdict: 'verdict',
  Regressions: 'regressions',
  Report: 'report',
  Model: 'model',
  BaselineRunId: 'baseline-run-id'
} as const

/** Events whose runs may refresh a baseline: nobody outside the repository's writers controls them. */
export const TRUSTED_EVENTS = ['push', 'schedule', 'workflow_dispatch'] as const

/** File names inside a baseline artifact. */
export const BASELINE_MODEL_FILE = 'baseline.apr'
export const BASELINE_REPORT_FILE = 'report.json'
