import { randomBytes } from 'node:crypto'
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { AprError, loadBaselineModel, RENACER_VERSION } from '../apr/index.js'
import { DEFAULT_TRAIN_OPTIONS } from '../models/index.js'
import type { BaselineModel } from '../models/types.js'
import { analyzeRun } from '../pipeline/analyze.js'
import { refreshBaseline, writeBaseline } from '../pipeline/refresh.js'
import { baselineInfo, traceRuns } from '../pipeline/runs.js'
import { annotationsFor, type Annotation } from '../reports/annotations.js'
import { renderRegressionReport } from '../reports/gate-text.js'
import { renderJobSummary } from '../reports/markdown.js'
import { buildJsonReport } from '../reports/report.js'
import { BaselineNameConflict } from '../stores/artifact.js'
import { BaselineUnavailable, type BaselineStore, type FetchedBaseline } from '../stores/types.js'
import type { SyscallProfile } from '../tracing/types.js'
import type { ActionConfig } from './config.js'
import { BASELINE_MODEL_FILE, BASELINE_REPORT_FILE, Outputs } from './constants.js'

/** Everything the pipeline does to the world besides tracing and the store: @actions/core on a runner. */
export interface ActionIO {
  info(message: string): void
  annotate(annotation: Annotation): void
  setOutput(name: string, value: string): void
  writeSummary(markdown: string): Promise<void>
  /** Raw stdout, for the stop-commands fence around the traced command's output. */
  writeStdout(text: string): void
}

export interface ActionOutcome {
  /** Why the job must fail, or null. */
  failure: string | null
  verdict: string
  reportPath: string
}

/**
 * One run of the action: fetch the baseline, trace the command, gate, report, and on a trusted training run
 * whose command succeeded, publish the refreshed baseline. Throws only on bugs and on configuration errors;
 * a missing or unreadable baseline is an outcome (no-baseline), never an error.
 */
export async function runAction(
  config: ActionConfig,
  store: BaselineStore,
  io: ActionIO,
  outDir: string
): Promise<ActionOutcome> {
  const notes: string[] = []
  await mkdir(outDir, { recursive: true })
  const { model: baseline, fetched } = await fetchBaseline(config, store, join(outDir, 'baseline'), notes, io)

  const command = ['bash', '--noprofile', '--norc', '-eo', 'pipefail', '-c', config.command]
  const profiles = await traceFenced(config, command, io)
  const profile = profiles[profiles.length - 1]!
  const commandFailed = profile.exit_code !== 0

  const analysis = analyzeRun(profile, baseline, {
    gate: { threshold: config.threshold, failOn: config.failOn },
    train: DEFAULT_TRAIN_OPTIONS,
    mlAnomaly: false,
    mlOutliers: false
  })
  const report = buildJsonReport(
    RENACER_VERSION,
    command,
    profiles.length,
    profile,
    analysis,
    baseline === null ? null : baselineInfo(config.baselineArtifact, baseline, fetched)
  )
  const reportPath = join(outDir, BASELINE_REPORT_FILE)
  await writeFile(reportPath, `${JSON.stringify(report, null, 2)}\n`)
  io.info(renderRegressionReport(analysis.gate).trimEnd())

  // In train mode the change has already landed: findings are reported, the baseline moves on, the job passes.
  const gateFails = config.mode === 'check' && analysis.gate.fails
  for (const annotation of annotationsFor(report)) {
    io.annotate(annotation.level === 'error' && !gateFails ? { ...annotation, level: 'warning' } : annotation)
  }

  let modelPath = fetched?.files.find((f) => f.endsWith(BASELINE_MODEL_FILE)) ?? ''
  // On a runner, only runs nobody outside the repository's writers controls may refresh a baseline.
  const mayPublish = !config.github.hasArtifactService || config.github.trusted
  if (config.mode === 'train' && !mayPublish) {
    const message =
      `mode is train, but this ${config.github.eventName || 'unknown'} run of ${config.github.ref || 'an unknown ref'} is not ` +
      `a trusted run (push, schedule or workflow_dispatch on ${config.github.trustedBranch}): the baseline is not refreshed.`
    io.annotate({ level: 'warning', title: 'renacer: baseline not refreshed', message })
    notes.push(message)
  } else if (config.mode === 'train') {
    if (commandFailed) {
      notes.push(`The command failed (exit ${profile.exit_code}): the baseline was not refreshed.`)
    } else {
      const published = await publishBaseline(
        config,
        store,
        baseline,
        profiles,
        reportPath,
        outDir,
        notes,
        io
      )
      if (published !== null) modelPath = published
    }
  } else if (baseline === null) {
    notes.push(
      `No baseline yet: a trusted run (push to ${config.github.trustedBranch}, schedule or workflow_dispatch) ` +
        `creates "${config.baselineArtifact}"; until then this job reports without gating.`
    )
  }

  io.setOutput(Outputs.Verdict, report.verdict)
  io.setOutput(Outputs.Regressions, String(report.regressions.length))
  io.setOutput(Outputs.Report, reportPath)
  io.setOutput(Outputs.Model, modelPath)
  io.setOutput(Outputs.BaselineRunId, report.baseline?.run_id ?? '')
  await io.writeSummary(renderJobSummary(report, { mode: config.mode, notes, command: config.command }))

  let failure: string | null = null
  if (commandFailed) {
    failure = `The command failed with exit code ${profile.exit_code}${profile.signal !== null ? ` (${profile.signal})` : ''}.`
  } else if (gateFails) {
    const n = report.regressions.length
    failure =
      n > 0
        ? `REGRESSION: ${n} finding(s) against the baseline of ${report.baseline?.runs ?? 0} run(s); see the job summary.`
        : `REGRESSION: ${report.anomalies.length} anomaly finding(s) (fail-on: anomaly); see the job summary.`
  }
  return { failure, verdict: report.verdict, reportPath }
}

