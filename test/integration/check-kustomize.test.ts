// `check` and `render --write-machineconfigs` on kustomizations that need
// kustomize flags, with the real `kubectl kustomize`: the ImagePolicyRenderer
// transformer (--enable-alpha-plugins, the plugin installed) and another
// kustomize flag (--kustomize-arg=--load-restrictor=...). The regenerate
// command check prints carries them and, run as printed, makes check pass.

import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { BUNDLE, exampleFor, runProgram } from './helpers.ts'
import { findExecutable } from '../../src/commands/util-path.ts'

// The tool runs standalone kustomize when it is on PATH, else kubectl's (build.ts
// kustomizeCommand); the lines it prints name the one it ran.
const KUSTOMIZE = findExecutable('kustomize', process.env['PATH']) !== undefined ? 'kustomize build' : 'kubectl kustomize'

const OVERLAY = 'overlays/prod'
const CONFIG = join(OVERLAY, 'imagepolicy-renderer.yaml')
const NAMES = '99-master-sigstore-imagepolicies, 99-worker-sigstore-imagepolicies, 99-infra-sigstore-imagepolicies'

/** A copy of examples/kustomize-overlay (its prod overlay lists the transformer), the plugin installed for kubectl. */
function setUp(t: TestContext) {
  const copy = exampleFor(t, 'kubectl', 'examples/kustomize-overlay', 'example')
  if (copy === undefined) return undefined
  const env = { ...copy.env, KUSTOMIZE_PLUGIN_HOME: join(copy.root, 'plugins') }
  const installed = runProgram(process.execPath, [BUNDLE, 'install-kustomize-plugin', '--dir', env.KUSTOMIZE_PLUGIN_HOME], { env })
  assert.equal(installed.code, 0, installed.stderr)
  const run = (args: readonly string[]) => runProgram('imagepolicy-mc', args, { cwd: copy.dir, env })
  return { dir: copy.dir, env, run }
}

/** The regenerate command check printed (its last stderr line). */
function regenerateLine(stderr: string): string {
  const m = /regenerate it with: (.*)$/m.exec(stderr)
  assert.ok(m !== null, stderr)
  return m[1]!
}

test('check/render --enable-alpha-plugins: a kustomization with the ImagePolicyRenderer transformer; without the flag, kustomize\'s refusal and a hint', (t) => {
  const s = setUp(t)
  if (s === undefined) return
  const refused = s.run(['check', OVERLAY, 'rendered', '--config', CONFIG])
  assert.equal(refused.code, 1)
  assert.equal(refused.stdout, '')
  assert.match(refused.stderr, /external plugins disabled; unable to load external plugin 'ImagePolicyRenderer'/)
  assert.match(refused.stderr, new RegExp(`^imagepolicy-mc check: \\S*${KUSTOMIZE} overlays/prod failed \\(exit status 1\\)\nhint: the kustomization lists a plugin transformer \\(such as ImagePolicyRenderer\\): give --enable-alpha-plugins`, 'm'))
  const writeRefused = s.run(['render', '--write-machineconfigs', 'rendered', OVERLAY, '--config', CONFIG])
  assert.equal(writeRefused.code, 1)
  assert.match(writeRefused.stderr, /hint: the kustomization lists a plugin transformer/)

  const wrote = s.run(['render', '--write-machineconfigs', 'rendered', OVERLAY, '--enable-alpha-plugins', '--config', CONFIG])
  assert.equal(wrote.code, 0, wrote.stderr)
  const current = s.run(['check', OVERLAY, 'rendered', '--enable-alpha-plugins', '--config', CONFIG])
  assert.equal(current.code, 0, current.stderr)
  assert.equal(current.stdout, `imagepolicy-mc check: rendered is current (3 MachineConfigs: ${NAMES})\n`)

  // A source changes: stale, and the printed command (with the flag) regenerates it.
  const policy = join(s.dir, 'teams/team-a/image-policy.yaml')
  writeFileSync(policy, readFileSync(policy, 'utf8').replace('registry.example.com/team-a', 'registry.example.com/team-a-new'))
  const stale = s.run(['check', OVERLAY, 'rendered', '--enable-alpha-plugins', '--config', CONFIG])
  assert.equal(stale.code, 1)
  assert.match(stale.stderr, /^imagepolicy-mc check: rendered\/99-worker-sigstore-imagepolicies\.yaml: MachineConfig 99-worker-sigstore-imagepolicies: stale: \/etc\/crio\/policies\/team-a\.json differs from what the sources render$/m)
  const command = regenerateLine(stale.stderr)
  assert.equal(command, `imagepolicy-mc render --write-machineconfigs rendered ${OVERLAY} --enable-alpha-plugins --config ${CONFIG}`)
  const [file, ...args] = command.split(' ')
  assert.equal(runProgram(file!, args, { cwd: s.dir, env: s.env }).code, 0)
  assert.equal(s.run(['check', OVERLAY, 'rendered', '--enable-alpha-plugins', '--config', CONFIG]).code, 0)
})

