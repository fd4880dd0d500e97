#!/usr/bin/env node
// Tracing overhead: what running a build under renacer-action costs, against the same build untraced, in one run.
//
//   npm run bundle && node bench/overhead.mjs [--runs N] [--workloads lz4,tsc,npm,xcrypt] [--variants ...]
//   node bench/overhead.mjs --counts        per-syscall calls of each workload (strace -f -c), and what the
//                                           default set leaves out
//
// Workloads (real third-party code, every run from the same clean state, outputs removed between runs):
//   lz4     `make -j2` of the LZ4 C library and its programs (node_modules/lz4/deps/lz4, copied to a temp dir)
//   xcrypt  `./configure && make -j2` of libxcrypt (Debian's libxcrypt-source; needs autoconf, automake, libtool
//           for the one-time autogen; skipped with a note when they are missing)
//   tsc     `tsc -p` on a copy of this repository's src/ and __tests__/ (type check only, emits nothing)
//   npm     `npm ci --offline` of a 43-package lockfile cut from this repository's lock (tarballs from the local cache)
// Variants, alternated within each round (the order rotates from round to round), median of --runs rounds:
//   plain           the command, untraced: the 1.00x
//   strace          `strace -f -c -o /dev/null`: the reference every figure is compared with
//   strace-default  the same with the default set (--seccomp-bpf, timing syscalls left out): strace's share
//   default         `node dist/cli/index.js --format json -o r.json -- CMD`: the product as users run it
//   all             the same with --trace-all (every syscall, exact)
// Beside them: the CLI on `true` against strace on `true` and `node -e 0` (the CLI's fixed cost), and with the lz4
// workload, the action bundle checking `true` against a baseline of three real LZ4 builds (the action's own cost:
// start-up, model load, scoring, report, job summary).
// For the two CLI variants, our own process's CPU time and peak RSS come from process.resourceUsage() (self only,
// not the build) read at exit by a preloaded module. dist/ is copied first, so a concurrent rebuild cannot change
// what is measured halfway.
import { execFileSync, spawnSync } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const repo = resolve(here, '..')

function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : fallback
}
const runs = Number(flag('runs', '3'))
const wanted = flag('workloads', 'lz4,tsc,npm').split(',')
const variantNames = flag('variants', 'plain,strace,strace-default,default,all').split(',')
const keep = process.argv.includes('--keep')

const work = mkdtempSync(join(tmpdir(), 'renacer-overhead-'))
const log = (s) => process.stderr.write(`${s}\n`)
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    rmSync(work, { recursive: true, force: true })
    process.exit(130)
  })
}

// --- the library: the default set, as the engine exports it ------------------------------------------------------
const lib = await import(pathToFileURL(join(repo, 'dist/lib/index.js')).href)
if (lib.DEFAULT_TRACE_SET === undefined)
  throw new Error('dist/lib has no DEFAULT_TRACE_SET: run `npm run bundle`')
const defaultFilter = lib.traceExpression(lib.DEFAULT_TRACE_SET)

// --- a frozen copy of the CLI bundle, and the preload that reports our own process's usage ------------------------
const dist = join(work, 'dist')
cpSync(join(repo, 'dist'), dist, { recursive: true })
const cli = join(dist, 'cli/index.js')
const usageHook = join(work, 'self-usage.mjs')
writeFileSync(
  usageHook,
  `import { writeFileSync } from 'node:fs'
process.on('exit', () => {
  const u = process.resourceUsage()
  writeFileSync(process.env.RENACER_BENCH_USAGE, JSON.stringify({ cpuS: (u.userCPUTime + u.systemCPUTime) / 1e6, rssMb: u.maxRSS / 1024 }))
})
`
)

// --- workloads --------------------------------------------------------------------------------------------------
function lz4() {
  const dir = join(work, 'lz4')
  cpSync(join(repo, 'node_modules/lz4/deps/lz4'), dir, { recursive: true })
  return {
    name: 'lz4',
    what: 'make -j2 of LZ4 (lib + programs)',
    cwd: dir,
    command: ['make', '-j2'],
    clean: () => execFileSync('make', ['-s', 'clean'], { cwd: dir, stdio: 'ignore' })
  }
}

