import { writeFile } from 'node:fs/promises'
import {
  AprError,
  describeModelFile,
  FileNotFound,
  formatAprError,
  loadBaselineModel,
  RENACER_VERSION
} from '../apr/index.js'
import { DEFAULT_TRAIN_OPTIONS, type TrainOptions } from '../models/index.js'
import type { BaselineModel } from '../models/types.js'
import { analyzeRun } from '../pipeline/analyze.js'
import { refreshBaseline, writeBaseline } from '../pipeline/refresh.js'
import { baselineInfo, traceRuns } from '../pipeline/runs.js'
import { renderMlAnomalyReport, renderOutlierReport, renderRegressionReport } from '../reports/gate-text.js'
import { buildJsonReport } from '../reports/report.js'
import { renderSummaryTable } from '../reports/summary-table.js'
import { TraceError } from '../tracing/errors.js'
import type { SyscallProfile } from '../tracing/types.js'
import { parseCli, USAGE, UsageError, type CliOptions } from './args.js'

/** Exit codes of our own (the traced command's code passes through otherwise). docs/cli.md lists them all. */
export const ExitCode = {
  Ok: 0,
  Usage: 2,
  Regression: 3,
  Anomaly: 4,
  Internal: 70
} as const

/** The CLI's front door: parse, run, and turn every error into one line and an exit code. Never throws. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    const request = parseCli(argv)
    switch (request.kind) {
      case 'help':
        process.stdout.write(`${USAGE}\n`)
        return ExitCode.Ok
      case 'version':
        process.stdout.write(`renacer-action ${RENACER_VERSION}\n`)
        return ExitCode.Ok
      case 'validate':
        return await validate(request.files)
      case 'trace':
        return await traceAndReport(request.options)
    }
  } catch (err) {
    return reportError(err)
  }
}

/** `validate FILE...`: header and metadata of each file as JSON on stdout; the first bad file decides the exit code. */
async function validate(files: readonly string[]): Promise<number> {
  let code: number = ExitCode.Ok
  for (const file of files) {
    try {
      process.stdout.write(`${JSON.stringify(await describeModelFile(file), null, 2)}\n`)
    } catch (err) {
      if (!(err instanceof AprError)) throw err
      process.stderr.write(`${formatAprError(err)}\n`)
      if (code === ExitCode.Ok) code = err.exitCode
    }
  }
  return code
}

async function traceAndReport(options: CliOptions): Promise<number> {
  const train: TrainOptions = {
    ...DEFAULT_TRAIN_OPTIONS,
    clusters: options.mlClusters,
    trees: options.mlOutlierTrees,
    contamination: options.mlOutlierThreshold
  }
  // Read every model before running anything: a bad file fails in a second, not after the build.
  const modelFile = options.baseline ?? options.loadModel
  const baseline = modelFile !== null ? await loadBaselineModel(modelFile) : null
  const existing = options.updateModel !== null ? await loadIfPresent(options.updateModel) : null

  const profiles = await traceRuns(options.command, options)
  const profile = profiles[profiles.length - 1]!
  const commandFailed = profile.exit_code !== 0

  const analysis = analyzeRun(profile, baseline, {
    gate: { threshold: options.threshold, failOn: options.failOn },
    train,
    mlAnomaly: options.mlAnomaly || (options.loadModel !== null && baseline?.kmeans != null),
    mlOutliers: options.mlOutliers || (options.loadModel !== null && baseline?.iforest != null)
  })
  const report = buildJsonReport(
    RENACER_VERSION,
    options.command,
    profiles.length,
    profile,
    analysis,
    baseline !== null && modelFile !== null ? baselineInfo(modelFile, baseline) : null
  )

  const hasBaseline = baseline !== null
  const showTable = options.summary || (options.format === 'text' && options.output === null && !hasBaseline)
  const text = renderText(profile, analysis, showTable, hasBaseline)
  if (text !== '') process.stderr.write(text)
  if (options.format === 'json') {
    const json = `${JSON.stringify(report, null, 2)}\n`
    if (options.output !== null) await writeFile(options.output, json)
    else process.stdout.write(json)
  } else if (options.output !== null) {
    await writeFile(options.output, renderText(profile, analysis, true, hasBaseline))
  }

  // A failed run never becomes (part of) a baseline.
  const target = options.saveModel ?? options.updateModel
  if (target !== null) {
    if (commandFailed) {
      process.stderr.write(
        `renacer-action: the command failed (exit ${profile.exit_code}): ${target} not written\n`
      )
    } else {
      const model = refreshBaseline(
        options.saveModel !== null ? null : existing,
        profiles,
        options.labels,
        Math.floor(Date.now() / 1000),
        options.window,
        train
      )
      await writeBaseline(model, target, train, `renacer-action ${options.command.join(' ')}`.slice(0, 500))
      process.stderr.write(
        `renacer-action: baseline of ${model.window.runs.length} run(s) saved to ${target}\n`
      )
    }
  }

  if (commandFailed) return profile.exit_code
  if (!analysis.gate.fails) return ExitCode.Ok
  return analysis.gate.regressions.length > 0 ? ExitCode.Regression : ExitCode.Anomaly
}

/** The human report: the strace -c style table, the ML sections asked for, and the regression analysis. */
function renderText(
  profile: SyscallProfile,
  analysis: ReturnType<typeof analyzeRun>,
  withTable: boolean,
  withRegressions: boolean
): string {
  const parts: string[] = []
  if (withTable) parts.push(renderSummaryTable(profile))
  if (analysis.kmeans !== null)
    parts.push(renderMlAnomalyReport(analysis.kmeans.model, analysis.kmeans.assignments))
  if (analysis.outliers !== null) {
    parts.push(renderOutlierReport(analysis.outliers.model, analysis.outliers.scores))
  }
  if (withRegressions) parts.push(renderRegressionReport(analysis.gate))
  return parts.join('\n')
}

/** --update-model on a path with no file yet starts a new baseline; any other problem with the file stops us. */
async function loadIfPresent(file: string): Promise<BaselineModel | null> {
  try {
    return await loadBaselineModel(file)
  } catch (err) {
    if (err instanceof FileNotFound) return null
    throw err
  }
}

function reportError(err: unknown): number {
  if (err instanceof UsageError) {
    process.stderr.write(`renacer-action: ${err.message}\n\n${USAGE}\n`)
    return err.exitCode
  }
  if (err instanceof AprError) {
    process.stderr.write(`${formatAprError(err)}\n`)
    return err.exitCode
  }
  if (err instanceof TraceError) {
    process.stderr.write(`renacer-action: error[${err.code}]: ${err.message}\n`)
    return err.exitCode
  }
  const message = err instanceof Error ? err.message : String(err)
  process.stderr.write(`renacer-action: internal error: ${message}\n`)
  return ExitCode.Internal
}
