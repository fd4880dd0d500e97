import { describe, expect, it } from '@jest/globals'
import { analyzeRegression, CHUNKED_IO_SYSCALLS, thresholdFactor } from '../../src/gate/index.js'
import { appendRun, toRunRecord, trainBaselineModel } from '../../src/models/index.js'
import type { BaselineModel } from '../../src/models/types.js'
import { loadProfile } from '../fixtures/gate/profile-fixture.js'
import type { SyscallProfile } from '../../src/tracing/types.js'

/** The recorded clean C build with `write` scaled, on the syscall and on every executable that makes it. */
function withWrites(factor: number): SyscallProfile {
  const p = structuredClone(loadProfile('cbuild-clean-1'))
  for (const s of p.syscalls) if (s.name === 'write') s.calls = Math.round(s.calls * factor)
  for (const e of p.executables) {
    const w = e.syscalls.write
    if (w !== undefined) w.calls = Math.round(w.calls * factor)
  }
  return p
}

function writesUp(model: BaselineModel, current: SyscallProfile) {
  return analyzeRegression(model, current).regressions.filter(
    (f) => f.syscall === 'write' && f.metric === 'calls'
  )
}

function baselineOf(profiles: SyscallProfile[]): BaselineModel {
  const [first, ...rest] = profiles
  let window = appendRun(null, toRunRecord(first!))
  for (const p of rest) window = appendRun(window, toRunRecord(p))
  return trainBaselineModel(window, { trees: 10 })
}

describe('chunked I/O (read, write, ...)', () => {
  it('needs five thresholds against a baseline too short to show its noise, the normal one from 3 runs', () => {
    expect(CHUNKED_IO_SYSCALLS.has('write')).toBe(true)
    expect(thresholdFactor('write', 1)).toBe(5)
    expect(thresholdFactor('read', 2)).toBe(5)
    expect(thresholdFactor('write', 3)).toBe(1)
    expect(thresholdFactor('openat', 1)).toBe(1)
    expect(thresholdFactor('mprotect', 10)).toBe(2)
  })

  it('lets +15% writes pass a one-run baseline and catches them against three steady runs', () => {
    const current = withWrites(1.15)
    expect(writesUp(baselineOf([withWrites(1)]), current)).toEqual([])
    const steady = baselineOf([withWrites(1), withWrites(1.002), withWrites(0.998)])
    expect(writesUp(steady, current)).toHaveLength(1)
  })

  it('against one run, writes need +50%: +25% and +45% pass (node moves that much), +55% and doubled fail', () => {
    const one = baselineOf([withWrites(1)])
    expect(writesUp(one, withWrites(1.25))).toEqual([])
    expect(writesUp(one, withWrites(1.45))).toEqual([])
    expect(writesUp(one, withWrites(1.55))).toHaveLength(1)
    expect(writesUp(one, withWrites(2))).toHaveLength(1)
  })

  it('still lets the same +15% pass three runs that are themselves that noisy', () => {
    const noisy = baselineOf([withWrites(0.9), withWrites(1.05), withWrites(1.12)])
    const found = analyzeRegression(noisy, withWrites(1.15)).regressions.filter((f) => f.syscall === 'write')
    expect(found).toEqual([])
  })
})
