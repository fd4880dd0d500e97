import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

/** What one `node dist/index.js` run left behind: exit code, its output, and the files a runner would read. */
export interface ActionRun {
  code: number | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
}

const PROXY = ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY', 'all_proxy']

/**
 * Runs the committed action bundle as a runner would: inputs as INPUT_* variables, GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY as files. `env` is the whole GitHub part of the environment; nothing else of the test
 * process's GitHub variables leaks in.
 */
export async function runActionBundle(
  inputs: Record<string, string>,
  env: Record<string, string>,
  bundle = resolve('dist/index.js')
): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), 'renacer-action-run-'))
  const outputFile = join(dir, 'output')
  const summaryFile = join(dir, 'summary.md')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  const base: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (
      v !== undefined &&
      !k.startsWith('GITHUB_') &&
      !k.startsWith('ACTIONS_') &&
      !k.startsWith('INPUT_') &&
      !k.startsWith('RUNNER_') &&
      !PROXY.includes(k)
    )
      base[k] = v
  }
  const childEnv: Record<string, string> = {
    ...base,
    NO_PROXY: '127.0.0.1,localhost',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: join(dir, 'runner-temp'),
    ...env
  }
  for (const [name, value] of Object.entries(inputs)) childEnv[`INPUT_${name.toUpperCase()}`] = value
  const child = spawn(process.execPath, [bundle], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)))
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8')
  }
}

/** GITHUB_OUTPUT holds `name<<DELIMITER\nvalue\nDELIMITER` records. */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i]!)
    if (m === null) continue
    const value: string[] = []
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]!)
    out[m[1]!] = value.join('\n')
  }
  return out
}
