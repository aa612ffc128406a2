// The ResourceList layout scan (src/io/resource-list-layout.ts, readResourceList)
// against the reference, the ResourceList parsed whole with the `yaml` package:
// wherever the scan reads a ResourceList, the items, the functionConfig, the
// text the writer makes from it and the whole run (output, issues, exit code)
// are the reference's. Checked on every fixture and example wrapped as a
// ResourceList the ways kpt and kustomize write one, on the benchmark's typical
// stream, on what kpt really sends, and on seeded generated and mutated
// ResourceLists.
//
// One difference is allowed, the one a plain stream has too: no item is checked
// by the `yaml` package. One we do not own is read by its header alone, so
// invalid YAML deep inside it passes through; the others are read by js-yaml,
// which lets a few things pass that the `yaml` package refuses (`"a"#b`). Where
// the whole parse refuses a ResourceList the scan reads ('invalid' below), an
// item on its own must be refused too: then the split is not at fault.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { refOf, roleOf } from '../src/io/item-kinds.ts'
import { isObject } from '../src/is-object.ts'
import { issue } from '../src/issues.ts'
import { parseOne, readDocument, readInputs, resourcesOf, splitDocuments, type ReadResult, type ResourceListReader } from '../src/io/read.ts'
import { itemText, resourceListLayout } from '../src/io/resource-list-layout.ts'
import { writeResourceList } from '../src/io/write.ts'
import type { PartialOptions } from '../src/options.ts'
import { declaredNamespaces } from '../src/review/guardrails.ts'
import { run, runRead } from '../src/run.ts'
import { asResourceList } from '../src/warm-up.ts'
import { isGeneratedMachineConfig } from '../src/wrap/machine-config.ts'
import { prng } from './prng.ts'
import { runCli } from './run-cli.ts'
import { bare, CORPUS, eolOf, generatedDocument, LINE_MUTATIONS, linesOf, pick, TYPICAL, type Mutation, type Rand } from './yaml-samples.ts'

const SEED = 20261130
const NOW = new Date('2026-01-01T00:00:00Z')

/** The reference: every ResourceList parsed whole, as readInputs did before the scan. */
const parsedWhole: ResourceListReader = () => undefined

type Verdict = 'bail' | 'agree' | 'invalid'

const show = (v: unknown): string => JSON.stringify(v, (_, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x))

function scanned(read: ReadResult): boolean {
  return read.envelope.shape === 'ResourceList' && 'layout' in read.envelope.document
}

/** What the writer makes of a ResourceList with some items dropped and some added, with and without results. */
function writes(read: ReadResult): string[] {
  assert.ok(read.envelope.shape === 'ResourceList')
  const source = read.envelope.document
  const generated = [{ apiVersion: 'machineconfiguration.openshift.io/v1', kind: 'MachineConfig', metadata: { name: '99-test' }, spec: {} }]
  const issues = [issue('warning', 'input', 'a test warning')]
  const keeps = [() => true, () => false, (i: number) => i % 2 === 1]
  return keeps.flatMap((keep) => [writeResourceList(source, keep, [], []), writeResourceList(source, keep, generated, issues)])
}

/**
 * 'bail' when the scan does not read the text; 'invalid' when it does but the
 * whole parse refuses it (explained by an item read by its header alone that is
 * invalid on its own); 'agree' when reads, writes and the run are the
 * reference's. Otherwise throws, saying where they differ.
 */
function verdict(text: string, flags: PartialOptions = { allowEmpty: true }): Verdict {
  const fast = readInputs([{ text }])
  if (!scanned(fast) || fast.envelope.shape !== 'ResourceList' || !('layout' in fast.envelope.document)) return 'bail'
  const { layout } = fast.envelope.document
  const why = (what: string): string => `${what}\n--- ResourceList ---\n${text}`
  const whole = readInputs([{ text }], readDocument, parsedWhole)
  if (whole.envelope.shape !== 'ResourceList') {
    assert.ok(whole.issues.some((i) => i.code === 'yaml'), why('the whole parse refuses the text, not for its YAML'))
    // Explained when an item on its own is refused too: the split is not at fault.
    const texts = layout.items.style === 'block' ? layout.items.entries.map((e) => itemText(text, e, layout.items.style === 'block' ? layout.items.column : 0)) : []
    const explained = texts.some((t) => parseOne(t, { index: 0 }).issues.length > 0)
    assert.ok(explained, why(`the whole parse refuses the text (${show(whole.issues)}), but no item on its own`))
    return 'invalid'
  }
  assert.deepEqual(whole.issues, [], why('the reference read has no issues'))
  const mine = fast.envelope.items
  const theirs = whole.envelope.items
  assert.equal(mine.length, theirs.length, why('number of items'))
  mine.forEach((item, i) => {
    const value = theirs[i]!.value
    const at = (what: string): string => why(`item ${i}: ${what}: scanned ${show(item.value)}, parsed ${show(value)}`)
    if (item.complete) {
      assert.deepStrictEqual(item.value, value, at('value'))
      return
    }
    // Read by its header: everything downstream asks of it gives the same answers.
    assert.ok(isObject(value), at('a mapping'))
    const header = item.value as Record<string, unknown>
    assert.equal(header['apiVersion'], value['apiVersion'], at('apiVersion'))
    assert.equal(header['kind'], value['kind'], at('kind'))
    assert.equal(roleOf(header), roleOf(value), at('roleOf'))
    assert.equal(roleOf(header), 'other', at('not ours'))
    assert.deepEqual(refOf(header), refOf(value), at('refOf'))
    assert.deepEqual([...declaredNamespaces([header])], [...declaredNamespaces([value])], at('declaredNamespaces'))
    assert.equal(isGeneratedMachineConfig(header), isGeneratedMachineConfig(value), at('isGeneratedMachineConfig'))
    assert.equal(resourcesOf(value).length, 1, at('not a List'))
  })
  assert.deepStrictEqual(fast.envelope.functionConfig, whole.envelope.functionConfig, why('functionConfig'))
  // The writer: the same text from the layout as from the Document.
  const ours = writes(fast)
  const reference = writes(whole)
  ours.forEach((out, i) => assert.equal(out, reference[i], why(`write ${i}`)))
  // The run.
  const a = runRead(fast, { flags: { targetRelease: '4.19', ...flags }, now: NOW })
  const b = runRead(whole, { flags: { targetRelease: '4.19', ...flags }, now: NOW })
  assert.equal(a.exitCode, b.exitCode, why('exit code'))
  assert.deepEqual(a.issues, b.issues, why('issues'))
  assert.equal(a.output, b.output, why('output'))
  return 'agree'
}

