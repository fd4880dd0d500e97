/** The two functions of the @mongodb-js/zstd 1.2.2 native binding that src/apr uses. */
export interface ZstdBinding {
  compress(data: Buffer, level?: number | null): Promise<Buffer>
  decompress(data: Buffer): Promise<Buffer>
}

/** Loads (once) and returns the binding for this platform; on an unsupported one throws an Error whose `code` is
 * `APR_ZSTD_UNAVAILABLE`. */
export function loadZstdBinding(): ZstdBinding
