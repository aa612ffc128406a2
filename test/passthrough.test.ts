// Nothing lost: every resource we do not own passes through unchanged.
//
// The corpus under test/fixtures/passthrough/ holds real-world-shaped manifests.
// Each file is run as a plain stream (the output must start with the input, byte
// for byte, then only our MachineConfigs) and wrapped as the items of a
// ResourceList (the items must mean the same under YAML 1.1, as Kubernetes reads
// them, and keep their source text: `0644`, `yes`, `~`, big integers, comments).

import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { isCollection, isMap, parseAllDocuments, parseDocument, visit } from 'yaml'
import { readValue, resourcesOf, splitDocuments, type StreamDocument } from '../src/io/read.ts'
import { LEGACY_PATH_ANNOTATION, PATH_ANNOTATION, writeStream } from '../src/io/write.ts'
import { main } from '../src/cli/main.ts'
import { run, type RunInput } from '../src/run.ts'
import { runCli } from './run-cli.ts'
import { asResourceList } from '../src/warm-up.ts'

const ROOT = 'test/fixtures/passthrough'
const corpus = readdirSync(ROOT)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((name) => ({ name, text: readFileSync(join(ROOT, name), 'utf8') }))

const eolOf = (text: string): string => (text.includes('\r\n') ? '\r\n' : '\n')
const GENERATED = 'imagepolicy-mc.openshift.io/generated'

function runOk(input: RunInput): string {
  // 4.19: a release without a ClusterImagePolicy of its own, so that policy.json needs none (test/release-policy.test.ts).
  const out = run({ ...input, flags: { targetRelease: '4.19', ...input.flags } })
  const errors = out.issues.filter((i) => i.severity === 'error')
  assert.deepEqual(errors, [], 'no errors')
  assert.equal(out.exitCode, 0)
  return out.output
}

// ---------------------------------------------------------------------------
// YAML 1.1 semantic reading for comparisons: big integers as BigInt, timestamps
// as Dates, !!binary as bytes, keys as they are (Map), aliases and merges resolved.

function semanticDocs(text: string): unknown[] {
  return parseAllDocuments(text, { version: '1.1', intAsBigInt: true, uniqueKeys: false, prettyErrors: false })
    .map((doc) => {
      assert.deepEqual(doc.errors, [], 'the text parses')
      return doc.toJS({ mapAsMap: true, maxAliasCount: -1 }) as unknown
    })
    .filter((v) => v !== null && v !== undefined)
}

function semanticItems(text: string): unknown[] {
  const [list] = semanticDocs(text)
  assert.ok(list instanceof Map, 'a ResourceList')
  const items = list.get('items')
  assert.ok(Array.isArray(items), 'with items')
  return items
}

function get(value: unknown, ...path: string[]): unknown {
  let v = value
  for (const key of path) v = v instanceof Map ? v.get(key) : undefined
  return v
}

// ---------------------------------------------------------------------------
// Source forms that must survive, per corpus file (the ResourceList check).

