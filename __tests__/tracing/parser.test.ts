import { describe, expect, it } from '@jest/globals'
import { firstQuotedString, parseTraceLine, type TraceEvent } from '../../src/tracing/parser.js'

// Lines copied from real `strace -f -T -s 0` output on this machine (strace 6.1), plus hand-checked edge shapes.
const cases: [string, string, Partial<TraceEvent> | null][] = [
  [
    'failed call with errno and duration',
    '2573  access("/etc/ld.so.preload", R_OK) = -1 ENOENT (No such file or directory) <0.000039>',
    { kind: 'call', pid: 2573, name: 'access', ret: '-1', errno: 'ENOENT', durationUs: 39, resumed: false }
  ],
  [
    'success padded to the result column',
    '2573  brk(NULL)                         = 0x55a53d71e000 <0.000039>',
    { kind: 'call', pid: 2573, name: 'brk', args: 'NULL', ret: '0x55a53d71e000', errno: null, durationUs: 39 }
  ],
  ['unfinished', '2573  vfork( <unfinished ...>', { kind: 'unfinished', pid: 2573, name: 'vfork', args: '' }],
  [
    'unfinished execve keeps its path',
    '2574  execve("/usr/bin/ls", [...], 0x55a53d71edd8 /* 39 vars */ <unfinished ...>',
    {
      kind: 'unfinished',
      pid: 2574,
      name: 'execve',
      args: '"/usr/bin/ls", [...], 0x55a53d71edd8 /* 39 vars */'
    }
  ],
  [
    'resumed with the child pid',
    '2573  <... vfork resumed>)              = 2574 <0.000437>',
    { kind: 'call', pid: 2573, name: 'vfork', ret: '2574', errno: null, durationUs: 437, resumed: true }
  ],
  [
    'never returns',
    '2574  exit_group(2)                     = ?',
    { kind: 'call', name: 'exit_group', ret: '?', errno: null, durationUs: null }
  ],
  [
    'interrupted, to be restarted: an error for strace -c',
    '2573  <... rt_sigsuspend resumed>)      = ? ERESTARTNOHAND (To be restarted if no handler) <0.013304>',
    {
      kind: 'call',
      name: 'rt_sigsuspend',
      ret: '?',
      errno: 'ERESTARTNOHAND',
      durationUs: 13304,
      resumed: true
    }
  ],
  [
    'a path holding " = " and a fake result',
    '7  openat(AT_FDCWD, "/tmp/a = 1 <0.5>", O_RDONLY) = -1 ENOENT (No such file or directory) <0.000002>',
    { kind: 'call', name: 'openat', ret: '-1', errno: 'ENOENT', durationUs: 2 }
  ],
  [
    'decorated return value',
    '12 poll([{fd=3, events=POLLIN}], 1, 0) = 1 ([{fd=3, revents=POLLIN}]) <0.000004>',
    { kind: 'call', name: 'poll', ret: '1', errno: null, durationUs: 4 }
  ],
  // Calls traced raw (-e raw=, every call but fork and exec): hex arguments and results, from strace 6.1 here.
  [
    'raw success: hex result',
    '5730  openat(0xffffff9c, 0x7f49210470b1, 0x80000, 0) = 0x3 <0.000009>',
    { kind: 'call', name: 'openat', args: '0xffffff9c, 0x7f49210470b1, 0x80000, 0', ret: '0x3', errno: null }
  ],
  [
    'raw failure: the errno is still named',
    '5730  access(0x7f49210482a0, 0x4)       = -1 ENOENT (No such file or directory) <0.000008>',
    { kind: 'call', name: 'access', ret: '-1', errno: 'ENOENT', durationUs: 8 }
  ],
  [
    'raw restart: strace 6.1 prints -1 and the restart code',
    '6831  pselect6(0x4, 0x7ffe62ed2940, 0, 0, 0, 0x7ffe62ed2860) = -1 ERESTARTNOHAND (Unknown error 514) <0.000011>',
    { kind: 'call', name: 'pselect6', ret: '-1', errno: 'ERESTARTNOHAND', durationUs: 11 }
  ],
  // Older strace releases print a raw failure as "-1 (errno N)": named from the number.
  [
    'raw failure, older strace',
    '5730  openat(0xffffff9c, 0x7f49210470b1, 0x80000, 0) = -1 (errno 2) <0.000009>',
    { kind: 'call', name: 'openat', ret: '-1', errno: 'ENOENT', durationUs: 9 }
  ],
  [
    'raw restart, older strace',
    '6831  wait4(0xffffffff, 0x7ffc56281050, 0, 0) = -1 (errno 512) <0.236634>',
    { kind: 'call', name: 'wait4', ret: '-1', errno: 'ERESTARTSYS' }
  ],
  [
    'raw failure with a number that has no name',
    '1  ioctl(0x3, 0x5401, 0x7ffc0) = -1 (errno 4000)',
    { kind: 'call', name: 'ioctl', ret: '-1', errno: 'errno 4000', durationUs: null }
  ],
  ['exit', '2574  +++ exited with 2 +++', { kind: 'exited', pid: 2574, code: 2 }],
  [
    'killed',
    '2570  +++ killed by SIGKILL (core dumped) +++',
    { kind: 'killed', pid: 2570, signal: 'SIGKILL' }
  ],
  [
    'signal delivery',
    '2573  --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=2574} ---',
    { kind: 'signal', pid: 2573, signal: 'SIGCHLD' }
  ],
  ['no pid', 'strace: Process 123 attached', { kind: 'other', pid: null }],
  ['empty', '', { kind: 'other', pid: null }],
  ['garbage after a pid', '99 ???', { kind: 'other', pid: 99 }],
  ['torn line', '99 read(3, ', { kind: 'other', pid: 99 }]
]

describe('parseTraceLine', () => {
  it.each(cases)('%s', (_label, line, expected) => {
    expect(parseTraceLine(line)).toMatchObject(expected as object)
  })

  it('takes durations with any number of whole seconds', () => {
    expect(parseTraceLine('1 wait4(-1, NULL, 0, NULL) = 2 <12.5>')).toMatchObject({ durationUs: 12_500_000 })
  })

  it('never throws on arbitrary input', () => {
    for (const line of [
      '1',
      '1 ',
      '1 (',
      '1 a() = ',
      '1 a() = <',
      '1 <... x',
      '1 +++',
      '1 -',
      '1 a() = -1 '
    ]) {
      expect(() => parseTraceLine(line)).not.toThrow()
    }
  })
})

describe('firstQuotedString', () => {
  it.each([
    ['"/usr/bin/cc1", [...]', '/usr/bin/cc1'],
    ['AT_FDCWD, "a\\"b\\\\c"', 'a"b\\c'],
    ['"tab\\there\\nnl"', 'tab\there\nnl'],
    ['"\\303\\251t\\303\\251"', 'été'],
    ['"\\x41\\x42"', 'AB'],
    ['"\\0"', '\0'],
    ['no string here', null],
    ['"unterminated', null]
  ])('%s', (args, expected) => {
    expect(firstQuotedString(args)).toBe(expected)
  })
})
