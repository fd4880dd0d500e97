/**
 * The Done-when, as a user would run it on a laptop: the committed dist/index.js, copied away from
 * node_modules, driven by INPUT_* variables with no runtime token, so baselines live in a local folder.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { runActionBundle } from '../support/action-process.js'

let work: string
let bundle: string
const COMMAND = 'for f in /etc/hostname /etc/passwd /etc/group; do cat "$f" >/dev/null; done; ls / >/dev/null'
const TRIPLE = `for i in 1 2 3; do ${COMMAND}; done`

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'renacer-action-local-'))
  cpSync(resolve('dist'), join(work, 'dist'), { recursive: true })
  bundle = join(work, 'dist', 'index.js')
})

afterAll(() => rmSync(work, { recursive: true, force: true }))

function env(): Record<string, string> {
  return { GITHUB_WORKSPACE: work }
}

describe('the action outside GitHub (local store)', () => {
  it('trains, passes an unchanged rerun, and fails a build doing three times the work', async () => {
    const train = await runActionBundle({ command: COMMAND, mode: 'train' }, env(), bundle)
    expect(train.code).toBe(0)
    expect(train.outputs.verdict).toBe('no-baseline')
    expect(existsSync(join(work, '.renacer', 'store', 'renacer-baseline', 'baseline.apr'))).toBe(true)
    expect(train.outputs.model).toMatch(/baseline\.apr$/)

    const check = await runActionBundle({ command: COMMAND, mode: 'check' }, env(), bundle)
    expect(check.code).toBe(0)
    expect(check.outputs.verdict).toBe('pass')
    expect(check.outputs.regressions).toBe('0')
    const report = JSON.parse(readFileSync(check.outputs.report!, 'utf8')) as {
      verdict: string
      baseline: { runs: number }
    }
    expect(report.verdict).toBe('pass')
    expect(report.baseline.runs).toBe(1)
    expect(check.stdout).not.toMatch(/::error/)

    const worse = await runActionBundle({ command: TRIPLE, mode: 'check' }, env(), bundle)
    expect(worse.code).not.toBe(0)
    expect(worse.outputs.verdict).toBe('regression')
    expect(Number(worse.outputs.regressions)).toBeGreaterThan(0)
    expect(worse.stdout).toMatch(/^::error title=REGRESSION%3A [a-z0-9_]+::/m)
    expect(worse.summary).toMatch(/REGRESSION/)
    expect(worse.summary).toMatch(/\| openat \| calls \|/)
    // Checking never moves the baseline.
    const again = await runActionBundle({ command: COMMAND, mode: 'check' }, env(), bundle)
    expect(again.outputs.verdict).toBe('pass')
  }, 120_000)

  it('fails on a failing command and never refreshes the baseline with it', async () => {
    const store = join(work, 'store-failing')
    const first = await runActionBundle(
      { command: COMMAND, mode: 'train', 'store-dir': store },
      env(),
      bundle
    )
    expect(first.code).toBe(0)
    const before = readFileSync(join(store, 'renacer-baseline', 'baseline.apr'))
    const failed = await runActionBundle(
      { command: `${TRIPLE}; exit 3`, mode: 'train', 'store-dir': store },
      env(),
      bundle
    )
    expect(failed.code).not.toBe(0)
    expect(failed.stdout).toMatch(/::error::The command failed with exit code 3/)
    expect(readFileSync(join(store, 'renacer-baseline', 'baseline.apr'))).toEqual(before)
  }, 120_000)

  it('rejects a bad input with a message naming it, before running anything', async () => {
    const run = await runActionBundle({ command: 'touch should-not-exist', mode: 'sometimes' }, env(), bundle)
    expect(run.code).not.toBe(0)
    expect(run.stdout).toMatch(
      /::error::ConfigError: input "mode" must be one of auto, train, check; got "sometimes"/
    )
    expect(existsSync(join(work, 'should-not-exist'))).toBe(false)
  })

  it('keeps the build from issuing workflow commands while it runs', async () => {
    const run = await runActionBundle(
      { command: 'echo "::error title=REGRESSION::fake"', mode: 'check', 'store-dir': join(work, 'empty') },
      env(),
      bundle
    )
    const lines = run.stdout.split('\n')
    const fake = lines.indexOf('::error title=REGRESSION::fake')
    expect(fake).toBeGreaterThan(0)
    const stop = lines.findIndex((l) => l.startsWith('::stop-commands::'))
    const token = lines[stop]!.slice('::stop-commands::'.length)
    expect(stop).toBeLessThan(fake)
    expect(lines.indexOf(`::${token}::`)).toBeGreaterThan(fake)
    expect(run.outputs.verdict).toBe('no-baseline')
    expect(run.code).toBe(0)
  })
})
