// Hostile input never crashes: a seeded fuzzer mutates the fixtures (bytes, lines,
// YAML structure, hostile values: wrong types, nulls, huge strings, deep nesting,
// duplicate keys, binary tags, anchors and alias bombs, non-UTF-8 bytes) and runs
// each through the CLI in-process; a few hand-picked hostile inputs also go through
// the built bundle. Every run must exit 0 or 1, print no stack trace or internal
// error, and leave stdout either empty or complete, parseable YAML: on exit 0
// every document of it parses (issue 13: a document we cannot parse is an error,
// whatever its kind); on exit 1 only a ResourceList comes back, its items as they
// came with the results.
// FUZZ_SEED and FUZZ_ITERATIONS override the defaults to explore further.

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { parse, parseAllDocuments, parseDocument, stringify } from 'yaml'
import { itemText, resourceListLayout } from '../src/io/resource-list-layout.ts'
import { prng } from './prng.ts'
import { runCli, type CliResult } from './run-cli.ts'

const SEED = Number(process.env['FUZZ_SEED'] ?? 20261128)
const ITERATIONS = Number(process.env['FUZZ_ITERATIONS'] ?? 3000)
const BUNDLE = 'dist/imagepolicy-mc.js'

test('prng is deterministic and spread over [0, 1)', () => {
  const a = prng(42)
  const b = prng(42)
  const xs = Array.from({ length: 1000 }, () => a())
  assert.deepEqual(xs.slice(0, 5), Array.from({ length: 5 }, () => b()))
  assert.ok(xs.every((x) => x >= 0 && x < 1))
  assert.ok(Math.abs(xs.reduce((s, x) => s + x, 0) / xs.length - 0.5) < 0.05)
})


/** The seeds: every golden input, the validation baselines and a spread of conformance cases as streams. */
function corpus(): string[] {
  const out: string[] = []
  const golden = 'test/fixtures/golden'
  if (existsSync(golden)) for (const name of readdirSync(golden).sort()) out.push(readFileSync(join(golden, name, 'input.yaml'), 'utf8'))
  const conformance = 'test/fixtures/conformance'
  if (existsSync(conformance)) {
    const names = readdirSync(conformance).sort()
    for (let i = 0; i < names.length; i += 5) {
      const c = parse(readFileSync(join(conformance, names[i]!, 'case.yaml'), 'utf8')) as Record<string, unknown[] | undefined>
      const docs = [...(c['clusterImagePolicies'] ?? []), ...(c['imagePolicies'] ?? []), ...(c['imageDigestMirrorSets'] ?? [])]
      const rs: Record<string, unknown> = {}
      for (const k of ['allowedRegistries', 'blockedRegistries', 'insecureRegistries']) if (c[k] !== undefined) rs[k] = c[k]
      if (Object.keys(rs).length > 0) docs.push({ apiVersion: 'config.openshift.io/v1', kind: 'Image', metadata: { name: 'cluster' }, spec: { registrySources: rs } })
      if (docs.length > 0) out.push(docs.map((d) => stringify(d)).join('---\n'))
    }
  }
  return out
}

const HUGE = 'A'.repeat(10 * 1024 * 1024)
/** The fuzz loop's big value: large enough to cross every length limit, small enough to run often. */
const BIG = 'A'.repeat(1024 * 1024)

/** Hostile values to put where a field was. */
function hostileValue(r: () => number): unknown {
  const pick = Math.floor(r() * 16)
  switch (pick) {
    case 0:
      return null
    case 1:
      return Math.floor(r() * 1e9) - 5e8
    case 2:
      return r() < 0.5
    case 3:
      return []
    case 4:
      return {}
    case 5:
      return ['a', 1, null, { x: [] }]
    case 6:
      return { spec: null, policy: 5 }
    case 7:
      return 'x'.repeat(Math.floor(r() * 20000))
    case 8:
      return '\u0000\u0007\u001b[31m\u2028\u202e<script>'
    case 9:
      return 1.5e308
    case 10:
      return '../../etc/passwd'
    case 11:
      return 'LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0K'
    case 12: {
      let v: unknown = 'leaf'
      for (let i = 0; i < 200; i++) v = [v]
      return v
    }
    case 13:
      return '*'
    case 14:
      return '-----BEGIN CERTIFICATE-----'
    default:
      return 'example.com'
  }
}

