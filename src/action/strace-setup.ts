import { getExecOutput } from '@actions/exec'
import { findExecutable } from '../tracing/strace.js'

export class StraceUnavailable extends Error {
  override readonly name = 'StraceUnavailable'
}

/**
 * strace on the runner: used when present, else installed with apt-get (GitHub's Ubuntu images have passwordless
 * sudo). Anywhere that cannot work, one clear line says why.
 */
export async function ensureStrace(log: (line: string) => void): Promise<string> {
  const found = findExecutable('strace')
  if (found !== null) return found
  if (process.platform !== 'linux') {
    throw new StraceUnavailable(
      `renacer-action traces with strace, which only exists on Linux; this runner is ${process.platform}.`
    )
  }
  const root = typeof process.getuid === 'function' && process.getuid() === 0
  const apt = findExecutable('apt-get')
  const sudo = root ? null : findExecutable('sudo')
  if (apt === null || (!root && sudo === null)) {
    throw new StraceUnavailable(
      'strace is not installed and cannot be installed here (no apt-get, or no sudo): install it in an earlier step.'
    )
  }
  log('strace is not installed: installing it with apt-get')
  const prefix = root ? [] : ['-n']
  const run = async (args: string[]): Promise<void> => {
    const [cmd, rest] = root ? [apt, args] : [sudo!, [...prefix, apt, ...args]]
    const result = await getExecOutput(cmd, rest, {
      ignoreReturnCode: true,
      silent: true,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    })
    if (result.exitCode !== 0) {
      throw new StraceUnavailable(
        `strace is not installed and apt-get ${args[0]} failed (exit ${result.exitCode}): ${result.stderr.trim().split('\n').pop() ?? ''}. Install strace in an earlier step.`
      )
    }
  }
  await run(['update', '-qq'])
  await run(['install', '-y', '-qq', 'strace'])
  const installed = findExecutable('strace')
  if (installed === null) throw new StraceUnavailable('apt-get installed strace but it is not on PATH.')
  return installed
}
