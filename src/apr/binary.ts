/**
 * Little-endian byte writer and reader for model data. The reader never trusts a count: it checks that the bytes a
 * count implies are present before allocating anything, and every overrun is a ModelDataError.
 */

/** Model data that cannot be encoded or decoded. The message says what and where, without a file name. */
export class ModelDataError extends Error {
  override readonly name = 'ModelDataError'
}

const MAX_U32 = 0xffffffff
/** Unpaired UTF-16 surrogates: UTF-8 cannot carry them, so a string holding one would not round-trip. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u

export class ByteWriter {
  private buf: Buffer
  private view: DataView
  private offset = 0

  constructor(initialCapacity = 1024) {
    this.buf = Buffer.allocUnsafe(initialCapacity)
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength)
  }

  private reserve(bytes: number): void {
    if (this.offset + bytes <= this.buf.length) return
    let capacity = this.buf.length * 2
    while (capacity < this.offset + bytes) capacity *= 2
    const next = Buffer.allocUnsafe(capacity)
    this.buf.copy(next, 0, 0, this.offset)
    this.buf = next
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength)
  }

  u8(value: number): void {
    this.reserve(1)
    this.view.setUint8(this.offset, value)
    this.offset += 1
  }

  u32(value: number): void {
    if (!Number.isInteger(value) || value < 0 || value > MAX_U32) {
      throw new ModelDataError(`${value} does not fit an unsigned 32-bit integer`)
    }
    this.reserve(4)
    this.view.setUint32(this.offset, value, true)
    this.offset += 4
  }

  i32(value: number): void {
    this.reserve(4)
    this.view.setInt32(this.offset, value, true)
    this.offset += 4
  }

  f64(value: number): void {
    this.reserve(8)
    this.view.setFloat64(this.offset, value, true)
    this.offset += 8
  }

  f64s(values: readonly number[]): void {
    this.reserve(8 * values.length)
    for (const v of values) {
      this.view.setFloat64(this.offset, v, true)
      this.offset += 8
    }
  }

  u32s(values: readonly number[]): void {
    this.reserve(4 * values.length)
    for (const v of values) this.u32(v)
  }

  i32s(values: readonly number[]): void {
    this.reserve(4 * values.length)
    for (const v of values) {
      this.view.setInt32(this.offset, v, true)
      this.offset += 4
    }
  }

  /** u32 byte length, then the UTF-8 bytes. */
  str(value: string): void {
    if (LONE_SURROGATE.test(value))
      throw new ModelDataError(`string ${JSON.stringify(value)} is not valid Unicode`)
    const length = Buffer.byteLength(value, 'utf8')
    this.u32(length)
    this.reserve(length)
    this.buf.write(value, this.offset, 'utf8')
    this.offset += length
  }

  bytes(value: Uint8Array): void {
    this.reserve(value.length)
    this.buf.set(value, this.offset)
    this.offset += value.length
  }

  /** The bytes written so far (a copy, so the writer's spare capacity is not kept alive). */
  finish(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.offset))
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

export class ByteReader {
  private readonly view: DataView
  private offset = 0

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  }

  get remaining(): number {
    return this.buf.length - this.offset
  }

  private need(bytes: number, what: string): void {
    if (bytes > this.remaining) {
      throw new ModelDataError(
        `model data ends early: ${what} needs ${bytes} bytes at offset ${this.offset}, ${this.remaining} remain`
      )
    }
  }

  u8(what: string): number {
    this.need(1, what)
    const v = this.view.getUint8(this.offset)
    this.offset += 1
    return v
  }

  u32(what: string): number {
    this.need(4, what)
    const v = this.view.getUint32(this.offset, true)
    this.offset += 4
    return v
  }

  f64(what: string): number {
    this.need(8, what)
    const v = this.view.getFloat64(this.offset, true)
    this.offset += 8
    return v
  }

  /** A u32 count of items that take at least `minBytesEach` bytes each, refused if the data cannot hold them. */
  count(minBytesEach: number, what: string): number {
    const n = this.u32(`the count of ${what}`)
    if (n * minBytesEach > this.remaining) {
      throw new ModelDataError(
        `model data claims ${n} ${what}, more than its remaining ${this.remaining} bytes hold`
      )
    }
    return n
  }

  f64s(n: number, what: string): number[] {
    this.need(8 * n, what)
    const out = new Array<number>(n)
    for (let i = 0; i < n; i++) out[i] = this.view.getFloat64(this.offset + 8 * i, true)
    this.offset += 8 * n
    return out
  }

  u32s(n: number, what: string): number[] {
    this.need(4 * n, what)
    const out = new Array<number>(n)
    for (let i = 0; i < n; i++) out[i] = this.view.getUint32(this.offset + 4 * i, true)
    this.offset += 4 * n
    return out
  }

  i32s(n: number, what: string): number[] {
    this.need(4 * n, what)
    const out = new Array<number>(n)
    for (let i = 0; i < n; i++) out[i] = this.view.getInt32(this.offset + 4 * i, true)
    this.offset += 4 * n
    return out
  }

  str(what: string): string {
    const length = this.u32(`the length of ${what}`)
    this.need(length, what)
    let value: string
    try {
      value = utf8.decode(this.buf.subarray(this.offset, this.offset + length))
    } catch {
      throw new ModelDataError(`${what} at offset ${this.offset} is not valid UTF-8`)
    }
    this.offset += length
    return value
  }

  strs(n: number, what: string): string[] {
    const out = new Array<string>(n)
    for (let i = 0; i < n; i++) out[i] = this.str(`${what}[${i}]`)
    return out
  }

  bytes(length: number, what: string): Uint8Array {
    this.need(length, what)
    const out = this.buf.subarray(this.offset, this.offset + length)
    this.offset += length
    return out
  }

  /** Refuses trailing bytes: a decoded model accounts for every byte of its data. */
  end(what: string): void {
    if (this.remaining !== 0)
      throw new ModelDataError(`${this.remaining} unexpected bytes follow the ${what}`)
  }
}
