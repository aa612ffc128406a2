// Validate stage: the structural schema of a resource, as the API server applies it
// before CEL: nulls pruned, then types, required fields, enums, lengths and item
// counts (ajv standalone code generated at build time by scripts/gen-validators.mjs),
// then what JSON Schema cannot say: `format: byte` and `x-kubernetes-list-type: set`.
// Pure; never throws on bad input.

import { dotted, checkIssue, MSG, quote, type CheckIssue, type Path } from './check-issue.ts'
import type { SchemaError, SchemaValidator } from './schema-validators.generated.js'
import { isObject } from '../is-object.ts'

/** Which nested keys hold objects whose null fields the API server prunes. */
export interface ObjectTree {
  readonly [key: string]: ObjectTree
}

/**
 * A copy with null-valued fields removed, as the API server prunes them for fields
 * that are not `nullable` before validating (apiextensions "Defaulting and
 * Nullable"). Only objects at known positions (`tree`) are visited, so the walk is
 * bounded by the schema however deep the input nests. Copies have no prototype: a
 * `__proto__` key stays an ordinary (unknown) field.
 */
export function pruneNulls(value: unknown, tree: ObjectTree): unknown {
  if (!isObject(value)) return value
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>
  for (const key of Object.keys(value)) {
    const v = value[key]
    if (v === null || v === undefined) continue
    const child = Object.hasOwn(tree, key) ? tree[key] : undefined
    out[key] = child !== undefined ? pruneNulls(v, child) : v
  }
  return out
}

/** JSON Pointer → path segments; array positions become numbers (read off the data). */
export function pointerPath(pointer: string, data: unknown): (string | number)[] {
  if (pointer === '') return []
  const out: (string | number)[] = []
  let at: unknown = data
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~')
    if (Array.isArray(at)) {
      const i = Number(key)
      out.push(i)
      at = at[i]
    } else {
      out.push(key)
      at = isObject(at) && Object.hasOwn(at, key) ? at[key] : undefined
    }
  }
  return out
}

function valueAt(data: unknown, path: Path): unknown {
  let at: unknown = data
  for (const key of path) {
    if (Array.isArray(at) && typeof key === 'number') at = at[key]
    else if (isObject(at) && typeof key === 'string' && Object.hasOwn(at, key)) at = at[key]
    else return undefined
  }
  return at
}

/** One ajv error in the API server's words (`ValidateCustomResource`). */
function fromSchemaError(e: SchemaError, data: unknown): CheckIssue {
  const at = pointerPath(e.instancePath, data)
  const value = valueAt(data, at)
  const limit = typeof e.params['limit'] === 'number' ? e.params['limit'] : 0
  switch (e.keyword) {
    case 'required':
      return checkIssue('rule', 'schema', [...at, String(e.params['missingProperty'])], MSG.required(), true, 'required')
    case 'additionalProperties':
      // Pruned by the server; an error only under strict field validation, never blocking.
      return checkIssue('rule', 'schema', [...at, String(e.params['additionalProperty'])], MSG.unknownField())
    case 'type':
      return checkIssue('rule', 'schema', at, MSG.typeInvalid(at, String(e.params['type']), value), true, 'type')
    case 'enum': {
      const allowed = Array.isArray(e.params['allowedValues']) ? e.params['allowedValues'].map(String) : []
      return checkIssue('rule', 'schema', at, MSG.notSupported(value, allowed), true)
    }
    case 'maxLength':
      return checkIssue('rule', 'schema', at, MSG.tooLong(limit), true)
    case 'maxItems':
      return checkIssue('rule', 'schema', at, MSG.tooMany(Array.isArray(value) ? value.length : 0, limit), true)
    case 'minLength':
      return checkIssue('rule', 'schema', at, MSG.invalid(value, `${dotted(at)} in body should be at least ${limit} chars long`))
    case 'minItems':
      return checkIssue('rule', 'schema', at, MSG.invalid(Array.isArray(value) ? value.length : 0, `${dotted(at)} in body should have at least ${limit} items`))
    default:
      // Not produced by our schemas; kept readable rather than thrown.
      return checkIssue('rule', 'schema', at, MSG.invalid(value, `${dotted(at)} in body ${e.message ?? 'is invalid'}`))
  }
}

/** Runs a generated validator; a crash inside it is reported, never thrown. */
export function schemaFindings(validate: SchemaValidator, data: unknown): CheckIssue[] {
  let ok: boolean
  try {
    ok = validate(data)
  } catch (e) {
    return [checkIssue('fatal', 'schema', [], `could not validate: ${(e as Error).message}`, true)]
  }
  if (ok) return []
  return (validate.errors ?? []).map((e) => fromSchemaError(e, data))
}

function isBase64Char(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47
}

/**
 * The `byte` format as kube-openapi checks it (govalidator `IsBase64`:
 * `^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$`):
 * standard alphabet, padding required, no whitespace, not empty. Written as a loop
 * because that regex overflows V8's backtracking stack on multi-megabyte input.
 */
export function isStrictBase64(s: string): boolean {
  if (s.length === 0 || s.length % 4 !== 0) return false
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0
  for (let i = 0; i < s.length - pad; i++) if (!isBase64Char(s.charCodeAt(i))) return false
  return true
}

/** A `format: byte` finding for a string field, or none. */
export function byteFormatFindings(value: unknown, path: Path): CheckIssue[] {
  if (typeof value !== 'string' || isStrictBase64(value)) return []
  return [checkIssue('rule', 'schema', path, MSG.invalid(value, `${dotted(path)} in body must be of type byte: ${quote(value)}`))]
}

/** `x-kubernetes-list-type: set`: every repeated string is a `Duplicate value` at its index. */
export function setFindings(list: unknown, path: Path): CheckIssue[] {
  if (!Array.isArray(list)) return []
  const seen = new Set<string>()
  const out: CheckIssue[] = []
  list.forEach((item, i) => {
    if (typeof item !== 'string') return
    if (seen.has(item)) out.push(checkIssue('rule', 'schema', [...path, i], MSG.duplicate(item)))
    seen.add(item)
  })
  return out
}
