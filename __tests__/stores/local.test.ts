import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { LocalStore, LOCAL_MANIFEST_FILE, type LocalManifest } from '../../src/stores/local.js'
import { InvalidBaselineName } from '../../src/stores/names.js'
import { BaselineUnavailable } from '../../src/stores/types.js'

let work: string
let counter = 0

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'renacer-local-store-'))
})

afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

async function scratch(label: string): Promise<string> {
  const dir = join(work, `${label}-${counter++}`)
  await mkdir(dir, { recursive: true })
  return dir
}

async function filesWith(contents: Record<string, string | Buffer>): Promise<string[]> {
  const dir = await scratch('src')
  const files: string[] = []
  for (const [name, data] of Object.entries(contents)) {
    await writeFile(join(dir, name), data)
    files.push(join(dir, name))
  }
  return files
}

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (err) {
    expect(err).toBeInstanceOf(BaselineUnavailable)
    return (err as BaselineUnavailable).reason
  }
  throw new Error('expected a rejection')
}

describe('LocalStore', () => {
  it('round-trips files byte-exact with their source', async () => {
    const root = await scratch('root')
    const store = new LocalStore(root, {
      source: { sha: 'abc123' },
      now: () => new Date('2026-01-02T03:04:05Z')
    })
    const model = randomBytes(10_000)
    const published = await store.publish(
      'renacer-linux',
      await filesWith({ 'model.apr': model, 'r.json': '{}' }),
      {
        retentionDays: 14
      }
    )
    expect(published).toMatchObject({ name: 'renacer-linux', size: 10_002 })

    const dest = join(await scratch('dest'), 'baseline')
    const fetched = await store.fetch('renacer-linux', dest)
    expect(fetched.dir).toBe(dest)
    expect(fetched.files.map((f) => basename(f))).toEqual(['model.apr', 'r.json'])
    expect(await readFile(join(dest, 'model.apr'))).toEqual(model)
    expect(fetched).toMatchObject({ sourceRunId: null, sourceUrl: null, sourceSha: 'abc123' })

    const manifest = JSON.parse(
      await readFile(join(root, 'renacer-linux', LOCAL_MANIFEST_FILE), 'utf8')
    ) as LocalManifest
    expect(manifest).toMatchObject({
      createdAt: '2026-01-02T03:04:05.000Z',
      retentionDays: 14,
      id: published.id
    })
    expect(manifest.files.map((f) => f.name)).toEqual(['model.apr', 'r.json'])
  })

  it('says missing, and how a baseline appears, when there is none', async () => {
    const store = new LocalStore(join(await scratch('root'), 'not-created-yet'))
    await expect(store.fetch('renacer', await scratch('dest'))).rejects.toThrow(
      /training run .* will create it/
    )
    expect(await reasonOf(store.fetch('renacer', await scratch('dest')))).toBe('missing')
  })

  it('replaces a baseline whole, leaving no staging folders', async () => {
    const root = await scratch('root')
    const store = new LocalStore(root)
    await store.publish('b', await filesWith({ 'old.apr': 'old', 'stale.json': 'gone' }), {
      retentionDays: 1
    })
    await store.publish('b', await filesWith({ 'new.apr': 'new' }), { retentionDays: 1 })
    const fetched = await store.fetch('b', await scratch('dest'))
    expect(fetched.files.map((f) => basename(f))).toEqual(['new.apr'])
    expect(await readdir(root)).toEqual(['b'])
    expect((await readdir(join(root, 'b'))).sort()).toEqual([LOCAL_MANIFEST_FILE, 'new.apr'].sort())
  })

  it('keeps the old baseline when a publish fails part way', async () => {
    const root = await scratch('root')
    const store = new LocalStore(root)
    await store.publish('b', await filesWith({ 'model.apr': 'good' }), { retentionDays: 1 })

    const [present] = await filesWith({ 'model.apr': 'half' })
    const missing = join(work, 'no-such-dir', 'report.json')
    await expect(store.publish('b', [present as string, missing], { retentionDays: 1 })).rejects.toThrow(
      /ENOENT/
    )

    const fetched = await store.fetch('b', await scratch('dest'))
    expect(await readFile(fetched.files[0] as string, 'utf8')).toBe('good')
    expect(await readdir(root)).toEqual(['b'])
  })

  it('finishes a swap interrupted between its renames', async () => {
    const root = await scratch('root')
    const store = new LocalStore(root)
    await store.publish('b', await filesWith({ 'model.apr': 'kept' }), { retentionDays: 1 })
    // What a crash after "move the old one aside" leaves.
    const { rename } = await import('node:fs/promises')
    await rename(join(root, 'b'), join(root, '.b.previous-dead'))

    const fetched = await store.fetch('b', await scratch('dest'))
    expect(await readFile(fetched.files[0] as string, 'utf8')).toBe('kept')
    await store.publish('b', await filesWith({ 'model.apr': 'next' }), { retentionDays: 1 })
    expect(await readdir(root)).toEqual(['b'])
  })

  it('reports a tampered or corrupt baseline as invalid', async () => {
    const root = await scratch('root')
    const store = new LocalStore(root)
    await store.publish('b', await filesWith({ 'model.apr': 'good' }), { retentionDays: 1 })
    await writeFile(join(root, 'b', 'model.apr'), 'flipped')
    expect(await reasonOf(store.fetch('b', await scratch('dest')))).toBe('invalid')

    // A manifest pointing outside its folder is not followed.
    const manifestPath = join(root, 'b', LOCAL_MANIFEST_FILE)
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as LocalManifest
    manifest.files = [{ name: '../../secret', size: 1, sha256: 'x' }]
    await writeFile(manifestPath, JSON.stringify(manifest))
    expect(await reasonOf(store.fetch('b', await scratch('dest')))).toBe('invalid')

    await mkdir(join(root, 'no-manifest'))
    expect(await reasonOf(store.fetch('no-manifest', await scratch('dest')))).toBe('invalid')
  })

  it('fails a publish into a folder it cannot write, keeping nothing half-made', async () => {
    if (process.getuid?.() === 0) return // root ignores permissions
    const root = await scratch('root')
    const store = new LocalStore(root)
    await store.publish('b', await filesWith({ 'model.apr': 'good' }), { retentionDays: 1 })
    await chmod(root, 0o555)
    try {
      await expect(
        store.publish('b', await filesWith({ 'model.apr': 'new' }), { retentionDays: 1 })
      ).rejects.toThrow(/EACCES/)
    } finally {
      await chmod(root, 0o755)
    }
    const fetched = await store.fetch('b', await scratch('dest'))
    expect(await readFile(fetched.files[0] as string, 'utf8')).toBe('good')
  })

  it('rejects bad files to publish', async () => {
    const store = new LocalStore(await scratch('root'))
    await expect(store.publish('b', [], { retentionDays: 1 })).rejects.toThrow(/no files/)
    await expect(store.publish('b', ['relative.apr'], { retentionDays: 1 })).rejects.toThrow(
      /not an absolute path/
    )
    const [a] = await filesWith({ 'model.apr': '1' })
    const [b] = await filesWith({ 'model.apr': '2' })
    await expect(store.publish('b', [a as string, b as string], { retentionDays: 1 })).rejects.toThrow(
      /two files are called model.apr/
    )
    expect(() => new LocalStore('relative/store')).toThrow(/absolute folder, got "relative\/store"/)
  })
})

