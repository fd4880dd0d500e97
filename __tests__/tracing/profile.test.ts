import { describe, expect, it } from '@jest/globals'
import { ProfileBuilder } from '../../src/tracing/profile.js'

const extra = { wall_ms: 0, exit_code: 0, signal: null, traced: 'all' as const }

function build(lines: string[]): ProfileBuilder {
  const builder = new ProfileBuilder('/usr/bin/make')
  for (const line of lines) builder.addLine(line)
  return builder
}

// Shapes from real `strace -f -T -qq -s 0` output; a forked child's lines often come before its parent's fork
// returns, so the child's early work can only be charged once the fork line is seen.
const forkedChildFirst = [
  '100  execve("/usr/bin/make", [...], 0x7ffd /* 3 vars */) = 0 <0.000300>',
  '100  openat(AT_FDCWD, "Makefile", O_RDONLY) = 3 <0.000010>',
  '100  vfork( <unfinished ...>',
  '101  rt_sigprocmask(SIG_SETMASK, [], NULL, 8) = 0 <0.000004>',
  '101  execve("/usr/bin/cc", [...], 0x7ffd /* 3 vars */ <unfinished ...>',
  '101  <... execve resumed>) = 0 <0.000200>',
  '100  <... vfork resumed>) = 101 <0.000400>',
  '101  openat(AT_FDCWD, "/usr/include/nope.h", O_RDONLY) = -1 ENOENT (No such file or directory) <0.000006>',
  '101  clone(child_stack=0x7f00, flags=CLONE_VM|CLONE_THREAD|CLONE_SIGHAND) = 102 <0.000050>',
  '102  write(1, ""..., 5) = 5 <0.000007>',
  '101  exit_group(0) = ?',
  '100  wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 101 <0.000900>',
  '103  openat(AT_FDCWD, "orphan", O_RDONLY) = 3 <0.000003>'
]

describe('ProfileBuilder attribution', () => {
  it('charges a child’s pre-exec work to its parent, later work to what it exec’d, threads to their process', () => {
    const profile = build(forkedChildFirst).build(extra)
    const byExe = Object.fromEntries(profile.executables.map((e) => [e.executable, e]))
    expect(Object.keys(byExe).sort()).toEqual(['(unknown)', '/usr/bin/cc', '/usr/bin/make'])
    expect(byExe['/usr/bin/make']!.syscalls).toEqual({
      execve: { calls: 2, errors: 0, time_us: 500 }, // its own, and the child's execve made before it ran cc
      openat: { calls: 1, errors: 0, time_us: 10 },
      rt_sigprocmask: { calls: 1, errors: 0, time_us: 4 },
      vfork: { calls: 1, errors: 0, time_us: 400 },
      wait4: { calls: 1, errors: 0, time_us: 900 }
    })
    expect(byExe['/usr/bin/make']!.processes).toBe(2)
    expect(byExe['/usr/bin/cc']!.syscalls).toEqual({
      clone: { calls: 1, errors: 0, time_us: 50 },
      openat: { calls: 1, errors: 1, time_us: 6 },
      write: { calls: 1, errors: 0, time_us: 7 }
    })
    expect(byExe['/usr/bin/cc']!.processes).toBe(1) // 101; 102 is its thread
    expect(byExe['(unknown)']!.calls).toBe(1) // pid 103: no fork line ever linked it
    expect(profile.process_count).toBe(3)
    expect(profile.thread_count).toBe(1)
  })

  it('builds the same profile however often it is asked, and keeps counting after', () => {
    const builder = build(forkedChildFirst)
    const first = JSON.stringify(builder.build(extra))
    expect(JSON.stringify(builder.build(extra))).toBe(first)
    builder.addLine('103  close(3) = 0 <0.000002>')
    const later = builder.build(extra)
    expect(later.executables.find((e) => e.executable === '(unknown)')!.calls).toBe(2)
    expect(later.syscalls.find((s) => s.name === 'close')!.calls).toBe(1)
  })

  it('gives the same profile whether the fork line comes before or after the child’s lines', () => {
    const parentFirst = [...forkedChildFirst]
    const forkReturn = parentFirst.splice(6, 1)[0]!
    parentFirst.splice(3, 0, forkReturn)
    expect(build(parentFirst).build(extra)).toEqual(build(forkedChildFirst).build(extra))
  })
})
