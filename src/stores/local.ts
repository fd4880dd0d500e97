import { createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { basename, isAbsolute, join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { validateBaselineName } from './names.js'
import {
  BaselineUnavailable,
  type BaselineStore,
  type FetchedBaseline,
  type PublishedBaseline,
  type PublishOptions
} from './types.js'

/** Written beside the files of every local baseline; the folder is a baseline only if this reads back. */
export const LOCAL_MANIFEST_FILE = '.baseline.json'

const MANIFEST_FORMAT = 'renacer-baseline'
const MANIFEST_VERSION = 1

/** What made a baseline: a CI run when there was one, and the commit. */
export interface BaselineSource {
  runId: string | null
  url: string | null
  sha: string | null
}

export interface LocalManifest {
  format: typeof MANIFEST_FORMAT
  version: typeof MANIFEST_VERSION
  id: string
  name: string
  createdAt: string
  retentionDays: number
  source: BaselineSource
  files: Array<{ name: string; size: number; sha256: string }>
}

export interface LocalStoreOptions {
  /** Recorded in each manifest this store writes (the CLI may know the commit). */
  source?: Partial<BaselineSource>
  /** For tests. */
  now?: () => Date
}

/**
 * Baselines as folders `<root>/<name>/` holding the files and a manifest. Publishing stages a complete folder
 * beside the old one and swaps it in with renames, so a failed publish leaves the previous baseline as it was.
 * Local baselines never expire: retention is recorded, not enforced.
 */
export class LocalStore implements BaselineStore {
  readonly kind = 'local'
  private readonly source: BaselineSource
  private readonly now: () => Date

  constructor(
    readonly rootDir: string,
    options: LocalStoreOptions = {}
  ) {
    if (!isAbsolute(rootDir))
      throw new Error(`The local baseline store needs an absolute folder, got "${rootDir}"`)
    this.source = { runId: null, url: null, sha: null, ...options.source }
    this.now = options.now ?? (() => new Date())
  }

  async fetch(name: string, destDir: string): Promise<FetchedBaseline> {
    validateBaselineName(name)
    const dir = await this.currentFolder(name)
    if (dir === null) {
      throw new BaselineUnavailable(
        'missing',
        `No baseline "${name}" in ${this.rootDir} yet; a training run (mode train) will create it.`
      )
    }
    const manifest = await readManifest(dir, name)
    await mkdir(destDir, { recursive: true })
    const files: string[] = []
    for (const entry of manifest.files) {
      const target = join(destDir, entry.name)
      try {
        await copyFile(join(dir, entry.name), target)
      } catch (err) {
        throw new BaselineUnavailable(
          'invalid',
          `Baseline "${name}" in ${dir} lacks ${entry.name}: ${message(err)}`
        )
      }
      const digest = await sha256File(target)
      if (digest !== entry.sha256) {
        throw new BaselineUnavailable(
          'invalid',
          `Baseline "${name}" in ${dir}: ${entry.name} does not match its manifest (sha256 ${digest}, expected ${entry.sha256})`
        )
      }
      files.push(target)
    }
    return {
      dir: destDir,
      files,
      sourceRunId: manifest.source.runId,
      sourceUrl: manifest.source.url,
      sourceSha: manifest.source.sha
    }
  }

  async publish(name: string, files: string[], options: PublishOptions): Promise<PublishedBaseline> {
    validateBaselineName(name)
    checkFilesToPublish(name, files)
    await mkdir(this.rootDir, { recursive: true })
    await this.recoverInterruptedSwap(name)

    const staging = await mkdtemp(join(this.rootDir, `.${name}.staging-`))
    try {
      const entries: LocalManifest['files'] = []
      for (const file of files) {
        const entryName = basename(file)
        const stored = join(staging, entryName)
        await copyFile(file, stored)
        entries.push({ name: entryName, size: (await stat(stored)).size, sha256: await sha256File(stored) })
      }
      const manifest: LocalManifest = {
        format: MANIFEST_FORMAT,
        version: MANIFEST_VERSION,
        id: randomBytes(8).toString('hex'),
        name,
        createdAt: this.now().toISOString(),
        retentionDays: options.retentionDays,
        source: this.source,
        files: entries
      }
      await writeFile(join(staging, LOCAL_MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`)
      await this.swapIn(name, staging)
      return { id: manifest.id, name, size: entries.reduce((sum, entry) => sum + entry.size, 0) }
    } catch (err) {
      await rm(staging, { recursive: true, force: true })
      throw err
    }
  }

  /** Moves the old folder aside, the staged one in, then drops the old one; puts the old one back on failure. */
  private async swapIn(name: string, staging: string): Promise<void> {
    const target = join(this.rootDir, name)
    if (!(await exists(target))) {
      await rename(staging, target)
      return
    }
    const aside = join(this.rootDir, `.${name}.previous-${randomBytes(4).toString('hex')}`)
    await rename(target, aside)
    try {
      await rename(staging, target)
    } catch (err) {
      await rename(aside, target)
      throw err
    }
    await rm(aside, { recursive: true, force: true })
  }

  /** The baseline's folder, or the one set aside by a publish that died between its two renames. */
  private async currentFolder(name: string): Promise<string | null> {
    const target = join(this.rootDir, name)
    if (await exists(target)) return target
    const aside = await this.setAside(name)
    return aside.length > 0 ? join(this.rootDir, aside[0] as string) : null
  }

  private async recoverInterruptedSwap(name: string): Promise<void> {
    const target = join(this.rootDir, name)
    if (await exists(target)) return
    const aside = await this.setAside(name)
    if (aside.length > 0) await rename(join(this.rootDir, aside[0] as string), target)
  }

  private async setAside(name: string): Promise<string[]> {
    let entries: string[]
    try {
      entries = await readdir(this.rootDir)
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return []
      throw err
    }
    return entries.filter((entry) => entry.startsWith(`.${name}.previous-`))
  }
}

function checkFilesToPublish(name: string, files: string[]): void {
  if (files.length === 0) throw new Error(`Publishing baseline "${name}": no files given`)
  const seen = new Set<string>()
  for (const file of files) {
    if (!isAbsolute(file)) throw new Error(`Publishing baseline "${name}": "${file}" is not an absolute path`)
    const entryName = basename(file)
    if (entryName === LOCAL_MANIFEST_FILE) {
      throw new Error(`Publishing baseline "${name}": a file may not be called ${LOCAL_MANIFEST_FILE}`)
    }
    if (seen.has(entryName)) {
      throw new Error(
        `Publishing baseline "${name}": two files are called ${entryName}; a baseline is one folder`
      )
    }
    seen.add(entryName)
  }
}

async function readManifest(dir: string, name: string): Promise<LocalManifest> {
  let raw: string
  try {
    raw = await readFile(join(dir, LOCAL_MANIFEST_FILE), 'utf8')
  } catch (err) {
    throw new BaselineUnavailable(
      'invalid',
      `Baseline "${name}" in ${dir} has no readable manifest: ${message(err)}`
    )
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch (err) {
    throw new BaselineUnavailable(
      'invalid',
      `Baseline "${name}" in ${dir}: manifest is not JSON: ${message(err)}`
    )
  }
  if (!isManifest(parsed)) {
    throw new BaselineUnavailable(
      'invalid',
      `Baseline "${name}" in ${dir}: ${LOCAL_MANIFEST_FILE} is not a version ${MANIFEST_VERSION} baseline manifest`
    )
  }
  return parsed
}

function isManifest(value: unknown): value is LocalManifest {
  if (typeof value !== 'object' || value === null) return false
  const m = value as Partial<LocalManifest>
  return (
    m.format === MANIFEST_FORMAT &&
    m.version === MANIFEST_VERSION &&
    typeof m.id === 'string' &&
    typeof m.createdAt === 'string' &&
    typeof m.source === 'object' &&
    m.source !== null &&
    Array.isArray(m.files) &&
    // A manifest names files inside its own folder, nothing else.
    m.files.every(
      (f) =>
        typeof f.name === 'string' &&
        f.name === basename(f.name) &&
        f.name !== '..' &&
        f.name !== '.' &&
        f.name !== LOCAL_MANIFEST_FILE &&
        typeof f.sha256 === 'string'
    )
  )
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256')
  await pipeline(createReadStream(path), hash)
  return hash.digest('hex')
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return false
    throw err
  }
}

function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as NodeJS.ErrnoException).code === code
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
