/**
 * ArtifactStore with the real @actions/artifact client against the local artifact service: Twirp upload, Azure
 * blocks, REST listing across runs, 302 to the blob, zip extraction. Nothing leaves loopback.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { LocalArtifactService, type ServiceRun } from '../support/artifact-service.js'
import { installLoopbackGuard, type LoopbackGuard } from '../support/loopback-only.js'
import { useRunnerEnv, type RunnerEnv } from '../support/runner-env.js'
import { BaselineUnavailable } from '../../src/stores/types.js'
import type * as ArtifactModule from '../../src/stores/artifact.js'

let service: LocalArtifactService
let guard: LoopbackGuard
let env: RunnerEnv
let work: string
let artifactModule: typeof ArtifactModule

const FAST = { attempts: 2, retryDelayMs: 20, timeoutMs: 1000 }

beforeAll(async () => {
  guard = installLoopbackGuard()
  env = useRunnerEnv()
  service = await LocalArtifactService.start()
  // @actions/github reads GITHUB_API_URL when it loads: point it at the service before the store imports it.
  const bootstrap = service.createRun({ event: 'push', headBranch: 'main' })
  env.set(service.jobEnv(bootstrap))
  artifactModule = await import('../../src/stores/artifact.js')
  work = await mkdtemp(join(tmpdir(), 'renacer-artifact-store-'))
})

afterAll(async () => {
  await service.close()
  env.restore()
  guard.uninstall()
  await rm(work, { recursive: true, force: true })
  expect(guard.blocked).toEqual([])
})

afterEach(() => service.heal())

let counter = 0
async function scratch(label: string): Promise<string> {
  return mkdtemp(join(work, `${label}-${counter++}-`))
}

/** A store as the action builds it for a job of `run`, which also becomes the job the artifact client acts for. */
function storeFor(
  run: ServiceRun,
  overrides: Partial<ArtifactModule.ArtifactStoreConfig> = {},
  jobBackendId?: string
): ArtifactModule.ArtifactStore {
  env.set(service.jobEnv(run, jobBackendId))
  return new artifactModule.ArtifactStore({
    token: service.restToken,
    repository: service.repository,
    apiUrl: service.apiUrl,
    serverUrl: service.serverUrl,
    currentRunId: String(run.id),
    trustedBranch: 'main',
    rest: FAST,
    ...overrides
  })
}

async function writeBaselineFiles(contents: Record<string, string | Buffer>): Promise<string[]> {
  const dir = await scratch('publish')
  const files: string[] = []
  for (const [name, data] of Object.entries(contents)) {
    await writeFile(join(dir, name), data)
    files.push(join(dir, name))
  }
  return files
}

/** Uploads `contents` as baseline `name` from `run`, the way that run's job would. */
async function uploadFrom(
  run: ServiceRun,
  name: string,
  contents: Record<string, string | Buffer>,
  jobBackendId?: string
): Promise<number> {
  const files = await writeBaselineFiles(contents)
  const published = await storeFor(run, {}, jobBackendId).publish(name, files, { retentionDays: 30 })
  return Number(published.id)
}

/** Makes artifact `id` look `minutesAgo` old, so "newest" does not depend on the test's timing. */
function age(id: number, minutesAgo: number): void {
  service.updateArtifact(id, { createdAt: new Date(Date.now() - minutesAgo * 60_000) })
}

async function fetchFrom(run: ServiceRun, name: string, overrides = {}) {
  const dest = await scratch('fetch')
  const fetched = await storeFor(run, overrides).fetch(name, join(dest, 'baseline'))
  const contents: Record<string, string> = {}
  for (const file of fetched.files) contents[basename(file)] = await readFile(file, 'utf8')
  return { fetched, contents }
}

async function rejection(promise: Promise<unknown>): Promise<BaselineUnavailable> {
  const error = await promise.then(
    () => {
      throw new Error('expected the promise to reject')
    },
    (err: unknown) => err
  )
  expect(error).toBeInstanceOf(BaselineUnavailable)
  return error as BaselineUnavailable
}

function zipDownloads(id?: number): number {
  return service.requests.filter(
    (r) => r.surface === 'rest' && r.path.endsWith('/zip') && (id === undefined || r.path.includes(`/${id}/`))
  ).length
}

