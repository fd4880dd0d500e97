/**
 * Shape checks for the stored models, run on every save (so nothing unloadable is ever written) and on every load
 * (so a loaded model can never crash or hang the scorer): types, consistent lengths, finite numbers where the maths
 * needs them, integer indexes in range, and trees that are trees (no cycles, no shared nodes).
 */
import type {
  BaselineModel,
  BaselineWindow,
  IsolationForestModel,
  KMeansModel,
  RunRecord
} from '../models/types.js'
import { ModelDataError } from './binary.js'

/** Keys refused anywhere (JSON metadata and the string maps of model data): they reach Object.prototype. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])

const LONE_SURROGATE = /[\uD800-\uDFFF]/u
const MAX_I32 = 0x7fffffff
const MIN_I32 = -0x80000000
const MAX_U32 = 0xffffffff

function fail(path: string, what: string): never {
  throw new ModelDataError(`${path} ${what}`)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function checkObject(value: unknown, path: string): Record<string, unknown> {
  if (!isRecord(value)) fail(path, 'is not an object')
  return value
}

function checkString(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(path, 'is not a string')
  if (LONE_SURROGATE.test(value)) fail(path, 'is not valid Unicode (unpaired surrogate)')
  return value
}

function checkNumber(value: unknown, path: string): number {
  if (typeof value !== 'number') fail(path, 'is not a number')
  return value
}

function checkFinite(value: unknown, path: string): number {
  const n = checkNumber(value, path)
  if (!Number.isFinite(n)) fail(path, `is ${n}, not a finite number`)
  return n
}

function checkInteger(value: unknown, path: string, min: number, max: number): number {
  const n = checkNumber(value, path)
  if (!Number.isInteger(n) || n < min || n > max) fail(path, `is ${n}, not an integer in [${min}, ${max}]`)
  return n
}

function checkArray(value: unknown, path: string, length?: number): unknown[] {
  if (!Array.isArray(value)) fail(path, 'is not an array')
  if (length !== undefined && value.length !== length)
    fail(path, `has ${value.length} items, expected ${length}`)
  return value
}

function checkStrings(value: unknown, path: string, length?: number): void {
  checkArray(value, path, length).forEach((s, i) => checkString(s, `${path}[${i}]`))
}

function checkFinites(value: unknown, path: string, length: number): void {
  const a = checkArray(value, path, length)
  for (let i = 0; i < a.length; i++) checkFinite(a[i], `${path}[${i}]`)
}

function checkKey(key: string, path: string): void {
  if (FORBIDDEN_KEYS.has(key)) fail(path, `has the forbidden key ${JSON.stringify(key)}`)
  checkString(key, `${path} key ${JSON.stringify(key)}`)
}

/** Scaling shared by both models: `feature_names`, `scale_mean`, `scale_std` (finite, never 0). Returns the width. */
function checkScaling(model: Record<string, unknown>, path: string): number {
  const names = checkArray(model.feature_names, `${path}.feature_names`)
  if (names.length === 0) fail(`${path}.feature_names`, 'is empty')
  checkStrings(names, `${path}.feature_names`)
  const width = names.length
  checkFinites(model.scale_mean, `${path}.scale_mean`, width)
  checkFinites(model.scale_std, `${path}.scale_std`, width)
  ;(model.scale_std as number[]).forEach((s, i) => {
    if (s === 0) fail(`${path}.scale_std[${i}]`, 'is 0')
  })
  return width
}

export function assertKMeansModel(value: unknown, path = 'kmeans'): asserts value is KMeansModel {
  const model = checkObject(value, path)
  const width = checkScaling(model, path)
  const centroids = checkArray(model.centroids, `${path}.centroids`)
  if (centroids.length === 0) fail(`${path}.centroids`, 'is empty')
  centroids.forEach((row, i) => checkFinites(row, `${path}.centroids[${i}]`, width))
  const k = centroids.length
  const syscalls = checkArray(model.syscalls, `${path}.syscalls`)
  checkStrings(syscalls, `${path}.syscalls`)
  const assignments = checkArray(model.assignments, `${path}.assignments`, syscalls.length)
  assignments.forEach((a, i) => checkInteger(a, `${path}.assignments[${i}]`, 0, k - 1))
  checkArray(model.anomalous_clusters, `${path}.anomalous_clusters`).forEach((c, i) =>
    checkInteger(c, `${path}.anomalous_clusters[${i}]`, 0, k - 1)
  )
  checkNumber(model.silhouette, `${path}.silhouette`)
  checkNumber(model.seed, `${path}.seed`)
}

