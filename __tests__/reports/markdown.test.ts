import { describe, expect, it } from '@jest/globals'
import type { Finding } from '../../src/gate/types.js'
import { annotationsFor, MAX_ERROR_ANNOTATIONS } from '../../src/reports/annotations.js'
import {
  changeBar,
  escapeMarkdown,
  renderJobSummary,
  SUMMARY_LIMIT_BYTES
} from '../../src/reports/markdown.js'
import type { JsonReport } from '../../src/reports/report.js'

function finding(
  syscall: string,
  baseline: number,
  current: number,
  executable: string | null = null
): Finding {
  return {
    syscall,
    metric: 'calls',
    baseline,
    current,
    change_pct: baseline === 0 ? null : Math.round(((current - baseline) / baseline) * 1000) / 10,
    executable,
    executable_share: executable === null ? null : 1,
    kind: 'regression',
    change: baseline === 0 ? 'new' : 'increase',
    detail: 'grew'
  }
}

function report(regressions: Finding[], processes: JsonReport['summary']['processes'] = []): JsonReport {
  return {
    tool: { name: 'renacer-action', version: '0' },
    command: ['make'],
    runs: 1,
    summary: {
      syscalls: [],
      processes,
      process_count: 1,
      thread_count: 0,
      wall_ms: 1000,
      exit_code: 0,
      signal: null,
      traced: 'all'
    },
    verdict: regressions.length > 0 ? 'regression' : 'pass',
    fails: regressions.length > 0,
    fail_on: 'regression',
    regressions,
    improvements: [],
    warnings: [],
    anomalies: [],
    baseline: {
      source: 'b',
      runs: 3,
      run_id: '42',
      url: 'https://example.test/r/42',
      sha: 'abcdef0123456789'
    },
    ml: { kmeans: null, outliers: null }
  }
}

describe('escapeMarkdown', () => {
  it.each([
    ['/usr/bin/cc1', '/usr/bin/cc1'],
    ['a|b', 'a\\|b'],
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
    ['[click](https://evil.test)', '\\[click\\](https://evil.test)'],
    ['two\nlines\r\n', 'two lines '],
    ['*bold* _it_ `code` ~x~', '\\*bold\\* \\_it\\_ \\`code\\` \\~x\\~']
  ])('%j', (input, expected) => {
    expect(escapeMarkdown(input)).toBe(expected)
  })

  it('bounds the length of any text from the trace', () => {
    expect(escapeMarkdown('x'.repeat(10_000)).length).toBeLessThanOrEqual(160)
  })
})

describe('changeBar', () => {
  it('grows with the change and is capped', () => {
    expect(changeBar(20).length).toBeLessThan(changeBar(300).length)
    expect(changeBar(1e9)).toBe(changeBar(100_000))
    expect(changeBar(null).length).toBeGreaterThan(0)
  })
})

describe('renderJobSummary', () => {
  it('shows the verdict, the largest change first, the executable and the baseline run link', () => {
    const md = renderJobSummary(
      report([finding('write', 100, 120, '/bin/x'), finding('openat', 3990, 4790, '/usr/lib/gcc/cc1')]),
      { mode: 'check', notes: [] }
    )
    expect(md).toMatch(/^## renacer-action: .*REGRESSION/)
    const openat = md.indexOf('| openat |')
    expect(openat).toBeGreaterThan(0)
    expect(openat).toBeLessThan(md.indexOf('| write |'))
    expect(md).toContain('| 3,990 | 4,790 | +20.1% |')
    expect(md).toContain('/usr/lib/gcc/cc1')
    expect(md).toContain('[run 42](https://example.test/r/42)')
  })

  it('keeps hostile executable names inert', () => {
    const md = renderJobSummary(report([finding('openat', 10, 100, '/tmp/<script>|x|[a](b)')]), {
      mode: 'check',
      notes: []
    })
    expect(md).not.toContain('<script>')
    expect(md).toContain('&lt;script&gt;\\|x\\|\\[a\\](b)')
  })

  it('stays within the size limit whatever the trace held', () => {
    const many = Array.from({ length: 5000 }, (_, i) =>
      finding(`sys_${i}_${'y'.repeat(300)}`, 10, 100, `/p/${'z'.repeat(400)}`)
    )
    const processes = Array.from({ length: 5000 }, (_, i) => ({
      executable: `/bin/${i}${'q'.repeat(500)}`,
      processes: 1,
      calls: 1,
      errors: 0,
      syscalls: {}
    }))
    const md = renderJobSummary(report(many, processes), { mode: 'check', notes: ['n'.repeat(100_000)] })
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES)
    expect(md).toMatch(/and 4970 more in the JSON report/)
  })
})

describe('annotationsFor', () => {
  it('emits about ten REGRESSION errors and summarises the rest in one', () => {
    const found = Array.from({ length: 25 }, (_, i) => finding(`s${i}`, 10, 100, '/bin/y'))
    const errors = annotationsFor(report(found)).filter((a) => a.level === 'error')
    expect(errors).toHaveLength(MAX_ERROR_ANNOTATIONS + 1)
    expect(errors[0]!.title).toBe('REGRESSION: s0')
    expect(errors[MAX_ERROR_ANNOTATIONS]!.title).toBe('REGRESSION: 15 more')
  })

  it('never lets trace text print the fail word or break the line', () => {
    const [a] = annotationsFor(report([finding('REGRESSION\nfake', 10, 100, '/x/REGRESSION')]))
    expect(a!.title).toBe('REGRESSION: Regression fake')
    expect(a!.message).not.toMatch(/REGRESSION|\n/)
  })

  it('has no error annotation when nothing regressed', () => {
    expect(annotationsFor(report([])).filter((a) => a.level === 'error')).toEqual([])
  })
})
