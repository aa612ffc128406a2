// Measures what each YAML library does to the pass-through corpus
// (test/fixtures/passthrough/): the README's measured reason for reading with
// `yaml` (eemeli) and for writing kept items as their source text.
//
//   node scripts/yaml-library-check.mjs            reading and round-trip tables
//   node scripts/yaml-library-check.mjs --speed    also parse time of a ~10 MB stream
//
// The reference is Kubernetes' reading: sigs.k8s.io/yaml decodes with go-yaml v2
// into interface{}. The rules below are transcribed from go-yaml v2's resolve.go
// and decode.go: YAML 1.1 booleans and nulls, `0644` octal, integers up to
// uint64, no base 60, an untagged timestamp kept as its source string, `!!binary`
// decoded, `<<` merge keys; map keys become strings, as in the JSON it produces.
// Scalars are read raw (yaml's failsafe schema), so neither library under test
// decides what the reference says.

import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import jsYaml from 'js-yaml'
import { Parser, parseAllDocuments, parseDocument, isAlias, isMap, isScalar, isSeq } from 'yaml'

const DIR = 'test/fixtures/passthrough'
const BIN = 'dist/imagepolicy-mc.js'
const version = (name) => JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')).version

// ---------------------------------------------------------------------------
// Reference: go-yaml v2 as Kubernetes uses it. Leaves are { v, kind } where v is
// a normalized value and kind names the source form (for the report).

const BOOLS = new Map([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map((s) => [s, true]),
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map((s) => [s, false]),
])
const NULLS = new Set(['', '~', 'null', 'Null', 'NULL'])
const SPECIAL_FLOATS = new Map([
  ...['.nan', '.NaN', '.NAN'].map((s) => [s, NaN]),
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map((s) => [s, Infinity]),
  ...['-.inf', '-.Inf', '-.INF'].map((s) => [s, -Infinity]),
])
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/
const TIMESTAMP = /^\d{4}-\d\d?-\d\d?(?:(?:[Tt]|[ \t]+)\d\d?:\d\d?:\d\d?(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d\d?(?::\d\d)?))?)?$/
const INT64_MIN = -(2n ** 63n)
const UINT64_MAX = 2n ** 64n - 1n

/** Go's strconv.ParseInt/ParseUint with base 0 (prefixes 0x, 0o, 0b, and 0 for octal), within uint64/int64. */
function goParseInt(s) {
  const m = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s)
  if (m === null) return undefined
  let digits = m[2]
  if (/^0[0-7]+$/.test(digits)) digits = `0o${digits.slice(1)}`
  const n = BigInt(digits.toLowerCase()) * (m[1] === '-' ? -1n : 1n)
  return n >= INT64_MIN && n <= UINT64_MAX ? n : undefined
}

function num(n) {
  if (typeof n === 'bigint') return `n:${n}`
  if (Number.isNaN(n)) return 'n:NaN'
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 63) return `n:${BigInt(n)}`
  return `n:${n}`
}

function kindOfPlain(s) {
  if (BOOLS.has(s)) return /^(true|false)$/i.test(s) ? 'bool' : 'YAML 1.1 boolean (yes/no/on/off/y/n)'
  if (NULLS.has(s)) return s === '' || s === 'null' ? 'null' : 'null spelled ~ or Null'
  if (TIMESTAMP.test(s)) return 'timestamp'
  const plain = s.replaceAll('_', '')
  if (/^[-+]?0[0-7]+$/.test(plain)) return 'octal (0644)'
  if (/^[-+]?0[xX]/.test(plain)) return 'hex (0x1F)'
  if (/^[-+]?0[bB]/.test(plain)) return 'binary int (0b1010)'
  if (/^[-+]?0[oO]/.test(plain)) return 'octal (0o644)'
  if (/^[-+]?[0-9]+$/.test(plain)) {
    if (BigInt(plain) > 2n ** 53n || BigInt(plain) < -(2n ** 53n)) return 'integer beyond 2^53'
    return s.includes('_') ? 'int with _ (1_000)' : 'int'
  }
  if (/:/.test(s) && /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$/.test(s)) return 'base 60 (12:30)'
  if (YAML_STYLE_FLOAT.test(plain) || SPECIAL_FLOATS.has(s)) return 'float'
  return 'string'
}

