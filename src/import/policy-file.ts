// Import stage: a containers-policy.json text → its transports and requirement
// lists, in the shape containers/image's `signature.Policy` reads, and the
// comparison the round trip is judged by. Pure; no I/O; never throws on bad input.
//
// containers/image (signature/policy_config.go, v5.35.0) refuses unknown keys,
// a missing or empty `default`, and an empty requirement list; so do we, since
// a file it refuses is not a policy anything could import.

import stableStringify from 'fast-json-stable-stringify'
import { isObject } from '../is-object.ts'
import { goDecodeBase64, goEncodeBase64 } from '../upstream/go-base64.ts'
import { getOrCompute } from '../memo.ts'

/** A requirement as written (a JSON object). */
export type RawRequirement = Readonly<Record<string, unknown>>

export interface ParsedPolicy {
  readonly default: readonly RawRequirement[]
  /** Transport → scope → requirements, in file order. */
  readonly transports: ReadonlyMap<string, ReadonlyMap<string, readonly RawRequirement[]>>
}

export function parsePolicyText(text: string): { readonly value: ParsedPolicy } | { readonly error: string } {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    return { error: `not JSON: ${e instanceof Error ? e.message : String(e)}` }
  }
  if (!isObject(json)) return { error: 'not a JSON object' }
  // JSON.parse keeps the last of duplicate keys; containers/image refuses them
  // (paranoidUnmarshalJSONObject), and so must we: which one would we import?
  const dup = duplicateKey(text)
  if (dup !== undefined) return { error: `Duplicate key ${JSON.stringify(dup)}` }
  for (const key of Object.keys(json)) {
    if (key !== 'default' && key !== 'transports') return { error: `Unknown key ${JSON.stringify(key)} (containers/image reads only default and transports)` }
  }
  const defaults = requirementList(json['default'], 'default')
  if ('error' in defaults) return defaults
  if (defaults.value.length === 0) return { error: 'Default policy is missing' }
  const transports = new Map<string, Map<string, readonly RawRequirement[]>>()
  const t = json['transports']
  if (t !== undefined && t !== null) {
    if (!isObject(t)) return { error: 'transports is not an object' }
    for (const [name, scopes] of Object.entries(t)) {
      if (!isObject(scopes)) return { error: `transports.${name} is not an object` }
      const map = new Map<string, readonly RawRequirement[]>()
      for (const [scope, reqs] of Object.entries(scopes)) {
        const list = requirementList(reqs, `transports.${name}[${JSON.stringify(scope)}]`)
        if ('error' in list) return list
        if (list.value.length === 0) return { error: `transports.${name}[${JSON.stringify(scope)}]: No policy requirements` }
        map.set(scope, list.value)
      }
      transports.set(name, map)
    }
  }
  return { value: { default: defaults.value, transports } }
}

/**
 * The first key that appears twice in one JSON object, or undefined; `text` is
 * valid JSON (JSON.parse read it). One pass over the text, a key set per open object.
 */
function duplicateKey(text: string): string | undefined {
  const stack: { keys: Set<string> | undefined; expectKey: boolean }[] = []
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22) {
      let j = i + 1
      while (j < text.length && text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c ? 2 : 1
      const top = stack[stack.length - 1]
      if (top?.keys !== undefined && top.expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string
        if (top.keys.has(key)) return key
        top.keys.add(key)
        top.expectKey = false
      }
      i = j
    } else if (c === 0x7b) {
      stack.push({ keys: new Set(), expectKey: true })
    } else if (c === 0x5b) {
      stack.push({ keys: undefined, expectKey: false })
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop()
    } else if (c === 0x2c) {
      const top = stack[stack.length - 1]
      if (top?.keys !== undefined) top.expectKey = true
    }
  }
  return undefined
}

function requirementList(v: unknown, where: string): { readonly value: RawRequirement[] } | { readonly error: string } {
  if (!Array.isArray(v)) return { error: `${where} is not a list of requirements` }
  const out: RawRequirement[] = []
  for (const [i, r] of v.entries()) {
    if (!isObject(r) || typeof r['type'] !== 'string') return { error: `${where}[${i}] is not a requirement (an object with a type)` }
    out.push(r)
  }
  return { value: out }
}

