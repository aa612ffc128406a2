// Fail closed (issue 13, "Silent weakening"): inputs that used to weaken
// enforcement with exit 0 (a policy in a version we do not serve, no pools, a
// document we cannot parse, a hand-written MachineConfig with our annotation,
// gaps in PARAM_POOLS_<i>) are errors now, one line each; existing ResourceList
// results are kept. Through the CLI in-process.

import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { parse, parseAllDocuments } from 'yaml'
import { readEnvOptions } from '../src/commands/build.ts'
import { asResourceList } from '../src/warm-up.ts'
import { runCli as runCliAnyRelease } from './run-cli.ts'

/** The CLI for release 4.19, which ships no ClusterImagePolicy of its own (these tests are not about that rule). */
function runCli(args: readonly string[], input: string) {
  return runCliAnyRelease(['--target-release', '4.19', ...args], input)
}

const KEY = Buffer.from(readFileSync('test/fixtures/validation/keys/ec-p256.pub.pem', 'utf8'), 'utf8').toString('base64')

function policy(kind: string, apiVersion = 'config.openshift.io/v1', name = 'p1'): string {
  const namespace = kind.toLowerCase() === 'imagepolicy' ? '  namespace: team-a\n' : ''
  return `apiVersion: ${apiVersion}
kind: ${kind}
metadata:
  name: ${name}
${namespace}spec:
  scopes:
  - registry.example.com/app
  policy:
    rootOfTrust:
      policyType: PublicKey
      publicKey:
        keyData: ${KEY}
`
}

const CIP = policy('ClusterImagePolicy', 'config.openshift.io/v1', 'cluster-policy')
const IMAGE = 'apiVersion: config.openshift.io/v1\nkind: Image\nmetadata:\n  name: cluster\nspec: {}\n'
const DEPLOYMENT = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: team-a\nspec:\n  replicas: 1\n'

function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('error '))
}

function kinds(stdout: string): string[] {
  return parseAllDocuments(stdout).map((d) => String((d.toJS() as { kind?: unknown } | null)?.kind))
}

async function refused(args: readonly string[], input: string): Promise<string[]> {
  const out = await runCli(args, input)
  assert.equal(out.code, 1, `exit 1 expected; stderr:\n${out.stderr}`)
  assert.equal(out.stdout, '', 'nothing on stdout')
  const lines = errorLines(out.stderr)
  assert.ok(lines.length > 0, out.stderr)
  return lines
}

// ---------------------------------------------------------------------------
// 1. Our kinds in versions we do not serve, or spelled with another case.

test('an ImagePolicy or ClusterImagePolicy in a version we do not serve is an error naming the versions we accept', async () => {
  for (const [kind, apiVersion] of [
    ['ClusterImagePolicy', 'config.openshift.io/v2'],
    ['ImagePolicy', 'config.openshift.io/v1beta1'],
    ['ClusterImagePolicy', 'config.openshift.io'],
    ['ImagePolicy', 'Config.OpenShift.io/v1'],
  ] as const) {
    const lines = await refused([], `${CIP}---\n${policy(kind, apiVersion)}`)
    assert.deepEqual(lines.length, 1, lines.join('\n'))
    assert.match(lines[0]!, new RegExp(`^error ${kind} (team-a/)?p1 apiVersion: `), lines[0])
    assert.ok(lines[0]!.includes(JSON.stringify(apiVersion)), lines[0])
    assert.ok(lines[0]!.includes('config.openshift.io/v1, config.openshift.io/v1alpha1'), lines[0])
  }
})

test('our kinds spelled with another case under config.openshift.io are errors naming the kind we serve', async () => {
  for (const [kind, want] of [
    ['Imagepolicy', 'ImagePolicy'],
    ['clusterimagepolicy', 'ClusterImagePolicy'],
    ['CLUSTERIMAGEPOLICY', 'ClusterImagePolicy'],
  ] as const) {
    const lines = await refused([], `${CIP}---\n${policy(kind)}`)
    assert.equal(lines.length, 1, lines.join('\n'))
    assert.match(lines[0]!, new RegExp(`^error ${kind} (team-a/)?p1 kind: .*${want}`), lines[0])
  }
})

