import type { IsolationForestModel, IsolationTree } from './types.js'
import { FEATURE_NAMES, applyScaler, fitScaler, type FeatureRow } from './features.js'
import { mulberry32, randomInt } from './random.js'

export const DEFAULT_TREES = 100
export const DEFAULT_CONTAMINATION = 0.1
export const MAX_SAMPLE_SIZE = 256
const EULER_GAMMA = 0.5772156649015329

export interface IsolationForestOptions {
  trees?: number
  contamination?: number
  seed?: number
}

export interface OutlierScore {
  syscall: string
  score: number
  outlier: boolean
}

/** Average path length of an unsuccessful BST search among n points: the standard normaliser c(n). */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0
  if (n === 2) return 1
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n
}

/**
 * Isolation forest (Liu, Ting, Zhou 2008), written here rather than taken from npm: the packages there keep
 * their trees as nested objects with no documented, stable shape to serialise, and none take a seed. Every
 * random choice comes from mulberry32(seed): a model is a pure function of its rows, options and seed.
 */
export function trainIsolationForest(
  rows: readonly FeatureRow[],
  options: IsolationForestOptions = {}
): IsolationForestModel {
  const nTrees = Math.floor(options.trees ?? DEFAULT_TREES)
  const contamination = options.contamination ?? DEFAULT_CONTAMINATION
  const seed = (options.seed ?? 42) >>> 0
  if (!(nTrees >= 1)) throw new RangeError(`trees must be at least 1, got ${String(options.trees)}`)
  if (!(contamination > 0 && contamination <= 0.5)) {
    throw new RangeError(`contamination must be in (0, 0.5], got ${String(options.contamination)}`)
  }
  if (rows.length === 0) throw new RangeError('isolation forest needs at least one feature row')
  const scaler = fitScaler(rows.map((r) => r.values))
  const data = rows.map((r) => applyScaler(scaler, r.values))
  const sampleSize = Math.min(MAX_SAMPLE_SIZE, data.length)
  const heightLimit = Math.ceil(Math.log2(Math.max(2, sampleSize)))
  const next = mulberry32(seed)
  const trees: IsolationTree[] = []
  for (let t = 0; t < nTrees; t++) trees.push(buildTree(data, sampleSize, heightLimit, next))
  const model: IsolationForestModel = {
    feature_names: [...FEATURE_NAMES],
    scale_mean: scaler.mean,
    scale_std: scaler.std,
    n_trees: nTrees,
    sample_size: sampleSize,
    contamination,
    seed,
    score_threshold: 1,
    trees
  }
  const scores = data.map((p) => scorePoint(model, p)).sort((a, b) => b - a)
  model.score_threshold = scores[Math.max(0, Math.ceil(contamination * scores.length) - 1)] ?? 1
  return model
}

/** Scores rows against a trained forest, from its plain data only. Higher is more anomalous; in (0, 1]. */
export function scoreIsolationForest(
  model: IsolationForestModel,
  rows: readonly FeatureRow[]
): OutlierScore[] {
  const scaler = { mean: model.scale_mean, std: model.scale_std }
  return rows.map((row) => {
    const score = scorePoint(model, applyScaler(scaler, row.values))
    return { syscall: row.syscall, score, outlier: score >= model.score_threshold }
  })
}

function scorePoint(model: IsolationForestModel, point: readonly number[]): number {
  const norm = averagePathLength(model.sample_size)
  if (norm === 0 || model.trees.length === 0) return 0.5
  let total = 0
  for (const tree of model.trees) total += pathLength(tree, point)
  return 2 ** -(total / model.trees.length / norm)
}

function pathLength(tree: IsolationTree, point: readonly number[]): number {
  let node = 0
  let depth = 0
  for (;;) {
    const feature = tree.feature[node] ?? -1
    if (feature < 0) return depth + averagePathLength(tree.size[node] ?? 1)
    node =
      (point[feature] ?? 0) < (tree.threshold[node] ?? 0) ? (tree.left[node] ?? 0) : (tree.right[node] ?? 0)
    depth++
  }
}

function buildTree(
  data: readonly number[][],
  sampleSize: number,
  heightLimit: number,
  next: () => number
): IsolationTree {
  // Sample without replacement: a partial Fisher-Yates shuffle of row indices.
  const indices = [...data.keys()]
  for (let i = 0; i < sampleSize; i++) {
    const j = i + randomInt(next, indices.length - i)
    const tmp = indices[i] ?? 0
    indices[i] = indices[j] ?? 0
    indices[j] = tmp
  }
  const tree: IsolationTree = { feature: [], threshold: [], left: [], right: [], size: [] }
  const grow = (members: number[], depth: number): number => {
    const id = tree.feature.length
    tree.feature.push(-1)
    tree.threshold.push(0)
    tree.left.push(-1)
    tree.right.push(-1)
    tree.size.push(members.length)
    if (depth >= heightLimit || members.length <= 1) return id
    const width = data[members[0] ?? 0]?.length ?? 0
    const splittable: { feature: number; min: number; max: number }[] = []
    for (let f = 0; f < width; f++) {
      let min = Infinity
      let max = -Infinity
      for (const m of members) {
        const v = data[m]?.[f] ?? 0
        if (v < min) min = v
        if (v > max) max = v
      }
      if (max > min) splittable.push({ feature: f, min, max })
    }
    if (splittable.length === 0) return id
    const split = splittable[randomInt(next, splittable.length)] ?? { feature: 0, min: 0, max: 0 }
    let threshold = split.min + next() * (split.max - split.min)
    if (!(threshold > split.min)) threshold = (split.min + split.max) / 2
    const left = members.filter((m) => (data[m]?.[split.feature] ?? 0) < threshold)
    const right = members.filter((m) => (data[m]?.[split.feature] ?? 0) >= threshold)
    tree.feature[id] = split.feature
    tree.threshold[id] = threshold
    tree.left[id] = grow(left, depth + 1)
    tree.right[id] = grow(right, depth + 1)
    return id
  }
  grow(indices.slice(0, sampleSize), 0)
  return tree
}
