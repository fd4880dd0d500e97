import { DefaultArtifactClient } from '@actions/artifact'
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises'
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { validateBaselineName } from './names.js'
import {
  BaselineUnavailable,
  type BaselineStore,
  type FetchedBaseline,
  type PublishedBaseline,
  type PublishOptions
} from './types.js'

/**
 * Events whose runs only people with write access can start. A pull_request or pull_request_target run executes
 * (or is steered by) code from whoever opened the PR, so a baseline it uploaded is never trusted.
 */
export const DEFAULT_TRUSTED_EVENTS: readonly string[] = ['push', 'schedule', 'workflow_dispatch']
const NEVER_TRUSTED_EVENTS: readonly string[] = ['pull_request', 'pull_request_target']

export interface RestRetryPolicy {
  /** Tries per REST request; 5xx, 429, resets and timeouts are retried. */
  attempts: number
  /** Wait before the second try; doubles after each failure. */
  retryDelayMs: number
  /** Per try, headers and body together. */
  timeoutMs: number
}

export const DEFAULT_REST_RETRY: RestRetryPolicy = { attempts: 3, retryDelayMs: 1000, timeoutMs: 30_000 }

export interface ArtifactStoreConfig {
  /** Needs `actions: read` to find and download baselines from other runs. */
  token: string
  /** `owner/name`. */
  repository: string
  /** REST API root, GITHUB_API_URL. */
  apiUrl: string
  /** Web root, GITHUB_SERVER_URL, for links to runs. */
  serverUrl: string
  /** This run (GITHUB_RUN_ID): its own artifacts are never its baseline. */
  currentRunId: string | null
  /** Baselines come from runs of this branch only: the default branch, or a PR's base branch. */
  trustedBranch: string
  trustedEvents?: readonly string[]
  rest?: Partial<RestRetryPolicy>
}

/** Two jobs of one workflow run tried to upload a baseline under the same name. */
export class BaselineNameConflict extends Error {
  override readonly name = 'BaselineNameConflict'
  readonly code = 'BASELINE_NAME_CONFLICT'
  constructor(
    readonly baselineName: string,
    options?: { cause?: unknown }
  ) {
    super(
      `Another job of this workflow run already uploaded a baseline artifact named "${baselineName}". ` +
        'Artifact names are unique within a run, so each matrix job needs a distinct baseline-artifact ' +
        '(for example `baseline-artifact: renacer-${{ matrix.os }}-${{ matrix.node }}`); ' +
        'otherwise the jobs would fight over one baseline.',
      options
    )
  }
}

/** The parts of a REST artifact this store reads. */
interface RestArtifact {
  id: number
  name: string
  expired: boolean
  digest?: string | null
  created_at: string | null
  expires_at: string | null
  workflow_run?: {
    id?: number
    repository_id?: number
    head_repository_id?: number
    head_branch?: string
    head_sha?: string
  } | null
}

interface RestRun {
  id: number
  event: string
  head_branch: string | null
  head_sha: string
  html_url?: string
}

interface RestReply {
  status: number
  headers: Headers
  text: string
}

const PAGE_SIZE = 100
const MAX_PAGES = 3

/**
 * Baselines as GitHub artifacts. Fetch finds the newest unexpired artifact of a name made by a trusted run (the
 * trusted branch, a trusted event, this repository) through the REST API and downloads it with the artifact
 * client; publish uploads with the artifact client (ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL from the runner).
 *
 * The artifact client's own REST calls go to GITHUB_API_URL as read when @actions/github was first loaded: on a
 * runner that is `apiUrl`; elsewhere set the variable before importing this module.
 */
export class ArtifactStore implements BaselineStore {
  readonly kind = 'artifact'
  private readonly owner: string
  private readonly repo: string
  private readonly apiUrl: string
  private readonly trustedEvents: readonly string[]
  private readonly retry: RestRetryPolicy
  private readonly client = new DefaultArtifactClient()

  constructor(private readonly config: ArtifactStoreConfig) {
    const [owner, repo, ...extra] = config.repository.split('/')
    if (owner === undefined || owner === '' || repo === undefined || repo === '' || extra.length > 0) {
      throw new Error(`The artifact store needs a repository as owner/name, got "${config.repository}"`)
    }
    this.owner = owner
    this.repo = repo
    try {
      this.apiUrl = new URL(config.apiUrl).href.replace(/\/+$/, '')
    } catch {
      throw new Error(`The artifact store needs an API URL, got "${config.apiUrl}"`)
    }
    if (config.trustedBranch === '') throw new Error('The artifact store needs a trusted branch, got ""')
    this.trustedEvents = config.trustedEvents ?? DEFAULT_TRUSTED_EVENTS
    const unsafe = this.trustedEvents.filter((event) => NEVER_TRUSTED_EVENTS.includes(event))
    if (unsafe.length > 0) {
      throw new Error(
        `Refusing to trust baselines from ${unsafe.join(', ')} runs: whoever opens a pull request controls them`
      )
    }
    this.retry = { ...DEFAULT_REST_RETRY, ...config.rest }
  }

