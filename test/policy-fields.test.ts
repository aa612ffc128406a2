// The decoder's field table (src/decode/policy-fields.ts) and the structural schema
// (scripts/gen-validators.mjs) describe one field tree: every field we read has the
// schema's type, and an object we read whole has no schema field we skip (the fatal
// grading in src/validate/ assumes the decoder reads every field under `spec`).

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { pathToFileURL } from 'node:url'
import { POLICY_FIELDS, type Field } from '../src/decode/policy-fields.ts'

interface Schema {
  readonly type?: string
  readonly properties?: Readonly<Record<string, Schema>>
  readonly items?: Schema
}

const gen = (await import(pathToFileURL('scripts/gen-validators.mjs').href)) as { policy: (version: string) => Schema }

const SCHEMA_TYPE: Readonly<Record<Field['type'], string>> = { string: 'string', integer: 'integer', strings: 'array', object: 'object' }

function compare(field: Field, schema: Schema | undefined, at: string, problems: string[]): void {
  if (schema === undefined) {
    problems.push(`${at}: in the table, not in the schema`)
    return
  }
  if (schema.type !== SCHEMA_TYPE[field.type]) problems.push(`${at}: the table reads ${field.type}, the schema says ${String(schema.type)}`)
  if (field.type === 'strings' && schema.items?.type !== 'string') problems.push(`${at}: the table reads a list of strings, the schema's items are ${String(schema.items?.type)}`)
  if (field.type !== 'object') return
  const properties = schema.properties ?? {}
  for (const [key, child] of Object.entries(field.fields)) compare(child, properties[key], at === '' ? key : `${at}.${key}`, problems)
  if (field.partial === true) return
  for (const key of Object.keys(properties)) if (!Object.hasOwn(field.fields, key)) problems.push(`${at}.${key}: in the schema, not read by the decoder`)
}

for (const version of ['v1', 'v1alpha1']) {
  test(`policy field table: the ${version} schema has the same tree`, () => {
    const problems: string[] = []
    compare(POLICY_FIELDS, gen.policy(version), '', problems)
    assert.deepEqual(problems, [])
  })
}

test('policy field table: the comparison catches a field the decoder would skip', () => {
  const problems: string[] = []
  const schema = gen.policy('v1')
  const spec = schema.properties!['spec']!
  const widened: Schema = { ...schema, properties: { ...schema.properties, spec: { ...spec, properties: { ...spec.properties, extra: { type: 'string' } } } } }
  compare(POLICY_FIELDS, widened, '', problems)
  assert.deepEqual(problems, ['spec.extra: in the schema, not read by the decoder'])
})
