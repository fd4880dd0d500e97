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

/** The stretch of one process's life spent running one executable. */
interface Segment {
  /** null until known: the initial segment of a forked child inherits its parent's at fork time. */
  executable: string | null
  parent: Segment | null
  pid: number
  syscalls: Map<string, ExeAcc>
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
  private readonly segments: Segment[] = []
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
        task.pendingArgs = event.args
        return
      case 'call': {
        const args = event.resumed ? `${task.pendingArgs ?? ''}${event.args}` : event.args
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
    const segment: Segment = { executable, parent, pid, syscalls: new Map() }
    this.segments.push(segment)
    return segment
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
      acc = { calls: 0, errors: 0, errnos: new Map(), timeUs: 0, minUs: time, maxUs: time }
      this.syscalls.set(name, acc)
    }
    acc.calls++
    acc.timeUs += time
    if (time < acc.minUs) acc.minUs = time
    if (time > acc.maxUs) acc.maxUs = time
    if (failed) {
      acc.errors++
      acc.errnos.set(errno, (acc.errnos.get(errno) ?? 0) + 1)
    }

    // The call belongs to the executable running before it; a successful execve starts a new one after it.
    let exe = task.current.syscalls.get(name)
    if (exe === undefined) {
      exe = { calls: 0, errors: 0, timeUs: 0 }
      task.current.syscalls.set(name, exe)
    }
    exe.calls++
    exe.timeUs += time
    if (failed) exe.errors++

    if (failed) return
    if (EXECS.has(name) && ret === '0') {
      const path = name === 'execveat' ? secondQuotedString(args) : firstQuotedString(args)
      task.current = this.newSegment(task.pid, path ?? this.fallbackExecutable, null)
    } else if (FORKS.has(name)) {
      const child = Number(ret)
      if (Number.isInteger(child) && child > 0) {
        const childTask = this.task(child)
        // The child's first segment has no executable of its own until it execs.
        childTask.first.parent ??= task.current
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

    const byExe = new Map<string, { stats: ExecutableStats; pids: Set<number> }>()
    for (const segment of this.segments) {
      if (segment.syscalls.size === 0) continue
      const path = this.resolve(segment)
      let entry = byExe.get(path)
      if (entry === undefined) {
        entry = {
          stats: { executable: path, processes: 0, calls: 0, errors: 0, syscalls: {} },
          pids: new Set()
        }
        byExe.set(path, entry)
      }
      const task = this.tasks.get(segment.pid)
      if (task !== undefined && !task.isThread) entry.pids.add(segment.pid)
      for (const [name, acc] of segment.syscalls) {
        const into = (entry.stats.syscalls[name] ??= { calls: 0, errors: 0, time_us: 0 })
        into.calls += acc.calls
        into.errors += acc.errors
        into.time_us += acc.timeUs
        entry.stats.calls += acc.calls
        entry.stats.errors += acc.errors
      }
    }
    const executables = [...byExe.values()].map(({ stats, pids }) => ({
      ...stats,
      processes: pids.size,
      syscalls: Object.fromEntries(Object.entries(stats.syscalls).sort(([a], [b]) => (a < b ? -1 : 1)))
    }))
    executables.sort((a, b) => b.calls - a.calls || (a.executable < b.executable ? -1 : 1))

    let processes = 0
    let threads = 0
    for (const task of this.tasks.values()) {
      if (task.isThread) threads++
      else processes++
    }
    return { syscalls, executables, process_count: processes, thread_count: threads, ...extra }
  }

  private resolve(segment: Segment): string {
    let s: Segment | null = segment
    for (let depth = 0; s !== null && depth < 100_000; depth++) {
      if (s.executable !== null) return s.executable
      s = s.parent
    }
    return this.fallbackExecutable
  }
}

function secondQuotedString(args: string): string | null {
  const comma = args.indexOf(', ')
  return comma < 0 ? null : firstQuotedString(args.slice(comma + 2))
}