/** Every (container, key) pair of a parsed document, to pick one to replace. */
function slots(root: unknown): { parent: Record<string, unknown> | unknown[]; key: string | number }[] {
  const out: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = []
  const seen = new Set<unknown>()
  const walk = (v: unknown, depth: number): void => {
    if (typeof v !== 'object' || v === null || seen.has(v) || depth > 20) return
    seen.add(v)
    if (Array.isArray(v)) v.forEach((item, i) => (out.push({ parent: v, key: i }), walk(item, depth + 1)))
    else for (const [k, item] of Object.entries(v as Record<string, unknown>)) out.push({ parent: v as Record<string, unknown>, key: k }), walk(item, depth + 1)
  }
  walk(root, 0)
  return out
}

type Mutator = (text: string, r: () => number) => string

const pickIndex = (r: () => number, n: number): number => Math.floor(r() * n)

const MUTATORS: readonly Mutator[] = [
  // Bytes and lines.
  (t, r) => {
    const i = pickIndex(r, t.length + 1)
    return t.slice(0, i) + t.slice(i + 1 + pickIndex(r, 8))
  },
  (t, r) => {
    const i = pickIndex(r, t.length + 1)
    const junk = [':', '-', '[', ']', '{', '}', '&a', '*a', '!!', '|', '>', '#', '"', "'", '\t', '\n', '? ', '%', '@', '`', ',', '\u00ff', '\ufeff'][pickIndex(r, 23)]!
    return t.slice(0, i) + junk + t.slice(i)
  },
  (t, r) => t.slice(0, pickIndex(r, t.length + 1)),
  (t, r) => {
    const lines = t.split('\n')
    const i = pickIndex(r, lines.length)
    lines.splice(pickIndex(r, lines.length), 0, lines[i] ?? '')
    return lines.join('\n')
  },
  (t, r) => {
    const lines = t.split('\n')
    lines.splice(pickIndex(r, lines.length), 1 + pickIndex(r, 3))
    return lines.join('\n')
  },
  (t, r) => {
    const lines = t.split('\n')
    const i = pickIndex(r, lines.length)
    lines[i] = ' '.repeat(pickIndex(r, 6)) + (lines[i] ?? '').trimStart()
    return lines.join('\n')
  },
  // Structure: replace a field with a hostile value, in one document.
  (t, r) => {
    const docs = parseAllDocuments(t)
    if (!Array.isArray(docs) || docs.length === 0) return t
    const doc = docs[pickIndex(r, docs.length)]!
    let value: unknown
    try {
      value = doc.toJS({ maxAliasCount: 50 })
    } catch {
      return t
    }
    const all = slots(value)
    const slot = all[pickIndex(r, all.length)]
    if (slot === undefined) return t
    ;(slot.parent as Record<string | number, unknown>)[slot.key] = hostileValue(r)
    try {
      return docs.map((d) => (d === doc ? stringify(value) : String(d))).join('---\n')
    } catch {
      return t
    }
  },
  // YAML features a manifest should never need.
  (t, r) => {
    const extras = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n',
      'apiVersion: config.openshift.io/v1\nkind: ClusterImagePolicy\nmetadata: {name: dup, name: dup2}\nspec: {}\n',
      'apiVersion: config.openshift.io/v1\nkind: ClusterImagePolicy\nmetadata: {name: bin}\nspec:\n  scopes: [example.com]\n  policy:\n    rootOfTrust:\n      policyType: PublicKey\n      publicKey:\n        keyData: !!binary AAECAwQ=\n',
      'apiVersion: config.openshift.io/v1\nkind: ImagePolicy\nmetadata: {name: cyc, namespace: a}\nspec: &s\n  policy: *s\n  scopes: *s\n',
      'apiVersion: config.openshift.io/v1\nkind: ClusterImagePolicy\nmetadata: {name: n}\nspec: null\n',
      `apiVersion: config.openshift.io/v1\nkind: ClusterImagePolicy\nmetadata: {name: deep}\nspec:\n  scopes: ${'['.repeat(500)}${']'.repeat(500)}\n`,
      'apiVersion: config.openshift.io/v1\nkind: ImagePolicy\nmetadata: {name: p, namespace: ../../etc}\nspec: {scopes: [example.com], policy: {rootOfTrust: {policyType: PublicKey, publicKey: {keyData: eA==}}}}\n',
      '__proto__: {kind: ClusterImagePolicy}\napiVersion: config.openshift.io/v1\nkind: ClusterImagePolicy\nmetadata: {name: proto, __proto__: {name: x}}\nspec: {__proto__: {scopes: [a.b]}, scopes: [a.io], policy: {rootOfTrust: {policyType: PKI}}}\n',
      '? [complex, key]\n: value\n<<: {merge: key}\n!!set {a, b}\n',
      'apiVersion: config.openshift.io/v1\nkind: Image\nmetadata: {name: cluster}\nspec: {registrySources: {allowedRegistries: [1, null, "*"], blockedRegistries: 7}}\n',
      'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: 5\n',
      'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: [null, 5, {kind: ImagePolicy, apiVersion: config.openshift.io/v1}]\nfunctionConfig: {kind: ConfigMap, data: {validate: sometimes}}\n',
      'apiVersion: config.openshift.io/v1\nkind: ClusterImagePolicy\nmetadata: {name: tags}\nspec: !!str {scopes: !!seq [!!int 1]}\n',
      '%YAML 1.1\n---\n!<tag:yaml.org,2002:python/object> {a: 1}\n',
    ]
    const extra = extras[pickIndex(r, extras.length)]!
    return r() < 0.5 ? `${t}\n---\n${extra}` : extra
  },
]

