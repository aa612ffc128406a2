// Scale (issue 14): the helpers made faster for large inputs give what the
// straightforward implementations they replaced give, on seeded inputs (a fixed
// number of them, test/prng.ts). test/scale-equivalence.test.ts pins whole outputs.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { goJSONString } from '../src/upstream/go-json.ts'
import { marshalPolicy, namespacePolicyRenderer, renderClusterPolicy, type Policy } from '../src/render/policy-json.ts'
import type { Requirement } from '../src/resolve/requirement.ts'
import { analyzeScalar, PLAIN_SAFE, PLAIN_SAFE_ANALYSIS, sortYamlV2Keys, yamlV2Less } from '../src/upstream/yaml-v2.ts'
import { parseImageReference } from '../src/explain/policy-lookup.ts'
import { probeImages, scopeProbes, scopeShape } from '../src/review/shadowed-scopes.ts'
import { prng } from './prng.ts'

type Rand = () => number
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!
const word = (r: Rand, alphabet: readonly string[], max: number) => Array.from({ length: 1 + Math.floor(r() * max) }, () => pick(r, alphabet)).join('')

// ---------------------------------------------------------------------------
// yaml.v2 key order: the implementation before the speed work, kept as the reference.

const refIsLetter = (cp: number) => /^\p{L}$/u.test(String.fromCodePoint(cp))
const refIsDigit = (cp: number) => /^\p{Nd}$/u.test(String.fromCodePoint(cp))

function refDigitRunValue(runes: readonly number[], from: number, start: bigint): { value: bigint; end: number } {
  let value = start
  let i = from
  for (; i < runes.length && refIsDigit(runes[i]!); i++) value = BigInt.asIntN(64, value * 10n + BigInt(runes[i]! - 0x30))
  return { value, end: i }
}

function refLess(a: string, b: string): boolean {
  const ar = [...a].map((c) => c.codePointAt(0)!)
  const br = [...b].map((c) => c.codePointAt(0)!)
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const x = ar[i]!
    const y = br[i]!
    if (x === y) continue
    const al = refIsLetter(x)
    const bl = refIsLetter(y)
    if (al && bl) return x < y
    if (al || bl) return bl
    let an = 0n
    let bn = 0n
    if (x === 0x30 || y === 0x30) {
      for (let j = i - 1; j >= 0 && refIsDigit(ar[j]!); j--) {
        if (ar[j] !== 0x30) {
          an = 1n
          bn = 1n
          break
        }
      }
    }
    const ra = refDigitRunValue(ar, i, an)
    const rb = refDigitRunValue(br, i, bn)
    if (ra.value !== rb.value) return ra.value < rb.value
    if (ra.end !== rb.end) return ra.end < rb.end
    return x < y
  }
  return ar.length < br.length
}

const refSort = (keys: readonly string[]) => [...keys].sort((a, b) => (refLess(a, b) ? -1 : refLess(b, a) ? 1 : 0))

// Letters, ASCII and other digits (Arabic-Indic ٣, fullwidth ７), punctuation,
// a letter outside the BMP (𝒜), a lone surrogate, and digit runs long enough
// for int64 to wrap (20 digits and more).
const KEY_PARTS = ['a', 'b', 'z', 'A', 'é', 'ß', '0', '0', '1', '2', '9', '٣', '７', '.', '/', '-', ':', '_', '*', ' ', '𝒜', '\ud800', '00', '10', '99999999999999', '123456789012345', '1234567890123456', '99999999999999999999', '18446744073709551617']

function randomKeys(r: Rand): string[] {
  const n = 1 + Math.floor(r() * 40)
  const keys: string[] = []
  for (let i = 0; i < n; i++) {
    // Keys sharing prefixes, as scopes do, so comparisons reach the digit runs.
    keys.push(r() < 0.5 && keys.length > 0 ? pick(r, keys) + word(r, KEY_PARTS, 4) : word(r, KEY_PARTS, 8))
  }
  return keys
}

