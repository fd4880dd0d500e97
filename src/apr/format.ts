/**
 * The `.apr` container, as pure functions over bytes (file I/O lives in persistence.ts). Little-endian:
 *
 *   offset 0   "APR\0"             magic
 *   offset 4   u32 version         1
 *   offset 8   u8  model type      1 k-means, 2 isolation forest, 3 baseline
 *   offset 9   u8  compression     0 none, 1 zstd
 *   offset 10  u32 metadata length (bytes of JSON, at most 1 MiB)
 *   offset 14  metadata JSON (UTF-8), ending with `,"file_crc32":"hhhhhhhh"}`
 *   then       model data (one zstd frame when compression is 1)
 *
 * docs/apr-format.md specifies every byte. Reading checks, in this order: magic (InvalidFormat), version
 * (VersionMismatch), lengths and the file checksum (LoadError), model type and compression codes (InvalidFormat),
 * metadata (LoadError), then, when the model is decoded, the zstd frame, the data length and CRC, and the model's
 * shape (LoadError).
 */
import type { BaselineModel, IsolationForestModel, KMeansModel } from '../models/types.js'
import { ModelDataError } from './binary.js'
import {
  decodeBaselineModel,
  decodeIsolationForestModel,
  decodeKMeansModel,
  encodeBaselineModel,
  encodeIsolationForestModel,
  encodeKMeansModel
} from './codecs.js'
import { crc32, crc32Hex } from './crc32.js'
import { InvalidFormat, LoadError, VersionMismatch } from './errors.js'
import {
  FILE_CRC_PREFIX,
  FILE_CRC_SUFFIX_LENGTH,
  metadataJsonPrefix,
  parseMetadataJson,
  type AprMetadata,
  type AprMetadataFields
} from './metadata.js'
import { ZstdFrameError, compressFrame, decompressFrame, inspectZstdFrame } from './zstd.js'

export const APR_MAGIC = Buffer.from('APR\0', 'latin1')
/** aprender's container, which the Rust renacer writes: recognised, not read. */
export const APRN_MAGIC = Buffer.from('APRN', 'latin1')
export const APR_FORMAT_VERSION = 1
export const APR_HEADER_LENGTH = 14
export const MAX_METADATA_LENGTH = 1024 * 1024
export const MAX_MODEL_DATA_LENGTH = 256 * 1024 * 1024
/** Header, metadata, and model data with zstd's worst-case expansion (well under 2 MiB at 256 MiB). */
export const MAX_FILE_LENGTH =
  APR_HEADER_LENGTH + MAX_METADATA_LENGTH + MAX_MODEL_DATA_LENGTH + 2 * 1024 * 1024

export const ModelType = { KMeans: 1, IsolationForest: 2, Baseline: 3 } as const
export type ModelTypeCode = (typeof ModelType)[keyof typeof ModelType]
export const MODEL_TYPE_NAMES: Record<ModelTypeCode, string> = {
  1: 'kmeans',
  2: 'isolation_forest',
  3: 'baseline'
}

export const Compression = { None: 0, Zstd: 1 } as const
export type CompressionCode = (typeof Compression)[keyof typeof Compression]
export const COMPRESSION_NAMES: Record<CompressionCode, string> = { 0: 'none', 1: 'zstd' }

/** The model each type code holds. */
export interface ModelsByType {
  1: KMeansModel
  2: IsolationForestModel
  3: BaselineModel
}

const ENCODERS: { [T in ModelTypeCode]: (model: ModelsByType[T]) => Buffer } = {
  1: encodeKMeansModel,
  2: encodeIsolationForestModel,
  3: encodeBaselineModel
}

const DECODERS: { [T in ModelTypeCode]: (data: Uint8Array) => ModelsByType[T] } = {
  1: decodeKMeansModel,
  2: decodeIsolationForestModel,
  3: decodeBaselineModel
}

/** A file whose header, metadata and checksum have been verified; the model data is not decoded yet. */
export interface AprFile {
  version: number
  modelType: ModelTypeCode
  compression: CompressionCode
  metadataLength: number
  metadata: AprMetadata
  /** The model data as stored (a zstd frame when compression is 1). */
  storedData: Uint8Array
  fileLength: number
}

function isModelType(code: number): code is ModelTypeCode {
  return code === 1 || code === 2 || code === 3
}

function isCompression(code: number): code is CompressionCode {
  return code === 0 || code === 1
}

