// The npm package as users get it: `npm pack` of the built tree holds the
// launcher, the bundles, the snapshot builder and its warm-up inputs, and
// nothing of the machine that packed it (no startup snapshot, no path of this
// machine); installed into an empty directory with `npm install ./<tarball>`,
// `npx imagepolicy-mc --help` and the quickstart example render, the first run
// building the startup snapshot into the user's cache. Needs npm (it is beside
// the Node.js running the tests) and the npm registry for the dependencies.

import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { homedir, hostname } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { test, type TestContext } from 'node:test'
import { BUNDLE, runProgram, tempDir } from './helpers.ts'

interface Packed {
  readonly filename: string
  readonly files: { readonly path: string; readonly mode: number }[]
}
interface PackageJson {
  readonly name: string
  readonly version: string
  readonly license?: string
  readonly engines?: { readonly node?: string }
  readonly bin?: Record<string, string>
  readonly files?: string[]
  readonly repository?: { readonly type: string; readonly url: string }
}

const NPM = join(dirname(process.execPath), 'npm')
const PKG = JSON.parse(readFileSync('package.json', 'utf8')) as PackageJson

/** `npm pack` of this tree into a temp directory. */
function pack(t: TestContext): { tarball: string; packed: Packed } {
  const dest = tempDir(t, 'imagepolicy-mc-pack-')
  const out = runProgram(NPM, ['pack', '--json', '--pack-destination', dest])
  assert.equal(out.code, 0, out.stderr)
  const packed = (JSON.parse(out.stdout) as Packed[])[0]!
  return { tarball: join(dest, packed.filename), packed }
}

test('package.json sets engines, bin, files, license and repository', () => {
  assert.equal(PKG.engines?.node, '>=20')
  assert.deepEqual(PKG.bin, { 'imagepolicy-mc': 'dist/imagepolicy-mc' })
  assert.ok(PKG.files !== undefined && PKG.files.length > 0)
  assert.equal(PKG.license, 'Apache-2.0')
  assert.equal(PKG.repository?.type, 'git')
  assert.match(PKG.repository?.url ?? '', /^git\+https:\/\/\S+\.git$/)
})

test('npm pack holds what the package runs and nothing of this machine', (t) => {
  const { packed } = pack(t)
  // Our licence, and those of the code the bundle inlines.
  assert.match(readFileSync('LICENSE', 'utf8'), /Apache License\s+Version 2\.0/)
  for (const bundled of ['js-yaml', 'yaml', 'yargs', 'fflate']) assert.match(readFileSync('dist/THIRD-PARTY-LICENSES.txt', 'utf8'), new RegExp(`^${bundled} \\d+\\.\\d+\\.\\d+ \\(`, 'm'))
  assert.deepEqual(packed.files.map((f) => f.path).sort(), [
    'LICENSE',
    'README.md',
    'dist/THIRD-PARTY-LICENSES.txt',
    'dist/imagepolicy-mc',
    'dist/imagepolicy-mc-snapshot.mjs',
    'dist/imagepolicy-mc.cjs',
    'dist/imagepolicy-mc.js',
    'dist/warm-up/kpt-package-image-cluster.yaml',
    'dist/warm-up/kpt-package-policies.yaml',
    'dist/warm-up/quickstart.yaml',
    'package.json',
    'plugin.yaml',
  ])
  assert.equal(packed.files.find((f) => f.path === 'dist/imagepolicy-mc')!.mode & 0o111, 0o111, 'the bin is executable')
  // No path of this machine in any file: the Node.js that built it, the checkout, the home directory, the host name.
  const local = [process.execPath, resolve('.'), ...(homedir() !== '/' ? [`${homedir()}/`] : []), hostname()].filter((s) => s.length > 3)
  for (const f of packed.files) {
    const text = readFileSync(f.path, 'utf8')
    for (const s of local) assert.ok(!text.includes(s), `${f.path} holds ${s}`)
  }
})

test('npm install ./<tarball> into an empty directory: npx imagepolicy-mc --help and the quickstart render', (t) => {
  const { tarball } = pack(t)
  const project = tempDir(t, 'imagepolicy-mc-user-')
  const cache = join(tempDir(t, 'imagepolicy-mc-user-cache-'), 'snapshots')
  const env = { ...process.env, IMAGEPOLICY_MC_CACHE_DIR: cache, NODE_OPTIONS: '', IMAGEPOLICY_MC_SNAPSHOT: '' }
  const installed = runProgram(NPM, ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: project, env })
  assert.equal(installed.code, 0, installed.stderr)
  const dist = join(project, 'node_modules', 'imagepolicy-mc', 'dist')
  assert.ok(!readdirSync(dist).some((f) => f.endsWith('.blob')), 'no snapshot shipped')

  const npx = join(dirname(process.execPath), 'npx')
  const help = runProgram(npx, ['imagepolicy-mc', '--help'], { cwd: project, env })
  assert.equal(help.code, 0, help.stderr)
  assert.deepEqual(help, runProgram(process.execPath, [BUNDLE, '--help']))
  // The first run built the snapshot for this machine into the user's cache.
  assert.equal(readdirSync(cache).filter((f) => f.endsWith('.blob')).length, 1)

  const example = resolve('examples/quickstart/policies.yaml')
  // The quickstart is for OpenShift 4.19 (its README says why).
  const rendered = runProgram(npx, ['imagepolicy-mc', '--target-release', '4.19', example], { cwd: project, env })
  assert.equal(rendered.code, 0, rendered.stderr)
  assert.match(rendered.stdout, /^kind: MachineConfig$/m)
  assert.deepEqual(rendered, runProgram(process.execPath, [BUNDLE, '--target-release', '4.19', example]))
  // The same with the snapshot gone: the portable bundle, the same output.
  const noCache = { ...env, IMAGEPOLICY_MC_SNAPSHOT: 'off' }
  assert.deepEqual(runProgram(npx, ['imagepolicy-mc', '--target-release', '4.19', example], { cwd: project, env: noCache }), rendered)
  assert.ok(existsSync(join(project, 'node_modules', '.bin', 'imagepolicy-mc')))
})