const FORMS: Readonly<Record<string, readonly string[]>> = {
  'anchors-merge.yaml': ['labels: &labels', '<<: *container', '<<: [*container, {args: [--schedule, "0 3 * * *"]}]', 'storage: &size 10Gi'],
  'bom.yaml': ['enabled: on', 'greeting: "héllo"'],
  'comments-and-markers.yaml': ['name: team-a # inline', '# a comment between keys, indented', '# a comment at column 0 inside the document', 'dashes: "---"'],
  'configmap-scripts.yaml': [
    'literal.sh: |',
    '# not a comment: part of the script',
    'strip.txt: |-',
    'keep.txt: |+',
    'folded.txt: >',
    'folded-strip.txt: >-',
    'folded-keep.txt: >+',
    'indented.py: |2',
    'indicator-first.txt: |4-',
    'hash: value # comment, not content',
  ],
  'crd-big-integers.yaml': [
    'default: 12345678901234567890',
    'maximum: 18446744073709551615',
    'minimum: -9223372036854775808',
    'default: 0xFFFFFFFFFFFFFFFF',
    'default: 1.50',
    'default: .inf',
    'default: 1_000_000',
    'default: yes',
    'default: 12:30',
    'default: 2001-12-14 21:59:43.10 -5',
    'default: ~',
  ],
  'crlf.yaml': ['mode: 0644\r\n', 'name: windows # comment\r\n'],
  'deployment-octal-modes.yaml': ['defaultMode: 0644', 'mode: 0400', 'revisionHistoryLimit: 010', 'runAsNonRoot: yes', 'fsGroup: 0x7D0', 'value: "yes"', 'value: "~"', 'optional: no'],
  'json-flow.yaml': ['"12345678901234567890"', ': 12345678901234567890', 'mode: 0644', 'on: yes', 'nothing: ~', 'when: 2001-12-14', "quoted: 'it''s'", 'b: !!binary aGk=', 'labels: &l', 'copy: *l'],
  'list-kinds.yaml': ['targetPort: 8080   # a comment inside a List item', 'mode: 0644'],
  'own-kinds-status.yaml': ['# the payload', 'lastTransitionTime: 2024-05-01T10:00:05Z', 'resourceVersion: "123456789"'],
  'scalars.yaml': [
    'ints: [0, -0, +12, 0644, 0o644, 0b1010, 0x1F, 1_000, 12345678901234567890, -12345678901234567890]',
    'yes: boolean key in YAML 1.1',
    '~: null key',
    '0644: octal key',
    'iso8601: 2001-12-14t21:59:43.10-05:00',
    'base60: 190:20:30',
    "'single.quoted': 'v'",
  ],
  'secret-binary.yaml': ['tls.key: !!binary |', 'pin: 0123', 'tagged-string: !!str 0644', 'empty.bin: !!binary ""'],
}

test('every corpus file has source forms to check, and the corpus keeps its bytes (no CRLF or BOM normalization)', () => {
  assert.deepEqual(corpus.map((c) => c.name).filter((n) => FORMS[n] === undefined), [])
  const byName = new Map(corpus.map((c) => [c.name, c.text]))
  assert.ok(byName.get('crlf.yaml')?.includes('\r\n'), 'crlf.yaml has CRLF line endings')
  assert.ok(byName.get('bom.yaml')?.startsWith('\uFEFF'), 'bom.yaml starts with a BOM')
  assert.ok(!byName.get('comments-and-markers.yaml')?.endsWith('\n'), 'comments-and-markers.yaml has no final newline')
  for (const { name, text } of corpus) for (const form of FORMS[name] ?? []) assert.ok(text.includes(form), `${name} contains ${JSON.stringify(form)}`)
})

// ---------------------------------------------------------------------------
// Plain stream: byte for byte.

for (const { name, text } of corpus) {
  test(`plain stream: ${name} comes out byte for byte, then only MachineConfigs`, () => {
    assert.equal(splitDocuments(text).join(''), text, 'splitting loses nothing')
    const output = runOk({ inputs: [{ text, path: name }] })
    const expected = text.endsWith('\n') ? text : text + eolOf(text)
    assert.equal(output.slice(0, expected.length), expected)
    const rest = output.slice(expected.length)
    assert.match(rest, /^---\r?\n/)
    const generated = semanticDocs(rest)
    assert.ok(generated.length > 0)
    for (const mc of generated) {
      assert.equal(get(mc, 'kind'), 'MachineConfig')
      assert.equal(get(mc, 'metadata', 'annotations', PATH_ANNOTATION), undefined, 'no kpt path annotation in a plain stream')
    }
    assert.equal(runOk({ inputs: [{ text: output, path: name }] }), output, 'a second run gives the same output')
  })
}

test('plain stream through the CLI: every corpus file comes out byte for byte', async () => {
  for (const { name, text } of corpus) {
    const result = await runCli(['--target-release', '4.19'], text)
    assert.equal(result.code, 0, `${name}: ${result.stderr}`)
    const expected = text.endsWith('\n') ? text : text + eolOf(text)
    assert.equal(result.stdout.slice(0, expected.length), expected, name)
  }
})

test(
  'plain stream through the CLI byte path: a BOM survives',
  async () => {
    const text = corpus.find((c) => c.name === 'bom.yaml')!.text
    let stdout = ''
    await main([], { readStdin: async () => new TextEncoder().encode(text), stdout: { write: (s: string) => (stdout += s) }, stderr: { write: () => true } })
    assert.ok(stdout.startsWith(text))
  },
)

