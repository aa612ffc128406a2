import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sortYamlV2Keys, yamlV2Key } from './yaml-v2.ts'

test('natural order of yaml.v2 (sorter.go keyList.Less)', () => {
  assert.deepEqual(sortYamlV2Keys(['test10.com', 'test2.com', 'a.com', '*.example.com', 'a-a1.mirror']), [
    '*.example.com',
    'a-a1.mirror',
    'a.com',
    'test2.com',
    'test10.com',
  ])
  // A punctuation character sorts before a digit run, unlike bytewise order for ':' (0x3A).
  assert.deepEqual(sortYamlV2Keys(['a1', 'a0', 'a:']), ['a:', 'a0', 'a1'])
  // Leading zeros: a shorter run first when the values are equal.
  assert.deepEqual(sortYamlV2Keys(['test001.com', 'test01.com', 'test1.com']), ['test1.com', 'test01.com', 'test001.com'])
})

test('key quoting of the yaml.v2 emitter', () => {
  const cases: [string, string][] = [
    ['example.com', 'example.com'],
    ['*.example.com', "'*.example.com'"],
    ['localhost:5000', 'localhost:5000'],
    ['a.com/a1/a2@sha256:00', 'a.com/a1/a2@sha256:00'],
    ['1.5', '"1.5"'],
    ['0.0', '"0.0"'],
    ['1.0e3', '"1.0e3"'],
    ['12.34:5000', '12.34:5000'],
    ['1:30', '"1:30"'],
    ['yes', '"yes"'],
    ['null', '"null"'],
    ['2006-01-02', '"2006-01-02"'],
    ['0x1F', '"0x1F"'],
    ["it's", "it's"],
    ['-dash', '-dash'],
    ['- dash', "'- dash'"],
    ['', '""'], // resolves to null in yaml.v2, so double-quoted
  ]
  for (const [key, want] of cases) assert.equal(yamlV2Key(key).text, want, key)
})

test('keys longer than 128 bytes use the complex-key form', () => {
  assert.equal(yamlV2Key('a'.repeat(128)).simple, true)
  assert.equal(yamlV2Key('a'.repeat(129)).simple, false)
  assert.equal(yamlV2Key('é'.repeat(65)).simple, false, 'bytes, not characters')
})
