/**
 * The model data of each model type: compact little-endian binary, specified byte by byte in docs/apr-format.md.
 * Numbers the models compute are Float64 (bit-exact round trips); counts and indexes are 32-bit integers; strings
 * are a u32 byte length and UTF-8; string maps are written in sorted key order, so equal models give equal bytes.
 * Every encoder validates first and every decoder validates last (validate.ts).
 */
import type {
  BaselineModel,
  BaselineWindow,
  IsolationForestModel,
  IsolationTree,
  KMeansModel,
  RunRecord
} from '../models/types.js'
import { ByteReader, ByteWriter, ModelDataError } from './binary.js'
import {
  FORBIDDEN_KEYS,
  assertBaselineModel,
  assertIsolationForestModel,
  assertKMeansModel
} from './validate.js'

// ---------------------------------------------------------------- k-means (model type 1)

function writeKMeans(w: ByteWriter, model: KMeansModel): void {
  const width = model.feature_names.length
  w.u32(width)
  w.u32(model.centroids.length)
  w.u32(model.syscalls.length)
  w.u32(model.anomalous_clusters.length)
  w.f64(model.silhouette)
  w.f64(model.seed)
  for (const name of model.feature_names) w.str(name)
  w.f64s(model.scale_mean)
  w.f64s(model.scale_std)
  for (const row of model.centroids) w.f64s(row)
  for (const name of model.syscalls) w.str(name)
  w.u32s(model.assignments)
  w.u32s(model.anomalous_clusters)
}

function readKMeans(r: ByteReader): KMeansModel {
  const width = r.u32('the feature count')
  const k = r.u32('the cluster count')
  const n = r.u32('the training row count')
  const a = r.u32('the anomalous cluster count')
  // Refuse counts the data cannot hold before allocating for them. A model has at least one feature: with none,
  // the clusters would cost no bytes and their count (up to 2^32 - 1) would be bounded by nothing.
  if (width === 0) throw new ModelDataError('k-means data claims 0 features: a model needs at least one')
  const least = width * (4 + 16) + k * width * 8 + n * 8 + a * 4 + 16
  if (least > r.remaining) {
    throw new ModelDataError(
      `k-means data claims ${width} features, ${k} clusters and ${n} rows: more than it holds`
    )
  }
  const silhouette = r.f64('silhouette')
  const seed = r.f64('seed')
  const feature_names = r.strs(width, 'feature_names')
  const scale_mean = r.f64s(width, 'scale_mean')
  const scale_std = r.f64s(width, 'scale_std')
  const centroids = new Array<number[]>(k)
  for (let i = 0; i < k; i++) centroids[i] = r.f64s(width, `centroids[${i}]`)
  const syscalls = r.strs(n, 'syscalls')
  const assignments = r.u32s(n, 'assignments')
  const anomalous_clusters = r.u32s(a, 'anomalous_clusters')
  return {
    feature_names,
    scale_mean,
    scale_std,
    centroids,
    syscalls,
    assignments,
    anomalous_clusters,
    silhouette,
    seed
  }
}

export function encodeKMeansModel(model: KMeansModel): Buffer {
  assertKMeansModel(model)
  const w = new ByteWriter(
    64 + model.centroids.length * model.feature_names.length * 8 + model.syscalls.length * 24
  )
  writeKMeans(w, model)
  return w.finish()
}

export function decodeKMeansModel(data: Uint8Array): KMeansModel {
  const r = new ByteReader(data)
  const model = readKMeans(r)
  r.end('k-means model')
  assertKMeansModel(model)
  return model
}

// ---------------------------------------------------------------- isolation forest (model type 2)

function writeIsolationForest(w: ByteWriter, model: IsolationForestModel): void {
  w.u32(model.feature_names.length)
  w.u32(model.trees.length)
  w.u32(model.sample_size)
  w.f64(model.contamination)
  w.f64(model.seed)
  w.f64(model.score_threshold)
  for (const name of model.feature_names) w.str(name)
  w.f64s(model.scale_mean)
  w.f64s(model.scale_std)
  for (const tree of model.trees) {
    w.u32(tree.feature.length)
    w.i32s(tree.feature)
    w.f64s(tree.threshold)
    w.i32s(tree.left)
    w.i32s(tree.right)
    w.u32s(tree.size)
  }
}

