import assert from 'node:assert/strict'
import { test } from 'node:test'
import jsYaml from 'js-yaml'
import { parse } from 'yaml'
import { KUBERNETES_SCHEMA, plainIsString } from './kubernetes-schema.ts'
import { PARSE_OPTIONS } from './yaml-settings.ts'

const load = (text: string): unknown => jsYaml.load(text, { schema: KUBERNETES_SCHEMA })

test('plain scalars resolve as go-yaml v2 resolves them', () => {
  const cases: [string, unknown][] = [
    ['0644', 420],
    ['0o644', 420],
    ['0', 0],
    ['-0x1F', -31],
    ['0b101', 5],
    ['1_000', 1000],
    ['12345678901234567890', 12345678901234567890n],
    ['99999999999999999999', 1e20],
    ['09', 9],
    ['1e3', 1000],
    ['1.5', 1.5],
    ['.5', 0.5],
    ['.inf', Infinity],
    ['-.Inf', -Infinity],
    ['yes', true],
    ['Off', false],
    ['y', true],
    ['~', null],
    ['null', null],
    ['1:30', '1:30'],
    ['2024-05-01T10:00:00Z', '2024-05-01T10:00:00Z'],
    ['2024-05-01', '2024-05-01'],
    ['"0644"', '0644'],
    ["'yes'", 'yes'],
    ['example.com', 'example.com'],
    ['12.34:5000', '12.34:5000'],
    ['+', '+'],
    ['.', '.'],
  ]
  for (const [text, want] of cases) assert.deepEqual(load(`v: ${text}`), { v: want }, text)
})

test('agrees with the yaml package under our Kubernetes settings', () => {
  for (const text of ['0644', '0755', 'yes', 'no', 'on', 'true', '~', '1.0', '-12', '0x10', '+1', 'a:b', '.5', '1_000', '12:30', '2001-12-14', 'Y', 'NULL']) {
    const ours = (load(`v: ${text}`) as { v: unknown }).v
    const theirs = (parse(`v: ${text}`, PARSE_OPTIONS) as { v: unknown }).v
    assert.deepEqual(ours, theirs, text)
  }
})

test('binary and merge keys keep working; duplicate keys are refused', () => {
  const value = load('b: !!binary aGk=\nbase: &b {x: 1}\nm:\n  <<: *b\n  z: 2\n') as Record<string, unknown>
  assert.deepEqual([...(value['b'] as Uint8Array)], [104, 105])
  assert.deepEqual(value['m'], { x: 1, z: 2 })
  assert.throws(() => load('a: 1\na: 2\n'), /duplicated mapping key/)
})

test('plainIsString says which plain scalars this schema reads as strings', () => {
  const words = ['v1', 'apps/v1', 'Deployment', 'team-a', '2024-05-01', '1.0.0', 'a.b', 'x_1', '12:30', 'yes', 'No', 'on', 'y', 'N', '~', 'null', 'NULL', 'true', 'False', '123', '-1', '+1', '0644', '09', '1_000', '1e3', '0x1f', '0b1', '0o7', '.5', '1.', '.inf', '-.Inf', '.nan', '.', '+', '-x', 'e3', '0x', '1e']
  for (const w of words) assert.equal(plainIsString(w), typeof (load(`v: ${w}`) as { v: unknown }).v === 'string', w)
  assert.equal(plainIsString(''), false, 'an empty plain scalar is null')
  assert.equal(plainIsString('<<'), false, 'the merge key')
})
