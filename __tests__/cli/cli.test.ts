/**
 * The committed CLI bundle as a user runs it: a separate process, real strace, real commands. Its stdio must be
 * the command's, byte for byte; its exit code the command's; signals reach the command and the profile so far is
 * still reported.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const CLI = resolve('dist/cli/index.js')
let work: string

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'renacer-cli-'))
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

function cli(args: string[], input?: Buffer) {
  return spawnSync(process.execPath, [CLI, ...args], { input, cwd: work, maxBuffer: 1 << 24 })
}

describe('renacer-action CLI', () => {
  it('passes stdin to the command and its stdout through untouched, every byte', () => {
    const bytes = Buffer.from([0, 1, 2, 10, 13, 255, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0xe2, 0x82, 0xac])
    const run = cli(['--', 'cat'], bytes)
    expect(run.status).toBe(0)
    expect(Buffer.compare(run.stdout, bytes)).toBe(0)
  })

  it("keeps strace's lines out of the command's stderr", () => {
    const run = cli(['--format', 'json', '-o', join(work, 'r.json'), '--', 'sh', '-c', 'echo oops >&2'])
    expect(run.stderr.toString()).toBe('oops\n')
  })

  it("returns the command's exit code and reports its profile", () => {
    const out = join(work, 'exit.json')
    const run = cli(['--format', 'json', '-o', out, '--', 'sh', '-c', 'ls / >/dev/null; exit 42'])
    expect(run.status).toBe(42)
    const report = JSON.parse(readFileSync(out, 'utf8')) as {
      summary: { exit_code: number; syscalls: unknown[] }
    }
    expect(report.summary.exit_code).toBe(42)
    expect(report.summary.syscalls.length).toBeGreaterThan(10)
  })

  it('forwards SIGTERM to the whole command and still reports what ran', async () => {
    const out = join(work, 'term.json')
    const child = spawn(
      process.execPath,
      [CLI, '--format', 'json', '-o', out, '--', 'sh', '-c', 'sleep 30; sleep 30'],
      {
        cwd: work,
        stdio: 'ignore'
      }
    )
    await new Promise((r) => setTimeout(r, 1500))
    const started = Date.now()
    child.kill('SIGTERM')
    const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)))
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(code).toBe(143)
    const report = JSON.parse(readFileSync(out, 'utf8')) as {
      summary: { signal: string | null; processes: { executable: string }[] }
    }
    expect(report.summary.signal).toBe('SIGTERM')
    expect(report.summary.processes.map((p) => p.executable)).toEqual(
      expect.arrayContaining(['/usr/bin/sleep'])
    )
  }, 30_000)

  it('says command not found with 127, and usage with 2', () => {
    const missing = cli(['--', 'no-such-command-xyz'])
    expect(missing.status).toBe(127)
    expect(missing.stderr.toString()).toMatch(/no-such-command-xyz: command not found/)
    const usage = cli([])
    expect(usage.status).toBe(2)
    expect(usage.stderr.toString()).toMatch(/^renacer-action: no command to trace/)
  })

  it('validates model files: JSON for a good one, one error line and a documented code for a bad one', () => {
    const model = join(work, 'm.apr')
    expect(cli(['--save-model', model, '--', 'true']).status).toBe(0)
    const good = cli(['validate', model])
    expect(good.status).toBe(0)
    const described = JSON.parse(good.stdout.toString()) as {
      version: number
      compression: { code: number }
      metadata: { renacer_version: string; training_samples: number }
    }
    expect(described.version).toBe(1)
    expect(described.compression.code).toBe(1)
    expect(described.metadata.training_samples).toBe(1)

    const text = join(work, 'notes.json')
    writeFileSync(text, '{"not": "a model"}\n')
    const cases: [string, number, RegExp][] = [
      [text, 65, /^error\[InvalidFormat\]: .*notes\.json: /],
      [join(work, 'missing.apr'), 66, /^error\[FileNotFound\]: /]
    ]
    for (const [file, code, message] of cases) {
      const run = cli(['validate', file])
      expect(run.status).toBe(code)
      expect(run.stderr.toString()).toMatch(message)
      expect(run.stderr.toString().trim().split('\n')).toHaveLength(1)
    }
    const corrupt = Buffer.from(readFileSync(model))
    const at = corrupt.length - 5
    corrupt.writeUInt8(corrupt.readUInt8(at) ^ 0xff, at)
    writeFileSync(join(work, 'bad.apr'), corrupt)
    const bad = cli(['--baseline', join(work, 'bad.apr'), '--', 'true'])
    expect(bad.status).toBe(68)
    expect(bad.stderr.toString()).toMatch(/^error\[LoadError\]: /)
  })

  it('never writes a model from a failed run, and --update-model refuses to replace a damaged file', () => {
    const model = join(work, 'fail.apr')
    const failed = cli(['--save-model', model, '--', 'false'])
    expect(failed.status).toBe(1)
    expect(() => readFileSync(model)).toThrow()
    const damaged = join(work, 'damaged.apr')
    writeFileSync(damaged, 'APR\0garbage')
    const update = cli(['--update-model', damaged, '--', 'true'])
    expect(update.status).not.toBe(0)
    expect(readFileSync(damaged, 'latin1')).toBe('APR\0garbage')
  })
})
