// Import stage: node policy files → the ClusterImagePolicies, ImagePolicies and
// Image config `cluster` that MCO renders to the same policy: the inverse of
// render/policy-json.ts (MCO's `updatePolicyJSON`, `updateNamespacedPolicyJSONs`
// and `getValidScopePolicies`; mco-rendering.md §2–§3). Pure; no I/O.
//
// Each docker scope of policy.json is read by what MCO writes there:
// `[reject]` under default `[insecureAcceptAnything]` is a blockedRegistries
// entry, `[insecureAcceptAnything]` under default `[reject]` an
// allowedRegistries entry, and `sigstoreSigned` requirements are
// ClusterImagePolicies. A namespace file is the cluster policy plus that
// namespace's ImagePolicy scopes. What MCO cannot write is a finding, one per
// requirement, naming the file, transport and scope: never dropped.

import type { Issue } from '../issues.ts'
import type { SigstorePolicy } from '../model.ts'
import { scopeIsNestedInsideScope } from '../resolve/scope-nesting.ts'
import { clusterScopeIndex } from '../resolve/scopes.ts'
import { isDns1123Label } from '../upstream/dns1123.ts'
import { compareBytewise } from '../upstream/go-json.ts'
import { isValidRegistriesConfScope } from '../upstream/registries-patterns.ts'
import { sameRequirements, type ParsedPolicy, type RawRequirement } from './policy-file.ts'
import { importIssue, importNote, type Entry, type ImportIssue } from './import-issue.ts'
import { invertRequirement, typeReason } from './requirement-to-policy.ts'

export interface PolicySource {
  /** Where it came from, as messages name it (a file, or `MachineConfig/NAME /etc/...`). */
  readonly origin: string
  readonly policy: ParsedPolicy
}

export interface ImportInput {
  /** /etc/containers/policy.json; absent: MCO's base template is assumed (a note says so). */
  readonly cluster?: PolicySource
  /** /etc/crio/policies/<namespace>.json, by namespace. */
  readonly namespaces: ReadonlyMap<string, PolicySource>
  /** CR names: `<prefix>-NNN`. */
  readonly namePrefix: string
}

export interface ImportedPolicy {
  readonly kind: 'ClusterImagePolicy' | 'ImagePolicy'
  readonly name: string
  readonly namespace?: string
  readonly scopes: readonly string[]
  readonly policy: SigstorePolicy
}

export interface ImportResult {
  readonly policies: readonly ImportedPolicy[]
  readonly allowedRegistries?: readonly string[]
  readonly blockedRegistries?: readonly string[]
  /** What the APIs cannot express: one ImportIssue per requirement (or default) of one file. */
  readonly findings: readonly ImportIssue[]
  /**
   * Differences that only add checks (a docker scope's requirements copied to
   * an atomic scope the file left to the default): reported, not refused.
   */
  readonly additions: readonly ImportIssue[]
  readonly notes: readonly Issue[]
}

const IAA: RawRequirement = { type: 'insecureAcceptAnything' }
/** MCO's base policy.json, decoded. */
export const TEMPLATE_POLICY: ParsedPolicy = { default: [IAA], transports: new Map([['docker-daemon', new Map([['', [IAA]]])]]) }
/** The most scopes one CR may list (CRD maxItems). */
export const MAX_SCOPES_PER_POLICY = 256

const MCO_TRANSPORTS = new Set(['docker', 'atomic', 'docker-daemon'])

function atomicAllowed(scope: string): boolean {
  return scope.split('/').length - 1 < 3
}

/** A tag or digest: `@`, or a `:` after the last `/` (a `:` before the first `/` is a port). */
function hasTagOrDigest(scope: string): boolean {
  const slash = scope.lastIndexOf('/')
  return scope.includes('@') || (slash !== -1 && scope.slice(slash).includes(':'))
}

function isType(reqs: readonly RawRequirement[], type: string): boolean {
  return reqs.length === 1 && reqs[0]!['type'] === type && Object.keys(reqs[0]!).length === 1
}

