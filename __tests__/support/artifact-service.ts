/**
 * A local, protocol-faithful stand-in for GitHub's artifact backend, for the real @actions/artifact client:
 *
 * - Twirp JSON `github.actions.results.api.v1.ArtifactService` (what ACTIONS_RESULTS_URL points at): snake_case
 *   fields, int64 as strings, RFC 3339 timestamps, Twirp error bodies `{"code","msg"}` with Twirp's HTTP codes.
 * - The Azure blob side behind the signed URLs: Put Block / Put Block List (what BlockBlobClient.uploadStream
 *   sends, in 8 MB blocks), a single Put Blob, and Get Blob.
 * - The REST endpoints (what GITHUB_API_URL points at): artifacts by name across runs, artifacts of a run, one
 *   artifact, its zip (302 to a signed blob URL, 410 once expired), one run (with `event` and `head_branch`).
 *
 * It listens on 127.0.0.1 at a random port and keeps everything in memory. Tests create runs, mint runtime tokens
 * for their jobs, upload and download with the real client, age or expire artifacts, and switch failure modes.
 */
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export type TrustEvent =
  | 'push'
  | 'schedule'
  | 'workflow_dispatch'
  | 'pull_request'
  | 'pull_request_target'
  | 'workflow_run'
  | 'merge_group'

export interface ServiceRun {
  id: number
  backendId: string
  event: TrustEvent
  headBranch: string
  headSha: string
  /** Differs from the service's repository id for runs on a fork's pull request. */
  headRepositoryId: number
  createdAt: Date
}

export interface ServiceArtifact {
  id: number
  name: string
  runId: number
  runBackendId: string
  jobBackendId: string
  mimeType: string
  /** What FinalizeArtifact reported, and what was actually committed to the blob. */
  reportedSize: number
  digest: string | null
  createdAt: Date
  expiresAt: Date
  /** Overrides the clock: GitHub flips `expired` asynchronously, so tests may set it either way. */
  expiredOverride: boolean | null
  finalized: boolean
  blobPath: string
}

/** The three faces of the service, each of which can be told to fail on its own. */
export type Surface = 'twirp' | 'blob' | 'rest'

export type FailureMode =
  | { kind: 'status'; status: 403 | 404 | 429 | 500 | 502 | 503 }
  /** Destroys the connection as soon as the request arrives: the client sees a reset / socket hang up. */
  | { kind: 'drop' }
  /** Reads the request and never answers: the client must time out on its own. */
  | { kind: 'stall' }

export interface LoggedRequest {
  surface: Surface | 'unknown'
  method: string
  /** The path without the query (signatures stay out of the log). */
  path: string
  /** The blob operation (`block`, `blocklist`), when there is one. */
  comp: string | null
  status: number | null
}

export interface StartOptions {
  owner?: string
  repo?: string
  /** The token REST calls must present (`Authorization: token|Bearer ...`). */
  restToken?: string
}

const TWIRP_PREFIX = '/twirp/github.actions.results.api.v1.ArtifactService/'
const REST_PREFIX = '/api'
const BLOB_PREFIX = '/blob/actions-results/'
const SERVER_URL = 'http://renacer.localhost'
const DAY_MS = 24 * 60 * 60 * 1000

const TWIRP_STATUS: Record<string, number> = {
  invalid_argument: 400,
  malformed: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  bad_route: 404,
  already_exists: 409,
  failed_precondition: 412,
  resource_exhausted: 429,
  internal: 500,
  unavailable: 503
}

const TWIRP_CODE_FOR_STATUS: Record<number, string> = {
  403: 'permission_denied',
  404: 'not_found',
  429: 'resource_exhausted',
  500: 'internal',
  502: 'unavailable',
  503: 'unavailable'
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message)
  }
}

interface PendingBlob {
  blocks: Map<string, Buffer>
}

interface CommittedBlob {
  data: Buffer
  contentType: string
  etag: string
  lastModified: Date
}

export class LocalArtifactService {
  readonly owner: string
  readonly repo: string
  readonly repositoryId = 424242
  readonly restToken: string
  /** Every request, in arrival order. */
  readonly requests: LoggedRequest[] = []
  /** The service's clock: created_at, expires_at and `expired` follow it. */
  now: () => Date = () => new Date()

