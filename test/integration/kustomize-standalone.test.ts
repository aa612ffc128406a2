// The standalone kustomize binary (Debian 13's kustomize 5.6, installed off
// PATH by .ci/install-images.sh) running imagepolicy-mc as a KRM exec function:
// `kustomize build --enable-alpha-plugins --enable-exec` on the
// multi-namespace overlay example, its transformer config given the
// `config.kubernetes.io/function: {exec: {path: imagepolicy-mc}}` annotation
// (README "kustomize"). This is the ResourceList path kubectl kustomize cannot
// run (it has no --enable-exec). Also `imagepolicy-mc build` with this
// kustomize on PATH, which is what the Argo CD sidecar runs.
// Needs the standalone kustomize (fails in CI without it, skips elsewhere).

import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { BUNDLE, exampleFor, kindOf, kindsAndNames, machineConfigs, OVERLAY_OBJECTS, parseStream, requireStandaloneKustomize, runProgram } from './helpers.ts'

const EXAMPLE = 'examples/kustomize-overlay'
const OVERLAY = 'overlays/prod'
const CONFIG = join(OVERLAY, 'imagepolicy-renderer.yaml')

/** The example with its transformer config turned into a KRM exec function, and the kustomize to run. */
function setUp(t: TestContext) {
  const kustomize = requireStandaloneKustomize(t)
  if (kustomize === undefined) return undefined
  const copy = exampleFor(t, 'kubectl', EXAMPLE, 'example')
  if (copy === undefined) return undefined
  const config = join(copy.dir, CONFIG)
  const text = readFileSync(config, 'utf8')
  assert.match(text, /^metadata:\n {2}name: render-machineconfigs\n/m)
  writeFileSync(config, text.replace(/^metadata:\n {2}name: render-machineconfigs\n/m, 'metadata:\n  name: render-machineconfigs\n  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: imagepolicy-mc\n'))
  const env = { ...copy.env, PATH: `${copy.env.PATH}:${dirname(kustomize)}` }
  const build = (args: string[]) => runProgram(kustomize, ['build', ...args], { cwd: copy.dir, env })
  return { kustomize, dir: copy.dir, env, build }
}

test('Debian 13 kustomize is 5.6 with the exec function flags', (t) => {
  const kustomize = requireStandaloneKustomize(t)
  if (kustomize === undefined) return
  // Debian builds it without a version stamp (`kustomize version` prints "(devel)"); the package version sits beside it.
  assert.match(readFileSync(`${kustomize}.debian-version`, 'utf8'), /^5\.6\./)
  const help = runProgram(kustomize, ['build', '--help'])
  assert.equal(help.code, 0, help.stderr)
  assert.match(help.stdout, /--enable-exec/)
  assert.match(help.stdout, /--enable-alpha-plugins/)
})

test('kustomize build --enable-alpha-plugins --enable-exec runs the KRM exec function on the overlay', (t) => {
  const s = setUp(t)
  if (s === undefined) return
  const built = s.build(['--enable-alpha-plugins', '--enable-exec', OVERLAY])
  assert.equal(built.code, 0, built.stderr)
  const objects = parseStream(built.stdout)
  assert.deepEqual(kindsAndNames(objects), OVERLAY_OBJECTS)
  // kustomize strips its build annotations and drops the local-config functionConfig.
  assert.doesNotMatch(built.stdout, /config\.kubernetes\.io\/(index|path|id)|kustomize\.config\.k8s\.io\/id|ImagePolicyRenderer/)
  // The same MachineConfigs as the CLI renders from the overlay built without the transformer.
  const kustomization = join(s.dir, OVERLAY, 'kustomization.yaml')
  writeFileSync(kustomization, readFileSync(kustomization, 'utf8').replace(/^transformers:\n(- .*\n)+/m, ''))
  const plain = s.build([OVERLAY])
  assert.equal(plain.code, 0, plain.stderr)
  const direct = runProgram(process.execPath, [BUNDLE, '--config', CONFIG], { cwd: s.dir, input: plain.stdout })
  assert.equal(direct.code, 0, direct.stderr)
  const want = machineConfigs(parseStream(direct.stdout))
  const got = machineConfigs(objects)
  assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort())
  for (const [name, mc] of want) assert.deepEqual(got.get(name), mc, name)
})

test('a broken policy fails the exec function build with our message and nothing on stdout', (t) => {
  const s = setUp(t)
  if (s === undefined) return
  const policy = join(s.dir, 'teams/team-b/image-policy.yaml')
  writeFileSync(policy, readFileSync(policy, 'utf8').replace(/ +publicKey:\n +keyData: .*\n/, ''))
  const built = s.build(['--enable-alpha-plugins', '--enable-exec', OVERLAY])
  assert.equal(built.code, 1)
  assert.equal(built.stdout, '')
  assert.match(built.stderr, /^error ImagePolicy team-b\/team-b-images spec\.policy\.rootOfTrust\S*: .*publicKey/m)
  assert.match(built.stderr, /couldn't execute function/)
})

// The hazard README "kustomize" warns about: kustomize 5.6 skips an exec
// function silently without --enable-exec (exit 0, no MachineConfigs), as
// kubectl kustomize always does. With Argo CD's prune that would delete them.
test('without --enable-exec the standalone kustomize silently skips the exec function', (t) => {
  const s = setUp(t)
  if (s === undefined) return
  const built = s.build(['--enable-alpha-plugins', OVERLAY])
  assert.equal(built.code, 0, built.stderr)
  const kinds = parseStream(built.stdout).map(kindOf)
  assert.ok(kinds.includes('ImagePolicy'))
  assert.ok(!kinds.includes('MachineConfig'))
})

test('imagepolicy-mc build uses the standalone kustomize on PATH and fails when it fails', (t) => {
  const s = setUp(t)
  if (s === undefined) return
  const kustomization = join(s.dir, OVERLAY, 'kustomization.yaml')
  writeFileSync(kustomization, readFileSync(kustomization, 'utf8').replace(/^transformers:\n(- .*\n)+/m, ''))
  // kustomize first on PATH, as in the sidecar image.
  const env = { ...s.env, PATH: `${dirname(s.kustomize)}:${s.env.PATH}` }
  const built = runProgram('imagepolicy-mc', ['build', OVERLAY, '--pools', 'worker', '--target-release', '4.19'], { cwd: s.dir, env })
  assert.equal(built.code, 0, built.stderr)
  assert.deepEqual([...machineConfigs(parseStream(built.stdout)).keys()], ['99-worker-sigstore-imagepolicies'])
  const missing = runProgram('imagepolicy-mc', ['build', 'teams'], { cwd: s.dir, env })
  assert.equal(missing.code, 1)
  assert.equal(missing.stdout, '')
  assert.match(missing.stderr, new RegExp(`imagepolicy-mc build: ${s.kustomize.replace(/[.]/g, '\\.')} build teams failed \\(exit status 1\\)`))
})