describe('round trip with the real artifact client', () => {
  it('uploads on a trusted run and fetches byte-exact files on a pull request run, with the source run', async () => {
    const main = service.createRun({ event: 'push', headBranch: 'main' })
    const model = randomBytes(4096)
    const files = await writeBaselineFiles({ 'model.apr': model, 'report.json': '{"verdict":"pass"}\n' })
    const published = await storeFor(main).publish('renacer-roundtrip', files, { retentionDays: 7 })

    expect(published.name).toBe('renacer-roundtrip')
    expect(published.size).toBeGreaterThan(4096)
    const stored = service.artifact(Number(published.id))
    expect(stored.runId).toBe(main.id)
    expect(stored.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    // retention-days reached the service as expires_at.
    const days = (stored.expiresAt.getTime() - stored.createdAt.getTime()) / 86_400_000
    expect(days).toBeGreaterThan(6.9)
    expect(days).toBeLessThan(7.1)

    const pr = service.createRun({ event: 'pull_request', headBranch: 'feature/faster' })
    const dest = join(await scratch('fetch'), 'baseline')
    const fetched = await storeFor(pr).fetch('renacer-roundtrip', dest)

    expect(fetched.dir).toBe(dest)
    expect(fetched.files.map((f) => basename(f))).toEqual(['model.apr', 'report.json'])
    expect(await readFile(join(dest, 'model.apr'))).toEqual(model)
    expect(await readFile(join(dest, 'report.json'), 'utf8')).toBe('{"verdict":"pass"}\n')
    expect(fetched.sourceRunId).toBe(String(main.id))
    expect(fetched.sourceUrl).toBe(`${service.serverUrl}/${service.repository}/actions/runs/${main.id}`)
    expect(fetched.sourceSha).toBe(main.headSha)
    // Nothing left beside the destination.
    expect((await readdir(join(dest, '..'))).sort()).toEqual(['baseline'])
  })

  it('round-trips a 20 MB file through a multi-block upload', async () => {
    const main = service.createRun({ event: 'push', headBranch: 'main' })
    const big = randomBytes(20 * 1024 * 1024)
    const before = service.requests.length
    const id = await uploadFrom(main, 'renacer-big', { 'big.apr': big, 'report.json': '{}' })

    const blocks = service.requests.slice(before).filter((r) => r.surface === 'blob' && r.comp === 'block')
    expect(blocks.length).toBeGreaterThanOrEqual(3)
    expect(service.uploadedBytes(id).subarray(0, 2).toString()).toBe('PK')

    const pr = service.createRun({ event: 'pull_request', headBranch: 'feature/x' })
    const dest = join(await scratch('fetch'), 'baseline')
    await storeFor(pr).fetch('renacer-big', dest)
    const back = await readFile(join(dest, 'big.apr'))
    expect(back.length).toBe(big.length)
    expect(back.equals(big)).toBe(true)
  })

  it('lists what it uploaded through both of the client listing paths', async () => {
    const main = service.createRun({ event: 'push', headBranch: 'main' })
    const id = await uploadFrom(main, 'renacer-listed', { 'model.apr': 'm' })
    env.set(service.jobEnv(main))
    const { DefaultArtifactClient } = await import('@actions/artifact')
    const client = new DefaultArtifactClient()

    // Twirp ListArtifacts, scoped by the runtime token's run.
    const internal = await client.getArtifact('renacer-listed')
    expect(internal.artifact.id).toBe(id)
    // REST /runs/{id}/artifacts, as another run sees it.
    const [owner, repo] = service.repository.split('/') as [string, string]
    const listed = await client.listArtifacts({
      findBy: {
        token: service.restToken,
        workflowRunId: main.id,
        repositoryOwner: owner,
        repositoryName: repo
      }
    })
    expect(listed.artifacts.map((a) => [a.id, a.name])).toEqual([[id, 'renacer-listed']])
  })
})

describe('which baseline is trusted', () => {
  it('never chooses a baseline uploaded by a pull_request run, even one claiming the trusted branch', async () => {
    const main = service.createRun({ event: 'push', headBranch: 'main' })
    const good = await uploadFrom(main, 'renacer-pr', { 'model.apr': 'from main' })
    age(good, 60)
    // A same-repository PR whose head branch is literally called main, and a pull_request_target run.
    const pr = service.createRun({ event: 'pull_request', headBranch: 'main' })
    const evil = await uploadFrom(pr, 'renacer-pr', { 'model.apr': 'from a pull request' })
    const target = service.createRun({ event: 'pull_request_target', headBranch: 'main' })
    const evil2 = await uploadFrom(target, 'renacer-pr', { 'model.apr': 'from pull_request_target' })
    age(evil, 5)
    age(evil2, 1)

    const reader = service.createRun({ event: 'pull_request', headBranch: 'feature/y' })
    const { fetched, contents } = await fetchFrom(reader, 'renacer-pr')
    expect(contents['model.apr']).toBe('from main')
    expect(fetched.sourceRunId).toBe(String(main.id))
    expect(zipDownloads(evil)).toBe(0)
    expect(zipDownloads(evil2)).toBe(0)
  })

  it('gives missing, naming the ignored events, when only pull request runs uploaded one', async () => {
    const pr = service.createRun({ event: 'pull_request', headBranch: 'main' })
    await uploadFrom(pr, 'renacer-pr-only', { 'model.apr': 'from a pull request' })
    const fork = service.createRun({ event: 'push', headBranch: 'main', fromFork: true })
    await uploadFrom(fork, 'renacer-pr-only', { 'model.apr': 'from a fork' })

    const reader = service.createRun({ event: 'push', headBranch: 'main' })
    const error = await rejection(storeFor(reader).fetch('renacer-pr-only', await scratch('fetch')))
    expect(error.reason).toBe('missing')
    expect(error.message).toContain('a trusted run of main')
    expect(error.message).toContain('will create it')
    expect(error.message).toContain('pull_request')
    expect(error.message).toContain('1 from forks')
  })

  it('skips an expired artifact for an older live one, and says expired when only expired ones are left', async () => {
    const older = service.createRun({ event: 'schedule', headBranch: 'main' })
    const live = await uploadFrom(older, 'renacer-exp', { 'model.apr': 'older but live' })
    age(live, 120)
    const newer = service.createRun({ event: 'push', headBranch: 'main' })
    const dead = await uploadFrom(newer, 'renacer-exp', { 'model.apr': 'newer but expired' })
    service.updateArtifact(dead, { expiredOverride: true })

    const reader = service.createRun({ event: 'pull_request', headBranch: 'feature/z' })
    const { contents, fetched } = await fetchFrom(reader, 'renacer-exp')
    expect(contents['model.apr']).toBe('older but live')
    expect(fetched.sourceRunId).toBe(String(older.id))
    expect(zipDownloads(dead)).toBe(0)

    // Expiry by date alone (GitHub flips `expired` later) counts too.
    service.updateArtifact(live, { expiresAt: new Date(Date.now() - 1000) })
    const error = await rejection(storeFor(reader).fetch('renacer-exp', await scratch('fetch')))
    expect(error.reason).toBe('expired')
    expect(error.message).toContain('expired')
    expect(error.message).toContain('next trusted run of main')
  })

  it('skips a baseline from another branch', async () => {
    const main = service.createRun({ event: 'push', headBranch: 'main' })
    const good = await uploadFrom(main, 'renacer-branch', { 'model.apr': 'main' })
    age(good, 30)
    const feature = service.createRun({ event: 'push', headBranch: 'feature/other' })
    await uploadFrom(feature, 'renacer-branch', { 'model.apr': 'feature' })

    const reader = service.createRun({ event: 'pull_request', headBranch: 'feature/r' })
    expect((await fetchFrom(reader, 'renacer-branch')).contents['model.apr']).toBe('main')

    // With only the other branch's baseline, there is none.
    const releaseReader = storeFor(reader, { trustedBranch: 'release/1.x' })
    const error = await rejection(releaseReader.fetch('renacer-branch', await scratch('fetch')))
    expect(error.reason).toBe('missing')
    expect(error.message).toContain('release/1.x')
    expect(error.message).toContain('2 from other branches')
  })

  it('takes the newest of several trusted baselines, and never the current run', async () => {
    const ids: number[] = []
    const runs: ServiceRun[] = []
    for (const [event, minutes] of [
      ['push', 300],
      ['workflow_dispatch', 10],
      ['schedule', 200]
    ] as const) {
      const run = service.createRun({ event, headBranch: 'main' })
      const id = await uploadFrom(run, 'renacer-newest', { 'model.apr': `${event}` })
      age(id, minutes)
      ids.push(id)
      runs.push(run)
    }
    const reader = service.createRun({ event: 'pull_request', headBranch: 'feature/n' })
    const { contents, fetched } = await fetchFrom(reader, 'renacer-newest')
    expect(contents['model.apr']).toBe('workflow_dispatch')
    expect(fetched.sourceRunId).toBe(String(runs[1]?.id))

    // A re-run of the workflow_dispatch run does not take its own artifact as its baseline.
    const self = runs[1] as ServiceRun
    const again = await fetchFrom(self, 'renacer-newest')
    expect(again.contents['model.apr']).toBe('schedule')
  })
})

describe('when the service misbehaves', () => {
  async function seeded(name: string): Promise<ServiceRun> {
    const main = service.createRun({ event: 'push', headBranch: 'main' })
    await uploadFrom(main, name, { 'model.apr': 'seed' })
    return service.createRun({ event: 'pull_request', headBranch: 'feature/f' })
  }

  async function timed<T>(body: () => Promise<T>): Promise<{ value: T; ms: number }> {
    const start = performance.now()
    const value = await body()
    return { value, ms: performance.now() - start }
  }

  it('gives unreachable after the bounded retries when the API answers 500', async () => {
    const reader = await seeded('renacer-500')
    service.fail('rest', { kind: 'status', status: 500 })
    const before = service.count('rest')
    const { value: error, ms } = await timed(() =>
      rejection(storeFor(reader).fetch('renacer-500', join(work, 'never-500')))
    )
    expect(error.reason).toBe('unreachable')
    expect(error.message).toContain('HTTP 500')
    expect(service.count('rest') - before).toBe(FAST.attempts)
    expect(ms).toBeLessThan(3000)
  })

  it('recovers when a retry succeeds', async () => {
    const reader = await seeded('renacer-flaky')
    service.fail('rest', { kind: 'status', status: 503 }, { times: 1 })
    expect((await fetchFrom(reader, 'renacer-flaky')).contents['model.apr']).toBe('seed')
  })

  it('gives forbidden naming actions: read on a 403, without retrying', async () => {
    const reader = await seeded('renacer-403')
    service.fail('rest', { kind: 'status', status: 403 })
    const before = service.count('rest')
    const error = await rejection(storeFor(reader).fetch('renacer-403', join(work, 'never-403')))
    expect(error.reason).toBe('forbidden')
    expect(error.message).toContain('actions: read')
    expect(error.message).toContain('Resource not accessible by integration')
    expect(service.count('rest') - before).toBe(1)
  })

  it('gives forbidden when only the zip download is refused', async () => {
    const reader = await seeded('renacer-zip-403')
    service.fail('rest', { kind: 'status', status: 403 }, { pathIncludes: '/zip' })
    const dest = join(await scratch('fetch'), 'baseline')
    const error = await rejection(storeFor(reader).fetch('renacer-zip-403', dest))
    expect(error.reason).toBe('forbidden')
    expect(error.message).toContain('actions: read')
    // A failed download leaves nothing behind.
    expect(await readdir(join(dest, '..'))).toEqual([])
  })

  it('gives forbidden when the token is rejected outright', async () => {
    const reader = await seeded('renacer-401')
    const error = await rejection(
      storeFor(reader, { token: 'ghs_wrong' }).fetch('renacer-401', join(work, 'n401'))
    )
    expect(error.reason).toBe('forbidden')
    expect(error.message).toContain('Bad credentials')
  })

  it('gives unreachable when connections are dropped', async () => {
    const reader = await seeded('renacer-drop')
    service.fail('rest', { kind: 'drop' })
    const { value: error, ms } = await timed(() =>
      rejection(storeFor(reader).fetch('renacer-drop', join(work, 'never-drop')))
    )
    expect(error.reason).toBe('unreachable')
    expect(ms).toBeLessThan(3000)
  })

  it('gives unreachable when the API never answers, after its timeout', async () => {
    const reader = await seeded('renacer-stall')
    service.fail('rest', { kind: 'stall' })
    const { value: error, ms } = await timed(() =>
      rejection(
        storeFor(reader, { rest: { attempts: 2, retryDelayMs: 20, timeoutMs: 300 } }).fetch(
          'renacer-stall',
          join(work, 'never-stall')
        )
      )
    )
    expect(error.reason).toBe('unreachable')
    expect(error.message).toContain('no answer within 300 ms')
    expect(ms).toBeGreaterThanOrEqual(600)
    expect(ms).toBeLessThan(3000)
  })

  it('gives unreachable when nothing listens at the API URL', async () => {
    const reader = await seeded('renacer-refused')
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer()
      probe.listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number }
        probe.close(() => resolve(port))
      })
    })
    const { value: error, ms } = await timed(() =>
      rejection(
        storeFor(reader, { apiUrl: `http://127.0.0.1:${closedPort}/api` }).fetch(
          'renacer-refused',
          join(work, 'nr')
        )
      )
    )
    expect(error.reason).toBe('unreachable')
    expect(error.message).toContain('ECONNREFUSED')
    expect(ms).toBeLessThan(3000)
  })
})

