/**
 * zstd for `.apr` model data: one frame per file, always with its Frame_Content_Size, and never handed to the
 * decompressor before its header and block structure have been checked against the length the metadata promises.
 * Frame layout: RFC 8878, section 3.1.1.
 */
import { loadZstdBinding } from './zstd-loader.cjs'

/** zstd's default level: the models are small, and level 3 keeps a 1000-cluster save well under a millisecond. */
export const ZSTD_LEVEL = 3

const FRAME_MAGIC = 0xfd2fb528
const MAX_BLOCK_SIZE = 128 * 1024
/** The largest window a stock zstd decoder accepts without being told otherwise (ZSTD_WINDOWLOG_LIMIT_DEFAULT). */
const MAX_WINDOW_LOG = 27

/** A zstd frame that does not have the shape `.apr` allows. The message says what is wrong, without a file name. */
export class ZstdFrameError extends Error {
  override readonly name = 'ZstdFrameError'
}

/** What the frame header says, once the whole frame has been walked. */
export interface ZstdFrameInfo {
  /** Frame_Content_Size: the exact length decompression must produce. */
  contentSize: number
  /** Bytes of the frame header (magic included). */
  headerSize: number
  windowSize: number
  blocks: number
  hasChecksum: boolean
}

/**
 * Parses and walks one zstd frame without decompressing it. Refuses anything but exactly one frame (no skippable
 * frames, no dictionary), with Frame_Content_Size present, whose blocks end exactly at the end of `frame`.
 */
export function inspectZstdFrame(frame: Uint8Array): ZstdFrameInfo {
  if (frame.length < 6)
    throw new ZstdFrameError(`zstd frame is ${frame.length} bytes, shorter than any frame header`)
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength)
  const magic = view.getUint32(0, true)
  if (magic !== FRAME_MAGIC) {
    throw new ZstdFrameError(`model data does not start with a zstd frame (magic 0x${magic.toString(16)})`)
  }
  const descriptor = view.getUint8(4)
  const fcsFlag = descriptor >> 6
  const singleSegment = (descriptor & 0x20) !== 0
  const hasChecksum = (descriptor & 0x04) !== 0
  if ((descriptor & 0x08) !== 0) throw new ZstdFrameError('zstd frame header has its reserved bit set')
  if ((descriptor & 0x03) !== 0)
    throw new ZstdFrameError('zstd frame names a dictionary; .apr frames use none')
  const fcsBytes = fcsFlag === 0 ? (singleSegment ? 1 : 0) : 1 << fcsFlag
  if (fcsBytes === 0) throw new ZstdFrameError('zstd frame does not record its content size')
  let offset = 5
  let windowSize = 0
  if (!singleSegment) {
    const windowDescriptor = view.getUint8(offset)
    offset += 1
    const windowLog = 10 + (windowDescriptor >> 3)
    if (windowLog > MAX_WINDOW_LOG)
      throw new ZstdFrameError(`zstd frame asks for a 2^${windowLog}-byte window`)
    const windowBase = 2 ** windowLog
    windowSize = windowBase + (windowBase / 8) * (windowDescriptor & 0x07)
  }
  if (frame.length < offset + fcsBytes + 3) throw new ZstdFrameError('zstd frame ends inside its header')
  let contentSize: number
  switch (fcsBytes) {
    case 1:
      contentSize = view.getUint8(offset)
      break
    case 2:
      contentSize = view.getUint16(offset, true) + 256
      break
    case 4:
      contentSize = view.getUint32(offset, true)
      break
    default: {
      const big = view.getBigUint64(offset, true)
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZstdFrameError('zstd frame content size is absurd')
      contentSize = Number(big)
    }
  }
  offset += fcsBytes
  const headerSize = offset
  if (singleSegment) windowSize = contentSize
  const blockMax = Math.min(windowSize, MAX_BLOCK_SIZE)

  // Walk the blocks: raw and RLE blocks regenerate exactly Block_Size bytes, compressed ones at most blockMax.
  let exact = 0
  let upperBound = 0
  let blocks = 0
  for (;;) {
    if (offset + 3 > frame.length) throw new ZstdFrameError('zstd frame ends inside a block header')
    const blockHeader =
      view.getUint8(offset) | (view.getUint8(offset + 1) << 8) | (view.getUint8(offset + 2) << 16)
    offset += 3
    blocks += 1
    const last = (blockHeader & 1) === 1
    const type = (blockHeader >> 1) & 3
    const size = blockHeader >>> 3
    if (size > blockMax) {
      throw new ZstdFrameError(`zstd block of ${size} bytes exceeds the ${blockMax}-byte block limit`)
    }
    let stored: number
    switch (type) {
      case 0: // raw
        stored = size
        exact += size
        upperBound += size
        break
      case 1: // RLE
        stored = 1
        exact += size
        upperBound += size
        break
      case 2: // compressed
        stored = size
        upperBound += blockMax
        break
      default:
        throw new ZstdFrameError('zstd frame holds a block of the reserved type')
    }
    if (offset + stored > frame.length) throw new ZstdFrameError('zstd frame ends inside a block')
    offset += stored
    if (exact > contentSize) throw new ZstdFrameError('zstd blocks hold more than the frame content size')
    if (last) break
  }
  if (hasChecksum) offset += 4
  if (offset !== frame.length) {
    throw new ZstdFrameError(
      offset > frame.length
        ? 'zstd frame ends inside its checksum'
        : `${frame.length - offset} bytes follow the zstd frame; .apr allows exactly one frame`
    )
  }
  if (upperBound < contentSize) {
    throw new ZstdFrameError(`zstd blocks cannot produce the ${contentSize} bytes the frame header promises`)
  }
  return { contentSize, headerSize, windowSize, blocks, hasChecksum }
}

