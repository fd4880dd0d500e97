import { execFileSync, spawn, spawnSync } from 'node:child_process'
import {
  accessSync,
  closeSync,
  constants as fsConstants,
  mkdtempSync,
  openSync,
  rmSync,
  statSync
} from 'node:fs'
import { constants as osConstants, tmpdir } from 'node:os'
import { delimiter, isAbsolute, join, resolve } from 'node:path'
import { CommandNotFound, PtraceRefused, StraceFailed, StraceNotFound } from './errors.js'
import { FifoPoller } from './fifo.js'
import { LineSplitter } from './lines.js'
import { descendants } from './process-tree.js'
import { ProfileBuilder } from './profile.js'
import { describeTraced, PROCESS_SYSCALLS, traceExpression, type TracedSyscalls } from './syscall-set.js'
import type { SyscallProfile } from './types.js'

export interface TraceRequest {
  /** argv of the command, run as given: no shell is added. */
  command: readonly string[]
  cwd?: string
  env?: NodeJS.ProcessEnv
  /**
   * `all` (the default here) traces every syscall (full fidelity: counts equal `strace -f -c`). A list traces only
   * those, `{ exclude }` everything but those (DEFAULT_TRACE_SET is one), both with --seccomp-bpf so that untraced
   * syscalls never stop the tracee; fork and exec syscalls are always traced, since the per-executable
   * attribution needs them. Counts of the traced syscalls stay exact.
   */
  syscalls?: TracedSyscalls
  /** Path of strace; default: found on PATH. */
  strace?: string
  /** Receives every raw trace line (to record a trace); off the hot path when unset. */
  onLine?: (line: string) => void
  /** Also have strace count on its own (-C) and return its summary table verbatim. */
  straceSummary?: boolean
}

export interface TraceResult {
  profile: SyscallProfile
  /** Lines of strace output read. */
  lines: number
  /** The strace argv used, for the report and for reproducing by hand. */
  straceArgs: string[]
  /** strace's own `-c` table when `straceSummary` was asked for (and strace printed one), else null. */
  straceSummary: string | null
}

const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP']

/** Finds an executable like a shell does: a name with a slash is a path, anything else is looked up on PATH. */
export function findExecutable(
  name: string,
  path = process.env.PATH ?? '',
  cwd = process.cwd()
): string | null {
  const candidates = name.includes('/')
    ? [isAbsolute(name) ? name : resolve(cwd, name)]
    : path
        .split(delimiter)
        .filter((dir) => dir !== '')
        .map((dir) => join(resolve(cwd, dir), name))
  for (const candidate of candidates) {
    try {
      if (!statSync(candidate).isFile()) continue
      accessSync(candidate, fsConstants.X_OK)
      return candidate
    } catch {
      // not there or not executable: try the next one
    }
  }
  return null
}

/**
 * What strace is asked to print: only what the profile reads (docs/overhead.md).
 * - `-qq`, `-e signal=none`: no attach, exit or signal lines; the profile uses none of them.
 * - `-e raw=` all but PROCESS_SYSCALLS: arguments in hex, so strace does not read paths and structures out of the
 *   tracee for calls whose arguments nobody reads (the profile reads only exec paths and clone flags).
 * - `-T`: the time of each call (the profile's time); `-s 0`: no string contents (paths are printed whole anyway).
 *
 * Not used: `-e status=` without `unfinished` makes strace stage each line and write it once (one write per call
 * instead of two), but with -f strace 6.1 then splits interleaved calls into a ` <unfinished ...>` line and a
 * `)  = 0` line with no pid, which cannot be attributed.
 */
export const OUTPUT_OPTIONS: readonly string[] = Object.freeze([
  '-T',
  '-qq',
  '-s',
  '0',
  '-e',
  'signal=none',
  '-e',
  `raw=!${PROCESS_SYSCALLS.map((name) => `?${name}`).join(',')}`
])

export function straceArguments(request: TraceRequest, output: string): string[] {
  const args = ['-f', ...OUTPUT_OPTIONS, '-o', output]
  if (request.straceSummary === true) args.push('-C')
  args.push(...traceExpression(request.syscalls ?? 'all'))
  args.push('--', ...request.command)
  return args
}

/**
 * Runs the command under `strace -f` and folds its trace into a profile while it runs. The command's stdin,
 * stdout and stderr are the caller's; strace writes the trace into a FIFO that only we read, so its lines never mix
 * with the command's output and the trace is never stored. SIGINT/SIGTERM/SIGHUP sent to this process are forwarded
 * to the traced command, and the profile of what ran until then is still returned.
 */
