// Node 20 cannot run .ts directly: bundle each test file (with the sources it
// imports) into build/test/ (or build/e2e/ with --e2e), which `node --test` runs.
// The end-to-end suite lives in test/e2e/ and is built only with --e2e.
import { build } from 'esbuild'
import { readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const e2e = process.argv.includes('--e2e')

function testFiles(dir) {
  const out = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      if (entry.name === 'fixtures' || entry.name === 'node_modules') continue
      if (!e2e && path === join('test', 'e2e')) continue
      out.push(...testFiles(path))
    } else if (entry.name.endsWith('.test.ts')) {
      out.push(path)
    }
  }
  return out
}

const outdir = e2e ? 'build/e2e' : 'build/test'
rmSync(outdir, { recursive: true, force: true })
const entryPoints = e2e ? testFiles(join('test', 'e2e')) : [...testFiles('src'), ...testFiles('test')]
await build({
  entryPoints,
  outdir,
  outbase: '.',
  entryNames: '[name]',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: 'inline',
  // As in the CLI bundle: `require` for the lazily loaded packages (src/io/yaml-lib.ts).
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
})
