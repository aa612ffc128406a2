import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isStrictBase64, pointerPath, pruneNulls, setFindings } from './structural.ts'
import { dns1123LabelProblems, dns1123SubdomainProblems, matchesSubdomain } from '../upstream/dns1123.ts'

test('isStrictBase64 is govalidator IsBase64', () => {
  const re = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/
  for (const s of ['', 'QQ==', 'QQ=', 'QUI=', 'QUJD', 'QUJ', 'QU=D', 'QQ==QQ==', '====', 'Q===', 'QUJD\nREVG', 'QUJD REVG', '-_8=', '+/8=', 'AAAAAA==', 'AAAAA===']) {
    assert.equal(isStrictBase64(s), re.test(s), JSON.stringify(s))
  }
  assert.equal(isStrictBase64('A'.repeat(10_000_000)), true, 'a length the regex cannot take')
})

test('pruneNulls drops null fields along the schema only, and copies without prototypes', () => {
  const input = { a: null, spec: { x: null, policy: { y: null, z: [null] } }, other: { n: null } }
  const out = pruneNulls(input, { spec: { policy: {} } }) as Record<string, Record<string, unknown>>
  assert.deepEqual(JSON.parse(JSON.stringify(out)), { spec: { policy: { z: [null] } }, other: { n: null } })
  assert.equal(Object.getPrototypeOf(out), null)
  const proto = JSON.parse('{"__proto__": {"kind": "x"}}') as Record<string, unknown>
  const copy = pruneNulls(proto, {}) as Record<string, unknown>
  assert.equal(Object.hasOwn(copy, '__proto__'), true)
  assert.equal((copy as { kind?: unknown }).kind, undefined)
})

test('pointerPath reads array positions off the data', () => {
  const data = { spec: { scopes: ['a', 'b'], '0': { 'a/b': { '~': 1 } } } }
  assert.deepEqual(pointerPath('/spec/scopes/1', data), ['spec', 'scopes', 1])
  assert.deepEqual(pointerPath('/spec/0/a~1b/~0', data), ['spec', '0', 'a/b', '~'])
  assert.deepEqual(pointerPath('', data), [])
})

test('setFindings: each repeat at its own index', () => {
  assert.deepEqual(
    setFindings(['a', 'b', 'a', 'a', 3, 3], ['spec', 'scopes']).map((f) => [f.path, f.message]),
    [
      [['spec', 'scopes', 2], 'Duplicate value: "a"'],
      [['spec', 'scopes', 3], 'Duplicate value: "a"'],
    ],
  )
})

test('DNS-1123 names, as apimachinery reports them', () => {
  assert.deepEqual(dns1123LabelProblems('team-a'), [])
  assert.equal(dns1123LabelProblems('../x').length, 1)
  assert.deepEqual(dns1123LabelProblems('a'.repeat(64)), ['must be no more than 63 characters'])
  assert.equal(dns1123LabelProblems('A'.repeat(64)).length, 2)
  assert.deepEqual(dns1123SubdomainProblems('a.b-c.d'), [])
  for (const bad of ['', '.', 'a.', '.a', 'a..b', 'A', '-a', 'a_b']) assert.equal(matchesSubdomain(bad), false, bad)
  assert.equal(matchesSubdomain(`${'a.'.repeat(2_000_000)}a`), true, 'linear on huge input')
})
