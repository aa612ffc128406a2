// kustomize's legacy exec plugin, driven for real through `kubectl kustomize
// --enable-alpha-plugins` (kustomize v5 inside kubectl): the plugin that
// `imagepolicy-mc install-kustomize-plugin` writes, on the multi-namespace
// overlay example. Needs kubectl (fails in CI without it, skips elsewhere).

import assert from 'node:assert/strict'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { PLUGIN_RELATIVE_PATH } from '../../src/commands/install-kustomize-plugin.ts'
import { BUNDLE, exampleFor, kindsAndNames, machineConfigs, nodeFiles, OVERLAY_OBJECTS, parseStream, requireTool, runProgram } from './helpers.ts'

const EXAMPLE = 'examples/kustomize-overlay'
const OVERLAY = 'overlays/prod'

/** A copy of the example, the plugin installed into a fresh plugin home, and the env kubectl runs with. */
function setUp(t: Parameters<typeof requireTool>[0]) {
  const copy = exampleFor(t, 'kubectl', EXAMPLE, 'example')
  if (copy === undefined) return undefined
  const { tool: kubectl, root, dir: example } = copy
  const pluginHome = join(root, 'plugins')
  const env = { ...copy.env, KUSTOMIZE_PLUGIN_HOME: pluginHome }
  const installed = runProgram(process.execPath, [BUNDLE, 'install-kustomize-plugin', '--dir', pluginHome], { env })
  assert.equal(installed.code, 0, installed.stderr)
  return { kubectl, example, env, pluginHome }
}

