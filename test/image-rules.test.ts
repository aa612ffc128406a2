// The Image config's registry-entry rule of 4.23 and later (openshift-api.md §8):
// our matcher (MCO's source pattern) against the CRD's verbatim regex, the rule's reach, and the
// messages a user sees.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { refOf } from '../src/io/item-kinds.ts'
import { formatIssue } from '../src/issues.ts'
import { isValidRegistryEntry, REGISTRY_ENTRY_PATTERN, type ImageApiRules } from '../src/validate/image-rules.ts'
import { imageFindings, validateResources } from '../src/validate/validate-resources.ts'
import { run } from '../src/run.ts'
import { prng } from './prng.ts'

const CRD_REGEX = new RegExp(REGISTRY_ENTRY_PATTERN)
const NOW = new Date('2027-06-01T00:00:00Z')

/** Characters that reach every branch of the pattern, weighted towards the separators. */
const ALPHABET = ['a', 'b', 'z', '0', '9', 'A', 'Z', '.', '.', '-', '-', '_', '_', '/', '/', ':', '*', '@', ' ', 'é']

test('our matcher accepts exactly what the verbatim CRD regex accepts (20,000 seeded strings)', () => {
  const r = prng(20261204)
  let accepted = 0
  for (let i = 0; i < 20_000; i++) {
    // Short enough that the backtracking regex stays fast.
    const length = Math.floor(r() * 14)
    let s = ''
    for (let j = 0; j < length; j++) s += ALPHABET[Math.floor(r() * ALPHABET.length)]!
    // Every third string starts from a plausible registry, so acceptance is common.
    if (i % 3 === 0) s = ['quay.io', '*.example.com', 'registry:5000', 'r.io/ns'][i % 4]! + s
    const want = CRD_REGEX.test(s)
    assert.equal(isValidRegistryEntry(s), want, JSON.stringify(s))
    if (want) accepted++
  }
  assert.ok(accepted > 1_000, `only ${accepted} accepted strings: the sample misses the accepting branches`)
})

test('the matcher on hand-picked entries', () => {
  const valid = ['quay.io', 'registry:5000', 'registry.io:5000/my-repo', '*.example.com', 'a.b/c__d/e.f/g-h---i', 'Reg.IO/x', '1.2.3.4:80/a/b']
  const invalid = ['', '*', '*.', '*example.com', '*.a:5000', '*.a/b', 'a/b:tag', 'a/b@sha256:abc', 'a/B', 'a/b_-c', 'a/b___c', 'a/.b', 'a/b.', '-a.io', 'a-.io', 'a..io', 'a:', 'a:x', 'a/', 'a//b', ' a', 'a\n']
  for (const s of valid) assert.ok(isValidRegistryEntry(s) && CRD_REGEX.test(s), `valid: ${JSON.stringify(s)}`)
  for (const s of invalid) assert.ok(!isValidRegistryEntry(s) && !CRD_REGEX.test(s), `invalid: ${JSON.stringify(s)}`)
})

test('the matcher does not backtrack exponentially where the verbatim regex does', () => {
  // 256 characters, the most the API allows, in the shape that makes a backtracking engine explode.
  const evil = `h/${'a'.repeat(253)}!`
  const started = process.hrtime.bigint()
  assert.equal(isValidRegistryEntry(evil), false)
  // Not a speed test: a bound a million times above the real cost, that only an exponential walk breaks.
  assert.ok(process.hrtime.bigint() - started < 2_000_000_000n)
})

function image(sources: Record<string, unknown>, name = 'cluster'): Record<string, unknown> {
  return { apiVersion: 'config.openshift.io/v1', kind: 'Image', metadata: { name }, spec: { registrySources: sources } }
}

function lines(value: Record<string, unknown>, rules?: ImageApiRules): string[] {
  if (rules !== undefined) return imageFindings(value, rules).map((f) => `${f.path.join('.')}: ${f.message}`)
  return validateResources([{ value, ref: refOf(value)!, role: 'image' }], 'strict', NOW, 'since-4.23').map(formatIssue)
}

test('4.23 rules: the messages a user sees, the API server\'s, one line per broken rule', () => {
  const rule = 'Invalid value: "string": each registry must be a valid hostname[:port][/path] or wildcard *.hostname format without tags or digests'
  // An empty entry breaks minLength and the CEL rule; minLength does not block CEL, so the server prints both.
  // MCO's own entry check is not repeated for an entry the API rules already name.
  assert.deepEqual(lines(image({ blockedRegistries: ['ok.io', 'registry.io/app:latest', ''] })), [
    'error Image cluster spec.registrySources.blockedRegistries[2]: Invalid value: "": spec.registrySources.blockedRegistries[2] in body should be at least 1 chars long',
    `error Image cluster spec.registrySources.blockedRegistries[1]: ${rule}`,
    `error Image cluster spec.registrySources.blockedRegistries[2]: ${rule}`,
  ])
})

test('4.23 rules: list and entry limits block the CEL rules, as the API server does', () => {
  const many = Array.from({ length: 1025 }, (_, i) => `r${i}.example.com`)
  const out = lines(image({ allowedRegistries: many, insecureRegistries: [`${'a'.repeat(257)}`] }))
  assert.ok(out.some((l) => l.includes('spec.registrySources.allowedRegistries: Too many: 1025: must have at most 1024 items')), out.join('\n'))
  assert.ok(out.some((l) => l.includes('spec.registrySources.insecureRegistries[0]: Too long: may not be more than 256 bytes')), out.join('\n'))
  assert.ok(out.some((l) => l.includes('some validation rules were not checked because the object was invalid')), out.join('\n'))
})

test('4.23 rules apply to every Image, not only the one named cluster', () => {
  const out = lines(image({ blockedRegistries: ['a/b:tag'] }, 'other'))
  assert.ok(out.some((l) => l.includes('blockedRegistries[0]: Invalid value: "string": each registry must be')), out.join('\n'))
})

test('through 4.22 the lists are free-form: only MCO\'s own entry check applies', () => {
  assert.deepEqual(lines(image({ blockedRegistries: ['registry.io/app:latest', ...Array.from({ length: 1025 }, (_, i) => `r${i}.io`)] }), 'through-4.22'), [])
  assert.deepEqual(lines(image({ blockedRegistries: ['*'] }), 'through-4.22'), ['spec.registrySources.blockedRegistries.0: invalid entry for blocked registries "*"'])
})

test('the target release picks the rules, through the whole run', () => {
  const stream = 'apiVersion: config.openshift.io/v1\nkind: Image\nmetadata:\n  name: cluster\nspec:\n  registrySources:\n    blockedRegistries: ["localhost:v1"]\n'
  const latest = run({ inputs: [{ text: stream }], flags: { targetRelease: 'latest', withoutReleasePolicy: true }, now: NOW })
  assert.equal(latest.exitCode, 1)
  assert.equal(latest.output, '')
  assert.ok(latest.issues.some((i) => formatIssue(i).includes('blockedRegistries[0]: Invalid value: "string": each registry must be')), latest.issues.map(formatIssue).join('\n'))
  for (const targetRelease of ['4.23', '5.0']) {
    assert.equal(run({ inputs: [{ text: stream }], flags: { targetRelease, withoutReleasePolicy: true }, now: NOW }).exitCode, 1, targetRelease)
  }
  const older = run({ inputs: [{ text: stream }], flags: { targetRelease: '4.22', withoutReleasePolicy: true }, now: NOW })
  assert.deepEqual(older.issues.filter((i) => i.severity === 'error').map(formatIssue), [])
  assert.equal(older.exitCode, 0)
})
