import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compareBytewise, goMarshalIndent, goJSONString } from './go-json.ts'

test('Go escapes HTML characters and line separators', () => {
  assert.equal(goJSONString('a&b<c>d\u2028\u2029"\\\n'), '"a\\u0026b\\u003cc\\u003ed\\u2028\\u2029\\"\\\\\\n"')
})

test('MarshalIndent layout: struct fields in order, map keys bytewise, empty containers inline', () => {
  const value = { b: 1, a: new Map([['z', []], ['*.x', [{ type: 'reject' }]], ['', {}]]) }
  assert.equal(
    goMarshalIndent(value),
    '{\n  "b": 1,\n  "a": {\n    "": {},\n    "*.x": [\n      {\n        "type": "reject"\n      }\n    ],\n    "z": []\n  }\n}',
  )
})

test('integer-like map keys keep bytewise order (a JS object would move them first)', () => {
  assert.equal(goMarshalIndent(new Map([['b', 1], ['10', 2], ['9', 3]])), '{\n  "10": 2,\n  "9": 3,\n  "b": 1\n}')
})

test('bytewise order is code-point order, not UTF-16 order', () => {
  const astral = '\u{1F600}'
  assert.ok(compareBytewise('\uFFFD', astral) < 0)
  assert.ok(compareBytewise('a', 'b') < 0)
  assert.ok(compareBytewise('ab', 'a') > 0)
})
