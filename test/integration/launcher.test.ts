// The launcher (dist/imagepolicy-mc, the package's bin): it starts Node.js from
// the startup snapshot that `npm run build` made, and gives exactly what the
// portable bundle gives; it falls back to the bundle whenever the snapshot
// cannot load (README "Performance").

import assert from 'node:assert/strict'
import { chmodSync, copyFileSync, mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import test, { type TestContext } from 'node:test'
import { asResourceList } from '../../src/warm-up.ts'
import { BUNDLE, runProgram, tempDir } from './helpers.ts'

const LAUNCHER = resolve('dist/imagepolicy-mc')
const BLOB = resolve('dist/imagepolicy-mc.blob')

/** A copy of dist/ (launcher, bundle, and the blob unless `blob: false`). */
function distCopy(t: TestContext, { blob = true } = {}): string {
  const dir = join(tempDir(t, 'imagepolicy-mc-dist-'), 'dist')
  mkdirSync(dir)
  for (const f of ['imagepolicy-mc', 'imagepolicy-mc.js', ...(blob ? ['imagepolicy-mc.blob'] : [])]) copyFileSync(resolve('dist', f), join(dir, f))
  return dir
}

/** The command the launcher execs, from `sh -x`'s trace. */
function launched(launcher: string, env: NodeJS.ProcessEnv = process.env): string {
  const ran = runProgram('/bin/sh', ['-x', launcher, '--help'], { env })
  assert.equal(ran.code, 0, ran.stderr)
  const exec = ran.stderr.split('\n').filter((l) => /^\+ exec /.test(l))
  assert.equal(exec.length, 1, ran.stderr)
  return exec[0]!
}

const inputs: Record<string, string> = {
  quickstart: readFileSync('examples/quickstart/policies.yaml', 'utf8'),
  'kpt package': ['image-cluster.yaml', 'policies.yaml'].map((f) => readFileSync(join('examples/kpt-package', f), 'utf8')).join('---\n'),
  'invalid policy': 'apiVersion: config.openshift.io/v1\nkind: ClusterImagePolicy\nmetadata:\n  name: bad\nspec:\n  scopes: ["Not A Scope"]\n',
  empty: '',
}

test('the launcher and the portable bundle give the same stdout, stderr and exit code', () => {
  const runs: [string, string[], string][] = []
  for (const [name, text] of Object.entries(inputs)) {
    runs.push([`${name} (stream)`, ['--target-release', '4.19'], text])
    runs.push([`${name} (ResourceList)`, ['--target-release', '4.19'], asResourceList(text)])
    runs.push([`${name} --strict --pools worker`, ['--strict', '--pools', 'worker', '--target-release', '4.19'], text])
    runs.push([`${name} (the newest release)`, [], text])
  }
  runs.push(['a file argument', ['examples/quickstart/policies.yaml'], ''])
  runs.push(['--help', ['--help'], ''])
  runs.push(['a usage error', ['--validate', 'sometimes'], ''])
  runs.push(['a subcommand', ['explain', '--help'], ''])
  const codes = new Set<number | null>()
  for (const [name, args, input] of runs) {
    const fast = runProgram(LAUNCHER, args, { input })
    const portable = runProgram(process.execPath, [BUNDLE, ...args], { input })
    assert.deepEqual(fast, portable, name)
    codes.add(fast.code)
  }
  assert.deepEqual([...codes].sort(), [0, 1, 2], 'the runs cover success, bad input and usage errors')
})

test('the launcher starts from the snapshot, also through a symlink as npm installs bins', (t) => {
  assert.match(launched(LAUNCHER), new RegExp(`--snapshot-blob ${BLOB} ${BUNDLE} --help$`))
  const bin = tempDir(t, 'imagepolicy-mc-npm-bin-')
  symlinkSync(LAUNCHER, join(bin, 'imagepolicy-mc'))
  assert.match(launched(join(bin, 'imagepolicy-mc')), /--snapshot-blob \S+\/dist\/imagepolicy-mc\.blob \S+\/dist\/imagepolicy-mc\.js --help$/)
  const ran = runProgram(join(bin, 'imagepolicy-mc'), ['--target-release', '4.19'], { input: inputs['quickstart']! })
  assert.equal(ran.code, 0, ran.stderr)
  assert.match(ran.stdout, /kind: MachineConfig/)
})

test('the launcher falls back to the portable bundle when the snapshot cannot load', (t) => {
  const portable = (line: string) => /^\+ exec node \S+\/imagepolicy-mc\.js --help$/.test(line)
  // No snapshot at all (a build with --no-snapshot).
  assert.ok(portable(launched(join(distCopy(t, { blob: false }), 'imagepolicy-mc'))))
  // A Node.js replaced after the snapshot was built (the snapshot would be refused).
  const stale = distCopy(t)
  utimesSync(join(stale, 'imagepolicy-mc.blob'), new Date(0), new Date(0))
  assert.ok(portable(launched(join(stale, 'imagepolicy-mc'))))
  // A Node.js upgraded in place by a package manager keeps the package's (older) mtime:
  // the launcher goes by the binary's ctime, which no installer can set back.
  const replaced = distCopy(t)
  const node = join(replaced, '..', 'node')
  copyFileSync(process.execPath, node)
  chmodSync(node, 0o755)
  utimesSync(node, new Date(0), new Date(0)) // mtime 1970, ctime now
  const script = join(replaced, 'imagepolicy-mc')
  writeFileSync(script, readFileSync(script, 'utf8').replace(/^node=.*$/m, `node='${node}'`))
  const blob = join(replaced, 'imagepolicy-mc.blob')
  utimesSync(blob, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000))
  assert.ok(portable(launched(script)), 'a binary replaced after the snapshot was built')
  utimesSync(blob, new Date(Date.now() + 3_600_000), new Date(Date.now() + 3_600_000))
  assert.match(launched(script), /--snapshot-blob /, 'the control: the same binary, installed before the snapshot')
  // NODE_OPTIONS may carry V8 flags, which a snapshot refuses.
  assert.ok(portable(launched(LAUNCHER, { ...process.env, NODE_OPTIONS: '--max-old-space-size=512' })))
  // And the fallback works: the same output as the bundle.
  const fallback = runProgram(join(stale, 'imagepolicy-mc'), ['--target-release', '4.19'], { input: inputs['quickstart']! })
  assert.deepEqual(fallback, runProgram(process.execPath, [BUNDLE, '--target-release', '4.19'], { input: inputs['quickstart']! }))
})
