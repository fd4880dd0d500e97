#!/usr/bin/env node
// Detection quality of the regression gate, measured on real builds of real third-party code, driving the bundled
// CLI (dist/cli/index.js) exactly as a user would: train a baseline, then judge unchanged reruns, reruns under CPU
// contention, faster variants and injected regressions. Run `npm run bundle` first.
//
//   node bench/detection.mjs            every scenario, each case judged against a one-run AND a three-run baseline
//   node bench/detection.mjs --quick    fewer reruns, no graded or control cases, one-run baseline only
//   options: --only lz4,tsc,npm   --keep (leave the work dir)   --json FILE (all results, machine-readable)
//
// Scenarios (docs/detection.md has the reasons and the last results):
//   lz4  the LZ4 C library and its CLI (node_modules/lz4/deps/lz4): `make -s -j2 -C programs lz4`, one cc per
//        object (8) and a link; `make clean` runs before each case, outside the trace.
//   tsc  TypeScript 5.9 type-checking a copy of this repository's src/ (`tsc --noEmit`).
//   npm  `npm ci --offline` of a small project whose packages are in the local npm cache (lockfile made here).
// Every unchanged or contended rerun is also saved as a one-run baseline of its own and judged against by one more
// unchanged run ("swap:" rows): which clean run becomes the baseline is luck, and noisy counts show up there.
// Injections are what a real project does to itself: a compiler wrapper, a flag, an include path, a Makefile
// variable, a postinstall script. None edits the product.
import { spawn, spawnSync } from 'node:child_process'
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const DIST_CLI = join(repo, 'dist', 'cli')
// The bundle is copied once at start: others may rebuild dist/ while the bench runs (the bundle is standalone).
let CLI = join(DIST_CLI, 'index.js')
const NODE = process.execPath

const argv = process.argv.slice(2)
const QUICK = argv.includes('--quick')
const KEEP = argv.includes('--keep')
const ONLY = valueOf('--only')?.split(',') ?? null
const JSON_OUT = valueOf('--json')
function valueOf(flag) {
  const i = argv.indexOf(flag)
  return i >= 0 ? argv[i + 1] : undefined
}

/**
 * The gate's timing class (docs/gate.md): counts that measure waiting, not work. Used only to say whether an
 * injection is in the goal's scope (a rise of 10% or more on a syscall with at least 100 calls).
 */
const TIMING = new Set(
  'clock_gettime clock_nanosleep epoll_pwait epoll_pwait2 epoll_wait futex futex_waitv getrandom gettimeofday io_getevents io_pgetevents io_uring_enter nanosleep pause poll ppoll pselect6 restart_syscall rt_sigreturn rt_sigsuspend rt_sigtimedwait sched_yield select semtimedop wait4 waitid'.split(
    ' '
  )
)
const MEMORY = new Set(['brk', 'madvise', 'mmap', 'mremap', 'munmap'])

// ---------------------------------------------------------------------------------------------------------------
// Scenarios. A case: { name, kind, what, command, cwd?, prepare?(), contended? }.
// kind: unchanged | contended -> must not be a regression; faster -> pass or improvement; injected -> regression;
// control | limit -> reported, not counted (a wrapper that adds only itself; a documented limit of the gate).

const sh = (script) => ['/bin/sh', '-c', script]

/** A maker of the scenario's cases, each cleaned by `prepare` before it runs. */
const caseWith =
  (prepare) =>
  (name, kind, what, command, extra = {}) => ({ name, kind, what, command, prepare, ...extra })