export async function traceCommand(request: TraceRequest): Promise<TraceResult> {
  const env = request.env ?? process.env
  const cwd = request.cwd ?? process.cwd()
  const [program] = request.command
  if (program === undefined || program === '') throw new Error('traceCommand: empty command')

  const strace = request.strace ?? findExecutable('strace', env.PATH ?? '', cwd)
  if (strace === null) throw new StraceNotFound(env.PATH ?? '(PATH is empty)')
  const resolved = findExecutable(program, env.PATH ?? '', cwd)
  if (resolved === null) throw new CommandNotFound(program)

  const dir = mkdtempSync(join(tmpdir(), 'renacer-'))
  const fifo = join(dir, 'trace')
  try {
    execFileSync('mkfifo', ['-m', '600', fifo])
    const straceArgs = straceArguments(request, fifo)
    const builder = new ProfileBuilder(resolved)
    const summary: string[] = []
    let inSummary = false
    const sink = (line: string): void => {
      if (inSummary || (line.startsWith('% time') && (inSummary = true))) summary.push(line)
      else builder.addLine(line)
      if (request.onLine !== undefined) request.onLine(line)
    }
    const status = await runStrace(strace, straceArgs, fifo, cwd, env, sink, () => builder.rootProcess)
    if (builder.lineCount === 0 && status.code !== 0) throw diagnose(strace, status)
    const profile = builder.build({
      wall_ms: status.wallMs,
      exit_code: status.code,
      signal: status.signal,
      traced: describeTraced(request.syscalls ?? 'all')
    })
    const straceSummary = summary.length > 0 ? `${summary.join('\n')}\n` : null
    return { profile, lines: builder.lineCount, straceArgs, straceSummary }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

interface ExitStatus {
  code: number
  signal: string | null
  wallMs: number
}

async function runStrace(
  strace: string,
  args: string[],
  fifo: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  onLine: (line: string) => void,
  rootProcess: () => number | null
): Promise<ExitStatus> {
  // Open the read end without blocking, and hold a write end ourselves so that the reader sees no end of file
  // before strace has opened the FIFO; that write end is closed once strace has exited.
  const readFd = openSync(fifo, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK)
  let writeFd: number | null = openSync(fifo, fsConstants.O_WRONLY)
  const lines = new LineSplitter(onLine)
  const poller = new FifoPoller(readFd, (chunk) => lines.push(chunk))
  const drained = poller.run().then(() => lines.end())
  drained.catch(() => undefined) // awaited below, once strace has exited; not an unhandled rejection meanwhile

  const started = process.hrtime.bigint()
  const child = spawn(strace, args, { cwd, env, stdio: 'inherit' })
  const forward = (signal: NodeJS.Signals): void => {
    // strace blocks fatal signals while it runs a command (-I3), so the command and everything it started must
    // get them; before the command exists, strace itself is the one to stop.
    if (child.pid === undefined) return
    const targets = descendants(child.pid)
    if (targets.length === 0 && rootProcess() === null) targets.push(child.pid)
    for (const pid of targets) {
      try {
        process.kill(pid, signal)
      } catch {
        // already gone
      }
    }
  }
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward)

  try {
    const status = await new Promise<ExitStatus>((resolveExit, rejectExit) => {
      child.on('error', rejectExit)
      child.on('exit', (code, signal) => {
        const wallMs = Number(process.hrtime.bigint() - started) / 1e6
        if (signal !== null) {
          const number = osConstants.signals[signal] ?? 0
          resolveExit({ code: 128 + number, signal, wallMs })
        } else {
          resolveExit({ code: code ?? 1, signal: null, wallMs })
        }
      })
    })
    return status
  } finally {
    for (const signal of FORWARDED_SIGNALS) process.off(signal, forward)
    if (writeFd !== null) {
      closeSync(writeFd)
      writeFd = null
    }
    poller.hurry()
    try {
      await drained
    } finally {
      closeSync(readFd)
    }
  }
}

/** strace exited non-zero without a single trace line: find out why, in words a user can act on. */
function diagnose(strace: string, status: ExitStatus): Error {
  const probe = spawnSync(strace, ['-o', '/dev/null', '--', 'true'], { encoding: 'utf8', timeout: 10_000 })
  const said = `${probe.stderr ?? ''}`.trim()
  if (/Operation not permitted|EPERM/.test(said)) {
    return new PtraceRefused(said.split('\n')[0] ?? 'EPERM')
  }
  return new StraceFailed(
    said !== ''
      ? said.split('\n')[0]!
      : `strace exited with ${status.signal ?? status.code} and traced nothing`
  )
}
