// Node 20 cannot run .ts directly: bundle each test file (with the sources it
// imports) into build/test/, which `node --test` then runs.
import { build } from 'esbuild'
import { readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'

function testFiles(dir) {
  const out = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      if (entry.name !== 'fixtures' && entry.name !== 'node_modules') out.push(...testFiles(path))
    } else if (entry.name.endsWith('.test.ts')) {
      out.push(path)
    }
  }
  return out
}

rmSync('build/test', { recursive: true, force: true })
const entryPoints = [...testFiles('src'), ...testFiles('test')]
await build({
  entryPoints,
  outdir: 'build/test',
  outbase: '.',
  entryNames: '[name]',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'warning',
})
