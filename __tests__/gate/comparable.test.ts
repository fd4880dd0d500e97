import { describe, expect, it } from '@jest/globals'
import { analyzeRegression, tracedOf, TRACED_LABEL } from '../../src/gate/index.js'
import { trainBaselineModel } from '../../src/models/index.js'
import { refreshBaseline } from '../../src/pipeline/refresh.js'
import {
  BOOKKEEPING_SYSCALLS,
  DEFAULT_TRACE_SET,
  isTraced,
  describeTraced
} from '../../src/tracing/syscall-set.js'
import type { SyscallProfile } from '../../src/tracing/types.js'
import { loadProfile } from '../fixtures/gate/profile-fixture.js'

/** A recorded full-trace run as the default set would have recorded it. */
function asDefault(profile: SyscallProfile): SyscallProfile {
  const keep = (name: string) => isTraced(DEFAULT_TRACE_SET, name)
  return {
    ...profile,
    syscalls: profile.syscalls.filter((s) => keep(s.name)),
    executables: profile.executables.map((e) => ({
      ...e,
      syscalls: Object.fromEntries(Object.entries(e.syscalls).filter(([n]) => keep(n)))
    })),
    traced: describeTraced(DEFAULT_TRACE_SET)
  }
}

const full = loadProfile('cbuild-clean-1')
const rerun = loadProfile('cbuild-clean-2')

describe('runs traced with different sets', () => {
  it('the fixture exercises the bookkeeping syscalls the default set leaves out', () => {
    const names = full.syscalls.map((s) => s.name)
    expect(BOOKKEEPING_SYSCALLS.filter((n) => names.includes(n)).length).toBeGreaterThan(0)
  })

  it('a full trace checked against a default-set baseline is not a regression of the syscalls it did not trace', () => {
    const model = refreshBaseline(null, [asDefault(full)], {}, 0, 10, { trees: 10 })
    expect(tracedOf(model.window.runs[0]!)).toEqual(describeTraced(DEFAULT_TRACE_SET))
    const result = analyzeRegression(model, rerun)
    expect(result.regressions).toEqual([])
    expect(result.verdict).toBe('pass')
  })

  it('a default-set run checked against a full-trace baseline is not an improvement of what it left out', () => {
    const model = refreshBaseline(null, [full], {}, 0, 10, { trees: 10 })
    const result = analyzeRegression(model, asDefault(rerun))
    expect(result.improvements).toEqual([])
    expect(result.verdict).toBe('pass')
  })

  it('without the label (older baselines) a run counts as fully traced, so the gate sees the difference', () => {
    const model = trainBaselineModel({ capacity: 10, runs: [] }, { trees: 10 })
    const labelled = refreshBaseline(model, [asDefault(full)], {}, 0, 10, { trees: 10 })
    const unlabelled = {
      ...labelled,
      window: { ...labelled.window, runs: labelled.window.runs.map((r) => ({ ...r, labels: {} })) }
    }
    expect(TRACED_LABEL in labelled.window.runs[0]!.labels).toBe(true)
    expect(analyzeRegression(unlabelled, rerun).verdict).toBe('regression')
  })
})