test('the Image config and mirror sets in versions we do not serve, or another case, are errors too', async () => {
  const cases = [
    ['config.openshift.io/v1beta1', 'Image', 'cluster', /^error Image cluster apiVersion: .*config\.openshift\.io\/v1\b/],
    ['config.openshift.io/v1', 'image', 'cluster', /^error image cluster kind: .*"Image"/],
    ['config.openshift.io/v1alpha1', 'ImageDigestMirrorSet', 'm', /^error ImageDigestMirrorSet m apiVersion: /],
    ['config.openshift.io/v1', 'ImageTagMirrorset', 'm', /^error ImageTagMirrorset m kind: .*"ImageTagMirrorSet"/],
    ['operator.openshift.io/v1', 'ImageContentSourcePolicy', 'm', /^error ImageContentSourcePolicy m apiVersion: .*operator\.openshift\.io\/v1alpha1/],
  ] as const
  for (const [apiVersion, kind, name, want] of cases) {
    const lines = await refused([], `${CIP}---\napiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec: {}\n`)
    assert.equal(lines.length, 1, lines.join('\n'))
    assert.match(lines[0]!, want)
  }
})

test('a near miss of our kinds inside a List, or as a ResourceList item, is an error as well', async () => {
  const list = `apiVersion: v1\nkind: List\nitems:\n- apiVersion: config.openshift.io/v2\n  kind: ClusterImagePolicy\n  metadata:\n    name: in-list\n  spec: {}\n`
  const lines = await refused([], `${CIP}---\n${list}`)
  assert.match(lines[0]!, /^error ClusterImagePolicy in-list apiVersion: /)
  const out = await runCli([], asResourceList(`${CIP}---\n${policy('ClusterImagePolicy', 'config.openshift.io/v2', 'p2')}`))
  assert.equal(out.code, 1)
  assert.match(out.stderr, /^error ClusterImagePolicy p2 apiVersion: /m)
})

test('same-named kinds of other groups still pass through untouched', async () => {
  const sigstore = 'apiVersion: policy.sigstore.dev/v1beta1\nkind: ClusterImagePolicy\nmetadata:\n  name: sigstore\nspec:\n  images:\n  - glob: "**"\n'
  const image = 'apiVersion: image.openshift.io/v1\nkind: Image\nmetadata:\n  name: sha256:abc\n'
  const input = `${CIP}---\n${sigstore}---\n${image}`
  const out = await runCli([], input)
  assert.equal(out.code, 0, out.stderr)
  assert.ok(out.stdout.startsWith(input), 'passed through byte for byte')
})

// ---------------------------------------------------------------------------
// 2. No pools.