test('sortYamlV2Keys and yamlV2Less agree with the reference keyList.Less on seeded keys', () => {
  for (let seed = 1; seed <= 400; seed++) {
    const r = prng(seed)
    const keys = randomKeys(r)
    assert.deepEqual(sortYamlV2Keys(keys), refSort(keys), `seed ${seed}`)
    for (let k = 0; k < 20; k++) {
      const a = pick(r, keys)
      const b = pick(r, keys)
      assert.equal(yamlV2Less(a, b), refLess(a, b), `seed ${seed}: ${JSON.stringify(a)} < ${JSON.stringify(b)}`)
    }
  }
})

test('the bench-shaped scopes sort as the reference sorts them', () => {
  const keys = Array.from({ length: 3000 }, (_, i) => `registry.example.com/ns-${i % 97}/app-${(i * 7919) % 3000}${i % 3 === 0 ? '' : `-${i % 3}`}`)
  keys.push('registry-1.cluster.example.com', 'quay.io/org-1/platform', 'registry-10.cluster.example.com', 'registry-01.cluster.example.com')
  assert.deepEqual(sortYamlV2Keys(keys), refSort(keys))
})

test('keys the yaml.v2 key fast path takes are the ones the full scalar analysis passes unchanged', () => {
  const parts = ['a', 'Z', '0', '9', '.', '_', '/', '-', 'registry', 'example.com', '-1']
  for (let seed = 1; seed <= 2000; seed++) {
    const key = word(prng(seed), parts, 10)
    if (PLAIN_SAFE.test(key)) assert.deepEqual(analyzeScalar(key), PLAIN_SAFE_ANALYSIS, key)
  }
  // What it must not take.
  for (const key of ['-a', '.a', '---a', '*.a', 'a:b', 'a b', 'a#b', '', 'é']) assert.equal(PLAIN_SAFE.test(key), false, key)
})

// ---------------------------------------------------------------------------
// Namespace files: the renderer splices pre-rendered cluster parts; the reference
// merges the namespace's scopes into the cluster policy and marshals it whole.

const atomicAllowed = (scope: string) => scope.split('/').length - 1 < 3

function referenceNamespaceFile(cluster: Policy, scopes: ReadonlyMap<string, readonly Requirement[]>): string {
  const transports = new Map(cluster.transports)
  for (const name of ['docker', 'atomic']) {
    const merged = new Map(cluster.transports.get(name) ?? [])
    for (const [scope, reqs] of scopes) {
      if (name === 'docker' || atomicAllowed(scope)) merged.set(scope, [...(merged.get(scope) ?? []), ...reqs])
    }
    transports.set(name, merged)
  }
  return marshalPolicy({ default: cluster.default, transports })
}

// Scope characters around the bytewise-order edge cases: surrogates (𝒜 sorts
// after U+FFxx in UTF-8, before it in UTF-16), Go's HTML escapes, `/` counts.
const SCOPE_PARTS = ['a', 'b', 'q.io', '/', '/x', ':5000', '-', 'é', '\uff21', '𝒜', '<', '&', '*.', '1', '10']

function randomRequirement(r: Rand): Requirement {
  const key = word(r, ['QUJD', 'ZGVm', '+/', '==', '<', '&', '\u2028'], 6)
  return r() < 0.2
    ? { type: 'reject' }
    : { type: 'sigstoreSigned', keyData: key, signedIdentity: r() < 0.5 ? { type: 'matchRepository' } : { type: 'remapIdentity', prefix: 'a', signedPrefix: 'b' } }
}