describe('publishing and integrity', () => {
  it('fails a publish fast and clearly when the results service drops the connection', async () => {
    const run = service.createRun({ event: 'push', headBranch: 'main' })
    const files = await writeBaselineFiles({ 'model.apr': 'x' })
    service.fail('twirp', { kind: 'drop' })
    const start = performance.now()
    await expect(storeFor(run).publish('renacer-dropped', files, { retentionDays: 3 })).rejects.toThrow(
      /Uploading baseline artifact "renacer-dropped" failed: .*ECONNRESET/s
    )
    expect(performance.now() - start).toBeLessThan(3000)
    expect(service.artifacts().filter((a) => a.name === 'renacer-dropped')).toEqual([])
  })

  it('says invalid when the download does not match the digest recorded at upload', async () => {
    const main = service.createRun({ event: 'push', headBranch: 'main' })
    const id = await uploadFrom(main, 'renacer-digest', { 'model.apr': 'original' })
    service.updateArtifact(id, { digest: `sha256:${'0'.repeat(64)}` })
    const reader = service.createRun({ event: 'pull_request', headBranch: 'feature/d' })
    const dest = join(await scratch('fetch'), 'baseline')
    const error = await rejection(storeFor(reader).fetch('renacer-digest', dest))
    expect(error.reason).toBe('invalid')
    expect(await readdir(join(dest, '..'))).toEqual([])
  })
})

