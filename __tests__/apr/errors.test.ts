/** The damaged files of issue 3's "Done when", each with the kind the seed names, and the messages around them. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  APR_EXIT_CODES,
  AprError,
  FileNotFound,
  InvalidFormat,
  LoadError,
  PersistenceOptions,
  VersionMismatch,
  aprExitCode,
  describeModelFile,
  formatAprError,
  loadBaselineModel,
  loadIsolationForestModel,
  loadKMeansModel,
  saveIsolationForestModel,
  saveKMeansModel,
  validateModelFile
} from '../../src/apr/index.js'
import { kindOf, tempFolder } from './helpers.js'
import { smallForest, smallKMeans } from './models.js'

let dir: string
let cleanup: () => Promise<void>
let zstdFile: string
let rawFile: string
let zstdBytes: Buffer
let rawBytes: Buffer

beforeAll(async () => {
  ;({ dir, cleanup } = await tempFolder())
  zstdFile = join(dir, 'good.apr')
  rawFile = join(dir, 'good-raw.apr')
  await saveKMeansModel(smallKMeans(), zstdFile)
  await saveKMeansModel(smallKMeans(), rawFile, new PersistenceOptions().withCompression(false))
  zstdBytes = await readFile(zstdFile)
  rawBytes = await readFile(rawFile)
})
afterAll(async () => cleanup())

async function damaged(name: string, bytes: Uint8Array | string): Promise<string> {
  const file = join(dir, name)
  await writeFile(file, bytes)
  return file
}

/** Loads with the k-means loader and with validateModelFile, which must agree; returns the error. */
async function failure(file: string): Promise<AprError> {
  const load = await loadKMeansModel(file).then(
    () => null,
    (err: unknown) => err
  )
  const validate = await validateModelFile(file).then(
    () => null,
    (err: unknown) => err
  )
  if (!(load instanceof AprError)) throw new Error(`load did not fail with an AprError: ${String(load)}`)
  // validate does not decode the model, so it may pass where only the model data is wrong; when it fails, same kind.
  if (validate !== null) expect((validate as AprError).name).toBe(load.name)
  return load
}

function dataOffset(bytes: Buffer): number {
  return 14 + bytes.readUInt32LE(10)
}

describe('damaged files fail with the seed kind named in the message', () => {
  it.each([
    ['empty', () => Buffer.alloc(0), InvalidFormat, /empty file/],
    ['truncated inside the metadata', () => zstdBytes.subarray(0, 40), LoadError, /truncated/],
    [
      'truncated inside the model data',
      () => zstdBytes.subarray(0, zstdBytes.length - 5),
      LoadError,
      /checksum/
    ],
    [
      'with a wrong magic',
      () => Buffer.concat([Buffer.from('APX\0'), zstdBytes.subarray(4)]),
      InvalidFormat,
      /not an \.apr model/
    ],
    [
      'of version 99',
      () => {
        const b = Buffer.from(zstdBytes)
        b.writeUInt32LE(99, 4)
        return b
      },
      VersionMismatch,
      /format version 99, this build reads version 1/
    ],
    [
      'with a flipped byte in the zstd model data',
      () => {
        const b = Buffer.from(zstdBytes)
        b.writeUInt8(b.readUInt8(dataOffset(b) + 12) ^ 0x40, dataOffset(b) + 12)
        return b
      },
      LoadError,
      /checksum mismatch/
    ],
    [
      'with a flipped byte in the raw model data',
      () => {
        const b = Buffer.from(rawBytes)
        b.writeUInt8(b.readUInt8(dataOffset(b) + 30) ^ 0x01, dataOffset(b) + 30)
        return b
      },
      LoadError,
      /checksum mismatch/
    ],
    [
      'with a flipped byte in the metadata',
      () => {
        const b = Buffer.from(rawBytes)
        b.writeUInt8(b.readUInt8(20) ^ 0x02, 20) // inside "name"'s value: still valid JSON
        return b
      },
      LoadError,
      /checksum mismatch/
    ],
    [
      'with a metadata length past the end',
      () => {
        const b = Buffer.from(zstdBytes)
        b.writeUInt32LE(b.length, 10)
        return b
      },
      LoadError,
      /metadata length \d+ runs past the end of the file/
    ],
    [
      'with a metadata length over 1 MiB',
      () => {
        const b = Buffer.from(zstdBytes)
        b.writeUInt32LE(0xffffffff, 10)
        return b
      },
      LoadError,
      /over the 1048576-byte limit/
    ],
    [
      'that is a JSON text file',
      () => '{"name": "baseline", "clusters": [[1, 2]]}\n',
      InvalidFormat,
      /a JSON text file/
    ],
    [
      "that is aprender's APRN container",
      () => Buffer.concat([Buffer.from('APRN'), Buffer.from([1, 0, 0, 0, 0x81, 0xa4]), Buffer.alloc(32)]),
      InvalidFormat,
      /aprender "APRN" container/
    ]
  ])('%s', async (name, make, kind, detail) => {
    const file = await damaged(`${name.replace(/\W+/g, '-')}.apr`, make())
    const err = await failure(file)
    expect(err).toBeInstanceOf(kind)
    expect(err.message.startsWith(`${file}: `)).toBe(true)
    expect(err.message).toMatch(detail)
    expect(formatAprError(err)).toBe(`error[${err.name}]: ${err.message}`)
    expect(formatAprError(err)).not.toMatch(/\n/)
  })

  it('a missing path is FileNotFound, with the seed remedy', async () => {
    const file = join(dir, 'nope', 'missing.apr')
    const err = await failure(file)
    expect(err).toBeInstanceOf(FileNotFound)
    expect(err.message).toBe(`${file}: no such file. Check path.`)
    expect(err.code).toBe('APR_FILE_NOT_FOUND')
    expect(formatAprError(err)).toBe(`error[FileNotFound]: ${file}: no such file. Check path.`)
  })

  it('a directory is InvalidFormat', async () => {
    const folder = join(dir, 'a-folder.apr')
    await mkdir(folder)
    expect(await failure(folder)).toBeInstanceOf(InvalidFormat)
  })

  it('the wrong loader for the model type is InvalidFormat', async () => {
    const file = join(dir, 'forest.apr')
    await saveIsolationForestModel(smallForest(), file)
    const err = await loadKMeansModel(file).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(InvalidFormat)
    expect((err as Error).message).toBe(
      `${file}: holds model type 2 (isolation_forest), not the model type 1 (kmeans) asked for. Use correct file.`
    )
    expect(await kindOf(loadBaselineModel(file))).toBe('InvalidFormat')
    expect(await kindOf(loadIsolationForestModel(file))).toBe('ok')
  })
})

