import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AprError } from '../../src/apr/index.js'

/** A fresh temp folder per test file; `cleanup` removes it. */
export async function tempFolder(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'apr-test-'))
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

/**
 * Every number replaced by the hex of its IEEE-754 bits, so that comparing two of these compares floats bit for
 * bit (-0 is not 0, NaN is NaN).
 */
export function bitExact(value: unknown): unknown {
  if (typeof value === 'number') {
    const b = Buffer.alloc(8)
    b.writeDoubleLE(value)
    return `f64:${b.toString('hex')}`
  }
  if (Array.isArray(value)) return value.map(bitExact)
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, bitExact((value as Record<string, unknown>)[k])])
    )
  }
  return value
}

export type Kind = 'FileNotFound' | 'InvalidFormat' | 'VersionMismatch' | 'LoadError'

/** The kind of AprError a promise rejects with; anything else (or success) fails the test with what happened. */
export async function kindOf(promise: Promise<unknown>): Promise<Kind | 'ok'> {
  try {
    await promise
    return 'ok'
  } catch (err) {
    if (err instanceof AprError) return err.name
    throw new Error(
      `expected an AprError, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
      {
        cause: err
      }
    )
  }
}

/** xxd's default format (16 bytes a line, 2-byte groups, ASCII column), so fixtures diff like `xxd file.apr`. */
export function xxd(bytes: Uint8Array): string {
  const lines: string[] = []
  for (let off = 0; off < bytes.length; off += 16) {
    const chunk = bytes.subarray(off, off + 16)
    let hex = ''
    for (let i = 0; i < 16; i++) {
      hex += i < chunk.length ? (chunk[i] as number).toString(16).padStart(2, '0') : '  '
      if (i % 2 === 1) hex += ' '
    }
    const ascii = Array.from(chunk, (c) => (c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.')).join('')
    lines.push(`${off.toString(16).padStart(8, '0')}: ${hex} ${ascii}`)
  }
  return lines.join('\n') + (lines.length > 0 ? '\n' : '')
}
