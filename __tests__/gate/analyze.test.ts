import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { analyzeRegression, DEFAULT_FLOORS, DEFAULT_THRESHOLD } from '../../src/gate/index.js'
import type { GateResult } from '../../src/gate/index.js'
import { appendRun, toRunRecord, trainBaselineModel } from '../../src/models/index.js'
import type { BaselineModel, BaselineWindow } from '../../src/models/index.js'
import type { SyscallProfile } from '../../src/tracing/types.js'
import { fixtureNames, loadProfile } from '../fixtures/gate/profile-fixture.js'

function baseline(names: string[]): BaselineModel {
  let window: BaselineWindow | null = null
  for (const name of names) window = appendRun(window, toRunRecord(loadProfile(name)))
  if (!window) throw new Error('no runs')
  return trainBaselineModel(window, { trees: 50 })
}

const regressedSyscalls = (r: GateResult): string[] => r.regressions.map((f) => f.syscall)

describe.each(['cbuild', 'tsc'])('%s: unchanged and contended reruns never regress', (scenario) => {
  const clean = fixtureNames(`${scenario}-clean-`)
  const reruns = [...clean, ...fixtureNames(`${scenario}-contended-`)]
  // Every single clean run as a one-run baseline, and the first three as a multi-run window.
  const baselines = [...clean.map((c) => [c]), clean.slice(0, 3)]
  const cases = baselines.flatMap((b) =>
    reruns.filter((r) => !b.includes(r)).map((r) => [b.join('+'), r] as const)
  )

  test.each(cases)('baseline %s, rerun %s: pass', (base, rerun) => {
    const result = analyzeRegression(baseline(base.split('+')), loadProfile(rerun))
    expect(result.regressions).toEqual([])
    expect(result.verdict).toBe('pass')
    expect(result.fails).toBe(false)
  })

  test('and under contention, time moving without the counts is at most a warning', () => {
    const result = analyzeRegression(baseline(clean.slice(0, 1)), loadProfile(`${scenario}-contended-2`))
    expect(result.warnings.every((w) => w.kind === 'warning')).toBe(true)
    expect(result.regressions.filter((f) => f.metric === 'time_us')).toEqual([])
  })
})

describe('injected regressions are caught, with the syscall behind them', () => {
  const cases: [string, string, (r: GateResult) => boolean][] = [
    [
      'cbuild-lookup-storm',
      'openat errors',
      (r) => r.regressions.some((f) => f.syscall === 'openat' && f.metric === 'errors')
    ],
    [
      'cbuild-tempfiles',
      'close calls, and write calls against three runs (+35%: short of five thresholds against one)',
      (r) =>
        r.regressions.some((f) => f.syscall === 'close' && f.metric === 'calls') &&
        r.regressions.some((f) => f.syscall === 'write' && f.metric === 'calls') === r.baseline_runs >= 3
    ],
    [
      'cbuild-doubled',
      'openat, read and execve calls',
      (r) => ['openat', 'read', 'execve'].every((s) => regressedSyscalls(r).includes(s))
    ],
    [
      'cbuild-processes',
      'execve and vfork',
      (r) => ['execve', 'vfork'].every((s) => regressedSyscalls(r).includes(s))
    ],
    [
      'cbuild-fsync',
      'new fsync',
      (r) => r.regressions.some((f) => f.syscall === 'fsync' && f.change === 'new')
    ],
    [
      'cbuild-sleep',
      'new executable /usr/bin/sleep',
      (r) => r.regressions.some((f) => f.executable === '/usr/bin/sleep' && f.change === 'new')
    ],
    [
      'tsc-emit',
      'write calls and new mkdir',
      (r) => ['write', 'mkdir'].every((s) => regressedSyscalls(r).includes(s))
    ],
    [
      'tsc-doubled',
      'statx and read calls',
      (r) => ['statx', 'read'].every((s) => regressedSyscalls(r).includes(s))
    ]
  ]
  const windows = {
    'one run': (s: string) => [`${s}-clean-1`],
    'three runs': (s: string) => [1, 2, 3].map((i) => `${s}-clean-${i}`)
  }

  for (const [label, names] of Object.entries(windows)) {
    test.each(cases)(`${label}: %s -> regression on %s`, (fixture, _what, check) => {
      const scenario = fixture.split('-')[0] ?? ''
      const result = analyzeRegression(baseline(names(scenario)), loadProfile(fixture))
      expect(result.verdict).toBe('regression')
      expect(result.fails).toBe(true)
      expect(check(result)).toBe(true)
    })
  }

  test('the lookup storm is attributed to cc1, the temp files to the shell', () => {
    const model = baseline(['cbuild-clean-1'])
    const storm = analyzeRegression(model, loadProfile('cbuild-lookup-storm'))
    const openat = storm.regressions.find((f) => f.syscall === 'openat' && f.metric === 'calls')
    expect(openat?.executable).toBe('/usr/lib/gcc/x86_64-linux-gnu/12/cc1')
    expect(openat?.executable_share).toBeGreaterThan(0.5)
    const temp = analyzeRegression(model, loadProfile('cbuild-tempfiles'))
    expect(temp.regressions.find((f) => f.syscall === 'close')?.executable).toBe('/bin/sh')
  })
})

