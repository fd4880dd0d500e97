export { CommandNotFound, PtraceRefused, StraceFailed, StraceNotFound, TraceError } from './errors.js'
export { firstQuotedString, parseTraceLine, type TraceEvent } from './parser.js'
export { LineSplitter } from './lines.js'
export { ProfileBuilder } from './profile.js'
export {
  findExecutable,
  OUTPUT_OPTIONS,
  traceCommand,
  type TraceRequest,
  type TraceResult
} from './strace.js'
export {
  DEFAULT_TRACE_SET,
  PROCESS_SYSCALLS,
  UNTRACED_BY_DEFAULT,
  BOOKKEEPING_SYSCALLS,
  isTraced,
  traceExpression,
  type SyscallExclusion,
  type TracedSyscalls
} from './syscall-set.js'
export { emptyProfile } from './types.js'
export type * from './types.js'
