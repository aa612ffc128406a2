import assert from 'node:assert/strict'
import { test } from 'node:test'
import { celBytesAsString, identityRuleIds, isEmailLike, isPkiHostname, scopeRuleIds } from './cel-rules.ts'

// openshift-api.md §7: the scope table, derived from S1–S3.
const SCOPES: Record<string, string[]> = {
  'example.com': [],
  'example.com:5000': [],
  localhost: [],
  'localhost:5000': [],
  'localhost/foo': [],
  'Example.COM/foo': [],
  '192.168.0.1:5000/foo': [],
  'example.com/a__b': [],
  'example.com/a--b': [],
  'example.com/a---b': [],
  'example.com:5000/foo:1.0': [],
  'example.com/ns/img@sha256:b7e686e30346e9ace664fa09c0275262f8b9a443ed56d22165a0e201f6488c13': [],
  'example.com/ns/img:tag@sha256:b7e686e30346e9ace664fa09c0275262f8b9a443ed56d22165a0e201f6488c13': [],
  '*.example.com': [],
  '*.com': [],
  // Quirks: a tag may follow a bare host.
  'example.com:latest': [],
  'localhost:abc': [],
  registry: ['S1', 'S3'],
  'registry:5000': ['S1', 'S3'],
  'registry/foo': ['S1', 'S3'],
  busybox: ['S1', 'S3'],
  '': ['S1', 'S3'],
  '*.example.com/foo': ['S2'],
  '*.example.com:5000': ['S2'],
  'foo.*.com': ['S2'],
  '*': ['S1', 'S2'],
  'example.com/Foo': ['S3'],
  'example.com/': ['S3'],
  'example.com//foo': ['S3'],
  'example.com/a___b': ['S3'],
  'example.com/a.-b': ['S3'],
  '-example.com': ['S3'],
  'ex_ample.com': ['S3'],
  'example.com.': ['S3'],
  'example.com/foo@sha256:12dsdf': ['S3'],
  '[::1]:5000/foo': ['S1', 'S3'],
}

for (const [scope, want] of Object.entries(SCOPES)) {
  test(`scope ${JSON.stringify(scope)} → ${want.join('+') || 'accepted'}`, () => {
    assert.deepEqual(scopeRuleIds(scope), want)
  })
}

test('S3 stays fast on near-misses (no exponential backtracking)', () => {
  const started = Date.now()
  for (const tail of ['!', '-', '_', '.']) scopeRuleIds(`example.com/${'a-'.repeat(240)}${tail}`)
  scopeRuleIds(`${'a'.repeat(250)}.${'b-'.repeat(120)}!`)
  assert.ok(Date.now() - started < 500)
})

const IDENTITIES: Record<string, string[]> = {
  'example.com': [],
  'example.com/ns/repo': [],
  'example.com:5000/foo': [],
  localhost: [],
  'localhost:5000': [],
  'localhost/foo': [],
  // Quirk: a bare host:port reads as a tag.
  'example.com:5000': ['Q1'],
  'example.com/foo:tag': ['Q1', 'Q2'],
  'localhost:1234/ns/img:latest': ['Q1', 'Q2'],
  'example.com/foo@sha256:b7e686e30346e9ace664fa09c0275262f8b9a443ed56d22165a0e201f6488c13': ['Q1', 'Q2'],
  'registry/foo': ['Q2'],
  'example.com/Foo': ['Q2'],
  '*.example.com': ['Q2'],
}

for (const [value, want] of Object.entries(IDENTITIES)) {
  test(`signedIdentity ${JSON.stringify(value)} → ${want.join('+') || 'accepted'}`, () => {
    assert.deepEqual(identityRuleIds(value), want)
  })
}

test("email: ^\\S+@\\S+$ with RE2's \\s (no \\v, no Unicode spaces)", () => {
  for (const ok of ['a@b', 'bot@example.com', 'a@b@c', 'a\u00a0b@c', 'a\u000bb@c']) assert.equal(isEmailLike(ok), true, ok)
  for (const bad of ['', '@', 'a@', '@b', 'ab', 'a b@c', 'a@b\n', 'a@\tb']) assert.equal(isEmailLike(bad), false, JSON.stringify(bad))
})

test('PKI hostname: a DNS-1123 subdomain, optionally after one leading *.', () => {
  for (const ok of ['example.com', '*.example.com', 'a', '1-2.x']) assert.equal(isPkiHostname(ok), true, ok)
  for (const bad of ['', '*.', '*', 'Example.com', 'a.*.example.com', '*.*.example.com', '-a.com', 'a-.com', `${'a'.repeat(254)}`]) {
    assert.equal(isPkiHostname(bad), false, bad)
  }
})

test('CEL sees byte fields through URL-safe base64, then UTF-8', () => {
  assert.deepEqual(celBytesAsString(Buffer.from('-----BEGIN').toString('base64')), { text: '-----BEGIN' })
  assert.deepEqual(celBytesAsString('QUJD\nREVG'), { text: 'ABCDEF' }, 'line breaks are skipped')
  assert.deepEqual(celBytesAsString('Pz8-'), { text: '??>' }, 'URL-safe alphabet')
  assert.deepEqual(celBytesAsString('Pz8+'), { error: 'Invalid byte formatted string Pz8+: illegal base64 data at input byte 3' })
  assert.deepEqual(celBytesAsString('gIGC'), { error: 'invalid UTF-8 in bytes, cannot convert to string' })
})