  async fetch(name: string, destDir: string): Promise<FetchedBaseline> {
    validateBaselineName(name)
    const { trustedBranch } = this.config
    const runs = new Map<number, RestRun | null>()
    const skipped = { otherBranch: 0, untrusted: new Set<string>(), fork: 0 }
    let newestTrustedExpired: RestArtifact | null = null

    for (let page = 1; page <= MAX_PAGES; page++) {
      const artifacts = await this.listArtifactsByName(name, page)
      for (const artifact of newestFirst(artifacts)) {
        const origin = artifact.workflow_run
        if (artifact.name !== name || origin?.id === undefined) continue
        if (this.config.currentRunId !== null && String(origin.id) === this.config.currentRunId) continue
        if (origin.head_branch !== trustedBranch) {
          skipped.otherBranch++
          continue
        }
        if (
          origin.repository_id !== undefined &&
          origin.head_repository_id !== undefined &&
          origin.repository_id !== origin.head_repository_id
        ) {
          skipped.fork++
          continue
        }
        const expired = isExpired(artifact)
        // One trusted expired artifact is enough to explain an `expired` outcome; don't look up the rest.
        if (expired && newestTrustedExpired !== null) continue
        const run = await this.workflowRun(origin.id, runs)
        if (run === null) continue
        if (!this.trustedEvents.includes(run.event) || run.head_branch !== trustedBranch) {
          skipped.untrusted.add(run.event)
          continue
        }
        if (expired) {
          newestTrustedExpired = artifact
          continue
        }
        return await this.download(artifact, run, destDir)
      }
      if (artifacts.length < PAGE_SIZE) break
    }

    const events = this.trustedEvents.join(', ')
    const skippedNote = describeSkipped(skipped)
    if (newestTrustedExpired !== null) {
      throw new BaselineUnavailable(
        'expired',
        `The newest baseline artifact "${name}" from a trusted run of ${trustedBranch} expired` +
          `${newestTrustedExpired.expires_at === null ? '' : ` on ${newestTrustedExpired.expires_at}`}. ` +
          `The next trusted run of ${trustedBranch} (${events}) will upload a fresh one; ` +
          `a scheduled refresh keeps it from expiring.${skippedNote}`
      )
    }
    throw new BaselineUnavailable(
      'missing',
      `No baseline artifact "${name}" from a trusted run of ${trustedBranch} yet. ` +
        `A trusted run of ${trustedBranch} (${events}) will create it.${skippedNote}`
    )
  }

  async publish(name: string, files: string[], options: PublishOptions): Promise<PublishedBaseline> {
    validateBaselineName(name)
    if (files.length === 0) throw new Error(`Publishing baseline "${name}": no files given`)
    for (const file of files) {
      if (!isAbsolute(file))
        throw new Error(`Publishing baseline "${name}": "${file}" is not an absolute path`)
    }
    if (!Number.isInteger(options.retentionDays) || options.retentionDays < 1) {
      throw new Error(
        `retention-days must be a whole number of days, at least 1; got ${options.retentionDays}`
      )
    }
    let uploaded: { id?: number; size?: number }
    try {
      uploaded = await this.client.uploadArtifact(name, files, commonFolder(files), {
        retentionDays: options.retentionDays
      })
    } catch (err) {
      // The service answers 409 (Twirp already_exists); the client surfaces it only as text.
      if (/\(409\)|already exists/i.test(errorText(err))) throw new BaselineNameConflict(name, { cause: err })
      throw new Error(`Uploading baseline artifact "${name}" failed: ${errorText(err)}`, { cause: err })
    }
    if (uploaded.id === undefined)
      throw new Error(`Uploading baseline artifact "${name}": the service gave no id`)
    return { id: String(uploaded.id), name, size: uploaded.size ?? 0 }
  }

