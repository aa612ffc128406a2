// The header scan (src/io/resource-header.ts) against the full parse: whenever
// it reads a header, the header gives the same answers as the parsed value to
// everything downstream asks of a resource we do not own; and a run reads the
// same output with or without it. Checked on every fixture and example, on the
// benchmark's typical stream, and on seeded generated and mutated documents.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { refOf, roleOf } from '../src/io/item-kinds.ts'
import { isObject } from '../src/is-object.ts'
import { readDocument, readInputs, readValue, resourcesOf, splitDocuments, type DocumentReader, type InputText, type ResourceListReader } from '../src/io/read.ts'
import { resourceHeader } from '../src/io/resource-header.ts'
import type { PartialOptions } from '../src/options.ts'
import { declaredNamespaces } from '../src/review/guardrails.ts'
import { run, runRead } from '../src/run.ts'
import { isGeneratedMachineConfig } from '../src/wrap/machine-config.ts'
import { prng } from './prng.ts'
import { bare, CORPUS, eolOf, generatedDocument, LINE_MUTATIONS, linesOf, pick, TYPICAL, type Mutation, type Rand } from './yaml-samples.ts'

const SEED = 20261129

/** The reference: every document parsed whole, as readInputs did before the scan. */
const wholeDocuments: DocumentReader = (text, where) => ({ ...readValue(text, where), complete: true })
/** And a ResourceList too (resource-list-scan.test.ts checks its own scan). */
const wholeLists: ResourceListReader = () => undefined


// ---------------------------------------------------------------------------
// Document-level equivalence.

type Verdict = 'bail' | 'agree' | 'invalid'

/**
 * 'bail' when the scan reads no header; 'invalid' when it reads one but the full
 * parse refuses the document (allowed: unowned documents are not syntax-checked
 * beyond their header); 'agree' when header and value answer alike; otherwise
 * throws, saying where they differ.
 */
function verdict(text: string): Verdict {
  const header = resourceHeader(text)
  if (header === undefined) return 'bail'
  const full = readValue(text, { index: 0 })
  if (full.issues.length > 0) return 'invalid'
  const value = full.value
  const why = (what: string): string => `${what}: header ${JSON.stringify(header)}, value ${JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}\n--- document ---\n${text}`
  assert.ok(isObject(value), why('the document is not a mapping'))
  assert.equal(header.apiVersion, value['apiVersion'], why('apiVersion'))
  assert.equal(header.kind, value['kind'], why('kind'))
  const metadata = value['metadata']
  assert.equal(header.metadata !== undefined, isObject(metadata), why('metadata is a mapping'))
  if (header.metadata !== undefined && isObject(metadata)) {
    for (const key of ['name', 'namespace'] as const) {
      assert.equal(key in header.metadata, key in metadata, why(`metadata.${key} is present`))
      assert.equal(header.metadata[key], metadata[key], why(`metadata.${key}`))
    }
  }
  assert.equal(roleOf(header), roleOf(value), why('roleOf'))
  assert.deepEqual(refOf(header), refOf(value), why('refOf'))
  assert.deepEqual([...declaredNamespaces([header])], [...declaredNamespaces([value])], why('declaredNamespaces'))
  // Where readDocument hands on the header in place of the value, everything downstream asks of it.
  const read = readDocument(text, { index: 0 })
  if (!read.complete) {
    assert.deepEqual(read.value, header)
    assert.equal(isGeneratedMachineConfig(header), isGeneratedMachineConfig(value), why('isGeneratedMachineConfig'))
    assert.deepEqual(resourcesOf(header), [header], why('resourcesOf'))
    assert.equal(resourcesOf(value).length, 1, why('resourcesOf'))
  }
  return 'agree'
}

function tally(texts: readonly string[]): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { bail: 0, agree: 0, invalid: 0 }
  for (const text of texts) counts[verdict(text)]++
  return counts
}

test('header scan: agrees with the full parse on every fixture and example document', (t) => {
  const documents = CORPUS.flatMap((f) => splitDocuments(f.text))
  const counts = tally(documents)
  t.diagnostic(`${documents.length} documents: ${JSON.stringify(counts)}`)
  // Not vacuous: the scan reads a good share of the corpus.
  assert.ok(counts.agree >= 80, JSON.stringify(counts))
  assert.equal(counts.invalid, 0, 'no fixture document is invalid YAML')
})

test('header scan: reads every document of the typical bench stream, agreeing with the full parse', () => {
  const documents = splitDocuments(TYPICAL)
  assert.equal(documents.length, 234)
  assert.deepEqual(tally(documents), { bail: 0, agree: 234, invalid: 0 })
})

