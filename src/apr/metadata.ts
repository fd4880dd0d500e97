/**
 * The metadata of an `.apr` file: the seed's fields, the name, and the integrity fields. The JSON is written
 * canonically (fixed key order, hyperparameters sorted, no whitespace) and always ends with the file checksum, so
 * equal inputs give equal bytes and the checksum sits where a reader can find it without trusting the JSON.
 */
import { RENACER_VERSION } from './version.js'
import { FORBIDDEN_KEYS } from './validate.js'

/** What the metadata JSON of a valid file holds (the object validateModelFile returns). */
export interface AprMetadata {
  name: string
  /** The renacer-action version that wrote the file. */
  renacer_version: string
  /** Unix seconds, as a string of digits. */
  trained_at: string
  training_samples: number
  hyperparameters: Record<string, string>
  description?: string
  /** Length of the model data before compression. */
  model_data_length: number
  /** CRC-32 of the model data before compression, 8 lowercase hex digits. */
  model_data_crc32: string
  /** CRC-32 of the whole file except the last 25 bytes of the metadata (`,"file_crc32":"hhhhhhhh"}`). */
  file_crc32: string
}

/** The fields a writer chooses; the integrity fields are computed. */
export type AprMetadataFields = Omit<AprMetadata, 'model_data_length' | 'model_data_crc32' | 'file_crc32'>

const DIGITS = /^(0|[1-9][0-9]*)$/
const HEX8 = /^[0-9a-f]{8}$/

function checkHyperparameterKey(key: string): void {
  if (FORBIDDEN_KEYS.has(key)) throw new TypeError(`hyperparameter key ${JSON.stringify(key)} is not allowed`)
}

/** Training information, as the seed's `ModelMetadata::new(samples).with_hyperparameter(k, v)...`. Immutable. */
export class ModelMetadata {
  readonly trainingSamples: number
  readonly hyperparameters: Readonly<Record<string, string>>
  readonly description: string | undefined
  /** Unix seconds, as a string (the seed's `trained_at`); defaults to the time the builder was created. */
  readonly trainedAt: string
  /** Filled in with this package's version. */
  readonly renacerVersion: string = RENACER_VERSION

  constructor(
    trainingSamples: number,
    fields: { hyperparameters?: Record<string, string>; description?: string; trainedAt?: string } = {}
  ) {
    if (!Number.isSafeInteger(trainingSamples) || trainingSamples < 0) {
      throw new TypeError(`training samples must be a non-negative integer, got ${trainingSamples}`)
    }
    this.trainingSamples = trainingSamples
    this.hyperparameters = Object.freeze({ ...fields.hyperparameters })
    this.description = fields.description
    this.trainedAt = fields.trainedAt ?? String(Math.floor(Date.now() / 1000))
  }

  private with(fields: {
    hyperparameters?: Record<string, string>
    description?: string
    trainedAt?: string
  }) {
    return new ModelMetadata(this.trainingSamples, {
      hyperparameters: fields.hyperparameters ?? { ...this.hyperparameters },
      description: 'description' in fields ? fields.description : this.description,
      trainedAt: fields.trainedAt ?? this.trainedAt
    })
  }

  /** Records one hyperparameter; numbers and booleans are stored as their string form. */
  withHyperparameter(key: string, value: string | number | boolean): ModelMetadata {
    checkHyperparameterKey(key)
    return this.with({ hyperparameters: { ...this.hyperparameters, [key]: String(value) } })
  }

  withDescription(description: string): ModelMetadata {
    return this.with({ description })
  }

  /** Overrides the training time (Unix seconds, or a Date). */
  withTrainedAt(when: number | Date): ModelMetadata {
    const seconds = when instanceof Date ? Math.floor(when.getTime() / 1000) : when
    if (!Number.isSafeInteger(seconds) || seconds < 0) {
      throw new TypeError(`trained_at must be non-negative Unix seconds, got ${String(when)}`)
    }
    return this.with({ trainedAt: String(seconds) })
  }
}

/** How a model is written, as the seed's `PersistenceOptions::new().with_compression(true)...`. Immutable. */
export class PersistenceOptions {
  constructor(
    /** zstd-compress the model data (compression code 1); default true. */
    readonly compression: boolean = true,
    /** The model's name in the metadata; defaults to the model type's name (kmeans, isolation_forest, baseline). */
    readonly name: string | undefined = undefined,
    /** Overrides the ModelMetadata description when set. */
    readonly description: string | undefined = undefined
  ) {}

  withCompression(compression: boolean): PersistenceOptions {
    return new PersistenceOptions(compression, this.name, this.description)
  }

  withName(name: string): PersistenceOptions {
    return new PersistenceOptions(this.compression, name, this.description)
  }

  withDescription(description: string): PersistenceOptions {
    return new PersistenceOptions(this.compression, this.name, description)
  }
}

/** The metadata fields of a save, from the options, the (optional) metadata builder and the model's defaults. */
export function metadataFields(
  defaults: { name: string; trainingSamples: number },
  options: PersistenceOptions,
  metadata: ModelMetadata | undefined
): AprMetadataFields {
  const md = metadata ?? new ModelMetadata(defaults.trainingSamples)
  const description = options.description ?? md.description
  const fields: AprMetadataFields = {
    name: options.name ?? defaults.name,
    renacer_version: md.renacerVersion,
    trained_at: md.trainedAt,
    training_samples: md.trainingSamples,
    hyperparameters: { ...md.hyperparameters }
  }
  if (description !== undefined) fields.description = description
  return fields
}

