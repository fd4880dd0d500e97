// Builds the committed bundles with ncc: the action (dist/index.js), the CLI (dist/cli/index.js) and the library
// (dist/lib/index.js). dist/ is wiped first so that a removed source never lingers in a bundle.
import { execFileSync } from 'node:child_process'
import { chmodSync, rmSync } from 'node:fs'

const entries = [
  { src: 'src/action/index.ts', out: 'dist' },
  { src: 'src/cli/index.ts', out: 'dist/cli' },
  { src: 'src/lib/index.ts', out: 'dist/lib' }
]

rmSync('dist', { recursive: true, force: true })
for (const { src, out } of entries) {
  execFileSync(
    'npx',
    ['ncc', 'build', src, '-o', out, '-m', '-q', '--license', 'licenses.txt', '--target', 'es2022'],
    {
      stdio: 'inherit'
    }
  )
}
chmodSync('dist/cli/index.js', 0o755)
