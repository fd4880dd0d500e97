import { parseArgs, type ParseArgsConfig } from 'node:util'

/** What the command line asked for, validated. Every default lives here. */
export interface CliOptions {
  command: string[]
  summary: boolean
  format: 'text' | 'json'
  output: string | null
  mlAnomaly: boolean
  mlClusters: number
  mlOutliers: boolean
  mlOutlierTrees: number
  mlOutlierThreshold: number
  saveModel: string | null
  loadModel: string | null
  baseline: string | null
  updateModel: string | null
  window: number
  runs: number
  /** Relative change a regression needs, as a fraction (10% -> 0.1). */
  threshold: number
  failOn: 'regression' | 'anomaly' | 'never'
  traceAll: boolean
  labels: Record<string, string>
}

export type CliRequest =
  | { kind: 'trace'; options: CliOptions }
  | { kind: 'validate'; files: string[] }
  | { kind: 'help' }
  | { kind: 'version' }

export class UsageError extends Error {
  override readonly name = 'UsageError'
  readonly code = 'UsageError'
  readonly exitCode = 2
}

const OPTIONS = {
  summary: { type: 'boolean', short: 'c' },
  format: { type: 'string' },
  output: { type: 'string', short: 'o' },
  'ml-anomaly': { type: 'boolean' },
  'ml-clusters': { type: 'string' },
  'ml-outliers': { type: 'boolean' },
  'ml-outlier-trees': { type: 'string' },
  'ml-outlier-threshold': { type: 'string' },
  'save-model': { type: 'string' },
  'load-model': { type: 'string' },
  baseline: { type: 'string' },
  'update-model': { type: 'string' },
  window: { type: 'string' },
  runs: { type: 'string' },
  threshold: { type: 'string' },
  'fail-on': { type: 'string' },
  'no-fail': { type: 'boolean' },
  'trace-all': { type: 'boolean' },
  label: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' }
} satisfies ParseArgsConfig['options']

export const USAGE = `usage: renacer-action [options] -- COMMAND [ARGS...]
       renacer-action validate FILE.apr...

Runs COMMAND under strace -f (no shell is added: write -- sh -c '...' for one), profiles its system calls per
syscall and per executable, and compares the profile with a baseline.

Output:
  -c, --summary              print the strace -c table of the run to stderr
      --format text|json     report format (default text)
  -o, --output FILE          write the report to FILE (default: text to stderr, JSON to stdout)
Models (.apr files):
      --save-model FILE      train a baseline from this run (or --runs N runs) and save it
      --update-model FILE    append this run to FILE's window (created if missing), retrain, save
      --load-model FILE      score this run with FILE's models, no retraining
      --baseline FILE        regression analysis against FILE (and its models)
      --window N             runs a baseline keeps (default 10)
      --runs N               run COMMAND N times (default 1); all runs train, the last one is reported
Analysis:
      --ml-anomaly           k-means clustering of the syscalls (renacer-style report)
      --ml-clusters N        clusters (default 3)
      --ml-outliers          isolation-forest outliers
      --ml-outlier-trees N   trees (default 100)
      --ml-outlier-threshold X  contamination, 0 < X < 0.5 (default 0.1)
      --threshold PCT        relative change a regression needs, in percent (default 10)
      --fail-on KIND         regression (default) | anomaly | never
      --no-fail              report only: same as --fail-on never
      --trace-all            trace every syscall (full fidelity) instead of the default set
      --label KEY=VALUE      provenance stored with the run in a saved model (repeatable)
  -h, --help                 this text
  -V, --version              the version

Exit codes: the command's own (128+N when killed by signal N); 3 on REGRESSION (4 on an anomaly with
--fail-on anomaly) when the command succeeded; 2 usage; 127 command not found; 69 strace missing; 77 ptrace
refused; 65-68 model file errors (see docs/cli.md).`

/** Options that take a value, by every spelling, so the command's own options are never mistaken for ours. */
const TAKES_VALUE = new Set(
  Object.entries(OPTIONS).flatMap(([name, spec]) =>
    spec.type === 'string' ? [`--${name}`, ...('short' in spec ? [`-${spec.short}`] : [])] : []
  )
)

