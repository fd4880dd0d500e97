import { cpSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * A fresh copy of a real C library's source tree: LZ4 (Yann Collet's), as the `lz4` npm package ships it under
 * deps/lz4 (a dev dependency used only for its C sources; npm runs no install script for it). Building it with
 * `make -j2 lib` compiles lz4.c, lz4hc.c, lz4frame.c and xxhash.c into static and shared libraries.
 */
export function copyLz4Source(): string {
  const dir = mkdtempSync(join(tmpdir(), 'renacer-lz4-'))
  cpSync(join(process.cwd(), 'node_modules', 'lz4', 'deps', 'lz4'), dir, { recursive: true })
  return dir
}
