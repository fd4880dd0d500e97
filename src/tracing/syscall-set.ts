/**
 * Which syscalls strace stops the build for.
 *
 * Every traced syscall costs two ptrace stops (entry and exit), each a round trip through strace: a few microseconds
 * that the build pays on every call. With `--seccomp-bpf`, syscalls outside the set never stop the tracee and run
 * at full speed. So the default set is everything EXCEPT the syscalls that cost most and say least:
 *
 * - They are the most frequent calls of multi-threaded tools. Measured on this machine (docs/overhead.md):
 *   `npm ci` of 43 packages makes 132k syscalls, of which 74k are futex and 13k epoll_pwait; `tsc` makes 4.3k
 *   futex of its 13.8k. A C build makes few of them (make and the compilers are single-threaded).
 * - They measure waiting, not work: a futex that finds its lock free is never called, a poll that finds data ready
 *   returns at once, so their counts move with CPU contention and their times are time spent blocked. The gate
 *   (src/gate/classes.ts, TIMING_SYSCALLS) never fails a build on them: at most a warning.
 *
 * The waiting syscalls are the gate's timing class minus wait4 and waitid: those reap processes and are kept with
 * clone/fork/vfork/execve, which are always traced (the per-executable attribution needs them). Beside them, the
 * bookkeeping syscalls that builds make in bulk (BOOKKEEPING_SYSCALLS: readlink, per-process setup, page
 * protections and unmaps) are left out. Everything else stays traced, including syscalls this list has never heard
 * of: a new syscall in a build is a signal. The gate compares only syscalls traced in both runs (labels.traced of
 * each baseline run), so a --trace-all run against a default baseline, or the reverse, is never a false alarm.
 *
 * The signals the gate uses all stay: failed lookups (openat, open, stat family, access, readlinkat), files written
 * (write, pwrite64, close, unlink, rename, mkdir), processes (clone, fork, vfork, execve, wait4), syncs (fsync,
 * fdatasync, sync_file_range), memory growth (mmap, brk) and reads.
 *
 * Excluded names are given to strace with a `?` prefix: a syscall that does not exist on the architecture (select, poll and
 * epoll_wait are absent on arm64) is then skipped instead of failing the run.
 */

/** What strace traces: everything, only a list (plus process creation), or everything but a list. */
export type TracedSyscalls = 'all' | readonly string[] | SyscallExclusion

export interface SyscallExclusion {
  /** Trace every syscall except these. Process creation and exec are traced even if listed. */
  readonly exclude: readonly string[]
}

/**
 * Syscalls whose counts and times measure waiting, wake-ups and scheduling rather than work: their counts move
 * with CPU contention (a futex that finds its lock free is never called; a poll that finds data ready returns at
 * once) and their times are time spent blocked. The gate's timing class (src/gate/classes.ts) is these plus the
 * process reapers wait4 and waitid.
 */
export const WAITING_SYSCALLS: readonly string[] = Object.freeze([
  'clock_gettime',
  'clock_nanosleep',
  'epoll_pwait',
  'epoll_pwait2',
  'epoll_wait',
  'futex',
  'futex_waitv',
  'getrandom',
  'gettimeofday',
  'io_getevents',
  'io_pgetevents',
  'io_uring_enter',
  'nanosleep',
  'pause',
  'poll',
  'ppoll',
  'pselect6',
  'restart_syscall',
  'rt_sigreturn',
  'rt_sigsuspend',
  'rt_sigtimedwait',
  'sched_yield',
  'select',
  'semtimedop'
])

/**
 * Bookkeeping that builds make in bulk and that says nothing the traced set does not say better. Measured on LZ4's
 * `make -j2` and `tsc` (docs/overhead.md, `node bench/overhead.mjs --counts`):
 * - readlink (27% of a C build's calls: gcc canonicalising every include path; its failures are EINVAL on plain
 *   files, and a lookup storm shows in openat and the stat family), lseek (offsets of the same reads);
 * - per-process setup: rt_sigaction, rt_sigprocmask, arch_prctl, set_tid_address, set_robust_list, rseq,
 *   prlimit64, getuid, geteuid, getgid, getegid: a fixed handful per process (more processes show in
 *   clone/execve/wait4);
 * - memory bookkeeping: mprotect, munmap, madvise (29% of tsc's traced calls): page protections flipped by the
 *   loader and the JIT, unmaps and advice from the garbage collector, which move from run to run with its
 *   decisions; memory growth shows in mmap and brk, which stay.
 */
export const BOOKKEEPING_SYSCALLS: readonly string[] = Object.freeze([
  'arch_prctl',
  'getegid',
  'geteuid',
  'getgid',
  'getuid',
  'lseek',
  'madvise',
  'mprotect',
  'munmap',
  'prlimit64',
  'readlink',
  'rseq',
  'rt_sigaction',
  'rt_sigprocmask',
  'set_robust_list',
  'set_tid_address'
])

/** Left out by default: the waiting syscalls (never a regression for the gate) and the bulk bookkeeping. */
export const UNTRACED_BY_DEFAULT: readonly string[] = Object.freeze([
  ...WAITING_SYSCALLS,
  ...BOOKKEEPING_SYSCALLS
])

/**
 * The CLI's and the action's default: every syscall but the waiting and bookkeeping ones. `--trace-all` uses `'all'` instead,
 * which is exact (counts equal `strace -f -c`) and costs what plain strace costs.
 */
export const DEFAULT_TRACE_SET: SyscallExclusion = Object.freeze({ exclude: UNTRACED_BY_DEFAULT })

/** Process creation and exec: always traced, since they are how work is attributed to executables. */
export const PROCESS_SYSCALLS: readonly string[] = Object.freeze([
  'clone',
  'clone3',
  'execve',
  'execveat',
  'fork',
  'vfork'
])

export function isExclusion(set: TracedSyscalls): set is SyscallExclusion {
  return typeof set === 'object' && !Array.isArray(set) && 'exclude' in set
}

/**
 * The strace options that select `set`: none for `all`; otherwise `--seccomp-bpf` and one `-e trace=` expression.
 * Names are sorted and deduplicated so the same set always gives the same argv.
 */
export function traceExpression(set: TracedSyscalls): string[] {
  if (set === 'all') return []
  if (isExclusion(set)) {
    const excluded = excludedNames(set)
    if (excluded.length === 0) return []
    return ['--seccomp-bpf', '-e', `trace=!${excluded.map((name) => `?${name}`).join(',')}`]
  }
  // An explicit list is taken literally: a name strace does not know is an error, as it always was.
  const selected = [...new Set([...set, ...PROCESS_SYSCALLS])].sort()
  return ['--seccomp-bpf', '-e', `trace=${selected.join(',')}`]
}

/** The profile's record of what was traced (`traced` in the JSON report). */
export function describeTraced(set: TracedSyscalls): 'all' | string[] | { exclude: string[] } {
  if (set === 'all') return 'all'
  if (isExclusion(set)) {
    const excluded = excludedNames(set)
    return excluded.length === 0 ? 'all' : { exclude: excluded }
  }
  return [...new Set(set)].sort()
}

/** Whether a syscall of this name was traced under `set` (its absence from a profile then means zero calls). */
export function isTraced(set: TracedSyscalls, name: string): boolean {
  if (set === 'all' || PROCESS_SYSCALLS.includes(name)) return true
  if (isExclusion(set)) return !set.exclude.includes(name)
  return set.includes(name)
}

function excludedNames(set: SyscallExclusion): string[] {
  return [...new Set(set.exclude)].filter((name) => !PROCESS_SYSCALLS.includes(name)).sort()
}
