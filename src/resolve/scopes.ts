// Resolve stage: policies → scope maps, following MCO's `getValidScopePolicies`
// (container_runtime_config_controller.go; mco-rendering.md §2). Pure; no I/O.

import type { Issue } from '../issues.ts'
import type { PolicyResource } from '../model.ts'
import { compareBytewise } from '../upstream/go-json.ts'
import { goQuoteList } from '../upstream/go-strconv.ts'
import { resolveRequirement, type Requirement } from './requirement.ts'
import { scopeIsNestedInsideScope } from './scope-nesting.ts'
import { getOrCompute } from '../memo.ts'

/** An ImagePolicy that lost one or more scopes to cluster scopes. */
export interface ScopeConflict {
  readonly policy: PolicyResource
  readonly scopes: readonly string[]
  /** MCO's condition message for the `Pending` / `ConflictScopes` status. */
  readonly message: string
}

export interface ResolvedScopes {
  /** Cluster scope → requirements, in policy order. */
  readonly cluster: ReadonlyMap<string, readonly Requirement[]>
  /** Namespace → scope → requirements (non-conflicting ImagePolicy scopes only). */
  readonly namespaces: ReadonlyMap<string, ReadonlyMap<string, readonly Requirement[]>>
  readonly conflicts: readonly ScopeConflict[]
}

/**
 * The order in which policies that share a scope are ANDed. MCO uses informer
 * order, which is not deterministic; we sort ClusterImagePolicies by name and
 * ImagePolicies by namespace then name, so reordering files in Git changes no
 * output byte (README "Where we differ from MCO").
 */
export function comparePolicies(a: PolicyResource, b: PolicyResource): number {
  return compareBytewise(a.namespace ?? '', b.namespace ?? '') || compareBytewise(a.name, b.name)
}

export function conflictMessage(scopes: readonly string[]): string {
  return `has conflicting scope(s) ${goQuoteList(scopes)} that equal to or nest inside existing clusterimagepolicy, only policy from clusterimagepolicy scope(s) will be applied`
}

/**
 * Builds the cluster and namespace scope maps. Every policy's requirement is
 * built, and every failing one is reported (MCO stops at the first). An ImagePolicy scope
 * equal to or nested inside any cluster scope is dropped and reported as a conflict.
 * `ordered` selects our deterministic order; `false` keeps the given order (as
 * MCO's bootstrap does), which the conformance tests use.
 */
export function resolveScopes(
  policies: readonly PolicyResource[],
  ordered = true,
): { readonly value: ResolvedScopes; readonly issues: readonly Issue[]; readonly isClusterScoped: (scope: string) => boolean } {
  const cips = policies.filter((p) => p.kind === 'ClusterImagePolicy')
  const ips = policies.filter((p) => p.kind === 'ImagePolicy')
  if (ordered) {
    cips.sort(comparePolicies)
    ips.sort(comparePolicies)
  }
  const issues: Issue[] = []
  const cluster = new Map<string, Requirement[]>()
  for (const cip of cips) {
    const item = resolveRequirement(cip.policy, cip.ref)
    if ('issue' in item) {
      issues.push(item.issue)
      continue
    }
    for (const scope of cip.scopes) appendTo(cluster, scope, item.value)
  }

  const clusterScopes = [...cluster.keys()]
  const nested = clusterScopeIndex(clusterScopes)
  const namespaces = new Map<string, Map<string, Requirement[]>>()
  const conflicts: ScopeConflict[] = []
  for (const ip of ips) {
    const item = resolveRequirement(ip.policy, ip.ref)
    if ('issue' in item) {
      issues.push(item.issue)
      continue
    }
    const namespace = ip.namespace ?? ''
    const lost: string[] = []
    for (const scope of ip.scopes) {
      if (nested(scope)) {
        lost.push(scope)
        continue
      }
      appendTo(getOrCompute(namespaces, namespace, () => new Map()), scope, item.value)
    }
    if (lost.length > 0) conflicts.push({ policy: ip, scopes: lost, message: conflictMessage(lost) })
  }
  return { value: { cluster, namespaces, conflicts }, issues, isClusterScoped: nested }
}

function appendTo(map: Map<string, Requirement[]>, key: string, item: Requirement): void {
  const list = map.get(key)
  if (list === undefined) map.set(key, [item])
  else list.push(item)
}

/**
 * `scope ↦ ∃ cluster scope c: scopeIsNestedInsideScope(scope, c)`, without
 * scanning every cluster scope: a scope can only be nested in itself, in one of
 * its `/`-prefixes, or in a `*.` wildcard; wildcards (few in practice) are
 * checked one by one with the exact rule.
 */
export function clusterScopeIndex(clusterScopes: readonly string[]): (scope: string) => boolean {
  const exact = new Set(clusterScopes)
  const wildcards = clusterScopes.filter((s) => s.startsWith('*.'))
  return (scope: string) => {
    if (exact.has(scope)) return true
    for (let i = scope.indexOf('/'); i !== -1; i = scope.indexOf('/', i + 1)) {
      if (exact.has(scope.slice(0, i))) return true
    }
    return wildcards.some((w) => scopeIsNestedInsideScope(scope, w))
  }
}
