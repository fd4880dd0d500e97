import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { join } from 'node:path'
import { readFile } from 'node:fs/promises'
import {
  ModelMetadata,
  PersistenceOptions,
  loadBaselineModel,
  loadIsolationForestModel,
  loadKMeansModel,
  saveBaselineModel,
  saveIsolationForestModel,
  saveKMeansModel,
  validateModelFile
} from '../../src/apr/index.js'
import { bitExact, tempFolder } from './helpers.js'
import { generatedForest, generatedKMeans, smallBaseline, smallForest, smallKMeans } from './models.js'

let dir: string
let cleanup: () => Promise<void>
beforeAll(async () => ({ dir, cleanup } = await tempFolder()))
afterAll(async () => cleanup())

describe.each([true, false])('round trips with compression %s', (compression) => {
  const options = new PersistenceOptions().withCompression(compression)

  it('keeps every field of a k-means model, floats bit for bit', async () => {
    const file = join(dir, `kmeans-${compression}.apr`)
    const model = smallKMeans()
    await saveKMeansModel(model, file, options)
    const loaded = await loadKMeansModel(file)
    expect(bitExact(loaded)).toEqual(bitExact(model))
    expect(Object.is(loaded.centroids[0]?.[0], -0)).toBe(true)
    expect((await readFile(file))[9]).toBe(compression ? 1 : 0)
  })

  it('keeps every field of an isolation forest', async () => {
    const file = join(dir, `forest-${compression}.apr`)
    for (const model of [smallForest(), generatedForest(100, 256, 3)]) {
      await saveIsolationForestModel(model, file, options)
      expect(bitExact(await loadIsolationForestModel(file))).toEqual(bitExact(model))
    }
  })

  it('keeps every field of a baseline, with and without its models', async () => {
    const file = join(dir, `baseline-${compression}.apr`)
    const full = smallBaseline()
    for (const model of [
      full,
      { ...full, kmeans: null },
      { ...full, iforest: null },
      { ...full, kmeans: null, iforest: null }
    ]) {
      await saveBaselineModel(model, file, options)
      expect(bitExact(await loadBaselineModel(file))).toEqual(bitExact(model))
    }
  })

  it('keeps a 1000-cluster model', async () => {
    const file = join(dir, `kmeans-1000-${compression}.apr`)
    const model = generatedKMeans(1000, 9)
    await saveKMeansModel(model, file, options)
    expect(bitExact(await loadKMeansModel(file))).toEqual(bitExact(model))
  })
})

describe('metadata', () => {
  it('stores the seed fields, the name and the integrity fields', async () => {
    const file = join(dir, 'meta.apr')
    const metadata = new ModelMetadata(1000)
      .withHyperparameter('n_clusters', 5)
      .withHyperparameter('eps', '0.5')
      .withDescription('Production baseline v1.0')
      .withTrainedAt(1733340000)
    await saveKMeansModel(smallKMeans(), file, new PersistenceOptions().withName('baseline-v1'), metadata)
    const md = await validateModelFile(file)
    expect(md).toEqual({
      name: 'baseline-v1',
      renacer_version: metadata.renacerVersion,
      trained_at: '1733340000',
      training_samples: 1000,
      hyperparameters: { eps: '0.5', n_clusters: '5' },
      description: 'Production baseline v1.0',
      model_data_length: expect.any(Number),
      model_data_crc32: expect.stringMatching(/^[0-9a-f]{8}$/),
      file_crc32: expect.stringMatching(/^[0-9a-f]{8}$/)
    })
  })
})
