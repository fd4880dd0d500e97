export {
  BROAD_INFLATION_SHARE,
  DEFAULT_FLOORS,
  DEFAULT_GATE_OPTIONS,
  DEFAULT_THRESHOLD,
  MIN_RUNS_FOR_TIME,
  SPREAD_FACTOR,
  TIME_RATIO,
  analyzeRegression,
  attribute,
  judgeChange,
  resolveGateOptions,
  robustStd
} from './analyze.js'
export {
  BLOCKING_SYSCALLS,
  CHUNKED_IO_SYSCALLS,
  MEMORY_SYSCALLS,
  MIN_RUNS_FOR_IO_SPREAD,
  TIMING_SYSCALLS,
  syscallClass,
  thresholdFactor,
  type SyscallClass
} from './classes.js'
export type * from './types.js'
export { comparable, TRACED_LABEL, tracedOf } from './comparable.js'
