import { firstQuotedString, parseTraceLine, type TraceEvent } from './parser.js'
import type { ExecutableStats, SyscallProfile, SyscallStats } from './types.js'

/**
 * Folds trace events into a SyscallProfile as they stream in. Memory grows with the number of distinct processes
 * and syscalls, never with the number of lines.
 *
 * Counting follows `strace -c`: a call counts once it returns (`= RET`, including `= ? ERESTART...`); calls that
 * never return (`exit_group(0) = ?`, a call cut short by a kill) are not counted. An error is a return of -1 (or ?)
 * with an errno.
 *
 * Executables: each process runs a sequence of executables (one per successful execve). Work a child does before
 * its first execve belongs to whatever its parent was running when it forked; the fork's return line may come
 * after the child's first lines, so that link is resolved at the end, not on the fly.
 */

interface SyscallAcc {
  /** The name as a string of its own: never a slice that would keep a whole chunk of the trace alive. */
  name: string
  calls: number
  errors: number
  errnos: Map<string, number>
  timeUs: number
  minUs: number
  maxUs: number
}

interface ExeAcc {
  calls: number
  errors: number
  timeUs: number
}

/** Everything charged to one executable so far: calls per syscall, and the pids that made them. */
interface ExeTotals {
  syscalls: Map<string, ExeAcc>
  pids: Set<number>
}

/**
 * The stretch of one process's life spent running one executable. Once its executable is known, its calls go
 * straight into that executable's totals, so memory grows with the number of executables, not of processes or
 * lines; only the first segment of a forked child whose parent is not known yet keeps calls of its own.
 */
interface Segment {
  /** null until known: the initial segment of a forked child inherits its parent's at fork time. */
  executable: string | null
  parent: Segment | null
  pid: number
  /** The executable's totals once known, else null (and `own` holds the calls). */
  totals: ExeTotals | null
  own: Map<string, ExeAcc> | null
  /** Whether `pid` is already among the executable's processes. */
  counted: boolean
}

interface Task {
  pid: number
  /** The segment the task started in: where a fork links it to its parent. */
  first: Segment
  current: Segment
  /** The args of this task's pending `<unfinished ...>` call. */
  pendingArgs: string | null
  isThread: boolean
}

const FORKS = new Set(['clone', 'clone3', 'fork', 'vfork'])
const EXECS = new Set(['execve', 'execveat'])

export class ProfileBuilder {
  private readonly syscalls = new Map<string, SyscallAcc>()
  private readonly tasks = new Map<number, Task>()
  private readonly executables = new Map<string, ExeTotals>()
  /** Segments whose executable was unknown when last looked at. */
  private readonly unresolved = new Set<Segment>()
  private rootPid: number | null = null
  private lines = 0

  /**
   * @param rootExecutable what the traced command's first lines (its own execve) are charged to
   * @param fallbackExecutable a name for work whose executable cannot be known
   */
  constructor(
    private readonly rootExecutable = '(command)',
    private readonly fallbackExecutable = '(unknown)'
  ) {}

  /** Feeds one line of strace output (no trailing newline). */
  addLine(line: string): void {
    this.lines++
    this.addEvent(parseTraceLine(line))
  }

  addEvent(event: TraceEvent): void {
    if (event.pid === null) return
    const task = this.task(event.pid)
    switch (event.kind) {
      case 'unfinished':
        // Only fork and exec arguments are ever read; holding others would pin their chunk of the trace.
        task.pendingArgs = FORKS.has(event.name) || EXECS.has(event.name) ? event.args : null
        return
      case 'call': {
        const args =
          event.resumed && task.pendingArgs !== null ? `${task.pendingArgs}${event.args}` : event.args
        task.pendingArgs = null
        this.onCall(task, event.name, args, event.ret, event.errno, event.durationUs)
        return
      }
      case 'exited':
      case 'killed':
      case 'signal':
      case 'other':
        return
    }
  }

  /** Lines fed so far. */
  get lineCount(): number {
    return this.lines
  }

