/**
 * Small deterministic models for the .apr tests: hand-written values, awkward floats (-0, subnormals, 0.1 + 0.2,
 * the largest double) so that round trips prove bit-exactness, and a seeded generator for bigger ones.
 */
import { mulberry32 } from '../../src/models/random.js'
import type {
  BaselineModel,
  IsolationForestModel,
  IsolationTree,
  KMeansModel,
  RunRecord
} from '../../src/models/types.js'

export const FEATURES = ['calls', 'errors', 'time_us', 'processes']

export function smallKMeans(): KMeansModel {
  return {
    feature_names: [...FEATURES],
    scale_mean: [12.5, 0.25, 1024.125, 1],
    scale_std: [3.5, 0.5, 77.75, 5e-324],
    centroids: [
      [-0, 0.1 + 0.2, 1.7976931348623157e308, -5e-324],
      [1, -1, 2.5, Math.PI]
    ],
    syscalls: ['read', 'write', 'openat', 'clone3'],
    assignments: [0, 0, 1, 1],
    anomalous_clusters: [1],
    silhouette: 0.6180339887498949,
    seed: 42
  }
}

export function smallTree(): IsolationTree {
  // root splits feature 2; left is a leaf, right splits feature 0 into two leaves.
  return {
    feature: [2, -1, 0, -1, -1],
    threshold: [0.5, 0, -1.25, 0, 0],
    left: [1, -1, 3, -1, -1],
    right: [2, -1, 4, -1, -1],
    size: [8, 3, 5, 2, 3]
  }
}

export function smallForest(): IsolationForestModel {
  return {
    feature_names: [...FEATURES],
    scale_mean: [1, 2, 3, 4],
    scale_std: [1, 1, 0.5, 2],
    n_trees: 2,
    sample_size: 8,
    contamination: 0.05,
    seed: 7,
    score_threshold: 0.6123456789,
    trees: [smallTree(), { feature: [-1], threshold: [0], left: [-1], right: [-1], size: [8] }]
  }
}

export function smallRun(i: number): RunRecord {
  return {
    recorded_at: 1733340000 + i,
    labels: { sha: `abc${i}`, branch: 'main', ünïcödé: '✓' },
    wall_ms: 2034.5 + i,
    exit_code: 0,
    syscalls: { read: [120, 3, 456.25], write: [40, 0, 99], openat: [12 + i, 2, 30.5] },
    executables: { '/usr/bin/cc': { read: [100, 1], openat: [10, 2] }, '/bin/sh': { write: [40, 0] } },
    processes: { '/usr/bin/cc': 4, '/bin/sh': 1 }
  }
}

export function smallBaseline(): BaselineModel {
  return {
    window: { capacity: 5, runs: [smallRun(0), smallRun(1)] },
    kmeans: smallKMeans(),
    iforest: smallForest()
  }
}

/** A seeded PRNG (the models' own mulberry32), so generated models are the same on every run. */
export const prng = mulberry32

/** A k-means model of k clusters at width 4, one training row per cluster (syscall names sys_0...). */
export function generatedKMeans(k: number, seed = 1): KMeansModel {
  const rand = prng(seed)
  const centroids = Array.from({ length: k }, () => FEATURES.map(() => (rand() - 0.5) * 6))
  return {
    feature_names: [...FEATURES],
    scale_mean: FEATURES.map(() => rand() * 1000),
    scale_std: FEATURES.map(() => 1 + rand() * 100),
    centroids,
    syscalls: Array.from({ length: k }, (_, i) => `sys_${i}`),
    assignments: Array.from({ length: k }, (_, i) => i),
    anomalous_clusters: [0],
    silhouette: rand(),
    seed
  }
}

/** An isolation forest of `trees` random trees grown on `sampleSize` points, height-limited like the real one. */
export function generatedForest(trees: number, sampleSize: number, seed = 1): IsolationForestModel {
  const rand = prng(seed)
  const limit = Math.ceil(Math.log2(sampleSize))
  const grow = (): IsolationTree => {
    const t: IsolationTree = { feature: [], threshold: [], left: [], right: [], size: [] }
    const node = (size: number, depth: number): number => {
      const i = t.feature.length
      t.feature.push(-1)
      t.threshold.push(0)
      t.left.push(-1)
      t.right.push(-1)
      t.size.push(size)
      if (size > 1 && depth < limit) {
        const leftSize = 1 + Math.floor(rand() * (size - 1))
        t.feature[i] = Math.floor(rand() * FEATURES.length)
        t.threshold[i] = (rand() - 0.5) * 4
        t.left[i] = node(leftSize, depth + 1)
        t.right[i] = node(size - leftSize, depth + 1)
      }
      return i
    }
    node(sampleSize, 0)
    return t
  }
  return {
    feature_names: [...FEATURES],
    scale_mean: FEATURES.map(() => rand() * 1000),
    scale_std: FEATURES.map(() => 1 + rand() * 100),
    n_trees: trees,
    sample_size: sampleSize,
    contamination: 0.05,
    seed,
    score_threshold: 0.6 + rand() * 0.1,
    trees: Array.from({ length: trees }, grow)
  }
}
