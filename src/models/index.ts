import type { SyscallProfile } from '../tracing/types.js'
import type { BaselineModel, BaselineWindow, RunRecord } from './types.js'
import { appendRun, toRunRecord } from './baseline.js'
import { featureRows, windowFeatureRows } from './features.js'
import { DEFAULT_CLUSTERS, DEFAULT_SEED, scoreKMeans, trainKMeans, type ClusterAssignment } from './kmeans.js'
import {
  DEFAULT_CONTAMINATION,
  DEFAULT_TREES,
  scoreIsolationForest,
  trainIsolationForest,
  type OutlierScore
} from './iforest.js'

export type * from './types.js'
export {
  DEFAULT_WINDOW_CAPACITY,
  appendRun,
  baselineStats,
  compareNames,
  median,
  spreadOf,
  toRunRecord,
  type BaselineStats,
  type ExecutableBaseline,
  type ExecutableSyscallBaseline,
  type Spread,
  type SyscallBaseline
} from './baseline.js'
export {
  FEATURE_NAMES,
  MIN_SCALE,
  applyScaler,
  featureRows,
  fitScaler,
  windowFeatureRows,
  type FeatureRow,
  type Scaler
} from './features.js'
export {
  DEFAULT_CLUSTERS,
  DEFAULT_SEED,
  KMEANS_MAX_ITERATIONS,
  anomalousClusters,
  scoreKMeans,
  silhouette,
  trainKMeans,
  type ClusterAssignment,
  type KMeansOptions
} from './kmeans.js'
export {
  DEFAULT_CONTAMINATION,
  DEFAULT_TREES,
  MAX_SAMPLE_SIZE,
  averagePathLength,
  scoreIsolationForest,
  trainIsolationForest,
  type IsolationForestOptions,
  type OutlierScore
} from './iforest.js'
export { mulberry32 } from './random.js'

export interface TrainOptions {
  /** k of k-means (`--ml-clusters`), clamped to the number of distinct rows. */
  clusters: number
  /** Isolation trees (`--ml-outlier-trees`). */
  trees: number
  /** Expected share of outliers (`--ml-outlier-threshold`), in (0, 0.5]. */
  contamination: number
  seed: number
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  clusters: DEFAULT_CLUSTERS,
  trees: DEFAULT_TREES,
  contamination: DEFAULT_CONTAMINATION,
  seed: DEFAULT_SEED
}

/**
 * Trains both models on one feature row per (run, syscall) of the window: every run contributes its
 * syscalls, so a syscall's own run-to-run variation is part of what counts as normal. Rows are ordered by run
 * (oldest first) then by syscall name, so the same window always gives the same models, byte for byte.
 * The window itself is kept in the model: it is what the regression gate compares against.
 */
export function trainBaselineModel(
  window: BaselineWindow,
  options: Partial<TrainOptions> = {}
): BaselineModel {
  const opts = { ...DEFAULT_TRAIN_OPTIONS, ...options }
  const rows = windowFeatureRows(window.runs)
  if (rows.length === 0) return { window, kmeans: null, iforest: null }
  return {
    window,
    kmeans: trainKMeans(rows, { clusters: opts.clusters, seed: opts.seed }),
    iforest: trainIsolationForest(rows, {
      trees: opts.trees,
      contamination: opts.contamination,
      seed: opts.seed
    })
  }
}

/** `--save-model`: a fresh baseline from one run. */
export function trainFromProfile(
  profile: SyscallProfile,
  labels: Record<string, string>,
  recordedAt: number,
  options: Partial<TrainOptions> = {}
): BaselineModel {
  return trainBaselineModel(appendRun(null, toRunRecord(profile, labels, recordedAt)), options)
}

/** `--update-model`: append this run to the stored window (dropping the oldest beyond capacity), retrain. */
export function updateBaselineModel(
  model: BaselineModel | null,
  record: RunRecord,
  options: Partial<TrainOptions> = {}
): BaselineModel {
  return trainBaselineModel(appendRun(model?.window ?? null, record), options)
}

/** How one run scores against a stored model, without retraining (`--load-model`). */
export interface ProfileScores {
  clusters: ClusterAssignment[] | null
  outliers: OutlierScore[] | null
}

export function scoreProfile(model: BaselineModel, profile: SyscallProfile): ProfileScores {
  const rows = featureRows(toRunRecord(profile))
  return {
    clusters: model.kmeans ? scoreKMeans(model.kmeans, rows) : null,
    outliers: model.iforest ? scoreIsolationForest(model.iforest, rows) : null
  }
}