  /** The first pid seen: the traced command itself. */
  get rootProcess(): number | null {
    return this.rootPid
  }

  private task(pid: number): Task {
    let task = this.tasks.get(pid)
    if (task === undefined) {
      if (this.rootPid === null) this.rootPid = pid
      // The traced command's own execve is made before it runs anything: charge it to the command itself.
      const segment = this.newSegment(pid, this.rootPid === pid ? this.rootExecutable : null, null)
      task = { pid, first: segment, current: segment, pendingArgs: null, isThread: false }
      this.tasks.set(pid, task)
    }
    return task
  }

  private newSegment(pid: number, executable: string | null, parent: Segment | null): Segment {
    if (executable !== null) {
      return { executable, parent, pid, totals: this.totalsOf(executable), own: null, counted: false }
    }
    const segment: Segment = { executable, parent, pid, totals: null, own: new Map(), counted: false }
    this.unresolved.add(segment)
    return segment
  }

  private totalsOf(executable: string): ExeTotals {
    let totals = this.executables.get(executable)
    if (totals === undefined) {
      totals = { syscalls: new Map(), pids: new Set() }
      this.executables.set(executable, totals)
    }
    return totals
  }

  /** If the segment's executable can now be known, move its calls into that executable's totals. */
  private settle(segment: Segment): void {
    if (segment.totals !== null) return
    const path = this.resolve(segment)
    if (path === null) return
    const totals = this.totalsOf(path)
    const own = segment.own!
    mergeInto(totals.syscalls, own)
    if (own.size > 0) {
      totals.pids.add(segment.pid)
      segment.counted = true
    }
    segment.executable = path
    segment.totals = totals
    segment.own = null
    this.unresolved.delete(segment)
  }

  private onCall(
    task: Task,
    name: string,
    args: string,
    ret: string,
    errno: string | null,
    durationUs: number | null
  ): void {
    if (ret === '?' && errno === null) return // never returned: strace -c does not count it either

    const failed = errno !== null
    const time = durationUs ?? 0
    let acc = this.syscalls.get(name)
    if (acc === undefined) {
      const own = ownString(name)
      acc = { name: own, calls: 0, errors: 0, errnos: new Map(), timeUs: 0, minUs: time, maxUs: time }
      this.syscalls.set(own, acc)
    }
    acc.calls++
    acc.timeUs += time
    if (time < acc.minUs) acc.minUs = time
    if (time > acc.maxUs) acc.maxUs = time
    if (failed) {
      acc.errors++
      const seen = acc.errnos.get(errno)
      if (seen === undefined) acc.errnos.set(ownString(errno), 1)
      else acc.errnos.set(errno, seen + 1)
    }

    // The call belongs to the executable running before it; a successful execve starts a new one after it.
    const segment = task.current
    const calls = segment.totals !== null ? segment.totals.syscalls : segment.own!
    if (!segment.counted && segment.totals !== null) {
      segment.totals.pids.add(segment.pid)
      segment.counted = true
    }
    let exe = calls.get(name)
    if (exe === undefined) {
      exe = { calls: 0, errors: 0, timeUs: 0 }
      calls.set(acc.name, exe)
    }
    exe.calls++
    exe.timeUs += time
    if (failed) exe.errors++

    if (failed) return
    if (EXECS.has(name) && ret === '0') {
      const path = name === 'execveat' ? secondQuotedString(args) : firstQuotedString(args)
      this.settle(segment)
      task.current = this.newSegment(task.pid, path ?? this.fallbackExecutable, null)
    } else if (FORKS.has(name)) {
      const child = Number(ret)
      if (Number.isInteger(child) && child > 0) {
        const childTask = this.task(child)
        // The child's first segment has no executable of its own until it execs.
        if (childTask.first.parent === null && childTask.first.executable === null) {
          childTask.first.parent = segment
          this.settle(childTask.first)
        }
        if (args.includes('CLONE_THREAD')) childTask.isThread = true
      }
    }
  }