function lz4Scenario(work) {
  const src = join(work, 'lz4')
  cpSync(join(repo, 'node_modules', 'lz4', 'deps', 'lz4'), src, { recursive: true })
  const w = join(work, 'lz4-wrappers')
  for (const d of ['scratch', 'empty-include/a', 'empty-include/b', 'empty-include/c']) {
    mkdirSync(join(w, d), { recursive: true })
  }
  // Compiler wrappers, run as `CC="/bin/sh FILE"` (the /bin/sh make already runs, so no new executable by path).
  writeFileSync(join(w, 'cc-pass.sh'), 'exec cc "$@"\n')
  writeFileSync(
    join(w, 'cc-scratch.sh'),
    `# leaves 8 scratch files behind per compile, like a wrapper that logs or caches badly\nfor i in 1 2 3 4 5 6 7 8; do echo "$*" > "${w}/scratch/cc.$$.$i"; done\nexec cc "$@"\n`
  )
  writeFileSync(
    join(w, 'cc-probe.sh'),
    '# probes the toolchain on every call, as home-grown wrappers do\ncc -dumpversion >/dev/null\nuname -m >/dev/null\nuname -r >/dev/null\nexec cc "$@"\n'
  )
  writeFileSync(
    join(w, 'cc-sync.sh'),
    '# compiles, then flushes the object to disk\ncc "$@" || exit\nout=; prev=\nfor a in "$@"; do [ "$prev" = -o ] && out=$a; prev=$a; done\n[ -n "$out" ] && sync "$out"\n'
  )
  const make = ['make', '-s', '-j2', '-C', 'programs', 'lz4']
  const clean = () => {
    run('make', ['-s', '-C', 'programs', 'clean'], src)
    rmSync(join(w, 'scratch'), { recursive: true, force: true })
    mkdirSync(join(w, 'scratch'))
  }
  const c = caseWith(clean)
  const inc = (dirs) => `MOREFLAGS=${dirs.map((d) => `-I${w}/empty-include/${d}`).join(' ')}`
  return {
    name: 'lz4',
    title: 'LZ4 C library + CLI: `make -s -j2 -C programs lz4` (8 compiles, 1 link; clean before each run)',
    cwd: src,
    train: c('clean', 'train', 'clean build', make),
    cases: [
      ...reruns(make, clean),
      c('faster-O0', 'faster', 'CFLAGS=-O0', [...make, 'CFLAGS=-O0']),
      { ...c('cached', 'faster', 'nothing to rebuild (objects up to date)', make), prepare: null },
      c('tempfiles', 'injected', 'CC wrapper writing 8 scratch files per compile', [
        ...make,
        `CC=/bin/sh ${w}/cc-scratch.sh`
      ]),
      c('wrapper-only', 'control', 'CC wrapper that only execs cc (the cost of a wrapper)', [
        ...make,
        `CC=/bin/sh ${w}/cc-pass.sh`
      ]),
      c('save-temps', 'injected', 'MOREFLAGS=-save-temps (gcc keeps its .i/.s files)', [
        ...make,
        'MOREFLAGS=-save-temps'
      ]),
      c('lookup-storm', 'injected', '3 empty include dirs first (MOREFLAGS=-I...)', [
        ...make,
        inc(['a', 'b', 'c'])
      ]),
      c('lookup-storm-1', 'graded', '1 empty include dir first', [...make, inc(['a'])]),
      c(
        'doubled',
        'injected',
        'the build run twice (make; make -B)',
        sh(`${make.join(' ')} && ${make.join(' ')} -B`)
      ),
      c('processes', 'injected', 'CC wrapper running cc -dumpversion, uname -m, uname -r per compile', [
        ...make,
        `CC=/bin/sh ${w}/cc-probe.sh`
      ]),
      c('fsync', 'injected', 'CC wrapper running sync on each object', [
        ...make,
        `CC=/bin/sh ${w}/cc-sync.sh`
      ]),
      c('sleep', 'injected', 'sleep 1 after the build', sh(`${make.join(' ')} && sleep 1`))
    ]
  }
}

