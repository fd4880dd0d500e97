import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { analyzeRegression } from '../../src/gate/index.js'
import type { Finding, GateResult } from '../../src/gate/index.js'
import { appendRun, scoreProfile, toRunRecord, trainBaselineModel } from '../../src/models/index.js'
import type { BaselineWindow } from '../../src/models/index.js'
import {
  findingLine,
  renderMlAnomalyReport,
  renderOutlierReport,
  renderRegressionReport
} from '../../src/reports/gate-text.js'
import { fixtureNames, loadProfile } from '../fixtures/gate/profile-fixture.js'

let window: BaselineWindow | null = null
for (const name of ['cbuild-clean-1', 'cbuild-clean-2'])
  window = appendRun(window, toRunRecord(loadProfile(name)))
const model = trainBaselineModel(window as BaselineWindow, { trees: 30 })

describe('Regression Analysis text', () => {
  test('one line per finding in the documented shape', () => {
    const finding: Finding = {
      syscall: 'openat',
      metric: 'calls',
      baseline: 3990,
      current: 4790,
      change_pct: 20.1,
      executable: '/usr/bin/cc1',
      executable_share: 0.9,
      kind: 'regression',
      change: 'increase',
      detail: ''
    }
    expect(findingLine(finding)).toBe('  - openat (calls: 3990 -> 4790, +20.1%, most from /usr/bin/cc1)')
  })

  test.each(fixtureNames('cbuild-'))('%s: REGRESSION printed iff the verdict is regression', (name) => {
    const result = analyzeRegression(model, loadProfile(name))
    const text = renderRegressionReport(result)
    expect(text.startsWith('=== Regression Analysis ===\n')).toBe(true)
    expect(text.includes('REGRESSION')).toBe(result.verdict === 'regression')
    for (const f of result.regressions) expect(text).toContain(`${findingLine(f)} - REGRESSION`)
  })

  const finding = fc.record({
    syscall: fc.oneof(fc.constantFrom('openat', '*', 'REGRESSION', 'xREGRESSIONx'), fc.string()),
    metric: fc.constantFrom('calls', 'errors', 'time_us', 'cluster', 'outlier_score', 'exit_code' as const),
    baseline: fc.nat(),
    current: fc.nat(),
    change_pct: fc.option(fc.double({ min: -100, max: 1e4, noNaN: true })),
    executable: fc.option(fc.oneof(fc.constant('/tmp/REGRESSION/bin'), fc.string())),
    executable_share: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
    kind: fc.constantFrom('regression', 'improvement', 'warning', 'anomaly' as const),
    change: fc.constantFrom('increase', 'decrease', 'new', 'gone' as const),
    detail: fc.oneof(fc.string(), fc.constant('REGRESSION in a detail'))
  })

  test('property: the word appears iff the verdict is regression, whatever the names and details', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('pass', 'regression', 'improvement', 'no-baseline' as const),
        fc.constantFrom('regression', 'anomaly', 'never' as const),
        fc.array(finding, { maxLength: 4 }),
        fc.array(finding, { maxLength: 4 }),
        fc.array(finding, { maxLength: 4 }),
        fc.array(finding, { maxLength: 4 }),
        (verdict, failOn, regressions, improvements, warnings, anomalies) => {
          // Only the combinations analyzeRegression can produce.
          const failing = regressions.length > 0 || (failOn === 'anomaly' && anomalies.length > 0)
          fc.pre((verdict === 'regression') === failing || verdict === 'no-baseline')
          const result: GateResult = {
            verdict,
            fails: verdict === 'regression' && failOn !== 'never',
            fail_on: failOn,
            regressions: verdict === 'no-baseline' ? [] : regressions,
            improvements,
            warnings,
            anomalies: verdict === 'no-baseline' ? [] : anomalies,
            baseline_runs: 1
          }
          expect(renderRegressionReport(result).includes('REGRESSION')).toBe(verdict === 'regression')
        }
      )
    )
  })
})

describe('ML reports', () => {
  test('k-means report: clusters, silhouette, the syscalls in the anomalous cluster', () => {
    const kmeans = model.kmeans
    if (!kmeans) throw new Error('no k-means model')
    const scores = scoreProfile(model, loadProfile('cbuild-sleep'))
    const text = renderMlAnomalyReport(kmeans, scores.clusters ?? [])
    expect(text).toContain(`Clusters: ${kmeans.centroids.length}`)
    expect(text).toContain(`Silhouette score: ${kmeans.silhouette.toFixed(3)}`)
    for (const a of (scores.clusters ?? []).filter((c) => c.anomalous))
      expect(text).toContain(`  - ${a.syscall} (cluster`)
    expect(text).not.toContain('REGRESSION')
  })

  test('isolation-forest report lists exactly the outliers, highest score first', () => {
    const iforest = model.iforest
    if (!iforest) throw new Error('no forest')
    const scores = scoreProfile(model, loadProfile('cbuild-sleep')).outliers ?? []
    const text = renderOutlierReport(iforest, scores)
    const listed = text.split('\n').filter((l) => l.startsWith('  - '))
    expect(listed).toHaveLength(scores.filter((s) => s.outlier).length)
    expect(text).not.toContain('REGRESSION')
  })
})
