import { WAITING_SYSCALLS } from '../tracing/syscall-set.js'

/**
 * Syscalls whose counts and times measure waiting, wake-ups and scheduling rather than work: their counts move
 * with CPU contention (a futex that finds its lock free is never called; a poll that finds data ready returns at
 * once) and their times are the time spent blocked. Changes in them are warnings, never regressions.
 */
export const TIMING_SYSCALLS: ReadonlySet<string> = new Set([...WAITING_SYSCALLS, 'wait4', 'waitid'])

/**
 * Memory-management syscalls: their counts follow allocator and garbage-collector decisions (heap growth,
 * trimming, address-space layout; a JIT flipping page protections), a few percent apart between identical runs
 * (tsc's mprotect: 1014 -> 1150, +13.4%, between two unchanged runs). They need twice the relative threshold.
 */
export const MEMORY_SYSCALLS: ReadonlySet<string> = new Set([
  'brk',
  'madvise',
  'mmap',
  'mprotect',
  'mremap',
  'munmap'
])

/**
 * Stream I/O whose call counts follow chunking rather than work: a read on a pipe returns what is there when it
 * is called, and how output is buffered decides how many writes carry it. Measured between identical runs of
 * `npm ci`: read 8020-11272, write 10142-12433 (node); and gcc -O0 writes 15% more assembly in more calls while
 * doing less work. Against a baseline of fewer than MIN_RUNS_FOR_IO_SPREAD runs their counts need
 * CHUNKED_IO_FACTOR_WITHOUT_SPREAD times the relative threshold; files written, opened or looked up still show at
 * full strictness in openat, close, unlink, rename, the stat family and their errors.
 */
export const CHUNKED_IO_SYSCALLS: ReadonlySet<string> = new Set([
  'read',
  'readv',
  'recvfrom',
  'recvmmsg',
  'recvmsg',
  'sendmmsg',
  'sendmsg',
  'sendto',
  'write',
  'writev'
])

/**
 * Syscalls that block on other processes or peers (a read on a pipe waits for the writer, a lock waits for its
 * holder): their counts are work, but their time is mostly someone else's. Counts are gated; time is not.
 */
export const BLOCKING_SYSCALLS: ReadonlySet<string> = new Set([
  'accept',
  'accept4',
  'connect',
  'flock',
  'msgrcv',
  'read',
  'readv',
  'recvfrom',
  'recvmmsg',
  'recvmsg',
  'splice'
])

export type SyscallClass = 'timing' | 'memory' | 'blocking' | 'work'

/** Baselines with at least this many runs judge chunked I/O by its own measured spread. */
export const MIN_RUNS_FOR_IO_SPREAD = 3

/**
 * Below MIN_RUNS_FOR_IO_SPREAD, a chunked-I/O count must move this many thresholds (50% at the default 10%): the
 * range that one run cannot show is as wide as +40% (node's reads in identical `npm ci` runs: 8020-11272), and
 * a one-run baseline taken on a busy runner, where node reads larger chunks, failed a quiet rerun at `read`
 * +24.6% (the detection bench, 2026-12-04 22:54). Twice the threshold was not enough.
 */
export const CHUNKED_IO_FACTOR_WITHOUT_SPREAD = 5

/**
 * How much larger than `--threshold` a count change of this syscall must be: 2 for memory syscalls;
 * CHUNKED_IO_FACTOR_WITHOUT_SPREAD for chunked I/O while the baseline has too few runs to show how noisy it is (a C
 * compiler's writes are exact, node's reads move 40%), after which the spread decides and a 10% injection is
 * caught again.
 */
export function thresholdFactor(name: string, baselineRuns: number): number {
  if (MEMORY_SYSCALLS.has(name)) return 2
  if (CHUNKED_IO_SYSCALLS.has(name) && baselineRuns < MIN_RUNS_FOR_IO_SPREAD)
    return CHUNKED_IO_FACTOR_WITHOUT_SPREAD
  return 1
}

export function syscallClass(name: string): SyscallClass {
  if (TIMING_SYSCALLS.has(name)) return 'timing'
  if (BLOCKING_SYSCALLS.has(name)) return 'blocking'
  if (MEMORY_SYSCALLS.has(name)) return 'memory'
  return 'work'
}