// ---------------------------------------------------------------------------
// Generated documents: header fields in every position and presentation, with
// look-alikes of them in nested nodes, comments and block scalars.

const GENERATED = (() => {
  const r = prng(SEED)
  return Array.from({ length: 3000 }, () => generatedDocument(r))
})()

test('header scan: agrees with the full parse on generated documents', (t) => {
  const counts = tally(GENERATED)
  t.diagnostic(JSON.stringify(counts))
  assert.equal(counts.invalid, 0, 'the generator writes valid YAML')
  // Both outcomes are common, or the generator tests nothing.
  assert.ok(counts.agree > GENERATED.length / 4 && counts.bail > GENERATED.length / 10, JSON.stringify(counts))
})

// ---------------------------------------------------------------------------
// Mutated documents: the scan bails or agrees. Mutations of the lines it reads
// must make it bail.



/** Replaces the first line matching `re` through `f`, or undefined when none does. */
function editLine(text: string, re: RegExp, f: (line: string, eol: string) => string): string | undefined {
  const lines = linesOf(text)
  const i = lines.findIndex((l) => re.test(bare(l)))
  if (i < 0) return undefined
  lines[i] = f(bare(lines[i]!), eolOf(lines[i]!) || '\n')
  return lines.join('')
}

const NON_STRINGS = ['yes', 'on', '~', '123', '1e3', '0x1f', '.5', 'null', 'true', '0644']

const MUTATIONS: readonly Mutation[] = [
  { name: 'a repeated kind', mustBail: true, apply: (t) => editLine(t, /^kind:/, (l, eol) => `${l}${eol}${l}`) },
  { name: 'a repeated apiVersion', mustBail: true, apply: (t) => editLine(t, /^apiVersion:/, (l, eol) => `${l}${eol}apiVersion: v2`) },
  { name: 'a repeated name', mustBail: true, apply: (t) => metadataChild(t, 'name', (l) => `${l}\n${l}`) },
  {
    name: 'a tab starting a line',
    mustBail: true,
    apply: (t, r) => {
      const lines = linesOf(t)
      const candidates = lines.map((l, i) => (bare(l).trim() !== '' ? i : -1)).filter((i) => i >= 0)
      if (candidates.length === 0) return undefined
      const i = pick(r, candidates)
      lines[i] = `\t${lines[i]!.trimStart()}`
      return lines.join('')
    },
  },
  { name: 'kind is not a string', mustBail: true, apply: (t, r) => editLine(t, /^kind:/, () => `kind: ${pick(r, NON_STRINGS)}`) },
  { name: 'apiVersion is not a string', mustBail: true, apply: (t, r) => editLine(t, /^apiVersion:/, () => `apiVersion: ${pick(r, NON_STRINGS)}`) },
  { name: 'name is not a string', mustBail: true, apply: (t, r) => metadataChild(t, 'name', (l) => l.replace(/name:.*/, `name: ${pick(r, NON_STRINGS)}`)) },
  { name: 'kind continues on the next line', mustBail: true, apply: (t) => editLine(t, /^kind:/, (l, eol) => `${bare(l).replace(/ *#.*$/, '')}${eol}  continued`) },
  { name: 'name continues on the next line', mustBail: true, apply: (t) => metadataChild(t, 'name', (l) => `${l.replace(/ *#.*$/, '')}\n${' '.repeat(l.search(/\S/) + 2)}continued`) },
  { name: 'a quoted kind key', mustBail: true, apply: (t, r) => editLine(t, /^kind:/, (l) => l.replace(/^kind/, pick(r, ['"kind"', "'kind'"]))) },
  { name: 'a quoted name key', mustBail: true, apply: (t) => metadataChild(t, 'name', (l) => l.replace('name:', '"name":')) },
  { name: 'flow metadata', mustBail: true, apply: (t) => replaceMetadata(t, 'metadata: {name: flow}') },
  { name: 'metadata as an alias', mustBail: true, apply: (t) => replaceMetadata(t, 'metadata: *m') },
  { name: 'an anchor on metadata', mustBail: true, apply: (t) => editLine(t, /^metadata:/, () => 'metadata: &m') },
  { name: 'a merge key in metadata', mustBail: true, apply: (t) => editLine(t, /^metadata:/, (l, eol) => `${l}${eol}  <<: {name: merged}`) },
  { name: 'a quoted scalar left open before a column-0 line', mustBail: false, apply: (t, r) => beforeColumn0(t, r, '  open: "it goes on') },
  { name: 'a flow collection left open before a column-0 line', mustBail: false, apply: (t, r) => beforeColumn0(t, r, pick(r, ['  open: [a,', '  open: {a: b,', '- [a,'])) },
  { name: 'a block scalar header before a column-0 line', mustBail: false, apply: (t, r) => beforeColumn0(t, r, pick(r, ['  text: |', '- >-', 'text: |'])) },
  {
    name: 'junk inserted',
    mustBail: false,
    apply: (t, r) => {
      const i = Math.floor(r() * (t.length + 1))
      return t.slice(0, i) + pick(r, [':', '-', '[', ']', '{', '}', '&a', '*a', '!!', '|', '>', '#', '"', "'", '\t', '\n', '? ', '%', '@', '`', ',', '\r', '\n  ', '\n- ']) + t.slice(i)
    },
  },
  ...LINE_MUTATIONS,
]