test('check --enable-alpha-plugins on a RENDERED file: the printed command pipes kustomize (build takes no kustomize flags) and, run, makes it current', (t) => {
  const s = setUp(t)
  if (s === undefined) return
  const missing = s.run(['check', OVERLAY, 'rendered.yaml', '--enable-alpha-plugins', '--config', CONFIG])
  assert.equal(missing.code, 1)
  assert.match(missing.stderr, /^imagepolicy-mc check: rendered\.yaml: missing: no such file$/m)
  const command = regenerateLine(missing.stderr)
  assert.equal(command, `${KUSTOMIZE} ${OVERLAY} --enable-alpha-plugins | imagepolicy-mc --config ${CONFIG} > rendered.yaml.new && mv rendered.yaml.new rendered.yaml`)
  const shell = runProgram('/bin/sh', ['-c', `set -e; ${command}`], { cwd: s.dir, env: s.env })
  assert.equal(shell.code, 0, shell.stderr)
  const current = s.run(['check', OVERLAY, 'rendered.yaml', '--enable-alpha-plugins', '--config', CONFIG])
  assert.equal(current.code, 0, current.stderr)
  assert.equal(current.stdout, `imagepolicy-mc check: rendered.yaml is current (3 MachineConfigs: ${NAMES})\n`)
})

test('the regenerate command for a RENDERED file leaves the committed file as it was when the run fails', (t) => {
  const s = setUp(t)
  if (s === undefined) return
  const missing = s.run(['check', OVERLAY, 'rendered.yaml', '--enable-alpha-plugins', '--config', CONFIG])
  const command = regenerateLine(missing.stderr)
  assert.equal(runProgram('/bin/sh', ['-c', command], { cwd: s.dir, env: s.env }).code, 0)
  const committed = readFileSync(join(s.dir, 'rendered.yaml'), 'utf8')
  assert.match(committed, /^kind: MachineConfig$/m)
  // A source the API server refuses: the same command now fails, and rendered.yaml is untouched.
  const policy = join(s.dir, 'base', 'release-payload.yaml')
  writeFileSync(policy, readFileSync(policy, 'utf8').replace(/scopes:\n/, 'scopes:\n  - "not a scope!"\n'))
  const failed = runProgram('/bin/sh', ['-c', command], { cwd: s.dir, env: s.env })
  assert.notEqual(failed.code, 0)
  assert.equal(readFileSync(join(s.dir, 'rendered.yaml'), 'utf8'), committed)
})

