import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isRequestURI } from './go-url.ts'

// What Go's url.ParseRequestURI says (Go 1.24.8+/1.25.2+), case by case.
const CASES: Record<string, boolean> = {
  'https://oidc.localhost': true,
  'https://issuer.example.com/realms/x?y=1': true,
  'https://a:8080/': true,
  'https://user:pa%20ss@host/': true,
  'https://[::1]:443/': true,
  'https://[fe80::1%25en0]/': true,
  'https://a/b#frag': true, // no fragment split in a request URI: '#' stays in the path
  'mailto:someone': true, // opaque
  '/relative/path': true,
  '//host/path': true, // without a scheme there is no authority: a path
  '*': true,
  'https://a/%41': true,
  'https://ü.example/': true,
  '': false,
  'issuer.example.com': false,
  ':foo': false,
  'https://a:b:c/': false,
  'https://a:80x/': false,
  'https://a b/': false,
  'https://a/%zz': false,
  'https://a%2f/': false,
  'https://[::1': false,
  'https://[notanip]/': false,
  'https://host\n': false,
  'https://us er@host/': false,
  'https://a{b}/': false,
}

for (const [url, want] of Object.entries(CASES)) {
  test(`isRequestURI(${JSON.stringify(url)}) is ${want}`, () => {
    assert.equal(isRequestURI(url), want)
  })
}

test('isRequestURI is linear on long input', () => {
  const started = Date.now()
  isRequestURI(`https://${'a'.repeat(1_000_000)}/${'%41'.repeat(300_000)}`)
  assert.ok(Date.now() - started < 1000)
})
