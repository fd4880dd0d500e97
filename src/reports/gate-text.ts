import type { GateResult, Finding } from '../gate/types.js'
import type { IsolationForestModel, KMeansModel } from '../models/types.js'
import type { ClusterAssignment, OutlierScore } from '../models/index.js'

/**
 * The word the seed's CI recipe greps for. Printed only on the lines of findings that fail the gate and on the
 * verdict line of a regression; every string that comes from outside (syscall names, paths, details) is passed
 * through `quiet` so that it can never print it by accident.
 */
const FAIL_WORD = 'REGRESSION'

/** `--ml-anomaly`: clusters, silhouette, and the syscalls of this run that fall in the anomalous cluster(s). */
export function renderMlAnomalyReport(model: KMeansModel, assignments: readonly ClusterAssignment[]): string {
  const lines = ['=== ML Anomaly Detection (k-means) ===']
  lines.push(`Clusters: ${model.centroids.length}   Silhouette score: ${model.silhouette.toFixed(3)}`)
  const sizes = model.centroids.map((_, c) => assignments.filter((a) => a.cluster === c).length)
  model.centroids.forEach((centroid, c) => {
    const features = centroid
      .map((v, j) => `${quiet(model.feature_names[j] ?? `f${j}`)}=${v.toFixed(2)}`)
      .join(', ')
    const flag = model.anomalous_clusters.includes(c) ? ' [anomalous]' : ''
    lines.push(`  Cluster ${c}: ${sizes[c] ?? 0} syscall(s)${flag} (centroid, scaled: ${features})`)
  })
  const flagged = [...assignments]
    .filter((a) => a.anomalous)
    .sort((a, b) => b.distance - a.distance || compare(a.syscall, b.syscall))
  if (model.anomalous_clusters.length === 0) {
    lines.push('No anomalous cluster: no cluster stands apart from the bulk.')
  } else if (flagged.length === 0) {
    lines.push(
      `Anomalous cluster(s) ${model.anomalous_clusters.join(', ')}: no syscall of this run falls in them.`
    )
  } else {
    lines.push(`Syscalls in the anomalous cluster(s) ${model.anomalous_clusters.join(', ')}:`)
    for (const a of flagged) {
      lines.push(`  - ${quiet(a.syscall)} (cluster ${a.cluster}, distance ${a.distance.toFixed(2)})`)
    }
  }
  return lines.join('\n') + '\n'
}

/** `--ml-outliers`: the syscalls of this run the isolation forest scores at or above its threshold. */
export function renderOutlierReport(model: IsolationForestModel, scores: readonly OutlierScore[]): string {
  const lines = ['=== ML Outliers (isolation forest) ===']
  lines.push(
    `Trees: ${model.n_trees}   Sample size: ${model.sample_size}   Contamination: ${model.contamination}   ` +
      `Score threshold: ${model.score_threshold.toFixed(3)}`
  )
  const outliers = scores
    .filter((s) => s.outlier)
    .sort((a, b) => b.score - a.score || compare(a.syscall, b.syscall))
  if (outliers.length === 0) lines.push('No outliers.')
  for (const s of outliers) lines.push(`  - ${quiet(s.syscall)} (score ${s.score.toFixed(3)})`)
  return lines.join('\n') + '\n'
}

/**
 * `=== Regression Analysis ===`: one line per finding. The fail word appears iff `result.verdict` is
 * `regression`: on regression lines, on anomaly lines when anomalies fail the gate, and on the verdict line.
 */
export function renderRegressionReport(result: GateResult): string {
  const lines = ['=== Regression Analysis ===']
  if (result.verdict === 'no-baseline') {
    lines.push(
      'No baseline runs to compare with: nothing is gated. Record one with --save-model or --update-model.'
    )
    return lines.join('\n') + '\n'
  }
  lines.push(`Baseline: ${result.baseline_runs} run(s)`)
  const anomaliesFail = result.verdict === 'regression' && result.fail_on === 'anomaly'
  for (const f of result.regressions) lines.push(`${findingLine(f)} - ${FAIL_WORD}`)
  if (anomaliesFail)
    for (const f of result.anomalies) lines.push(`${findingLine(f)} - ${FAIL_WORD} (anomaly)`)
  for (const f of result.improvements) lines.push(`${findingLine(f)} - improvement`)
  if (result.warnings.length > 0) {
    lines.push('Warnings (not gated):')
    for (const f of result.warnings) lines.push(`${findingLine(f)}: ${quiet(f.detail)}`)
  }
  if (!anomaliesFail && result.anomalies.length > 0) {
    lines.push('Anomalies (ML, not gated unless --fail-on anomaly):')
    for (const f of result.anomalies) lines.push(`  - ${quiet(f.syscall)}: ${quiet(f.detail)}`)
  }
  lines.push(verdictLine(result))
  return lines.join('\n') + '\n'
}

function verdictLine(result: GateResult): string {
  switch (result.verdict) {
    case 'regression': {
      const count = result.regressions.length + (result.fail_on === 'anomaly' ? result.anomalies.length : 0)
      const note = result.fails ? '' : ' (reported only: not failing)'
      return `Verdict: ${FAIL_WORD} (${count} finding${count === 1 ? '' : 's'})${note}`
    }
    case 'improvement':
      return `Verdict: improvement (${result.improvements.length} finding(s)), nothing worse`
    case 'pass':
      return 'Verdict: pass'
    case 'no-baseline':
      return 'Verdict: no baseline'
  }
}

/** `  - openat (calls: 3990 -> 4790, +20.1%, most from /usr/bin/cc1)`, without the trailing judgement. */
export function findingLine(f: Finding): string {
  const subject = f.syscall === '*' ? (f.executable ?? 'all syscalls') : f.syscall
  const parts = [`${metricLabel(f)}: ${value(f, f.baseline)} -> ${value(f, f.current)}`]
  if (f.change === 'new') parts.push(f.syscall === '*' ? 'new executable' : 'new')
  else if (f.change === 'gone') parts.push(f.syscall === '*' ? 'executable gone' : 'gone')
  else if (f.change_pct !== null) parts.push(`${f.change_pct >= 0 ? '+' : ''}${f.change_pct.toFixed(1)}%`)
  if (f.syscall !== '*' && f.executable !== null) {
    const share = f.executable_share ?? 0
    parts.push(
      share >= 0.5
        ? `most from ${quiet(f.executable)}`
        : `largest share from ${quiet(f.executable)} (${Math.round(share * 100)}%)`
    )
  }
  return `  - ${quiet(subject)} (${parts.join(', ')})`
}

function metricLabel(f: Finding): string {
  switch (f.metric) {
    case 'calls':
      return f.syscall === '*' ? 'syscalls' : 'calls'
    case 'errors':
      return 'errors'
    case 'time_us':
      return 'time'
    case 'cluster':
      return 'distance to centroid'
    case 'outlier_score':
      return 'outlier score'
    case 'exit_code':
      return 'exit code'
  }
}

function value(f: Finding, v: number): string {
  if (f.metric === 'time_us') return `${(v / 1000).toFixed(1)} ms`
  if (f.metric === 'cluster' || f.metric === 'outlier_score') return v.toFixed(3)
  return Number.isInteger(v) ? String(v) : v.toFixed(1)
}

/** Keeps outside text from printing the fail word (case-sensitive, as grep -q is). */
export function quiet(text: string): string {
  return text.replace(/REGRESSION/g, 'Regression')
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