test('check/render --kustomize-arg=ARG: passed to kustomize (a kustomization that loads a file outside its directory)', (t) => {
  const s = setUp(t)
  if (s === undefined) return
  // The transformer taken out (so build-style rendering), and a resource above the overlay.
  const kustomization = join(s.dir, OVERLAY, 'kustomization.yaml')
  writeFileSync(kustomization, readFileSync(kustomization, 'utf8').replace(/^transformers:\n(- .*\n)+/m, '').replace('- mirror-registry.yaml', '- mirror-registry.yaml\n- ../../extra-namespace.yaml'))
  writeFileSync(join(s.dir, 'extra-namespace.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-c\n')
  const restricted = s.run(['render', '--write-machineconfigs', 'rendered', OVERLAY, '--config', CONFIG])
  assert.equal(restricted.code, 1)
  assert.match(restricted.stderr, /is not in or below/)
  const arg = '--kustomize-arg=--load-restrictor=LoadRestrictionsNone'
  const wrote = s.run(['render', '--write-machineconfigs', 'rendered', OVERLAY, arg, '--config', CONFIG])
  assert.equal(wrote.code, 0, wrote.stderr)
  assert.equal(s.run(['check', OVERLAY, 'rendered', arg, '--config', CONFIG]).code, 0)
  const policy = join(s.dir, 'teams/team-a/image-policy.yaml')
  writeFileSync(policy, readFileSync(policy, 'utf8').replace('registry.example.com/team-a', 'registry.example.com/team-a-new'))
  const stale = s.run(['check', OVERLAY, 'rendered', arg, '--config', CONFIG])
  assert.equal(stale.code, 1, stale.stderr)
  assert.equal(regenerateLine(stale.stderr), `imagepolicy-mc render --write-machineconfigs rendered ${OVERLAY} ${arg} --config ${CONFIG}`)
})

test('render: the kustomize flags without --write-machineconfigs are a usage error (only it runs kustomize)', (t) => {
  const s = setUp(t)
  if (s === undefined) return
  const ran = s.run(['render', 'base', '--enable-alpha-plugins'])
  assert.equal(ran.code, 2)
  assert.match(ran.stderr, /^imagepolicy-mc render: --enable-alpha-plugins and --kustomize-arg go with --write-machineconfigs/)
})

test('check/render with the transformer: options other than the transformer\'s are named (they would commit other MachineConfigs than the plugin renders)', (t) => {
  const s = setUp(t)
  if (s === undefined) return
  // The transformer's config is what it renders with: the same options, no warning.
  const same = s.run(['render', '--write-machineconfigs', 'rendered', OVERLAY, '--enable-alpha-plugins', '--config', CONFIG])
  assert.equal(same.code, 0, same.stderr)
  assert.doesNotMatch(same.stderr, /transformer/)
  // Without them the run renders for other pools and another release, and fails: the line says why.
  const none = s.run(['check', OVERLAY, 'rendered', '--enable-alpha-plugins'])
  assert.equal(none.code, 1)
  assert.match(none.stderr, /^info the sources already hold MachineConfigs imagepolicy-mc generated \(99-infra-sigstore-imagepolicies, 99-master-sigstore-imagepolicies, 99-worker-sigstore-imagepolicies\): they are rendered again with these options, which replace them; give the options it was rendered with \(for an ImagePolicyRenderer transformer in the kustomization: --config with its config file\)/m)
  assert.match(none.stderr, /^imagepolicy-mc check: rendering overlays\/prod failed: nothing compared$/m)
  // One option more: a warning per MachineConfig, with the first field that differs; check still compares.
  const other = s.run(['check', OVERLAY, 'rendered', '--enable-alpha-plugins', '--config', CONFIG, '--compress', 'always'])
  assert.equal(other.code, 1)
  for (const pool of ['infra', 'master', 'worker']) {
    assert.match(other.stderr, new RegExp(`^warning MachineConfig 99-${pool}-sigstore-imagepolicies: the sources already hold this MachineConfig, generated by imagepolicy-mc, and it differs from the one these options render \\(at spec\\.config\\.storage\\.files\\[0\\]\\.contents\\.compression\\)`, 'm'))
  }
  assert.match(other.stderr, /MachineConfig 99-worker-sigstore-imagepolicies: stale: its node files are current, but spec\.config\.storage\.files\[0\]\.contents\.compression differs/)
})
