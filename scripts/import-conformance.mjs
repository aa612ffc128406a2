// Copies MCO's conformance facts (inputs and the bytes MCO's own Go code
// rendered for them) from ../shared/conformance into test/fixtures/conformance,
// keeping only what this project renders and checks:
//   <case>/case.yaml              the input (conformance case format)
//   <case>/etc/...                node files MCO wrote, minus registries.conf and
//                                 the search-registries drop-in (MCO owns those)
//   <case>/ignition.json          MCO's worker spec.config bytes
//   <case>/status.json, error.txt, meta.json
// Usage: node scripts/import-conformance.mjs [SOURCE_DIR]
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const source = process.argv[2] ?? '../shared/conformance'
const target = 'test/fixtures/conformance'
const SKIP = new Set(['etc/containers/registries.conf', 'etc/containers/registries.conf.d'])

rmSync(target, { recursive: true, force: true })
let n = 0
for (const file of readdirSync(join(source, 'cases')).sort()) {
  if (!file.endsWith('.yaml')) continue
  const name = file.slice(0, -'.yaml'.length)
  const dir = join(target, name)
  mkdirSync(dir, { recursive: true })
  cpSync(join(source, 'cases', file), join(dir, 'case.yaml'))
  const expected = join(source, 'expected', name)
  for (const entry of ['ignition.json', 'status.json', 'error.txt', 'meta.json']) {
    if (existsSync(join(expected, entry))) cpSync(join(expected, entry), join(dir, entry))
  }
  if (existsSync(join(expected, 'etc'))) {
    cpSync(join(expected, 'etc'), join(dir, 'etc'), {
      recursive: true,
      filter: (src) => ![...SKIP].some((s) => src.endsWith(s)),
    })
  }
  n++
}
console.log(`imported ${n} conformance cases into ${target}`)