describe('baseline names', () => {
  const store = new LocalStore(join(tmpdir(), 'renacer-never-written'))

  it.each([
    ['', /empty/],
    ['..', /relative path/],
    ['.', /relative path/],
    ['../x', /forward slash/],
    ['a/b', /forward slash/],
    ['a\\b', /backslash/],
    ['a:b', /colon/],
    ['a*b', /asterisk/],
    ['a?b', /question mark/],
    ['a"b', /double quote/],
    ['a<b', /less-than/],
    ['a|b', /vertical bar/],
    ['a\nb', /control character/],
    ['a\u0000b', /control character/],
    [' padded', /white space/],
    ['x'.repeat(201), /longer than 200/]
  ])('rejects %j', async (name, why) => {
    const attempt = store.fetch(name, '/tmp/unused')
    await expect(attempt).rejects.toBeInstanceOf(InvalidBaselineName)
    await expect(attempt).rejects.toThrow(why)
    await expect(store.fetch(name, '/tmp/unused')).rejects.toThrow(/the baseline-artifact input/)
  })

  it.each(['renacer-baseline', 'renacer_linux-x64.node20', '.hidden', 'ünïcode', 'with space'])(
    'accepts %j',
    async (name) => {
      expect(await reasonOf(store.fetch(name, join(work, 'dest-ok')))).toBe('missing')
    }
  )
})
