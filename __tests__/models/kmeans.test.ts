import { describe, expect, test } from '@jest/globals'
import {
  anomalousClusters,
  appendRun,
  scoreKMeans,
  silhouette,
  toRunRecord,
  trainKMeans,
  windowFeatureRows
} from '../../src/models/index.js'
import type { FeatureRow } from '../../src/models/index.js'
import { loadProfile } from '../fixtures/gate/profile-fixture.js'

function rowsOf(...names: string[]): FeatureRow[] {
  let window = null
  for (const name of names) window = appendRun(window, toRunRecord(loadProfile(name)))
  return windowFeatureRows(window?.runs ?? [])
}

describe('k-means', () => {
  const rows = rowsOf('cbuild-clean-1', 'cbuild-clean-2', 'tsc-clean-1')

  test('the same inputs give the same centroids and the same bytes', () => {
    const a = trainKMeans(rows, { clusters: 3, seed: 7 })
    const b = trainKMeans(
      rows.map((r) => ({ syscall: r.syscall, values: [...r.values] })),
      { clusters: 3, seed: 7 }
    )
    expect(JSON.stringify(b)).toBe(JSON.stringify(a))
    expect(a.centroids).toHaveLength(3)
    expect(a.assignments).toHaveLength(rows.length)
  })

  test('clusters are numbered by size, largest first', () => {
    const model = trainKMeans(rows, { clusters: 3 })
    const sizes = model.centroids.map((_, c) => model.assignments.filter((a) => a === c).length)
    expect([...sizes].sort((x, y) => y - x)).toEqual(sizes)
  })

  test('k is clamped to the number of distinct rows', () => {
    const few: FeatureRow[] = [
      { syscall: 'a', values: [1, 0, 0, 0] },
      { syscall: 'b', values: [1, 0, 0, 0] },
      { syscall: 'c', values: [5, 1, 0, 1] }
    ]
    const model = trainKMeans(few, { clusters: 10 })
    expect(model.centroids).toHaveLength(2)
    expect(trainKMeans([few[0] as FeatureRow], { clusters: 3 }).centroids).toHaveLength(1)
  })

  test('scoring the training rows against the model reproduces the assignments (no retraining)', () => {
    const model = trainKMeans(rows, { clusters: 3 })
    const frozen = JSON.stringify(model)
    expect(scoreKMeans(model, rows).map((a) => a.cluster)).toEqual(model.assignments)
    expect(JSON.stringify(model)).toBe(frozen)
  })

  test('silhouette is in [-1, 1] and high for well separated groups', () => {
    const data = [
      [0, 0],
      [0.1, 0],
      [10, 10],
      [10.1, 10]
    ]
    expect(silhouette(data, [0, 0, 1, 1], 2)).toBeGreaterThan(0.9)
    expect(silhouette(data, [0, 1, 0, 1], 2)).toBeLessThan(0)
    const model = trainKMeans(rows, { clusters: 3 })
    expect(model.silhouette).toBeGreaterThanOrEqual(-1)
    expect(model.silhouette).toBeLessThanOrEqual(1)
  })

  test('the anomalous cluster is the small one farthest from the bulk', () => {
    expect(
      anomalousClusters(
        [
          [0.1, 0],
          [-0.2, 0],
          [8, 8]
        ],
        [0, 0, 0, 1, 1, 2]
      )
    ).toEqual([2])
    expect(
      anomalousClusters(
        [
          [0, 0],
          [8, 8]
        ],
        [1, 1, 1, 0]
      )
    ).toEqual([])
    expect(anomalousClusters([[0, 0]], [0, 0])).toEqual([])
  })
})
