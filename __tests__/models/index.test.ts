import { describe, expect, test } from '@jest/globals'
import {
  appendRun,
  scoreProfile,
  toRunRecord,
  trainBaselineModel,
  trainFromProfile,
  updateBaselineModel
} from '../../src/models/index.js'
import type { BaselineModel } from '../../src/models/index.js'
import { loadProfile } from '../fixtures/gate/profile-fixture.js'

describe('trainBaselineModel', () => {
  test('trains both models on one row per (run, syscall) and keeps the window', () => {
    const window = appendRun(
      appendRun(null, toRunRecord(loadProfile('tsc-clean-1'))),
      toRunRecord(loadProfile('tsc-clean-2'))
    )
    const model = trainBaselineModel(window, { clusters: 3, trees: 20, contamination: 0.1, seed: 1 })
    const rows =
      Object.values(window.runs[0]?.syscalls ?? {}).filter((r) => r[0] > 0).length +
      Object.values(window.runs[1]?.syscalls ?? {}).filter((r) => r[0] > 0).length
    expect(model.window).toBe(window)
    expect(model.kmeans?.syscalls).toHaveLength(rows)
    expect(model.iforest?.trees).toHaveLength(20)
    expect(JSON.stringify(trainBaselineModel(window, { trees: 20, seed: 1 }))).toBe(JSON.stringify(model))
  })

  test('an empty window trains no models', () => {
    expect(trainBaselineModel({ capacity: 10, runs: [] })).toEqual({
      window: { capacity: 10, runs: [] },
      kmeans: null,
      iforest: null
    })
  })

  test('save, update, and score a run with the stored model after a JSON round trip', () => {
    const saved = trainFromProfile(loadProfile('cbuild-clean-1'), { sha: 'a' }, 1, { trees: 10 })
    const updated = updateBaselineModel(saved, toRunRecord(loadProfile('cbuild-clean-2'), { sha: 'b' }, 2), {
      trees: 10
    })
    expect(updated.window.runs.map((r) => r.labels.sha)).toEqual(['a', 'b'])
    const loaded = JSON.parse(JSON.stringify(updated)) as BaselineModel
    const profile = loadProfile('cbuild-clean-3')
    expect(scoreProfile(loaded, profile)).toEqual(scoreProfile(updated, profile))
    expect(scoreProfile(loaded, profile).clusters?.length).toBe(
      profile.syscalls.filter((s) => s.calls > 0).length
    )
  })
})
