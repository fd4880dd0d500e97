/**
 * The per-syscall profile of one traced run. Field names are snake_case because this shape IS the
 * public JSON report (`summary`), documented in docs/report-schema.md; later stages extend it, never break it.
 */

/** One syscall across every process of the run. Times are microseconds spent inside the call (strace -T). */
export interface SyscallStats {
  name: string
  calls: number
  errors: number
  /** Failed calls per errno name (ENOENT, EAGAIN, ERESTARTSYS, ...). Sums to `errors`. */
  errnos: Record<string, number>
  time_us: number
  min_us: number
  max_us: number
  mean_us: number
}

/** Calls of one syscall made by one executable. */
export interface ExecutableSyscall {
  calls: number
  errors: number
  time_us: number
}

/**
 * Everything done by processes and threads while they ran one executable (the path execve ran). Work done
 * before a process's first successful execve is attributed to its parent's executable at fork time.
 */
export interface ExecutableStats {
  executable: string
  /** Distinct processes (thread-group leaders and forked children, not threads) that ran this executable. */
  processes: number
  calls: number
  errors: number
  syscalls: Record<string, ExecutableSyscall>
}

export interface SyscallProfile {
  /** Sorted by name. */
  syscalls: SyscallStats[]
  /** Sorted by calls, descending, then by path. The JSON report calls this list `processes`. */
  executables: ExecutableStats[]
  /** Distinct processes (the traced command and every forked child; threads not counted). */
  process_count: number
  /** Threads started with CLONE_THREAD. */
  thread_count: number
  wall_ms: number
  /** The traced command's exit code; 128+N when it was killed by signal N. */
  exit_code: number
  /** Name of the signal that killed the traced command, if one did. */
  signal: string | null
  /**
   * `all`; or the syscalls strace was told to trace (a list); or `{ exclude }`: every syscall but those (the
   * default set, src/tracing/syscall-set.ts). A syscall that was not traced is absent, not zero.
   */
  traced: 'all' | string[] | { exclude: string[] }
}

/** An empty profile, for code that aggregates into one. */
export function emptyProfile(): SyscallProfile {
  return {
    syscalls: [],
    executables: [],
    process_count: 0,
    thread_count: 0,
    wall_ms: 0,
    exit_code: 0,
    signal: null,
    traced: 'all'
  }
}