/**
 * Compresses `data` into one frame that records its content size. The binding's streaming encoder leaves
 * Frame_Content_Size out, so the header is rewritten with a 4-byte one (FCS flag 2); the blocks do not depend on
 * the header, and the decoder then checks the produced length against it.
 */
export async function compressFrame(data: Uint8Array, level: number = ZSTD_LEVEL): Promise<Buffer> {
  if (data.length > 0xffffffff) throw new RangeError('zstd: .apr model data must be under 4 GiB')
  const input = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  const raw = await loadZstdBinding().compress(input, level)
  let frame = raw
  const descriptor = raw[4] ?? 0
  if (descriptor >> 6 === 0 && (descriptor & 0x20) === 0) {
    frame = Buffer.allocUnsafe(raw.length + 4)
    raw.copy(frame, 0, 0, 6) // magic, descriptor, window descriptor
    frame[4] = descriptor | 0x80
    frame.writeUInt32LE(data.length, 6)
    raw.copy(frame, 10, 6)
  }
  const info = inspectZstdFrame(frame)
  if (info.contentSize !== data.length) {
    throw new Error(`zstd: compressed frame records ${info.contentSize} bytes, expected ${data.length}`)
  }
  return frame
}

/**
 * Decompresses one frame that must hold exactly `expectedLength` bytes. The frame is inspected first; only a frame
 * whose Frame_Content_Size equals `expectedLength` (a length the caller has already capped) reaches the binding.
 */
export async function decompressFrame(frame: Uint8Array, expectedLength: number): Promise<Buffer> {
  const info = inspectZstdFrame(frame)
  if (info.contentSize !== expectedLength) {
    throw new ZstdFrameError(
      `zstd frame content size ${info.contentSize} differs from the recorded model data length ${expectedLength}`
    )
  }
  const input = Buffer.isBuffer(frame) ? frame : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength)
  const binding = loadZstdBinding() // throws its own error on an unsupported platform: not a frame problem
  let out: Buffer
  try {
    out = await binding.decompress(input)
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    throw new ZstdFrameError(`zstd could not decompress the model data (${reason})`)
  }
  if (out.length !== expectedLength) {
    throw new ZstdFrameError(`zstd produced ${out.length} bytes, expected ${expectedLength}`)
  }
  return out
}
