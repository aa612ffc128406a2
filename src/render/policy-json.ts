// Render stage: /etc/containers/policy.json and /etc/crio/policies/<namespace>.json,
// following MCO's `updatePolicyJSON` and `updateNamespacedPolicyJSONs` (helpers.go;
// mco-rendering.md §3 and §7). Pure; no I/O; never throws on bad input.

import { compareBytewise, goMarshalIndent, goJSONString, type GoValue } from '../upstream/go-json.ts'
import { INSECURE_ACCEPT_ANYTHING, REJECT, type Requirement } from '../resolve/requirement.ts'

export const POLICY_JSON_PATH = '/etc/containers/policy.json'
/** `pkg/daemon/constants` `CrioPoliciesDir`. */
export const CRIO_POLICIES_DIR = '/etc/crio/policies'

/**
 * MCO's base policy, `templates/<role>/01-<role>-container-runtime/_base/files/policy.yaml`,
 * byte for byte (4-space indent, odd layout, no final newline). It lands on the
 * node unchanged when only ImagePolicies exist.
 */
export const TEMPLATE_POLICY_JSON =
  '{\n    "default": [\n        {\n            "type": "insecureAcceptAnything"\n        }\n    ],\n    "transports":\n        {\n            "docker-daemon":\n                {\n                    "": [{"type":"insecureAcceptAnything"}]\n                }\n        }\n}'

type Scopes = Map<string, readonly Requirement[]>

/** A decoded containers `signature.Policy`. */
export interface Policy {
  readonly default: readonly Requirement[]
  readonly transports: ReadonlyMap<string, ReadonlyMap<string, readonly Requirement[]>>
}

/** The template as `json.Decode` reads it into `signature.Policy`. */
function templatePolicy(): Policy {
  return {
    default: [INSECURE_ACCEPT_ANYTHING],
    transports: new Map([['docker-daemon', new Map([['', [INSECURE_ACCEPT_ANYTHING]]])]]),
  }
}

/** containers' `atomic` transport takes at most two `/` in a scope (counted on the raw scope). */
function atomicAllowed(scope: string): boolean {
  let n = 0
  for (const c of scope) if (c === '/' && ++n >= 3) return false
  return true
}

export function marshalPolicy(policy: Policy): string {
  const value: GoValue = { default: policy.default, transports: policy.transports as ReadonlyMap<string, GoValue> }
  return goMarshalIndent(value)
}

export interface ClusterPolicyInput {
  readonly allowed: readonly string[] | undefined
  readonly policyBlocked: readonly string[] | undefined
  readonly cluster: ReadonlyMap<string, readonly Requirement[]>
}

/**
 * The cluster policy (`updatePolicyJSON`, after its validation, which the caller
 * runs): `text` is the file, `policy` the decoded value the namespace files start
 * from. Returns the template verbatim when there are no allowed or blocked
 * registries and no cluster scopes.
 */
export function renderClusterPolicy(input: ClusterPolicyInput): { readonly text: string; readonly policy: Policy } {
  const { allowed, policyBlocked, cluster } = input
  if (allowed === undefined && policyBlocked === undefined && cluster.size === 0) {
    return { text: TEMPLATE_POLICY_JSON, policy: templatePolicy() }
  }
  const base = templatePolicy()
  let defaults = base.default
  const transportScopes: Scopes = new Map()
  if (allowed !== undefined && allowed.length > 0) {
    defaults = [REJECT]
    for (const reg of allowed) {
      // An allowed registry that is also a cluster scope gets only the cluster requirements.
      if (cluster.has(reg)) continue
      transportScopes.set(reg, [INSECURE_ACCEPT_ANYTHING])
    }
  }
  if (policyBlocked !== undefined && policyBlocked.length > 0) {
    defaults = [INSECURE_ACCEPT_ANYTHING]
    for (const reg of policyBlocked) transportScopes.set(reg, [REJECT])
  }
  for (const [scope, reqs] of cluster) {
    transportScopes.set(scope, [...(transportScopes.get(scope) ?? []), ...reqs])
  }
  const transports = new Map(base.transports)
  if (transportScopes.size > 0) {
    transports.set('docker', transportScopes)
    transports.set('atomic', new Map([...transportScopes].filter(([scope]) => atomicAllowed(scope))))
  }
  const policy: Policy = { default: defaults, transports }
  return { text: marshalPolicy(policy), policy }
}

/**
 * A namespace's scopes in bytewise order, for `docker` and (fewer than three
 * `/`) for `atomic`: sorted once per scope map, which its file's renderer and
 * its decoder both read (the maps are not changed after resolve).
 */
const NAMESPACE_KEYS = new WeakMap<ReadonlyMap<string, unknown>, { readonly docker: readonly string[]; readonly atomic: readonly string[] }>()

function namespaceKeys(scopes: ReadonlyMap<string, unknown>): { readonly docker: readonly string[]; readonly atomic: readonly string[] } {
  let keys = NAMESPACE_KEYS.get(scopes)
  if (keys === undefined) {
    const docker = [...scopes.keys()].sort(compareBytewise)
    keys = { docker, atomic: docker.filter(atomicAllowed) }
    NAMESPACE_KEYS.set(scopes, keys)
  }
  return keys
}

