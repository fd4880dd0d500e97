#!/usr/bin/env node
// Parser throughput and memory: how fast the trace engine folds strace output into a profile, and whether its
// memory stays flat as the trace grows.
//
//   node bench/parser.mjs            records a trace of a real build (once, into bench/.work/), then measures
//   node bench/parser.mjs FILE       measures on an existing `strace -f -T` trace
//
// Recipe of the recorded trace: the LZ4 C library (node_modules/lz4/deps/lz4) built with `make -j2` again and
// again under strace with the options the engine uses (OUTPUT_OPTIONS: -T -qq -s 0, no signals, arguments raw
// but for fork and exec), every syscall traced (about 22k lines per build: >= 1M lines).
// Memory: each size is parsed in a fresh process (the file streamed, never held whole), reporting peak RSS, so
// that 1x, 4x and 10x the trace can be compared: flat means the parser keeps no per-line state.
import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, createReadStream, existsSync, mkdirSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const work = join(here, '.work')

async function parseFile(file, repeat) {
  const { LineSplitter, ProfileBuilder } = await import(resolve(here, '../dist/lib/index.js'))
  const builder = new ProfileBuilder('(bench)')
  const started = process.hrtime.bigint()
  let bytes = 0
  // The engine's own path: 64 KiB chunks, LineSplitter, ProfileBuilder.addLine.
  const splitter = new LineSplitter((line) => builder.addLine(line))
  for (let i = 0; i < repeat; i++) {
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 16 })) {
      bytes += chunk.length
      splitter.push(chunk)
    }
    splitter.end()
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  const profile = builder.build({ wall_ms: 0, exit_code: 0, signal: null, traced: 'all' })
  return {
    lines: builder.lineCount,
    bytes,
    seconds,
    syscalls: profile.syscalls.length,
    rssMb: process.resourceUsage().maxRSS / 1024
  }
}

/** Time spent just reading and splitting the file, to show what the parser itself adds. */
async function readOnly(file) {
  const { LineSplitter } = await import(resolve(here, '../dist/lib/index.js'))
  let n = 0
  const splitter = new LineSplitter(() => n++)
  const started = process.hrtime.bigint()
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 16 })) splitter.push(chunk)
  splitter.end()
  return Number(process.hrtime.bigint() - started) / 1e9
}

async function record(file) {
  const lib = await import(resolve(here, '../dist/lib/index.js'))
  mkdirSync(work, { recursive: true })
  const src = join(work, 'lz4')
  cpSync(resolve(here, '../node_modules/lz4/deps/lz4'), src, { recursive: true })
  const loop = `n=0; while [ $n -lt 48 ]; do make -s -C ${src}/lib clean >/dev/null; make -s -j2 -C ${src}/lib liblz4.a >/dev/null || exit 1; n=$((n+1)); done`
  console.error('recording: 48 builds of LZ4 under strace (a minute or two) ...')
  execFileSync('strace', ['-f', ...lib.OUTPUT_OPTIONS, '-o', file, '--', 'sh', '-c', loop], {
    stdio: 'inherit'
  })
}

if (process.argv[2] === '--child') {
  const result = await parseFile(process.argv[3], Number(process.argv[4]))
  process.stdout.write(JSON.stringify(result))
} else {
  // Named for the options that recorded it: a trace recorded before strace printed arguments raw is not reused.
  const file = process.argv[2] ?? join(work, 'lz4-build-raw.trace')
  if (!existsSync(file)) await record(file)
  const size = statSync(file).size
  console.log(`trace: ${file} (${(size / 1e6).toFixed(1)} MB)`)
  console.log('repeat  lines       MB      seconds  Mlines/s  MB/s    peak RSS MB')
  const rows = []
  for (const repeat of [1, 4, 10]) {
    const child = spawnSync(
      process.execPath,
      [fileURLToPath(import.meta.url), '--child', file, String(repeat)],
      { encoding: 'utf8', maxBuffer: 1 << 20 }
    )
    if (child.status !== 0) throw new Error(child.stderr)
    const r = JSON.parse(child.stdout)
    rows.push(r)
    console.log(
      `${String(repeat).padStart(6)}  ${String(r.lines).padStart(10)}  ${(r.bytes / 1e6).toFixed(0).padStart(6)}  ${r.seconds.toFixed(2).padStart(7)}  ${(r.lines / r.seconds / 1e6).toFixed(2).padStart(8)}  ${(r.bytes / r.seconds / 1e6).toFixed(0).padStart(5)}  ${r.rssMb.toFixed(0).padStart(11)}`
    )
  }
  const io = await readOnly(file)
  const one = rows[0]
  console.log(
    `\nreading and splitting alone: ${(one.lines / io / 1e6).toFixed(2)} Mlines/s; the parser keeps ${((io / one.seconds) * 100).toFixed(0)}% of that rate`
  )
  console.log(
    `memory growth from 1x to 10x the trace: ${(rows[2].rssMb / rows[0].rssMb).toFixed(2)}x (flat = 1.00x)`
  )
  console.log(`goal: >= 1 M lines/s -> ${one.lines / one.seconds >= 1e6 ? 'met' : 'NOT met'}`)
}