function xcrypt() {
  const src = '/usr/src/libxcrypt'
  if (!existsSync(src)) return `xcrypt skipped: ${src} missing (apt-get install -y libxcrypt-source)`
  const tools = ['autoconf', 'automake', 'libtoolize'].filter(
    (t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0
  )
  if (tools.length > 0)
    return `xcrypt skipped: ${tools.join(', ')} missing (apt-get install -y autoconf automake libtool)`
  const dir = join(work, 'xcrypt')
  cpSync(src, dir, { recursive: true })
  log('xcrypt: autogen (once, untimed) ...')
  execFileSync('sh', ['./autogen.sh'], { cwd: dir, stdio: 'ignore' })
  const build = join(dir, 'build')
  return {
    name: 'xcrypt',
    what: 'configure && make -j2 of libxcrypt',
    cwd: build,
    command: ['sh', '-c', '../configure -q --disable-werror >/dev/null && make -j2 -s >/dev/null'],
    clean: () => {
      rmSync(build, { recursive: true, force: true })
      mkdirSync(build)
    }
  }
}

function tsc() {
  const dir = join(work, 'tsproj')
  mkdirSync(dir)
  for (const part of ['src', '__tests__', 'tsconfig.json'])
    cpSync(join(repo, part), join(dir, part), { recursive: true })
  const config = JSON.parse(readFileSync(join(dir, 'tsconfig.json'), 'utf8'))
  config.include = ['src', '__tests__']
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(config))
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}')
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'))
  return {
    name: 'tsc',
    what: 'tsc -p on a copy of this repository',
    cwd: dir,
    command: [process.execPath, join(repo, 'node_modules/typescript/bin/tsc'), '-p', '.'],
    clean: () => {}
  }
}

/** A lockfile of a few real packages, cut from this repository's own lock (so their tarballs are in the cache). */
function npm() {
  const dir = join(work, 'npmproj')
  mkdirSync(dir)
  const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8'))
  const roots = ['@actions/core', '@actions/github', 'ml-kmeans', 'fast-check', 'prettier']
  const registry = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' })
    .trim()
    .replace(/\/?$/, '/')
  const packages = {}
  const find = (from, name) => {
    for (let base = from; ;) {
      const path = `${base === '' ? '' : `${base}/`}node_modules/${name}`
      if (lock.packages[path] !== undefined) return path
      if (base === '') return null
      const i = base.lastIndexOf('/node_modules/')
      base = i < 0 ? '' : base.slice(0, i)
    }
  }
  const walk = (path) => {
    if (packages[path] !== undefined) return
    const entry = { ...lock.packages[path] }
    for (const flag of ['dev', 'devOptional', 'peer']) delete entry[flag] // all are plain dependencies here
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)
    entry.resolved ??= `${registry}${name}/-/${name.split('/').pop()}-${entry.version}.tgz`
    packages[path] = entry
    for (const dep of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
      const found = find(path, dep)
      if (found !== null) walk(found)
    }
  }
  for (const root of roots) walk(`node_modules/${root}`)
  const dependencies = Object.fromEntries(roots.map((r) => [r, lock.packages[`node_modules/${r}`].version]))
  const manifest = { name: 'overhead-npm-ci', version: '1.0.0', private: true, dependencies }
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2))
  writeFileSync(
    join(dir, 'package-lock.json'),
    JSON.stringify(
      { ...manifest, lockfileVersion: 3, requires: true, packages: { '': manifest, ...packages } },
      null,
      2
    )
  )
  return {
    name: 'npm',
    what: `npm ci --offline (${Object.keys(packages).length} packages)`,
    cwd: dir,
    command: ['npm', 'ci', '--offline', '--no-audit', '--no-fund', '--loglevel=error'],
    clean: () => rmSync(join(dir, 'node_modules'), { recursive: true, force: true })
  }
}

// --- variants ---------------------------------------------------------------------------------------------------
const usageFile = join(work, 'usage.json')
const report = join(work, 'r.json')
/** The CLI as users run it, with the preload that reports our own process's CPU time and memory. */
const cliRun = (flags, cmd) => [
  process.execPath,
  '--import',
  pathToFileURL(usageHook).href,
  cli,
  ...flags,
  '--format',
  'json',
  '-o',
  report,
  '--',
  ...cmd
]
const variants = {
  plain: (cmd) => cmd,
  strace: (cmd) => ['strace', '-f', '-c', '-o', '/dev/null', '--', ...cmd],
  'strace-default': (cmd) => ['strace', '-f', '-c', '-o', '/dev/null', ...defaultFilter, '--', ...cmd],
  default: (cmd) => cliRun([], cmd),
  all: (cmd) => cliRun(['--trace-all'], cmd)
}
for (const v of variantNames) if (variants[v] === undefined) throw new Error(`unknown variant ${v}`)

const timeFile = join(work, 'time.txt')
const timeTool = existsSync('/usr/bin/time')

