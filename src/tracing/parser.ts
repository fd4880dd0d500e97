/**
 * One line of `strace -f -T` output, as data. Pure and allocation-light: this runs once per traced syscall, so it
 * scans with indexOf from known anchors instead of running a regular expression over the whole line.
 *
 * The shapes it understands (strace 5.x/6.x, pid prefix always present with -f and -o):
 *   1234  openat(AT_FDCWD, "/etc/x", O_RDONLY) = -1 ENOENT (No such file or directory) <0.000012>
 *   1234  read(3,  <unfinished ...>
 *   1234  <... read resumed>"", 4096) = 0 <0.000010>
 *   1234  exit_group(0)                     = ?
 *   1234  rt_sigsuspend([], 8)  = ? ERESTARTNOHAND (To be restarted if no handler) <0.013304>
 *   1234  openat(0xffffff9c, 0x7f6a..., 0x80000, 0) = 0x3 <0.000009>      (a call traced raw: -e raw=)
 *   1234  openat(0xffffff9c, 0x7f6a..., 0x80000, 0) = -1 (errno 2)        (the same, failing, older strace)
 *   1234  --- SIGCHLD {si_signo=SIGCHLD, ...} ---
 *   1234  +++ exited with 0 +++     /  +++ killed by SIGKILL +++
 */

import { ERRNO_NAMES } from './errno-names.js'

export type TraceEvent =
  | {
      /** A syscall that returned (or never will: `= ?` without an errno). */
      kind: 'call'
      pid: number
      name: string
      /** The text after `name(` up to the result (arguments; for a resumed call, only the part after resuming). */
      args: string
      /** The return value as printed, without decoration: "0", "-1", "0x7f00", "?", "1234". */
      ret: string
      /** errno name when the call failed (`-1 ENOENT`, `? ERESTARTSYS`), else null. */
      errno: string | null
      /** Microseconds inside the call (-T); null when strace printed none (`= ?`). */
      durationUs: number | null
      /** True for `<... name resumed>` lines: the arguments were on the matching `<unfinished ...>` line. */
      resumed: boolean
    }
  | { kind: 'unfinished'; pid: number; name: string; args: string }
  | { kind: 'exited'; pid: number; code: number }
  | { kind: 'killed'; pid: number; signal: string }
  | { kind: 'signal'; pid: number; signal: string }
  | { kind: 'other'; pid: number | null }

const UNFINISHED = ' <unfinished ...>'
const RESUMED_PREFIX = '<... '
const RESUMED_INFIX = ' resumed>'

/** Parses one line (without its newline). Never throws: unknown shapes come back as `other`. */
export function parseTraceLine(line: string): TraceEvent {
  // Pid prefix: digits, then one or more spaces.
  let i = 0
  let pid = 0
  const n = line.length
  while (i < n) {
    const c = line.charCodeAt(i)
    if (c < 48 || c > 57) break
    pid = pid * 10 + (c - 48)
    i++
  }
  if (i === 0) return { kind: 'other', pid: null }
  while (i < n && line.charCodeAt(i) === 32) i++
  if (i >= n) return { kind: 'other', pid }

  const first = line.charCodeAt(i)
  if (first === 43 /* + */) return parseExit(line, i, pid)
  if (first === 45 /* - */) {
    // --- SIGCHLD {...} ---
    const end = line.indexOf(' ', i + 4)
    return { kind: 'signal', pid, signal: line.slice(i + 4, end < 0 ? n : end) }
  }
  if (first === 60 /* < */) {
    if (!line.startsWith(RESUMED_PREFIX, i)) return { kind: 'other', pid }
    const nameStart = i + RESUMED_PREFIX.length
    const nameEnd = line.indexOf(RESUMED_INFIX, nameStart)
    if (nameEnd < 0) return { kind: 'other', pid }
    return parseCompletion(line, pid, line.slice(nameStart, nameEnd), nameEnd + RESUMED_INFIX.length, true)
  }

  const paren = line.indexOf('(', i)
  if (paren < 0) return { kind: 'other', pid }
  const name = line.slice(i, paren)
  if (line.endsWith(UNFINISHED)) {
    return { kind: 'unfinished', pid, name, args: line.slice(paren + 1, n - UNFINISHED.length) }
  }
  return parseCompletion(line, pid, name, paren + 1, false)
}

function parseExit(line: string, i: number, pid: number): TraceEvent {
  // +++ exited with 0 +++ | +++ killed by SIGKILL (core dumped) +++ | +++ superseded by execve in pid N +++
  if (line.startsWith('+++ exited with ', i)) {
    const code = Number.parseInt(line.slice(i + 16), 10)
    return Number.isNaN(code) ? { kind: 'other', pid } : { kind: 'exited', pid, code }
  }
  if (line.startsWith('+++ killed by ', i)) {
    const start = i + 14
    const end = line.indexOf(' ', start)
    return { kind: 'killed', pid, signal: line.slice(start, end < 0 ? line.length : end) }
  }
  return { kind: 'other', pid }
}

/**
 * From `argsStart`, find the result: the last " = " on the line. Arguments may hold " = " inside quoted strings,
 * but those come before the result, so searching from the end finds the real one.
 */