/** A scope's requirements that can be CRs, and findings for the rest. */
function invertScope(reqs: readonly RawRequirement[], origin: string, where: Entry, findings: ImportIssue[], why: (req: RawRequirement) => string | undefined): SigstorePolicy[] {
  const out: SigstorePolicy[] = []
  for (const req of reqs) {
    const special = why(req)
    if (special !== undefined) {
      findings.push(importIssue(origin, special, where))
      continue
    }
    const inverted = invertRequirement(req)
    if ('reasons' in inverted) for (const r of inverted.reasons) findings.push(importIssue(origin, r, where))
    else out.push(inverted.policy)
  }
  return out
}

/** The checks shared by policy.json and the namespace files: transports MCO never writes, docker-daemon, atomic. */
function transportFindings(source: PolicySource, findings: ImportIssue[], additions: ImportIssue[], expectedDaemon: ReadonlyMap<string, readonly RawRequirement[]> | undefined, defaults: readonly RawRequirement[]): void {
  const { origin, policy } = source
  for (const [transport, scopes] of [...policy.transports].sort(([a], [b]) => compareBytewise(a, b))) {
    if (MCO_TRANSPORTS.has(transport)) continue
    for (const [scope, reqs] of scopes) {
      for (const req of reqs) findings.push(importIssue(origin, `transport ${transport} (${String(req['type'])}): MCO writes only the docker, atomic and docker-daemon transports`, { transport, scope }))
    }
  }
  const daemon = policy.transports.get('docker-daemon') ?? new Map<string, readonly RawRequirement[]>()
  const want = expectedDaemon ?? new Map([['', [IAA]]])
  for (const scope of [...new Set([...daemon.keys(), ...want.keys()])].sort(compareBytewise)) {
    const got = daemon.get(scope)
    const expected = want.get(scope)
    if (got !== undefined && expected !== undefined && sameRequirements(got, expected)) continue
    // No entry for "" is the default: the same when the default is insecureAcceptAnything.
    if (got === undefined && scope === '' && expected !== undefined && sameRequirements(expected, defaults)) continue
    findings.push(
      importIssue(origin, `MCO writes docker-daemon as its base policy does ({"": [insecureAcceptAnything]}), not ${got === undefined ? 'without this entry' : JSON.stringify(got)}`, { transport: 'docker-daemon', scope }),
    )
  }
  const docker = policy.transports.get('docker') ?? new Map<string, readonly RawRequirement[]>()
  const atomic = policy.transports.get('atomic') ?? new Map<string, readonly RawRequirement[]>()
  for (const scope of [...new Set([...docker.keys(), ...atomic.keys()])].sort(compareBytewise)) {
    const d = docker.get(scope)
    const a = atomic.get(scope)
    if (d !== undefined && !atomicAllowed(scope)) {
      if (a !== undefined) findings.push(importIssue(origin, 'MCO writes atomic scopes with fewer than 3 "/" only', { transport: 'atomic', scope }))
      continue
    }
    if (d !== undefined && a !== undefined && sameRequirements(d, a)) continue
    if (d === undefined) {
      findings.push(importIssue(origin, 'an atomic scope without the same docker scope: MCO writes atomic as a copy of the docker scopes with fewer than 3 "/"', { transport: 'atomic', scope }))
    } else if (a === undefined) {
      additions.push(importIssue(origin, 'no atomic entry: rendering adds the docker requirements here too (MCO copies every docker scope with fewer than 3 "/" into atomic), which only adds checks', { transport: 'atomic', scope }))
    } else {
      findings.push(importIssue(origin, 'the atomic requirements differ from the docker ones: MCO writes the same list to both', { transport: 'atomic', scope }))
    }
  }
}

/**
 * Orders CRs so that, sorted by name (our renderer's order, src/resolve/scopes.ts),
 * every scope gets its requirements back in the file's order: one CR per
 * distinct requirement (and per repetition of it within a scope), ordered by a
 * topological sort of "comes before in some scope"; if the scopes disagree (a
 * cycle), one CR per scope and position, which always works.
 */