  private readonly runs = new Map<number, ServiceRun>()
  private readonly runsByBackendId = new Map<string, ServiceRun>()
  private readonly artifactsById = new Map<number, ServiceArtifact>()
  private readonly pendingBlobs = new Map<string, PendingBlob>()
  private readonly committedBlobs = new Map<string, CommittedBlob>()
  private readonly failures = new Map<
    Surface,
    { mode: FailureMode; remaining: number; pathIncludes: string }
  >()
  private readonly sockets = new Set<Socket>()
  private readonly signingKey = randomBytes(32)
  private nextRunId = 7001
  private nextArtifactId = 900001
  private port = 0

  private constructor(
    private readonly server: Server,
    options: StartOptions
  ) {
    this.owner = options.owner ?? 'octo-org'
    this.repo = options.repo ?? 'octo-build'
    this.restToken = options.restToken ?? `ghs_${randomBytes(12).toString('hex')}`
  }

  static async start(options: StartOptions = {}): Promise<LocalArtifactService> {
    const server = createServer()
    const service = new LocalArtifactService(server, options)
    server.on('connection', (socket) => {
      service.sockets.add(socket)
      socket.on('close', () => service.sockets.delete(socket))
    })
    server.on('request', (req, res) => service.handle(req, res))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => resolve())
    })
    service.port = (server.address() as AddressInfo).port
    return service
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`
  }
  get apiUrl(): string {
    return `${this.origin}${REST_PREFIX}`
  }
  get resultsUrl(): string {
    return `${this.origin}/`
  }
  get serverUrl(): string {
    return SERVER_URL
  }
  get repository(): string {
    return `${this.owner}/${this.repo}`
  }

  /** Stops listening and cuts every open connection, stalled ones included. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  // ---- the model, for tests ----

  createRun(init: {
    event: TrustEvent
    headBranch: string
    headSha?: string
    fromFork?: boolean
    createdAt?: Date
  }): ServiceRun {
    const run: ServiceRun = {
      id: this.nextRunId++,
      backendId: randomUUID(),
      event: init.event,
      headBranch: init.headBranch,
      headSha: init.headSha ?? createHash('sha1').update(randomBytes(8)).digest('hex'),
      headRepositoryId: init.fromFork === true ? this.repositoryId + 1 : this.repositoryId,
      createdAt: init.createdAt ?? this.now()
    }
    this.runs.set(run.id, run)
    this.runsByBackendId.set(run.backendId, run)
    return run
  }

  /**
   * An ACTIONS_RUNTIME_TOKEN for one job of `run`: a JWT whose `scp` claim carries
   * `Actions.Results:<runBackendId>:<jobBackendId>`. The client only decodes it; this service checks it.
   */
  runtimeToken(run: ServiceRun, jobBackendId: string = randomUUID()): string {
    const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
    const issued = Math.floor(this.now().getTime() / 1000)
    const payload = base64url(
      JSON.stringify({
        scp: `Actions.GenericRead:00000000-0000-0000-0000-000000000000 Actions.UploadArtifacts:${run.backendId}:${jobBackendId} Actions.Results:${run.backendId}:${jobBackendId}`,
        iat: issued,
        exp: issued + 6 * 60 * 60,
        iss: 'vstoken.actions.githubusercontent.localhost'
      })
    )
    const signature = base64url(createHmac('sha256', this.signingKey).update(`${header}.${payload}`).digest())
    return `${header}.${payload}.${signature}`
  }

  /** The environment a job of `run` sees on a runner, pointed at this service. */
  jobEnv(run: ServiceRun, jobBackendId?: string): Record<string, string> {
    return {
      ACTIONS_RUNTIME_TOKEN: this.runtimeToken(run, jobBackendId),
      ACTIONS_RESULTS_URL: this.resultsUrl,
      GITHUB_API_URL: this.apiUrl,
      GITHUB_SERVER_URL: this.serverUrl,
      GITHUB_REPOSITORY: this.repository,
      GITHUB_RUN_ID: String(run.id),
      GITHUB_EVENT_NAME: run.event,
      GITHUB_REF_NAME: run.headBranch,
      GITHUB_SHA: run.headSha
    }
  }

  artifacts(): ServiceArtifact[] {
    return [...this.artifactsById.values()].map((a) => ({ ...a }))
  }

  artifact(id: number): ServiceArtifact {
    const artifact = this.artifactsById.get(id)
    if (artifact === undefined) throw new Error(`no artifact ${id}`)
    return artifact
  }

  /** Age, date or expire an artifact the way time and GitHub's retention job would (or corrupt its digest). */
  updateArtifact(
    id: number,
    patch: Partial<Pick<ServiceArtifact, 'createdAt' | 'expiresAt' | 'expiredOverride' | 'digest'>>
  ) {
    Object.assign(this.artifact(id), patch)
  }

  /** The bytes committed for an artifact (the zip the client built). */
  uploadedBytes(id: number): Buffer {
    const blob = this.committedBlobs.get(this.artifact(id).blobPath)
    if (blob === undefined) throw new Error(`artifact ${id} has no committed blob`)
    return blob.data
  }

  /**
   * Makes `surface` fail with `mode` for the next `times` requests (all of them by default), or only those whose
   * path contains `pathIncludes`.
   */
  fail(surface: Surface, mode: FailureMode, options: { times?: number; pathIncludes?: string } = {}): void {
    this.failures.set(surface, {
      mode,
      remaining: options.times ?? Number.POSITIVE_INFINITY,
      pathIncludes: options.pathIncludes ?? ''
    })
  }

  heal(): void {
    this.failures.clear()
  }

  count(surface: Surface, pathIncludes = ''): number {
    return this.requests.filter((r) => r.surface === surface && r.path.includes(pathIncludes)).length
  }

  // ---- HTTP ----

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.origin)
    const surface: Surface | 'unknown' = url.pathname.startsWith('/twirp/')
      ? 'twirp'
      : url.pathname.startsWith('/blob/')
        ? 'blob'
        : url.pathname.startsWith(`${REST_PREFIX}/`)
          ? 'rest'
          : 'unknown'
    const entry: LoggedRequest = {
      surface,
      method: req.method ?? 'GET',
      path: url.pathname,
      comp: url.searchParams.get('comp'),
      status: null
    }
    this.requests.push(entry)
    res.on('finish', () => (entry.status = res.statusCode))

    const failure = surface === 'unknown' ? undefined : this.failures.get(surface)
    if (failure !== undefined && failure.remaining > 0 && url.pathname.includes(failure.pathIncludes)) {
      failure.remaining -= 1
      this.injectFailure(surface as Surface, failure.mode, req, res)
      return
    }

    readBody(req)
      .then((body) => {
        switch (surface) {
          case 'twirp':
            return this.twirp(req, url, body, res)
          case 'blob':
            return this.blob(req, url, body, res)
          case 'rest':
            return this.rest(req, url, res)
          case 'unknown':
            throw new HttpError(404, 'not_found', `no route for ${req.method} ${url.pathname}`)
        }
      })
      .catch((err: unknown) => this.sendError(surface, res, err))
  }

  private injectFailure(
    surface: Surface,
    mode: FailureMode,
    req: IncomingMessage,
    res: ServerResponse
  ): void {
    switch (mode.kind) {
      case 'drop':
        req.socket.destroy()
        return
      case 'stall':
        req.resume()
        return
      case 'status':
        req.resume()
        this.sendError(
          surface,
          res,
          new HttpError(
            mode.status,
            TWIRP_CODE_FOR_STATUS[mode.status] ?? 'internal',
            mode.status === 403 ? 'Resource not accessible by integration' : `injected failure ${mode.status}`
          )
        )
        return
    }
  }

  private sendError(surface: Surface | 'unknown', res: ServerResponse, err: unknown): void {
    const httpError =
      err instanceof HttpError
        ? err
        : new HttpError(500, 'internal', err instanceof Error ? err.message : String(err))
    if (res.headersSent) {
      res.destroy()
      return
    }
    switch (surface) {
      case 'twirp':
        // Twirp: the HTTP status follows the error code; the body is always JSON.
        sendJson(res, TWIRP_STATUS[httpError.code] ?? httpError.status, {
          code: httpError.code,
          msg: httpError.message
        })
        return
      case 'blob': {
        const code = httpError.status === 403 ? 'AuthenticationFailed' : httpError.code
        res.writeHead(httpError.status, {
          'Content-Type': 'application/xml',
          'x-ms-error-code': code,
          'x-ms-request-id': randomUUID(),
          'x-ms-version': '2024-11-04'
        })
        res.end(
          `\uFEFF<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${escapeXml(httpError.message)}</Message></Error>`
        )
        return
      }
      case 'rest':
      case 'unknown':
        sendJson(
          res,
          httpError.status,
          {
            message: httpError.message,
            documentation_url: 'https://docs.github.localhost/rest',
            status: String(httpError.status)
          },
          { 'x-github-request-id': randomUUID() }
        )
        return
    }
  }

  // ---- Twirp ArtifactService ----

  private twirp(req: IncomingMessage, url: URL, body: Buffer, res: ServerResponse): void {
    if (req.method !== 'POST') throw new HttpError(404, 'bad_route', `unsupported method ${req.method}`)
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim()
    if (contentType !== 'application/json') {
      throw new HttpError(404, 'bad_route', `unexpected Content-Type: ${contentType ?? ''}`)
    }
    const scope = this.authenticateRuntimeToken(req.headers.authorization)
    let message: Record<string, unknown>
    try {
      message = JSON.parse(body.toString('utf8')) as Record<string, unknown>
    } catch {
      throw new HttpError(400, 'malformed', 'the request body is not JSON')
    }
    const method = url.pathname.slice(TWIRP_PREFIX.length)
    if (!url.pathname.startsWith(TWIRP_PREFIX))
      throw new HttpError(404, 'bad_route', `no service at ${url.pathname}`)
    const runBackendId = stringField(message, 'workflow_run_backend_id')
    const jobBackendId = stringField(message, 'workflow_job_run_backend_id')
    if (runBackendId !== scope.runBackendId || (jobBackendId !== '' && jobBackendId !== scope.jobBackendId)) {
      throw new HttpError(403, 'permission_denied', 'the token does not grant access to this workflow run')
    }
    const run = this.runsByBackendId.get(runBackendId)
    if (run === undefined) throw new HttpError(404, 'not_found', 'workflow run not found')

    switch (method) {
      case 'CreateArtifact':
        return sendJson(res, 200, this.createArtifact(run, jobBackendId, message))
      case 'FinalizeArtifact':
        return sendJson(res, 200, this.finalizeArtifact(run, jobBackendId, message))
      case 'ListArtifacts':
        return sendJson(res, 200, this.listRunArtifacts(run, message))
      case 'GetSignedArtifactURL':
        return sendJson(res, 200, this.signedArtifactUrl(run, message))
      case 'DeleteArtifact':
        return sendJson(res, 200, this.deleteArtifact(run, message))
      default:
        throw new HttpError(404, 'bad_route', `no method ${method}`)
    }
  }

  private createArtifact(run: ServiceRun, jobBackendId: string, message: Record<string, unknown>): object {
    const name = stringField(message, 'name')
    if (name === '') throw new HttpError(400, 'invalid_argument', 'name is required')
    const version = message['version']
    if (version !== 4 && version !== 7)
      throw new HttpError(400, 'invalid_argument', `unsupported version ${String(version)}`)
    // Names are unique per workflow run, across its jobs: the conflict two matrix jobs hit.
    for (const existing of this.artifactsById.values()) {
      if (existing.runBackendId === run.backendId && existing.name === name) {
        throw new HttpError(
          409,
          'already_exists',
          'an artifact with this name already exists on the workflow run'
        )
      }
    }
    const now = this.now()
    const expiresAtField = message['expires_at']
    const expiresAt =
      typeof expiresAtField === 'string' ? new Date(expiresAtField) : new Date(now.getTime() + 90 * DAY_MS)
    if (Number.isNaN(expiresAt.getTime()))
      throw new HttpError(400, 'invalid_argument', 'expires_at is not a timestamp')
    const mimeType = typeof message['mime_type'] === 'string' ? message['mime_type'] : 'application/zip'
    const id = this.nextArtifactId++
    const extension = mimeType === 'application/zip' ? '.zip' : ''
    const blobPath = `${run.backendId}/${jobBackendId}/artifacts/${createHash('sha256').update(`${id}`).digest('hex')}${extension}`
    this.artifactsById.set(id, {
      id,
      name,
      runId: run.id,
      runBackendId: run.backendId,
      jobBackendId,
      mimeType,
      reportedSize: 0,
      digest: null,
      createdAt: now,
      expiresAt,
      expiredOverride: null,
      finalized: false,
      blobPath
    })
    return { ok: true, signed_upload_url: this.signBlobUrl(blobPath, 'cw') }
  }

  private finalizeArtifact(run: ServiceRun, jobBackendId: string, message: Record<string, unknown>): object {
    const name = stringField(message, 'name')
    const artifact = [...this.artifactsById.values()].find(
      (a) => a.runBackendId === run.backendId && a.jobBackendId === jobBackendId && a.name === name
    )
    if (artifact === undefined) throw new HttpError(404, 'not_found', `artifact ${name} not found`)
    if (artifact.finalized)
      throw new HttpError(412, 'failed_precondition', `artifact ${name} is already finalized`)
    if (!this.committedBlobs.has(artifact.blobPath)) {
      throw new HttpError(412, 'failed_precondition', `no content was uploaded for artifact ${name}`)
    }
    const size = message['size']
    if (typeof size !== 'string' || !/^\d+$/.test(size)) {
      throw new HttpError(400, 'invalid_argument', 'size must be an int64 encoded as a string')
    }
    artifact.reportedSize = Number(size)
    artifact.digest = typeof message['hash'] === 'string' ? message['hash'] : null
    artifact.finalized = true
    artifact.createdAt = this.now()
    return { ok: true, artifact_id: String(artifact.id) }
  }

  private listRunArtifacts(run: ServiceRun, message: Record<string, unknown>): object {
    const nameFilter = message['name_filter']
    const idFilter = message['id_filter']
    const artifacts = [...this.artifactsById.values()].filter(
      (a) =>
        a.runBackendId === run.backendId &&
        a.finalized &&
        !this.isExpired(a) &&
        (typeof nameFilter !== 'string' || a.name === nameFilter) &&
        (typeof idFilter !== 'string' || String(a.id) === idFilter)
    )
    return {
      artifacts: artifacts.map((a) => ({
        workflow_run_backend_id: a.runBackendId,
        workflow_job_run_backend_id: a.jobBackendId,
        database_id: String(a.id),
        name: a.name,
        size: String(this.committedBlobs.get(a.blobPath)?.data.length ?? 0),
        created_at: a.createdAt.toISOString(),
        ...(a.digest === null ? {} : { digest: a.digest })
      }))
    }
  }

  private signedArtifactUrl(run: ServiceRun, message: Record<string, unknown>): object {
    const name = stringField(message, 'name')
    const artifact = [...this.artifactsById.values()].find(
      (a) => a.runBackendId === run.backendId && a.name === name && a.finalized && !this.isExpired(a)
    )
    if (artifact === undefined) throw new HttpError(404, 'not_found', `artifact ${name} not found`)
    return { signed_url: this.signBlobUrl(artifact.blobPath, 'r') }
  }

  private deleteArtifact(run: ServiceRun, message: Record<string, unknown>): object {
    const name = stringField(message, 'name')
    const artifact = [...this.artifactsById.values()].find(
      (a) => a.runBackendId === run.backendId && a.name === name
    )
    if (artifact === undefined) throw new HttpError(404, 'not_found', `artifact ${name} not found`)
    this.artifactsById.delete(artifact.id)
    this.committedBlobs.delete(artifact.blobPath)
    return { ok: true, artifact_id: String(artifact.id) }
  }

  private authenticateRuntimeToken(authorization: string | undefined): {
    runBackendId: string
    jobBackendId: string
  } {
    const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1]
    if (token === undefined) throw new HttpError(401, 'unauthenticated', 'missing bearer token')
    const [header, payload, signature] = token.split('.')
    if (header === undefined || payload === undefined || signature === undefined) {
      throw new HttpError(401, 'unauthenticated', 'the token is not a JWT')
    }
    const expected = base64url(createHmac('sha256', this.signingKey).update(`${header}.${payload}`).digest())
    if (signature !== expected) throw new HttpError(401, 'unauthenticated', 'the token signature is invalid')
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { scp?: string }
    for (const scope of (claims.scp ?? '').split(' ')) {
      const [kind, runBackendId, jobBackendId] = scope.split(':')
      if (kind === 'Actions.Results' && runBackendId !== undefined && jobBackendId !== undefined) {
        return { runBackendId, jobBackendId }
      }
    }
    throw new HttpError(403, 'permission_denied', 'the token has no Actions.Results scope')
  }

  // ---- Azure blob ----

  private signBlobUrl(blobPath: string, permissions: string): string {
    const expiry = new Date(this.now().getTime() + 60 * 60 * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
    const params = new URLSearchParams({ sv: '2024-11-04', sr: 'b', sp: permissions, se: expiry })
    params.set('sig', this.blobSignature(blobPath, permissions, expiry))
    return `${this.origin}${BLOB_PREFIX}${blobPath}?${params.toString()}`
  }

  private blobSignature(blobPath: string, permissions: string, expiry: string): string {
    return createHmac('sha256', this.signingKey)
      .update(`${blobPath}\n${permissions}\n${expiry}`)
      .digest('base64')
  }

  private authorizeBlob(url: URL, blobPath: string, needed: 'r' | 'w'): void {
    const permissions = url.searchParams.get('sp') ?? ''
    const expiry = url.searchParams.get('se') ?? ''
    const sig = url.searchParams.get('sig') ?? ''
    const valid = sig === this.blobSignature(blobPath, permissions, expiry)
    if (!valid || !permissions.includes(needed) || new Date(expiry).getTime() < this.now().getTime()) {
      throw new HttpError(
        403,
        'AuthenticationFailed',
        'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.'
      )
    }
  }

  private blob(req: IncomingMessage, url: URL, body: Buffer, res: ServerResponse): void {
    if (!url.pathname.startsWith(BLOB_PREFIX))
      throw new HttpError(404, 'ContainerNotFound', 'no such container')
    const blobPath = decodeURIComponent(url.pathname.slice(BLOB_PREFIX.length))
    const common = {
      'x-ms-request-id': randomUUID(),
      'x-ms-version': req.headers['x-ms-version'] ?? '2024-11-04',
      Date: new Date().toUTCString()
    }
    if (req.method === 'GET') {
      this.authorizeBlob(url, blobPath, 'r')
      const blob = this.committedBlobs.get(blobPath)
      if (blob === undefined) throw new HttpError(404, 'BlobNotFound', 'The specified blob does not exist.')
      res.writeHead(200, {
        ...common,
        'Content-Type': blob.contentType,
        'Content-Length': String(blob.data.length),
        ETag: blob.etag,
        'Last-Modified': blob.lastModified.toUTCString(),
        'x-ms-blob-type': 'BlockBlob',
        'Accept-Ranges': 'bytes'
      })
      res.end(blob.data)
      return
    }
    if (req.method !== 'PUT')
      throw new HttpError(405, 'UnsupportedHttpVerb', `unsupported verb ${req.method}`)
    this.authorizeBlob(url, blobPath, 'w')
    const comp = url.searchParams.get('comp')
    if (comp === 'block') {
      const blockId = url.searchParams.get('blockid')
      if (blockId === null || blockId === '')
        throw new HttpError(400, 'InvalidQueryParameterValue', 'blockid is required')
      const declared = Number(req.headers['content-length'])
      if (Number.isFinite(declared) && declared !== body.length) {
        throw new HttpError(400, 'InvalidHeaderValue', 'Content-Length does not match the body')
      }
      const pending = this.pendingBlobs.get(blobPath) ?? { blocks: new Map<string, Buffer>() }
      pending.blocks.set(blockId, body)
      this.pendingBlobs.set(blobPath, pending)
      res.writeHead(201, {
        ...common,
        'Content-MD5': createHash('md5').update(body).digest('base64'),
        'x-ms-request-server-encrypted': 'true',
        'Content-Length': '0'
      })
      res.end()
      return
    }
    if (comp === 'blocklist') {
      const ids = [...body.toString('utf8').matchAll(/<(Latest|Uncommitted|Committed)>([^<]*)<\/\1>/g)].map(
        (m) => m[2] ?? ''
      )
      const pending = this.pendingBlobs.get(blobPath)
      const parts: Buffer[] = []
      for (const id of ids) {
        const block = pending?.blocks.get(id)
        if (block === undefined)
          throw new HttpError(400, 'InvalidBlockList', 'The specified block list is invalid.')
        parts.push(block)
      }
      this.pendingBlobs.delete(blobPath)
      this.commitBlob(blobPath, Buffer.concat(parts), req, res, common)
      return
    }
    if (comp !== null) throw new HttpError(400, 'InvalidQueryParameterValue', `unsupported comp=${comp}`)
    if (req.headers['x-ms-blob-type'] !== 'BlockBlob') {
      throw new HttpError(400, 'MissingRequiredHeader', 'x-ms-blob-type: BlockBlob is required')
    }
    this.commitBlob(blobPath, body, req, res, common)
  }

  private commitBlob(
    blobPath: string,
    data: Buffer,
    req: IncomingMessage,
    res: ServerResponse,
    common: Record<string, string | string[]>
  ): void {
    const contentTypeHeader = req.headers['x-ms-blob-content-type']
    const blob: CommittedBlob = {
      data,
      contentType: typeof contentTypeHeader === 'string' ? contentTypeHeader : 'application/octet-stream',
      etag: `"0x${randomBytes(8).toString('hex').toUpperCase()}"`,
      lastModified: new Date()
    }
    this.committedBlobs.set(blobPath, blob)
    res.writeHead(201, {
      ...common,
      ETag: blob.etag,
      'Last-Modified': blob.lastModified.toUTCString(),
      'x-ms-request-server-encrypted': 'true',
      'Content-Length': '0'
    })
    res.end()
  }

  // ---- REST ----

  private rest(req: IncomingMessage, url: URL, res: ServerResponse): void {
    const token = /^(?:token|Bearer) (.+)$/i.exec(req.headers.authorization ?? '')?.[1]
    if (token !== this.restToken) throw new HttpError(401, 'unauthenticated', 'Bad credentials')
    if (req.method !== 'GET') throw new HttpError(404, 'not_found', 'Not Found')
    const path = url.pathname.slice(REST_PREFIX.length)
    const repoPrefix = `/repos/${this.owner}/${this.repo}/actions`
    if (!path.startsWith(`${repoPrefix}/`)) throw new HttpError(404, 'not_found', 'Not Found')
    const rest = path.slice(repoPrefix.length)
    let match: RegExpExecArray | null
    if (rest === '/artifacts') {
      return this.sendArtifactPage(url, res, () => true)
    }
    if ((match = /^\/runs\/(\d+)\/artifacts$/.exec(rest)) !== null) {
      const run = this.runs.get(Number(match[1]))
      if (run === undefined) throw new HttpError(404, 'not_found', 'Not Found')
      return this.sendArtifactPage(url, res, (a) => a.runId === run.id)
    }
    if ((match = /^\/runs\/(\d+)$/.exec(rest)) !== null) {
      const run = this.runs.get(Number(match[1]))
      if (run === undefined) throw new HttpError(404, 'not_found', 'Not Found')
      return sendJson(res, 200, this.runJson(run))
    }
    if ((match = /^\/artifacts\/(\d+)$/.exec(rest)) !== null) {
      const artifact = this.artifactsById.get(Number(match[1]))
      if (artifact === undefined || !artifact.finalized) throw new HttpError(404, 'not_found', 'Not Found')
      return sendJson(res, 200, this.artifactJson(artifact))
    }
    if ((match = /^\/artifacts\/(\d+)\/(zip)$/.exec(rest)) !== null) {
      const artifact = this.artifactsById.get(Number(match[1]))
      if (artifact === undefined || !artifact.finalized) throw new HttpError(404, 'not_found', 'Not Found')
      if (this.isExpired(artifact)) throw new HttpError(410, 'gone', 'Artifact has expired')
      res.writeHead(302, {
        Location: this.signBlobUrl(artifact.blobPath, 'r'),
        'Content-Length': '0',
        'x-github-request-id': randomUUID()
      })
      res.end()
      return
    }
    throw new HttpError(404, 'not_found', 'Not Found')
  }

  private sendArtifactPage(url: URL, res: ServerResponse, keep: (a: ServiceArtifact) => boolean): void {
    const name = url.searchParams.get('name')
    const perPage = Math.min(Math.max(Number(url.searchParams.get('per_page') ?? 30) || 30, 1), 100)
    const page = Math.max(Number(url.searchParams.get('page') ?? 1) || 1, 1)
    // Newest first, the order GitHub lists them in.
    const all = [...this.artifactsById.values()]
      .filter((a) => a.finalized && keep(a) && (name === null || a.name === name))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id)
    const slice = all.slice((page - 1) * perPage, page * perPage)
    const headers: Record<string, string> = { 'x-github-request-id': randomUUID() }
    if (page * perPage < all.length) {
      const next = new URL(url.href)
      next.searchParams.set('page', String(page + 1))
      headers['Link'] = `<${next.href}>; rel="next"`
    }
    sendJson(
      res,
      200,
      { total_count: all.length, artifacts: slice.map((a) => this.artifactJson(a)) },
      headers
    )
  }

  private artifactJson(a: ServiceArtifact): object {
    const run = this.runs.get(a.runId)
    const base = `${this.apiUrl}/repos/${this.owner}/${this.repo}/actions/artifacts/${a.id}`
    return {
      id: a.id,
      node_id: Buffer.from(`Artifact${a.id}`).toString('base64'),
      name: a.name,
      size_in_bytes: this.committedBlobs.get(a.blobPath)?.data.length ?? a.reportedSize,
      url: base,
      archive_download_url: `${base}/zip`,
      expired: this.isExpired(a),
      digest: a.digest,
      created_at: githubTime(a.createdAt),
      updated_at: githubTime(a.createdAt),
      expires_at: githubTime(a.expiresAt),
      workflow_run:
        run === undefined
          ? null
          : {
              id: run.id,
              repository_id: this.repositoryId,
              head_repository_id: run.headRepositoryId,
              head_branch: run.headBranch,
              head_sha: run.headSha
            }
    }
  }

  private runJson(run: ServiceRun): object {
    return {
      id: run.id,
      name: 'build',
      node_id: Buffer.from(`WorkflowRun${run.id}`).toString('base64'),
      head_branch: run.headBranch,
      head_sha: run.headSha,
      path: '.github/workflows/build.yml',
      run_number: run.id - 7000,
      run_attempt: 1,
      event: run.event,
      status: 'completed',
      conclusion: 'success',
      workflow_id: 161335,
      url: `${this.apiUrl}/repos/${this.owner}/${this.repo}/actions/runs/${run.id}`,
      html_url: `${this.serverUrl}/${this.owner}/${this.repo}/actions/runs/${run.id}`,
      created_at: githubTime(run.createdAt),
      updated_at: githubTime(run.createdAt),
      repository: { id: this.repositoryId, full_name: this.repository },
      head_repository: {
        id: run.headRepositoryId,
        full_name: run.headRepositoryId === this.repositoryId ? this.repository : `fork-owner/${this.repo}`
      }
    }
  }

  private isExpired(a: ServiceArtifact): boolean {
    return a.expiredOverride ?? a.expiresAt.getTime() <= this.now().getTime()
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers
  })
  res.end(text)
}

function stringField(message: Record<string, unknown>, field: string): string {
  const value = message[field]
  return typeof value === 'string' ? value : ''
}

/** GitHub's REST timestamps: ISO 8601 to the second, in UTC. */
function githubTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url')
}

function escapeXml(text: string): string {
  return text.replace(/[<>&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&amp;'))
}