function parseCompletion(
  line: string,
  pid: number,
  name: string,
  argsStart: number,
  resumed: boolean
): TraceEvent {
  let end = line.length
  let durationUs: number | null = null
  if (line.charCodeAt(end - 1) === 62 /* > */) {
    const lt = line.lastIndexOf(' <', end)
    if (lt > argsStart) {
      durationUs = parseDurationUs(line, lt + 2, end - 1)
      if (durationUs !== null) end = lt
    }
  }
  const eq = line.lastIndexOf(' = ', end)
  if (eq < argsStart - 1) return { kind: 'other', pid }

  // Arguments: up to the closing paren before " = " (strace pads with spaces to align results).
  let argsEnd = eq
  while (argsEnd > argsStart && line.charCodeAt(argsEnd - 1) === 32) argsEnd--
  if (argsEnd > argsStart && line.charCodeAt(argsEnd - 1) === 41 /* ) */) argsEnd--
  const args = argsEnd > argsStart ? line.slice(argsStart, argsEnd) : ''

  const retStart = eq + 3
  let retEnd = line.indexOf(' ', retStart)
  if (retEnd < 0 || retEnd > end) retEnd = end
  const ret = line.slice(retStart, retEnd)

  let errno: string | null = null
  if (ret === '-1' || ret === '?') {
    // "-1 ENOENT (No such file or directory)", "? ERESTARTSYS (To be restarted ...)"; for a call traced raw,
    // older strace releases print "-1 (errno 2)".
    const errStart = retEnd + 1
    if (errStart < end && isErrnoStart(line.charCodeAt(errStart))) {
      let errEnd = line.indexOf(' ', errStart)
      if (errEnd < 0 || errEnd > end) errEnd = end
      errno = line.slice(errStart, errEnd)
    } else if (line.startsWith(RAW_ERRNO, errStart)) {
      errno = rawErrno(line, errStart + RAW_ERRNO.length, end)
    }
  }
  return { kind: 'call', pid, name, args, ret, errno, durationUs, resumed }
}

const RAW_ERRNO = '(errno '

/** "2)" -> "ENOENT"; a number with no known name stays a number ("errno 4095"). */
function rawErrno(line: string, start: number, end: number): string | null {
  let n = 0
  let i = start
  while (i < end) {
    const c = line.charCodeAt(i)
    if (c < 48 || c > 57) break
    n = n * 10 + (c - 48)
    i++
  }
  if (i === start || line.charCodeAt(i) !== 41 /* ) */) return null
  return ERRNO_NAMES.get(n) ?? `errno ${n}`
}

function isErrnoStart(c: number): boolean {
  return c >= 65 && c <= 90 // A-Z: ENOENT, ERESTARTSYS, ...
}

/** "0.000123" -> 123 (microseconds), without going through floating-point parsing of the whole string. */
function parseDurationUs(line: string, start: number, end: number): number | null {
  let seconds = 0
  let i = start
  while (i < end) {
    const c = line.charCodeAt(i)
    if (c === 46 /* . */) break
    if (c < 48 || c > 57) return null
    seconds = seconds * 10 + (c - 48)
    i++
  }
  if (i === start || i >= end) return null
  i++
  let micros = 0
  let digits = 0
  while (i < end && digits < 6) {
    const c = line.charCodeAt(i)
    if (c < 48 || c > 57) return null
    micros = micros * 10 + (c - 48)
    digits++
    i++
  }
  while (digits < 6) {
    micros *= 10
    digits++
  }
  return seconds * 1_000_000 + micros
}

/**
 * Decodes the first quoted C string in `args` (strace escapes: \n \t \" \\ \ooo \xNN ...) to its bytes, read as
 * UTF-8. Used for execve's path. Returns null when there is no complete quoted string.
 */
export function firstQuotedString(args: string): string | null {
  const open = args.indexOf('"')
  if (open < 0) return null
  const bytes: number[] = []
  let i = open + 1
  const n = args.length
  while (i < n) {
    const c = args.charCodeAt(i)
    if (c === 34 /* " */) return Buffer.from(bytes).toString('utf8')
    if (c !== 92 /* \ */) {
      bytes.push(c & 0xff)
      i++
      continue
    }
    const e = args.charCodeAt(i + 1)
    i += 2
    switch (e) {
      case 110:
        bytes.push(10)
        break
      case 116:
        bytes.push(9)
        break
      case 114:
        bytes.push(13)
        break
      case 118:
        bytes.push(11)
        break
      case 102:
        bytes.push(12)
        break
      case 120: /* x */ {
        const hex = args.slice(i, i + 2)
        bytes.push(Number.parseInt(hex, 16) & 0xff)
        i += 2
        break
      }
      default:
        if (e >= 48 && e <= 55) {
          // up to three octal digits, the first already consumed
          let v = e - 48
          let k = 0
          while (k < 2 && i < n) {
            const d = args.charCodeAt(i)
            if (d < 48 || d > 55) break
            v = v * 8 + (d - 48)
            i++
            k++
          }
          bytes.push(v & 0xff)
        } else {
          bytes.push(e & 0xff)
        }
    }
  }
  return null
}