/** Serialises model data into a complete file: header, canonical metadata with checksums, stored data. */
export async function encodeAprFile(
  modelType: ModelTypeCode,
  data: Uint8Array,
  fields: AprMetadataFields,
  compress: boolean
): Promise<Buffer> {
  if (data.length > MAX_MODEL_DATA_LENGTH) {
    throw new RangeError(`model data is ${data.length} bytes, over the ${MAX_MODEL_DATA_LENGTH}-byte limit`)
  }
  const stored = compress ? await compressFrame(data) : data
  const prefix = Buffer.from(
    metadataJsonPrefix(fields, { model_data_length: data.length, model_data_crc32: crc32Hex(crc32(data)) }),
    'utf8'
  )
  const metadataLength = prefix.length + FILE_CRC_SUFFIX_LENGTH
  if (metadataLength > MAX_METADATA_LENGTH) {
    throw new RangeError(`metadata is ${metadataLength} bytes, over the ${MAX_METADATA_LENGTH}-byte limit`)
  }
  const out = Buffer.allocUnsafe(APR_HEADER_LENGTH + metadataLength + stored.length)
  APR_MAGIC.copy(out, 0)
  out.writeUInt32LE(APR_FORMAT_VERSION, 4)
  out.writeUInt8(modelType, 8)
  out.writeUInt8(compress ? Compression.Zstd : Compression.None, 9)
  out.writeUInt32LE(metadataLength, 10)
  prefix.copy(out, APR_HEADER_LENGTH)
  const dataOffset = APR_HEADER_LENGTH + metadataLength
  out.set(stored, dataOffset)
  let fileCrc = crc32(out.subarray(0, APR_HEADER_LENGTH + prefix.length))
  fileCrc = crc32(stored, fileCrc)
  out.write(`${FILE_CRC_PREFIX}${crc32Hex(fileCrc)}"}`, APR_HEADER_LENGTH + prefix.length, 'latin1')
  return out
}

/** The model data of a model of the given type (validated first; a ModelDataError says what is wrong). */
export function encodeModelData<T extends ModelTypeCode>(modelType: T, model: ModelsByType[T]): Buffer {
  const encode = ENCODERS[modelType] as (m: ModelsByType[T]) => Buffer
  return encode(model)
}

/** Encodes a model of the given type (validating it first) into a complete file. */
export async function encodeModelFile<T extends ModelTypeCode>(
  modelType: T,
  model: ModelsByType[T],
  fields: AprMetadataFields,
  compress: boolean
): Promise<Buffer> {
  return encodeAprFile(modelType, encodeModelData(modelType, model), fields, compress)
}

function describeStart(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.subarray(0, 8))
  const text = head.toString('latin1')
  return /^[\x20-\x7e]+$/.test(text) ? JSON.stringify(text) : `0x${head.toString('hex')}`
}

function checkMagic(bytes: Uint8Array, file: string): void {
  if (bytes.length === 0) throw new InvalidFormat(file, 'empty file (0 bytes), not an .apr model')
  const n = Math.min(4, bytes.length)
  if (Buffer.compare(bytes.subarray(0, n), APR_MAGIC.subarray(0, n)) === 0) {
    if (n < 4) throw new LoadError(file, `truncated: ${bytes.length} bytes, shorter than the 14-byte header`)
    return
  }
  if (bytes.length >= 4 && Buffer.compare(bytes.subarray(0, 4), APRN_MAGIC) === 0) {
    throw new InvalidFormat(
      file,
      'an aprender "APRN" container (what the Rust renacer writes), not the "APR\\0" .apr layout renacer-action reads',
      'Use correct file: retrain with renacer-action to get an .apr model'
    )
  }
  const text = Buffer.from(bytes.subarray(0, 64)).toString('latin1').trimStart()
  if (text.startsWith('{') || text.startsWith('[')) {
    throw new InvalidFormat(file, 'a JSON text file, not an .apr model (no "APR\\0" magic)')
  }
  throw new InvalidFormat(file, `not an .apr model: starts with ${describeStart(bytes)}, not "APR\\0"`)
}

/**
 * Verifies everything but the model data's encoding: magic, version, lengths against the caps and the file, the
 * file checksum, the type and compression codes, the metadata, and (for zstd) the frame's structure and content
 * size. Never allocates from a length read out of the file.
 */
