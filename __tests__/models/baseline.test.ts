import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { appendRun, baselineStats, spreadOf, toRunRecord } from '../../src/models/index.js'
import type { RunRecord } from '../../src/models/index.js'
import { loadProfile } from '../fixtures/gate/profile-fixture.js'

function run(calls: Record<string, number>, recordedAt = 0): RunRecord {
  const syscalls: RunRecord['syscalls'] = {}
  for (const [name, n] of Object.entries(calls)) syscalls[name] = [n, 0, n * 2]
  return {
    recorded_at: recordedAt,
    labels: {},
    wall_ms: 100,
    exit_code: 0,
    syscalls,
    executables: {},
    processes: {}
  }
}

describe('toRunRecord', () => {
  test('keeps counts, errors and times per syscall and per executable of a real profile', () => {
    const profile = loadProfile('cbuild-clean-1')
    const record = toRunRecord(profile, { sha: 'abc' }, 1700000000)
    expect(record.recorded_at).toBe(1700000000)
    expect(record.labels).toEqual({ sha: 'abc' })
    for (const s of profile.syscalls) expect(record.syscalls[s.name]).toEqual([s.calls, s.errors, s.time_us])
    for (const e of profile.executables) {
      expect(record.processes[e.executable]).toBe(e.processes)
      for (const [name, s] of Object.entries(e.syscalls)) {
        expect(record.executables[e.executable]?.[name]).toEqual([s.calls, s.errors])
      }
    }
    expect(Object.keys(record.syscalls)).toEqual([...Object.keys(record.syscalls)].sort())
  })
})

describe('appendRun', () => {
  test('starts a window, keeps order, and drops the oldest beyond capacity without mutating', () => {
    let window = appendRun(null, run({ read: 1 }, 1), 3)
    const first = window
    for (let i = 2; i <= 5; i++) window = appendRun(window, run({ read: i }, i))
    expect(first.runs).toHaveLength(1)
    expect(window.capacity).toBe(3)
    expect(window.runs.map((r) => r.recorded_at)).toEqual([3, 4, 5])
  })

  test('defaults to a capacity of 10 and rejects a capacity below 1', () => {
    let window = appendRun(null, run({ read: 1 }))
    for (let i = 0; i < 14; i++) window = appendRun(window, run({ read: i }))
    expect(window.runs).toHaveLength(10)
    expect(() => appendRun(null, run({}), 0)).toThrow(RangeError)
  })
})

describe('spread statistics', () => {
  test('a single run has no spread', () => {
    const s = spreadOf([42])
    expect(s).toMatchObject({ n: 1, mean: 42, median: 42, std: 0, mad: 0, min: 42, max: 42 })
  })

  test('median and MAD resist one odd run; std sees it', () => {
    const s = spreadOf([10, 11, 12, 100])
    expect(s.median).toBe(11.5)
    expect(s.mad).toBe(1)
    expect(s.std).toBeGreaterThan(40)
  })

  test('std and MAD are never negative and the median lies within [min, max]', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1e6 }), { minLength: 1, maxLength: 20 }), (values) => {
        const s = spreadOf(values)
        return s.std >= 0 && s.mad >= 0 && s.median >= s.min && s.median <= s.max
      })
    )
  })

  test('a syscall absent from a run counts as 0 calls in that run', () => {
    const window = appendRun(appendRun(null, run({ read: 10, fsync: 4 })), run({ read: 12 }))
    const stats = baselineStats(window)
    expect(stats.runs).toBe(2)
    expect(stats.syscalls.fsync?.present).toBe(1)
    expect(stats.syscalls.fsync?.calls.mean).toBe(2)
    expect(stats.syscalls.read?.calls.median).toBe(11)
  })

  test('per executable statistics from real profiles', () => {
    const window = appendRun(
      appendRun(null, toRunRecord(loadProfile('cbuild-clean-1'))),
      toRunRecord(loadProfile('cbuild-clean-2'))
    )
    const stats = baselineStats(window)
    const cc1 = stats.executables['/usr/lib/gcc/x86_64-linux-gnu/12/cc1']
    expect(cc1?.present).toBe(2)
    expect(cc1?.processes.median).toBeGreaterThan(0)
    expect(cc1?.syscalls.openat?.calls.median).toBeGreaterThan(1000)
  })
})
