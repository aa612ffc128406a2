// The KRM function contract (ResourceList in and out, results, kpt's
// annotations), driven for real through kpt: `kpt fn eval --exec` and
// `kpt fn render --allow-exec` on the kpt package example. kustomize's
// `--enable-exec` runs the same contract (the standalone kustomize binary cannot
// be installed here). Needs kpt (fails in CI without it, skips elsewhere).

import assert from 'node:assert/strict'
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { parse } from 'yaml'
import {
  BUNDLE,
  exampleFor,
  kindOf,
  machineConfigs,
  nameOf,
  parseStream,
  requireTool,
  runProgram,
  snapshotTree,
  withoutOrchestratorAnnotations,
} from './helpers.ts'

const EXAMPLE = 'examples/kpt-package'

function setUp(t: Parameters<typeof requireTool>[0]) {
  const example = exampleFor(t, 'kpt', EXAMPLE, 'kpt-package')
  if (example === undefined) return undefined
  const { tool: kpt, dir: pkg, env } = example
  const kptIn = (args: readonly string[], input?: string) => runProgram(kpt, args, { cwd: pkg, env, ...(input !== undefined ? { input } : {}) })
  return { kpt, pkg, env, kptIn }
}

/** The package's resources after a run, from its files (the orchestrator annotations stripped). */
function packageObjects(pkg: string): Record<string, unknown>[] {
  const files = snapshotTree(pkg)
  return Object.keys(files)
    .filter((f) => f.endsWith('.yaml') || f === 'Kptfile')
    .flatMap((f) => parseStream(files[f]!))
}

/** What the CLI renders from the package's policies, with the package's functionConfig. */
function directRender(pkg: string, args: readonly string[]): Map<string, Record<string, unknown>> {
  const out = runProgram(process.execPath, [BUNDLE, ...args, 'image-cluster.yaml', 'policies.yaml'], { cwd: pkg })
  assert.equal(out.code, 0, out.stderr)
  return machineConfigs(parseStream(out.stdout))
}

function breakPolicy(pkg: string): void {
  const file = join(pkg, 'policies.yaml')
  writeFileSync(file, readFileSync(file, 'utf8').replace(/ +publicKey:\n +keyData: .*\n/g, ''))
}

test('kpt fn render --allow-exec runs the Kptfile exec step and writes the MachineConfigs into the package', (t) => {
  const s = setUp(t)
  if (s === undefined) return
  const before = snapshotTree(s.pkg)
  const rendered = s.kptIn(['fn', 'render', '--allow-exec'])
  assert.equal(rendered.code, 0, rendered.stderr)
  assert.match(rendered.stderr, /\[PASS\] "imagepolicy-mc"/)
  const after = snapshotTree(s.pkg)
  // Inputs are untouched, byte for byte (inline comments included).
  for (const [file, text] of Object.entries(before)) assert.equal(after[file], text, file)
  const objects = packageObjects(s.pkg)
  const mcs = machineConfigs(objects)
  assert.deepEqual([...mcs.keys()], ['99-worker-sigstore-imagepolicies'])
  const want = directRender(s.pkg, ['--config', 'imagepolicy-renderer.yaml'])
  for (const [name, mc] of want) assert.deepEqual(withoutOrchestratorAnnotations(mcs.get(name)!), mc, name)
  // Every generated object went to a new file of its own kind; none was mixed into an input file.
  const newFiles = Object.keys(after).filter((f) => !(f in before))
  assert.ok(newFiles.length > 0)
  for (const f of newFiles) assert.ok(parseStream(after[f]!).every((o) => kindOf(o) === 'MachineConfig'), f)
})

test('kpt fn render is idempotent: a second run changes nothing', (t) => {
  const s = setUp(t)
  if (s === undefined) return
  assert.equal(s.kptIn(['fn', 'render', '--allow-exec']).code, 0)
  const once = snapshotTree(s.pkg)
  const again = s.kptIn(['fn', 'render', '--allow-exec'])
  assert.equal(again.code, 0, again.stderr)
  assert.deepEqual(snapshotTree(s.pkg), once)
})

test('kpt fn eval --exec with k=v arguments (a ConfigMap functionConfig): earlier MachineConfigs it does not generate again are an error until removed', (t) => {
  const s = setUp(t)
  if (s === undefined) return
  assert.equal(s.kptIn(['fn', 'render', '--allow-exec']).code, 0)
  const args = ['fn', 'eval', '--exec', 'imagepolicy-mc', '--', 'pools=master,infra', 'name=50-{pool}-signatures', 'targetRelease=4.19']
  // Issue 13: a MachineConfig with our annotation that this run does not generate
  // is never dropped silently (it may be hand-written, and Argo CD would prune it).
  const refused = s.kptIn(args)
  assert.notEqual(refused.code, 0)
  // kpt prints our results as `[error] <apiVersion>/<kind>/<name> <field>: <message>`.
  // (The package renders the worker pool only.)
  assert.match(refused.stderr, /MachineConfig\/99-worker-sigstore-imagepolicies metadata\.annotations\["imagepolicy-mc\.openshift\.io\/generated"\]: .*this run generates none of that name/)
  for (const file of readdirSync(join(s.pkg, 'machineconfigs'))) rmSync(join(s.pkg, 'machineconfigs', file))
  const evaluated = s.kptIn(args)
  assert.equal(evaluated.code, 0, evaluated.stderr)
  const mcs = machineConfigs(packageObjects(s.pkg))
  assert.deepEqual([...mcs.keys()].sort(), ['50-infra-signatures', '50-master-signatures'])
  const want = directRender(s.pkg, ['--pools', 'master,infra', '--name', '50-{pool}-signatures', '--target-release', '4.19'])
  for (const [name, mc] of want) assert.deepEqual(withoutOrchestratorAnnotations(mcs.get(name)!), mc, name)
})