test('install-kustomize-plugin writes an executable where kustomize looks for it', (t) => {
  const s = setUp(t)
  if (s === undefined) return
  const plugin = join(s.pluginHome, PLUGIN_RELATIVE_PATH)
  assert.equal(PLUGIN_RELATIVE_PATH, 'imagepolicy-mc/v1alpha1/imagepolicyrenderer/ImagePolicyRenderer')
  assert.ok(existsSync(plugin))
  assert.equal(statSync(plugin).mode & 0o777, 0o755)
  assert.match(readFileSync(plugin, 'utf8'), /^#!\/bin\/sh\n/)
})

test('kubectl kustomize --enable-alpha-plugins renders the overlay: bases, namespaces and patches included', (t) => {
  const s = setUp(t)
  if (s === undefined) return
  const built = runProgram(s.kubectl, ['kustomize', '--enable-alpha-plugins', OVERLAY], { cwd: s.example, env: s.env })
  assert.equal(built.code, 0, built.stderr)
  const objects = parseStream(built.stdout)
  assert.deepEqual(kindsAndNames(objects), OVERLAY_OBJECTS)
  const mcs = machineConfigs(objects)
  for (const [name, mc] of mcs) {
    const pool = /^99-(.*)-sigstore-imagepolicies$/.exec(name)![1]
    assert.deepEqual((mc['metadata'] as { labels: unknown }).labels, { 'machineconfiguration.openshift.io/role': pool })
    // kustomize strips its own id annotation from what the plugin returned.
    const annotations = Object.keys((mc['metadata'] as { annotations: object }).annotations)
    assert.ok(annotations.includes('imagepolicy-mc.openshift.io/generated'))
    assert.deepEqual(annotations.filter((a) => /kubernetes\.io\/|k8s\.io\//.test(a)), [])
  }
  const files = nodeFiles(mcs.get('99-worker-sigstore-imagepolicies')!)
  assert.deepEqual([...files.keys()], [
    '/etc/containers/policy.json',
    '/etc/containers/registries.d/sigstore-registries.yaml',
    '/etc/crio/policies/team-a.json',
    '/etc/crio/policies/team-b.json',
  ])
  // The overlay's patch ran before the transformer: team-b's added scope is in team-b's policy.
  const teamB = JSON.parse(files.get('/etc/crio/policies/team-b.json')!) as { transports: { docker: Record<string, unknown> } }
  assert.ok('registry.example.com/team-b-batch' in teamB.transports.docker)
  // The namespace transformer ran too: the policies are per namespace.
  assert.ok(!('registry.example.com/team-b' in (JSON.parse(files.get('/etc/crio/policies/team-a.json')!) as typeof teamB).transports.docker))
})

test('the plugin renders exactly what imagepolicy-mc renders from the same resources', (t) => {
  const s = setUp(t)
  if (s === undefined) return
  const withPlugin = runProgram(s.kubectl, ['kustomize', '--enable-alpha-plugins', OVERLAY], { cwd: s.example, env: s.env })
  assert.equal(withPlugin.code, 0, withPlugin.stderr)
  // The same overlay without the transformer, piped through the CLI with the transformer's config.
  const kustomization = join(s.example, OVERLAY, 'kustomization.yaml')
  writeFileSync(kustomization, readFileSync(kustomization, 'utf8').replace(/^transformers:\n(- .*\n)+/m, ''))
  const plain = runProgram(s.kubectl, ['kustomize', OVERLAY], { cwd: s.example, env: s.env })
  assert.equal(plain.code, 0, plain.stderr)
  const direct = runProgram(process.execPath, [BUNDLE, '--config', join(OVERLAY, 'imagepolicy-renderer.yaml')], { cwd: s.example, input: plain.stdout })
  assert.equal(direct.code, 0, direct.stderr)
  const a = machineConfigs(parseStream(withPlugin.stdout))
  const b = machineConfigs(parseStream(direct.stdout))
  assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort())
  for (const [name, mc] of b) assert.deepEqual(a.get(name), mc, name)
})

test('a broken policy fails the kustomize build with our message and nothing on stdout', (t) => {
  const s = setUp(t)
  if (s === undefined) return
  const policy = join(s.example, 'teams/team-b/image-policy.yaml')
  writeFileSync(policy, readFileSync(policy, 'utf8').replace(/ +publicKey:\n +keyData: .*\n/, ''))
  const built = runProgram(s.kubectl, ['kustomize', '--enable-alpha-plugins', OVERLAY], { cwd: s.example, env: s.env })
  assert.equal(built.code, 1)
  assert.equal(built.stdout, '')
  assert.match(built.stderr, /\terror ImagePolicy team-b\/team-b-images spec\.policy\.rootOfTrust\S*: .*publicKey/)
  assert.match(built.stderr, /failure in plugin configured via .*; exit status 1/)
})

test('without --enable-alpha-plugins kustomize refuses the transformer', (t) => {
  const s = setUp(t)
  if (s === undefined) return
  const built = runProgram(s.kubectl, ['kustomize', OVERLAY], { cwd: s.example, env: s.env })
  assert.notEqual(built.code, 0)
  assert.equal(built.stdout, '')
  assert.match(built.stderr, /external plugins disabled; unable to load external plugin 'ImagePolicyRenderer'/)
})

test('imagepolicy-mc build runs kubectl kustomize, then renders, and fails when kustomize fails', (t) => {
  const s = setUp(t)
  if (s === undefined) return
  // build renders itself: the overlay without the transformer.
  const kustomization = join(s.example, OVERLAY, 'kustomization.yaml')
  writeFileSync(kustomization, readFileSync(kustomization, 'utf8').replace(/^transformers:\n(- .*\n)+/m, ''))
  const env = { PATH: s.env.PATH, HOME: s.env.HOME }
  const built = runProgram('imagepolicy-mc', ['build', OVERLAY, '--pools', 'worker', '--target-release', '4.19'], { cwd: s.example, env })
  assert.equal(built.code, 0, built.stderr)
  assert.deepEqual([...machineConfigs(parseStream(built.stdout)).keys()], ['99-worker-sigstore-imagepolicies'])

  const missing = runProgram('imagepolicy-mc', ['build', 'teams'], { cwd: s.example, env })
  assert.equal(missing.code, 1)
  assert.equal(missing.stdout, '')
  assert.match(missing.stderr, /unable to find one of 'kustomization\.yaml'/)
  assert.match(missing.stderr, /imagepolicy-mc build: .*kubectl kustomize teams failed \(exit status 1\)/)
})
