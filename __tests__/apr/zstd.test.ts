import { describe, expect, it } from '@jest/globals'
import { createRequire } from 'node:module'
import { crc32, crc32Fallback } from '../../src/apr/crc32.js'
import { ZstdFrameError, compressFrame, decompressFrame, inspectZstdFrame } from '../../src/apr/zstd.js'
import { loadZstdBinding } from '../../src/apr/zstd-loader.cjs'
import { prng } from './models.js'

function sample(n: number, seed = 1): Buffer {
  const rand = prng(seed)
  const b = Buffer.alloc(n)
  for (let i = 0; i < n; i++) b[i] = rand() < 0.5 ? 97 : Math.floor(rand() * 256)
  return b
}

describe('compressFrame', () => {
  it.each([0, 1, 255, 256, 1000, 70_000, 300_000])(
    'records the content size of %i bytes and round-trips',
    async (n) => {
      const data = sample(n)
      const frame = await compressFrame(data)
      const info = inspectZstdFrame(frame)
      expect(info.contentSize).toBe(n)
      expect((frame[4] as number) >> 6 !== 0 || ((frame[4] as number) & 0x20) !== 0).toBe(true)
      expect((await decompressFrame(frame, n)).equals(data)).toBe(true)
    }
  )

  it('is needed: the binding alone writes frames without a content size, which inspect refuses', async () => {
    const raw = await loadZstdBinding().compress(sample(1000), 3)
    expect(() => inspectZstdFrame(raw)).toThrow('zstd frame does not record its content size')
  })
})

describe('frames that never reach the decompressor', () => {
  let frame: Buffer
  const data = sample(5000, 2)

  it.each([
    [
      'a different content size',
      async (f: Buffer) => decompressFrame(f, data.length + 1),
      /differs from the recorded/
    ],
    [
      'two frames',
      async (f: Buffer) => decompressFrame(Buffer.concat([f, f]), data.length),
      /exactly one frame/
    ],
    [
      'a trailing byte',
      async (f: Buffer) => decompressFrame(Buffer.concat([f, Buffer.of(0)]), data.length),
      /exactly one frame/
    ],
    [
      'a missing last byte',
      async (f: Buffer) => decompressFrame(f.subarray(0, f.length - 1), data.length),
      /ends inside/
    ],
    [
      'a skippable frame',
      async () => decompressFrame(Buffer.from('502a4d1804000000deadbeef', 'hex'), 0),
      /does not start with a zstd frame/
    ],
    [
      'a dictionary id',
      async (f: Buffer) => {
        const g = Buffer.from(f)
        g[4] = (g[4] as number) | 1
        return decompressFrame(g, data.length)
      },
      /dictionary/
    ],
    [
      'a content size its blocks cannot produce',
      // single segment, 4-byte content size of 1 GiB, then one empty last raw block
      async () => decompressFrame(Buffer.from('28b52ffda000000040010000', 'hex'), 1 << 30),
      /cannot produce the 1073741824 bytes/
    ]
  ])('refuses %s', async (_name, run, message) => {
    frame ??= await compressFrame(data)
    await expect(run(frame)).rejects.toThrow(ZstdFrameError)
    await expect(run(frame)).rejects.toThrow(message)
  })
})

describe('crc32', () => {
  it('is the zlib CRC-32, natively and in the fallback', () => {
    const check = Buffer.from('123456789')
    expect(crc32(check)).toBe(0xcbf43926)
    expect(crc32Fallback(check)).toBe(0xcbf43926)
    const big = sample(100_000, 5)
    expect(crc32Fallback(big)).toBe(crc32(big))
    expect(crc32Fallback(big.subarray(500), crc32Fallback(big.subarray(0, 500)))).toBe(crc32(big))
  })
})

describe('the package version', () => {
  it('RENACER_VERSION is package.json version', async () => {
    const { RENACER_VERSION } = await import('../../src/apr/version.js')
    const pkg = createRequire(import.meta.url)('../../package.json') as { version: string }
    expect(RENACER_VERSION).toBe(pkg.version)
  })
})