/** Bytes per tree node: feature i32, threshold f64, left i32, right i32, size u32. */
const NODE_BYTES = 4 + 8 + 4 + 4 + 4

function readIsolationForest(r: ByteReader): IsolationForestModel {
  const width = r.u32('the feature count')
  const t = r.u32('the tree count')
  if (width * 20 + t * (4 + NODE_BYTES) > r.remaining) {
    throw new ModelDataError(
      `isolation-forest data claims ${width} features and ${t} trees: more than it holds`
    )
  }
  const sample_size = r.u32('sample_size')
  const contamination = r.f64('contamination')
  const seed = r.f64('seed')
  const score_threshold = r.f64('score_threshold')
  const feature_names = r.strs(width, 'feature_names')
  const scale_mean = r.f64s(width, 'scale_mean')
  const scale_std = r.f64s(width, 'scale_std')
  const trees = new Array<IsolationTree>(t)
  for (let i = 0; i < t; i++) {
    const m = r.count(NODE_BYTES, `nodes of trees[${i}]`)
    trees[i] = {
      feature: r.i32s(m, `trees[${i}].feature`),
      threshold: r.f64s(m, `trees[${i}].threshold`),
      left: r.i32s(m, `trees[${i}].left`),
      right: r.i32s(m, `trees[${i}].right`),
      size: r.u32s(m, `trees[${i}].size`)
    }
  }
  return {
    feature_names,
    scale_mean,
    scale_std,
    n_trees: t,
    sample_size,
    contamination,
    seed,
    score_threshold,
    trees
  }
}

export function encodeIsolationForestModel(model: IsolationForestModel): Buffer {
  assertIsolationForestModel(model)
  const nodes = model.trees.reduce((sum, tree) => sum + tree.feature.length, 0)
  const w = new ByteWriter(64 + model.feature_names.length * 40 + model.trees.length * 4 + nodes * NODE_BYTES)
  writeIsolationForest(w, model)
  return w.finish()
}

export function decodeIsolationForestModel(data: Uint8Array): IsolationForestModel {
  const r = new ByteReader(data)
  const model = readIsolationForest(r)
  r.end('isolation-forest model')
  assertIsolationForestModel(model)
  return model
}

// ---------------------------------------------------------------- baseline (model type 3)

function sortedKeys(map: object): string[] {
  return Object.keys(map).sort()
}

/** Decoded string maps: keys are checked (no prototype keys, no duplicates) before they are set. */
function setKey<T>(map: Record<string, T>, key: string, value: T, what: string): void {
  if (FORBIDDEN_KEYS.has(key))
    throw new ModelDataError(`${what} has the forbidden key ${JSON.stringify(key)}`)
  if (Object.prototype.hasOwnProperty.call(map, key)) {
    throw new ModelDataError(`${what} holds the key ${JSON.stringify(key)} twice`)
  }
  map[key] = value
}

function writeRun(w: ByteWriter, run: RunRecord): void {
  w.f64(run.recorded_at)
  w.f64(run.wall_ms)
  w.f64(run.exit_code)
  const labels = sortedKeys(run.labels)
  w.u32(labels.length)
  for (const key of labels) {
    w.str(key)
    w.str(run.labels[key] as string)
  }
  const syscalls = sortedKeys(run.syscalls)
  w.u32(syscalls.length)
  for (const name of syscalls) {
    w.str(name)
    w.f64s(run.syscalls[name] as [number, number, number])
  }
  const executables = sortedKeys(run.executables)
  w.u32(executables.length)
  for (const exe of executables) {
    w.str(exe)
    const calls = run.executables[exe] as Record<string, [number, number]>
    const names = sortedKeys(calls)
    w.u32(names.length)
    for (const name of names) {
      w.str(name)
      w.f64s(calls[name] as [number, number])
    }
  }
  const processes = sortedKeys(run.processes)
  w.u32(processes.length)
  for (const exe of processes) {
    w.str(exe)
    w.f64(run.processes[exe] as number)
  }
}