describe('errors', () => {
  it('have names, codes, exit codes and one base class', () => {
    const errors = [
      new FileNotFound('m.apr'),
      new InvalidFormat('m.apr', 'x'),
      new VersionMismatch('m.apr', 2, 1),
      new LoadError('m.apr', 'x')
    ]
    expect(errors.map((e) => [e.name, e.code, e.exitCode])).toEqual([
      ['FileNotFound', 'APR_FILE_NOT_FOUND', 66],
      ['InvalidFormat', 'APR_INVALID_FORMAT', 65],
      ['VersionMismatch', 'APR_VERSION_MISMATCH', 67],
      ['LoadError', 'APR_LOAD_ERROR', 68]
    ])
    for (const e of errors) {
      expect(e).toBeInstanceOf(AprError)
      expect(e).toBeInstanceOf(Error)
      expect(aprExitCode(e)).toBe(APR_EXIT_CODES[e.name])
    }
    expect(aprExitCode(new Error('boom'))).toBe(1)
    expect(new VersionMismatch('m.apr', 99, 1).message).toBe(
      'm.apr: format version 99, this build reads version 1. Retrain model.'
    )
  })

  it('exit codes are distinct and clear of 0, 1, 2, 125-127 and signals', () => {
    const codes = Object.values(APR_EXIT_CODES)
    expect(new Set(codes).size).toBe(codes.length)
    for (const c of codes) {
      expect(c).toBeGreaterThan(2)
      expect(c).toBeLessThan(125)
    }
  })

  it('formatAprError prints anything thrown on one line', () => {
    expect(formatAprError(new TypeError('bad\nthing'))).toBe('error[TypeError]: bad thing')
    expect(formatAprError('a string')).toBe('error[Error]: a string')
  })
})

describe('describeModelFile', () => {
  it('gives the header fields and the metadata as plain data', async () => {
    const d = await describeModelFile(zstdFile)
    expect(d).toEqual({
      file: zstdFile,
      magic: 'APR\\0',
      version: 1,
      model_type: { code: 1, name: 'kmeans' },
      compression: { code: 1, name: 'zstd' },
      metadata_length: zstdBytes.readUInt32LE(10),
      model_data_length: zstdBytes.length - dataOffset(zstdBytes),
      file_length: zstdBytes.length,
      metadata: await validateModelFile(zstdFile)
    })
    expect(JSON.parse(JSON.stringify(d))).toEqual(d)
  })
})
