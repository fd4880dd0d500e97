// Save/load time and file size of .apr models, beside the seed's table (docs/apr-format.md records a run).
//
//   npm run bundle && node bench/apr.mjs [iterations]
//
// Models: k-means of 10, 100 and 1000 clusters at feature width 4 (one training row per cluster), and an isolation
// forest of 100 trees grown on samples of 256 (height limit 8). Times are medians over `iterations` runs (default
// 200) after a warm-up; "save" is the whole atomic save (encode, compress, write temp, fsync, rename), "encode" and
// "decode" the same work in memory, without the file system. Files go to a temp folder next to the OS temp dir.
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import * as apr from '../dist/lib/index.js'

const iterations = Number(process.argv[2] ?? 200)
const FEATURES = ['calls', 'errors', 'time_us', 'processes']

// The models' own seeded generator, so the bench's models are the same from run to run.
const prng = apr.mulberry32

function kmeans(k) {
  const rand = prng(k)
  return {
    feature_names: [...FEATURES],
    scale_mean: FEATURES.map(() => rand() * 1000),
    scale_std: FEATURES.map(() => 1 + rand() * 100),
    centroids: Array.from({ length: k }, () => FEATURES.map(() => (rand() - 0.5) * 6)),
    syscalls: Array.from({ length: k }, (_, i) => `sys_${i}`),
    assignments: Array.from({ length: k }, (_, i) => i),
    anomalous_clusters: [0],
    silhouette: rand(),
    seed: k
  }
}

function forest(trees, sampleSize) {
  const rand = prng(trees * 7919 + sampleSize)
  const limit = Math.ceil(Math.log2(sampleSize))
  const grow = () => {
    const t = { feature: [], threshold: [], left: [], right: [], size: [] }
    const node = (size, depth) => {
      const i = t.feature.length
      t.feature.push(-1)
      t.threshold.push(0)
      t.left.push(-1)
      t.right.push(-1)
      t.size.push(size)
      if (size > 1 && depth < limit) {
        const leftSize = 1 + Math.floor(rand() * (size - 1))
        t.feature[i] = Math.floor(rand() * FEATURES.length)
        t.threshold[i] = (rand() - 0.5) * 4
        t.left[i] = node(leftSize, depth + 1)
        t.right[i] = node(size - leftSize, depth + 1)
      }
      return i
    }
    node(sampleSize, 0)
    return t
  }
  return {
    feature_names: [...FEATURES],
    scale_mean: FEATURES.map(() => rand() * 1000),
    scale_std: FEATURES.map(() => 1 + rand() * 100),
    n_trees: trees,
    sample_size: sampleSize,
    contamination: 0.05,
    seed: 1,
    score_threshold: 0.62,
    trees: Array.from({ length: trees }, grow)
  }
}

async function median(fn) {
  for (let i = 0; i < Math.min(20, iterations); i++) await fn()
  const times = []
  for (let i = 0; i < iterations; i++) {
    const start = performance.now()
    await fn()
    times.push(performance.now() - start)
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]
}

const ms = (t) => (t < 0.1 ? `${(t * 1000).toFixed(0)}µs` : `${t.toFixed(2)}ms`)
const size = (n) => (n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KB`)

const dir = mkdtempSync(join(tmpdir(), 'apr-bench-'))
const cases = [
  { label: '10 clusters', seed: ['<1ms', '<1ms', '~500 B'], type: 1, model: kmeans(10) },
  { label: '100 clusters', seed: ['~2ms', '~1ms', '~5 KB'], type: 1, model: kmeans(100) },
  { label: '1000 clusters', seed: ['~10ms', '~5ms', '~50 KB'], type: 1, model: kmeans(1000) },
  { label: 'iforest 100×256', seed: ['-', '-', '-'], type: 2, model: forest(100, 256) }
]
const save = { 1: apr.saveKMeansModel, 2: apr.saveIsolationForestModel }
const load = { 1: apr.loadKMeansModel, 2: apr.loadIsolationForestModel }
const fields = {
  name: 'bench',
  renacer_version: apr.RENACER_VERSION,
  trained_at: '0',
  training_samples: 0,
  hyperparameters: {}
}

console.log(`node ${process.version}, ${iterations} iterations each, files in ${tmpdir()}`)
const header = [
  'model',
  'save',
  'seed',
  'load',
  'seed',
  'size',
  'seed',
  'raw size',
  'data saved',
  'encode',
  'decode'
]
const rows = [header]
for (const c of cases) {
  const file = join(dir, `${c.label.replace(/\W+/g, '-')}.apr`)
  const rawFile = `${file}.raw`
  const options = new apr.PersistenceOptions()
  const saveT = await median(() => save[c.type](c.model, file, options))
  const loadT = await median(() => load[c.type](file))
  await save[c.type](c.model, rawFile, options.withCompression(false))
  const bytes = statSync(file).size
  const rawBytes = statSync(rawFile).size
  const d = await apr.describeModelFile(file)
  const dataSaved = 1 - d.model_data_length / d.metadata.model_data_length
  const encodeT = await median(() => apr.encodeModelFile(c.type, c.model, fields, true))
  const encoded = await apr.encodeModelFile(c.type, c.model, fields, true)
  const decodeT = await median(() => apr.decodeAprFile(encoded, 'bench', c.type))
  rows.push([
    c.label,
    ms(saveT),
    c.seed[0],
    ms(loadT),
    c.seed[1],
    size(bytes),
    c.seed[2],
    size(rawBytes),
    `${(dataSaved * 100).toFixed(0)}%`,
    ms(encodeT),
    ms(decodeT)
  ])
}
rmSync(dir, { recursive: true, force: true })

const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i].length)))
for (const [i, r] of rows.entries()) {
  console.log(`| ${r.map((cell, j) => cell.padEnd(widths[j])).join(' | ')} |`)
  if (i === 0) console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`)
}
console.log(
  '\nsave/load: whole file operation (save includes fsync); size: the zstd file; raw size: the same model'
)
console.log(
  'uncompressed; data saved: zstd size reduction of the model data; encode/decode: in memory, no I/O.'
)