/** `text` with the line of key `key` of its top-level metadata mapping edited by `f`, or undefined when it has none. */
function metadataChild(text: string, key: string, f: (line: string) => string): string | undefined {
  const lines = linesOf(text)
  const start = lines.findIndex((l) => bare(l) === 'metadata:')
  if (start < 0) return undefined
  let indent = -1
  for (let i = start + 1; i < lines.length; i++) {
    const l = bare(lines[i]!)
    if (l.trim() === '' || l.trimStart().startsWith('#')) continue
    if (/^\S/.test(l)) return undefined
    const at = l.search(/\S/)
    if (indent < 0) indent = at
    if (at === indent && l.slice(at).startsWith(`${key}:`)) {
      lines[i] = f(l) + (eolOf(lines[i]!) || '\n')
      return lines.join('')
    }
  }
  return undefined
}

/** `text` with its metadata mapping (the key and its lines) replaced by one line. */
function replaceMetadata(text: string, replacement: string): string | undefined {
  const lines = linesOf(text)
  const start = lines.findIndex((l) => bare(l) === 'metadata:')
  if (start < 0) return undefined
  let end = start + 1
  while (end < lines.length && !/^[^\s#]/.test(lines[end]!)) end++
  lines.splice(start, end - start, `${replacement}\n`)
  return lines.join('')
}

/** `text` with `line` inserted right before one of its column-0 lines after the first. */
function beforeColumn0(text: string, r: Rand, line: string): string | undefined {
  const lines = linesOf(text)
  const at = lines.map((l, i) => (i > 0 && /^[A-Za-z]/.test(l) ? i : -1)).filter((i) => i >= 0)
  if (at.length === 0) return undefined
  lines.splice(pick(r, at), 0, `${line}\n`)
  return lines.join('')
}

test('header scan: on mutated documents it bails or agrees, and it bails when a line it reads goes wrong', (t) => {
  const r = prng(SEED + 1)
  const seeds = [...GENERATED.slice(0, 1000), ...splitDocuments(TYPICAL), ...CORPUS.flatMap((f) => splitDocuments(f.text))]
  const perMutation = new Map<string, Record<Verdict, number>>()
  for (let i = 0; i < 6000; i++) {
    const mutation = pick(r, MUTATIONS)
    const seed = pick(r, seeds)
    const mutated = mutation.apply(seed, r)
    if (mutated === undefined) continue
    // Only mutations that turn a document the scan reads into another are telling.
    if (mutation.mustBail && resourceHeader(seed) === undefined) continue
    const v = verdict(mutated)
    if (mutation.mustBail) assert.equal(v, 'bail', `${mutation.name}:\n${mutated}`)
    const counts = perMutation.get(mutation.name) ?? { bail: 0, agree: 0, invalid: 0 }
    counts[v]++
    perMutation.set(mutation.name, counts)
  }
  t.diagnostic(JSON.stringify(Object.fromEntries(perMutation)))
  // Every mutation was tried on documents the scan reads.
  for (const m of MUTATIONS) assert.ok((perMutation.get(m.name)?.bail ?? 0) > 0, `${m.name} was exercised`)
})

test('readDocument reads whole the kinds we own, MachineConfigs, ResourceLists and Lists', () => {
  const read = (apiVersion: string, kind: string) => readDocument(`apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: x\n`, { index: 0 })
  for (const kind of ['ImagePolicy', 'ClusterImagePolicy', 'Image', 'ImageDigestMirrorSet', 'ImageTagMirrorSet', 'ImageContentSourcePolicy', 'MachineConfig', 'ResourceList', 'List', 'ConfigMapList']) {
    for (const apiVersion of ['config.openshift.io/v1', 'operator.openshift.io/v1alpha1', 'example.com/v1']) {
      const got = read(apiVersion, kind)
      assert.equal(got.complete, true, `${apiVersion} ${kind}`)
      assert.deepEqual(got.value, { apiVersion, kind, metadata: { name: 'x' } })
    }
  }
  const other = read('v1', 'ConfigMap')
  assert.equal(other.complete, false)
  assert.deepEqual(other.value, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } })
})

