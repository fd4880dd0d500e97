/** Saves are atomic: a failed save leaves the previous file as it was and no temp file behind. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { chmod, mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadKMeansModel, saveKMeansModel } from '../../src/apr/index.js'
import { bitExact, tempFolder } from './helpers.js'
import { generatedKMeans, smallKMeans } from './models.js'

let dir: string
let cleanup: () => Promise<void>
beforeAll(async () => ({ dir, cleanup } = await tempFolder()))
afterAll(async () => {
  await chmod(join(dir, 'ro'), 0o755).catch(() => undefined)
  await cleanup()
})

const isRoot = process.getuid?.() === 0

describe('atomic saves', () => {
  it('replace the previous file and leave no temp file', async () => {
    const folder = join(dir, 'replace')
    await mkdir(folder)
    const file = join(folder, 'm.apr')
    await saveKMeansModel(smallKMeans(), file)
    await saveKMeansModel(generatedKMeans(50), file)
    expect(bitExact(await loadKMeansModel(file))).toEqual(bitExact(generatedKMeans(50)))
    expect(await readdir(folder)).toEqual(['m.apr'])
  })

  it('onto a directory fail, leave the directory as it was and no temp file', async () => {
    const folder = join(dir, 'ontodir')
    const target = join(folder, 'm.apr')
    await mkdir(target, { recursive: true })
    await writeFile(join(target, 'keep'), 'x')
    await expect(saveKMeansModel(smallKMeans(), target)).rejects.toMatchObject({
      code: expect.stringMatching(/^E/)
    })
    expect(await readdir(folder)).toEqual(['m.apr'])
    expect(await readdir(target)).toEqual(['keep'])
  })

  it('of an invalid model fail before writing and keep the old file', async () => {
    const folder = join(dir, 'invalid')
    await mkdir(folder)
    const file = join(folder, 'm.apr')
    await saveKMeansModel(smallKMeans(), file)
    const before = await readFile(file)
    const broken = { ...smallKMeans(), centroids: [[1, 2, 3, Number.NaN]] }
    await expect(saveKMeansModel(broken, file)).rejects.toThrow(
      `${file}: cannot save the kmeans model: kmeans.centroids[0][3] is NaN, not a finite number`
    )
    const cycle = { ...smallKMeans(), assignments: [0, 0, 1, 2] }
    await expect(saveKMeansModel(cycle, file)).rejects.toThrow(
      /assignments\[3\] is 2, not an integer in \[0, 1\]/
    )
    expect((await readFile(file)).equals(before)).toBe(true)
    expect(await readdir(folder)).toEqual(['m.apr'])
  })

  it('into a missing folder fail with ENOENT and create nothing', async () => {
    await expect(saveKMeansModel(smallKMeans(), join(dir, 'absent', 'm.apr'))).rejects.toMatchObject({
      code: 'ENOENT'
    })
  })

  // root ignores folder permissions, so this one can only run as another user (CI runners are not root).
  ;(isRoot ? it.skip : it)('into a read-only folder fail and keep the old file', async () => {
    const folder = join(dir, 'ro')
    await mkdir(folder)
    const file = join(folder, 'm.apr')
    await saveKMeansModel(smallKMeans(), file)
    const before = await readFile(file)
    await chmod(folder, 0o555)
    await expect(saveKMeansModel(generatedKMeans(10), file)).rejects.toMatchObject({ code: 'EACCES' })
    expect((await readFile(file)).equals(before)).toBe(true)
    expect(await readdir(folder)).toEqual(['m.apr'])
  })
})