/** go-yaml v2 resolve() for an untagged plain scalar, as decoded into interface{}. */
function resolvePlain(s) {
  if (BOOLS.has(s)) return `b:${BOOLS.get(s)}`
  if (NULLS.has(s)) return null
  if (SPECIAL_FLOATS.has(s)) return num(SPECIAL_FLOATS.get(s))
  if (s === '<<') return 's:<<'
  const c = s[0]
  if (c === '.') {
    const f = Number(s)
    return Number.isNaN(f) ? `s:${s}` : num(f)
  }
  if (c !== undefined && /[-+0-9]/.test(c)) {
    if (TIMESTAMP.test(s)) return `s:${s}` // resolved as a timestamp, decoded into interface{} as its text
    const plain = s.replaceAll('_', '')
    const i = goParseInt(plain)
    if (i !== undefined) return num(i)
    if (YAML_STYLE_FLOAT.test(plain)) return num(Number(plain))
    if (/^-?0b[01]+$/.test(plain)) return num(BigInt(plain.replace('-', '')) * (plain.startsWith('-') ? -1n : 1n))
  }
  return `s:${s}`
}

function bytes(b64) {
  return `x:${Buffer.from(b64.replace(/\s+/g, ''), 'base64').toString('hex')}`
}

function kubernetesRead(text) {
  return parseAllDocuments(text, { version: '1.1', schema: 'failsafe', uniqueKeys: false, prettyErrors: false }).map((doc) => {
    const cache = new Map()
    const read = (node) => {
      if (node === null || node === undefined) return { v: null, kind: 'null' }
      if (isAlias(node)) return read(node.resolve(doc))
      if (cache.has(node)) return cache.get(node)
      let out
      if (isScalar(node)) {
        const s = String(node.value ?? '')
        const tag = node.tag
        if (tag === 'tag:yaml.org,2002:binary') out = { v: bytes(s), kind: '!!binary' }
        else if (tag === 'tag:yaml.org,2002:str') out = { v: `s:${s}`, kind: 'tagged' }
        else if (tag === 'tag:yaml.org,2002:int' || tag === 'tag:yaml.org,2002:float' || tag === 'tag:yaml.org,2002:bool') {
          const r = resolvePlain(s)
          out = { v: tag.endsWith('float') && r?.startsWith('n:') ? num(Number(r.slice(2))) : r, kind: 'tagged' }
        } else if (tag !== undefined && tag !== '!') out = { v: `s:${s}`, kind: 'tagged' }
        else if (node.type === 'PLAIN' && tag === undefined) out = { v: resolvePlain(s), kind: kindOfPlain(s) }
        else out = { v: `s:${s}`, kind: 'quoted string' }
      } else if (isSeq(node)) {
        out = node.items.map(read)
      } else if (isMap(node)) {
        const explicit = {}
        const merged = {}
        for (const pair of node.items) {
          const key = read(pair.key)
          const isMerge = isScalar(pair.key) && pair.key.type === 'PLAIN' && pair.key.value === '<<'
          if (isMerge) {
            // Earlier maps in a merge list win; explicit keys win over all of them.
            const sources = isSeq(pair.value) ? pair.value.items : [pair.value]
            for (const src of [...sources].reverse()) Object.assign(merged, read(src))
            continue
          }
          explicit[keyString(key)] = read(pair.value)
        }
        out = { ...merged, ...explicit }
      }
      cache.set(node, out)
      return out
    }
    return read(doc.contents)
  })
}

/** A resolved key as the JSON key sigs.k8s.io/yaml makes of it. */
function keyString(key) {
  const v = key?.v ?? null
  if (v === null) return 'null'
  return typeof v === 'string' ? v.slice(2) : String(v)
}