test('namespace files from the spliced renderer equal the merged policy marshalled whole, on seeded policies', () => {
  for (let seed = 1; seed <= 300; seed++) {
    const r = prng(seed)
    const reqs = Array.from({ length: 1 + Math.floor(r() * 4) }, () => randomRequirement(r))
    const scope = () => word(r, SCOPE_PARTS, 6)
    const cluster = new Map<string, Requirement[]>()
    for (let i = Math.floor(r() * 6); i > 0; i--) cluster.set(scope(), Array.from({ length: 1 + Math.floor(r() * 2) }, () => pick(r, reqs)))
    const allowed = r() < 0.3 ? Array.from({ length: 1 + Math.floor(r() * 3) }, scope) : undefined
    const blocked = r() < 0.2 ? Array.from({ length: 1 + Math.floor(r() * 2) }, scope) : undefined
    const { policy } = renderClusterPolicy({ allowed, policyBlocked: blocked, cluster })
    const render = namespacePolicyRenderer(policy)
    for (let n = 0; n < 4; n++) {
      const scopes = new Map<string, Requirement[]>()
      for (let i = Math.floor(r() * 8); i > 0; i--) {
        // Sometimes a cluster or allowed scope again, sometimes a shared requirement object.
        const s = r() < 0.2 && cluster.size > 0 ? pick(r, [...cluster.keys()]) : r() < 0.1 && allowed !== undefined ? pick(r, allowed) : scope()
        scopes.set(s, Array.from({ length: 1 + Math.floor(r() * 2) }, () => pick(r, reqs)))
      }
      assert.equal(render(scopes), referenceNamespaceFile(policy, scopes), `seed ${seed}, namespace ${n}`)
    }
  }
})

// ---------------------------------------------------------------------------
// goJSONString: its fast path for strings nothing escapes, against the full escaping.

const GO_EXTRA: Readonly<Record<string, string>> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' }
const refGoJSONString = (s: string) => JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => GO_EXTRA[c] ?? c)

test('goJSONString equals JSON.stringify with Go\'s HTML-safe escapes, on seeded strings', () => {
  const parts = ['a', 'Z', '0', '/', '.', ':', '-', '+', '=', ' ', '~', '\x7f', '"', '\\', '<', '>', '&', '\n', '\t', '\x00', '\x1f', 'é', '\u2028', '\u2029', '\ud800', '\udc00', '𝒜', '\ufeff']
  for (let seed = 1; seed <= 3000; seed++) {
    const s = word(prng(seed), parts, 12)
    assert.equal(goJSONString(s), refGoJSONString(s), JSON.stringify(s))
  }
  assert.equal(goJSONString(''), '""')
})

// ---------------------------------------------------------------------------
// Shadowed-scope probes: built from the scope's own parse where normalization
// leaves the name alone, against parsing each probe image's text.

test('scopeProbes equals parseImageReference of every probe image, on seeded scopes', () => {
  const hosts = ['registry.example.com', 'Quay.IO', 'localhost', 'localhost:5000', 'host:5000', 'docker.io', 'index.docker.io', 'foo', 'a_b.com', 'example.com.', '-x.com', 'x-.com', '10.0.0.1:443', 'a.b-c.d']
  const components = ['app', 'team-a', 'a_b', 'a__b', 'a--b', 'a.b', 'library', 'x0', '0']
  const invalid = ['App', 'a..b', '_a', 'a-', '']
  let derivable = 0
  for (let seed = 1; seed <= 3000; seed++) {
    const r = prng(seed)
    const depth = Math.floor(r() * 4)
    const path = Array.from({ length: depth }, () => pick(r, r() < 0.05 ? invalid : components))
    // Names near NameTotalLengthMax (255), where only the first probe still parses.
    if (r() < 0.15) path.push('a'.repeat(200 + Math.floor(r() * 60)))
    let scope = [r() < 0.9 ? pick(r, hosts) : '*.example.com', ...path].join('/')
    if (r() < 0.1) scope += ':v1'
    if (r() < 0.05) scope += `@sha256:${'c'.repeat(64)}`
    const expected = probeImages(scope).flatMap((text) => {
      const ref = parseImageReference(text)
      return 'value' in ref ? [ref.value] : []
    })
    const got = scopeProbes(scope)
    assert.equal(got.shape, scopeShape(scope), scope)
    assert.deepEqual(got.images, expected, scope)
    const domain = scope.split('/')[0]!
    if (got.shape === 'repository' && /[.:]|^localhost$/.test(domain) && !/docker\.io$/.test(domain)) derivable++
  }
  // A good part of the seeds exercise the derived path, not the fallback (886 of 3,000 when written).
  assert.ok(derivable > 600, `${derivable} scopes took the derived path`)
})
