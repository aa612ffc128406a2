import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isValidRegistriesConfScope, matchesMirrorPattern, matchesSourcePattern } from './registries-patterns.ts'

test('isValidRegistriesConfScope', () => {
  const table: [string, boolean][] = [
    ['', false],
    ['quay.io', true],
    ['quay.io/a/b:tag', true],
    ['http://whatever', true],
    ['*.example.com', true],
    ['*.example.com/foo', false],
    ['*.example.com:5000', false],
    ['foo.*.example.com', false],
    ['*', false],
    ['*.a*', false],
  ]
  for (const [scope, want] of table) assert.equal(isValidRegistriesConfScope(scope), want, scope)
})

test('matchesSourcePattern / matchesMirrorPattern: MCO sourceRegex / mirrorRegex', () => {
  assert.ok(matchesSourcePattern('quay.io/a/b'))
  assert.ok(matchesSourcePattern('*.example.com'))
  assert.ok(!matchesSourcePattern('quay.io/UPPER'))
  assert.ok(matchesMirrorPattern('m.io:5000/a'))
  assert.ok(!matchesMirrorPattern('*.m.io'))
})
