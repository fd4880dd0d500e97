/**
 * Plain data of the trained models. src/models trains and scores them; src/apr stores them. Both sides import
 * these shapes from here and nothing else, so the format and the maths stay independent.
 */

/** One run, reduced to what the baseline keeps: counts and times per syscall and per executable. */
export interface RunRecord {
  /** Unix seconds when the run finished. */
  recorded_at: number
  /** Free-form provenance: commit sha, CI run id, ... (strings only). */
  labels: Record<string, string>
  wall_ms: number
  exit_code: number
  /** Per syscall: [calls, errors, total time in microseconds]. */
  syscalls: Record<string, [number, number, number]>
  /** Per executable, per syscall: [calls, errors]. */
  executables: Record<string, Record<string, [number, number]>>
  /** Distinct processes per executable. */
  processes: Record<string, number>
}

/** The last N runs of the default branch: the statistics the gate compares against. */
export interface BaselineWindow {
  /** How many runs the window keeps; the oldest is dropped first. */
  capacity: number
  /** Oldest first. */
  runs: RunRecord[]
}

/** k-means over per-syscall feature vectors (see FEATURE_NAMES), with the scaling it was trained with. */
export interface KMeansModel {
  feature_names: string[]
  /** Per feature: subtract mean, divide by scale (scale is never 0). */
  scale_mean: number[]
  scale_std: number[]
  /** k rows of feature_names.length columns, in scaled space. */
  centroids: number[][]
  /** Training rows: syscall name and the cluster it went to. */
  syscalls: string[]
  assignments: number[]
  /** Clusters flagged anomalous at training time. */
  anomalous_clusters: number[]
  silhouette: number
  seed: number
}

/** One isolation tree, flattened: node i is a leaf when feature[i] < 0. */
export interface IsolationTree {
  feature: number[]
  threshold: number[]
  left: number[]
  right: number[]
  /** Training samples that reached the node (used for the path-length correction at leaves). */
  size: number[]
}

export interface IsolationForestModel {
  feature_names: string[]
  scale_mean: number[]
  scale_std: number[]
  n_trees: number
  sample_size: number
  contamination: number
  seed: number
  /** Anomaly scores at or above this are outliers (the contamination quantile of the training scores). */
  score_threshold: number
  trees: IsolationTree[]
}

/** What one `.apr` baseline file written by the CLI or the action holds. */
export interface BaselineModel {
  window: BaselineWindow
  kmeans: KMeansModel | null
  iforest: IsolationForestModel | null
}