describe('faster builds', () => {
  test.each([
    ['one run', ['cbuild-clean-1']],
    ['three runs', ['cbuild-clean-1', 'cbuild-clean-2', 'cbuild-clean-3']]
  ])('%s baseline: -O0 is an improvement, never a regression', (_label, names) => {
    const result = analyzeRegression(baseline(names), loadProfile('cbuild-faster'))
    expect(result.regressions).toEqual([])
    expect(result.verdict).toBe('improvement')
    expect(result.improvements.length).toBeGreaterThan(0)
    expect(result.improvements.every((f) => f.current < f.baseline)).toBe(true)
  })

  test('the baseline judged against the regressed build is an improvement', () => {
    const result = analyzeRegression(baseline(['cbuild-doubled']), loadProfile('cbuild-clean-1'))
    expect(result.verdict).toBe('improvement')
  })
})

function tiny(calls: Record<string, number>, exe = '/usr/bin/tool'): SyscallProfile {
  const names = Object.keys(calls).sort()
  return {
    syscalls: names.map((name) => ({
      name,
      calls: calls[name] ?? 0,
      errors: 0,
      errnos: {},
      time_us: calls[name] ?? 0,
      min_us: 1,
      max_us: 1,
      mean_us: 1
    })),
    executables: [
      {
        executable: exe,
        processes: 1,
        calls: Object.values(calls).reduce((a, b) => a + b, 0),
        errors: 0,
        syscalls: Object.fromEntries(names.map((n) => [n, { calls: calls[n] ?? 0, errors: 0, time_us: 0 }]))
      }
    ],
    process_count: 1,
    thread_count: 0,
    wall_ms: 10,
    exit_code: 0,
    signal: null,
    traced: 'all'
  }
}

function windowOf(...profiles: SyscallProfile[]): BaselineModel {
  let window: BaselineWindow | null = null
  for (const p of profiles) window = appendRun(window, toRunRecord(p))
  return { window: window as BaselineWindow, kmeans: null, iforest: null }
}

describe('the rule on small numbers', () => {
  test('3 -> 5 calls never fails, whatever the percentage', () => {
    const result = analyzeRegression(windowOf(tiny({ openat: 3, read: 100 })), tiny({ openat: 5, read: 100 }))
    expect(result.verdict).toBe('pass')
  })

  test('a change below the floor or below the threshold passes; one beyond both fails', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100000 }),
        fc.integer({ min: -100000, max: 100000 }),
        (base, delta) => {
          const current = Math.max(0, base + delta)
          const d = current - base
          const result = analyzeRegression(windowOf(tiny({ openat: base })), tiny({ openat: current }))
          const large = d >= DEFAULT_FLOORS.calls && d / base >= DEFAULT_THRESHOLD
          expect(result.verdict === 'regression').toBe(large)
        }
      )
    )
  })

  test('a change within the baseline spread is not unusual', () => {
    const model = windowOf(
      tiny({ openat: 100 }),
      tiny({ openat: 160 }),
      tiny({ openat: 100 }),
      tiny({ openat: 150 })
    )
    expect(analyzeRegression(model, tiny({ openat: 180 })).verdict).toBe('pass')
    expect(analyzeRegression(model, tiny({ openat: 500 })).verdict).toBe('regression')
  })

  test('timing-class syscalls are warnings, never regressions', () => {
    const result = analyzeRegression(windowOf(tiny({ futex: 100, read: 50 })), tiny({ futex: 900, read: 50 }))
    expect(result.verdict).toBe('pass')
    expect(result.warnings.map((w) => w.syscall)).toEqual(['futex'])
  })

  test('a new syscall above the floor is a regression; below it, nothing', () => {
    expect(analyzeRegression(windowOf(tiny({ read: 50 })), tiny({ read: 50, fsync: 8 })).verdict).toBe(
      'regression'
    )
    expect(analyzeRegression(windowOf(tiny({ read: 50 })), tiny({ read: 50, fsync: 2 })).verdict).toBe('pass')
  })

  test('a new executable doing real work is a regression; the floor applies', () => {
    const base = windowOf(tiny({ read: 50 }))
    const extra = (calls: number): SyscallProfile => {
      const p = tiny({ read: 50 })
      p.executables.push({
        executable: '/usr/bin/extra',
        processes: 1,
        calls,
        errors: 0,
        syscalls: { read: { calls, errors: 0, time_us: 0 } }
      })
      return p
    }
    const result = analyzeRegression(base, extra(40))
    expect(result.regressions).toMatchObject([{ syscall: '*', executable: '/usr/bin/extra', change: 'new' }])
    expect(analyzeRegression(base, extra(3)).verdict).toBe('pass')
  })

  test('no model, or an empty window: no-baseline, never failing', () => {
    expect(analyzeRegression(null, tiny({ read: 1 }))).toMatchObject({
      verdict: 'no-baseline',
      fails: false,
      baseline_runs: 0
    })
    const empty: BaselineModel = { window: { capacity: 10, runs: [] }, kmeans: null, iforest: null }
    expect(analyzeRegression(empty, tiny({ read: 1 })).verdict).toBe('no-baseline')
  })

  test('failOn never reports the regression but does not fail; failOn anomaly fails on anomalies', () => {
    const model = baseline(['cbuild-clean-1'])
    const never = analyzeRegression(model, loadProfile('cbuild-doubled'), { failOn: 'never' })
    expect(never).toMatchObject({ verdict: 'regression', fails: false })
    const sleep = analyzeRegression(model, loadProfile('cbuild-sleep'), { failOn: 'regression' })
    expect(sleep.anomalies.length).toBeGreaterThan(0)
    const noExe = loadProfile('cbuild-sleep')
    noExe.executables = noExe.executables.filter((e) => e.executable !== '/usr/bin/sleep')
    expect(analyzeRegression(model, noExe, { failOn: 'regression' }).verdict).toBe('pass')
    expect(analyzeRegression(model, noExe, { failOn: 'anomaly' })).toMatchObject({
      verdict: 'regression',
      fails: true
    })
  })
})
