import { writeFileSync } from 'node:fs'
import { TraceError } from '../tracing/errors.js'
import { traceCommand } from '../tracing/strace.js'
import type { SyscallProfile } from '../tracing/types.js'
import { toJsonSummary } from '../reports/json.js'
import { renderSummaryTable } from '../reports/summary-table.js'
import { VERSION } from '../version.js'
import { parseCli, USAGE, UsageError, type CliOptions } from './args.js'

/** The CLI's front door: parse, run, and turn every error into one line and an exit code. Never throws. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    const request = parseCli(argv)
    switch (request.kind) {
      case 'help':
        process.stdout.write(`${USAGE}\n`)
        return 0
      case 'version':
        process.stdout.write(`renacer-action ${VERSION}\n`)
        return 0
      case 'validate':
        return 0
      case 'trace':
        return await traceAndReport(request.options)
    }
  } catch (err) {
    return reportError(err)
  }
}

async function traceAndReport(options: CliOptions): Promise<number> {
  const profiles: SyscallProfile[] = []
  for (let run = 0; run < options.runs; run++) {
    const result = await traceCommand({ command: options.command })
    profiles.push(result.profile)
    if (result.profile.exit_code !== 0) break
  }
  const profile = profiles[profiles.length - 1]!
  if (options.summary) process.stderr.write(renderSummaryTable(profile))

  const report = { summary: toJsonSummary(profile) }
  const rendered =
    options.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderSummaryTable(profile)
  if (options.output !== null) writeFileSync(options.output, rendered)
  else if (options.format === 'json') process.stdout.write(rendered)
  else if (!options.summary) process.stderr.write(rendered)
  return profile.exit_code
}

function reportError(err: unknown): number {
  if (err instanceof UsageError) {
    process.stderr.write(`renacer-action: ${err.message}\n\n${USAGE}\n`)
    return err.exitCode
  }
  if (err instanceof TraceError) {
    process.stderr.write(`renacer-action: error[${err.code}]: ${err.message}\n`)
    return err.exitCode
  }
  const message = err instanceof Error ? err.message : String(err)
  process.stderr.write(`renacer-action: internal error: ${message}\n`)
  return 70
}