// ---------------------------------------------------------------------------
// The values a library produced, normalized like the reference leaves.

function normalize(value) {
  if (value === null || value === undefined) return null
  if (typeof value === 'boolean') return `b:${value}`
  if (typeof value === 'number' || typeof value === 'bigint') return num(value)
  if (typeof value === 'string') return `s:${value}`
  if (value instanceof Date) return `d:${value.toISOString()}`
  if (value instanceof Uint8Array) return `x:${Buffer.from(value).toString('hex')}`
  if (Array.isArray(value)) return value.map(normalize)
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), normalize(v)]))
  if (value instanceof Set) return Object.fromEntries([...value].map((k) => [String(k), null]))
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]))
}

/** A reference tree as normalized values (to compare a round trip read back by the reference). */
function denormalize(tree) {
  if (tree === null || typeof tree !== 'object') return tree
  if ('kind' in tree && 'v' in tree && Object.keys(tree).length === 2) return tree.v
  if (Array.isArray(tree)) return tree.map(denormalize)
  return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, denormalize(v)]))
}

/** Differences between a reference tree and a normalized value, as [kind, path, expected, actual]. */
function diff(ref, got, path = '', out = []) {
  if (ref !== null && typeof ref === 'object' && 'kind' in ref && !Array.isArray(ref) && Object.keys(ref).length === 2 && 'v' in ref) {
    const same = Object.is(ref.v, got) || ref.v === got || (ref.v === 'n:NaN' && got === 'n:NaN')
    if (!same) out.push([kindOf(ref, got), path, ref.v, got])
    return out
  }
  if (Array.isArray(ref)) {
    if (!Array.isArray(got)) return out.push(['structure', path, 'a list', JSON.stringify(got)]), out
    ref.forEach((r, i) => diff(r, got[i], `${path}[${i}]`, out))
    return out
  }
  if (ref === null || typeof ref !== 'object') return out
  if (got === null || typeof got !== 'object' || Array.isArray(got)) return out.push(['structure', path, 'a map', JSON.stringify(got)]), out
  for (const key of Object.keys(ref)) {
    if (!(key in got)) out.push(['map key spelled as a YAML 1.1 word or number', `${path}.${key}`, `key ${JSON.stringify(key)}`, `keys ${JSON.stringify(Object.keys(got).filter((k) => !(k in ref)))}`])
    else diff(ref[key], got[key], `${path}.${key}`, out)
  }
  return out
}

function kindOf(ref, got) {
  if (typeof got === 'string' && got.startsWith('d:')) return 'timestamp'
  return ref.kind
}

// ---------------------------------------------------------------------------
// Comments: tokens of type `comment` in the CST (so `#` inside a block scalar is not one).

function countComments(text) {
  let n = 0
  const walk = (t) => {
    if (Array.isArray(t)) return t.forEach(walk)
    if (t === null || typeof t !== 'object') return
    if (t.type === 'comment') n++
    for (const v of Object.values(t)) if (typeof v === 'object') walk(v)
  }
  for (const token of new Parser().parse(text)) walk(token)
  return n
}

// ---------------------------------------------------------------------------

const YAML_READ = {
  version: '1.1',
  customTags: (tags) => tags.filter((t) => t.tag !== 'tag:yaml.org,2002:timestamp' && t.format !== 'TIME'),
  intAsBigInt: true,
}

// Our fast path: js-yaml with src/io/kubernetes-schema.ts (go-yaml v2's resolve
// rules), falling back to the `yaml` reader for a file js-yaml refuses.
const { build: esbuild } = await import('esbuild')
await esbuild({ entryPoints: ['src/io/kubernetes-schema.ts'], outfile: 'build/kubernetes-schema.mjs', bundle: true, format: 'esm', platform: 'node', packages: 'external', logLevel: 'warning' })
const { KUBERNETES_SCHEMA } = await import(new URL('../build/kubernetes-schema.mjs', import.meta.url).href)