const BYTE_FIELDS = ['keyData', 'rekorPublicKeyData']
const NESTED_BYTE_FIELDS: Readonly<Record<string, readonly string[]>> = { fulcio: ['caData'], pki: ['caRootsData', 'caIntermediatesData'] }

function canonicalBytes(v: unknown): unknown {
  if (typeof v !== 'string') return v
  const decoded = goDecodeBase64(v)
  return 'error' in decoded ? v : goEncodeBase64(decoded.bytes)
}

/**
 * A requirement as containers/image evaluates it, as a string: keys sorted,
 * key material re-encoded (Go decodes `[]byte` base64 with line breaks and
 * re-encodes it canonically), and a `sigstoreSigned` without `signedIdentity`
 * read as `matchRepoDigestOrExact` (its UnmarshalJSON default).
 */
export function canonicalRequirement(req: RawRequirement): string {
  // Requirements are read-only values, compared many times (docker, atomic, each namespace file).
  return getOrCompute(CANONICAL, req, canonical)
}

const CANONICAL = new WeakMap<RawRequirement, string>()

function canonical(req: RawRequirement): string {
  if (req['type'] !== 'sigstoreSigned') return stableStringify(req)
  const out: Record<string, unknown> = { ...req }
  for (const f of BYTE_FIELDS) if (f in out) out[f] = canonicalBytes(out[f])
  for (const [f, inner] of Object.entries(NESTED_BYTE_FIELDS)) {
    const v = out[f]
    if (isObject(v)) {
      const copy: Record<string, unknown> = { ...v }
      for (const g of inner) if (g in copy) copy[g] = canonicalBytes(copy[g])
      out[f] = copy
    }
  }
  if (out['signedIdentity'] === undefined) out['signedIdentity'] = { type: 'matchRepoDigestOrExact' }
  return stableStringify(out)
}

export function sameRequirements(a: readonly RawRequirement[], b: readonly RawRequirement[]): boolean {
  return a.length === b.length && a.every((r, i) => canonicalRequirement(r) === canonicalRequirement(b[i]!))
}

/** One place where two policies evaluate differently. `scope` undefined: the default. */
export interface PolicyDifference {
  readonly transport?: string
  readonly scope?: string
  readonly want?: readonly RawRequirement[]
  readonly got?: readonly RawRequirement[]
}

/**
 * Where `got` evaluates differently from `want`, scope by scope: the default,
 * then each transport's scopes (both sides' scopes, bytewise). Equal meanings
 * that differ in bytes are equal here: a missing transport is an empty one, and
 * a transport's `""` scope that repeats the default changes nothing (it is the
 * last lookup before the default), nor do the readings of canonicalRequirement.
 */
export function policyDifferences(want: ParsedPolicy, got: ParsedPolicy): PolicyDifference[] {
  const out: PolicyDifference[] = []
  if (!sameRequirements(want.default, got.default)) out.push({ want: want.default, got: got.default })
  const names = [...new Set([...want.transports.keys(), ...got.transports.keys()])].sort()
  for (const transport of names) {
    const w = effectiveScopes(want, transport)
    const g = effectiveScopes(got, transport)
    for (const scope of [...new Set([...w.keys(), ...g.keys()])].sort()) {
      const a = w.get(scope)
      const b = g.get(scope)
      if (a !== undefined && b !== undefined && sameRequirements(a, b)) continue
      out.push({ transport, scope, ...(a !== undefined ? { want: a } : {}), ...(b !== undefined ? { got: b } : {}) })
    }
  }
  return out
}

function effectiveScopes(policy: ParsedPolicy, transport: string): ReadonlyMap<string, readonly RawRequirement[]> {
  const scopes = policy.transports.get(transport) ?? new Map<string, readonly RawRequirement[]>()
  const empty = scopes.get('')
  if (empty === undefined || !sameRequirements(empty, policy.default)) return scopes
  return new Map([...scopes].filter(([s]) => s !== ''))
}

/** A requirement list in words for a message: its types (`sigstoreSigned, reject`). */
export function describeRequirements(reqs: readonly RawRequirement[] | undefined): string {
  return reqs === undefined ? 'no entry' : `[${reqs.map((r) => String(r['type'])).join(', ')}]`
}
