/**
 * Whatever bytes arrive, reading gives a valid model or exactly one of the four errors: never another exception,
 * never a hang. Damage is applied to real files (real zstd), then to re-sealed files (checksums recomputed) so that
 * the layers behind the checksum — metadata parsing, the zstd frame walk, the model decoders and shape checks —
 * meet arbitrary input too.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import {
  ModelType,
  decodeAprFile,
  encodeAprFile,
  encodeModelData,
  encodeModelFile,
  type AprMetadataFields,
  type ModelTypeCode
} from '../../src/apr/index.js'
import { crc32 } from '../../src/apr/crc32.js'
import { kindOf } from './helpers.js'
import { smallBaseline, smallForest, smallKMeans } from './models.js'

const FIELDS: AprMetadataFields = {
  name: 'prop',
  renacer_version: '0.1.0',
  trained_at: '1733340000',
  training_samples: 4,
  hyperparameters: { k: '2' }
}

interface Sample {
  label: string
  type: ModelTypeCode
  bytes: Buffer
}

const samples: Sample[] = []
beforeAll(async () => {
  samples.push(
    {
      label: 'k-means, zstd',
      type: ModelType.KMeans,
      bytes: await encodeModelFile(1, smallKMeans(), FIELDS, true)
    },
    {
      label: 'k-means, raw',
      type: ModelType.KMeans,
      bytes: await encodeModelFile(1, smallKMeans(), FIELDS, false)
    },
    {
      label: 'forest, zstd',
      type: ModelType.IsolationForest,
      bytes: await encodeModelFile(2, smallForest(), FIELDS, true)
    },
    {
      label: 'baseline, zstd',
      type: ModelType.Baseline,
      bytes: await encodeModelFile(3, smallBaseline(), FIELDS, true)
    }
  )
})

const decode = (s: Sample, bytes: Uint8Array) => kindOf(decodeAprFile(bytes, 'm.apr', s.type))

describe('damaged files', () => {
  it('every truncation fails with one of the four errors', async () => {
    for (const s of samples) {
      for (let n = 0; n < s.bytes.length; n++) {
        const kind = await decode(s, s.bytes.subarray(0, n))
        expect([s.label, n, kind]).toEqual([s.label, n, expect.stringMatching(/^(InvalidFormat|LoadError)$/)])
      }
    }
  })

  it('every single-byte flip at every position fails with one of the four errors', async () => {
    for (const s of samples.slice(0, 3)) {
      for (let i = 0; i < s.bytes.length; i++) {
        for (const mask of [0x01, 0x80, 0xff, 0x5a]) {
          const b = Buffer.from(s.bytes)
          b.writeUInt8(b.readUInt8(i) ^ mask, i)
          const kind = await decode(s, b)
          expect([s.label, i, mask, kind]).toEqual([s.label, i, mask, expect.stringMatching(/^[A-Z]\w+$/)])
          expect(kind).not.toBe('ok')
        }
      }
    }
  })

  type Op =
    | { op: 'set'; at: number; value: number }
    | { op: 'insert'; at: number; bytes: Uint8Array }
    | { op: 'delete'; at: number; count: number }
    | { op: 'u32'; at: number; value: number }
    | { op: 'truncate'; at: number }

  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({
      op: fc.constant('insert' as const),
      at: fc.nat(),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 8 })
    }),
    fc.record({ op: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 16 }) }),
    fc.record({ op: fc.constant('u32' as const), at: fc.constantFrom(4, 10, 14), value: fc.nat() }),
    fc.record({ op: fc.constant('truncate' as const), at: fc.nat() })
  )

  function mutate(original: Buffer, ops: Op[]): Buffer {
    let b = Buffer.from(original)
    for (const o of ops) {
      const at = b.length === 0 ? 0 : o.at % b.length
      switch (o.op) {
        case 'set':
          if (b.length > 0) b[at] = o.value
          break
        case 'insert':
          b = Buffer.concat([b.subarray(0, at), o.bytes, b.subarray(at)])
          break
        case 'delete':
          b = Buffer.concat([b.subarray(0, at), b.subarray(at + o.count)])
          break
        case 'u32':
          if (b.length >= o.at + 4) b.writeUInt32LE(o.value % 2 === 0 ? o.value : o.value % 4096, o.at)
          break
        case 'truncate':
          b = b.subarray(0, at)
          break
      }
    }
    return b
  }

  it('100,000 random mutations give a valid model only when nothing changed, else one of the four errors', async () => {
    const s = samples[0] as Sample
    let runs = 0
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 4 }), async (ops) => {
        runs += 1
        const b = mutate(s.bytes, ops)
        const kind = await decode(s, b)
        return b.equals(s.bytes) ? kind === 'ok' : kind !== 'ok'
      }),
      { numRuns: 100_000 }
    )
    expect(runs).toBe(100_000)
  })
})

/** Recomputes file_crc32 so that damage behind the checksum reaches the parser and decoders. */
function reseal(b: Buffer): Buffer {
  const metaLength = b.readUInt32LE(10)
  const dataOffset = 14 + metaLength
  const suffixOffset = dataOffset - 25
  const crc = crc32(b.subarray(dataOffset), crc32(b.subarray(0, suffixOffset)))
  b.write(crc.toString(16).padStart(8, '0'), suffixOffset + 15, 'latin1')
  return b
}