const readers = {
  [`js-yaml ${version('js-yaml')} load`]: (text) => jsYaml.loadAll(text),
  [`js-yaml + Kubernetes schema (ours)`]: (text) => {
    try {
      return jsYaml.loadAll(text, undefined, { schema: KUBERNETES_SCHEMA })
    } catch {
      return parseAllDocuments(text, { ...YAML_READ, prettyErrors: false }).map((d) => d.toJS({ mapAsMap: true, maxAliasCount: -1 }))
    }
  },
  [`yaml ${version('yaml')}, our settings`]: (text) =>
    parseAllDocuments(text, { ...YAML_READ, prettyErrors: false }).map((d) => d.toJS({ mapAsMap: true, maxAliasCount: -1 })),
}

// Writers that re-serialize what they read. Documents are joined with `...` so
// that each may carry its own directives.
const writers = {
  [`js-yaml dump(load(x))`]: (text) => jsYaml.loadAll(text).map((d) => jsYaml.dump(d, { lineWidth: -1 })).join('...\n'),
  [`yaml parse + toString (old writer)`]: (text) =>
    parseAllDocuments(text, { version: '1.1', prettyErrors: false })
      .map((d) => d.toString({ lineWidth: 0, indentSeq: false }))
      .join('...\n'),
}

const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort()
const corpus = files.map((f) => ({ name: f, text: readFileSync(`${DIR}/${f}`, 'utf8') }))
const reference = new Map(corpus.map((c) => [c.name, kubernetesRead(c.text)]))
const docCount = [...reference.values()].reduce((n, docs) => n + docs.length, 0)
const commentCount = corpus.reduce((n, c) => n + countComments(c.text), 0)

/** Compares, document by document, what produce() returns (normalized values) with the reference. */
function compare(produce) {
  const byKind = new Map()
  let changedDocs = 0
  let failedFiles = 0
  for (const { name, text } of corpus) {
    let docs
    try {
      docs = produce(text)
    } catch (e) {
      failedFiles++
      const list = byKind.get('file refused (a parse error)') ?? []
      list.push([name, '', '', String(e.message).split('\n')[0]])
      byKind.set('file refused (a parse error)', list)
      continue
    }
    const ref = reference.get(name).filter((d) => d !== null && !(d.v === null && d.kind === 'null'))
    const got = docs.filter((d) => d !== null && d !== undefined)
    ref.forEach((r, i) => {
      const d = diff(r, got[i])
      if (d.length > 0) changedDocs++
      for (const entry of d) {
        const list = byKind.get(entry[0]) ?? []
        list.push([name, ...entry.slice(1)])
        byKind.set(entry[0], list)
      }
    })
  }
  return { byKind, changedDocs, failedFiles }
}

function report(title, results) {
  console.log(`\n${title}`)
  const kinds = [...new Set(Object.values(results).flatMap((r) => [...r.byKind.keys()]))].sort()
  const names = Object.keys(results)
  const width = Math.max(44, ...kinds.map((k) => k.length + 2))
  console.log(`  ${''.padEnd(width)}${names.map((n) => n.padEnd(30)).join('')}`)
  console.log(`  ${'documents whose value changed'.padEnd(width)}${names.map((n) => `${results[n].changedDocs} of ${docCount}`.padEnd(30)).join('')}`)
  for (const k of kinds) console.log(`  ${k.padEnd(width)}${names.map((n) => String(results[n].byKind.get(k)?.length ?? 0).padEnd(30)).join('')}`)
  for (const n of names) {
    for (const k of kinds) {
      const first = results[n].byKind.get(k)?.[0]
      if (first !== undefined) console.log(`    e.g. ${n}, ${k}: ${first[0]} ${first[1]}: ${first[2]} → ${first[3]}`)
    }
  }
}