function tscScenario(work) {
  const dir = join(work, 'tsproj')
  mkdirSync(dir)
  cpSync(join(repo, 'src'), join(dir, 'src'), { recursive: true })
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'))
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n')
  const options = {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    skipLibCheck: true,
    types: ['node'],
    outDir: 'out'
  }
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: options, include: ['src'] }))
  // A mis-set `paths` mapping: every bare import is first looked for in three (existing, empty) vendor dirs.
  for (const d of ['a', 'b', 'c']) mkdirSync(join(dir, 'vendor', d), { recursive: true })
  writeFileSync(
    join(dir, 'tsconfig.storm.json'),
    JSON.stringify({
      extends: './tsconfig.json',
      compilerOptions: { paths: { '*': ['./vendor/a/*', './vendor/b/*', './vendor/c/*'] } }
    })
  )
  writeFileSync(
    join(dir, 'pause.cjs'),
    '// an in-process sleep: a setup hook that waits a second\nAtomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000)\n'
  )
  const tsc = join(dir, 'node_modules', 'typescript', 'bin', 'tsc')
  const check = [NODE, tsc, '--noEmit', '-p', 'tsconfig.json']
  const clean = () => rmSync(join(dir, 'out'), { recursive: true, force: true })
  const c = caseWith(clean)
  return {
    name: 'tsc',
    title: 'TypeScript 5.9 `tsc --noEmit` on a copy of this repository (one node process and its threads)',
    cwd: dir,
    train: c('clean', 'train', 'clean type-check', check),
    cases: [
      ...reruns(check, clean),
      {
        ...c('incremental', 'faster', '--incremental with a warm .tsbuildinfo', [
          ...check,
          '--incremental',
          '--tsBuildInfoFile',
          'cache.tsbuildinfo'
        ]),
        prepare: () => {
          clean()
          run(
            NODE,
            [
              tsc,
              '--noEmit',
              '-p',
              'tsconfig.json',
              '--incremental',
              '--tsBuildInfoFile',
              'cache.tsbuildinfo'
            ],
            dir
          )
        }
      },
      c('emit', 'injected', 'JavaScript emitted to out/ (--noEmit dropped)', [
        NODE,
        tsc,
        '-p',
        'tsconfig.json'
      ]),
      c('lookup-storm', 'injected', 'paths: "*" -> 3 empty vendor dirs tried first', [
        NODE,
        tsc,
        '--noEmit',
        '-p',
        'tsconfig.storm.json'
      ]),
      c('doubled', 'injected', 'tsc run twice', sh(`${check.join(' ')} && ${check.join(' ')}`)),
      c(
        'processes',
        'injected',
        'a `tsc --version` probe before the check',
        sh(`${NODE} ${tsc} --version >/dev/null && ${check.join(' ')}`)
      ),
      c('sleep', 'injected', 'sleep 1 after the check', sh(`${check.join(' ')} && sleep 1`)),
      c('sleep-in-process', 'limit', 'a 1 s Atomics.wait in a --require hook (time only)', [
        NODE,
        '--require',
        join(dir, 'pause.cjs'),
        ...check.slice(1)
      ])
    ]
  }
}

