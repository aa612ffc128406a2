// Read stage helper: a js-yaml schema that resolves plain scalars the way
// Kubernetes does. sigs.k8s.io/yaml decodes manifests with go-yaml v2, whose
// `resolve()` (resolve.go) gives YAML 1.1 words and numbers: `0644` is 420,
// `yes`/`on` are true, `~` is null; but timestamps stay strings and there are no
// base-60 numbers. js-yaml with this schema reads values several times faster
// than the `yaml` package (README "Performance"), which we keep for editing a
// ResourceList losslessly and for documents with anchors (it bounds alias expansion).

import jsYaml from 'js-yaml'

const { Type } = jsYaml

/** go-yaml v2 `resolveMap`: the words that are not strings. */
const NULLS = new Set(['', '~', 'null', 'Null', 'NULL'])
const TRUES = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'true', 'True', 'TRUE'])
const FALSES = new Set(['n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF', 'false', 'False', 'FALSE'])
const SPECIAL_FLOATS = new Map<string, number>([
  ['.nan', NaN], ['.NaN', NaN], ['.NAN', NaN],
  ['.inf', Infinity], ['.Inf', Infinity], ['.INF', Infinity],
  ['+.inf', Infinity], ['+.Inf', Infinity], ['+.INF', Infinity],
  ['-.inf', -Infinity], ['-.Inf', -Infinity], ['-.INF', -Infinity],
])

/** Go `strconv.ParseInt(s, 0, 64)` syntax (after go-yaml removed `_`). */
const GO_INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/
/** go-yaml v2 `yamlStyleFloat`. */
const YAML_STYLE_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/
/** Go `strconv.ParseFloat` for text starting with `.` (the `.` hint). */
const DOT_FLOAT = /^\.[0-9]+(?:[eE][-+]?[0-9]+)?$/
const INT64_MIN = -(2n ** 63n)
const UINT64_MAX = 2n ** 64n - 1n

type Resolved = { readonly kind: 'int'; readonly value: number | bigint } | { readonly kind: 'float'; readonly value: number } | undefined

function parseGoInt(plain: string): bigint {
  const negative = plain.startsWith('-')
  const s = plain.replace(/^[-+]/, '')
  let value: bigint
  if (/^0[oO]/.test(s)) value = BigInt(`0o${s.slice(2)}`)
  else if (/^0[xXbB]/.test(s)) value = BigInt(s.toLowerCase())
  else if (s.length > 1 && s.startsWith('0')) value = BigInt(`0o${s.slice(1)}`)
  else value = BigInt(s)
  return negative ? -value : value
}

/** go-yaml v2 `resolve("", s)` for a number-looking plain scalar. */
function resolveNumber(s: string): Resolved {
  const first = s[0]
  if (first === undefined) return undefined
  if (first === '.') return DOT_FLOAT.test(s) ? { kind: 'float', value: Number(s) } : undefined
  if (first !== '+' && first !== '-' && (first < '0' || first > '9')) return undefined
  const plain = s.replaceAll('_', '')
  if (GO_INT.test(plain)) {
    const value = parseGoInt(plain)
    // ParseInt for int64, then ParseUint (no sign) up to uint64; beyond that it is a float.
    if (value >= INT64_MIN && (value <= UINT64_MAX && (value < 2n ** 63n || !/^[-+]/.test(plain)))) {
      return { kind: 'int', value: value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value }
    }
  }
  if (YAML_STYLE_FLOAT.test(plain)) return { kind: 'float', value: Number(plain) }
  if (/^-?0b[01]+$/.test(plain)) return { kind: 'int', value: Number(parseGoInt(plain)) }
  return undefined
}

/**
 * Whether a plain scalar reads as a string under this schema (and go-yaml v2):
 * not a null, bool, int or float word, nor the merge key `<<`. The resource
 * header scan (resource-header.ts) accepts a plain value or key only when it does.
 */
export function plainIsString(s: string): boolean {
  return !NULLS.has(s) && !TRUES.has(s) && !FALSES.has(s) && !SPECIAL_FLOATS.has(s) && s !== '<<' && resolveNumber(s) === undefined
}

const nullType = new Type('tag:yaml.org,2002:null', {
  kind: 'scalar',
  resolve: (data: string | null) => data === null || NULLS.has(data),
  construct: () => null,
})

const boolType = new Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && (TRUES.has(data) || FALSES.has(data)),
  construct: (data: string) => TRUES.has(data),
})

const intType = new Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && resolveNumber(data)?.kind === 'int',
  construct: (data: string) => resolveNumber(data)!.value,
})

const floatType = new Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && (SPECIAL_FLOATS.has(data) || resolveNumber(data)?.kind === 'float'),
  construct: (data: string) => SPECIAL_FLOATS.get(data) ?? (resolveNumber(data)!.value as number),
})

type TaggedType = InstanceType<typeof Type> & { readonly tag: string }
const defaults = jsYaml.DEFAULT_SCHEMA as unknown as { implicit: TaggedType[]; explicit: TaggedType[] }
const FAILSAFE_TAGS = new Set(['tag:yaml.org,2002:str', 'tag:yaml.org,2002:seq', 'tag:yaml.org,2002:map'])

/**
 * go-yaml v2's implicit types over js-yaml's failsafe schema, plus `<<` merge
 * keys and the explicit `!!binary`, `!!omap`, `!!pairs`, `!!set` tags. No
 * implicit timestamps (go-yaml v2 keeps them as strings when decoding into
 * `interface{}`), no base-60 numbers.
 */
export const KUBERNETES_SCHEMA = jsYaml.FAILSAFE_SCHEMA.extend({
  implicit: [nullType, boolType, intType, floatType, ...defaults.implicit.filter((t) => t.tag === 'tag:yaml.org,2002:merge')],
  explicit: defaults.explicit.filter((t) => !FAILSAFE_TAGS.has(t.tag)),
})
