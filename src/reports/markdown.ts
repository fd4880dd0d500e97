import type { Finding } from '../gate/types.js'
import type { JsonReport } from './report.js'

/** GitHub refuses a step summary over 1 MiB; stay well under it whatever the trace held. */
export const SUMMARY_LIMIT_BYTES = 512 * 1024
const MAX_ROWS = 30
const MAX_TEXT = 160
const BAR_WIDTH = 12

/**
 * Escapes text from the trace (paths, program names, syscall names) for a markdown table cell: no HTML, no
 * links or emphasis, no cell breaks, one line, bounded length.
 */
export function escapeMarkdown(text: string): string {
  const oneLine = text.replace(/[\r\n\t]+/g, ' ')
  const short = oneLine.length > MAX_TEXT ? `${oneLine.slice(0, MAX_TEXT - 1)}…` : oneLine
  return short
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|~])/g, '\\$1')
}

/** A bar that reads at a glance: one block per 25% of change, capped, so +20% and +300% look different. */
export function changeBar(changePct: number | null): string {
  if (changePct === null) return '█'.repeat(BAR_WIDTH)
  const blocks = Math.max(1, Math.min(BAR_WIDTH, Math.round(Math.abs(changePct) / 25)))
  return '█'.repeat(blocks)
}

function fmtValue(f: Finding, v: number): string {
  if (f.metric === 'time_us') return `${(v / 1000).toFixed(1)} ms`
  if (f.metric === 'cluster' || f.metric === 'outlier_score') return v.toFixed(3)
  return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toFixed(1)
}

function fmtChange(f: Finding): string {
  if (f.change === 'new') return 'new'
  if (f.change === 'gone') return 'gone'
  return f.change_pct === null ? '' : `${f.change_pct >= 0 ? '+' : ''}${f.change_pct.toFixed(1)}%`
}

function table(findings: readonly Finding[]): string[] {
  const rows = [...findings].sort(
    (a, b) => Math.abs(b.current - b.baseline) - Math.abs(a.current - a.baseline)
  )
  const out = [
    '| syscall | metric | baseline | now | change | | most from |',
    '|---|---|--:|--:|--:|:--|---|'
  ]
  for (const f of rows.slice(0, MAX_ROWS)) {
    const subject = f.syscall === '*' ? '(all)' : f.syscall
    out.push(
      `| ${escapeMarkdown(subject)} | ${f.metric} | ${fmtValue(f, f.baseline)} | ${fmtValue(f, f.current)} | ` +
        `${fmtChange(f)} | ${changeBar(f.change_pct)} | ${f.executable === null ? '' : escapeMarkdown(f.executable)} |`
    )
  }
  if (rows.length > MAX_ROWS) out.push(`\n_…and ${rows.length - MAX_ROWS} more in the JSON report._`)
  return out
}

const HEADLINES: Record<JsonReport['verdict'], string> = {
  regression: '🔴 REGRESSION',
  improvement: '🟢 improvement',
  pass: '✅ pass',
  'no-baseline': '⚪ no baseline yet'
}

/** The job summary: verdict, the largest changes with bars and the executables behind them, the baseline's run. */
export function renderJobSummary(
  report: JsonReport,
  extra: { mode: string; notes: readonly string[]; command?: string }
): string {
  const s = report.summary
  const lines = [`## renacer-action: ${HEADLINES[report.verdict]}`, '']
  lines.push(
    `Command ${escapeMarkdown(extra.command ?? report.command.join(' '))} ran ${report.runs} time(s) in ` +
      `${(s.wall_ms / 1000).toFixed(1)} s: ${s.syscalls.reduce((a, r) => a + r.calls, 0).toLocaleString('en-US')} ` +
      `syscalls, ${s.process_count} process(es), exit code ${s.exit_code}. Mode: ${escapeMarkdown(extra.mode)}.`
  )
  const b = report.baseline
  if (b !== null) {
    const run =
      b.run_id === null
        ? ''
        : b.url === null
          ? ` from run ${escapeMarkdown(b.run_id)}`
          : ` from [run ${escapeMarkdown(b.run_id)}](${encodeURI(b.url)})`
    const sha = b.sha === null ? '' : ` at ${escapeMarkdown(b.sha.slice(0, 12))}`
    lines.push('', `Baseline: ${b.runs} run(s)${run}${sha}.`)
  }
  for (const note of extra.notes) lines.push('', `> ${escapeMarkdown(note)}`)
  if (report.regressions.length > 0) lines.push('', '### What grew', '', ...table(report.regressions))
  if (report.fail_on === 'anomaly' && report.verdict === 'regression' && report.anomalies.length > 0) {
    lines.push('', '### Anomalies (failing: fail-on anomaly)', '', ...table(report.anomalies))
  }
  if (report.improvements.length > 0) lines.push('', '### What shrank', '', ...table(report.improvements))
  if (report.warnings.length > 0) {
    lines.push('', '<details><summary>Warnings (not gated)</summary>', '')
    for (const w of report.warnings.slice(0, MAX_ROWS))
      lines.push(`- ${escapeMarkdown(w.syscall)} ${w.metric}: ${escapeMarkdown(w.detail)}`)
    lines.push('', '</details>')
  }
  const top = [...s.processes].slice(0, 8)
  if (top.length > 0) {
    lines.push(
      '',
      '<details><summary>Executables by syscalls</summary>',
      '',
      '| executable | processes | syscalls | failed |',
      '|---|--:|--:|--:|'
    )
    for (const e of top)
      lines.push(
        `| ${escapeMarkdown(e.executable)} | ${e.processes} | ${e.calls.toLocaleString('en-US')} | ${e.errors.toLocaleString('en-US')} |`
      )
    lines.push('', '</details>')
  }
  return capBytes(`${lines.join('\n')}\n`, SUMMARY_LIMIT_BYTES)
}

function capBytes(text: string, limit: number): string {
  if (Buffer.byteLength(text) <= limit) return text
  const note = '\n\n_Summary truncated: the JSON report has everything._\n'
  let cut = text.slice(0, limit - note.length)
  while (Buffer.byteLength(cut) > limit - note.length) cut = cut.slice(0, -1024)
  return cut.slice(0, cut.lastIndexOf('\n')) + note
}
