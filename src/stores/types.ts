/**
 * Where baselines live between runs. The pipeline takes one of these and never knows which: a local folder
 * (the CLI, a laptop, tests) or GitHub artifacts (the action on a runner).
 */

export interface FetchedBaseline {
  /** Folder holding the downloaded files (the .apr model and the last JSON report). */
  dir: string
  files: string[]
  /** Where the baseline came from, for the summary: a CI run id and its URL when known. */
  sourceRunId: string | null
  sourceUrl: string | null
  /** The commit the baseline was trained on, when known. */
  sourceSha: string | null
}

/** Why no baseline could be used. `missing` and `expired` are normal on a first run; the rest are reported. */
export type BaselineUnavailableReason = 'missing' | 'expired' | 'forbidden' | 'unreachable' | 'invalid'

export class BaselineUnavailable extends Error {
  override readonly name = 'BaselineUnavailable'
  constructor(
    readonly reason: BaselineUnavailableReason,
    message: string
  ) {
    super(message)
  }
}

export interface PublishOptions {
  retentionDays: number
}

export interface PublishedBaseline {
  id: string
  name: string
  size: number
}

export interface BaselineStore {
  readonly kind: 'local' | 'artifact'
  /**
   * The newest trusted baseline called `name`, downloaded into `destDir`. Throws BaselineUnavailable when there is
   * none to use (missing, expired, refused, unreachable); other errors are bugs.
   */
  fetch(name: string, destDir: string): Promise<FetchedBaseline>
  /** Stores `files` (absolute paths) as the baseline called `name`. Must be all-or-nothing. */
  publish(name: string, files: string[], options: PublishOptions): Promise<PublishedBaseline>
}