function groupPolicies(scopes: ReadonlyMap<string, readonly SigstorePolicy[]>): { policy: SigstorePolicy; scopes: string[] }[] {
  const keyOf = (p: SigstorePolicy) => JSON.stringify(p)
  const attempt = (nodeKey: (scope: string, p: SigstorePolicy, occurrence: number, position: number) => string) => {
    const nodes = new Map<string, { policy: SigstorePolicy; scopes: string[]; order: number }>()
    const edges = new Map<string, Set<string>>()
    const indegree = new Map<string, number>()
    for (const scope of [...scopes.keys()].sort(compareBytewise)) {
      const seen = new Map<string, number>()
      let previous: string | undefined
      scopes.get(scope)!.forEach((p, position) => {
        const k = keyOf(p)
        const occurrence = seen.get(k) ?? 0
        seen.set(k, occurrence + 1)
        const node = nodeKey(scope, p, occurrence, position)
        if (!nodes.has(node)) {
          nodes.set(node, { policy: p, scopes: [], order: nodes.size })
          indegree.set(node, 0)
          edges.set(node, new Set())
        }
        nodes.get(node)!.scopes.push(scope)
        if (previous !== undefined && !edges.get(previous)!.has(node)) {
          edges.get(previous)!.add(node)
          indegree.set(node, indegree.get(node)! + 1)
        }
        previous = node
      })
    }
    const ready = [...nodes.keys()].filter((n) => indegree.get(n) === 0)
    const out: { policy: SigstorePolicy; scopes: string[] }[] = []
    while (ready.length > 0) {
      ready.sort((a, b) => nodes.get(a)!.order - nodes.get(b)!.order)
      const n = ready.shift()!
      out.push(nodes.get(n)!)
      for (const m of edges.get(n)!) {
        indegree.set(m, indegree.get(m)! - 1)
        if (indegree.get(m) === 0) ready.push(m)
      }
    }
    return out.length === nodes.size ? out : undefined
  }
  return attempt((_s, p, occurrence) => `${keyOf(p)}#${occurrence}`) ?? attempt((scope, _p, _o, position) => `${scope}#${position}`)!
}

/** `<prefix>-NNN`, zero-padded to one width so that name order is number order. */
function named(groups: readonly { policy: SigstorePolicy; scopes: string[] }[], prefix: string): { name: string; policy: SigstorePolicy; scopes: string[] }[] {
  const chunks = groups.flatMap((g) => {
    const sorted = [...g.scopes].sort(compareBytewise)
    const out: { policy: SigstorePolicy; scopes: string[] }[] = []
    for (let i = 0; i < sorted.length; i += MAX_SCOPES_PER_POLICY) out.push({ policy: g.policy, scopes: sorted.slice(i, i + MAX_SCOPES_PER_POLICY) })
    return out
  })
  const width = Math.max(3, String(chunks.length).length)
  return chunks.map((c, i) => ({ name: `${prefix}-${String(i + 1).padStart(width, '0')}`, ...c }))
}