console.log(`YAML library check: ${files.length} files, ${docCount} documents, ${commentCount} comments in ${DIR}`)
console.log(`Reference: Kubernetes' reading (go-yaml v2 rules, see the header of this script).`)

report(
  'Reading: leaf values that differ from Kubernetes\' reading',
  Object.fromEntries(Object.entries(readers).map(([n, f]) => [n, compare((text) => f(text).map(normalize))])),
)

const roundTrips = Object.fromEntries(Object.entries(writers).map(([n, f]) => [n, compare((text) => kubernetesRead(f(text)).map(denormalize))]))
report('Writing: read, re-serialize, read back as Kubernetes would (what a re-serializing writer changes)', roundTrips)

console.log('\nComments and bytes after a round trip')
for (const [n, f] of Object.entries(writers)) {
  let kept = 0
  let same = 0
  for (const { text } of corpus) {
    let out
    try {
      out = f(text)
    } catch {
      continue
    }
    kept += countComments(out)
    if (out === text) same++
  }
  console.log(`  ${n.padEnd(40)} comments kept ${kept} of ${commentCount}; files byte-identical ${same} of ${files.length}`)
}
if (existsSync(BIN)) {
  // Our writer, measured on the built CLI: each file must come out as its own prefix.
  let kept = 0
  let same = 0
  const differing = []
  for (const { name, text } of corpus) {
    const r = spawnSync(process.execPath, [BIN], { input: text, encoding: 'utf8', maxBuffer: 1 << 28 })
    const expected = text.endsWith('\n') ? text : text + (text.includes('\r\n') ? '\r\n' : '\n')
    if (r.status === 0 && r.stdout.startsWith(expected)) {
      same++
      kept += countComments(text)
    } else {
      differing.push(name)
    }
  }
  console.log(`  ${'imagepolicy-mc (dist/, source text)'.padEnd(40)} comments kept ${kept} of ${commentCount}; files byte-identical ${same} of ${files.length} (then the MachineConfigs)`)
  if (differing.length > 0) console.log(`    not byte-identical through the CLI: ${differing.join(', ')}`)
} else {
  console.log(`  imagepolicy-mc: run \`npm run build\` first to measure it too`)
}

if (process.argv.includes('--speed')) speed()

function speed() {
  const docs = []
  for (let i = 0; i < 10000; i++) {
    docs.push(
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${i}\n  namespace: team-${i % 50}\n  labels:\n    app.kubernetes.io/name: app-${i}\n  annotations:\n    note: "${'x'.repeat(600)}"\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - name: app\n        image: registry.example.com/shop/app-${i}@sha256:${'ab'.repeat(32)}\n        args: ["--port", "8080"]\n        env:\n        - name: MODE\n          value: production\n      volumes:\n      - name: config\n        configMap:\n          name: app-${i}\n          defaultMode: 0644\n`,
    )
  }
  const text = docs.join('---\n')
  const mb = (text.length / 1e6).toFixed(1)
  const time = (f) => {
    f()
    const t = performance.now()
    f()
    return performance.now() - t
  }
  console.log(`\nParse time, ${docs.length} documents, ${mb} MB (second of two runs)`)
  const rows = {
    'yaml parseAllDocuments + toJS': () => parseAllDocuments(text, { ...YAML_READ, prettyErrors: false }).forEach((d) => d.toJS()),
    'yaml parseDocument per document + toJS': () => docs.forEach((d) => parseDocument(d, { ...YAML_READ, prettyErrors: false }).toJS()),
    'yaml CST only (Parser)': () => {
      for (const _ of new Parser().parse(text));
    },
    'js-yaml loadAll': () => jsYaml.loadAll(text),
    'js-yaml loadAll, Kubernetes schema (ours)': () => jsYaml.loadAll(text, undefined, { schema: KUBERNETES_SCHEMA }),
  }
  for (const [name, f] of Object.entries(rows)) console.log(`  ${name.padEnd(44)}${time(f).toFixed(0).padStart(6)} ms`)
}
