// Read stage helper: a js-yaml schema with YAML 1.1's implicit types, as
// Kubernetes reads manifests (sigs.k8s.io/yaml on go-yaml v2). js-yaml alone
// follows YAML 1.2 (`0644` is 644, `yes` is a string); with this schema `0644`
// is 420 and `yes` is true, as the API server sees them. js-yaml is used for
// reading values because it is several times faster than the `yaml` package
// (README "Performance"); `yaml` is kept for editing a ResourceList losslessly.

import jsYaml from 'js-yaml'

const { Type } = jsYaml

const NULLS = new Set(['~', 'null', 'Null', 'NULL', ''])
const TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'])
const FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'])

const nullType = new Type('tag:yaml.org,2002:null', {
  kind: 'scalar',
  resolve: (data: string | null) => data === null || NULLS.has(data),
  construct: () => null,
  predicate: (object: unknown) => object === null,
  represent: { canonical: () => '~' },
  defaultStyle: 'canonical',
})

const boolType = new Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && (TRUE.has(data) || FALSE.has(data)),
  construct: (data: string) => TRUE.has(data),
  predicate: (object: unknown) => typeof object === 'boolean',
  represent: { lowercase: (object: unknown) => (object ? 'true' : 'false') },
  defaultStyle: 'lowercase',
})

// YAML 1.1 integers: binary, octal with a leading 0, decimal, hex and base 60, with `_` separators.
const INT = /^[-+]?(?:0b[01_]+|0[0-7_]+|0|[1-9][0-9_]*|0x[0-9a-fA-F_]+|[1-9][0-9_]*(?::[0-5]?[0-9])+)$/

function constructInt(data: string): number | bigint {
  let s = data.replaceAll('_', '')
  let sign = 1n
  if (s[0] === '-' || s[0] === '+') {
    if (s[0] === '-') sign = -1n
    s = s.slice(1)
  }
  let value: bigint
  if (s.includes(':')) {
    value = s.split(':').reduce((acc, part) => acc * 60n + BigInt(part), 0n)
  } else if (s.startsWith('0b')) {
    value = BigInt(s)
  } else if (s.startsWith('0x')) {
    value = BigInt(s)
  } else if (s.length > 1 && s.startsWith('0')) {
    value = BigInt(`0o${s.slice(1)}`)
  } else {
    value = BigInt(s)
  }
  value *= sign
  // Exact integers stay numbers; larger ones stay exact as BigInt.
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value
}

const intType = new Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && INT.test(data),
  construct: constructInt,
  predicate: (object: unknown) => typeof object === 'bigint' || (typeof object === 'number' && Number.isInteger(object)),
  represent: { decimal: (object: unknown) => String(object) },
  defaultStyle: 'decimal',
})

const FLOAT = /^(?:[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/

function constructFloat(data: string): number {
  const s = data.replaceAll('_', '')
  if (/^[-+]?\.(inf|Inf|INF)$/.test(s)) return s.startsWith('-') ? -Infinity : Infinity
  if (/^\.(nan|NaN|NAN)$/.test(s)) return NaN
  if (s.includes(':')) {
    const sign = s.startsWith('-') ? -1 : 1
    return sign * s.replace(/^[-+]/, '').split(':').reduce((acc, part) => acc * 60 + Number(part), 0)
  }
  return Number(s)
}

const floatType = new Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && data !== '.' && FLOAT.test(data),
  construct: constructFloat,
  predicate: (object: unknown) => typeof object === 'number' && !Number.isInteger(object),
  represent: { decimal: (object: unknown) => String(object) },
  defaultStyle: 'decimal',
})

/**
 * YAML 1.1 implicit types over js-yaml's failsafe schema, plus js-yaml's
 * timestamp, merge (`<<`), binary, omap, pairs and set types.
 */
type TaggedType = InstanceType<typeof Type> & { readonly tag: string }
const defaults = jsYaml.DEFAULT_SCHEMA as unknown as { implicit: TaggedType[]; explicit: TaggedType[] }

export const YAML11_SCHEMA = jsYaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    nullType,
    boolType,
    intType,
    floatType,
    ...defaults.implicit.filter((t) => t.tag === 'tag:yaml.org,2002:timestamp' || t.tag === 'tag:yaml.org,2002:merge'),
  ],
  explicit: defaults.explicit.filter((t) => !['tag:yaml.org,2002:str', 'tag:yaml.org,2002:seq', 'tag:yaml.org,2002:map'].includes(t.tag)),
})