function mutate(text: string, r: () => number): string {
  let out = text
  const rounds = 1 + pickIndex(r, 3)
  for (let i = 0; i < rounds; i++) out = MUTATORS[pickIndex(r, MUTATORS.length)]!(out, r)
  return out
}

// Most runs name a release that ships no policy of its own (4.19), so that the
// mutations reach rendering; the others take the default (the newest release)
// or its opt-out, whose check needs the release's ClusterImagePolicy openshift.
const PRE_421 = ['--target-release', '4.19']
const ARGS: readonly (readonly string[])[] = [
  [...PRE_421],
  [...PRE_421, '--validate=warn'],
  [...PRE_421, '--validate=ignore'],
  [...PRE_421, '--strict'],
  [...PRE_421, '--allow-empty'],
  [...PRE_421, '--validate=warn', '--strict'],
  [],
  ['--without-release-policy'],
  ['--target-release', '4.21', '--allow-empty'],
]

/**
 * Whether a ResourceList on stdout is broken only in items that are the input's
 * own, passed through byte for byte: without them, it parses.
 */
function brokenOnlyInPassedItems(text: string, input: string): boolean {
  const layout = resourceListLayout(text)
  if (layout === undefined || layout.items.style !== 'block') return false
  const { column, entries } = layout.items
  const kept: string[] = []
  let pos = 0
  for (const e of entries) {
    if (parseDocument(itemText(text, e, column)).errors.length === 0) continue
    // Byte for byte, but for the line break added after the input's last line.
    if (!input.includes(text.slice(e.from, e.end).replace(/\r?\n$/, ''))) return false
    kept.push(text.slice(pos, e.from))
    pos = e.end
  }
  kept.push(text.slice(pos))
  return kept.length > 1 && parseDocument(kept.join('')).errors.length === 0
}

/**
 * The properties every run must have; returns what is wrong, or undefined. On
 * exit 0, stdout parses, every document of it (issue 13: a document we cannot
 * parse is an error, whatever its kind; it used to pass through as it came). On
 * exit 1, a ResourceList comes back with its items unchanged and the results:
 * it may then be broken, but only in the input's own items, byte for byte.
 */
export function violation(run: CliResult, input = ''): string | undefined {
  if (run.code !== 0 && run.code !== 1) return `exit code ${run.code}`
  if (/^ {4}at /m.test(run.stderr)) return 'a stack trace on stderr'
  if (/internal (error|validation failure)/.test(run.stderr)) return 'an internal error on stderr'
  if (run.stdout === '') return undefined
  const docs = parseAllDocuments(run.stdout)
  if (!Array.isArray(docs)) return 'stdout is not a YAML stream'
  const passedThrough = (d: (typeof docs)[number]) =>
    run.code === 1 && brokenOnlyInPassedItems(run.stdout.slice(d.range[0], d.range[2]), input)
  const broken = docs.find((d) => d.errors.length > 0 && !passedThrough(d))
  if (broken !== undefined) return `${run.code === 0 ? 'exit 0, but ' : ''}stdout does not parse: ${broken.errors[0]!.message}`
  const values = docs.filter((d) => d.errors.length === 0).map((d) => d.toJS({ maxAliasCount: -1 }) as { kind?: unknown } | null)
  const brokenList = docs.some((d) => d.errors.length > 0 && brokenOnlyInPassedItems(run.stdout.slice(d.range[0], d.range[2]), input))
  const complete = brokenList || values.some((v) => v?.kind === 'ResourceList') || values.some((v) => v?.kind === 'MachineConfig')
  return complete ? undefined : 'stdout is neither a ResourceList nor a stream with its MachineConfigs'
}