  private async download(artifact: RestArtifact, run: RestRun, destDir: string): Promise<FetchedBaseline> {
    // Extract beside destDir first, so a failed download never leaves half a baseline where one is expected.
    await mkdir(dirname(resolve(destDir)), { recursive: true })
    const staging = await mkdtemp(`${resolve(destDir)}.download-`)
    try {
      let digestMismatch: boolean | undefined
      try {
        ;({ digestMismatch } = await this.client.downloadArtifact(artifact.id, {
          path: staging,
          expectedHash: artifact.digest ?? undefined,
          findBy: {
            token: this.config.token,
            workflowRunId: run.id,
            repositoryOwner: this.owner,
            repositoryName: this.repo
          }
        }))
      } catch (err) {
        throw this.downloadFailure(artifact, err)
      }
      if (digestMismatch === true) {
        throw new BaselineUnavailable(
          'invalid',
          `Baseline artifact "${artifact.name}" (id ${artifact.id}) does not match its digest ${artifact.digest ?? ''}`
        )
      }
      await mkdir(destDir, { recursive: true })
      for (const entry of await readdir(staging)) await rename(join(staging, entry), join(destDir, entry))
    } finally {
      await rm(staging, { recursive: true, force: true })
    }
    const files = await listFiles(destDir)
    if (files.length === 0) {
      throw new BaselineUnavailable(
        'invalid',
        `Baseline artifact "${artifact.name}" (id ${artifact.id}) is empty`
      )
    }
    return {
      dir: destDir,
      files,
      sourceRunId: String(run.id),
      sourceUrl:
        typeof run.html_url === 'string' && run.html_url !== ''
          ? run.html_url
          : `${this.config.serverUrl.replace(/\/+$/, '')}/${this.owner}/${this.repo}/actions/runs/${run.id}`,
      sourceSha: artifact.workflow_run?.head_sha ?? run.head_sha ?? null
    }
  }

  private downloadFailure(artifact: RestArtifact, err: unknown): BaselineUnavailable {
    const status = errorStatus(err)
    const what = `Downloading baseline artifact "${artifact.name}" (id ${artifact.id})`
    if (status === 401 || status === 403) return this.forbidden(what, status, errorText(err))
    if (status === 404) return new BaselineUnavailable('missing', `${what}: it is gone (404)`)
    if (status === 410) return new BaselineUnavailable('expired', `${what}: it has expired (410)`)
    return new BaselineUnavailable('unreachable', `${what} failed: ${errorText(err)}`)
  }

  private async listArtifactsByName(name: string, page: number): Promise<RestArtifact[]> {
    const path = `/repos/${this.owner}/${this.repo}/actions/artifacts?${new URLSearchParams({
      name,
      per_page: String(PAGE_SIZE),
      page: String(page)
    }).toString()}`
    const what = `Listing baseline artifacts "${name}" of ${this.config.repository}`
    const reply = await this.get(path, what)
    if (reply.status === 404) {
      throw new BaselineUnavailable(
        'forbidden',
        `${what}: 404, the repository is not visible to this token. It needs \`actions: read\` on ${this.config.repository}.`
      )
    }
    this.expectOk(reply, what)
    const body = parseJson<{ artifacts?: RestArtifact[] }>(reply, what)
    if (!Array.isArray(body.artifacts))
      throw new BaselineUnavailable('unreachable', `${what}: no artifacts list`)
    return body.artifacts
  }

  /** The run behind an artifact, or null when it is gone (deleted runs leave artifacts nobody can vouch for). */
  private async workflowRun(id: number, cache: Map<number, RestRun | null>): Promise<RestRun | null> {
    const cached = cache.get(id)
    if (cached !== undefined) return cached
    const what = `Looking up workflow run ${id}`
    const reply = await this.get(`/repos/${this.owner}/${this.repo}/actions/runs/${id}`, what)
    let run: RestRun | null = null
    if (reply.status !== 404) {
      this.expectOk(reply, what)
      run = parseJson<RestRun>(reply, what)
      if (typeof run.event !== 'string')
        throw new BaselineUnavailable('unreachable', `${what}: no event in the answer`)
    }
    cache.set(id, run)
    return run
  }

  private expectOk(reply: RestReply, what: string): void {
    if (reply.status === 200) return
    if (reply.status === 401 || reply.status === 403) {
      if (reply.status === 403 && reply.headers.get('x-ratelimit-remaining') === '0') {
        throw new BaselineUnavailable('unreachable', `${what}: the API rate limit is exhausted (403)`)
      }
      throw this.forbidden(what, reply.status, restMessage(reply))
    }
    throw new BaselineUnavailable(
      'unreachable',
      `${what}: unexpected answer ${reply.status} ${restMessage(reply)}`
    )
  }

  private forbidden(what: string, status: number, detail: string): BaselineUnavailable {
    return new BaselineUnavailable(
      'forbidden',
      `${what}: the token was refused (${status}${detail === '' ? '' : `: ${detail}`}). ` +
        "Reading baselines from other runs needs the `actions: read` permission: add it to the job's " +
        '`permissions:` block (a block that lists any permission drops the ones it does not list).'
    )
  }