describe('damage behind the checksum', () => {
  const allowed = /^(ok|InvalidFormat|LoadError)$/

  it('random model data, correctly sealed, decodes to a valid model or fails with LoadError', async () => {
    for (const type of [ModelType.KMeans, ModelType.IsolationForest, ModelType.Baseline] as const) {
      const model = type === 1 ? smallKMeans() : type === 2 ? smallForest() : smallBaseline()
      const data = encodeModelData(type, model as never)
      const s = { label: String(type), type, bytes: Buffer.alloc(0) }
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
          fc.boolean(),
          fc.nat(),
          async (edits, compress, cut) => {
            const d = Buffer.from(data)
            for (const [at, value] of edits) d[at % d.length] = value
            const cutData = cut % 7 === 0 ? d.subarray(0, cut % d.length) : d
            const file = await encodeAprFile(type, cutData, FIELDS, compress)
            const kind = await decode(s, file)
            return kind === 'ok' || kind === 'LoadError'
          }
        ),
        { numRuns: 4000 }
      )
    }
  })

  it('damaged metadata JSON, resealed, fails with one of the four errors or still reads', async () => {
    const s = samples[1] as Sample
    const metaEnd = 14 + s.bytes.readUInt32LE(10) - 25
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            fc.integer({ min: 14, max: metaEnd - 1 }),
            fc.constantFrom(...'{}[]":,0123456789-eE.\\_ax\u00e9'.split(''))
          ),
          {
            minLength: 1,
            maxLength: 4
          }
        ),
        async (edits) => {
          const b = Buffer.from(s.bytes)
          for (const [at, ch] of edits) b[at] = ch.charCodeAt(0) & 0xff
          const kind = await decode(s, reseal(b))
          return allowed.test(kind)
        }
      ),
      { numRuns: 5000 }
    )
  })

  it('prototype keys in resealed metadata are refused', async () => {
    const s = samples[1] as Sample
    const text = s.bytes.subarray(14, 14 + s.bytes.readUInt32LE(10)).toString('latin1')
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const evil = text.replace('"hyperparameters":{"k":"2"}', `"hyperparameters":{"${key}":"2"}`)
      const meta = Buffer.from(evil, 'latin1')
      const header = Buffer.from(s.bytes.subarray(0, 14))
      header.writeUInt32LE(meta.length, 10)
      const b = reseal(Buffer.concat([header, meta, s.bytes.subarray(14 + s.bytes.readUInt32LE(10))]))
      await expect(decodeAprFile(b, 'm.apr', 1)).rejects.toThrow(new RegExp(`forbidden key "${key}"`))
    }
  })

  it('a damaged zstd frame, resealed, fails with LoadError', async () => {
    const s = samples[0] as Sample
    const dataOffset = 14 + s.bytes.readUInt32LE(10)
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }),
        async (edits) => {
          const b = Buffer.from(s.bytes)
          const frameLength = b.length - dataOffset
          for (const [at, value] of edits) b[dataOffset + (at % frameLength)] = value
          const kind = await decode(s, reseal(b))
          return kind === 'ok' || kind === 'LoadError'
        }
      ),
      { numRuns: 5000 }
    )
  })
})
