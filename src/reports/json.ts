import type { SyscallProfile } from '../tracing/types.js'

/** The `summary` object of the JSON report (docs/report-schema.md): the profile, with executables as `processes`. */
export interface JsonSummary {
  syscalls: SyscallProfile['syscalls']
  processes: SyscallProfile['executables']
  process_count: number
  thread_count: number
  wall_ms: number
  exit_code: number
  signal: string | null
  traced: SyscallProfile['traced']
}

export function toJsonSummary(profile: SyscallProfile): JsonSummary {
  return {
    syscalls: profile.syscalls,
    processes: profile.executables,
    process_count: profile.process_count,
    thread_count: profile.thread_count,
    wall_ms: Math.round(profile.wall_ms * 1000) / 1000,
    exit_code: profile.exit_code,
    signal: profile.signal,
    traced: profile.traced
  }
}