describe('matrix jobs', () => {
  it('lets two jobs of one run publish distinct names, and explains a shared one', async () => {
    const run = service.createRun({ event: 'push', headBranch: 'main' })
    const linux = await uploadFrom(run, 'renacer-linux', { 'model.apr': 'linux' }, 'job-linux')
    const arm = await uploadFrom(run, 'renacer-arm64', { 'model.apr': 'arm64' }, 'job-arm64')
    expect(linux).not.toBe(arm)

    const files = await writeBaselineFiles({ 'model.apr': 'arm64 again' })
    const second = storeFor(run, {}, 'job-arm64-again').publish('renacer-linux', files, { retentionDays: 5 })
    await expect(second).rejects.toBeInstanceOf(artifactModule.BaselineNameConflict)
    await expect(second).rejects.toThrow(/each matrix job needs a distinct baseline-artifact/)

    // The first job's baseline is untouched, and each name reads back its own.
    const reader = service.createRun({ event: 'pull_request', headBranch: 'feature/m' })
    expect((await fetchFrom(reader, 'renacer-linux')).contents['model.apr']).toBe('linux')
    expect((await fetchFrom(reader, 'renacer-arm64')).contents['model.apr']).toBe('arm64')
  })
})

describe('inputs', () => {
  it('rejects unsafe names before any request', async () => {
    const run = service.createRun({ event: 'push', headBranch: 'main' })
    const store = storeFor(run)
    const before = service.requests.length
    const files = await writeBaselineFiles({ 'model.apr': 'x' })
    await expect(store.publish('../escape', files, { retentionDays: 1 })).rejects.toThrow(
      /Invalid baseline name "\.\.\/escape" \(the baseline-artifact input\)/
    )
    await expect(store.fetch('a:b', join(work, 'nn'))).rejects.toThrow(/colon/)
    expect(service.requests.length).toBe(before)
  })

  it('refuses to trust pull request events and malformed repositories', () => {
    const run = service.createRun({ event: 'push', headBranch: 'main' })
    expect(() => storeFor(run, { trustedEvents: ['push', 'pull_request'] })).toThrow(/pull_request/)
    expect(() => storeFor(run, { repository: 'just-a-name' })).toThrow(/owner\/name, got "just-a-name"/)
  })
})