async function fetchBaseline(
  config: ActionConfig,
  store: BaselineStore,
  dir: string,
  notes: string[],
  io: ActionIO
): Promise<{ model: BaselineModel | null; fetched: FetchedBaseline | null }> {
  await rm(dir, { recursive: true, force: true })
  let fetched: FetchedBaseline
  try {
    fetched = await store.fetch(config.baselineArtifact, dir)
  } catch (err) {
    if (!(err instanceof BaselineUnavailable)) throw err
    const level = err.reason === 'missing' || err.reason === 'expired' ? 'notice' : 'warning'
    io.annotate({ level, title: 'renacer: no baseline', message: err.message })
    notes.push(err.message)
    return { model: null, fetched: null }
  }
  const file = fetched.files.find((f) => f.endsWith(BASELINE_MODEL_FILE))
  if (file === undefined) {
    const message = `The baseline "${config.baselineArtifact}" holds no ${BASELINE_MODEL_FILE}: gating skipped; the next training run replaces it.`
    io.annotate({ level: 'warning', title: 'renacer: unreadable baseline', message })
    notes.push(message)
    return { model: null, fetched: null }
  }
  try {
    return { model: await loadBaselineModel(file), fetched }
  } catch (err) {
    if (!(err instanceof AprError)) throw err
    const message = `The baseline "${config.baselineArtifact}" could not be read (${err.name}: ${err.message}); gating skipped; the next training run replaces it.`
    io.annotate({ level: 'warning', title: 'renacer: unreadable baseline', message })
    notes.push(message)
    return { model: null, fetched: null }
  }
}

async function traceFenced(config: ActionConfig, command: string[], io: ActionIO): Promise<SyscallProfile[]> {
  // The build's output must not be able to issue workflow commands that look like ours (a fork's build can print
  // anything): commands are off while it runs, resumed with a token it cannot know.
  const token = randomBytes(16).toString('hex')
  io.writeStdout(`::stop-commands::${token}\n`)
  try {
    return await traceRuns(command, {
      runs: config.runs,
      traceAll: config.traceAll,
      cwd: config.workingDirectory
    })
  } finally {
    io.writeStdout(`::${token}::\n`)
  }
}

async function publishBaseline(
  config: ActionConfig,
  store: BaselineStore,
  existing: BaselineModel | null,
  profiles: SyscallProfile[],
  reportPath: string,
  outDir: string,
  notes: string[],
  io: ActionIO
): Promise<string | null> {
  const env = process.env
  const labels: Record<string, string> = {}
  if (env.GITHUB_SHA) labels.sha = env.GITHUB_SHA
  if (config.github.runId !== '') {
    labels.run_id = config.github.runId
    labels.run_url = `${config.github.serverUrl}/${config.github.repository}/actions/runs/${config.github.runId}`
  }
  if (config.github.ref !== '') labels.ref = config.github.ref
  const model = refreshBaseline(
    existing,
    profiles,
    labels,
    Math.floor(Date.now() / 1000),
    config.window,
    DEFAULT_TRAIN_OPTIONS
  )
  const staging = join(outDir, 'model')
  await rm(staging, { recursive: true, force: true })
  await mkdir(staging, { recursive: true })
  const modelPath = join(staging, BASELINE_MODEL_FILE)
  await writeBaseline(
    model,
    modelPath,
    DEFAULT_TRAIN_OPTIONS,
    `renacer-action baseline ${config.baselineArtifact}`
  )
  await copyFile(reportPath, join(staging, BASELINE_REPORT_FILE))
  try {
    const published = await store.publish(
      config.baselineArtifact,
      [modelPath, join(staging, BASELINE_REPORT_FILE)],
      { retentionDays: config.retentionDays }
    )
    io.info(
      `Baseline "${published.name}" refreshed: ${model.window.runs.length} run(s), ${published.size} bytes`
    )
    notes.push(
      `Baseline "${config.baselineArtifact}" refreshed with this run (${model.window.runs.length} run(s) in its window).`
    )
    return modelPath
  } catch (err) {
    if (err instanceof BaselineNameConflict) throw err
    const message = `The refreshed baseline could not be stored (${err instanceof Error ? err.message : String(err)}); the previous one stays in use.`
    io.annotate({ level: 'warning', title: 'renacer: baseline not refreshed', message })
    notes.push(message)
    return null
  }
}