function npmScenario(work) {
  // Versions this repository locks: their tarballs are in the local cache since its own `npm ci`.
  const versions = readJson(join(repo, 'package-lock.json')).packages
  const locked = (name) => versions[`node_modules/${name}`].version
  const base = {
    name: 'detection-npm',
    version: '1.0.0',
    private: true,
    dependencies: { 'ml-kmeans': locked('ml-kmeans'), globals: locked('globals') },
    devDependencies: { 'fast-check': locked('fast-check'), prettier: locked('prettier') }
  }
  const lockedProject = (name, pkg) => {
    const dir = join(work, name)
    mkdirSync(dir)
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`)
    // The lockfile records where each tarball came from, so that `npm ci --offline` finds it in the cache.
    const r = spawnSync(
      'npm',
      [
        'install',
        '--package-lock-only',
        '--offline',
        '--no-audit',
        '--no-fund',
        '--omit-lockfile-registry-resolved=false'
      ],
      { cwd: dir, encoding: 'utf8' }
    )
    if (r.status !== 0)
      throw new Error(`npm could not lock ${name} from the cache: ${r.stderr.trim().split('\n').pop()}`)
    return dir
  }
  const main = lockedProject('npmproj', base)
  const withDep = lockedProject('npmproj-dep', {
    ...base,
    dependencies: { ...base.dependencies, '@actions/core': locked('@actions/core') }
  })
  const withScript = (name, script) => {
    const dir = join(work, name)
    mkdirSync(dir)
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ ...base, scripts: { postinstall: script } }, null, 2)
    )
    cpSync(join(main, 'package-lock.json'), join(dir, 'package-lock.json'))
    return dir
  }
  const postinstall = withScript('npmproj-postinstall', `node -e "require('ml-kmeans')"`)
  const postSleep = withScript('npmproj-sleep', 'sleep 1')
  const ci = ['npm', 'ci', '--offline', '--no-audit', '--no-fund']
  const cleanIn = (dir) => () => rmSync(join(dir, 'node_modules'), { recursive: true, force: true })
  const c = (name, kind, what, command, dir = main) => ({
    name,
    kind,
    what,
    command,
    cwd: dir,
    prepare: cleanIn(dir)
  })
  return {
    name: 'npm',
    title: '`npm ci --offline` of 4 dependencies (17 packages) from the local cache',
    cwd: main,
    train: c('clean', 'train', 'clean install', ci),
    cases: [
      ...reruns(ci, cleanIn(main)),
      c('omit-dev', 'faster', '--omit=dev (2 fewer top-level packages)', [...ci, '--omit=dev']),
      c('new-dependency', 'injected', 'one more dependency (@actions/core and its tree)', ci, withDep),
      c('doubled', 'injected', 'npm ci run twice', ['/bin/sh', '-c', `${ci.join(' ')} && ${ci.join(' ')}`]),
      c('processes', 'injected', 'a postinstall script (node -e "require(...)")', ci, postinstall),
      c('sleep', 'injected', 'a postinstall `sleep 1`', ci, postSleep)
    ]
  }
}

function reruns(command, prepare) {
  const out = []
  const unchanged = QUICK ? 2 : 3
  const contended = QUICK ? 1 : 2
  for (let i = 1; i <= unchanged; i++) {
    out.push({ name: `unchanged-${i}`, kind: 'unchanged', what: 'identical rerun', command, prepare })
  }
  for (let i = 1; i <= contended; i++) {
    out.push({
      name: `contended-${i}`,
      kind: 'contended',
      what: 'identical rerun, 2 busy loops on the 2 cores',
      command,
      prepare,
      contended: true
    })
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------------
// Running the CLI.

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'))
}

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`)
}

/** Two shell busy loops, one per core: a shared runner at its worst. Returns a stopper. */
function startContention() {
  const loops = [0, 1].map(() => spawn('/bin/sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }))
  return () => {
    for (const loop of loops) if (loop.exitCode === null && loop.signalCode === null) loop.kill('SIGKILL')
  }
}
const stoppers = new Set()
process.on('exit', () => {
  for (const stop of stoppers) stop()
})

/** One traced run through the CLI: the JSON report, the text report (stderr), the exit code and the wall time. */
function cli(args, command, cwd, work, contended = false) {
  const out = join(work, 'report.json')
  rmSync(out, { force: true })
  const stop = contended ? startContention() : null
  if (stop) stoppers.add(stop)
  const started = Date.now()
  let r
  try {
    r = spawnSync(NODE, [CLI, ...args, '--format', 'json', '-o', out, '--', ...command], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'ignore', 'pipe'],
      maxBuffer: 1 << 26,
      env: { ...process.env, MAKEFLAGS: '', MAKELEVEL: '' }
    })
  } finally {
    if (stop) {
      stop()
      stoppers.delete(stop)
    }
  }
  const seconds = (Date.now() - started) / 1000
  if (!existsSync(out))
    throw new Error(`no report from: ${command.join(' ')} (exit ${r.status})\n${r.stderr}`)
  const report = readJson(out)
  return { report, text: r.stderr, exit: r.status, seconds }
}

// ---------------------------------------------------------------------------------------------------------------
// Judging.

function countsOf(report) {
  const m = new Map()
  for (const s of report.summary.syscalls) m.set(s.name, s)
  return m
}