/**
 * Namespace files (`updateNamespacedPolicyJSONs`): the cluster policy plus the
 * namespace's scopes appended into `docker` and (fewer than three `/`) `atomic`,
 * both created when missing. Requirements already there for a scope (an allowed
 * registry's `insecureAcceptAnything`) stay first.
 *
 * Every namespace file repeats the whole cluster policy, so the cluster's parts
 * are rendered once here and spliced into each file (same bytes as marshalling
 * each file whole, which the conformance tests and test/scale-properties.test.ts
 * check). A requirement object is rendered once too, however many scopes and
 * transports list it (an ImagePolicy's requirement is one object for all its
 * scopes, in `docker` and `atomic`), and each file's scopes are merged into the
 * cluster's, which are sorted once: 10,000 policies make 40,000 entries.
 */
export function namespacePolicyRenderer(clusterPolicy: Policy): (scopes: ReadonlyMap<string, readonly Requirement[]>) => string {
  const SCOPE_INDENT = '      '
  const ITEM_INDENT = `${SCOPE_INDENT}  `
  // Requirements are immutable values (readonly), so a text per object is safe.
  const itemTexts = new Map<Requirement, string>()
  const itemText = (req: Requirement): string => {
    let text = itemTexts.get(req)
    if (text === undefined) {
      text = goMarshalIndent(req, ITEM_INDENT)
      itemTexts.set(req, text)
    }
    return text
  }
  // goMarshalIndent(reqs, SCOPE_INDENT), from the items' texts, as pieces of the file.
  const pushList = (out: string[], reqs: readonly Requirement[]): void => {
    if (reqs.length === 0) {
      out.push('[]')
      return
    }
    out.push(`[\n${ITEM_INDENT}`)
    reqs.forEach((req, i) => {
      if (i > 0) out.push(`,\n${ITEM_INDENT}`)
      out.push(itemText(req))
    })
    out.push(`\n${SCOPE_INDENT}]`)
  }
  const entry = (scope: string, reqs: readonly Requirement[]): string => {
    const out = [`\n${SCOPE_INDENT}`, goJSONString(scope), ': ']
    pushList(out, reqs)
    return out.join('')
  }
  const prerender = (name: string) => {
    const scopes = clusterPolicy.transports.get(name) ?? new Map<string, readonly Requirement[]>()
    const keys = [...scopes.keys()].sort(compareBytewise)
    return { scopes, keys, entries: keys.map((scope) => entry(scope, scopes.get(scope)!)) }
  }
  const docker = prerender('docker')
  const atomic = prerender('atomic')
  const others = [...clusterPolicy.transports].filter(([name]) => name !== 'docker' && name !== 'atomic')
  const otherTexts = new Map(others.map(([name, scopes]) => [name, goMarshalIndent(scopes as ReadonlyMap<string, GoValue>, '    ')]))
  const defaultText = goMarshalIndent(clusterPolicy.default, '  ')
  const names = [...new Set([...otherTexts.keys(), 'docker', 'atomic'])].sort(compareBytewise)

  // The cluster's entries and the namespace's, in bytewise key order (a Go map's);
  // a namespace scope the cluster also has gets the cluster's requirements first.
  // `added`: the namespace's keys for this transport, sorted; `add` holds their requirements.
  const pushTransport = (out: string[], cluster: typeof docker, added: readonly string[], add: ReadonlyMap<string, readonly Requirement[]>): void => {
    if (cluster.keys.length === 0 && added.length === 0) {
      out.push('{}')
      return
    }
    out.push('{')
    let i = 0
    let j = 0
    let n = 0
    while (i < cluster.keys.length || j < added.length) {
      if (n++ > 0) out.push(',')
      const order = i === cluster.keys.length ? 1 : j === added.length ? -1 : compareBytewise(cluster.keys[i]!, added[j]!)
      if (order < 0) {
        out.push(cluster.entries[i++]!)
        continue
      }
      const scope = added[j++]!
      if (order === 0) i++
      const own = add.get(scope)!
      const existing = cluster.scopes.get(scope)
      out.push(`\n${SCOPE_INDENT}`, goJSONString(scope), ': ')
      pushList(out, existing === undefined ? own : [...existing, ...own])
    }
    out.push('\n    }')
  }

  // The file's pieces joined once: one flat string per file (no intermediate
  // transport or body strings copied again, nothing left to flatten later).
  return (scopes) => {
    const { docker: dockerAdded, atomic: atomicAdded } = namespaceKeys(scopes)
    const out: string[] = ['{\n  "default": ', defaultText, ',\n  "transports": {']
    names.forEach((name, k) => {
      out.push(k > 0 ? ',\n    ' : '\n    ', goJSONString(name), ': ')
      if (name === 'docker') pushTransport(out, docker, dockerAdded, scopes)
      else if (name === 'atomic') pushTransport(out, atomic, atomicAdded, scopes)
      else out.push(otherTexts.get(name)!)
    })
    out.push('\n  }\n}')
    return out.join('')
  }
}