/** The checksum field closes the JSON: its 25 bytes are the only part of the file the checksum does not cover. */
export const FILE_CRC_PREFIX = ',"file_crc32":"'
export const FILE_CRC_SUFFIX_LENGTH = FILE_CRC_PREFIX.length + 8 + 2

/**
 * The canonical metadata JSON up to (not including) the file checksum suffix. Key order is fixed, hyperparameters
 * are sorted by key (UTF-16 code units), strings are escaped by JSON.stringify.
 */
export function metadataJsonPrefix(
  fields: AprMetadataFields,
  integrity: { model_data_length: number; model_data_crc32: string }
): string {
  if (!DIGITS.test(fields.trained_at))
    throw new TypeError(`trained_at must be Unix seconds, got ${fields.trained_at}`)
  if (!Number.isSafeInteger(fields.training_samples) || fields.training_samples < 0) {
    throw new TypeError(`training_samples must be a non-negative integer, got ${fields.training_samples}`)
  }
  const hp = Object.keys(fields.hyperparameters)
    .sort()
    .map((key) => {
      checkHyperparameterKey(key)
      const value = fields.hyperparameters[key]
      if (typeof value !== 'string') throw new TypeError(`hyperparameter ${key} must be a string`)
      return `${JSON.stringify(key)}:${JSON.stringify(value)}`
    })
  const parts = [
    `"name":${JSON.stringify(fields.name)}`,
    `"renacer_version":${JSON.stringify(fields.renacer_version)}`,
    `"trained_at":${JSON.stringify(fields.trained_at)}`,
    `"training_samples":${fields.training_samples}`,
    `"hyperparameters":{${hp.join(',')}}`
  ]
  if (fields.description !== undefined) parts.push(`"description":${JSON.stringify(fields.description)}`)
  parts.push(`"model_data_length":${integrity.model_data_length}`)
  parts.push(`"model_data_crc32":${JSON.stringify(integrity.model_data_crc32)}`)
  return `{${parts.join(',')}`
}

/** What is wrong with a metadata object, or null when it is well formed. */
function metadataProblem(value: unknown, maxDataLength: number): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'is not a JSON object'
  const m = value as Record<string, unknown>
  for (const key of ['name', 'renacer_version', 'trained_at'] as const) {
    if (typeof m[key] !== 'string') return `has no string "${key}"`
  }
  if (!DIGITS.test(m.trained_at as string))
    return `has trained_at ${JSON.stringify(m.trained_at)}, not Unix seconds`
  const samples = m.training_samples
  if (typeof samples !== 'number' || !Number.isSafeInteger(samples) || samples < 0) {
    return 'has no non-negative integer "training_samples"'
  }
  const hp = m.hyperparameters
  if (typeof hp !== 'object' || hp === null || Array.isArray(hp)) return 'has no "hyperparameters" object'
  for (const [key, v] of Object.entries(hp)) {
    if (typeof v !== 'string') return `has hyperparameter ${JSON.stringify(key)} that is not a string`
  }
  if (m.description !== undefined && typeof m.description !== 'string')
    return 'has a description that is not a string'
  const length = m.model_data_length
  if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) {
    return 'has no non-negative integer "model_data_length"'
  }
  if (length > maxDataLength)
    return `says the model data is ${length} bytes, over the ${maxDataLength}-byte limit`
  for (const key of ['model_data_crc32', 'file_crc32'] as const) {
    if (typeof m[key] !== 'string' || !HEX8.test(m[key])) return `has no 8-hex-digit "${key}"`
  }
  return null
}

class ForbiddenKey extends Error {}

/**
 * Parses metadata JSON already known to be intact. Refuses prototype keys at any depth (a reviver sees every key)
 * and checks every field; returns the metadata with only the known fields, or a description of the problem.
 */
export function parseMetadataJson(text: string, maxDataLength: number): AprMetadata | string {
  let value: unknown
  try {
    value = JSON.parse(text, function (this: unknown, key: string, v: unknown): unknown {
      if (FORBIDDEN_KEYS.has(key)) throw new ForbiddenKey(key)
      return v
    })
  } catch (err) {
    if (err instanceof ForbiddenKey) return `metadata holds the forbidden key ${JSON.stringify(err.message)}`
    return `metadata is not valid JSON (${err instanceof Error ? err.message : String(err)})`
  }
  const problem = metadataProblem(value, maxDataLength)
  if (problem !== null) return `metadata ${problem}`
  const m = value as AprMetadata
  return {
    name: m.name,
    renacer_version: m.renacer_version,
    trained_at: m.trained_at,
    training_samples: m.training_samples,
    hyperparameters: Object.fromEntries(Object.entries(m.hyperparameters)),
    ...(m.description === undefined ? {} : { description: m.description }),
    model_data_length: m.model_data_length,
    model_data_crc32: m.model_data_crc32,
    file_crc32: m.file_crc32
  }
}
