import type { FetchedBaseline } from '../stores/types.js'
import type { BaselineModel } from '../models/types.js'
import type { BaselineInfo } from '../reports/report.js'
import { traceCommand } from '../tracing/strace.js'
import { DEFAULT_TRACE_SET } from '../tracing/syscall-set.js'
import type { SyscallProfile } from '../tracing/types.js'

/**
 * Traces `command` up to `runs` times with the default set (or every syscall), stopping at the first failed run:
 * a failed run is reported, never repeated or trained on. The last profile is the one to report and gate.
 */
export async function traceRuns(
  command: readonly string[],
  options: { runs: number; traceAll: boolean; cwd?: string }
): Promise<SyscallProfile[]> {
  const profiles: SyscallProfile[] = []
  for (let run = 0; run < options.runs; run++) {
    const { profile } = await traceCommand({
      command,
      cwd: options.cwd,
      syscalls: options.traceAll ? 'all' : DEFAULT_TRACE_SET
    })
    profiles.push(profile)
    if (profile.exit_code !== 0) break
  }
  return profiles
}

/**
 * Where a baseline came from, for the reports: the store's word when it fetched one (the action), else the labels
 * of the newest run in the window (a file on a laptop).
 */
export function baselineInfo(
  source: string,
  model: BaselineModel,
  fetched: FetchedBaseline | null = null
): BaselineInfo {
  const last = model.window.runs[model.window.runs.length - 1]
  return {
    source,
    runs: model.window.runs.length,
    run_id: fetched?.sourceRunId ?? last?.labels.run_id ?? null,
    url: fetched?.sourceUrl ?? last?.labels.run_url ?? null,
    sha: fetched?.sourceSha ?? last?.labels.sha ?? null
  }
}