function runOnce(workload, variant) {
  workload.clean()
  rmSync(usageFile, { force: true })
  rmSync(report, { force: true })
  rmSync(timeFile, { force: true })
  const argv = variants[variant](workload.command)
  // /usr/bin/time reports the CPU time of the whole tree (build, strace, us): less moved by others' load than wall.
  const [file, ...args] = timeTool ? ['/usr/bin/time', '-f', '%U %S', '-o', timeFile, ...argv] : argv
  const started = process.hrtime.bigint()
  const child = spawnSync(file, args, {
    cwd: workload.cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, RENACER_BENCH_USAGE: usageFile },
    maxBuffer: 64 << 20
  })
  const wallS = Number(process.hrtime.bigint() - started) / 1e9
  if (child.status !== 0) {
    throw new Error(
      `${workload.name}/${variant} exited ${child.status ?? child.signal}: ${child.stderr.toString().slice(-2000)}`
    )
  }
  const usage = existsSync(usageFile) ? JSON.parse(readFileSync(usageFile, 'utf8')) : null
  const treeCpuS = timeTool
    ? readFileSync(timeFile, 'utf8')
        .trim()
        .split('\n')
        .at(-1)
        .split(' ')
        .reduce((a, x) => a + Number(x), 0)
    : null
  return { wallS, treeCpuS, usage }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')

// --- the action's own cost: dist/index.js with a real baseline -----------------------------------------------------
/**
 * The action bundle as a runner starts it (INPUT_* variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, no
 * runtime token, so its baselines live in a local store), trained on three real LZ4 builds, then checking `true`
 * against that baseline: node's start-up, the config, the strace check, loading the model, scoring, the report,
 * annotations and the job summary, with next to nothing traced.
 */
function actionCost(lz4Workload, rounds) {
  const ws = join(work, 'action-ws')
  mkdirSync(ws, { recursive: true })
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(GITHUB_|ACTIONS_|INPUT_|RUNNER_)/.test(k) && !/_proxy$/i.test(k)
    )
  )
  const run = (inputs) => {
    const files = { GITHUB_OUTPUT: join(ws, 'output'), GITHUB_STEP_SUMMARY: join(ws, 'summary.md') }
    for (const f of Object.values(files)) writeFileSync(f, '')
    const inputEnv = Object.fromEntries(
      Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])
    )
    const started = process.hrtime.bigint()
    const child = spawnSync(process.execPath, [join(dist, 'index.js')], {
      env: { ...env, ...files, ...inputEnv, GITHUB_WORKSPACE: ws, RUNNER_TEMP: join(ws, 'tmp') },
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 << 20
    })
    const wallS = Number(process.hrtime.bigint() - started) / 1e9
    if (child.status !== 0) {
      throw new Error(
        `action ${JSON.stringify(inputs)} exited ${child.status ?? child.error}: ${child.stdout}${child.stderr}`
      )
    }
    return wallS
  }
  lz4Workload.clean()
  log('action: training a baseline on 3 LZ4 builds (untimed) ...')
  run({
    command: `make -s clean >/dev/null && make -j2 >/dev/null`,
    'working-directory': lz4Workload.cwd,
    mode: 'train',
    runs: '3'
  })
  const times = []
  for (let i = 0; i < rounds; i++) times.push(run({ command: 'true', mode: 'check', 'fail-on': 'never' }))
  return times
}

// --- per-syscall counts -------------------------------------------------------------------------------------------
function counts(workloads) {
  const untraced = new Set(lib.UNTRACED_BY_DEFAULT)
  for (const w of workloads) {
    w.clean()
    const out = join(work, `${w.name}.counts`)
    execFileSync('strace', ['-f', '-c', '-S', 'calls', '-o', out, '--', ...w.command], {
      cwd: w.cwd,
      stdio: 'ignore'
    })
    const rows = readFileSync(out, 'utf8')
      .split('\n')
      .slice(2)
      .filter((l) => l.trim() !== '' && !l.startsWith('-'))
      .map((l) => l.trim().split(/\s+/))
    const total = Number(rows.find((f) => f.at(-1) === 'total')[3])
    let dropped = 0
    console.log(`\n${w.what}: ${total} syscalls`)
    console.log('syscall              calls  share  default set')
    for (const f of rows.filter((r) => r.at(-1) !== 'total')) {
      const name = f.at(-1)
      const calls = Number(f[3])
      if (untraced.has(name)) dropped += calls
      if (calls / total >= 0.01 || untraced.has(name)) {
        console.log(
          `${name.padEnd(18)} ${String(calls).padStart(8)}  ${((100 * calls) / total).toFixed(1).padStart(4)}%  ${untraced.has(name) ? 'left out' : 'traced'}`
        )
      }
    }
    console.log(`left out by the default set: ${dropped} calls (${((100 * dropped) / total).toFixed(1)}%)`)
  }
}