test('violation() recognises each broken property', () => {
  assert.equal(violation({ code: 0, stdout: '', stderr: '' }), undefined)
  assert.equal(violation({ code: 2, stdout: '', stderr: '' }), 'exit code 2')
  assert.equal(violation({ code: 1, stdout: '', stderr: 'Error: x\n    at f (a.js:1:1)\n' }), 'a stack trace on stderr')
  assert.equal(violation({ code: 1, stdout: '', stderr: 'imagepolicy-mc: internal error: boom\n' }), 'an internal error on stderr')
  assert.match(violation({ code: 0, stdout: 'a: [\n', stderr: '' }) ?? '', /^exit 0, but stdout does not parse/)
  // A broken document on exit 0 is a violation, even one passed through as it came (issue 13).
  const out = 'kind: Deployment\nspec: [\n---\nkind: MachineConfig\n'
  assert.match(violation({ code: 0, stdout: out, stderr: '' }, 'kind: Deployment\nspec: [\n') ?? '', /^exit 0, but stdout does not parse/)
  // On exit 1, a ResourceList broken only in the input's own items is the input handed back.
  const list = (items: string): string => `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n${items}`
  const broken = '- kind: Deployment\n  spec: a: b\n'
  const results = 'results:\n- message: x\n'
  assert.equal(violation({ code: 1, stdout: list(broken) + results, stderr: '' }, list(broken)), undefined)
  assert.match(violation({ code: 0, stdout: list(broken) + results, stderr: '' }, list(broken)) ?? '', /^exit 0, but stdout does not parse/)
  assert.match(violation({ code: 1, stdout: list(broken) + results, stderr: '' }, list('- kind: Deployment\n  spec: a: c\n')) ?? '', /^stdout does not parse/)
  assert.match(violation({ code: 1, stdout: list(broken + '- kind: MachineConfig\n  metadata: [\n'), stderr: '' }, list(broken)) ?? '', /^stdout does not parse/)
  assert.match(violation({ code: 0, stdout: 'kind: Image\n', stderr: '' }) ?? '', /neither/)
  assert.equal(violation({ code: 0, stdout: 'kind: MachineConfig\n', stderr: '' }), undefined)
})

test(`fuzz: mutated fixtures through the CLI in-process (seed ${SEED})`, async (t) => {
  const seeds = corpus()
  assert.ok(seeds.length > 10, 'fixtures to mutate')
  const r = prng(SEED)
  const started = Date.now()
  const failures: string[] = []
  const exits = new Map<number, number>()
  let runs = 0
  // A fixed number of seeded inputs, never a clock budget: what is covered is the
  // same on every machine.
  for (let i = 0; i < ITERATIONS; i++) {
    const input = mutate(seeds[pickIndex(r, seeds.length)]!, r)
    const args = ARGS[pickIndex(r, ARGS.length)]!
    // Now and then the bytes are not UTF-8, or a value is enormous.
    const roll = r()
    const stdin: Uint8Array | string =
      roll < 0.02 ? Buffer.concat([Buffer.from(input), Buffer.from([0xc3, 0x28, 0xff])]) : roll < 0.03 ? `${input}\n---\nkind: ClusterImagePolicy\napiVersion: config.openshift.io/v1\nmetadata: {name: big}\nspec: {scopes: ["${BIG}"]}\n` : input
    let result: CliResult
    try {
      result = await runCli(args, stdin)
    } catch (e) {
      result = { code: -1, stdout: '', stderr: `threw: ${(e as Error).stack ?? String(e)}` }
    }
    runs++
    exits.set(result.code, (exits.get(result.code) ?? 0) + 1)
    const wrong = violation(result, typeof stdin === 'string' ? stdin : Buffer.from(stdin).toString('utf8'))
    if (wrong !== undefined && failures.length < 5) {
      const shown = typeof stdin === 'string' ? stdin : Buffer.from(stdin).toString('latin1')
      failures.push(`iteration ${i} (${args.join(' ')}): ${wrong}\n--- input (first 2000 chars) ---\n${shown.slice(0, 2000)}\n--- stderr ---\n${result.stderr.slice(0, 2000)}`)
    }
  }
  t.diagnostic(`${runs} runs in ${Date.now() - started} ms; exit codes ${JSON.stringify(Object.fromEntries(exits))}`)
  assert.equal(runs, ITERATIONS)
  // Both outcomes must be common, or the mutations are too weak (all pass) or too blunt (all fail).
  assert.ok((exits.get(0) ?? 0) > runs / 20 && (exits.get(1) ?? 0) > runs / 20, `exit codes ${JSON.stringify(Object.fromEntries(exits))}`)
  assert.deepEqual(failures, [], `${failures.length} crashing inputs (seed ${SEED}, ${runs} runs)`)
})