test('no pools is an error, on every path: flags, --config, functionConfig', async () => {
  for (const args of [['--pools', ''], ['--pools', ','], ['--pools=', '--strict'], ['--pools', ' , '], ['--pools=,,']]) {
    const lines = await refused(args, CIP)
    assert.ok(lines.some((l) => /at least one pool/.test(l)), `${args.join(' ')}: ${lines.join('\n')}`)
  }
  const dir = mkdtempSync(join(tmpdir(), 'imagepolicy-mc-pools-'))
  try {
    for (const spec of ['pools: []', 'pools: ""', 'pools: ","']) {
      const config = join(dir, 'config.yaml')
      writeFileSync(config, `apiVersion: imagepolicy-mc/v1alpha1\nkind: ImagePolicyRenderer\nspec:\n  ${spec}\n`)
      const lines = await refused(['--config', config], CIP)
      assert.ok(lines.some((l) => /at least one pool/.test(l)), `${spec}: ${lines.join('\n')}`)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  for (const functionConfig of [
    'functionConfig:\n  apiVersion: imagepolicy-mc/v1alpha1\n  kind: ImagePolicyRenderer\n  spec:\n    pools: []\n',
    'functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  data:\n    pools: ""\n',
  ]) {
    const out = await runCli([], asResourceList(CIP) + functionConfig)
    assert.equal(out.code, 1, functionConfig)
    assert.match(out.stderr, /at least one pool/)
    assert.ok(!/kind: MachineConfig/.test(out.stdout), 'no MachineConfigs')
  }
})

test('a value flag given twice is a usage error, not silently the default (pools, name, --config, target-release)', async () => {
  // yargs hands a repeated string flag over as an array; read as "not set", it
  // rendered the default pools (master, worker) for `--pools infra --pools infra`.
  for (const args of [
    ['--pools', 'infra', '--pools', 'infra'],
    ['--pools=infra', '--pools='],
    ['--name', 'a-{pool}', '--name', 'b-{pool}'],
    ['--config', 'a.yaml', '--config', 'b.yaml'],
    ['--target-release', '4.19'],
    ['--validate', 'ignore', '--validate', 'ignore'],
  ]) {
    for (const command of [[], ['render']]) {
      const out = await runCli([...command, ...args], CIP)
      assert.equal(out.code, 2, `${[...command, ...args].join(' ')}: ${out.stderr}`)
      assert.equal(out.stdout, '')
      assert.match(out.stderr, /given more than once/)
    }
  }
})

test('no pools from the Argo CD environment is an error, as from a flag', () => {
  for (const env of [{ PARAM_POOLS: '' }, { PARAM_POOLS: ',' }, { PARAM_POOLS: ' ' }, { ARGOCD_ENV_POOLS: '' }, { ARGOCD_ENV_POOLS: ', ,' }]) {
    const read = readEnvOptions(env)
    assert.ok(read.errors.some((e) => /at least one pool/.test(e)), `${JSON.stringify(env)}: ${read.errors.join('\n')}`)
  }
})

// ---------------------------------------------------------------------------
// 3. A document we cannot parse.

test('one of our kinds without an apiVersion (or a core one) is an error too', async () => {
  // The issue's example is valid YAML (`apiVersio[n` is a plain key): a ClusterImagePolicy without apiVersion.
  for (const doc of ['apiVersio[n: x\nkind: ClusterImagePolicy\n', 'kind: ClusterImagePolicy\nmetadata:\n  name: p1\n', 'apiVersion: v1\nkind: ImagePolicy\nmetadata:\n  name: p1\n']) {
    const lines = await refused([], `${CIP}---\n${doc}`)
    assert.equal(lines.length, 1, lines.join('\n'))
    assert.match(lines[0]!, /^error (Cluster)?ImagePolicy \S* ?apiVersion: (Required value|Unsupported value: "v1"): imagepolicy-mc reads /)
  }
})

test('a document that is not valid YAML is an error, whatever kind its header names', async () => {
  const lines = await refused([], `${CIP}---\napiVersio[n: x\nkind: ClusterImagePolicy\n  a: b\n`)
  assert.match(lines.join('\n'), /invalid YAML/)
  // Broken beyond a header the line scan reads: the resource is named.
  for (const body of ['spec:\n  a: b: c\n', 'spec:\n  a: 1\n  a: 2\n', 'spec:\n    a: 1\n  b: 2\n', 'spec:\n  x: |\n      a\n    b\n']) {
    const lines = await refused([], `${CIP}---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n${body}`)
    assert.equal(lines.length, 1, `${body}: ${lines.join('\n')}`)
    assert.match(lines[0]!, /^error Deployment web: invalid YAML: .* \(<stdin>#1\)$/, body)
  }
  // Where the header cannot be read either, the document's place names it.
  for (const body of ['spec:\n  replicas: [1\n', 'spec:\n  x: "open\n']) {
    const lines = await refused([], `${CIP}---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n${body}`)
    assert.equal(lines.length, 1, `${body}: ${lines.join('\n')}`)
    assert.match(lines[0]!, /^error invalid YAML: .* \(<stdin>#1\)$/, body)
  }
})

test('a ResourceList item that is not valid YAML is an error; the list comes back unchanged with the result', async () => {
  // Broken past the lines the scans read (the header, the item's layout).
  const input = asResourceList(`${CIP}---\n${DEPLOYMENT}  template:\n    a: b: c\n`)
  const out = await runCli([], input)
  assert.equal(out.code, 1)
  assert.match(out.stderr, /^error .*invalid YAML/m)
  assert.ok(!/kind: MachineConfig/.test(out.stdout), 'no MachineConfigs')
})

// ---------------------------------------------------------------------------
// 5. MachineConfigs with our annotation in the input.

function generatedMachineConfig(name: string, pool = 'worker'): string {
  return `apiVersion: machineconfiguration.openshift.io/v1
kind: MachineConfig
metadata:
  name: ${name}
  labels:
    machineconfiguration.openshift.io/role: ${pool}
  annotations:
    imagepolicy-mc.openshift.io/generated: "true"
spec:
  config:
    ignition:
      version: 3.4.0
`
}

test('a MachineConfig with our annotation that this run regenerates is replaced', async () => {
  const out = await runCli([], `${CIP}---\n${generatedMachineConfig('99-worker-sigstore-imagepolicies')}`)
  assert.equal(out.code, 0, out.stderr)
  assert.deepEqual(kinds(out.stdout), ['ClusterImagePolicy', 'MachineConfig', 'MachineConfig'])
})

test('any other MachineConfig with our annotation is an error naming it', async () => {
  for (const name of ['99-worker-handwritten', '99-worker-sigstore-imagepolicies-2', '99-infra-sigstore-imagepolicies']) {
    const lines = await refused([], `${CIP}---\n${generatedMachineConfig(name)}`)
    assert.equal(lines.length, 1, lines.join('\n'))
    assert.match(lines[0]!, new RegExp(`^error MachineConfig ${name} metadata\\.annotations\\["imagepolicy-mc\\.openshift\\.io/generated"\\]: `))
  }
  // With --pools infra, the infra one is ours again.
  const out = await runCli(['--pools', 'infra'], `${CIP}---\n${generatedMachineConfig('99-infra-sigstore-imagepolicies', 'infra')}`)
  assert.equal(out.code, 0, out.stderr)
  assert.deepEqual(kinds(out.stdout), ['ClusterImagePolicy', 'MachineConfig'])
})

test('a MachineConfig without our annotation that has the name this run generates is an error, not a second object of that name', async () => {
  const handWritten = generatedMachineConfig('99-worker-sigstore-imagepolicies').replace(/  annotations:\n.*\n/, '')
  const list = `apiVersion: v1\nkind: List\nitems:\n${handWritten.replace(/^/gm, '  ').replace(/^  (?=apiVersion)/, '- ')}`
  for (const input of [`${CIP}---\n${handWritten}`, `${CIP}---\n${list}`, asResourceList(`${CIP}---\n${handWritten}`)]) {
    const out = await runCli([], input)
    assert.equal(out.code, 1, out.stderr)
    const errors = out.stderr.split('\n').filter((l) => l.startsWith('error '))
    assert.equal(errors.length, 1, out.stderr)
    assert.match(errors[0]!, /^error MachineConfig 99-worker-sigstore-imagepolicies metadata\.name: has the name of a MachineConfig this run generates/)
    assert.ok(!/data:text\/plain/.test(out.stdout), `no MachineConfig generated: ${out.stdout}`)
  }
  // Under another name it is someone else's and passes through.
  const out = await runCli([], `${CIP}---\n${handWritten.replace('name: 99-worker-sigstore-imagepolicies', 'name: 50-worker-mine')}`)
  assert.equal(out.code, 0, out.stderr)
  assert.deepEqual(kinds(out.stdout), ['ClusterImagePolicy', 'MachineConfig', 'MachineConfig', 'MachineConfig'])
})

test('a MachineConfig with our annotation inside a List is replaced when regenerated (not duplicated), else an error', async () => {
  const list = (mc: string) => `apiVersion: v1\nkind: List\nitems:\n${mc.replace(/^/gm, '  ').replace(/^  (?=apiVersion)/, '- ')}`
  const out = await runCli([], `${CIP}---\n${list(generatedMachineConfig('99-worker-sigstore-imagepolicies'))}`)
  assert.equal(out.code, 0, out.stderr)
  const values = parseAllDocuments(out.stdout).map((d) => d.toJS() as Record<string, unknown>)
  const names = values.flatMap((v) => (v['kind'] === 'List' ? (v['items'] as Record<string, unknown>[]) : [v])).filter((v) => v['kind'] === 'MachineConfig').map((v) => (v['metadata'] as { name: string }).name)
  assert.deepEqual(names.sort(), ['99-master-sigstore-imagepolicies', '99-worker-sigstore-imagepolicies'], 'one MachineConfig per pool, none duplicated')
  const lines = await refused([], `${CIP}---\n${list(generatedMachineConfig('99-worker-handwritten'))}`)
  assert.match(lines[0]!, /^error MachineConfig 99-worker-handwritten /)
})

// ---------------------------------------------------------------------------
// 6. PARAM_POOLS_<i> gaps; existing ResourceList results.

test('a gap in PARAM_POOLS_<i> is an error naming the missing parameter', () => {
  const read = readEnvOptions({ PARAM_POOLS_0: 'master', PARAM_POOLS_2: 'infra' })
  assert.equal(read.errors.length, 1, read.errors.join('\n'))
  assert.match(read.errors[0]!, /PARAM_POOLS_1/)
  // Starting past 0 too.
  assert.match(readEnvOptions({ PARAM_POOLS_1: 'worker' }).errors.join('\n'), /PARAM_POOLS_0/)
  // Without a gap, as before.
  assert.deepEqual(readEnvOptions({ PARAM_POOLS_0: 'a', PARAM_POOLS_1: 'b' }), { value: { pools: ['a', 'b'] }, errors: [] })
})

test('an array parameter given two ways, or with items Argo CD never writes, is an error, not half read', () => {
  // PARAM_POOLS_0 used to win silently over PARAM_POOLS: master's MachineConfig would be pruned.
  assert.match(readEnvOptions({ PARAM_POOLS: 'master,worker', PARAM_POOLS_0: 'worker' }).errors.join('\n'), /PARAM_POOLS and PARAM_POOLS_0… are both set/)
  assert.match(readEnvOptions({ PARAM_POOLS_0: 'worker', PARAM_POOLS_01: 'master' }).errors.join('\n'), /PARAM_POOLS_01: not an item of the array parameter PARAM_POOLS/)
  assert.match(readEnvOptions({ PARAM_POOLS_infra: 'infra' }).errors.join('\n'), /PARAM_POOLS_infra: not an item/)
  assert.deepEqual(readEnvOptions({ PARAM_POOLS: 'master,infra' }).value, { pools: ['master', 'infra'] })
})

test('results already in a ResourceList are kept, ours appended (layout and parsed writers)', async () => {
  const earlier = 'results:\n- message: from an earlier function\n  severity: info\n'
  // Block layout (read by its lines) and a layout the line scan leaves to the parser (an anchor in the envelope).
  for (const envelope of ['', 'functionConfig: &fc\n  apiVersion: v1\n  kind: ConfigMap\n  data: {}\n']) {
    const base = asResourceList(`${CIP}---\n${IMAGE}`) + envelope
    const quiet = await runCli([], base + earlier)
    assert.equal(quiet.code, 0, quiet.stderr)
    const q = parse(quiet.stdout) as { results?: { message: string }[] }
    assert.deepEqual(q.results?.map((r) => r.message), ['from an earlier function'], `kept (${envelope === '' ? 'layout' : 'parsed'})`)
    // A run with a result of its own: the earlier one first, ours after it.
    const loud = await runCli(['--name', '10-{pool}-x'], base + earlier)
    assert.equal(loud.code, 0, loud.stderr)
    const l = parse(loud.stdout) as { results?: { message: string }[] }
    assert.equal(l.results?.[0]?.message, 'from an earlier function')
    assert.ok((l.results?.length ?? 0) > 1, 'ours appended')
    assert.ok(l.results!.slice(1).some((r) => /sorts before MCO/.test(r.message)), JSON.stringify(l.results))
  }
})

// ---------------------------------------------------------------------------
// 4. Characters go-yaml reads otherwise (the real kustomize on them: integration/kustomize-reading.test.ts).

test('U+2028, U+2029 and U+0085 anywhere, and a byte order mark past the start of an input, are refused with one line each', async () => {
  for (const [c, name] of [['\u2028', 'U+2028'], ['\u2029', 'U+2029'], ['\u0085', 'U+0085'], ['\uFEFF', 'U+FEFF']] as const) {
    for (const input of [`${CIP}---\n${DEPLOYMENT}  note: "a${c}b"\n`, `${CIP}---\n# x${c}${DEPLOYMENT}`, `${CIP.replace('name: cluster-policy', `name: cluster-policy # ${c}`)}`]) {
      const lines = await refused([], input)
      assert.equal(lines.length, 1, lines.join('\n'))
      assert.match(lines[0]!, new RegExp(`^error ${name.replace('+', '\\+')} \\(.*\\) at line \\d+, column \\d+: .*\\(<stdin>#\\d\\)$`))
    }
    // In a ResourceList too: the list comes back with the result.
    const out = await runCli([], asResourceList(`${CIP}---\n${DEPLOYMENT}`).replace('name: web', `name: web # ${c}`))
    assert.equal(out.code, 1)
    assert.match(out.stderr, new RegExp(`^error ${name.replace('+', '\\+')} `, 'm'))
  }
})

test('a byte order mark that starts an input (each file of several) is read as before', async () => {
  const { run } = await import('../src/run.ts')
  const out = run({ inputs: [{ text: `\uFEFF${CIP}`, path: 'a.yaml' }, { text: `\uFEFF${IMAGE}`, path: 'b.yaml' }], flags: { targetRelease: '4.19' } })
  assert.equal(out.exitCode, 0, JSON.stringify(out.issues))
  assert.ok(out.output.startsWith(`\uFEFF${CIP}`))
})

test('in a ResourceList: a MachineConfig item with our annotation is replaced when regenerated, else an error; results of a JSON list are kept too', async () => {
  const regenerated = await runCli([], asResourceList(`${CIP}---\n${IMAGE}---\n${generatedMachineConfig('99-worker-sigstore-imagepolicies')}`))
  assert.equal(regenerated.code, 0, regenerated.stderr)
  const list = parse(regenerated.stdout) as { items: { kind: string; metadata: { name: string } }[] }
  assert.deepEqual(list.items.filter((i) => i.kind === 'MachineConfig').map((i) => i.metadata.name), ['99-master-sigstore-imagepolicies', '99-worker-sigstore-imagepolicies'])
  const handwritten = await runCli([], asResourceList(`${CIP}---\n${generatedMachineConfig('99-worker-handwritten')}`))
  assert.equal(handwritten.code, 1)
  assert.match(handwritten.stderr, /^error MachineConfig 99-worker-handwritten metadata\.annotations\["imagepolicy-mc\.openshift\.io\/generated"\]: /m)
  // A JSON (flow) ResourceList, written back as block YAML: its results kept, ours after them.
  const json = JSON.stringify({
    apiVersion: 'config.kubernetes.io/v1',
    kind: 'ResourceList',
    items: parseAllDocuments(`${CIP}---\n${IMAGE}`).map((d) => d.toJS()),
    results: [{ message: 'from an earlier function', severity: 'info' }],
  })
  const out = await runCli(['--name', '10-{pool}-x'], json)
  assert.equal(out.code, 0, out.stderr)
  const results = (parse(out.stdout) as { results: { message: string }[] }).results
  assert.equal(results[0]!.message, 'from an earlier function')
  assert.ok(results.slice(1).some((r) => /sorts before MCO/.test(r.message)), JSON.stringify(results))
})

test('a document that is not a Kubernetes object is an error: a scalar, a sequence, a mapping without kind', async () => {
  // An upstream producer's error text is a YAML mapping or scalar: it must not count as a resource.
  for (const [doc, want] of [
    ['Error from server: boom\n', /^error kind: Required value: a Kubernetes object needs a kind \(kustomize refuses it: missing kind\) \(<stdin>#1\)$/],
    ['just some text\n', /^error not a Kubernetes object: the document is a string \("just some text"\), not a mapping with apiVersion and kind .*\(<stdin>#1\)$/],
    ['- a\n- b\n', /^error not a Kubernetes object: the document is a sequence, /],
    ['42\n', /^error not a Kubernetes object: the document is a number \("42"\)/],
    ['apiVersion: v1\nmetadata:\n  name: a\n', /^error kind: Required value: a Kubernetes object needs a kind/],
  ] as const) {
    const lines = await refused([], `${CIP}---\n${doc}`)
    assert.equal(lines.length, 1, lines.join('\n'))
    assert.match(lines[0]!, want)
  }
  // Alone, it would have been the only "resource": the empty-input guard must still see nothing.
  assert.match((await refused([], 'Error from server (NotFound): the server could not find the requested resource\n'))[0]!, /needs a kind/)
})

test('a List whose items is not a sequence is an error: the policy in it would go unrendered', async () => {
  const hidden = `apiVersion: v1\nkind: List\nmetadata:\n  name: wrapped\nitems:\n  a:\n${CIP.replace(/^/gm, '    ').trimEnd()}\n`
  const lines = await refused([], `${IMAGE}---\n${hidden}`)
  assert.deepEqual(lines, ['error List wrapped items: Invalid value: List items must be a sequence of objects; we cannot read the resources in it (<stdin>#1)'])
  // The same inside a ResourceList.
  const out = await runCli([], asResourceList(`${IMAGE}---\n${hidden}`))
  assert.equal(out.code, 1)
  assert.match(out.stderr, /List wrapped items: Invalid value/)
})

test('empty documents ({}, [], nothing) are not resources and not errors', async () => {
  const out = await runCli([], `${CIP}---\n{}\n---\n[]\n---\n# only a comment\n`)
  assert.equal(out.code, 0, out.stderr)
  // And they do not count as resources for the empty-input guard.
  assert.match((await refused([], '{}\n---\n[]\n'))[0]!, /no resources in the input/)
})

test('bounded reading: a document the full parser would need gigabytes for, and a stream of too many documents, are one error line each', async () => {
  // Two million flow items (4 MB) took 10 s and 2 GB in the yaml package, and 15 MB aborted the process.
  const flow = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata: {x: [${Array.from({ length: 600_000 }, () => '1').join(',')}]}\n`
  const big = await refused([], `${CIP}---\n${flow}`)
  assert.equal(big.length, 1, big.join('\n'))
  assert.match(big[0]!, /^error document too large to check: about 600\d{3} YAML nodes \(\d+ characters\) outside the block style the line scan reads; the full parser takes at most 500000 per document/)
  // Anchors send block-style documents to the full parser too.
  const anchored = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: &x {a: b}\ndata:\n${'- ab\n'.repeat(600_000)}`
  assert.match((await refused([], `${CIP}---\n${anchored}`))[0]!, /document too large to check/)
  const many = await refused([], `${CIP}${'---\n'.repeat(200_001)}`)
  assert.deepEqual(many, ['error too many documents: 200002 in the input, the most read in one run is 200000; split the input'])
})