/** The largest rise (calls or errors) over the clean run among syscalls with at least 100 of them there. */
function largestRise(clean, report) {
  const base = countsOf(clean)
  const cur = countsOf(report)
  let best = null
  for (const [name, b] of base) {
    if (TIMING.has(name)) continue
    for (const metric of ['calls', 'errors']) {
      if (b[metric] < 100) continue
      const now = cur.get(name)?.[metric] ?? 0
      const rel = (now - b[metric]) / b[metric]
      if (!best || Math.abs(rel) > Math.abs(best.rel)) best = { name, metric, base: b[metric], now, rel }
    }
  }
  return best
}

function fmtRise(r) {
  if (!r) return '-'
  const sign = r.rel >= 0 ? '+' : ''
  const cls = MEMORY.has(r.name) ? ' (mem)' : ''
  return `${r.name}${r.metric === 'errors' ? ' err' : ''} ${sign}${(r.rel * 100).toFixed(1)}%${cls} ${r.base}->${r.now}`
}

function fmtFinding(f) {
  if (!f) return '-'
  const what =
    f.syscall === '*' && f.metric === 'calls'
      ? `${f.executable} (${f.change === 'gone' ? 'exe gone' : 'new exe'})`
      : `${f.syscall} ${f.metric}`
  const change = f.change_pct === null ? f.change : `${f.change_pct > 0 ? '+' : ''}${f.change_pct}%`
  const base = Math.round(f.baseline)
  const cur = Math.round(f.current)
  const exe = f.syscall !== '*' && f.executable ? ` ${f.executable.split('/').pop()}` : ''
  return `${what} ${base}->${cur} ${change}${exe}`
}

/** The finding that says most: the largest absolute change among the verdict's own kind. */
function topFinding(report) {
  const list =
    report.verdict === 'regression'
      ? report.regressions
      : report.verdict === 'improvement'
        ? report.improvements
        : report.warnings
  let best = null
  for (const f of list) {
    const size =
      f.metric === 'time_us' ? Math.abs(f.current - f.baseline) / 1e4 : Math.abs(f.current - f.baseline)
    if (!best || size > best.size) best = { f, size }
  }
  const top = best ? fmtFinding(best.f) : '-'
  return report.verdict === 'pass' && best ? `(warning) ${top}` : top
}

function outcome(kind, verdict) {
  switch (kind) {
    case 'unchanged':
    case 'contended':
      return verdict === 'regression' ? 'FALSE ALARM' : verdict === 'pass' ? 'ok' : `ok (${verdict})`
    case 'faster':
      return verdict === 'regression' ? 'FALSE ALARM' : 'ok'
    case 'injected':
      return verdict === 'regression' ? 'detected' : 'MISSED'
    default:
      return verdict === 'regression' ? 'flagged' : 'not flagged'
  }
}

const EXPECTED = {
  unchanged: 'pass',
  contended: 'pass',
  faster: 'pass|improvement',
  injected: 'regression',
  graded: 'either',
  control: 'either',
  limit: 'either (limit)'
}

// ---------------------------------------------------------------------------------------------------------------

