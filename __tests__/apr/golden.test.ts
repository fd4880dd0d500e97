/**
 * The committed files under __tests__/fixtures/apr are the format's reference: encoding the same models today must
 * give exactly those bytes, and their .hex dumps must match them. UPDATE_APR_GOLDENS=1 rewrites both (see the
 * fixtures' README); a change there is a format change and needs a reason in the commit.
 */
import { describe, expect, it } from '@jest/globals'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  ModelType,
  decodeAprFile,
  encodeModelFile,
  type AprMetadataFields,
  type ModelTypeCode,
  type ModelsByType
} from '../../src/apr/index.js'
import { bitExact, xxd } from './helpers.js'
import { smallBaseline, smallForest, smallKMeans } from './models.js'

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'apr')
const UPDATE = process.env.UPDATE_APR_GOLDENS === '1'

function fields(name: string, samples: number, hyperparameters: Record<string, string>): AprMetadataFields {
  // renacer_version is pinned here (not the package's) so a release does not change the goldens.
  return {
    name,
    renacer_version: '0.1.0',
    trained_at: '1733340000',
    training_samples: samples,
    hyperparameters,
    description: 'golden file: see __tests__/fixtures/apr/README.md'
  }
}

interface Golden<T extends ModelTypeCode> {
  file: string
  type: T
  model: () => ModelsByType[T]
  fields: AprMetadataFields
  compress: boolean
}

const goldens = [
  {
    file: 'kmeans-small.apr',
    type: ModelType.KMeans,
    model: smallKMeans,
    fields: fields('kmeans-small', 4, { k: '2' }),
    compress: true
  },
  {
    file: 'kmeans-small-raw.apr',
    type: ModelType.KMeans,
    model: smallKMeans,
    fields: fields('kmeans-small', 4, { k: '2' }),
    compress: false
  },
  {
    file: 'iforest-small-raw.apr',
    type: ModelType.IsolationForest,
    model: smallForest,
    fields: fields('iforest-small', 8, { n_trees: '2', sample_size: '8' }),
    compress: false
  },
  {
    file: 'baseline-small.apr',
    type: ModelType.Baseline,
    model: smallBaseline,
    fields: fields('baseline-small', 2, {}),
    compress: true
  }
] satisfies Golden<ModelTypeCode>[]

describe.each(goldens)('$file', ({ file, type, model, fields: md, compress }) => {
  it('is exactly what encoding the same model gives today, and its .hex is its dump', async () => {
    const bytes = await encodeModelFile(type, model() as never, md, compress)
    if (UPDATE) {
      await writeFile(join(FIXTURES, file), bytes)
      await writeFile(join(FIXTURES, `${file}.hex`), xxd(bytes))
    }
    const committed = await readFile(join(FIXTURES, file))
    expect(xxd(bytes)).toBe(xxd(committed))
    expect(await readFile(join(FIXTURES, `${file}.hex`), 'utf8')).toBe(xxd(committed))
  })

  it('decodes to the model it was made from', async () => {
    const committed = await readFile(join(FIXTURES, file))
    expect(bitExact(await decodeAprFile(committed, file, type))).toEqual(bitExact(model()))
  })
})
