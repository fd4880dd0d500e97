/**
 * Model data that is well sealed but describes a model the scorer could not use safely: each is refused with
 * LoadError on load (and the same shapes are refused on save). The byte offsets follow docs/apr-format.md.
 */
import { describe, expect, it } from '@jest/globals'
import {
  ModelType,
  decodeAprFile,
  encodeAprFile,
  encodeModelData,
  type AprMetadataFields
} from '../../src/apr/index.js'
import { assertIsolationForestModel, assertKMeansModel } from '../../src/apr/validate.js'
import { smallForest, smallKMeans } from './models.js'

const FIELDS: AprMetadataFields = {
  name: 'v',
  renacer_version: '0.1.0',
  trained_at: '0',
  training_samples: 0,
  hyperparameters: {}
}

// smallForest: 4 features named calls, errors, time_us, processes.
const NAMES_BYTES = 4 * 4 + 'callserrorstime_usprocesses'.length
const FOREST_TREE0 = 4 + 4 + 4 + 8 * 3 + NAMES_BYTES + 2 * 4 * 8
const tree0 = (m: number) => ({
  feature: FOREST_TREE0 + 4,
  threshold: FOREST_TREE0 + 4 + 4 * m,
  left: FOREST_TREE0 + 4 + 12 * m,
  right: FOREST_TREE0 + 4 + 16 * m
})

async function loadPatched(type: 1 | 2, patch: (d: Buffer) => Buffer | void) {
  const base = encodeModelData(type, (type === 1 ? smallKMeans() : smallForest()) as never)
  const d = Buffer.from(base)
  const data = patch(d) ?? d
  return decodeAprFile(await encodeAprFile(type, data, FIELDS, false), 'm.apr', type)
}

describe('sealed but unsafe model data is LoadError', () => {
  it.each([
    [
      'a tree whose child points back to the root',
      (d: Buffer) => void d.writeInt32LE(0, tree0(5).left + 4 * 2),
      /reaches node 0 twice/
    ],
    [
      'a tree sharing a subtree',
      (d: Buffer) => void d.writeInt32LE(1, tree0(5).right),
      /reaches node 1 twice/
    ],
    [
      'a child index out of range',
      (d: Buffer) => void d.writeInt32LE(5, tree0(5).right + 4 * 2),
      /right\[2\] is 5, not an integer in \[0, 4\]/
    ],
    [
      'a split on a feature that does not exist',
      (d: Buffer) => void d.writeInt32LE(4, tree0(5).feature),
      /feature\[0\] is 4/
    ],
    [
      'a NaN split threshold',
      (d: Buffer) => void d.writeDoubleLE(Number.NaN, tree0(5).threshold),
      /threshold\[0\] is NaN/
    ],
    [
      'a forest claiming a billion trees',
      (d: Buffer) => void d.writeUInt32LE(1e9, 4),
      /claims 4 features and 1000000000 trees/
    ],
    ['trailing bytes', (d: Buffer) => Buffer.concat([d, Buffer.of(0)]), /1 unexpected bytes follow/]
  ])('forest: %s', async (_name, patch, message) => {
    await expect(loadPatched(ModelType.IsolationForest, patch)).rejects.toMatchObject({
      name: 'LoadError',
      message: expect.stringMatching(message)
    })
  })

  const KM_ASSIGNMENTS = 16 + 16 + NAMES_BYTES + 2 * 32 + 2 * 32 + 4 * 4 + 'readwriteopenatclone3'.length
  it.each([
    [
      'an assignment to a cluster that does not exist',
      (d: Buffer) => void d.writeUInt32LE(2, KM_ASSIGNMENTS),
      /assignments\[0\] is 2/
    ],
    [
      'a zero scale',
      (d: Buffer) => void d.writeDoubleLE(0, 16 + 16 + NAMES_BYTES + 32),
      /scale_std\[0\] is 0/
    ],
    [
      'an infinite centroid',
      (d: Buffer) => void d.writeDoubleLE(Infinity, 16 + 16 + NAMES_BYTES + 64),
      /centroids\[0\]\[0\] is Infinity/
    ],
    ['invalid UTF-8 in a name', (d: Buffer) => void d.writeUInt8(0xff, 16 + 16 + 4), /not valid UTF-8/],
    [
      // Found by the property test with an unlucky seed: no features made 2^32 - 1 clusters cost no bytes, and the
      // loader filled an array of them until the heap gave out.
      'no features and 2^32 - 1 clusters',
      (d: Buffer) => {
        d.writeUInt32LE(0, 0)
        d.writeUInt32LE(0xffffffff, 4)
      },
      /claims 0 features/
    ]
  ])('k-means: %s', async (_name, patch, message) => {
    await expect(loadPatched(ModelType.KMeans, patch)).rejects.toMatchObject({
      name: 'LoadError',
      message: expect.stringMatching(message)
    })
  })

  it('the same shapes are refused before a save', () => {
    const cyclic = smallForest()
    cyclic.trees[0]?.left.splice(2, 1, 0)
    expect(() => assertIsolationForestModel(cyclic)).toThrow(/reaches node 0 twice/)
    expect(() => assertKMeansModel({ ...smallKMeans(), syscalls: ['\ud800', 'a', 'b', 'c'] })).toThrow(
      /unpaired surrogate/
    )
    expect(() => assertKMeansModel({ ...smallKMeans(), scale_std: [1, 1, 1] })).toThrow(
      /has 3 items, expected 4/
    )
  })
})
