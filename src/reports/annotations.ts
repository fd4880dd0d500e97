import type { Finding } from '../gate/types.js'
import { findingLine, quiet } from './gate-text.js'
import type { JsonReport } from './report.js'

export interface Annotation {
  level: 'error' | 'warning' | 'notice'
  title: string
  message: string
}

/** About ten error annotations at most; the rest are counted in one more, and all are in the summary. */
export const MAX_ERROR_ANNOTATIONS = 10
const MAX_WARNING_ANNOTATIONS = 5

/**
 * The annotations of a report, as data. The caller emits them through @actions/core, which escapes them for
 * workflow commands; here the trace's text is only kept on one line and from printing the fail word.
 */
export function annotationsFor(report: JsonReport): Annotation[] {
  const out: Annotation[] = []
  const failing: Finding[] = [...report.regressions]
  if (report.verdict === 'regression' && report.fail_on === 'anomaly') failing.push(...report.anomalies)
  for (const f of failing.slice(0, MAX_ERROR_ANNOTATIONS)) {
    const subject = f.syscall === '*' ? (f.executable ?? 'all syscalls') : f.syscall
    out.push({
      level: 'error',
      title: `REGRESSION: ${oneLine(quiet(subject))}`,
      message: oneLine(findingLine(f).trim().replace(/^- /, ''))
    })
  }
  if (failing.length > MAX_ERROR_ANNOTATIONS) {
    out.push({
      level: 'error',
      title: `REGRESSION: ${failing.length - MAX_ERROR_ANNOTATIONS} more`,
      message: `${failing.length - MAX_ERROR_ANNOTATIONS} more finding(s): see the job summary and the JSON report.`
    })
  }
  const warnings = [...report.warnings, ...(report.fail_on === 'anomaly' ? [] : report.anomalies)]
  for (const w of warnings.slice(0, MAX_WARNING_ANNOTATIONS)) {
    out.push({
      level: 'warning',
      title: `renacer: ${oneLine(quiet(w.syscall === '*' ? 'all syscalls' : w.syscall))}`,
      message: oneLine(quiet(w.detail))
    })
  }
  if (warnings.length > MAX_WARNING_ANNOTATIONS) {
    out.push({
      level: 'warning',
      title: 'renacer: more warnings',
      message: `${warnings.length - MAX_WARNING_ANNOTATIONS} more warning(s) in the job summary.`
    })
  }
  return out
}

function oneLine(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ')
  return flat.length > 300 ? `${flat.slice(0, 299)}…` : flat
}
