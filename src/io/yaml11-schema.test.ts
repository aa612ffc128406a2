import assert from 'node:assert/strict'
import { test } from 'node:test'
import jsYaml from 'js-yaml'
import { parse } from 'yaml'
import { YAML11_SCHEMA } from './yaml11-schema.ts'

const load = (text: string): unknown => jsYaml.load(text, { schema: YAML11_SCHEMA })

test('YAML 1.1 scalars read as Kubernetes reads them', () => {
  const cases: [string, unknown][] = [
    ['0644', 420],
    ['0', 0],
    ['-0x1F', -31],
    ['0b101', 5],
    ['1_000', 1000],
    ['1:30', 90],
    ['12345678901234567890', 12345678901234567890n],
    ['yes', true],
    ['Off', false],
    ['y', true],
    ['~', null],
    ['null', null],
    ['1.5', 1.5],
    ['1:30.5', 90.5],
    ['.inf', Infinity],
    ['-.Inf', -Infinity],
    ['"0644"', '0644'],
    ["'yes'", 'yes'],
    ['09', '09'],
    ['1e3', '1e3'],
    ['example.com', 'example.com'],
    ['12.34:5000', '12.34:5000'],
  ]
  for (const [text, want] of cases) assert.deepEqual(load(`v: ${text}`), { v: want }, text)
})

test('agrees with the yaml package in YAML 1.1 mode on ordinary scalars', () => {
  for (const text of ['0644', '0755', 'yes', 'no', 'on', 'true', '~', '1.0', '-12', '0x10', '+1', 'a:b', '.5', '1_000']) {
    const ours = load(`v: ${text}`) as { v: unknown }
    const theirs = parse(`v: ${text}`, { version: '1.1', intAsBigInt: false }) as { v: unknown }
    assert.deepEqual(ours.v, theirs.v, text)
  }
})

test('timestamps, binary and merge keys keep working', () => {
  const value = load('t: 2001-12-14\nb: !!binary aGk=\nbase: &b {x: 1}\nm:\n  <<: *b\n  z: 2\n') as Record<string, unknown>
  assert.ok(value['t'] instanceof Date)
  assert.deepEqual([...(value['b'] as Uint8Array)], [104, 105])
  assert.deepEqual(value["m"], { x: 1, z: 2 })
})
