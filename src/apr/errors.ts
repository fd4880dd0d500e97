/**
 * The four ways reading an `.apr` file fails, as the seed names them. Every message reads
 * `<file>: <what is wrong>. <what to do>`; the CLI prints it as one line through formatAprError.
 */

/** The kinds, in the seed's words. */
export type AprErrorKind = 'FileNotFound' | 'InvalidFormat' | 'VersionMismatch' | 'LoadError'

/**
 * Process exit codes for each kind (BSD sysexits numbers): clear of 0, 1, 2 (usage), 125-127 and 128+N (signals).
 * `renacer-action validate` exits with these; docs/apr-format.md lists them.
 */
export const APR_EXIT_CODES = {
  /** EX_DATAERR: the file is not an .apr model (or not of the expected model type). */
  InvalidFormat: 65,
  /** EX_NOINPUT: nothing to read at that path. */
  FileNotFound: 66,
  /** The file is an .apr model of a format version this build does not read. */
  VersionMismatch: 67,
  /** The file claims to be an .apr model but is damaged, truncated, oversized or unreadable. */
  LoadError: 68
} as const satisfies Record<AprErrorKind, number>

/** The seed's remedy for each kind. */
const REMEDIES: Record<AprErrorKind, string> = {
  FileNotFound: 'Check path',
  InvalidFormat: 'Use correct file',
  VersionMismatch: 'Retrain model',
  LoadError: 'Retrain model'
}

const CODES = {
  FileNotFound: 'APR_FILE_NOT_FOUND',
  InvalidFormat: 'APR_INVALID_FORMAT',
  VersionMismatch: 'APR_VERSION_MISMATCH',
  LoadError: 'APR_LOAD_ERROR'
} as const satisfies Record<AprErrorKind, string>

export type AprErrorCode = (typeof CODES)[AprErrorKind]

/** Base of the four errors; catch this to catch any of them. */
export abstract class AprError extends Error {
  abstract override readonly name: AprErrorKind
  abstract readonly code: AprErrorCode
  /** The path as the caller gave it. */
  readonly file: string
  /** What is wrong, without the file name or the remedy. */
  readonly detail: string
  /** What to do about it. */
  readonly remedy: string

  protected constructor(kind: AprErrorKind, file: string, detail: string, remedy?: string, cause?: unknown) {
    const todo = remedy ?? REMEDIES[kind]
    super(`${file}: ${detail}. ${todo}.`, cause === undefined ? undefined : { cause })
    this.file = file
    this.detail = detail
    this.remedy = todo
  }

  /** The process exit code for this kind (APR_EXIT_CODES). */
  get exitCode(): number {
    return APR_EXIT_CODES[this.name]
  }
}

/** The path does not exist (or a folder on the way is not a folder). */
export class FileNotFound extends AprError {
  override readonly name = 'FileNotFound'
  override readonly code = CODES.FileNotFound
  constructor(file: string, detail = 'no such file', remedy?: string, cause?: unknown) {
    super('FileNotFound', file, detail, remedy, cause)
  }
}

/** Not an `.apr` model: wrong magic, another container (aprender's APRN), or not the model type asked for. */
export class InvalidFormat extends AprError {
  override readonly name = 'InvalidFormat'
  override readonly code = CODES.InvalidFormat
  constructor(file: string, detail: string, remedy?: string, cause?: unknown) {
    super('InvalidFormat', file, detail, remedy, cause)
  }
}

/** An `.apr` model of a format version this build does not read. */
export class VersionMismatch extends AprError {
  override readonly name = 'VersionMismatch'
  override readonly code = CODES.VersionMismatch
  /** The version the file declares. */
  readonly found: number
  constructor(file: string, found: number, supported: number, remedy?: string) {
    super('VersionMismatch', file, `format version ${found}, this build reads version ${supported}`, remedy)
    this.found = found
  }
}

/** An `.apr` model that is damaged: truncated, corrupted, oversized, inconsistent, or unreadable. */
export class LoadError extends AprError {
  override readonly name = 'LoadError'
  override readonly code = CODES.LoadError
  constructor(file: string, detail: string, remedy?: string, cause?: unknown) {
    super('LoadError', file, detail, remedy, cause)
  }
}

/** Exit code for anything thrown while reading a model: the kind's code, or 1 for anything else. */
export function aprExitCode(err: unknown): number {
  return err instanceof AprError ? err.exitCode : 1
}

/**
 * One line for a terminal: `error[<Kind>]: <file>: <what is wrong>. <what to do>`. Anything that is not an
 * AprError is printed as `error[<name>]: <message>`. Line breaks are flattened so the line stays one line.
 */
export function formatAprError(err: unknown): string {
  let kind: string
  let message: string
  if (err instanceof AprError) {
    kind = err.name
    message = err.message
  } else if (err instanceof Error) {
    kind = err.name || 'Error'
    message = err.message
  } else {
    kind = 'Error'
    message = String(err)
  }
  return `error[${kind}]: ${message}`.replace(/[\r\n]+/g, ' ')
}