// ---------------------------------------------------------------------------
// Run-level equivalence: the same output and issues with and without the scan.

function assertSameRun(inputs: readonly InputText[], flags: PartialOptions, label: string): void {
  const now = new Date('2026-01-01T00:00:00Z')
  const fast = runRead(readInputs(inputs), { flags: { targetRelease: '4.19', ...flags }, now })
  const whole = runRead(readInputs(inputs, wholeDocuments, wholeLists), { flags: { targetRelease: '4.19', ...flags }, now })
  assert.equal(fast.exitCode, whole.exitCode, `${label}: exit code`)
  assert.deepEqual(fast.issues, whole.issues, `${label}: issues`)
  assert.equal(fast.output, whole.output, `${label}: output`)
}

test('run: the typical bench stream gives the same output with and without the header scan', () => {
  const inputs = [{ text: TYPICAL }]
  const read = readInputs(inputs)
  assert.equal(read.envelope.shape, 'stream')
  const documents = read.envelope.shape === 'stream' ? read.envelope.documents : []
  // The 200 Deployments and 10 Namespaces are read by their header; the policies whole.
  assert.equal(documents.filter((d) => !d.complete).length, 210)
  assert.ok(documents.filter((d) => d.complete).every((d) => roleOf(d.value) === 'policy'))
  const out = run({ inputs, flags: { targetRelease: '4.19' } })
  assert.equal(out.exitCode, 0)
  assert.ok(out.output.startsWith(TYPICAL))
  assertSameRun(inputs, {}, 'typical')
  assertSameRun(inputs, { emitPolicies: false }, 'typical, without policies')
})

test('run: every fixture and example gives the same output with and without the header scan', () => {
  for (const { path, text } of CORPUS) assertSameRun([{ text, path }], { allowEmpty: true }, path)
})

test('run: generated streams give the same output with and without the header scan', () => {
  const r = prng(SEED + 2)
  const policies = splitDocuments(TYPICAL).filter((d) => /kind: (Cluster)?ImagePolicy/.test(d))
  for (let i = 0; i < 40; i++) {
    const docs = Array.from({ length: 20 }, () => pick(r, GENERATED).replace(/^(?!---)/, '---\n'))
    docs.splice(Math.floor(r() * docs.length), 0, ...policies.slice(0, 1 + Math.floor(r() * policies.length)))
    assertSameRun([{ text: docs.join('') }], { allowEmpty: true }, `generated stream ${i}`)
  }
})

// ---------------------------------------------------------------------------
// The trade-off, pinned: a document we do not own is not checked beyond its header.

test('run: invalid YAML deep in a document we do not own is refused (issue 13), naming it; in one we own too', () => {
  const policy = splitDocuments(TYPICAL).find((d) => d.includes('kind: ClusterImagePolicy'))!
  const broken = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\ndata:\n  a: b: c\n'
  // Behaviour change: it used to pass through as it came (only its header was read).
  const passed = run({ inputs: [{ text: `${policy}---\n${broken}` }], flags: { targetRelease: '4.19' } })
  assert.equal(passed.exitCode, 1)
  assert.equal(passed.output, '')
  assert.ok(passed.issues.some((i) => i.code === 'yaml' && i.resource?.kind === 'ConfigMap' && i.resource.name === 'broken'), JSON.stringify(passed.issues))
  assert.ok(readValue(broken, { index: 0 }).issues.length > 0, 'the full parse refuses it')
  // Documents whose header the scan cannot read are still parsed and checked.
  const refused = run({ inputs: [{ text: `${policy}---\n${broken.replace('kind: ConfigMap', 'kind: ImagePolicy').replace('apiVersion: v1', 'apiVersion: config.openshift.io/v1')}` }], flags: { targetRelease: '4.19' } })
  assert.equal(refused.exitCode, 1)
  assert.ok(refused.issues.some((i) => i.code === 'yaml'))
  const unreadable = run({ inputs: [{ text: `${policy}---\n${broken}kind: Again\n` }], flags: { targetRelease: '4.19' } })
  assert.equal(unreadable.exitCode, 1, 'a repeated top-level key is seen by the scan, and the full parse reports it')
  assert.ok(unreadable.issues.some((i) => i.code === 'yaml'))
})