function tally(cases: readonly { text: string; flags?: PartialOptions }[]): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { bail: 0, agree: 0, invalid: 0 }
  for (const c of cases) counts[verdict(c.text, c.flags)]++
  return counts
}

// ---------------------------------------------------------------------------
// Wrapping documents as a ResourceList, the ways kpt and kustomize write one.

interface Shape {
  /** The entries' column: kpt writes 0, kustomize 2. */
  readonly column: 0 | 2
  readonly eol: '\n' | '\r\n'
  readonly marker: boolean
  readonly functionConfig: 'none' | 'configmap' | 'configmap-no-policies' | 'renderer' | 'flow'
  readonly functionConfigFirst: boolean
  readonly results: 'none' | 'before' | 'after' | 'indented'
  /** Comments between items, after the last one, and at the end. */
  readonly comments: boolean
  /** Without items: `items: []`, or no `items` key. */
  readonly noItems: 'empty' | 'absent'
}

const BASE: Shape = { column: 0, eol: '\n', marker: false, functionConfig: 'none', functionConfigFirst: false, results: 'none', comments: false, noItems: 'empty' }

const FUNCTION_CONFIGS: Record<Exclude<Shape['functionConfig'], 'none'>, string> = {
  configmap: 'functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: fn\n  data:\n    pools: worker\n',
  'configmap-no-policies': 'functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: fn\n  data:\n    pools: master,worker\n    emitPolicies: "false"\n',
  renderer:
    'functionConfig:\n  apiVersion: imagepolicy-mc/v1alpha1\n  kind: ImagePolicyRenderer\n  metadata:\n    name: render\n  spec:\n    pools:\n    - worker\n    name: 99-{pool}-signed\n    ignitionVersion: 3.4.0\n',
  flow: 'functionConfig: {apiVersion: v1, kind: ConfigMap, data: {pools: worker}}\n',
}

