/**
 * The action on a simulated runner: the committed bundle, the real @actions/artifact client, and the local,
 * protocol-faithful artifact service on loopback. Every scenario of the action issue: first run on main, a PR
 * gated against main's baseline, untrusted and expired artifacts ignored, a service that fails, matrix names.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runActionBundle } from '../support/action-process.js'
import { LocalArtifactService, type ServiceRun } from '../support/artifact-service.js'

let service: LocalArtifactService
let work: string
const COMMAND = 'for f in /etc/hostname /etc/passwd /etc/group; do cat "$f" >/dev/null; done; ls / >/dev/null'
const TRIPLE = `for i in 1 2 3; do ${COMMAND}; done`

beforeAll(async () => {
  service = await LocalArtifactService.start()
  work = mkdtempSync(join(tmpdir(), 'renacer-action-artifacts-'))
  writeFileSync(join(work, 'event.json'), JSON.stringify({ repository: { default_branch: 'main' } }))
})

afterAll(async () => {
  await service.close()
  rmSync(work, { recursive: true, force: true })
})

beforeEach(() => service.heal())

/** The environment of a job of `run` as the runner sets it. */
function runnerEnv(run: ServiceRun, extra: Record<string, string> = {}): Record<string, string> {
  const pr = run.event === 'pull_request'
  return {
    ...service.jobEnv(run),
    GITHUB_WORKSPACE: work,
    GITHUB_EVENT_PATH: join(work, 'event.json'),
    GITHUB_JOB: 'perf',
    GITHUB_REF: pr ? `refs/pull/${run.id}/merge` : `refs/heads/${run.headBranch}`,
    GITHUB_BASE_REF: pr ? 'main' : '',
    GITHUB_HEAD_REF: pr ? run.headBranch : '',
    ...extra
  }
}

const inputs = (
  command: string,
  name: string,
  more: Record<string, string> = {}
): Record<string, string> => ({
  command,
  'baseline-artifact': name,
  'github-token': service.restToken,
  ...more
})

const named = (name: string) => service.artifacts().filter((a) => a.name === name)

describe('baselines as artifacts across runs', () => {
  it('trains on main, gates a PR against it, uploads nothing from the PR, and catches a regression', async () => {
    const main = service.createRun({ event: 'push', headBranch: 'main' })
    const first = await runActionBundle(inputs(COMMAND, 'flow'), runnerEnv(main))
    expect(first.code).toBe(0)
    expect(first.outputs.verdict).toBe('no-baseline')
    expect(named('flow')).toHaveLength(1)
    expect(named('flow')[0]!.runId).toBe(main.id)

    const pr = service.createRun({ event: 'pull_request', headBranch: 'feature' })
    const gated = await runActionBundle(inputs(COMMAND, 'flow'), runnerEnv(pr))
    expect(gated.code).toBe(0)
    expect(gated.outputs.verdict).toBe('pass')
    expect(gated.outputs['baseline-run-id']).toBe(String(main.id))
    expect(named('flow')).toHaveLength(1)

    const worse = await runActionBundle(
      inputs(TRIPLE, 'flow'),
      runnerEnv(service.createRun({ event: 'pull_request', headBranch: 'slow' }))
    )
    expect(worse.code).not.toBe(0)
    expect(worse.outputs.verdict).toBe('regression')
    expect(worse.stdout).toMatch(/^::error title=REGRESSION%3A/m)
    expect(worse.summary).toContain(`run ${main.id}`)
    expect(named('flow')).toHaveLength(1)
  }, 120_000)

  it('never uses a baseline uploaded by a pull_request run, even one forced into train mode', async () => {
    const pr = service.createRun({ event: 'pull_request', headBranch: 'main' })
    const forced = await runActionBundle(inputs(TRIPLE, 'untrusted', { mode: 'train' }), runnerEnv(pr))
    expect(forced.code).toBe(0)
    expect(forced.stdout).toMatch(/not a trusted run/)
    expect(named('untrusted')).toHaveLength(0)

    // Even if such an artifact exists (uploaded by other means), the gate ignores it.
    const main = service.createRun({ event: 'push', headBranch: 'main' })
    await runActionBundle(inputs(COMMAND, 'untrusted'), runnerEnv(main))
    const id = named('untrusted')[0]!.id
    const prRun = service.createRun({ event: 'pull_request', headBranch: 'main' })
    // Re-home the trusted artifact into the PR run: now only an untrusted run holds a baseline of that name.
    Object.assign(service.artifact(id), { runId: prRun.id, runBackendId: prRun.backendId })
    const check = await runActionBundle(
      inputs(COMMAND, 'untrusted'),
      runnerEnv(service.createRun({ event: 'pull_request', headBranch: 'x' }))
    )
    expect(check.outputs.verdict).toBe('no-baseline')
    expect(check.code).toBe(0)
  }, 120_000)

  it('skips an expired baseline and says so', async () => {
    const main = service.createRun({ event: 'push', headBranch: 'main' })
    await runActionBundle(inputs(COMMAND, 'old'), runnerEnv(main))
    service.updateArtifact(named('old')[0]!.id, { expiredOverride: true })
    const check = await runActionBundle(
      inputs(COMMAND, 'old'),
      runnerEnv(service.createRun({ event: 'pull_request', headBranch: 'y' }))
    )
    expect(check.code).toBe(0)
    expect(check.outputs.verdict).toBe('no-baseline')
    expect(check.stdout).toMatch(/::notice title=renacer%3A no baseline::.*expired/i)
  }, 60_000)

  it.each([
    ['500', { kind: 'status', status: 500 } as const, /unreachable|500|unavailable/i],
    ['403', { kind: 'status', status: 403 } as const, /actions: read/],
    ['a dropped connection', { kind: 'drop' } as const, /unreachable|socket|reset|hang up|fetch failed/i]
  ])(
    'passes with no-baseline and a clear warning when the service answers %s',
    async (_label, mode, message) => {
      const main = service.createRun({ event: 'push', headBranch: 'main' })
      await runActionBundle(inputs(COMMAND, 'flaky'), runnerEnv(main))
      service.fail('rest', mode)
      const started = Date.now()
      const check = await runActionBundle(
        inputs(COMMAND, 'flaky'),
        runnerEnv(service.createRun({ event: 'pull_request', headBranch: 'z' }))
      )
      expect(check.code).toBe(0)
      expect(check.outputs.verdict).toBe('no-baseline')
      expect(check.stdout).toMatch(/::warning title=renacer%3A no baseline::/)
      expect(check.stdout).toMatch(message)
      expect(Date.now() - started).toBeLessThan(30_000)
    },
    60_000
  )

  it('two matrix jobs with distinct names do not collide; one name twice is explained', async () => {
    const main = service.createRun({ event: 'push', headBranch: 'main' })
    const a = await runActionBundle(inputs(COMMAND, 'matrix-a'), runnerEnv(main))
    const b = await runActionBundle(inputs(COMMAND, 'matrix-b'), runnerEnv(main))
    expect([a.code, b.code]).toEqual([0, 0])
    expect(named('matrix-a')).toHaveLength(1)
    expect(named('matrix-b')).toHaveLength(1)
    const clash = await runActionBundle(inputs(COMMAND, 'matrix-a'), runnerEnv(main))
    expect(clash.code).not.toBe(0)
    expect(clash.stdout).toMatch(/each matrix job needs a distinct baseline-artifact/)
    expect(named('matrix-a')).toHaveLength(1)
  }, 120_000)
})
