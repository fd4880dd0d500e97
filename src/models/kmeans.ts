import { kmeans } from 'ml-kmeans'
import type { KMeansModel } from './types.js'
import { FEATURE_NAMES, applyScaler, fitScaler, type FeatureRow } from './features.js'
import { mulberry32, randomInt } from './random.js'

export const DEFAULT_CLUSTERS = 3
export const DEFAULT_SEED = 42
/** Lloyd iterations are capped so that training time and the result never depend on convergence luck. */
export const KMEANS_MAX_ITERATIONS = 100

export interface KMeansOptions {
  clusters?: number
  seed?: number
}

/** Where one row of a profile falls in a trained model. */
export interface ClusterAssignment {
  syscall: string
  cluster: number
  /** Euclidean distance to the cluster's centroid, in scaled units. */
  distance: number
  anomalous: boolean
}

/**
 * Trains k-means on feature rows. Deterministic: the initial centroids come from a k-means++ pass driven by
 * mulberry32(seed) and the rows' given order (callers sort them), ml-kmeans then runs a capped number of Lloyd
 * iterations from those centroids, and clusters are renumbered by size (largest first) then by centroid.
 * k is clamped to the number of distinct rows.
 */
export function trainKMeans(rows: readonly FeatureRow[], options: KMeansOptions = {}): KMeansModel {
  const seed = (options.seed ?? DEFAULT_SEED) >>> 0
  const requested = Math.floor(options.clusters ?? DEFAULT_CLUSTERS)
  if (!(requested >= 1)) throw new RangeError(`clusters must be at least 1, got ${String(options.clusters)}`)
  if (rows.length === 0) throw new RangeError('k-means needs at least one feature row')
  const scaler = fitScaler(rows.map((r) => r.values))
  const data = rows.map((r) => applyScaler(scaler, r.values))
  const k = Math.min(requested, countDistinct(data))
  const initial = kmeansPlusPlus(data, k, seed)
  const result = kmeans(data, k, { initialization: initial, maxIterations: KMEANS_MAX_ITERATIONS, seed })
  const { centroids, assignments } = canonicalOrder(result.centroids, data, k)
  return {
    feature_names: [...FEATURE_NAMES],
    scale_mean: scaler.mean,
    scale_std: scaler.std,
    centroids,
    syscalls: rows.map((r) => r.syscall),
    assignments,
    anomalous_clusters: anomalousClusters(centroids, assignments),
    silhouette: silhouette(data, assignments, k),
    seed
  }
}

/** Assigns rows to the nearest centroid of a trained model. No retraining: the model is read only. */
export function scoreKMeans(model: KMeansModel, rows: readonly FeatureRow[]): ClusterAssignment[] {
  const scaler = { mean: model.scale_mean, std: model.scale_std }
  return rows.map((row) => {
    const point = applyScaler(scaler, row.values)
    const [cluster, distance] = nearest(model.centroids, point)
    return { syscall: row.syscall, cluster, distance, anomalous: model.anomalous_clusters.includes(cluster) }
  })
}

/**
 * The anomalous cluster is the one whose centroid lies farthest from the mean of all rows (the origin of the
 * scaled space), provided it holds less than half of the rows: a cluster holding most syscalls is the bulk,
 * not an anomaly. One cluster at most; none when k is 1.
 */
export function anomalousClusters(centroids: readonly number[][], assignments: readonly number[]): number[] {
  if (centroids.length < 2) return []
  let best = -1
  let bestNorm = -1
  centroids.forEach((c, i) => {
    const norm = Math.hypot(...c)
    if (norm > bestNorm) {
      bestNorm = norm
      best = i
    }
  })
  const size = assignments.filter((a) => a === best).length
  return size * 2 < assignments.length ? [best] : []
}

