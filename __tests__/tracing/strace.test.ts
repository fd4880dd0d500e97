import { describe, expect, it } from '@jest/globals'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { CommandNotFound, StraceNotFound } from '../../src/tracing/errors.js'
import { traceCommand } from '../../src/tracing/strace.js'
import type { SyscallProfile } from '../../src/tracing/types.js'
import { copyLz4Source } from '../support/c-project.js'
import { writeWorkerProgram } from '../support/worker-program.js'
import { parseStraceSummary } from '../support/strace-summary.js'

/** Every syscall strace counted, we counted identically, and we counted nothing it did not. */
function expectSameCounts(profile: SyscallProfile, straceSummary: string | null): void {
  expect(straceSummary).not.toBeNull()
  const oracle = parseStraceSummary(straceSummary!)
  const ours = new Map(profile.syscalls.map((s) => [s.name, { calls: s.calls, errors: s.errors }]))
  expect(Object.fromEntries(ours)).toEqual(Object.fromEntries(oracle))
}

function sumErrnos(profile: SyscallProfile): boolean {
  return profile.syscalls.every((s) => Object.values(s.errnos).reduce((a, b) => a + b, 0) === s.errors)
}

describe('traceCommand against strace -c of the same run', () => {
  it('counts a multi-process shell pipeline exactly', async () => {
    const { profile, straceSummary } = await traceCommand({
      command: [
        'sh',
        '-c',
        'ls / /nonexistent-dir 2>/dev/null | wc -l >/dev/null; cat /etc/hostname >/dev/null & wait'
      ],
      straceSummary: true
    })
    expectSameCounts(profile, straceSummary)
    expect(sumErrnos(profile)).toBe(true)
    expect(profile.process_count).toBeGreaterThanOrEqual(4)
    const exes = profile.executables.map((e) => e.executable)
    expect(exes).toEqual(expect.arrayContaining(['/usr/bin/ls', '/usr/bin/wc', '/usr/bin/cat']))
    // ls failed on the missing directory: the failed lookup is charged to ls, not to the shell.
    const ls = profile.executables.find((e) => e.executable === '/usr/bin/ls')!
    expect(ls.errors).toBeGreaterThan(0)
    expect(profile.exit_code).toBe(0)
  })

  it('counts a real parallel C build (make -j2 of LZ4) exactly and attributes work to the compilers', async () => {
    const dir = copyLz4Source()
    try {
      const { profile, straceSummary } = await traceCommand({
        command: ['make', '-j2', '-C', join(dir, 'lib'), 'liblz4.a'],
        straceSummary: true
      })
      expect(profile.exit_code).toBe(0)
      expectSameCounts(profile, straceSummary)
      const names = profile.executables.map((e) => e.executable.split('/').pop())
      expect(names).toEqual(expect.arrayContaining(['make', 'cc1', 'as']))
      const cc1 = profile.executables.find((e) => e.executable.endsWith('/cc1'))!
      expect(cc1.processes).toBeGreaterThanOrEqual(4) // lz4.c lz4hc.c lz4frame.c xxhash.c
      // Per-executable calls add up to the per-syscall totals.
      const total = profile.syscalls.reduce((a, s) => a + s.calls, 0)
      expect(profile.executables.reduce((a, e) => a + e.calls, 0)).toBe(total)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 180_000)

  it('counts a multi-threaded program (worker threads) exactly and tells threads from processes', async () => {
    const { dir, command } = writeWorkerProgram()
    try {
      const { profile, straceSummary } = await traceCommand({
        command,
        straceSummary: true
      })
      expect(profile.exit_code).toBe(0)
      expectSameCounts(profile, straceSummary)
      expect(profile.thread_count).toBeGreaterThanOrEqual(3)
      expect(profile.process_count).toBe(1)
      const failedStats = profile.syscalls
        .filter((s) => s.errnos.ENOENT !== undefined)
        .reduce((a, s) => a + (s.errnos.ENOENT ?? 0), 0)
      expect(failedStats).toBeGreaterThanOrEqual(600)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})

describe('traceCommand exit status and bad input', () => {
  it('returns the command exit code', async () => {
    const { profile } = await traceCommand({ command: ['sh', '-c', 'exit 7'] })
    expect(profile.exit_code).toBe(7)
    expect(profile.signal).toBeNull()
  })

  it('returns 128+N and the signal name when the command is killed', async () => {
    const { profile } = await traceCommand({ command: ['sh', '-c', 'kill -TERM $$'] })
    expect(profile.exit_code).toBe(143)
    expect(profile.signal).toBe('SIGTERM')
  })

  it('says command not found like a shell', async () => {
    await expect(traceCommand({ command: ['no-such-command-renacer'] })).rejects.toBeInstanceOf(
      CommandNotFound
    )
    await expect(traceCommand({ command: ['no-such-command-renacer'] })).rejects.toMatchObject({
      exitCode: 127
    })
  })

  it('says how to install strace when it is missing', async () => {
    const err = await traceCommand({ command: ['/bin/true'], env: { PATH: '/nonexistent' } }).catch(
      (e: unknown) => e
    )
    expect(err).toBeInstanceOf(StraceNotFound)
    expect((err as Error).message).toMatch(/apt-get install -y strace/)
  })

  it('filtered mode traces only the chosen syscalls plus process creation', async () => {
    const { profile, straceArgs, straceSummary } = await traceCommand({
      command: ['sh', '-c', 'cat /etc/hostname >/dev/null; ls /nonexistent 2>/dev/null; true'],
      syscalls: ['openat'],
      straceSummary: true
    })
    expect(straceArgs).toContain('--seccomp-bpf')
    const names = profile.syscalls.map((s) => s.name)
    expect(names).toContain('openat')
    const allowed = ['openat', 'clone', 'clone3', 'fork', 'vfork', 'execve', 'execveat']
    expect(names.filter((n) => !allowed.includes(n))).toEqual([])
    expectSameCounts(profile, straceSummary)
    expect(profile.executables.map((e) => e.executable)).toEqual(expect.arrayContaining(['/usr/bin/cat']))
    expect(profile.traced).toEqual(['openat'])
  })
})
