import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * A real multi-threaded program: node starting 3 worker threads that each make 200 failed stat calls, so a
 * profile must see threads (not processes) and at least 600 ENOENT. Returns its folder and the argv to run it.
 */
export function writeWorkerProgram(): { dir: string; command: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'renacer-threads-'))
  const script = join(dir, 'workers.cjs')
  writeFileSync(
    script,
    `const { Worker } = require('node:worker_threads')
const code = "const fs=require('node:fs');for(let i=0;i<200;i++){try{fs.statSync('/nonexistent/'+i)}catch{}}"
for (let i = 0; i < 3; i++) new Worker(code, { eval: true })
`
  )
  return { dir, command: [process.execPath, script] }
}