/** One document of a stream as a `- ` entry at `column`: leading comments before it, the rest indented under it. */
function asEntry(chunk: string, column: number): string | undefined {
  const lines = chunk.replace(/^\uFEFF/, '').split('\n')
  if (lines.at(-1) === '') lines.pop()
  const body = lines
    .filter((l) => !l.startsWith('%') && !/^\.\.\.(?:[ \t]|\r?$)/.test(l))
    .map((l) => l.replace(/^---(?:[ \t]+|(?=\r?$))/, ''))
    .filter((l, i) => !(i === 0 && (l === '' || l === '\r')))
  const first = body.findIndex((l) => /^[ \t]*[^#\s]/.test(l))
  if (first === -1) return undefined
  const pad = ' '.repeat(column)
  const head = body.slice(0, first).map((l) => (l.trim() === '' ? l : `${pad}${l}`))
  const rest = body.slice(first + 1).map((l) => (l.replace(/\r$/, '') === '' ? l : `${pad}  ${l}`))
  return [...head, `${pad}- ${body[first]}`, ...rest].map((l) => `${l}\n`).join('')
}

function wrap(chunks: readonly string[], shape: Shape): string {
  const entries = chunks.map((c) => asEntry(c, shape.column)).filter((e): e is string => e !== undefined)
  const pad = ' '.repeat(shape.column)
  const parts: string[] = []
  if (shape.marker) parts.push('# from the orchestrator\n---\n')
  parts.push('apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n')
  const fc = shape.functionConfig === 'none' ? '' : FUNCTION_CONFIGS[shape.functionConfig]
  const results =
    shape.results === 'indented'
      ? 'results:\n  - message: from an earlier function\n    severity: info\n'
      : 'results:\n- message: from an earlier function\n  severity: info\n  field:\n    path: spec\n'
  if (shape.functionConfigFirst) parts.push(fc)
  if (shape.results === 'before') parts.push(results)
  if (entries.length === 0) {
    if (shape.noItems === 'empty') parts.push('items: []\n')
  } else {
    parts.push('items:\n')
    entries.forEach((e, i) => {
      if (shape.comments && i > 0) parts.push(i % 2 === 0 ? '# between items\n' : `${pad}# between items, at their column\n`)
      parts.push(e)
      if (shape.comments && i === 0) parts.push(`${pad}  # after the first item, its own\n`)
    })
    if (shape.comments) parts.push('# after the last item\n')
  }
  if (!shape.functionConfigFirst) parts.push(fc)
  if (shape.results === 'after' || shape.results === 'indented') parts.push(results)
  if (shape.comments) parts.push('# the end\n')
  const text = parts.join('')
  return shape.eol === '\n' ? text : text.replace(/\r?\n/g, '\r\n')
}

function randomShape(r: Rand): Shape {
  return {
    column: pick(r, [0, 2] as const),
    eol: r() < 0.2 ? '\r\n' : '\n',
    marker: r() < 0.2,
    functionConfig: pick(r, ['none', 'configmap', 'configmap-no-policies', 'renderer', 'flow'] as const),
    functionConfigFirst: r() < 0.3,
    results: pick(r, ['none', 'none', 'before', 'after', 'indented'] as const),
    comments: r() < 0.5,
    noItems: pick(r, ['empty', 'absent'] as const),
  }
}

// ---------------------------------------------------------------------------
// The corpus, the typical stream, and what kpt sends.

test('ResourceList scan: every fixture and example, wrapped at columns 0 and 2 and in random shapes, reads and runs as parsed whole', (t) => {
  const r = prng(SEED)
  const cases: { text: string; flags: PartialOptions }[] = []
  // Raw U+0085/U+2028/U+2029 (a conformance case has them in a quoted string) are refused
  // since issue 13, go-yaml reading them as line breaks (fail-closed.test.ts, integration/kustomize-reading.test.ts).
  for (const { text } of CORPUS.filter((c) => !/[\u0085\u2028\u2029]/.test(c.text))) {
    const chunks = splitDocuments(text)
    cases.push({ text: asResourceList(text), flags: { allowEmpty: true } })
    cases.push({ text: wrap(chunks, { ...BASE, column: 2, functionConfig: 'configmap', results: 'after', comments: true }), flags: { allowEmpty: true } })
    cases.push({ text: wrap(chunks, randomShape(r)), flags: pick(r, [{ allowEmpty: true }, {}, { emitPolicies: false, allowEmpty: true }, { strict: true, allowEmpty: true }]) })
  }
  const counts = tally(cases)
  t.diagnostic(`${cases.length} ResourceLists: ${JSON.stringify(counts)}`)
  assert.equal(counts.invalid, 0, 'every fixture is valid YAML')
  // Not vacuous: the scan reads nearly all of them (those it leaves have flow-style items, anchors …).
  assert.ok(counts.agree >= cases.length * 0.85, JSON.stringify(counts))
})

test('ResourceList scan: CRLF, comments, results and every functionConfig shape, on the examples', () => {
  const examples = CORPUS.filter((c) => c.path.startsWith('examples/'))
  for (const { path, text } of examples) {
    for (const column of [0, 2] as const) {
      for (const functionConfig of ['none', 'configmap', 'configmap-no-policies', 'renderer', 'flow'] as const) {
        for (const results of ['none', 'before', 'after', 'indented'] as const) {
          const shape: Shape = { ...BASE, column, functionConfig, results, eol: results === 'before' ? '\r\n' : '\n', comments: functionConfig !== 'none', marker: column === 2, functionConfigFirst: results === 'after' }
          const list = wrap(splitDocuments(text), shape)
          assert.equal(verdict(list), 'agree', `${path} ${JSON.stringify(shape)}`)
        }
      }
    }
  }
})

test('ResourceList scan: no items, `items: []`, items we drop, and failing runs', () => {
  const policies = splitDocuments(TYPICAL).filter((d) => /kind: (Cluster)?ImagePolicy/.test(d))
  const first = run({ inputs: [{ text: TYPICAL }], now: NOW, flags: { targetRelease: '4.19' } })
  const machineConfigs = splitDocuments(first.output).filter((d) => d.includes('kind: MachineConfig'))
  assert.ok(machineConfigs.length > 0)
  const invalid = 'apiVersion: config.openshift.io/v1\nkind: ClusterImagePolicy\nmetadata:\n  name: broken\nspec:\n  scopes: ["Not A Scope"]\n'
  const cases: { name: string; chunks: string[]; flags: PartialOptions; exit: 0 | 1 }[] = [
    { name: 'no items, allowed', chunks: [], flags: { allowEmpty: true }, exit: 0 },
    { name: 'no items, refused', chunks: [], flags: {}, exit: 1 },
    { name: 'an earlier run: its MachineConfigs replaced', chunks: [...policies, ...machineConfigs], flags: {}, exit: 0 },
    { name: 'only earlier MachineConfigs', chunks: machineConfigs, flags: {}, exit: 1 },
    { name: 'policies consumed', chunks: [...machineConfigs, ...policies], flags: { emitPolicies: false }, exit: 0 },
    { name: 'an invalid policy: items unchanged, results', chunks: [...policies.slice(0, 3), invalid, ...machineConfigs], flags: {}, exit: 1 },
  ]
  for (const { name, chunks, flags, exit } of cases) {
    for (const shape of [BASE, { ...BASE, noItems: 'absent' as const }, { ...BASE, column: 2 as const, results: 'after' as const, comments: true }, { ...BASE, functionConfig: 'configmap' as const, results: 'before' as const, eol: '\r\n' as const }]) {
      const text = wrap(chunks, shape)
      assert.equal(verdict(text, flags), 'agree', `${name} ${JSON.stringify(shape)}`)
      // With the ConfigMap's `pools: worker`, the earlier run's master MachineConfig is
      // not generated again: an error now, not dropped silently (issue 13).
      const stale = shape.functionConfig === 'configmap' && chunks.some((c) => c.includes('99-master-sigstore-imagepolicies'))
      assert.equal(run({ inputs: [{ text }], flags: { targetRelease: '4.19', ...flags }, now: NOW }).exitCode, stale ? 1 : exit, name)
    }
  }
})

test('ResourceList scan: the ResourceLists among the fixtures are read by the scan, as they are', () => {
  const lists = CORPUS.filter((c) => /^kind: ResourceList$/m.test(c.text) && splitDocuments(c.text).length === 1)
  assert.ok(lists.length >= 7, lists.map((c) => c.path).join(', '))
  for (const { path, text } of lists) {
    for (const flags of [{}, { allowEmpty: true, emitPolicies: false }]) assert.equal(verdict(text, flags), 'agree', path)
  }
})

test('ResourceList scan: empty and flow-style items are left to the whole parse; a null one is read', () => {
  const [policy] = splitDocuments(TYPICAL).filter((d) => d.includes('kind: ImagePolicy'))
  const entry = asEntry(policy!, 0)!
  const odds: [string, Verdict][] = [['-\n', 'bail'], ['- # nothing\n', 'bail'], ['- {}\n', 'bail'], ['- []\n', 'bail'], ['- {apiVersion: v1, kind: Namespace, metadata: {name: flow}}\n', 'bail'], ['- ~\n', 'agree']]
  for (const [odd, want] of odds) {
    for (const items of [`${entry}${odd}`, `${odd}${entry}`]) {
      const text = `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n${items}`
      assert.equal(verdict(text, {}), want, JSON.stringify(odd))
      const out = run({ inputs: [{ text }], now: NOW, flags: { targetRelease: '4.19' } })
      assert.equal(out.exitCode, 0, JSON.stringify(odd))
      assert.ok(out.output.includes(odd) || odd.startsWith('- {apiVersion'), 'kept as written (a flow item is laid out as block)')
    }
  }
})

test('ResourceList scan: the typical bench stream reads its 210 other resources by their header, with the output of the whole parse', () => {
  for (const text of [asResourceList(TYPICAL), wrap(splitDocuments(TYPICAL), { ...BASE, column: 2, functionConfig: 'renderer', results: 'after' })]) {
    const read = readInputs([{ text }])
    assert.ok(scanned(read) && read.envelope.shape === 'ResourceList')
    assert.equal(read.envelope.items.length, 234)
    assert.equal(read.envelope.items.filter((i) => !i.complete).length, 210)
    assert.ok(read.envelope.items.filter((i) => i.complete).every((i) => roleOf(i.value) === 'policy'))
    for (const flags of [{}, { emitPolicies: false }]) assert.equal(verdict(text, flags), 'agree')
    // A second run (its MachineConfigs dropped and made again) too.
    const output = run({ inputs: [{ text }], now: NOW, flags: { targetRelease: '4.19' } }).output
    assert.equal(verdict(output, {}), 'agree')
  }
})

test('ResourceList scan: what kpt sends (comments after `- `, quoted annotations, functionConfig last) is read by the scan', async () => {
  // As kpt fn eval / render sent the kpt-package example (captured with kpt 1.0.0-beta.56).
  const item = (comment: string, body: string): string => `- ${`${comment}${body}`.replace(/\n(?=.)/g, '\n  ')}`
  const annotations = (path: string, id: number): string =>
    `    annotations:\n      config.kubernetes.io/index: '0'\n      config.kubernetes.io/path: '${path}'\n      internal.config.kubernetes.io/index: '0'\n      internal.config.kubernetes.io/path: '${path}'\n      internal.config.kubernetes.io/seqindent: 'compact'\n      internal.config.kubernetes.io/id: '${id}'\n      config.k8s.io/id: '${id}'\n`
  const [policy] = splitDocuments(TYPICAL).filter((d) => d.includes('kind: ImagePolicy'))
  const policyItem = policy!.replace(/^---\n/, '').replace(/(\n {2}namespace: .*\n)/, `$1${annotations('policies.yaml', 3).replace(/^ {2}/gm, '')}`)
  const text = [
    'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n',
    item('# The cluster\'s Image config, as `oc get image.config.openshift.io/cluster -o yaml`\n# shows it.\n', `apiVersion: config.openshift.io/v1\nkind: Image\nmetadata:\n  name: cluster\n${annotations('image-cluster.yaml', 1).replace(/^ {2}/gm, '')}spec:\n  registrySources:\n    allowedRegistries:\n    - quay.io\n`),
    item('', `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n${annotations('namespace.yaml', 2).replace(/^ {2}/gm, '')}`),
    item('', policyItem),
    'functionConfig:\n  apiVersion: imagepolicy-mc/v1alpha1\n  kind: ImagePolicyRenderer\n  metadata:\n    name: render-machineconfigs\n    annotations:\n      config.kubernetes.io/local-config: "true" # kept in the package, never applied\n  spec:\n    pools:\n    - worker\n',
  ].join('')
  assert.ok(resourceListLayout(text) !== undefined, text)
  assert.equal(verdict(text, {}), 'agree')
  // Through the CLI, too.
  const cli = await runCli(['--target-release', '4.19'], text)
  const reference = runRead(readInputs([{ text }], readDocument, parsedWhole), { now: new Date(), flags: { targetRelease: '4.19' } })
  assert.equal(cli.code, reference.exitCode)
  assert.equal(cli.stdout, reference.output)
})

// ---------------------------------------------------------------------------
// Generated ResourceLists: generated documents (header fields in every
// presentation, block scalars, flow collections), policies, earlier
// MachineConfigs, corpus documents, in random shapes.

const POLICIES = splitDocuments(TYPICAL).filter((d) => /kind: (Cluster)?ImagePolicy/.test(d))
const EARLIER = splitDocuments(run({ inputs: [{ text: TYPICAL }], now: NOW, flags: { targetRelease: '4.19' } }).output).filter((d) => d.includes('kind: MachineConfig'))
// Without the documents that hold raw U+0085/U+2028/U+2029: refused since issue 13 (see above).
const CORPUS_DOCUMENTS = CORPUS.flatMap((c) => splitDocuments(c.text)).filter((d) => !/[\u0085\u2028\u2029]/.test(d))

function generatedList(r: Rand, size: number): string {
  const chunks: string[] = []
  for (let i = 0; i < size; i++) {
    const roll = r()
    if (roll < 0.5) chunks.push(generatedDocument(r))
    else if (roll < 0.7) chunks.push(pick(r, POLICIES))
    else if (roll < 0.75) chunks.push(pick(r, EARLIER))
    else chunks.push(pick(r, CORPUS_DOCUMENTS))
  }
  return wrap(chunks, randomShape(r))
}

const GENERATED_LISTS = (() => {
  const r = prng(SEED + 1)
  return Array.from({ length: 150 }, () => generatedList(r, 1 + Math.floor(r() * 8)))
})()

test('ResourceList scan: generated ResourceLists read and run as parsed whole', (t) => {
  const r = prng(SEED + 2)
  const counts = tally(GENERATED_LISTS.map((text) => ({ text, flags: pick(r, [{ allowEmpty: true }, {}, { emitPolicies: false }]) })))
  t.diagnostic(JSON.stringify(counts))
  assert.equal(counts.invalid, 0, 'the generator writes valid YAML')
  assert.ok(counts.agree > GENERATED_LISTS.length / 2 && counts.bail > 0, JSON.stringify(counts))
})

// ---------------------------------------------------------------------------
// Block scalars last in an item, in `results` and in the root: every header,
// form and content, then what may follow (blank lines, lines of spaces,
// comments), then the next item, key or the end. The parser's ranges run over
// some of those lines; the scan must place its spans alike or give up.

const HEADERS = ['|', '|-', '|+', '>', '>-', '>+', '|2', '|1-', '>2+']
const FORMS = ['key', 'entry', 'anchor', 'tag', 'own-line'] as const
const CONTENTS: readonly (readonly string[])[] = [[], ['x'], ['x', '', 'y'], ['# x'], ['  x'], ['x', '  # y']]
const TAILS = ['', '\n', '   \n', '    \n', '       \n', '  # c\n', '# c\n', '\n  # c\n', ' \n\n', '\n\n']

function blockCase(r: Rand): string {
  const column = pick(r, [0, 2])
  const pad = ' '.repeat(column)
  const where = pick(r, ['item', 'item', 'results', 'root'] as const)
  const header = pick(r, HEADERS)
  const form = pick(r, FORMS)
  const scalar = (b: number): string => {
    const k = ' '.repeat(b)
    const head =
      form === 'key' ? `${k}key: ${header}` : form === 'entry' ? `${k}list:\n${k}- ${header}` : form === 'anchor' ? `${k}key: &a ${header}` : form === 'tag' ? `${k}key: !!str ${header}` : `${k}key:\n${k}  ${header}`
    const at = ' '.repeat(b + (form === 'own-line' ? 4 : 2))
    return `${[head, ...pick(r, CONTENTS).map((c) => (c === '' ? '' : `${at}${c}`))].join('\n')}\n${pick(r, TAILS)}`
  }
  const item = (kind: string): string => `${pad}- apiVersion: v1\n${pad}  kind: ${kind}\n${pad}  metadata:\n${pad}    name: x\n`
  const head = 'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n'
  if (where === 'item') {
    const next = pick(r, [item('Secret'), 'functionConfig: {}\n', ''])
    return `${head}items:\n${item('ConfigMap')}${scalar(column + 2)}${next}`
  }
  const next = pick(r, ['functionConfig: {}\n', `items:\n${item('Secret')}`, ''])
  if (where === 'results') return `${head}items:\n${item('ConfigMap')}results:\n- message: m\n${scalar(2)}${next}`
  return `${head}items:\n${item('ConfigMap')}${scalar(0)}${next.startsWith('items') ? 'functionConfig: {}\n' : next}`
}

test('ResourceList scan: block scalars last in an item, in results and in the root, then blank lines, spaces and comments', (t) => {
  const r = prng(SEED + 5)
  const cases = Array.from({ length: 1500 }, () => ({ text: blockCase(r), flags: { allowEmpty: true } }))
  const counts = tally(cases)
  t.diagnostic(JSON.stringify(counts))
  assert.ok(counts.agree > cases.length / 4 && counts.bail > cases.length / 10, JSON.stringify(counts))
})

// ---------------------------------------------------------------------------
// Mutated ResourceLists: the scan bails or agrees (or reads an item we do not
// own whose YAML is broken deep inside). Mutations that break what the scan
// relies on must make it bail.


/** The indexes of the lines that start an item: `- ` at the items' column. */
function entryLines(text: string): number[] {
  const layout = resourceListLayout(text)
  if (layout === undefined || layout.items.style !== 'block') return []
  const starts = new Set(layout.items.entries.map((e) => e.from))
  const out: number[] = []
  let pos = 0
  linesOf(text).forEach((l, i) => {
    if (starts.has(pos)) out.push(i)
    pos += l.length
  })
  return out
}

/** `text` edited at the first line of a random item; `edit` changes `lines` in place and says whether it applied. */
function atRandomEntry(text: string, r: Rand, edit: (lines: string[], i: number) => boolean): string | undefined {
  const entries = entryLines(text)
  if (entries.length === 0) return undefined
  const lines = linesOf(text)
  return edit(lines, pick(r, entries)) ? lines.join('') : undefined
}

/** `text` with `make(eol, indent of the line there)` inserted before a random line (not the first). */
function insertLine(text: string, r: Rand, make: (eol: string, indent: string) => string): string | undefined {
  const lines = linesOf(text)
  if (lines.length < 2) return undefined
  const i = 1 + Math.floor(r() * (lines.length - 1))
  const indent = /^ */.exec(lines[i]!)![0]
  lines.splice(i, 0, make(eolOf(lines[0]!) || '\n', indent))
  return lines.join('')
}

/** Replaces a random line matching `re` through `f`. */
function editRandomLine(text: string, r: Rand, re: RegExp, f: (line: string, eol: string) => string): string | undefined {
  const lines = linesOf(text)
  const candidates = lines.map((l, i) => (re.test(bare(l)) ? i : -1)).filter((i) => i >= 0)
  if (candidates.length === 0) return undefined
  const i = pick(r, candidates)
  lines[i] = f(bare(lines[i]!), eolOf(lines[i]!) || '\n')
  return lines.join('')
}

/** Inserts `make(eol, pad)` right after a random item's first line, `pad` its content column. */
function intoItem(text: string, r: Rand, make: (eol: string, pad: string) => string): string | undefined {
  const entries = entryLines(text)
  if (entries.length === 0) return undefined
  const lines = linesOf(text)
  const i = pick(r, entries)
  const pad = ' '.repeat(lines[i]!.indexOf('-') + 2)
  lines.splice(i + 1, 0, make(eolOf(lines[i]!) || '\n', pad))
  return lines.join('')
}

const BLOCK_HEADERS = ['|', '|-', '|+', '>', '>-', '>+', '|2', '|4-', '>1+']

const MUTATIONS: readonly Mutation[] = [
  { name: 'an unclosed double quote', mustBail: false, apply: (t, r) => insertLine(t, r, (eol, indent) => `${indent}${pick(r, ['x: "open', '- "open', 'x: a "b'])}${eol}`) },
  { name: 'an unclosed single quote', mustBail: false, apply: (t, r) => insertLine(t, r, (eol, indent) => `${indent}x: 'it${eol}`) },
  { name: 'an unclosed flow collection', mustBail: false, apply: (t, r) => insertLine(t, r, (eol, indent) => `${indent}${pick(r, ['x: [a,', 'x: {a: b,', '- [a,', 'x: [{a: b}'])}${eol}`) },
  { name: 'an unclosed quote in an item', mustBail: true, apply: (t, r) => intoItem(t, r, (eol, pad) => `${pad}x: "open${eol}${pad}y: close"${eol}`) },
  {
    name: 'a flow-style item',
    mustBail: true,
    apply: (t, r) =>
      atRandomEntry(t, r, (lines, i) => {
        const pad = ' '.repeat(lines[i]!.indexOf('-'))
        lines.splice(i, 0, `${pad}${pick(r, ['- {apiVersion: v1, kind: ConfigMap, metadata: {name: flow}}', '- [a, b]', '- {}'])}${eolOf(lines[i]!) || '\n'}`)
        return true
      }),
  },
  {
    name: 'an item that does not start with a plain key',
    mustBail: true,
    apply: (t, r) =>
      atRandomEntry(t, r, (lines, i) => {
        const l = bare(lines[i]!)
        const at = l.indexOf('-')
        if (!/^- [A-Za-z_]/.test(l.slice(at))) return false
        const prefix = pick(r, ['-   ', '- &a ', '- !!map ', '- ? ', '- - ', '- "q": 1\n' + ' '.repeat(at + 2)])
        lines[i] = l.slice(0, at) + prefix + l.slice(at + 2) + (eolOf(lines[i]!) || '\n')
        return true
      }),
  },
  {
    name: 'a tab starting a line',
    mustBail: true,
    apply: (t, r) => editRandomLine(t, r, /\S/, (l, eol) => `\t${l.trimStart()}${eol}`),
  },
  {
    name: 'a repeated top-level key',
    mustBail: true,
    apply: (t, r) =>
      editRandomLine(t, r, /^(?:kind|apiVersion|items|functionConfig|results):/, (l, eol) => {
        const again = `${l.replace(/:.*$/, '')}: ${pick(r, ['ResourceList', '[]', '{}', 'config.kubernetes.io/v1'])}${eol}`
        return r() < 0.5 ? `${l}${eol}${again}` : `${again}${l}${eol}`
      }),
  },
  {
    name: 'an anchor or alias at the top',
    mustBail: true,
    apply: (t, r) => editRandomLine(t, r, /^(?:items|functionConfig|results):/, (l, eol) => `${l.replace(/:.*/, ':')} ${pick(r, ['&top', '*top', '!!map', '&top []'])}${eol}`),
  },
  {
    name: 'an anchor in one item and its alias in a later one',
    mustBail: true,
    apply: (t, r) => {
      const entries = entryLines(t)
      if (entries.length < 2) return undefined
      const lines = linesOf(t)
      const [a, b] = [entries[0]!, pick(r, entries.slice(1))]
      const pad = (i: number): string => ' '.repeat(lines[i]!.indexOf('-') + 2)
      const eol = eolOf(lines[0]!) || '\n'
      lines.splice(b + 1, 0, `${pad(b)}copy: *shared${eol}`)
      lines.splice(a + 1, 0, `${pad(a)}shared: &shared {a: b}${eol}`)
      return lines.join('')
    },
  },
  { name: 'an anchor and its alias in one item', mustBail: false, apply: (t, r) => intoItem(t, r, (eol, pad) => `${pad}x: &own [1, 2]${eol}${pad}y: *own${eol}`) },
  {
    name: 'a block scalar at some indentation',
    mustBail: false,
    apply: (t, r) =>
      insertLine(t, r, (eol, indent) => {
        const at = pick(r, [indent, `${indent}  `, '', '  ', '    '])
        const body = pick(r, [1, 2, 4, 6])
        const content = ['text', '# hash', '- look: alike', 'kind: Secret', '"quote', '', 'end'].slice(Math.floor(r() * 3))
        const tail = pick(r, ['', eol, `${eol}${eol}`])
        return `${at}${pick(r, ['key: ', '- ', '- key: '])}${pick(r, BLOCK_HEADERS)}${eol}${content.map((c) => (c === '' ? '' : `${at}${' '.repeat(body)}${c}`)).join(eol)}${eol}${tail}`
      }),
  },
  {
    name: 'a kept block scalar ending an item',
    mustBail: false,
    apply: (t, r) => {
      const entries = entryLines(t)
      if (entries.length === 0) return undefined
      const lines = linesOf(t)
      const k = Math.floor(r() * entries.length)
      const next = entries[k + 1] ?? lines.findIndex((l, i) => i > entries[k]! && /^\S/.test(l) && !l.startsWith('-') && !l.startsWith('#'))
      if (next < 0) return undefined
      const pad = ' '.repeat(lines[entries[k]!]!.indexOf('-') + 2)
      const eol = eolOf(lines[0]!) || '\n'
      lines.splice(next, 0, `${pad}tail: ${pick(r, ['|+', '>+', '|2+'])}${eol}${pad}    kept${eol}${pick(r, ['', eol, `${eol}${eol}`, `  ${eol}`])}`)
      return lines.join('')
    },
  },
  { name: 'a comment at some indentation', mustBail: false, apply: (t, r) => insertLine(t, r, (eol) => `${' '.repeat(pick(r, [0, 1, 2, 3, 4, 6]))}# a comment: "x${eol}`) },
  { name: 'a blank line', mustBail: false, apply: (t, r) => insertLine(t, r, (eol) => `${' '.repeat(pick(r, [0, 0, 2, 5]))}${eol}`) },
  { name: 'CRLF line breaks', mustBail: false, apply: (t) => (t.includes('\r\n') ? undefined : t.replace(/\n/g, '\r\n')) },
  {
    name: 'a lone CR',
    mustBail: true,
    apply: (t, r) => {
      const breaks = [...t.matchAll(/(?<!\r)\n(?!\n|$)/g)].map((m) => m.index)
      if (breaks.length === 0) return undefined
      const i = pick(r, breaks)
      return `${t.slice(0, i)}\r${t.slice(i + 1)}`
    },
  },
  { name: 'a byte order mark', mustBail: true, apply: (t) => `\uFEFF${t}` },
  { name: 'a directive', mustBail: true, apply: (t) => (t.startsWith('#') ? undefined : `%YAML 1.1\n---\n${t}`) },
  { name: 'a document end marker', mustBail: true, apply: (t) => `${t}...\n` },
  { name: 'the root indented', mustBail: true, apply: (t) => t.replace(/^(?=[^\s#])/gm, '  ') },
  { name: 'items null', mustBail: true, apply: (t) => (/^items:\s*$/m.test(t) ? t.replace(/^items:.*$/m, 'items: ~') : undefined) },
  {
    name: 'results at some place',
    mustBail: false,
    apply: (t, r) => {
      const lines = linesOf(t)
      if (lines.some((l) => l.startsWith('results:'))) return undefined
      const at = lines.map((l, i) => (/^[a-z]/.test(l) && i > 0 ? i : -1)).filter((i) => i >= 0)
      const eol = eolOf(lines[0]!) || '\n'
      const i = pick(r, [...at, lines.length])
      const results = pick(r, ['results: []', 'results:\n- message: x', 'results:\n  - message: |\n      x\n  # after', 'results:\n- message: |+\n    kept\n', 'results: # none\n'])
      lines.splice(i, 0, `${results.replace(/\n/g, eol)}${eol}`)
      return lines.join('')
    },
  },
  {
    name: 'junk inserted',
    mustBail: false,
    apply: (t, r) => {
      const i = Math.floor(r() * (t.length + 1))
      return t.slice(0, i) + pick(r, [':', '-', '[', ']', '{', '}', '&a', '*a', '!!', '|', '>', '#', '"', "'", '\t', '\n', '? ', '%', '@', '`', ',', '\n  ', '\n- ', '~: ', '0o7', ' 12345678901234567890']) + t.slice(i)
    },
  },
  ...LINE_MUTATIONS,
]

test('ResourceList scan: on mutated ResourceLists it bails or agrees, and it bails when what it relies on goes wrong', (t) => {
  const r = prng(SEED + 3)
  const small = (() => {
    const g = prng(SEED + 4)
    return Array.from({ length: 200 }, () => generatedList(g, 1 + Math.floor(g() * 4)))
  })()
  const seeds = [...small, ...CORPUS.filter((c) => c.path.startsWith('examples/')).map((c) => asResourceList(c.text))]
  const perMutation = new Map<string, Record<Verdict, number>>()
  for (let i = 0; i < 2500; i++) {
    const mutation = pick(r, MUTATIONS)
    const seed = pick(r, seeds)
    const mutated = mutation.apply(seed, r)
    if (mutated === undefined) continue
    // Only mutations of ResourceLists the scan reads are telling for the ones that must make it bail.
    if (mutation.mustBail && resourceListLayout(seed) === undefined) continue
    const v = verdict(mutated, pick(r, [{ allowEmpty: true }, {}]))
    if (mutation.mustBail) assert.equal(v, 'bail', `${mutation.name}:\n${mutated}`)
    const counts = perMutation.get(mutation.name) ?? { bail: 0, agree: 0, invalid: 0 }
    counts[v]++
    perMutation.set(mutation.name, counts)
  }
  t.diagnostic(JSON.stringify(Object.fromEntries(perMutation)))
  for (const m of MUTATIONS) {
    const counts = perMutation.get(m.name)
    assert.ok((counts?.bail ?? 0) + (counts?.agree ?? 0) > 0, `${m.name} was exercised`)
    // A mutation that may keep the layout readable is read by the scan at least sometimes.
    if (!m.mustBail) assert.ok((counts?.agree ?? 0) > 0, `${m.name}: some mutated ResourceLists are read by the scan`)
  }
})

// ---------------------------------------------------------------------------
// The trade-off, pinned, and the reading of items we own.

test('ResourceList scan: invalid YAML deep in any item leaves the list to the whole parse, which refuses it (issue 13)', () => {
  const [policy] = POLICIES
  const broken = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\ndata:\n  a: b: c\n'
  const list = (docs: string[]): string => wrap(docs, BASE)
  // Behaviour change: an item we do not own used to pass through as it came.
  const passed = list([policy!, broken])
  assert.equal(verdict(passed, {}), 'bail')
  const out = run({ inputs: [{ text: passed }], now: NOW, flags: { targetRelease: '4.19' } })
  assert.equal(out.exitCode, 1)
  assert.ok(!out.output.includes('kind: MachineConfig'), 'no MachineConfigs')
  assert.ok(out.issues.some((i) => i.code === 'yaml'))
  assert.ok(parseOne(passed, { index: 0 }).issues.length > 0, 'the whole parse refuses it')
  // In an item we own, the scan gives up and the whole parse words the error.
  const owned = list([policy!.replace('scopes:', 'scopes: b: c\n  old:')])
  assert.equal(verdict(owned, {}), 'bail')
  const refused = run({ inputs: [{ text: owned }], now: NOW, flags: { targetRelease: '4.19' } })
  assert.equal(refused.exitCode, 1)
  assert.ok(refused.issues.some((i) => i.code === 'yaml'))
})

test('ResourceList scan: items we own get the values of the whole parse, where js-yaml and the yaml package read differently too', () => {
  const [policy] = POLICIES
  // Each in a field of a policy we own: the value is what the yaml package reads.
  const values = ['12345678901234567890', '0o644', '-0o7', '0x1FFFFFFFFFFFFFFFF', '!!binary aGk=', '!!set {a, b}', '{? [a] : 1}', '{~: 1}', '{null: 1}', '[[a]: 1]', '{__proto__: {a: 1}}']
  for (const value of values) {
    const text = wrap([policy!.replace(/^spec:\n/m, `spec:\n  odd: ${value}\n`)], BASE)
    const v = verdict(text, {})
    assert.equal(v, 'agree', value)
  }
})