export function importPolicies(input: ImportInput): ImportResult {
  const findings: ImportIssue[] = []
  const additions: ImportIssue[] = []
  const notes: Issue[] = []
  const cluster: PolicySource = input.cluster ?? { origin: 'policy.json (MCO base, assumed)', policy: TEMPLATE_POLICY }
  if (input.cluster === undefined) {
    notes.push(importNote('no /etc/containers/policy.json given: the cluster-wide policy is taken to be MCO\'s base one (no ClusterImagePolicy, no registry settings)'))
  }
  const { origin } = cluster
  const policy = cluster.policy
  let mode: 'allowed' | 'blocked'
  if (isType(policy.default, 'reject')) mode = 'allowed'
  else if (isType(policy.default, 'insecureAcceptAnything')) mode = 'blocked'
  else {
    mode = 'blocked'
    findings.push(importIssue(origin, `default ${JSON.stringify(policy.default)}: MCO writes default [insecureAcceptAnything], or [reject] with allowedRegistries; rendering writes [insecureAcceptAnything]`, 'default'))
  }
  transportFindings(cluster, findings, additions, undefined, policy.default)

  const docker = policy.transports.get('docker') ?? new Map<string, readonly RawRequirement[]>()
  const allowed: string[] = []
  const blocked: string[] = []
  const clusterScopes = new Map<string, SigstorePolicy[]>()
  for (const scope of [...docker.keys()].sort(compareBytewise)) {
    const reqs = docker.get(scope)!
    const where = { transport: 'docker', scope }
    if (mode === 'allowed' && isType(reqs, 'insecureAcceptAnything')) {
      if (isValidRegistriesConfScope(scope)) allowed.push(scope)
      else findings.push(importIssue(origin, 'insecureAcceptAnything: an allowedRegistries entry, but MCO refuses this one (a wildcard must be *.domain with no "/", "@" or ":")', where))
      continue
    }
    if (mode === 'blocked' && isType(reqs, 'reject')) {
      if (isValidRegistriesConfScope(scope)) blocked.push(scope)
      else findings.push(importIssue(origin, 'reject: a blockedRegistries entry, but MCO refuses this one (a wildcard must be *.domain with no "/", "@" or ":")', where))
      continue
    }
    const policies = invertScope(reqs, origin, where, findings, (req) => {
      if (req['type'] === 'insecureAcceptAnything') {
        return mode === 'allowed'
          ? 'insecureAcceptAnything together with other requirements: MCO writes it alone (an allowedRegistries entry)'
          : 'insecureAcceptAnything for a scope: MCO writes it only for allowedRegistries, which also makes the default reject'
      }
      if (req['type'] === 'reject') {
        return mode === 'blocked' ? 'reject together with other requirements: MCO writes it alone (a blockedRegistries entry)' : 'reject for a scope under default reject: the Image config cannot write it (blockedRegistries makes the default insecureAcceptAnything)'
      }
      return req['type'] === 'sigstoreSigned' ? undefined : typeReason(String(req['type']))
    })
    if (policies.length > 0) clusterScopes.set(scope, policies)
  }
  // MCO refuses a ClusterImagePolicy scope outside allowedRegistries or inside
  // blockedRegistries; with allowedRegistries the scope itself is listed (an
  // allowed registry that is a cluster scope gets no insecureAcceptAnything).
  for (const scope of [...clusterScopes.keys()]) {
    const where = { transport: 'docker', scope }
    if (mode === 'allowed' && !allowed.some((reg) => scopeIsNestedInsideScope(scope, reg))) {
      if (isValidRegistriesConfScope(scope) && !hasTagOrDigest(scope)) {
        allowed.push(scope)
      } else {
        for (const _ of clusterScopes.get(scope)!) findings.push(importIssue(origin, 'with default reject the scope must be an allowedRegistries entry or inside one, and a scope with a tag or digest cannot be one', where))
        clusterScopes.delete(scope)
      }
    }
    if (mode === 'blocked' && blocked.some((reg) => scopeIsNestedInsideScope(scope, reg))) {
      for (const _ of clusterScopes.get(scope)!) findings.push(importIssue(origin, 'a signed scope inside a blockedRegistries entry: MCO refuses it (clusterimagePolicy configured for the scope is nested inside blockedRegistries)', where))
      clusterScopes.delete(scope)
    }
  }
  allowed.sort(compareBytewise)
  if (mode === 'allowed' && allowed.length === 0) {
    findings.push(importIssue(origin, 'default [reject] with no scope MCO could write under it: only allowedRegistries makes the default reject, and none is left', 'default'))
  }

  // The exact rule, without scanning every cluster scope per namespace scope (20,000-scope repositories).
  const nestedInCluster = clusterScopeIndex([...clusterScopes.keys()])
  const namespacePolicies = new Map<string, Map<string, SigstorePolicy[]>>()
  for (const [namespace, source] of [...input.namespaces].sort(([a], [b]) => compareBytewise(a, b))) {
    const o = source.origin
    if (!isDns1123Label(namespace)) {
      findings.push(importIssue(o, `namespace ${JSON.stringify(namespace)} is not a valid DNS-1123 label: no ImagePolicy can live there`, 'default'))
      continue
    }
    const p = source.policy
    if (!sameRequirements(p.default, policy.default)) findings.push(importIssue(o, `default ${JSON.stringify(p.default)} differs from policy.json's: MCO copies policy.json's default into every namespace file`, 'default'))
    transportFindings(source, findings, additions, policy.transports.get('docker-daemon'), p.default)
    const nsDocker = p.transports.get('docker') ?? new Map<string, readonly RawRequirement[]>()
    const own = new Map<string, SigstorePolicy[]>()
    for (const scope of [...nsDocker.keys()].sort(compareBytewise)) {
      const reqs = nsDocker.get(scope)!
      const where = { transport: 'docker', scope }
      const inherited = docker.get(scope)
      let extra = reqs
      if (inherited !== undefined) {
        if (sameRequirements(reqs, inherited)) continue
        const prefix = reqs.slice(0, inherited.length)
        if (!sameRequirements(prefix, inherited)) {
          findings.push(importIssue(o, "the requirements differ from policy.json's for this scope: MCO starts a namespace file's scope with policy.json's requirements", where))
          continue
        }
        extra = reqs.slice(inherited.length)
        if (!(mode === 'allowed' && isType(inherited, 'insecureAcceptAnything'))) {
          for (const _ of extra) findings.push(importIssue(o, 'a namespace requirement for a scope policy.json already has: MCO drops ImagePolicy scopes equal to or inside a ClusterImagePolicy scope', where))
          continue
        }
      }
      const inCluster = nestedInCluster(scope) ? [...clusterScopes.keys()].find((c) => scopeIsNestedInsideScope(scope, c)) : undefined
      if (inCluster !== undefined) {
        for (const _ of extra) findings.push(importIssue(o, `inside the cluster scope ${inCluster}: MCO drops ImagePolicy scopes equal to or inside a ClusterImagePolicy scope`, where))
        continue
      }
      if (mode === 'allowed' && !allowed.some((reg) => scopeIsNestedInsideScope(scope, reg))) {
        for (const _ of extra) findings.push(importIssue(o, 'not inside an allowedRegistries entry: MCO refuses such an ImagePolicy scope (imagePolicy configured for the scope is not nested inside allowedRegistries)', where))
        continue
      }
      if (mode === 'blocked' && blocked.some((reg) => scopeIsNestedInsideScope(scope, reg))) {
        for (const _ of extra) findings.push(importIssue(o, 'inside a blockedRegistries entry: MCO refuses such an ImagePolicy scope', where))
        continue
      }
      const policies = invertScope(extra, o, where, findings, (req) =>
        req['type'] === 'insecureAcceptAnything' || req['type'] === 'reject'
          ? `${String(req['type'])} for a namespace scope: only the Image config writes it, and for every namespace alike`
          : req['type'] === 'sigstoreSigned'
            ? undefined
            : typeReason(String(req['type'])),
      )
      if (policies.length > 0) own.set(scope, policies)
    }
    for (const scope of [...docker.keys()].sort(compareBytewise)) {
      if (!nsDocker.has(scope)) findings.push(importIssue(o, "missing policy.json's scope: MCO copies every policy.json scope into each namespace file", { transport: 'docker', scope }))
    }
    if (own.size > 0) namespacePolicies.set(namespace, own)
    else notes.push(importNote(`no scope of its own (only policy.json's): no ImagePolicy, and rendering writes no file for namespace ${namespace}`, o))
  }

  const policies: ImportedPolicy[] = named(groupPolicies(clusterScopes), input.namePrefix).map((g) => ({ kind: 'ClusterImagePolicy' as const, ...g }))
  for (const [namespace, scopes] of namespacePolicies) {
    for (const g of named(groupPolicies(scopes), input.namePrefix)) policies.push({ kind: 'ImagePolicy', namespace, ...g })
  }
  return {
    policies,
    ...(mode === 'allowed' && allowed.length > 0 ? { allowedRegistries: allowed } : {}),
    ...(blocked.length > 0 ? { blockedRegistries: blocked } : {}),
    findings,
    additions,
    notes,
  }
}
