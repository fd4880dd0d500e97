/**
 * `.apr` files on disk: the seed's save/load/validate functions. Reads refuse oversized and non-regular files
 * before allocating; saves are atomic (temp file in the same folder, fsync, rename), so a crash never leaves half a
 * model and a failed save never destroys the previous one.
 */
import { randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import { open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { BaselineModel, IsolationForestModel, KMeansModel } from '../models/types.js'
import { ModelDataError } from './binary.js'
import { AprError, FileNotFound, InvalidFormat, LoadError } from './errors.js'
import {
  APR_MAGIC,
  COMPRESSION_NAMES,
  MAX_FILE_LENGTH,
  MODEL_TYPE_NAMES,
  ModelType,
  decodeModelFile,
  encodeAprFile,
  encodeModelData,
  parseAprFile,
  type AprFile,
  type ModelTypeCode,
  type ModelsByType
} from './format.js'
import { ModelMetadata, PersistenceOptions, metadataFields, type AprMetadata } from './metadata.js'

function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

/** The bytes of a model file, refused before reading when the path is no regular file or is too large. */
export async function readModelBytes(file: string): Promise<Buffer> {
  let handle
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer.
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (err) {
    const errno = errnoOf(err)
    if (errno === 'ENOENT' || errno === 'ENOTDIR')
      throw new FileNotFound(file, 'no such file', undefined, err)
    if (errno === 'EACCES' || errno === 'EPERM') {
      throw new LoadError(file, 'permission denied', "Check the file's permissions", err)
    }
    throw new LoadError(file, `cannot open (${errno ?? String(err)})`, 'Check path', err)
  }
  try {
    const stat = await handle.stat()
    if (stat.isDirectory()) throw new InvalidFormat(file, 'a directory, not an .apr model')
    if (!stat.isFile()) throw new InvalidFormat(file, 'not a regular file, so not an .apr model')
    if (stat.size > MAX_FILE_LENGTH) {
      throw new LoadError(
        file,
        `${stat.size} bytes, over the ${MAX_FILE_LENGTH}-byte limit for an .apr model`
      )
    }
    const bytes = Buffer.allocUnsafe(stat.size)
    let filled = 0
    while (filled < bytes.length) {
      const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, filled)
      if (bytesRead === 0) break
      filled += bytesRead
    }
    return bytes.subarray(0, filled)
  } catch (err) {
    if (err instanceof AprError) throw err
    throw new LoadError(file, `cannot read (${errnoOf(err) ?? String(err)})`, undefined, err)
  } finally {
    await handle.close()
  }
}

/**
 * Writes `bytes` to `file` atomically: `<file>.tmp-<pid>-<random>` in the same folder, fsync, rename over `file`.
 * On any failure the temp file is removed and the error (Node's own, with its `code`) is rethrown.
 */
export async function writeFileAtomic(file: string, bytes: Uint8Array): Promise<void> {
  const temp = join(dirname(file), `${basename(file)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`)
  let created = false
  try {
    const handle = await open(temp, 'wx', 0o666)
    created = true
    try {
      await handle.writeFile(bytes)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, file)
  } catch (err) {
    if (created) await rm(temp, { force: true })
    throw err
  }
}

const DEFAULT_OPTIONS = new PersistenceOptions()

async function saveModel<T extends ModelTypeCode>(
  modelType: T,
  model: ModelsByType[T],
  file: string,
  options: PersistenceOptions,
  metadata: ModelMetadata | undefined,
  trainingSamples: () => number
): Promise<void> {
  let data: Buffer
  try {
    data = encodeModelData(modelType, model)
  } catch (err) {
    if (err instanceof ModelDataError) {
      throw new TypeError(`${file}: cannot save the ${MODEL_TYPE_NAMES[modelType]} model: ${err.message}`, {
        cause: err
      })
    }
    throw err
  }
  const fields = metadataFields(
    { name: MODEL_TYPE_NAMES[modelType], trainingSamples: trainingSamples() },
    options,
    metadata
  )
  await writeFileAtomic(file, await encodeAprFile(modelType, data, fields, options.compression))
}

async function loadModel<T extends ModelTypeCode>(file: string, modelType: T): Promise<ModelsByType[T]> {
  const bytes = await readModelBytes(file)
  return await decodeModelFile(parseAprFile(bytes, file), file, modelType)
}

/**
 * Saves a k-means model. Without `metadata`, training_samples is the number of training rows and trained_at is now.
 * Rejects (TypeError) a model that is not well formed; rejects with Node's error when the file cannot be written.
 */
export async function saveKMeansModel(
  model: KMeansModel,
  file: string,
  options: PersistenceOptions = DEFAULT_OPTIONS,
  metadata?: ModelMetadata
): Promise<void> {
  await saveModel(ModelType.KMeans, model, file, options, metadata, () => model.syscalls.length)
}

export async function loadKMeansModel(file: string): Promise<KMeansModel> {
  return await loadModel(file, ModelType.KMeans)
}

/** Saves an isolation forest. Without `metadata`, training_samples is the forest's sample_size. */
export async function saveIsolationForestModel(
  model: IsolationForestModel,
  file: string,
  options: PersistenceOptions = DEFAULT_OPTIONS,
  metadata?: ModelMetadata
): Promise<void> {
  await saveModel(ModelType.IsolationForest, model, file, options, metadata, () => model.sample_size)
}

export async function loadIsolationForestModel(file: string): Promise<IsolationForestModel> {
  return await loadModel(file, ModelType.IsolationForest)
}

/** Saves a baseline (window, optional k-means, optional forest). Without `metadata`, training_samples is the runs. */
export async function saveBaselineModel(
  model: BaselineModel,
  file: string,
  options: PersistenceOptions = DEFAULT_OPTIONS,
  metadata?: ModelMetadata
): Promise<void> {
  await saveModel(ModelType.Baseline, model, file, options, metadata, () => model.window.runs.length)
}

export async function loadBaselineModel(file: string): Promise<BaselineModel> {
  return await loadModel(file, ModelType.Baseline)
}

async function inspectModelFile(file: string): Promise<AprFile> {
  return parseAprFile(await readModelBytes(file), file)
}

/**
 * Checks a model file without decoding its model: header, caps, the file checksum (so any damaged byte is found),
 * metadata and the zstd frame's structure. Returns the metadata.
 */
export async function validateModelFile(file: string): Promise<AprMetadata> {
  return (await inspectModelFile(file)).metadata
}

/** What `renacer-action validate FILE` prints: the header fields and the metadata, as plain JSON-ready data. */
export interface ModelFileDescription {
  file: string
  magic: string
  version: number
  model_type: { code: number; name: string }
  compression: { code: number; name: string }
  metadata_length: number
  /** Bytes of the model data section as stored (compressed when compression is zstd). */
  model_data_length: number
  file_length: number
  metadata: AprMetadata
}

export async function describeModelFile(file: string): Promise<ModelFileDescription> {
  const parsed = await inspectModelFile(file)
  return {
    file,
    magic: APR_MAGIC.toString('latin1').replace('\0', '\\0'),
    version: parsed.version,
    model_type: { code: parsed.modelType, name: MODEL_TYPE_NAMES[parsed.modelType] },
    compression: { code: parsed.compression, name: COMPRESSION_NAMES[parsed.compression] },
    metadata_length: parsed.metadataLength,
    model_data_length: parsed.storedData.length,
    file_length: parsed.fileLength,
    metadata: parsed.metadata
  }
}