/** Mean silhouette coefficient (Euclidean); 0 when there are fewer than 2 clusters. Singletons count as 0. */
export function silhouette(data: readonly number[][], assignments: readonly number[], k: number): number {
  if (k < 2 || data.length < 2) return 0
  let total = 0
  for (let i = 0; i < data.length; i++) {
    const sums = new Array<number>(k).fill(0)
    const counts = new Array<number>(k).fill(0)
    for (let j = 0; j < data.length; j++) {
      if (i === j) continue
      const c = assignments[j] ?? 0
      sums[c] = (sums[c] ?? 0) + distance(data[i] ?? [], data[j] ?? [])
      counts[c] = (counts[c] ?? 0) + 1
    }
    const own = assignments[i] ?? 0
    if ((counts[own] ?? 0) === 0) continue
    const a = (sums[own] ?? 0) / (counts[own] ?? 1)
    let b = Infinity
    for (let c = 0; c < k; c++) {
      if (c !== own && (counts[c] ?? 0) > 0) b = Math.min(b, (sums[c] ?? 0) / (counts[c] ?? 1))
    }
    if (!Number.isFinite(b)) continue
    const denom = Math.max(a, b)
    total += denom > 0 ? (b - a) / denom : 0
  }
  return total / data.length
}

function kmeansPlusPlus(data: readonly number[][], k: number, seed: number): number[][] {
  const next = mulberry32(seed)
  const centers: number[][] = [[...(data[randomInt(next, data.length)] ?? [])]]
  const closest = data.map((p) => squared(p, centers[0] ?? []))
  while (centers.length < k) {
    const total = closest.reduce((a, b) => a + b, 0)
    let chosen = closest.findIndex((d) => d > 0)
    if (total > 0) {
      let target = next() * total
      for (let i = 0; i < closest.length; i++) {
        target -= closest[i] ?? 0
        if (target < 0 && (closest[i] ?? 0) > 0) {
          chosen = i
          break
        }
      }
    }
    const center = [...(data[chosen] ?? [])]
    centers.push(center)
    data.forEach((p, i) => {
      closest[i] = Math.min(closest[i] ?? Infinity, squared(p, center))
    })
  }
  return centers
}

function canonicalOrder(
  rawCentroids: readonly number[][],
  data: readonly number[][],
  k: number
): { centroids: number[][]; assignments: number[] } {
  const raw = data.map((p) => nearest(rawCentroids, p)[0])
  const sizes = new Array<number>(k).fill(0)
  for (const a of raw) sizes[a] = (sizes[a] ?? 0) + 1
  const order = [...Array(k).keys()].sort((x, y) => {
    const bySize = (sizes[y] ?? 0) - (sizes[x] ?? 0)
    if (bySize !== 0) return bySize
    const cx = rawCentroids[x] ?? []
    const cy = rawCentroids[y] ?? []
    for (let j = 0; j < cx.length; j++) if ((cx[j] ?? 0) !== (cy[j] ?? 0)) return (cx[j] ?? 0) - (cy[j] ?? 0)
    return x - y
  })
  const renumber = new Array<number>(k)
  order.forEach((old, fresh) => (renumber[old] = fresh))
  return {
    centroids: order.map((old) => [...(rawCentroids[old] ?? [])]),
    assignments: raw.map((a) => renumber[a] ?? 0)
  }
}

function nearest(centroids: readonly number[][], point: readonly number[]): [number, number] {
  let best = 0
  let bestD = Infinity
  centroids.forEach((c, i) => {
    const d = squared(c, point)
    if (d < bestD) {
      bestD = d
      best = i
    }
  })
  return [best, Math.sqrt(bestD)]
}

function countDistinct(data: readonly number[][]): number {
  return new Set(data.map((p) => p.join(','))).size
}

function squared(a: readonly number[], b: readonly number[]): number {
  let s = 0
  for (let j = 0; j < a.length; j++) s += ((a[j] ?? 0) - (b[j] ?? 0)) ** 2
  return s
}

function distance(a: readonly number[], b: readonly number[]): number {
  return Math.sqrt(squared(a, b))
}
