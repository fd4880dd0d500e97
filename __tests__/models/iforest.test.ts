import { describe, expect, test } from '@jest/globals'
import {
  averagePathLength,
  scoreIsolationForest,
  toRunRecord,
  trainIsolationForest,
  featureRows
} from '../../src/models/index.js'
import type { FeatureRow, IsolationForestModel } from '../../src/models/index.js'
import { loadProfile } from '../fixtures/gate/profile-fixture.js'

const rows = featureRows(toRunRecord(loadProfile('cbuild-clean-1')))

describe('isolation forest', () => {
  test('c(n) is the average unsuccessful-search path length', () => {
    expect(averagePathLength(1)).toBe(0)
    expect(averagePathLength(2)).toBe(1)
    const n = 256
    let harmonic = 0
    for (let i = 1; i < n; i++) harmonic += 1 / i
    // 2 H(n-1) - 2 (n-1)/n, with H approximated by ln + Euler's constant: close to the exact harmonic sum.
    expect(Math.abs(averagePathLength(n) - (2 * harmonic - (2 * (n - 1)) / n))).toBeLessThan(0.01)
  })

  test('a model saved as JSON and loaded scores exactly as the trained one', () => {
    const model = trainIsolationForest(rows, { trees: 100, contamination: 0.1, seed: 3 })
    const loaded = JSON.parse(JSON.stringify(model)) as IsolationForestModel
    const other = featureRows(toRunRecord(loadProfile('cbuild-lookup-storm')))
    expect(scoreIsolationForest(loaded, other)).toEqual(scoreIsolationForest(model, other))
    expect(scoreIsolationForest(loaded, rows)).toEqual(scoreIsolationForest(model, rows))
  })

  test('seeded: the same seed gives the same trees, another seed other trees', () => {
    const a = trainIsolationForest(rows, { seed: 11 })
    expect(JSON.stringify(trainIsolationForest(rows, { seed: 11 }))).toBe(JSON.stringify(a))
    expect(JSON.stringify(trainIsolationForest(rows, { seed: 12 }).trees)).not.toBe(JSON.stringify(a.trees))
  })

  test('trees are flattened as IsolationTree: leaves have feature < 0, children are valid node ids', () => {
    const model = trainIsolationForest(rows, { trees: 10 })
    expect(model.trees).toHaveLength(10)
    expect(model.sample_size).toBe(Math.min(256, rows.length))
    for (const tree of model.trees) {
      const n = tree.feature.length
      expect([tree.threshold, tree.left, tree.right, tree.size].every((a) => a.length === n)).toBe(true)
      expect(tree.size[0]).toBe(model.sample_size)
      tree.feature.forEach((f, i) => {
        if (f >= 0) {
          expect(tree.left[i]).toBeGreaterThan(i)
          expect(tree.right[i]).toBeLessThan(n)
          expect((tree.size[tree.left[i] ?? 0] ?? 0) + (tree.size[tree.right[i] ?? 0] ?? 0)).toBe(
            tree.size[i]
          )
        }
      })
    }
  })

  test('the threshold flags about the contamination share of the training rows, and an obvious outlier', () => {
    const grid: FeatureRow[] = []
    for (let i = 0; i < 200; i++)
      grid.push({ syscall: `s${i}`, values: [i % 10, Math.floor(i / 10) % 10, 0, 0] })
    const model = trainIsolationForest(grid, { contamination: 0.1, seed: 5 })
    const flagged = scoreIsolationForest(model, grid).filter((s) => s.outlier).length
    expect(flagged).toBeGreaterThanOrEqual(20)
    expect(flagged).toBeLessThanOrEqual(30)
    const [far] = scoreIsolationForest(model, [{ syscall: 'far', values: [100, 100, 1, 1] }])
    expect(far?.outlier).toBe(true)
  })

  test('rejects a contamination outside (0, 0.5] and an empty training set', () => {
    expect(() => trainIsolationForest(rows, { contamination: 0 })).toThrow(RangeError)
    expect(() => trainIsolationForest(rows, { contamination: 0.6 })).toThrow(RangeError)
    expect(() => trainIsolationForest([])).toThrow(RangeError)
  })
})