/** Hand-picked hostile inputs, as bytes. */
const HOSTILE: Record<string, Buffer> = {
  'not UTF-8': Buffer.from([0x61, 0x3a, 0x20, 0xc3, 0x28, 0x0a]),
  'a 10 MB string': Buffer.from(`apiVersion: config.openshift.io/v1\nkind: ClusterImagePolicy\nmetadata: {name: big}\nspec:\n  scopes: ["${HUGE}"]\n  policy: {rootOfTrust: {policyType: PublicKey, publicKey: {keyData: "${HUGE}"}}}\n`),
  'deep nesting': Buffer.from(`apiVersion: config.openshift.io/v1\nkind: ClusterImagePolicy\nmetadata: {name: deep}\nspec: ${'['.repeat(20000)}${']'.repeat(20000)}\n`),
  'an alias bomb': Buffer.from(`a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n`),
  'spec: null': Buffer.from('apiVersion: config.openshift.io/v1\nkind: ClusterImagePolicy\nmetadata: {name: n}\nspec: null\n'),
  'a number where a list goes': Buffer.from('apiVersion: config.openshift.io/v1\nkind: ImagePolicy\nmetadata: {name: n, namespace: a}\nspec: {scopes: 5, policy: {rootOfTrust: {policyType: PublicKey}}}\n'),
  'duplicate keys': Buffer.from('apiVersion: config.openshift.io/v1\nkind: ClusterImagePolicy\nmetadata: {name: a}\nmetadata: {name: b}\nspec: {}\n'),
  'a binary tag': Buffer.from('apiVersion: config.openshift.io/v1\nkind: ClusterImagePolicy\nmetadata: {name: b}\nspec: {scopes: [!!binary AAEC], policy: {rootOfTrust: {policyType: PublicKey, publicKey: {keyData: !!binary AAEC}}}}\n'),
  'malformed YAML': Buffer.from('apiVersion: [config\nkind: {\n'),
}

for (const [name, bytes] of Object.entries(HOSTILE)) {
  test(`hostile input in-process: ${name}`, async () => {
    const result = await runCli([], bytes)
    assert.equal(violation(result), undefined, result.stderr.slice(0, 2000))
    assert.equal(result.code, 1, 'refused')
    assert.notEqual(result.stderr, '', 'with a reason on stderr')
  })
}

test('hostile inputs through the built bundle', (t) => {
  if (!existsSync(BUNDLE)) {
    t.skip(`${BUNDLE} not built`)
    return
  }
  for (const [name, bytes] of Object.entries(HOSTILE)) {
    const out = spawnSync(process.execPath, [BUNDLE], { input: bytes, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 60_000 })
    const result = { code: out.status ?? -1, stdout: out.stdout, stderr: out.stderr }
    assert.equal(violation(result), undefined, `${name}: ${result.stderr.slice(0, 2000)}`)
    assert.equal(result.code, 1, `${name} is refused`)
    // Lines stay readable: no 10 MB value is echoed back.
    assert.ok(result.stderr.length < 100_000, `${name}: stderr is ${result.stderr.length} bytes`)
  }
})