// ---------------------------------------------------------------------------
// ResourceList: each corpus document becomes an item.

const CONTENT = /^[ \t]*[^#\s]/

/** A corpus file's documents as block-style ResourceList item texts (`  - ` entries), comments kept. */
function blockItems(text: string): string[] {
  const items: string[] = []
  for (const chunk of splitDocuments(text.replace(/^\uFEFF/, ''))) {
    const lines = chunk.split('\n')
    if (lines.at(-1) === '') lines.pop()
    const body = lines
      .filter((l) => !l.startsWith('%') && !/^\.\.\.(?:[ \t]|\r?$)/.test(l))
      .map((l) => l.replace(/^---(?:[ \t]+|(?=\r?$))/, ''))
      .filter((l, i, all) => !(l === '' && i === 0 && all.length > 1) && l !== '\r')
    const first = body.findIndex((l) => CONTENT.test(l))
    if (first === -1) continue
    const head = body.slice(0, first).map((l) => (l.trim() === '' ? l : `  ${l}`))
    const rest = body.slice(first + 1).map((l) => (l.replace(/\r$/, '') === '' ? l : `    ${l}`))
    items.push([...head, `  - ${body[first]}`, ...rest].map((l) => `${l}\n`).join(''))
  }
  return items
}

function resourceList(items: readonly string[], eol: string, flow = false): string {
  if (flow) {
    return `{"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList",${eol} "items": [${eol}${items.join(`,${eol}`)}${eol}],${eol} "functionConfig": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "fn"}, "data": {"pools": "worker"}}}${eol}`
  }
  const body = items.join('')
  return (
    `apiVersion: config.kubernetes.io/v1${eol}kind: ResourceList${eol}items:${eol}${body}` +
    `# functionConfig follows${eol}functionConfig:${eol}  apiVersion: v1${eol}  kind: ConfigMap${eol}  metadata:${eol}    name: fn${eol}  data:${eol}    pools: worker${eol}`
  )
}

function assertGeneratedForKpt(items: readonly unknown[]): void {
  assert.ok(items.length > 0)
  for (const mc of items) {
    assert.equal(get(mc, 'kind'), 'MachineConfig')
    const name = get(mc, 'metadata', 'name')
    assert.equal(get(mc, 'metadata', 'annotations', PATH_ANNOTATION), `machineconfigs/${String(name)}.yaml`)
    assert.equal(get(mc, 'metadata', 'annotations', LEGACY_PATH_ANNOTATION), `machineconfigs/${String(name)}.yaml`, 'legacy path equals the internal one')
  }
}

/** Every collection in the output is block style, except empty `{}` and `[]`. */
function assertBlockStyle(output: string): void {
  const doc = parseDocument(output, { version: '1.1' })
  assert.ok(isMap(doc.contents) && !doc.contents.flow, 'the ResourceList is a block map')
  visit(doc, {
    Node(_, node) {
      if (isCollection(node) && node.flow) assert.equal(node.items.length, 0, `flow collection left in the output: ${String(node)}`)
    },
  })
}

for (const { name, text } of corpus) {
  test(`ResourceList (block): ${name} items keep their meaning and their source text`, () => {
    const eol = eolOf(text)
    const items = blockItems(text)
    const input = resourceList(items, eol)
    const output = runOk({ inputs: [{ text: input }] })
    const inItems = semanticItems(input)
    const outItems = semanticItems(output)
    assert.deepStrictEqual(outItems.slice(0, inItems.length), inItems, 'YAML 1.1 values of the items')
    assertGeneratedForKpt(outItems.slice(inItems.length))
    for (const item of items) {
      if (/^ {2}- [{[]/m.test(item)) continue // a flow-style item is laid out anew (checked below by value and forms)
      assert.ok(output.includes(item), `item kept byte for byte:\n${item}`)
    }
    for (const form of FORMS[name] ?? []) assert.ok(output.includes(form), `${JSON.stringify(form)} kept`)
    assert.ok(output.includes(`# functionConfig follows${eol}functionConfig:`), 'comments between envelope keys kept')
    assert.equal(runOk({ inputs: [{ text: output }] }), output, 'a second run gives the same output')
  })
}

test('ResourceList (flow/JSON): json-flow.yaml comes back block-style with the same values and scalar forms', () => {
  const text = corpus.find((c) => c.name === 'json-flow.yaml')!.text
  const docs = splitDocuments(text).map((d) => d.replace(/^---\r?\n/, '').trimEnd())
  const input = resourceList(docs, '\n', true)
  const output = runOk({ inputs: [{ text: input }] })
  assertBlockStyle(output)
  const inItems = semanticItems(input)
  const outItems = semanticItems(output)
  assert.deepStrictEqual(outItems.slice(0, inItems.length), inItems)
  assertGeneratedForKpt(outItems.slice(inItems.length))
  for (const form of FORMS['json-flow.yaml']!) assert.ok(output.includes(form), `${JSON.stringify(form)} kept`)
  assert.ok(output.includes('config.k8s.io/id: "3"'), 'id annotation kept')
  assert.equal(get(semanticDocs(output)[0], 'functionConfig', 'data', 'pools'), 'worker')
  assert.equal(runOk({ inputs: [{ text: output }] }), output, 'a second run gives the same output')
})

test('ResourceList (JSON, one line): block output, values unchanged, BOM and CRLF kept', () => {
  const cm = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","annotations":{"config.k8s.io/id":"1","internal.config.kubernetes.io/id":"1"}},"data":{"n":"0644","big":12345678901234567890,"nested":[[1,2],{"x":null}],"empty":{},"list":[]}}'
  const input = `\uFEFF{"apiVersion":"config.kubernetes.io/v1","kind":"ResourceList","items":[${cm}]}\r\n`
  const output = runOk({ inputs: [{ text: input }] })
  assert.ok(output.startsWith('\uFEFFapiVersion: "config.kubernetes.io/v1"\r\n'), output.slice(0, 80))
  assert.ok(!/[^\r]\n/.test(output), 'CRLF throughout')
  assertBlockStyle(output)
  assert.deepStrictEqual(semanticItems(output)[0], semanticItems(input)[0])
  assert.ok(output.includes('big: 12345678901234567890'))
  assert.ok(output.includes('internal.config.kubernetes.io/id: "1"'))
})

test('ResourceList (block) with a BOM, or with an indented root: edited in place, not reprinted', () => {
  const item = '- apiVersion: v1 # as written\n  kind: ConfigMap\n  data: {mode: 0644}\n'
  const bom = `\uFEFFapiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n${item}`
  const indented = `  apiVersion: config.kubernetes.io/v1\n  kind: ResourceList\n  items:\n${item.replace(/^(?=.)/gm, '  ')}`
  for (const [input, col] of [[bom, ''], [indented, '  ']] as const) {
    const output = runOk({ inputs: [{ text: input }] })
    assert.ok(output.startsWith(input), output.slice(0, 200))
    assert.ok(output.slice(input.length).startsWith(`${col}- apiVersion: machineconfiguration.openshift.io/v1\n${col}  kind: MachineConfig\n`))
    assertGeneratedForKpt(semanticItems(output).slice(1))
  }
})

// ---------------------------------------------------------------------------
// Our own kinds, Lists, and the items we drop.

const KEY =
  'LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0KTUZrd0V3WUhLb1pJemowQ0FRWUlLb1pJemowREFRY0RRZ0FFb1lWcnRyTk5HbHlpcU56RWsvbDNzUHk2bFVaagpYWjBlMUtEMmt0T0VPRjVGUnB3NGhJOGlJL1p3TE1RNXRtZXhLbVVndGlNL2k0cjhJNW1wZld5THBRPT0KLS0tLS1FTkQgUFVCTElDIEtFWS0tLS0tCg=='

const policy = (indent: string): string =>
  [
    'apiVersion: config.openshift.io/v1',
    'kind: ClusterImagePolicy',
    'metadata:',
    '  name: in-a-list',
    'spec:',
    '  scopes:',
    '  - registry.example.com/signed',
    '  policy:',
    '    rootOfTrust:',
    '      policyType: PublicKey',
    '      publicKey:',
    `        keyData: ${KEY}`,
  ]
    .map((l, i) => (i === 0 ? l : indent + l))
    .join('\n') + '\n'

const NAMESPACE = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n'
const LIST = `# a List that holds one of our policies\napiVersion: v1\nkind: List\nitems:\n- ${policy('  ')}- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: beside # kept as written\n  data:\n    mode: 0644\n`

test('plain stream: a policy inside a List is rendered, and the List passes through byte for byte', () => {
  const bare = runOk({ inputs: [{ text: `${NAMESPACE}---\n${policy('')}` }] })
  const listed = runOk({ inputs: [{ text: `${NAMESPACE}---\n${LIST}` }] })
  assert.ok(listed.startsWith(`${NAMESPACE}---\n${LIST}---\n`))
  const generated = (out: string): unknown[] => semanticDocs(out).filter((d) => get(d, 'kind') === 'MachineConfig')
  assert.deepStrictEqual(generated(listed), generated(bare), 'the same MachineConfigs as for the bare policy')
  assert.match(bare, /source: "?data:/, 'the policy is rendered into files')

  const notEmitted = runOk({ inputs: [{ text: `${policy('')}---\n${LIST}` }], flags: { emitPolicies: false } })
  assert.ok(notEmitted.startsWith(`---\n${LIST}---\n`), 'the bare policy is dropped; the List is kept whole')
})

test('ResourceList: a policy inside a List item is rendered, and the List item is kept byte for byte', () => {
  const item = `  - ${LIST.split('\n').filter((l) => !l.startsWith('#')).join('\n    ').trimEnd()}\n`
  const bareItem = `  - ${policy('    ').trimEnd()}\n`
  const list = (items: string): string => `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n${items}`
  const listed = runOk({ inputs: [{ text: list(item) }] })
  const bare = runOk({ inputs: [{ text: list(bareItem) }] })
  assert.ok(listed.includes(item))
  assert.deepStrictEqual(semanticItems(listed).slice(1), semanticItems(bare).slice(1))
})

test('ResourceList: dropped items take only their own lines; comments, id annotations and kept items stay', () => {
  const input = [
    '# from kpt',
    'apiVersion: config.kubernetes.io/v1',
    'kind: ResourceList',
    'items:',
    '# the namespace',
    '- apiVersion: v1',
    '  kind: Namespace',
    '  metadata:',
    '    name: team-a',
    '    annotations:',
    "      config.k8s.io/id: '1'",
    "      internal.config.kubernetes.io/id: '1'",
    '      internal.config.kubernetes.io/path: namespace.yaml',
    '# a previous run of ours: replaced',
    '- apiVersion: machineconfiguration.openshift.io/v1',
    '  kind: MachineConfig',
    '  metadata:',
    '    name: 99-worker-sigstore-imagepolicies',
    '    annotations:',
    `      ${GENERATED}: "true"`,
    "      config.k8s.io/id: '2'",
    '  spec: {}',
    `- ${policy('  ').trimEnd()}`,
    '# after the last item',
    'functionConfig:',
    '  apiVersion: v1',
    '  kind: ConfigMap',
    '  metadata:',
    '    name: fn',
    '  data:',
    '    pools: worker',
    '    emitPolicies: "false"',
    'results:',
    '- message: from an earlier function',
    '  severity: info',
    '',
  ].join('\n')
  const output = runOk({ inputs: [{ text: input }] })
  const namespace = input.slice(0, input.indexOf('# a previous run'))
  assert.ok(output.startsWith(namespace), 'everything up to the dropped item, byte for byte')
  assert.ok(output.includes('# a previous run of ours: replaced\n'), 'a comment between items stays')
  assert.ok(!output.includes("config.k8s.io/id: '2'"), 'the old MachineConfig is gone')
  assert.ok(!output.includes('kind: ClusterImagePolicy'), 'the policy is consumed (emitPolicies false)')
  assert.ok(output.includes('# after the last item\nfunctionConfig:'))
  // Behaviour change (issue 13): another function's results are kept, ours appended.
  assert.ok(output.includes('from an earlier function'), 'results already there are kept')
  const items = semanticItems(output)
  assert.equal(get(items[0], 'kind'), 'Namespace')
  assertGeneratedForKpt(items.slice(1))
  assert.equal(items.length, 2, 'one MachineConfig, for pool worker')
  // No second-run check here: with emitPolicies false the policies are consumed.
})

test('ResourceList: issues become results after the last key; none, no results', () => {
  const head = 'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: a\n'
  // An ImagePolicy scope inside a ClusterImagePolicy scope: MCO's conflict warning.
  const conflict = `- ${policy('  ').replace('registry.example.com/signed', 'registry.example.com')}- ${policy('  ')
    .replace('ClusterImagePolicy', 'ImagePolicy')
    .replace('name: in-a-list', 'name: nested\n    namespace: team-a')
    .replace('registry.example.com/signed', 'registry.example.com/team-a')}`
  for (const text of [head, head + conflict]) {
    const out = run({ inputs: [{ text }], flags: { targetRelease: '4.19' } })
    assert.equal(out.exitCode, 0)
    assert.ok(out.output.startsWith(text), 'the input, then what we add')
    const results = get(semanticDocs(out.output)[0], 'results')
    if (out.issues.length === 0) assert.equal(results, undefined)
    else assert.equal((results as unknown[]).length, out.issues.length)
  }
  const warned = run({ inputs: [{ text: head + conflict }], flags: { targetRelease: '4.19' } })
  assert.ok(warned.issues.some((i) => i.code === 'scope-conflict'))
  assert.match(warned.output, /\nresults:\n- message: /)
})

test('ResourceList: items missing, empty, or null get the generated items', () => {
  for (const items of ['', 'items: []\n', 'items:\n', 'items: ~\n']) {
    const input = `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n${items}functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  data: {pools: worker}\n`
    const output = runOk({ inputs: [{ text: input }], flags: { allowEmpty: true } })
    assertGeneratedForKpt(semanticItems(output))
    assert.ok(output.includes('  data: {pools: worker}\n'), 'functionConfig as written')
  }
})

test('our own kinds pass through as they came, status and all', () => {
  const text = corpus.find((c) => c.name === 'own-kinds-status.yaml')!.text
  const output = runOk({ inputs: [{ text }] })
  assert.ok(output.startsWith(text))
  assert.match(output.slice(text.length), /source: "?data:/, 'the policies are rendered into files')
})

// ---------------------------------------------------------------------------
// Reading: values as Kubernetes reads them, and never a throw.

test('values read as Kubernetes reads them (go-yaml v2): octal, YAML 1.1 words, timestamps and base 60 as strings', () => {
  const text = 'apiVersion: v1\nkind: ConfigMap\ndata:\n  mode: 0644\n  on: yes\n  when: 2024-05-01T10:00:00Z\n  clock: 12:30\n  nothing: ~\n  bin: !!binary aGk=\n'
  // readValue: readInputs reads only the header of a ConfigMap (a kind we do not own).
  const { value, issues } = readValue(text, { index: 0 })
  assert.deepEqual(issues, [])
  const data = (value as { data: Record<string, unknown> }).data
  assert.equal(data['mode'], 420)
  assert.equal(data['true'], true, '`on` is the boolean key true')
  assert.equal(data['when'], '2024-05-01T10:00:00Z')
  assert.equal(data['clock'], '12:30')
  assert.equal(data['nothing'], null)
  assert.deepEqual([...(data['bin'] as Uint8Array)], [0x68, 0x69])
})

test('resourcesOf: a List stands for its items, nested Lists flattened; anything else for itself', () => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap' }
  assert.deepEqual(resourcesOf(cm), [cm])
  assert.deepEqual(resourcesOf(undefined), [])
  assert.deepEqual(resourcesOf({ kind: 'List', items: [cm, { kind: 'ConfigMapList', items: [cm, cm] }] }), [cm, cm, cm])
  assert.deepEqual(resourcesOf({ kind: 'List', items: [] }), [])
  const notAList = { kind: 'List', items: 'x' }
  assert.deepEqual(resourcesOf(notAList), [notAList])
  const cyclic: { kind: string; items: unknown[] } = { kind: 'List', items: [] }
  cyclic.items.push(cyclic)
  assert.equal(resourcesOf(cyclic).length, 1, 'a cycle ends at the depth limit')
})

test('an empty List is no resources: refused unless --allow-empty, kept when allowed', () => {
  const text = 'apiVersion: v1\nkind: List\nitems: []\n'
  const refused = run({ inputs: [{ text }], flags: { targetRelease: '4.19' } })
  assert.equal(refused.exitCode, 1)
  assert.ok(refused.issues.some((i) => i.code === 'input'))
  assert.ok(runOk({ inputs: [{ text }], flags: { allowEmpty: true } }).startsWith(text))
})

test('bad input never throws: it becomes issues', () => {
  const invalid = [
    'a: [1, 2\n',
    'a: 1\na: 2\n',
    'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: {a: 1}\n',
    `${'['.repeat(20000)}\n`,
    'apiVersion: v1\nkind: ConfigMap\n---\n\tbad: tab indentation\n',
  ]
  for (const text of invalid) {
    const out = run({ inputs: [{ text }], flags: { targetRelease: '4.19' } })
    assert.equal(out.exitCode, 1, text.slice(0, 40))
    assert.ok(out.issues.some((i) => i.severity === 'error'))
    assert.equal(out.output, '', 'nothing partial on stdout')
  }
  const laughs = ['a: &a [x, x, x, x, x, x, x, x, x]']
  for (const c of 'bcdefghi') laughs.push(`${c}: &${c} [${Array(9).fill(`*${String.fromCharCode(c.charCodeAt(0) - 1)}`).join(', ')}]`)
  assert.doesNotThrow(() => run({ inputs: [{ text: `${laughs.join('\n')}\n` }], flags: { targetRelease: '4.19' } }))
})

// ---------------------------------------------------------------------------
// writeStream: markers only where needed.

function doc(text: string, index = 0): StreamDocument {
  return { text, value: {}, resources: [{}], complete: true, source: { index } }
}

test('writeStream adds `---` only where a document has none, and `...` before a directive', () => {
  assert.equal(writeStream([doc('a: 1\n'), doc('b: 2')], []), 'a: 1\n---\nb: 2\n')
  assert.equal(writeStream([doc('a: 1\n'), doc('# c\n--- # x\nb: 2\n')], []), 'a: 1\n# c\n--- # x\nb: 2\n')
  assert.equal(writeStream([doc('a: 1\n...\n'), doc('b: 2\n')], []), 'a: 1\n...\nb: 2\n')
  assert.equal(writeStream([doc('a: 1\n'), doc('%YAML 1.1\n---\nb: 2\n')], []), 'a: 1\n...\n%YAML 1.1\n---\nb: 2\n')
  assert.equal(writeStream([doc('a: 1\r\n')], [{ b: 2 }]), 'a: 1\r\n---\r\nb: 2\r\n')
  assert.equal(writeStream([], [{ b: 2 }]), 'b: 2\n')
})

test('a ResourceList whose last item ends in an empty value: generated items stay in items, results come after', async () => {
  const policies = readFileSync('examples/quickstart/policies.yaml', 'utf8')
  const image = 'apiVersion: config.openshift.io/v1\nkind: Image\nmetadata:\n  name: cluster\nspec:\n  registrySources:\n    blockedRegistries:\n'
  for (const trailing of ['\n', '\n\n', '\n\n\n']) {
    for (const col of [0, 2]) {
      const text = asResourceList(`${policies}---\n${image}`, col).replace(/\n$/, trailing)
      const result = await runCli(['--target-release', '4.19'], text)
      assert.equal(result.code, 0, result.stderr)
      const doc = parseDocument(result.stdout)
      assert.deepEqual(doc.errors, [])
      const out = doc.toJS() as { items: { kind: string }[]; results: { message: string }[] }
      assert.deepEqual(
        out.items.map((i) => i.kind),
        ['ClusterImagePolicy', 'ClusterImagePolicy', 'Namespace', 'ImagePolicy', 'Image', 'MachineConfig', 'MachineConfig'],
        JSON.stringify({ trailing, col }),
      )
      assert.ok(out.results.length > 0 && out.results.every((r) => typeof r.message === 'string'), 'results hold results only')
    }
  }
})