function runScenario(make, root) {
  const work = join(root, 'work')
  const scenario = make(root)
  const w = join(root, 'models')
  mkdirSync(w, { recursive: true })
  mkdirSync(work, { recursive: true })
  const b1 = join(w, `${scenario.name}-1run.apr`)
  const b3 = join(w, `${scenario.name}-3run.apr`)
  const windowed = !QUICK
  console.log(`\n## ${scenario.name}: ${scenario.title}`)
  scenario.train.prepare?.()
  const train = cli(['--save-model', b1], scenario.train.command, scenario.train.cwd ?? scenario.cwd, work)
  if (train.exit !== 0) throw new Error(`training run failed (${train.exit}): ${train.text}`)
  const clean = train.report
  console.log(
    `baseline: 1 clean run, ${clean.summary.syscalls.reduce((a, s) => a + s.calls, 0)} syscalls, ${clean.summary.process_count} processes, ${(clean.summary.wall_ms / 1000).toFixed(1)} s traced`
  )
  const results = []
  const judge = (c, model, label, extraArgs = [], reference = clean) => {
    c.prepare?.()
    const r = cli(['--baseline', model, ...extraArgs], c.command, c.cwd ?? scenario.cwd, work, c.contended)
    const v = r.report.verdict
    const textSaysRegression = /\bREGRESSION\b/.test(r.text)
    const consistent =
      textSaysRegression === (v === 'regression') && r.text.includes('=== Regression Analysis ===')
    const exitOk = v === 'regression' ? r.exit === 3 : r.exit === 0
    results.push({
      scenario: scenario.name,
      case: c.name,
      kind: c.kind,
      what: c.what,
      baseline: label,
      verdict: v,
      outcome: outcome(c.kind, v),
      consistent,
      exitOk,
      exit: r.exit,
      seconds: r.seconds,
      rise: largestRise(reference, r.report),
      top: topFinding(r.report),
      regressions: r.report.regressions.length,
      warnings: r.report.warnings.length
    })
    return r
  }
  // Which clean run becomes the baseline is luck: every other unchanged or contended rerun is also saved as a
  // one-run baseline of its own, and one more unchanged run is judged against each of them ("swap" rows).
  const swaps = []
  for (const c of scenario.cases) {
    const isTrainingRerun = windowed && (c.name === 'unchanged-1' || c.name === 'unchanged-2')
    if (isTrainingRerun && c.name === 'unchanged-1') copyFileSync(b1, b3)
    const quiet = c.kind === 'unchanged' || c.kind === 'contended'
    const own = join(w, `${scenario.name}-${c.name}.apr`)
    // The first two unchanged reruns are judged against the one-run baseline and appended to the three-run one.
    const extra = isTrainingRerun ? ['--update-model', b3] : quiet ? ['--save-model', own] : []
    const r = judge(c, b1, '1-run', extra)
    if (quiet && !isTrainingRerun && (r.exit === 0 || r.exit === 3))
      swaps.push({ from: c, model: own, report: r.report })
    if (windowed && !isTrainingRerun && c.kind !== 'graded' && c.kind !== 'control') judge(c, b3, '3-run')
  }
  const rerun = scenario.cases.find((c) => c.kind === 'unchanged')
  for (const { from, model, report } of swaps) {
    const c = {
      ...rerun,
      name: `swap:${from.name}`,
      what: `an unchanged run against ${from.name} as baseline`
    }
    judge(c, model, '1-run', [], report)
  }
  printTable(scenario, results)
  return results
}

function pad(s, n) {
  s = String(s)
  return s.length >= n ? s : s + ' '.repeat(n - s.length)
}

function printTable(scenario, results) {
  const byCase = new Map()
  for (const r of results) {
    if (!byCase.has(r.case)) byCase.set(r.case, {})
    byCase.get(r.case)[r.baseline] = r
  }
  console.log('')
  console.log(
    `${pad('case', 17)}${pad('expected', 17)}${pad('1-run', 13)}${pad(QUICK ? '' : '3-run', QUICK ? 0 : 13)}${pad('largest count change (>=100)', 38)}top finding (1-run)`
  )
  for (const [name, v] of byCase) {
    const one = v['1-run']
    const three = v['3-run']
    const cell = (r) => (r ? `${r.verdict}${r.consistent && r.exitOk ? '' : '!'}` : '-')
    console.log(
      `${pad(name, 17)}${pad(EXPECTED[one.kind], 17)}${pad(cell(one), 13)}${QUICK ? '' : pad(cell(three), 13)}${pad(fmtRise(one.rise), 38)}${one.top}`
    )
  }
  console.log(
    `  (${scenario.name}: ${results.length} judgements, ${results
      .map((r) => r.seconds)
      .reduce((a, b) => a + b, 0)
      .toFixed(0)} s; '!' = text/exit code disagree with the JSON verdict)`
  )
}