// --- main -------------------------------------------------------------------------------------------------------
const makers = { lz4, xcrypt, tsc, npm }
const workloads = []
for (const name of wanted) {
  if (makers[name] === undefined) throw new Error(`unknown workload ${name}`)
  const w = makers[name]()
  if (typeof w === 'string') log(w)
  else workloads.push(w)
}

try {
  if (process.argv.includes('--counts')) {
    counts(workloads)
  } else {
    const startLoad = load()
    log(`warm-up: each workload once, untraced and traced (untimed); load average ${startLoad}`)
    for (const w of workloads) {
      runOnce(w, 'plain')
      if (variantNames.includes('default')) runOnce(w, 'default')
    }

    // The action's own cost beside the build: the CLI on `true` against strace on `true`, and node's own start-up.
    const startup = { node: [], strace: [], cli: [] }
    const trueCmd = { name: 'true', cwd: work, command: ['true'], clean: () => {} }
    for (let i = 0; i < Math.max(5, runs); i++) {
      startup.node.push(runOnce({ ...trueCmd, command: [process.execPath, '-e', '0'] }, 'plain').wallS)
      startup.strace.push(runOnce(trueCmd, 'strace').wallS)
      startup.cli.push(runOnce(trueCmd, 'default').wallS)
    }

    const lz4Workload = workloads.find((w) => w.name === 'lz4')
    const action = lz4Workload === undefined ? null : actionCost(lz4Workload, Math.max(5, runs))

    const results = new Map()
    for (let round = 0; round < runs; round++) {
      log(`round ${round + 1}/${runs} (load ${load()})`)
      for (const w of workloads) {
        const order = variantNames.map((_, i) => variantNames[(i + round) % variantNames.length])
        for (const v of order) {
          const r = runOnce(w, v)
          const key = `${w.name}/${v}`
          if (!results.has(key)) results.set(key, [])
          results.get(key).push(r)
          log(`  ${key.padEnd(22)} ${r.wallS.toFixed(2)} s`)
        }
      }
    }

    console.log(
      `\nTracing overhead, ${runs} alternated runs of each; load average at start ${startLoad}, at end ${load()}`
    )
    console.log(
      'ratio: median wall time over the untraced median; min ratio: fastest over fastest (others only add time);\n' +
        "CPU ratio: user+system time of the whole tree (build, strace, renacer-action) over the untraced tree's.\n"
    )
    console.log(
      'workload  variant          wall s   ratio  min ratio  CPU ratio  our CPU s  our RSS MB  runs (s)'
    )
    for (const w of workloads) {
      const plain = results.get(`${w.name}/plain`)
      const base = median(plain.map((r) => r.wallS))
      const baseMin = Math.min(...plain.map((r) => r.wallS))
      const baseCpu = timeTool ? median(plain.map((r) => r.treeCpuS)) : null
      for (const v of variantNames) {
        const rs = results.get(`${w.name}/${v}`)
        const wall = median(rs.map((r) => r.wallS))
        const min = Math.min(...rs.map((r) => r.wallS))
        const cpuRatio = baseCpu ? `${(median(rs.map((r) => r.treeCpuS)) / baseCpu).toFixed(2)}x` : '-'
        const cpu = rs[0].usage ? median(rs.map((r) => r.usage.cpuS)).toFixed(2) : '-'
        const rss = rs[0].usage ? median(rs.map((r) => r.usage.rssMb)).toFixed(0) : '-'
        console.log(
          `${w.name.padEnd(8)}  ${v.padEnd(15)} ${wall.toFixed(2).padStart(6)}  ${(wall / base).toFixed(2).padStart(5)}x  ` +
            `${(min / baseMin).toFixed(2).padStart(8)}x  ${cpuRatio.padStart(9)}  ${cpu.padStart(9)}  ${rss.padStart(10)}  ` +
            rs.map((r) => r.wallS.toFixed(2)).join(' ')
        )
      }
      console.log(`          (${w.what})`)
    }
    const m = (xs) => median(xs) * 1000
    console.log(
      `\nThe action's own cost beside the build, median of ${startup.cli.length}: CLI on \`true\` ${m(startup.cli).toFixed(0)} ms, ` +
        `strace -f -c on \`true\` ${m(startup.strace).toFixed(0)} ms, node -e 0 ${m(startup.node).toFixed(0)} ms: ` +
        `the CLI adds ${(m(startup.cli) - m(startup.strace)).toFixed(0)} ms (start-up, profile, JSON report)`
    )
    if (action !== null) {
      console.log(
        `The action (dist/index.js) checking \`true\` against a 3-run LZ4 baseline, median of ${action.length}: ` +
          `${m(action).toFixed(0)} ms (start-up, model load, scoring, report, annotations, job summary)`
      )
    }
  }
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true })
  else log(`kept ${work}`)
}