function readRun(r: ByteReader, path: string): RunRecord {
  const recorded_at = r.f64(`${path}.recorded_at`)
  const wall_ms = r.f64(`${path}.wall_ms`)
  const exit_code = r.f64(`${path}.exit_code`)
  const labels: Record<string, string> = {}
  const nLabels = r.count(8, `${path}.labels`)
  for (let i = 0; i < nLabels; i++) {
    const key = r.str(`${path}.labels key`)
    setKey(labels, key, r.str(`${path}.labels value`), `${path}.labels`)
  }
  const syscalls: Record<string, [number, number, number]> = {}
  const nSyscalls = r.count(4 + 24, `${path}.syscalls`)
  for (let i = 0; i < nSyscalls; i++) {
    const name = r.str(`${path}.syscalls name`)
    const t = r.f64s(3, `${path}.syscalls[${JSON.stringify(name)}]`)
    setKey(syscalls, name, [t[0] as number, t[1] as number, t[2] as number], `${path}.syscalls`)
  }
  const executables: Record<string, Record<string, [number, number]>> = {}
  const nExecutables = r.count(8, `${path}.executables`)
  for (let i = 0; i < nExecutables; i++) {
    const exe = r.str(`${path}.executables name`)
    const calls: Record<string, [number, number]> = {}
    const n = r.count(4 + 16, `${path}.executables[${JSON.stringify(exe)}]`)
    for (let j = 0; j < n; j++) {
      const name = r.str(`${path}.executables syscall name`)
      const t = r.f64s(2, `${path}.executables[${JSON.stringify(exe)}][${JSON.stringify(name)}]`)
      setKey(calls, name, [t[0] as number, t[1] as number], `${path}.executables[${JSON.stringify(exe)}]`)
    }
    setKey(executables, exe, calls, `${path}.executables`)
  }
  const processes: Record<string, number> = {}
  const nProcesses = r.count(4 + 8, `${path}.processes`)
  for (let i = 0; i < nProcesses; i++) {
    const exe = r.str(`${path}.processes name`)
    setKey(processes, exe, r.f64(`${path}.processes[${JSON.stringify(exe)}]`), `${path}.processes`)
  }
  return { recorded_at, wall_ms, exit_code, labels, syscalls, executables, processes }
}

function writeWindow(w: ByteWriter, window: BaselineWindow): void {
  w.u32(window.capacity)
  w.u32(window.runs.length)
  for (const run of window.runs) writeRun(w, run)
}

function readWindow(r: ByteReader): BaselineWindow {
  const capacity = r.u32('window.capacity')
  const n = r.count(24 + 16, 'window.runs')
  const runs = new Array<RunRecord>(n)
  for (let i = 0; i < n; i++) runs[i] = readRun(r, `window.runs[${i}]`)
  return { capacity, runs }
}

const HAS_KMEANS = 1
const HAS_IFOREST = 2

export function encodeBaselineModel(model: BaselineModel): Buffer {
  assertBaselineModel(model)
  const w = new ByteWriter(4096)
  w.u8((model.kmeans === null ? 0 : HAS_KMEANS) | (model.iforest === null ? 0 : HAS_IFOREST))
  writeWindow(w, model.window)
  if (model.kmeans !== null) writeKMeans(w, model.kmeans)
  if (model.iforest !== null) writeIsolationForest(w, model.iforest)
  return w.finish()
}

export function decodeBaselineModel(data: Uint8Array): BaselineModel {
  const r = new ByteReader(data)
  const flags = r.u8('the baseline flags')
  if ((flags & ~(HAS_KMEANS | HAS_IFOREST)) !== 0) {
    throw new ModelDataError(`baseline flags 0x${flags.toString(16)} set unknown bits`)
  }
  const window = readWindow(r)
  const kmeans = (flags & HAS_KMEANS) !== 0 ? readKMeans(r) : null
  const iforest = (flags & HAS_IFOREST) !== 0 ? readIsolationForest(r) : null
  r.end('baseline model')
  const model: BaselineModel = { window, kmeans, iforest }
  assertBaselineModel(model)
  return model
}
