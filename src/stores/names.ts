/**
 * Baseline names. One name is both a GitHub artifact name and a folder under the local store, so it must satisfy
 * the artifact service's rules (the characters @actions/artifact rejects) and be a single safe path segment.
 */

export class InvalidBaselineName extends Error {
  override readonly name = 'InvalidBaselineName'
  readonly code = 'INVALID_BASELINE_NAME'
  constructor(
    readonly value: string,
    why: string
  ) {
    super(`Invalid baseline name ${JSON.stringify(value)} (the baseline-artifact input): ${why}`)
  }
}

// The characters @actions/artifact refuses in an artifact name (NTFS limits), with the words it uses for them.
const FORBIDDEN_CHARACTERS: ReadonlyArray<readonly [string, string]> = [
  ['"', 'a double quote (")'],
  [':', 'a colon (:)'],
  ['<', 'a less-than sign (<)'],
  ['>', 'a greater-than sign (>)'],
  ['|', 'a vertical bar (|)'],
  ['*', 'an asterisk (*)'],
  ['?', 'a question mark (?)'],
  ['\\', 'a backslash (\\)'],
  ['/', 'a forward slash (/)']
]

/** Long enough for any sensible name, short enough to stay one path segment on every file system. */
export const MAX_BASELINE_NAME_LENGTH = 200

/** Throws InvalidBaselineName unless `name` is usable as an artifact name and as one folder name. */
export function validateBaselineName(name: string): void {
  if (name.length === 0) throw new InvalidBaselineName(name, 'it is empty')
  if (name.trim() !== name) throw new InvalidBaselineName(name, 'it starts or ends with white space')
  if (name === '.' || name === '..') throw new InvalidBaselineName(name, 'it is a relative path')
  if (name.length > MAX_BASELINE_NAME_LENGTH) {
    throw new InvalidBaselineName(name, `it is longer than ${MAX_BASELINE_NAME_LENGTH} characters`)
  }
  for (const [character, words] of FORBIDDEN_CHARACTERS) {
    if (name.includes(character)) throw new InvalidBaselineName(name, `it contains ${words}`)
  }
  // Control characters (NUL, CR, LF, ...) break file systems, logs and workflow commands alike.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name))
    throw new InvalidBaselineName(name, 'it contains a control character')
}