  /** The profile so far. Cheap enough to call once at the end; does not reset anything. */
  build(extra: Pick<SyscallProfile, 'wall_ms' | 'exit_code' | 'signal' | 'traced'>): SyscallProfile {
    const syscalls: SyscallStats[] = [...this.syscalls.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, acc]) => ({
        name,
        calls: acc.calls,
        errors: acc.errors,
        errnos: Object.fromEntries([...acc.errnos.entries()].sort(([a], [b]) => (a < b ? -1 : 1))),
        time_us: acc.timeUs,
        min_us: acc.minUs,
        max_us: acc.maxUs,
        mean_us: acc.calls > 0 ? Math.round((acc.timeUs / acc.calls) * 1000) / 1000 : 0
      }))

    // Calls of segments still unresolved go to their executable as far as it can be known now, in a copy: build()
    // changes nothing.
    const byExe = new Map<string, ExeTotals>()
    for (const [path, totals] of this.executables) {
      byExe.set(path, { syscalls: mergeInto(new Map(), totals.syscalls), pids: new Set(totals.pids) })
    }
    for (const segment of this.unresolved) {
      if (segment.own === null || segment.own.size === 0) continue
      const path = this.resolve(segment) ?? this.fallbackExecutable
      let totals = byExe.get(path)
      if (totals === undefined) {
        totals = { syscalls: new Map(), pids: new Set() }
        byExe.set(path, totals)
      }
      mergeInto(totals.syscalls, segment.own)
      totals.pids.add(segment.pid)
    }

    const executables: ExecutableStats[] = []
    for (const [path, totals] of byExe) {
      if (totals.syscalls.size === 0) continue
      let processes = 0
      for (const pid of totals.pids) if (this.tasks.get(pid)?.isThread !== true) processes++
      let calls = 0
      let errors = 0
      const perSyscall: ExecutableStats['syscalls'] = {}
      for (const name of [...totals.syscalls.keys()].sort()) {
        const acc = totals.syscalls.get(name)!
        perSyscall[name] = { calls: acc.calls, errors: acc.errors, time_us: acc.timeUs }
        calls += acc.calls
        errors += acc.errors
      }
      executables.push({ executable: path, processes, calls, errors, syscalls: perSyscall })
    }
    executables.sort((a, b) => b.calls - a.calls || (a.executable < b.executable ? -1 : 1))

    let processes = 0
    let threads = 0
    for (const task of this.tasks.values()) {
      if (task.isThread) threads++
      else processes++
    }
    return { syscalls, executables, process_count: processes, thread_count: threads, ...extra }
  }

  /** The executable a segment runs, following fork links up to a known one; null while a link is missing. */
  private resolve(segment: Segment): string | null {
    let s: Segment | null = segment
    for (let depth = 0; s !== null && depth < 100_000; depth++) {
      if (s.executable !== null) return s.executable
      s = s.parent
    }
    return null
  }
}

/**
 * A copy of `s` that shares no storage with the line it was cut from. V8 represents a slice of 13 or more characters
 * as a view on its parent (here, a whole 64 KiB chunk of the trace): a map key kept for the run would keep that
 * chunk alive too, and memory would grow with the trace. Called once per distinct name, never per line.
 */
function ownString(s: string): string {
  return Buffer.from(s, 'latin1').toString('latin1')
}

/** Adds the calls of `from` into `into` (new entries get fresh accumulators, never `from`'s) and returns `into`. */
function mergeInto(into: Map<string, ExeAcc>, from: Map<string, ExeAcc>): Map<string, ExeAcc> {
  for (const [name, acc] of from) {
    const target = into.get(name)
    if (target === undefined) {
      into.set(name, { calls: acc.calls, errors: acc.errors, timeUs: acc.timeUs })
    } else {
      target.calls += acc.calls
      target.errors += acc.errors
      target.timeUs += acc.timeUs
    }
  }
  return into
}

function secondQuotedString(args: string): string | null {
  const comma = args.indexOf(', ')
  return comma < 0 ? null : firstQuotedString(args.slice(comma + 2))
}
