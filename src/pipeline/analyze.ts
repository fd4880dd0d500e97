import { analyzeRegression } from '../gate/index.js'
import type { GateOptions, GateResult } from '../gate/types.js'
import {
  scoreIsolationForest,
  scoreKMeans,
  trainFromProfile,
  featureRows,
  toRunRecord,
  type ClusterAssignment,
  type OutlierScore,
  type TrainOptions
} from '../models/index.js'
import type { BaselineModel, IsolationForestModel, KMeansModel } from '../models/types.js'
import type { SyscallProfile } from '../tracing/types.js'

/** What to work out about one run, beside the verdict. */
export interface AnalysisOptions {
  gate: Partial<GateOptions>
  train: Partial<TrainOptions>
  /** Report the k-means clustering (renacer's --ml-anomaly). */
  mlAnomaly: boolean
  /** Report isolation-forest outliers (--ml-outliers). */
  mlOutliers: boolean
}

export interface RunAnalysis {
  gate: GateResult
  /** k-means of this run: against the stored model when there is one (no retraining), else trained on this run. */
  kmeans: { model: KMeansModel; assignments: ClusterAssignment[]; source: 'baseline' | 'this-run' } | null
  outliers: { model: IsolationForestModel; scores: OutlierScore[]; source: 'baseline' | 'this-run' } | null
}

/**
 * The verdict of `profile` against `baseline` (null: no baseline, verdict `no-baseline`), plus the ML views the
 * options ask for. Pure: the same inputs give the same analysis.
 */
export function analyzeRun(
  profile: SyscallProfile,
  baseline: BaselineModel | null,
  options: AnalysisOptions
): RunAnalysis {
  const gate = analyzeRegression(baseline, profile, options.gate)
  if (!options.mlAnomaly && !options.mlOutliers) return { gate, kmeans: null, outliers: null }

  // A stored model scores the run as it is; without one, the run is clustered on its own (nothing is saved).
  const source = baseline !== null && baseline.kmeans !== null ? 'baseline' : 'this-run'
  const models = source === 'baseline' ? baseline! : trainFromProfile(profile, {}, 0, options.train)
  const rows = featureRows(toRunRecord(profile))
  return {
    gate,
    kmeans:
      options.mlAnomaly && models.kmeans !== null
        ? { model: models.kmeans, assignments: scoreKMeans(models.kmeans, rows), source }
        : null,
    outliers:
      options.mlOutliers && models.iforest !== null
        ? { model: models.iforest, scores: scoreIsolationForest(models.iforest, rows), source }
        : null
  }
}