/** Splits argv into our options and the command: at `--`, or else at the first word that is not an option. */
export function splitCommand(argv: readonly string[]): { ours: string[]; command: string[] } {
  const dashdash = argv.indexOf('--')
  if (dashdash >= 0) return { ours: argv.slice(0, dashdash), command: argv.slice(dashdash + 1) }
  let i = 0
  while (i < argv.length) {
    const token = argv[i]!
    if (!token.startsWith('-') || token === '-') break
    i += TAKES_VALUE.has(token) ? 2 : 1
  }
  return { ours: argv.slice(0, i), command: argv.slice(i) }
}

export function parseCli(argv: readonly string[]): CliRequest {
  if (argv[0] === 'validate') {
    const files = argv.slice(1).filter((a) => a !== '--')
    if (files.length === 0) throw new UsageError('validate: name at least one .apr file')
    return { kind: 'validate', files }
  }
  const { ours, command } = splitCommand(argv)
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true }>>['values']
  try {
    ;({ values } = parseArgs({ args: ours, options: OPTIONS, strict: true, allowPositionals: false }))
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err))
  }
  if (values.help === true) return { kind: 'help' }
  if (values.version === true) return { kind: 'version' }
  if (command.length === 0 || command[0] === '') throw new UsageError('no command to trace: put it after --')

  const format = values.format ?? 'text'
  if (format !== 'text' && format !== 'json')
    throw new UsageError(`--format must be text or json, got "${format}"`)
  const failOn = values['no-fail'] === true ? 'never' : (values['fail-on'] ?? 'regression')
  if (failOn !== 'regression' && failOn !== 'anomaly' && failOn !== 'never') {
    throw new UsageError(`--fail-on must be regression, anomaly or never, got "${failOn}"`)
  }
  const modelFlags = (['save-model', 'update-model'] as const).filter((f) => values[f] !== undefined)
  if (modelFlags.length > 1) throw new UsageError('--save-model and --update-model cannot be used together')

  return {
    kind: 'trace',
    options: {
      command,
      summary: values.summary === true,
      format,
      output: values.output ?? null,
      mlAnomaly: values['ml-anomaly'] === true,
      mlClusters: integer('--ml-clusters', values['ml-clusters'], 3, 1, 1000),
      mlOutliers: values['ml-outliers'] === true,
      mlOutlierTrees: integer('--ml-outlier-trees', values['ml-outlier-trees'], 100, 1, 10_000),
      mlOutlierThreshold: fraction('--ml-outlier-threshold', values['ml-outlier-threshold'], 0.1),
      saveModel: values['save-model'] ?? null,
      loadModel: values['load-model'] ?? null,
      baseline: values.baseline ?? null,
      updateModel: values['update-model'] ?? null,
      window: integer('--window', values.window, 10, 1, 1000),
      runs: integer('--runs', values.runs, 1, 1, 100),
      threshold: percent('--threshold', values.threshold, 10),
      failOn,
      traceAll: values['trace-all'] === true,
      labels: labels(values.label ?? [])
    }
  }
}

function integer(flag: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got "${raw}"`)
  }
  return n
}

function fraction(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n <= 0 || n >= 0.5) {
    throw new UsageError(`${flag} must be a number between 0 and 0.5 (exclusive), got "${raw}"`)
  }
  return n
}

/** "10", "10%" and "12.5" are percentages; the result is a fraction. */
export function percent(flag: string, raw: string | undefined, fallbackPercent: number): number {
  if (raw === undefined) return fallbackPercent / 100
  const text = raw.trim().replace(/%$/, '')
  const n = Number(text)
  if (text === '' || !Number.isFinite(n) || n <= 0 || n > 10_000) {
    throw new UsageError(`${flag} must be a percentage above 0 (for example 10 or 10%), got "${raw}"`)
  }
  return n / 100
}

function labels(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>
  for (const pair of pairs) {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw new UsageError(`--label must be KEY=VALUE, got "${pair}"`)
    const key = pair.slice(0, eq)
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
      throw new UsageError(`--label key "${key}" is reserved`)
    }
    out[key] = pair.slice(eq + 1)
  }
  return { ...out }
}