/**
 * Array-index keys (`"0"`, `"42"`) first, ascending, then the rest in the order
 * given: the order `JSON.parse` gives an object's keys, so a decoded file's maps
 * iterate exactly as `parseSignaturePolicy` of its text would.
 */
function jsKeyOrder(keys: readonly string[]): readonly string[] {
  let indices: string[] | undefined
  for (const k of keys) if (isArrayIndex(k)) (indices ??= []).push(k)
  if (indices === undefined) return keys
  indices.sort((a, b) => Number(a) - Number(b))
  return [...indices, ...keys.filter((k) => !isArrayIndex(k))]
}

function isArrayIndex(key: string): boolean {
  const c = key.charCodeAt(0)
  if (c < 48 || c > 57) return false
  return /^(0|[1-9][0-9]*)$/.test(key) && Number(key) < 4294967295
}

/** A map in Go's marshalled (bytewise) key order, then as JSON.parse reorders it. */
function inFileOrder<V>(map: ReadonlyMap<string, V>): Map<string, V> {
  const keys = jsKeyOrder([...map.keys()].sort(compareBytewise))
  return new Map(keys.map((k) => [k, map.get(k)!]))
}

/**
 * The policy a rendered file holds, as `parseSignaturePolicy` (explain/policy-lookup.ts)
 * decodes its text: the review reads this instead of parsing every namespace file
 * back (test/rendered-policy.test.ts checks the two are deep-equal).
 */
export function decodedPolicy(policy: Policy): Policy {
  const names = jsKeyOrder([...policy.transports.keys()].sort(compareBytewise))
  return { default: policy.default, transports: new Map(names.map((name) => [name, inFileOrder(policy.transports.get(name)!)])) }
}

/**
 * `decodedPolicy` of a namespace file `namespacePolicyRenderer` renders, built
 * from the same parts without marshalling: the cluster's maps are sorted once.
 */
export function namespacePolicyDecoder(clusterPolicy: Policy): (scopes: ReadonlyMap<string, readonly Requirement[]>) => Policy {
  const sortedKeys = (name: string) => [...(clusterPolicy.transports.get(name) ?? new Map<string, unknown>()).keys()].sort(compareBytewise)
  const dockerScopes = clusterPolicy.transports.get('docker') ?? new Map<string, readonly Requirement[]>()
  const atomicScopes = clusterPolicy.transports.get('atomic') ?? new Map<string, readonly Requirement[]>()
  const dockerKeys = sortedKeys('docker')
  const atomicKeys = sortedKeys('atomic')
  const others = new Map([...clusterPolicy.transports].filter(([name]) => name !== 'docker' && name !== 'atomic').map(([name, scopes]) => [name, inFileOrder(scopes)]))
  const names = jsKeyOrder([...new Set([...others.keys(), 'docker', 'atomic'])].sort(compareBytewise))
  // `added`: the namespace's keys of this transport, sorted; `add`, where `has` holds, their requirements.
  const merged = (
    keys: readonly string[],
    cluster: ReadonlyMap<string, readonly Requirement[]>,
    added: readonly string[],
    add: ReadonlyMap<string, readonly Requirement[]>,
    has: (scope: string) => boolean,
  ) => {
    const out: string[] = []
    let i = 0
    let j = 0
    while (i < keys.length || j < added.length) {
      const order = i === keys.length ? 1 : j === added.length ? -1 : compareBytewise(keys[i]!, added[j]!)
      if (order < 0) out.push(keys[i++]!)
      else {
        if (order === 0) i++
        out.push(added[j++]!)
      }
    }
    const map = new Map<string, readonly Requirement[]>()
    for (const k of jsKeyOrder(out)) {
      const own = has(k) ? add.get(k) : undefined
      const existing = cluster.get(k)
      map.set(k, own === undefined ? existing! : existing === undefined ? own : [...existing, ...own])
    }
    return map
  }
  return (scopes) => {
    const added = namespaceKeys(scopes)
    const transports = new Map<string, ReadonlyMap<string, readonly Requirement[]>>()
    for (const name of names) {
      if (name === 'docker') transports.set(name, merged(dockerKeys, dockerScopes, added.docker, scopes, () => true))
      else if (name === 'atomic') transports.set(name, merged(atomicKeys, atomicScopes, added.atomic, scopes, atomicAllowed))
      else transports.set(name, others.get(name)!)
    }
    return { default: clusterPolicy.default, transports }
  }
}

/**
 * The decoded policy of each policy file the renderer wrote, keyed by the file
 * object (a side map, so NodeFile stays `{ path, contents }` for every other
 * stage): built on first use, as most runs never ask.
 */
const renderedPolicies = new WeakMap<object, () => Policy>()

export function recordRenderedPolicy(file: object, decode: () => Policy): void {
  renderedPolicies.set(file, decode)
}

/** The policy `file` was rendered from, decoded as its text would be; undefined for a file not rendered here. */
export function renderedPolicy(file: object): Policy | undefined {
  return renderedPolicies.get(file)?.()
}

export function namespacePolicyPath(namespace: string): string {
  return `${CRIO_POLICIES_DIR}/${namespace}.json`
}