export function parseAprFile(bytes: Uint8Array, file: string): AprFile {
  checkMagic(bytes, file)
  if (bytes.length > MAX_FILE_LENGTH) {
    throw new LoadError(
      file,
      `${bytes.length} bytes, over the ${MAX_FILE_LENGTH}-byte limit for an .apr model`
    )
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (bytes.length < 8)
    throw new LoadError(file, `truncated: ${bytes.length} bytes, shorter than the 14-byte header`)
  const version = view.getUint32(4, true)
  if (version !== APR_FORMAT_VERSION) throw new VersionMismatch(file, version, APR_FORMAT_VERSION)
  if (bytes.length < APR_HEADER_LENGTH) {
    throw new LoadError(file, `truncated: ${bytes.length} bytes, shorter than the 14-byte header`)
  }
  const typeCode = view.getUint8(8)
  const compressionCode = view.getUint8(9)
  const metadataLength = view.getUint32(10, true)
  if (metadataLength > MAX_METADATA_LENGTH) {
    throw new LoadError(
      file,
      `metadata length ${metadataLength} is over the ${MAX_METADATA_LENGTH}-byte limit`
    )
  }
  const dataOffset = APR_HEADER_LENGTH + metadataLength
  if (dataOffset > bytes.length) {
    throw new LoadError(
      file,
      `truncated: metadata length ${metadataLength} runs past the end of the file (${bytes.length} bytes)`
    )
  }
  // The checksum closes the metadata; it covers every byte of the file but its own 25.
  const suffixOffset = dataOffset - FILE_CRC_SUFFIX_LENGTH
  const suffix =
    metadataLength >= FILE_CRC_SUFFIX_LENGTH
      ? Buffer.from(bytes.subarray(suffixOffset, dataOffset)).toString('latin1')
      : ''
  const match = /^,"file_crc32":"([0-9a-f]{8})"\}$/.exec(suffix)
  if (match === null)
    throw new LoadError(file, 'metadata does not end with its "file_crc32" checksum (corrupted)')
  const storedData = bytes.subarray(dataOffset)
  const actual = crc32Hex(crc32(storedData, crc32(bytes.subarray(0, suffixOffset))))
  if (actual !== match[1]) {
    throw new LoadError(
      file,
      `checksum mismatch: file_crc32 is ${match[1]}, the contents give ${actual} (corrupted)`
    )
  }
  if (!isModelType(typeCode)) {
    throw new InvalidFormat(
      file,
      `unknown model type ${typeCode} (this build reads 1 k-means, 2 isolation forest, 3 baseline)`
    )
  }
  if (!isCompression(compressionCode)) {
    throw new InvalidFormat(file, `unknown compression ${compressionCode} (this build reads 0 none, 1 zstd)`)
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(APR_HEADER_LENGTH, dataOffset))
  } catch {
    throw new LoadError(file, 'metadata is not valid UTF-8')
  }
  const metadata = parseMetadataJson(text, MAX_MODEL_DATA_LENGTH)
  if (typeof metadata === 'string') throw new LoadError(file, metadata)
  if (metadata.file_crc32 !== match[1])
    throw new LoadError(file, 'metadata holds two different file_crc32 values')
  if (compressionCode === Compression.None) {
    if (storedData.length !== metadata.model_data_length) {
      throw new LoadError(
        file,
        `model data is ${storedData.length} bytes, the metadata says ${metadata.model_data_length}`
      )
    }
  } else {
    let contentSize: number
    try {
      contentSize = inspectZstdFrame(storedData).contentSize
    } catch (err) {
      if (err instanceof ZstdFrameError) throw new LoadError(file, err.message, undefined, err)
      throw err
    }
    if (contentSize !== metadata.model_data_length) {
      throw new LoadError(
        file,
        `zstd frame content size ${contentSize} differs from the metadata's model_data_length ${metadata.model_data_length}`
      )
    }
  }
  return {
    version,
    modelType: typeCode,
    compression: compressionCode,
    metadataLength,
    metadata,
    storedData,
    fileLength: bytes.length
  }
}

/** The model data of a parsed file, decompressed and checked against its recorded length and CRC. */
export async function readModelData(parsed: AprFile, file: string): Promise<Uint8Array> {
  let data: Uint8Array
  if (parsed.compression === Compression.None) {
    data = parsed.storedData
  } else {
    try {
      data = await decompressFrame(parsed.storedData, parsed.metadata.model_data_length)
    } catch (err) {
      if (err instanceof ZstdFrameError) throw new LoadError(file, err.message, undefined, err)
      if ((err as { code?: unknown } | null)?.code === 'APR_ZSTD_UNAVAILABLE') {
        throw new LoadError(
          file,
          (err as Error).message.replace(/\.$/, ''),
          'Read it on linux x64 or arm64, or save models uncompressed',
          err
        )
      }
      throw err
    }
  }
  const crc = crc32Hex(crc32(data))
  if (crc !== parsed.metadata.model_data_crc32) {
    throw new LoadError(
      file,
      `model data checksum mismatch: model_data_crc32 is ${parsed.metadata.model_data_crc32}, the data gives ${crc}`
    )
  }
  return data
}

/** Decodes and validates the model of a parsed file, which must be of type `expected`. */
export async function decodeModelFile<T extends ModelTypeCode>(
  parsed: AprFile,
  file: string,
  expected: T
): Promise<ModelsByType[T]> {
  if (parsed.modelType !== expected) {
    throw new InvalidFormat(
      file,
      `holds model type ${parsed.modelType} (${MODEL_TYPE_NAMES[parsed.modelType]}), not the model type ${expected} (${MODEL_TYPE_NAMES[expected]}) asked for`
    )
  }
  const data = await readModelData(parsed, file)
  const decode = DECODERS[expected] as (d: Uint8Array) => ModelsByType[T]
  try {
    return decode(data)
  } catch (err) {
    // ModelDataError is expected here; anything else would be a decoder bug, and is still this file's fault.
    const reason = err instanceof ModelDataError ? err.message : String(err)
    throw new LoadError(file, `invalid model data: ${reason}`, undefined, err)
  }
}

/** Parses and decodes a complete file in memory. */
export async function decodeAprFile<T extends ModelTypeCode>(
  bytes: Uint8Array,
  file: string,
  expected: T
): Promise<ModelsByType[T]> {
  return await decodeModelFile(parseAprFile(bytes, file), file, expected)
}
