// examples/flux (issue 18 part 2), with the real kubectl: the committed output
// is current (check exits 0) and is what the tool writes; `kubectl kustomize`
// of the path the Flux Kustomization applies builds the same MachineConfigs as
// `imagepolicy-mc build` of the sources; the pre-commit hook and the example CI
// workflow run a valid `check` (run for real on a copy of the example), which
// fails once a source changes.

import assert from 'node:assert/strict'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, normalize } from 'node:path'
import { test, type TestContext } from 'node:test'
import { parse } from 'yaml'
import { binDir, copyTree, machineConfigs, parseStream, pathWith, requireTool, runProgram, tempDir } from './helpers.ts'

const EXAMPLE = join('examples', 'flux')
const CONFIG = join(EXAMPLE, 'imagepolicy-renderer.yaml')

/** A copy of the example at <root>/examples/flux (the paths the hook and workflow name), and the env to run in it. */
function copy(t: TestContext): { root: string; env: NodeJS.ProcessEnv } {
  const root = tempDir(t, 'imagepolicy-mc-flux-')
  copyTree(EXAMPLE, join(root, EXAMPLE))
  return { root, env: { PATH: pathWith(binDir(t)), HOME: root, LC_ALL: 'C' } }
}

test('examples/flux: check exits 0 on the committed output', (t) => {
  if (requireTool(t, 'kubectl') === undefined) return
  const { root, env } = copy(t)
  const ran = runProgram('imagepolicy-mc', ['check', join(EXAMPLE, 'sources'), join(EXAMPLE, 'rendered'), '--config', CONFIG], { cwd: root, env })
  assert.equal(ran.code, 0, ran.stderr)
  assert.equal(ran.stdout, `imagepolicy-mc check: ${join(EXAMPLE, 'rendered')} is current (2 MachineConfigs: 99-master-sigstore-imagepolicies, 99-worker-sigstore-imagepolicies)\n`)
  assert.equal(ran.stderr, '')
})

test('examples/flux: the committed output is what render --write-machineconfigs writes, byte for byte', (t) => {
  if (requireTool(t, 'kubectl') === undefined) return
  const { root, env } = copy(t)
  const out = join(root, 'fresh')
  const ran = runProgram('imagepolicy-mc', ['render', '--write-machineconfigs', out, join(EXAMPLE, 'sources'), '--config', CONFIG], { cwd: root, env })
  assert.equal(ran.code, 0, ran.stderr)
  const committed = join(EXAMPLE, 'rendered')
  assert.deepEqual(readdirSync(out).sort(), readdirSync(committed).sort())
  for (const f of readdirSync(committed)) assert.equal(readFileSync(join(out, f), 'utf8'), readFileSync(join(committed, f), 'utf8'), f)
})

test('examples/flux: the Flux Kustomization applies only the output, and kubectl kustomize of it builds the MachineConfigs build renders', (t) => {
  if (requireTool(t, 'kubectl') === undefined) return
  const { root, env } = copy(t)
  const flux = parse(readFileSync(join(EXAMPLE, 'clusters', 'production', 'imagepolicy-machineconfigs.yaml'), 'utf8')) as Record<string, any>
  assert.equal(flux['apiVersion'], 'kustomize.toolkit.fluxcd.io/v1')
  assert.equal(flux['kind'], 'Kustomization')
  assert.equal(flux['spec']['prune'], true)
  assert.equal(flux['spec']['sourceRef']['kind'], 'GitRepository')
  // The path is from the repository root, as Flux reads it.
  assert.equal(normalize(flux['spec']['path']), join(EXAMPLE, 'rendered'))
  const built = runProgram('kubectl', ['kustomize', flux['spec']['path']], { cwd: root, env })
  assert.equal(built.code, 0, built.stderr)
  const applied = parseStream(built.stdout)
  assert.deepEqual(applied.map((o) => o['kind']), ['MachineConfig', 'MachineConfig'], 'only the MachineConfigs')
  const rendered = runProgram('imagepolicy-mc', ['build', join(EXAMPLE, 'sources'), '--config', CONFIG], { cwd: root, env })
  assert.equal(rendered.code, 0, rendered.stderr)
  const expected = machineConfigs(parseStream(rendered.stdout))
  assert.deepEqual([...machineConfigs(applied).keys()], [...expected.keys()])
  for (const [name, mc] of machineConfigs(applied)) assert.deepEqual(mc, expected.get(name), name)
})

