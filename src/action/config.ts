import { existsSync, readFileSync, statSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'
import { percent } from '../cli/args.js'
import { Inputs, TRUSTED_EVENTS } from './constants.js'

/** Everything the action needs, read and validated before any side effect. */
export interface ActionConfig {
  command: string
  workingDirectory: string
  requestedMode: 'auto' | 'train' | 'check'
  /** What this run does: train (gate, then refresh the baseline if the command succeeded) or check (gate only). */
  mode: 'train' | 'check'
  baselineArtifact: string
  threshold: number
  failOn: 'regression' | 'anomaly' | 'never'
  runs: number
  window: number
  retentionDays: number
  traceAll: boolean
  githubToken: string
  storeDir: string
  github: GithubContext
}

export interface GithubContext {
  /** True on a runner with an artifact service (ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL set). */
  hasArtifactService: boolean
  eventName: string
  ref: string
  repository: string
  runId: string
  serverUrl: string
  apiUrl: string
  job: string
  /** The branch whose trusted runs make baselines: the default branch, or a pull request's base branch. */
  trustedBranch: string
  /** This run is a push/schedule/workflow_dispatch run of the trusted branch. */
  trusted: boolean
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

type GetInput = (name: string) => string

/** Reads the inputs (with the same defaults as action.yml, since a run outside the runner gets none). */
export function readConfig(getInput: GetInput, env: NodeJS.ProcessEnv = process.env): ActionConfig {
  const input = (name: string, fallback: string): string => {
    const value = getInput(name).trim()
    return value === '' ? fallback : value
  }
  const command = getInput(Inputs.Command)
  if (command.trim() === '') {
    throw new ConfigError(`input "${Inputs.Command}" is required: the build or test command to profile`)
  }
  const workspace = env.GITHUB_WORKSPACE ?? process.cwd()
  const workingDirectory = resolve(workspace, input(Inputs.WorkingDirectory, '.'))
  if (!existsSync(workingDirectory) || !statSync(workingDirectory).isDirectory()) {
    throw new ConfigError(`input "${Inputs.WorkingDirectory}": "${workingDirectory}" is not a directory`)
  }

  const requestedMode = oneOf(Inputs.Mode, input(Inputs.Mode, 'auto'), ['auto', 'train', 'check'] as const)
  const failOn = oneOf(Inputs.FailOn, input(Inputs.FailOn, 'regression'), [
    'regression',
    'anomaly',
    'never'
  ] as const)
  const github = readGithubContext(env)
  const mode = requestedMode === 'auto' ? (github.trusted ? 'train' : 'check') : requestedMode

  const baselineArtifact = input(Inputs.BaselineArtifact, defaultArtifactName(env))
  if (!/^[A-Za-z0-9._-]{1,200}$/.test(baselineArtifact)) {
    throw new ConfigError(
      `input "${Inputs.BaselineArtifact}": "${baselineArtifact}" is not a usable artifact name ` +
        `(letters, digits, '.', '_' and '-', at most 200)`
    )
  }
  const storeDir = input(Inputs.StoreDir, '.renacer/store')

  return {
    command,
    workingDirectory,
    requestedMode,
    mode,
    baselineArtifact,
    threshold: wrap(() => percent(`input "${Inputs.Threshold}"`, input(Inputs.Threshold, '10'), 10)),
    failOn,
    runs: whole(Inputs.Runs, input(Inputs.Runs, '1'), 1, 100),
    window: whole(Inputs.Window, input(Inputs.Window, '10'), 1, 1000),
    retentionDays: whole(Inputs.RetentionDays, input(Inputs.RetentionDays, '90'), 1, 400),
    traceAll: bool(Inputs.TraceAll, input(Inputs.TraceAll, 'false')),
    githubToken: getInput(Inputs.GithubToken).trim() || (env.GITHUB_TOKEN ?? ''),
    storeDir: isAbsolute(storeDir) ? storeDir : resolve(workspace, storeDir),
    github
  }
}

export function readGithubContext(env: NodeJS.ProcessEnv): GithubContext {
  const eventName = env.GITHUB_EVENT_NAME ?? ''
  const ref = env.GITHUB_REF ?? ''
  const defaultBranch = readDefaultBranch(env.GITHUB_EVENT_PATH) ?? env.RENACER_DEFAULT_BRANCH ?? 'main'
  const baseRef = env.GITHUB_BASE_REF ?? ''
  const trustedBranch = baseRef !== '' ? baseRef : defaultBranch
  const onTrustedBranch = ref === `refs/heads/${defaultBranch}`
  return {
    hasArtifactService: (env.ACTIONS_RUNTIME_TOKEN ?? '') !== '' && (env.ACTIONS_RESULTS_URL ?? '') !== '',
    eventName,
    ref,
    repository: env.GITHUB_REPOSITORY ?? '',
    runId: env.GITHUB_RUN_ID ?? '',
    serverUrl: env.GITHUB_SERVER_URL ?? 'https://github.com',
    apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
    job: env.GITHUB_JOB ?? '',
    trustedBranch,
    trusted: (TRUSTED_EVENTS as readonly string[]).includes(eventName) && onTrustedBranch
  }
}

function readDefaultBranch(eventPath: string | undefined): string | null {
  if (eventPath === undefined || eventPath === '' || !existsSync(eventPath)) return null
  try {
    const payload = JSON.parse(readFileSync(eventPath, 'utf8')) as {
      repository?: { default_branch?: unknown }
    }
    const branch = payload.repository?.default_branch
    return typeof branch === 'string' && branch !== '' ? branch : null
  } catch {
    return null
  }
}

/** renacer-<job>-<os>-<arch>: distinct per job and platform; other matrix dimensions need an explicit name. */
function defaultArtifactName(env: NodeJS.ProcessEnv): string {
  const parts = ['renacer', env.GITHUB_JOB, env.RUNNER_OS, env.RUNNER_ARCH]
    .filter((p): p is string => p !== undefined && p !== '')
    .map((p) => p.toLowerCase().replace(/[^a-z0-9._-]+/g, '-'))
  return parts.length > 1 ? parts.join('-') : 'renacer-baseline'
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T
  throw new ConfigError(`input "${name}" must be one of ${allowed.join(', ')}; got "${value}"`)
}

function whole(name: string, value: string, min: number, max: number): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`input "${name}" must be a whole number from ${min} to ${max}; got "${value}"`)
  }
  return n
}

/** YAML 1.2 core-schema booleans, as core.getBooleanInput accepts them; "yes" is refused. */
function bool(name: string, value: string): boolean {
  if (['true', 'True', 'TRUE'].includes(value)) return true
  if (['false', 'False', 'FALSE'].includes(value)) return false
  throw new ConfigError(`input "${name}" must be true or false; got "${value}"`)
}

function wrap<T>(f: () => T): T {
  try {
    return f()
  } catch (err) {
    throw new ConfigError(err instanceof Error ? err.message : String(err))
  }
}
