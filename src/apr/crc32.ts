/**
 * CRC-32 (ISO-HDLC: the zlib, PNG and gzip one; check value of "123456789" is 0xcbf43926). zlib's native
 * crc32 (Node >= 20.15 and 22.2) when present, else a table-driven fallback with identical results.
 */
import * as zlib from 'node:zlib'

let table: Uint32Array | null = null

function crc32Table(): Uint32Array {
  if (table !== null) return table
  table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
}

/** CRC-32 of `data`, continuing from `previous` (the CRC of the bytes before it; 0 to start). */
export function crc32Fallback(data: Uint8Array, previous = 0): number {
  const t = crc32Table()
  let crc = ~previous >>> 0
  for (let i = 0; i < data.length; i++) crc = (t[(crc ^ (data[i] as number)) & 0xff] as number) ^ (crc >>> 8)
  return ~crc >>> 0
}

const native: ((data: Uint8Array, value?: number) => number) | undefined =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function' ? zlib.crc32 : undefined

/** CRC-32 of `data`, continuing from `previous` (0 to start). Always an unsigned 32-bit number. */
export function crc32(data: Uint8Array, previous = 0): number {
  return native === undefined ? crc32Fallback(data, previous) : native(data, previous) >>> 0
}

/** The CRC as stored in `.apr` metadata: 8 lowercase hex digits. */
export function crc32Hex(value: number): string {
  return value.toString(16).padStart(8, '0')
}
