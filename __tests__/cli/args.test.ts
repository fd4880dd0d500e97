import { describe, expect, it } from '@jest/globals'
import { parseCli, splitCommand, UsageError } from '../../src/cli/args.js'

describe('splitCommand', () => {
  it.each([
    [['-c', '--', 'make', '-j2'], ['-c'], ['make', '-j2']],
    [['-c', 'make', '-j2'], ['-c'], ['make', '-j2']],
    [
      ['--baseline', 'b.apr', 'cargo', 'build', '--release'],
      ['--baseline', 'b.apr'],
      ['cargo', 'build', '--release']
    ],
    [
      ['-o', 'r.json', '--format', 'json', 'ls', '-la', '--', 'x'],
      ['-o', 'r.json', '--format', 'json', 'ls', '-la'],
      ['x']
    ],
    [['--runs', '3', '--', '--weird-program'], ['--runs', '3'], ['--weird-program']],
    [[], [], []]
  ])('%j', (argv, ours, command) => {
    expect(splitCommand(argv)).toEqual({ ours, command })
  })
})

describe('parseCli', () => {
  it('gives the documented defaults', () => {
    const request = parseCli(['--', 'true'])
    expect(request).toMatchObject({
      kind: 'trace',
      options: {
        command: ['true'],
        summary: false,
        format: 'text',
        output: null,
        mlClusters: 3,
        mlOutlierTrees: 100,
        mlOutlierThreshold: 0.1,
        window: 10,
        runs: 1,
        threshold: 0.1,
        failOn: 'regression',
        traceAll: false
      }
    })
  })

  it("reads the seed's three model commands", () => {
    for (const flag of ['--save-model', '--load-model', '--baseline'] as const) {
      const request = parseCli(['-c', '--ml-anomaly', flag, 'baseline.apr', '--', 'cargo', 'build'])
      expect(request.kind).toBe('trace')
      if (request.kind !== 'trace') continue
      const key = { '--save-model': 'saveModel', '--load-model': 'loadModel', '--baseline': 'baseline' }[flag]
      expect(request.options[key as 'saveModel']).toBe('baseline.apr')
      expect(request.options.mlAnomaly).toBe(true)
      expect(request.options.command).toEqual(['cargo', 'build'])
    }
  })

  it('takes a threshold as a percentage, with or without %', () => {
    for (const raw of ['25', '25%', ' 25 ']) {
      const request = parseCli(['--threshold', raw, '--', 'true'])
      expect(request.kind === 'trace' && request.options.threshold).toBeCloseTo(0.25)
    }
  })

  it('maps --no-fail to fail-on never', () => {
    const request = parseCli(['--no-fail', '--', 'true'])
    expect(request.kind === 'trace' && request.options.failOn).toBe('never')
  })

  it('parses labels into a plain object and refuses prototype keys', () => {
    const request = parseCli(['--label', 'sha=abc', '--label', 'run=1=2', '--', 'true'])
    expect(request.kind === 'trace' && request.options.labels).toEqual({ sha: 'abc', run: '1=2' })
    expect(() => parseCli(['--label', '__proto__=x', '--', 'true'])).toThrow(UsageError)
  })

  it('reads validate, help and version', () => {
    expect(parseCli(['validate', 'a.apr', 'b.apr'])).toEqual({ kind: 'validate', files: ['a.apr', 'b.apr'] })
    expect(parseCli(['--help'])).toEqual({ kind: 'help' })
    expect(parseCli(['-V'])).toEqual({ kind: 'version' })
  })

  it.each([
    [[], /no command/],
    [['-c'], /no command/],
    [['--', ''], /no command/],
    [['--format', 'xml', '--', 'true'], /--format must be text or json, got "xml"/],
    [['--fail-on', 'sometimes', '--', 'true'], /--fail-on must be .* got "sometimes"/],
    [['--runs', '0', '--', 'true'], /--runs must be a whole number from 1 to 100, got "0"/],
    [['--ml-clusters', 'two', '--', 'true'], /--ml-clusters must be a whole number/],
    [['--ml-outlier-threshold', '0.7', '--', 'true'], /between 0 and 0.5/],
    [['--threshold=-5', '--', 'true'], /--threshold must be a percentage/],
    [['--threshold', '0', '--', 'true'], /--threshold must be a percentage/],
    [['--label', 'novalue', '--', 'true'], /KEY=VALUE/],
    [['--save-model', 'a', '--update-model', 'b', '--', 'true'], /cannot be used together/],
    [['--bogus', '--', 'true'], /bogus/],
    [['validate'], /at least one/]
  ])('refuses %j with a message naming the input', (argv, message) => {
    expect(() => parseCli(argv)).toThrow(message)
    expect(() => parseCli(argv)).toThrow(UsageError)
  })
})
