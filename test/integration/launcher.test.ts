// The launcher (dist/imagepolicy-mc, the package's bin): at its first run on a
// machine it builds a V8 startup snapshot for the `node` in PATH into a cache
// directory (checked against the portable bundle before it is put in place),
// then starts from it; it gives exactly what the portable bundle gives, and
// falls back to the bundle whenever the snapshot is missing, stale or cannot
// be built (README "Performance").

import assert from 'node:assert/strict'
import { chmodSync, copyFileSync, cpSync, existsSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import test, { type TestContext } from 'node:test'
import { asResourceList } from '../../src/warm-up.ts'
import { BUNDLE, runProgram, tempDir } from './helpers.ts'

const LAUNCHER = resolve('dist/imagepolicy-mc')
const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version

/** An env whose snapshot cache is a fresh directory of its own. */
function withCache(t: TestContext, extra: NodeJS.ProcessEnv = {}): { env: NodeJS.ProcessEnv; cache: string } {
  const cache = join(tempDir(t, 'imagepolicy-mc-cache-'), 'cache')
  return { cache, env: { ...process.env, NODE_OPTIONS: '', IMAGEPOLICY_MC_SNAPSHOT: '', IMAGEPOLICY_MC_CACHE_DIR: cache, ...extra } }
}

/** A copy of dist/ as an installation of its own. */
function distCopy(t: TestContext): string {
  const dir = join(tempDir(t, 'imagepolicy-mc-dist-'), 'dist')
  cpSync(resolve('dist'), dir, { recursive: true })
  return dir
}

/** The command the launcher execs, from `sh -x`'s trace. */
function launched(launcher: string, env: NodeJS.ProcessEnv): string {
  const ran = runProgram('/bin/sh', ['-x', launcher, '--help'], { env })
  assert.equal(ran.code, 0, ran.stderr)
  const exec = ran.stderr.split('\n').filter((l) => /^\+ exec /.test(l))
  assert.equal(exec.length, 1, ran.stderr)
  return exec[0]!
}

const portable = (line: string) => /^\+ exec \/\S+\/node \S+\/imagepolicy-mc\.js --help$/.test(line)
const snapshotIn = (cache: string) => new RegExp(`^\\+ exec \\S+/node --snapshot-blob ${cache}/${VERSION.replace(/\./g, '\\.')}-[0-9.]+-[0-9.]+\\.blob \\S+/imagepolicy-mc\\.js --help$`)

const inputs: Record<string, string> = {
  quickstart: readFileSync('examples/quickstart/policies.yaml', 'utf8'),
  'kpt package': ['image-cluster.yaml', 'policies.yaml'].map((f) => readFileSync(join('examples/kpt-package', f), 'utf8')).join('---\n'),
  'invalid policy': 'apiVersion: config.openshift.io/v1\nkind: ClusterImagePolicy\nmetadata:\n  name: bad\nspec:\n  scopes: ["Not A Scope"]\n',
  empty: '',
}

test('the launcher and the portable bundle give the same stdout, stderr and exit code', (t) => {
  const { env, cache } = withCache(t)
  const runs: [string, string[], string][] = []
  for (const [name, text] of Object.entries(inputs)) {
    runs.push([`${name} (stream)`, ['--target-release', '4.19'], text])
    runs.push([`${name} (ResourceList)`, ['--target-release', '4.19'], asResourceList(text)])
    runs.push([`${name} --strict --pools worker`, ['--strict', '--pools', 'worker', '--target-release', '4.19'], text])
    runs.push([`${name} (the newest release)`, [], text])
  }
  runs.push(['a file argument', ['examples/quickstart/policies.yaml'], ''])
  runs.push(['--help', ['--help'], ''])
  runs.push(['a bad option value', ['--validate', 'sometimes'], ''])
  runs.push(['a usage error', ['--no-such-option'], ''])
  runs.push(['a subcommand', ['explain', '--help'], ''])
  const codes = new Set<number | null>()
  for (const [name, args, input] of runs) {
    const fast = runProgram(LAUNCHER, args, { input, env })
    const slow = runProgram(process.execPath, [BUNDLE, ...args], { input })
    assert.deepEqual(fast, slow, name)
    codes.add(fast.code)
  }
  assert.deepEqual([...codes].sort(), [0, 1, 2], 'the runs cover success, bad input and usage errors')
  assert.equal(readdirSync(cache).filter((f) => f.endsWith('.blob')).length, 1, 'the first run built one snapshot; the others used it')
})

test('the first run builds the snapshot into the cache, and later runs start from it, also through a symlink as npm installs bins', (t) => {
  const { env, cache } = withCache(t)
  assert.ok(!existsSync(cache))
  const first = runProgram(LAUNCHER, ['--target-release', '4.19'], { input: inputs['quickstart']!, env })
  assert.equal(first.code, 0, first.stderr)
  const blobs = readdirSync(cache)
  assert.equal(blobs.length, 1, blobs.join(' '))
  assert.match(blobs[0]!, new RegExp(`^${VERSION.replace(/\./g, '\\.')}-[0-9.]+-[0-9.]+\\.blob$`))
  assert.match(launched(LAUNCHER, env), snapshotIn(cache))
  const bin = tempDir(t, 'imagepolicy-mc-npm-bin-')
  symlinkSync(LAUNCHER, join(bin, 'imagepolicy-mc'))
  assert.match(launched(join(bin, 'imagepolicy-mc'), env), snapshotIn(cache))
  const ran = runProgram(join(bin, 'imagepolicy-mc'), ['--target-release', '4.19'], { input: inputs['quickstart']!, env })
  assert.deepEqual(ran, first)
  // The default cache: $XDG_CACHE_HOME/imagepolicy-mc, else ~/.cache/imagepolicy-mc
  // (seeded with the snapshot just built, which has the same name there).
  const home = tempDir(t, 'imagepolicy-mc-home-')
  for (const d of [join(home, '.cache', 'imagepolicy-mc'), join(home, 'xdg', 'imagepolicy-mc')]) cpSync(cache, d, { recursive: true })
  const { IMAGEPOLICY_MC_CACHE_DIR: _, XDG_CACHE_HOME: __, ...base } = env
  assert.match(launched(LAUNCHER, { ...base, HOME: home }), snapshotIn(join(home, '.cache', 'imagepolicy-mc')))
  assert.match(launched(LAUNCHER, { ...base, HOME: home, XDG_CACHE_HOME: join(home, 'xdg') }), snapshotIn(join(home, 'xdg', 'imagepolicy-mc')))
})

test('a snapshot of another Node.js binary or another installation is not used: a new one is built', (t) => {
  const { env, cache } = withCache(t)
  runProgram(LAUNCHER, ['--help'], { env })
  // The same Node.js, copied: another binary (another inode and ctime), first on PATH.
  const nodeDir = tempDir(t, 'imagepolicy-mc-node-')
  copyFileSync(process.execPath, join(nodeDir, 'node'))
  chmodSync(join(nodeDir, 'node'), 0o755)
  const other = { ...env, PATH: `${nodeDir}:${env['PATH'] ?? ''}` }
  assert.match(launched(LAUNCHER, other), new RegExp(`^\\+ exec ${nodeDir}/node --snapshot-blob `))
  // Another installation of the package (npm install writes new files).
  const dist = distCopy(t)
  assert.match(launched(join(dist, 'imagepolicy-mc'), env), snapshotIn(cache))
  assert.equal(readdirSync(cache).filter((f) => f.endsWith('.blob')).length, 3)
})

test('the launcher runs the portable bundle, with the same output, when there is no snapshot to be had', (t) => {
  // IMAGEPOLICY_MC_SNAPSHOT=off, and NODE_OPTIONS (its V8 flags would make the snapshot refuse to load).
  for (const extra of [{ IMAGEPOLICY_MC_SNAPSHOT: 'off' }, { NODE_OPTIONS: '--max-old-space-size=512' }]) {
    const { env, cache } = withCache(t, extra)
    assert.ok(portable(launched(LAUNCHER, env)), JSON.stringify(extra))
    assert.ok(!existsSync(cache), 'nothing built')
  }
  // A cache that cannot be written (a read-only HOME, as in the Argo CD sidecar).
  const file = join(tempDir(t), 'not-a-directory')
  writeFileSync(file, '')
  const readOnly = withCache(t, { IMAGEPOLICY_MC_CACHE_DIR: join(file, 'cache') })
  assert.ok(portable(launched(LAUNCHER, readOnly.env)))
  // A build without the snapshot script (npm run build -- --no-snapshot).
  const noScript = distCopy(t)
  rmSync(join(noScript, 'imagepolicy-mc.cjs'))
  assert.ok(portable(launched(join(noScript, 'imagepolicy-mc'), withCache(t).env)))
  // A snapshot that does not run as the bundle does (here: one whose main prints
  // something else) is refused by the check, remembered as failed (not retried
  // at every run), and the bundle runs.
  const bare = distCopy(t)
  writeFileSync(join(bare, 'imagepolicy-mc.cjs'), "require('node:v8').startupSnapshot.setDeserializeMainFunction(() => process.stdout.write('wrong\\n'))\n")
  const broken = withCache(t)
  assert.ok(portable(launched(join(bare, 'imagepolicy-mc'), broken.env)))
  const left = readdirSync(broken.cache)
  assert.equal(left.length, 1, left.join(' '))
  assert.match(left[0]!, /\.blob\.failed$/)
  assert.match(readFileSync(join(broken.cache, left[0]!), 'utf8'), /imagepolicy-mc: no startup snapshot \(the snapshot does not run as the portable bundle does/)
  assert.ok(portable(launched(join(bare, 'imagepolicy-mc'), broken.env)))
  // And the fallback gives the bundle's output.
  const fallback = runProgram(join(bare, 'imagepolicy-mc'), ['--target-release', '4.19'], { input: inputs['quickstart']!, env: broken.env })
  assert.equal(fallback.code, 0, fallback.stderr)
  assert.deepEqual(fallback, runProgram(process.execPath, [BUNDLE, '--target-release', '4.19'], { input: inputs['quickstart']! }))
})

test('the launcher finds node on the absolute entries of PATH only: a node planted where a relative entry points never runs', (t) => {
  const dir = tempDir(t, 'imagepolicy-mc-planted-')
  writeFileSync(join(dir, 'node'), '#!/bin/sh\necho PLANTED\nexit 3\n', { mode: 0o755 })
  for (const path of [`.:${process.env['PATH'] ?? ''}`, `:${process.env['PATH'] ?? ''}`, `bin/../.:${process.env['PATH'] ?? ''}`]) {
    const ran = runProgram(LAUNCHER, ['--help'], { cwd: dir, env: { ...withCache(t).env, PATH: path } })
    assert.equal(ran.code, 0, `${path}: ${ran.stderr}`)
    assert.ok(!ran.stdout.includes('PLANTED') && ran.stdout.includes('imagepolicy-mc'), path)
  }
  // No absolute entry with a node: one line, exit 127 (as a shell's "command not found").
  const none = runProgram(LAUNCHER, ['--help'], { cwd: dir, env: { ...withCache(t).env, PATH: '.' } })
  assert.equal(none.code, 127)
  assert.equal(none.stderr, 'imagepolicy-mc: node (Node.js 20 or later) is not on an absolute entry of PATH\n')
})
