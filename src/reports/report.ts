import type { Finding, GateResult } from '../gate/types.js'
import type { RunAnalysis } from '../pipeline/analyze.js'
import type { SyscallProfile } from '../tracing/types.js'
import { toJsonSummary, type JsonSummary } from './json.js'

/** Where the baseline of a report came from. */
export interface BaselineInfo {
  /** The .apr file (CLI) or artifact name (action). */
  source: string
  runs: number
  run_id: string | null
  url: string | null
  sha: string | null
}

/** The JSON report: a public interface (docs/report-schema.md). Fields are only ever added. */
export interface JsonReport {
  tool: { name: 'renacer-action'; version: string }
  command: string[]
  /** How many times the command ran; the summary is the last run's. */
  runs: number
  summary: JsonSummary
  verdict: GateResult['verdict']
  /** True when the gate asks for a failing exit (verdict regression and fail-on not never). */
  fails: boolean
  fail_on: GateResult['fail_on']
  regressions: Finding[]
  improvements: Finding[]
  warnings: Finding[]
  anomalies: Finding[]
  baseline: BaselineInfo | null
  ml: {
    kmeans: {
      source: 'baseline' | 'this-run'
      clusters: number
      silhouette: number
      anomalous_clusters: number[]
      assignments: { syscall: string; cluster: number; distance: number; anomalous: boolean }[]
    } | null
    outliers: {
      source: 'baseline' | 'this-run'
      trees: number
      score_threshold: number
      scores: { syscall: string; score: number; outlier: boolean }[]
    } | null
  }
}

export function buildJsonReport(
  version: string,
  command: readonly string[],
  runs: number,
  profile: SyscallProfile,
  analysis: RunAnalysis,
  baseline: BaselineInfo | null
): JsonReport {
  const { gate, kmeans, outliers } = analysis
  return {
    tool: { name: 'renacer-action', version },
    command: [...command],
    runs,
    summary: toJsonSummary(profile),
    verdict: gate.verdict,
    fails: gate.fails,
    fail_on: gate.fail_on,
    regressions: gate.regressions,
    improvements: gate.improvements,
    warnings: gate.warnings,
    anomalies: gate.anomalies,
    baseline,
    ml: {
      kmeans:
        kmeans === null
          ? null
          : {
              source: kmeans.source,
              clusters: kmeans.model.centroids.length,
              silhouette: kmeans.model.silhouette,
              anomalous_clusters: kmeans.model.anomalous_clusters,
              assignments: kmeans.assignments
            },
      outliers:
        outliers === null
          ? null
          : {
              source: outliers.source,
              trees: outliers.model.n_trees,
              score_threshold: outliers.model.score_threshold,
              scores: outliers.scores
            }
    }
  }
}