/** One flattened tree: node 0 is the root; every internal node's children are in range and reached only once. */
function checkTree(value: unknown, path: string, width: number): void {
  const tree = checkObject(value, path)
  const feature = checkArray(tree.feature, `${path}.feature`)
  const m = feature.length
  if (m === 0) fail(`${path}.feature`, 'is empty: a tree needs a root')
  const threshold = checkArray(tree.threshold, `${path}.threshold`, m)
  const left = checkArray(tree.left, `${path}.left`, m)
  const right = checkArray(tree.right, `${path}.right`, m)
  const size = checkArray(tree.size, `${path}.size`, m)
  for (let i = 0; i < m; i++) {
    const f = checkInteger(feature[i], `${path}.feature[${i}]`, MIN_I32, width - 1)
    checkInteger(left[i], `${path}.left[${i}]`, MIN_I32, MAX_I32)
    checkInteger(right[i], `${path}.right[${i}]`, MIN_I32, MAX_I32)
    checkInteger(size[i], `${path}.size[${i}]`, 0, MAX_U32)
    if (f >= 0) {
      checkFinite(threshold[i], `${path}.threshold[${i}]`)
      checkInteger(left[i], `${path}.left[${i}]`, 0, m - 1)
      checkInteger(right[i], `${path}.right[${i}]`, 0, m - 1)
    } else {
      checkNumber(threshold[i], `${path}.threshold[${i}]`)
    }
  }
  // Walk from the root: a node reached twice is a cycle or a shared subtree, either of which could hang a scorer.
  const seen = new Uint8Array(m)
  const stack = [0]
  seen[0] = 1
  while (stack.length > 0) {
    const i = stack.pop() as number
    if ((feature[i] as number) < 0) continue
    for (const child of [left[i] as number, right[i] as number]) {
      if (seen[child] === 1) fail(`${path}`, `reaches node ${child} twice (a cycle or a shared subtree)`)
      seen[child] = 1
      stack.push(child)
    }
  }
}

export function assertIsolationForestModel(
  value: unknown,
  path = 'iforest'
): asserts value is IsolationForestModel {
  const model = checkObject(value, path)
  const width = checkScaling(model, path)
  const trees = checkArray(model.trees, `${path}.trees`)
  if (trees.length === 0) fail(`${path}.trees`, 'is empty')
  const nTrees = checkNumber(model.n_trees, `${path}.n_trees`)
  if (nTrees !== trees.length)
    fail(`${path}.n_trees`, `is ${nTrees}, but the forest holds ${trees.length} trees`)
  checkInteger(model.sample_size, `${path}.sample_size`, 1, MAX_U32)
  checkFinite(model.contamination, `${path}.contamination`)
  checkNumber(model.seed, `${path}.seed`)
  const threshold = checkNumber(model.score_threshold, `${path}.score_threshold`)
  if (Number.isNaN(threshold)) fail(`${path}.score_threshold`, 'is NaN')
  trees.forEach((t, i) => checkTree(t, `${path}.trees[${i}]`, width))
}

function checkStringMap(value: unknown, path: string, item: (v: unknown, path: string) => void): void {
  const map = checkObject(value, path)
  if (Object.getPrototypeOf(map) !== Object.prototype && Object.getPrototypeOf(map) !== null) {
    fail(path, 'is not a plain object')
  }
  for (const key of Object.keys(map)) {
    checkKey(key, path)
    item(map[key], `${path}[${JSON.stringify(key)}]`)
  }
}

function checkTuple(value: unknown, path: string, length: number): void {
  const t = checkArray(value, path, length)
  for (let i = 0; i < length; i++) checkFinite(t[i], `${path}[${i}]`)
}

function checkRun(value: unknown, path: string): asserts value is RunRecord {
  const run = checkObject(value, path)
  checkFinite(run.recorded_at, `${path}.recorded_at`)
  checkFinite(run.wall_ms, `${path}.wall_ms`)
  checkFinite(run.exit_code, `${path}.exit_code`)
  checkStringMap(run.labels, `${path}.labels`, checkString)
  checkStringMap(run.syscalls, `${path}.syscalls`, (v, p) => checkTuple(v, p, 3))
  checkStringMap(run.executables, `${path}.executables`, (v, p) =>
    checkStringMap(v, p, (w, q) => checkTuple(w, q, 2))
  )
  checkStringMap(run.processes, `${path}.processes`, checkFinite)
}

export function assertBaselineWindow(value: unknown, path = 'window'): asserts value is BaselineWindow {
  const window = checkObject(value, path)
  checkInteger(window.capacity, `${path}.capacity`, 0, MAX_U32)
  checkArray(window.runs, `${path}.runs`).forEach((r, i) => checkRun(r, `${path}.runs[${i}]`))
}

export function assertBaselineModel(value: unknown, path = 'baseline'): asserts value is BaselineModel {
  const model = checkObject(value, path)
  assertBaselineWindow(model.window, `${path}.window`)
  if (model.kmeans !== null) assertKMeansModel(model.kmeans, `${path}.kmeans`)
  if (model.iforest !== null) assertIsolationForestModel(model.iforest, `${path}.iforest`)
}