/** The words of a command line as a shell would split it (plain words only: the examples use no quoting). */
function words(line: string): string[] {
  assert.doesNotMatch(line, /["'$`\\|;&<>]/, `plain words only: ${line}`)
  return line.trim().split(/\s+/)
}

test('.pre-commit-hooks.yaml: the hook runs check; with the example config\'s args it passes on the example and fails when a source changes', (t) => {
  if (requireTool(t, 'kubectl') === undefined) return
  const hooks = parse(readFileSync('.pre-commit-hooks.yaml', 'utf8')) as Record<string, any>[]
  const hook = hooks.find((h) => h['id'] === 'imagepolicy-mc-check')
  assert.ok(hook !== undefined, 'hook imagepolicy-mc-check')
  assert.deepEqual(words(hook['entry']), ['imagepolicy-mc', 'check'])
  assert.equal(hook['language'], 'system', 'imagepolicy-mc on PATH (the package is built from source)')
  assert.equal(hook['pass_filenames'], false, 'check takes SOURCES and RENDERED, not the changed files')
  const files = new RegExp(hook['files'])
  for (const f of ['examples/flux/sources/policies.yaml', 'examples/flux/rendered/kustomization.yaml']) assert.match(f, files)
  const config = parse(readFileSync(join(EXAMPLE, 'ci', 'pre-commit-config.yaml'), 'utf8')) as Record<string, any>
  const used = (config['repos'] as Record<string, any>[]).flatMap((r) => r['hooks'] as Record<string, any>[]).find((h) => h['id'] === hook['id'])
  assert.ok(used !== undefined, 'the example config uses the hook')
  const [file, ...args] = [...words(hook['entry']), ...(used['args'] as string[])]
  const { root, env } = copy(t)
  const ran = runProgram(file!, args, { cwd: root, env })
  assert.equal(ran.code, 0, ran.stderr)
  assert.match(ran.stdout, /is current \(2 MachineConfigs/)
  const image = join(root, EXAMPLE, 'sources', 'image-cluster.yaml')
  writeFileSync(image, readFileSync(image, 'utf8').replace('untrusted.example.com', 'untrusted.example.net'))
  const stale = runProgram(file!, args, { cwd: root, env })
  assert.equal(stale.code, 1)
  assert.match(stale.stderr, /^imagepolicy-mc check: examples\/flux\/rendered\/99-worker-sigstore-imagepolicies\.yaml: MachineConfig 99-worker-sigstore-imagepolicies: stale: \/etc\/containers\/policy\.json differs from what the sources render$/m)
  assert.match(stale.stderr, /regenerate it with: imagepolicy-mc render --write-machineconfigs examples\/flux\/rendered examples\/flux\/sources --config examples\/flux\/imagepolicy-renderer\.yaml$/m)
})

test('examples/flux/ci: the workflow\'s check step is a valid invocation that passes on the example', (t) => {
  if (requireTool(t, 'kubectl') === undefined) return
  const workflow = parse(readFileSync(join(EXAMPLE, 'ci', 'check-machineconfigs.yaml'), 'utf8')) as Record<string, any>
  assert.ok(workflow['on']['pull_request'] !== undefined, 'runs on pull requests')
  const steps = Object.values(workflow['jobs'] as Record<string, any>).flatMap((j) => j['steps'] as Record<string, any>[])
  assert.ok(steps.some((s) => String(s['uses']).startsWith('actions/checkout@')), 'checks the repository out')
  const checks = steps.filter((s) => typeof s['run'] === 'string' && /\bimagepolicy-mc check\b/.test(s['run']))
  assert.equal(checks.length, 1)
  const { root, env } = copy(t)
  const [file, ...args] = words(checks[0]!['run'])
  assert.equal(file, 'imagepolicy-mc')
  const ran = runProgram(file!, args, { cwd: root, env })
  assert.equal(ran.code, 0, ran.stderr)
  assert.match(ran.stdout, /^imagepolicy-mc check: examples\/flux\/rendered is current /)
})