function totals(results) {
  const quiet = results.filter((r) => r.kind === 'unchanged' || r.kind === 'contended')
  const faster = results.filter((r) => r.kind === 'faster')
  const injected = results.filter((r) => r.kind === 'injected')
  const inScope = injected.filter((r) => r.rise && r.rise.rel >= 0.1)
  const falseAlarms = quiet.filter((r) => r.verdict === 'regression')
  const fasterAlarms = faster.filter((r) => r.verdict === 'regression')
  const detected = injected.filter((r) => r.verdict === 'regression')
  const missedInScope = inScope.filter((r) => r.verdict !== 'regression')
  const inconsistent = results.filter((r) => !r.consistent || !r.exitOk)
  const quietDrift = quiet.map((r) => r.rise).filter(Boolean)
  const maxDrift = quietDrift.reduce((a, r) => (Math.abs(r.rel) > Math.abs(a?.rel ?? 0) ? r : a), null)
  console.log('\n## totals')
  console.log(`false REGRESSION verdicts over unchanged + contended: ${falseAlarms.length}/${quiet.length}`)
  console.log(`false REGRESSION verdicts over faster variants:       ${fasterAlarms.length}/${faster.length}`)
  console.log(`injected regressions detected:                        ${detected.length}/${injected.length}`)
  console.log(
    `  in the goal's scope (a syscall with >= 100 calls up >= 10%): ${inScope.length - missedInScope.length}/${inScope.length} detected`
  )
  console.log(`text report or exit code disagreeing with the JSON verdict: ${inconsistent.length}`)
  console.log(`largest count drift of an unchanged/contended run (>= 100 calls): ${fmtRise(maxDrift)}`)
  for (const r of [...falseAlarms, ...fasterAlarms])
    console.log(`  false alarm: ${r.scenario}/${r.case} (${r.baseline}): ${r.top}`)
  for (const r of injected.filter((x) => x.verdict !== 'regression')) {
    console.log(
      `  missed: ${r.scenario}/${r.case} (${r.baseline}): largest change ${fmtRise(r.rise)}; ${r.top}`
    )
  }
  const goal = falseAlarms.length === 0 && fasterAlarms.length === 0 && missedInScope.length === 0
  console.log(`goal (no false REGRESSION, every in-scope injection detected): ${goal ? 'met' : 'NOT met'}`)
  return goal
}

// ---------------------------------------------------------------------------------------------------------------

if (!existsSync(CLI)) {
  console.error('dist/cli/index.js is missing: run `npm run bundle` first')
  process.exit(2)
}
const root = mkdtempSync(join(tmpdir(), 'renacer-detection-'))
cpSync(DIST_CLI, join(root, 'cli'), { recursive: true })
CLI = join(root, 'cli', 'index.js')
const started = new Date()
console.log(`# renacer-action detection bench (${QUICK ? 'quick' : 'full'})`)
console.log(
  `${started.toISOString()}, ${cpus().length} cores, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}, node ${process.version}`
)
const all = []
let failed = false
try {
  const scenarios = { lz4: lz4Scenario, tsc: tscScenario, npm: npmScenario }
  for (const [name, make] of Object.entries(scenarios)) {
    if (ONLY && !ONLY.includes(name)) continue
    const dir = join(root, name)
    mkdirSync(dir)
    try {
      all.push(...runScenario(make, dir))
    } catch (err) {
      failed = true
      console.log(`\n## ${name}: NOT RUN: ${err instanceof Error ? err.message : String(err)}`)
    }
  }
  const goal = totals(all)
  console.log(
    `\nfinished ${new Date().toISOString()} (${((Date.now() - started.getTime()) / 60000).toFixed(1)} min), load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`
  )
  if (JSON_OUT) {
    writeFileSync(JSON_OUT, `${JSON.stringify(all, null, 2)}\n`)
  }
  process.exitCode = goal && !failed ? 0 : 1
} finally {
  if (KEEP) console.log(`work dir kept: ${root}`)
  else rmSync(root, { recursive: true, force: true })
}