test('kpt fn eval -o stdout returns a block-style ResourceList that keeps kpt annotations on passed-through items', (t) => {
  const s = setUp(t)
  if (s === undefined) return
  const out = s.kptIn(['fn', 'eval', '--exec', 'imagepolicy-mc', '--fn-config', 'imagepolicy-renderer.yaml', '-o', 'stdout'])
  assert.equal(out.code, 0, out.stderr)
  assert.doesNotMatch(out.stdout, /^\s*[{[]/m, 'block style, not JSON flow style')
  const list = parse(out.stdout) as { kind: string; items: Record<string, unknown>[] }
  assert.equal(list.kind, 'ResourceList')
  const policy = list.items.find((o) => kindOf(o) === 'ImagePolicy')!
  const annotations = (policy['metadata'] as { annotations: Record<string, string> }).annotations
  assert.equal(annotations['internal.config.kubernetes.io/path'], 'policies.yaml')
  assert.equal(nameOf(policy), 'team-a/team-a-images')
  // Generated items name the file kpt writes them to; a legacy twin must agree (kpt refuses a mismatch).
  const generated = list.items.filter((o) => kindOf(o) === 'MachineConfig')
  assert.ok(generated.length > 0)
  for (const mc of generated) {
    const a = (mc['metadata'] as { annotations: Record<string, string> }).annotations
    assert.match(a['internal.config.kubernetes.io/path'] ?? '', /\.yaml$/, nameOf(mc))
    if (a['config.kubernetes.io/path'] !== undefined) assert.equal(a['config.kubernetes.io/path'], a['internal.config.kubernetes.io/path'])
  }
})

test('kpt fn eval reads a kustomize stream on stdin (kubectl kustomize DIR | kpt fn eval - --exec ...)', (t) => {
  const s = setUp(t)
  if (s === undefined) return
  const kubectl = requireTool(t, 'kubectl')
  if (kubectl === undefined) return
  writeFileSync(join(s.pkg, 'kustomization.yaml'), 'resources:\n- image-cluster.yaml\n- policies.yaml\n')
  const stream = runProgram(kubectl, ['kustomize', '.'], { cwd: s.pkg, env: s.env })
  assert.equal(stream.code, 0, stream.stderr)
  const out = s.kptIn(['fn', 'eval', '-', '--exec', 'imagepolicy-mc', '-o', 'unwrap', '--', 'pools=worker', 'targetRelease=4.19'], stream.stdout)
  assert.equal(out.code, 0, out.stderr)
  assert.deepEqual(
    parseStream(out.stdout).map((o) => `${kindOf(o)} ${nameOf(o)}`),
    ['Namespace team-a', 'ClusterImagePolicy release-payload', 'Image cluster', 'ImagePolicy team-a/team-a-images', 'MachineConfig 99-worker-sigstore-imagepolicies'],
  )
})

for (const mode of ['eval', 'render'] as const) {
  test(`a broken policy fails kpt fn ${mode} with an error result and leaves the package unchanged`, (t) => {
    const s = setUp(t)
    if (s === undefined) return
    breakPolicy(s.pkg)
    const before = snapshotTree(s.pkg)
    const resultsDir = join(s.pkg, '..', 'results')
    const args = mode === 'eval'
      ? ['fn', 'eval', '--exec', 'imagepolicy-mc', '--fn-config', 'imagepolicy-renderer.yaml', '--results-dir', resultsDir]
      : ['fn', 'render', '--allow-exec', '--results-dir', resultsDir]
    const out = s.kptIn(args)
    assert.equal(out.code, 1, out.stderr)
    assert.match(out.stderr, /\[FAIL\] "imagepolicy-mc"/)
    assert.match(out.stderr, /\[error\] config\.openshift\.io\/v1\/ImagePolicy\/team-a\/team-a-images spec\.policy\.rootOfTrust\S*: .*publicKey/)
    assert.match(out.stderr, /Exit code: 1/)
    assert.deepEqual(snapshotTree(s.pkg), before)
    const results = parse(readFileSync(join(resultsDir, 'results.yaml'), 'utf8')) as { items: { exitCode: number; results: { severity: string; resourceRef: unknown; field: { path: string } }[] }[] }
    const item = results.items[0]!
    assert.equal(item.exitCode, 1)
    const errors = item.results.filter((r) => r.severity === 'error')
    assert.deepEqual(errors.map((r) => r.resourceRef), [
      { apiVersion: 'config.openshift.io/v1', kind: 'ClusterImagePolicy', name: 'release-payload' },
      { apiVersion: 'config.openshift.io/v1', kind: 'ImagePolicy', name: 'team-a-images', namespace: 'team-a' },
    ])
    for (const e of errors) assert.match(e.field.path, /^spec\.policy\.rootOfTrust/)
  })
}

// kpt puts comments back onto items by their id annotation; an item whose head
// comment we had moved would get it twice. Needs write.ts to keep item text as is.
test('kpt keeps the head comment of a passed-through item once, not twice', (t) => {
  const s = setUp(t)
  if (s === undefined) return
  const file = join(s.pkg, 'policies.yaml')
  writeFileSync(file, `# head comment of the first document\n${readFileSync(file, 'utf8')}`)
  const before = readFileSync(file, 'utf8')
  assert.equal(s.kptIn(['fn', 'render', '--allow-exec']).code, 0)
  assert.equal(readFileSync(file, 'utf8'), before)
})