  /** GET with bounded retries on 5xx, 429, resets and timeouts; other answers come back as they are. */
  private async get(path: string, what: string): Promise<RestReply> {
    const url = `${this.apiUrl}${path}`
    let lastProblem = ''
    for (let attempt = 1; attempt <= this.retry.attempts; attempt++) {
      try {
        const response = await fetch(url, {
          headers: {
            Accept: 'application/vnd.github+json',
            Authorization: `Bearer ${this.config.token}`,
            'X-GitHub-Api-Version': '2022-11-28',
            'User-Agent': 'renacer-action'
          },
          redirect: 'follow',
          signal: AbortSignal.timeout(this.retry.timeoutMs)
        })
        const text = await response.text()
        if (response.status < 500 && response.status !== 429) {
          return { status: response.status, headers: response.headers, text }
        }
        lastProblem = `HTTP ${response.status}`
      } catch (err) {
        lastProblem = networkProblem(err, this.retry.timeoutMs)
      }
      if (attempt < this.retry.attempts) await sleep(this.retry.retryDelayMs * 2 ** (attempt - 1))
    }
    throw new BaselineUnavailable(
      'unreachable',
      `${what}: the GitHub API at ${this.apiUrl} did not answer usefully after ` +
        `${this.retry.attempts} ${this.retry.attempts === 1 ? 'try' : 'tries'} (last: ${lastProblem})`
    )
  }
}

function newestFirst(artifacts: RestArtifact[]): RestArtifact[] {
  const time = (a: RestArtifact): number => (a.created_at === null ? 0 : Date.parse(a.created_at) || 0)
  return [...artifacts].sort((a, b) => time(b) - time(a) || b.id - a.id)
}

function isExpired(artifact: RestArtifact): boolean {
  if (artifact.expired) return true
  return artifact.expires_at !== null && Date.parse(artifact.expires_at) <= Date.now()
}

function describeSkipped(skipped: { otherBranch: number; untrusted: Set<string>; fork: number }): string {
  const parts: string[] = []
  if (skipped.untrusted.size > 0) parts.push(`from untrusted events (${[...skipped.untrusted].join(', ')})`)
  if (skipped.fork > 0) parts.push(`${skipped.fork} from forks`)
  if (skipped.otherBranch > 0) parts.push(`${skipped.otherBranch} from other branches`)
  return parts.length === 0 ? '' : ` Ignored artifacts of that name: ${parts.join('; ')}.`
}

/** The deepest folder holding every file: the artifact's root, so paths inside it stay relative to it. */
function commonFolder(files: string[]): string {
  let common = dirname(resolve(files[0] as string))
  for (const file of files.slice(1)) {
    while (relative(common, resolve(file)).startsWith('..')) {
      const parent = dirname(common)
      if (parent === common) break
      common = parent
    }
  }
  return common
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort((a, b) => a.split(sep).join('/').localeCompare(b.split(sep).join('/')))
}

function parseJson<T>(reply: RestReply, what: string): T {
  try {
    return JSON.parse(reply.text) as T
  } catch {
    throw new BaselineUnavailable('unreachable', `${what}: the answer is not JSON`)
  }
}

function restMessage(reply: RestReply): string {
  try {
    const body = JSON.parse(reply.text) as { message?: unknown }
    return typeof body.message === 'string' ? body.message : ''
  } catch {
    return ''
  }
}

function networkProblem(err: unknown, timeoutMs: number): string {
  if (isErrorLike(err) && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`
  }
  // fetch rejects with "fetch failed"; the socket's reason (ECONNREFUSED, UND_ERR_SOCKET, ...) is the cause.
  const cause = isErrorLike(err)
    ? (err.cause as { code?: unknown; message?: unknown } | undefined)
    : undefined
  if (typeof cause?.code === 'string') return cause.code
  if (typeof cause?.message === 'string') return cause.message
  return errorText(err)
}

function errorStatus(err: unknown): number | null {
  if (typeof err === 'object' && err !== null && typeof (err as { status?: unknown }).status === 'number') {
    return (err as { status: number }).status
  }
  return null
}

/** Duck-typed: errors from another realm (Node's own fetch, a vm context) fail `instanceof Error`. */
function isErrorLike(err: unknown): err is { name: string; message: string; cause?: unknown } {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as { name?: unknown }).name === 'string' &&
    typeof (err as { message?: unknown }).message === 'string'
  )
}

function errorText(err: unknown): string {
  return isErrorLike(err) ? err.message : String(err)
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms))
}
