// Resolve stage: the decoded inputs → one `Resolved` model (the scope maps and
// their winners, the conflicts, the Image config's registry lists after MCO's
// release payload protection, the registries.conf MCO would build), computed
// once; render, wrap and review consume it. Follows the checks of MCO's
// `registriesConfigIgnition` (helpers.go; mco-rendering.md §0, §2–§6) that
// come before any file is written. Pure; no I/O; never throws on bad input:
// MCO's errors come back as issues.

import { issue, type Issue, type Severity } from '../issues.ts'
import type { MirrorSets, PolicyResource, RegistrySources, ResolvedRegistries, ResourceRef } from '../model.ts'
import { isDns1123Label } from '../upstream/dns1123.ts'
import { resolveRegistriesConf, type RegistriesConf } from './registries-conf.ts'
import { allowedBlockedViolations, policyRegistriesErrors, resolveRegistries } from './registries.ts'
import { resolveScopes, type ResolvedScopes, type ScopeConflict } from './scopes.ts'

/** `/etc/crio/policies/<namespace>.json`: the node file an ImagePolicy's namespace becomes. */
const namespaceFilePath = (namespace: string): string => `/etc/crio/policies/${namespace}.json`

export interface ResolveInput {
  /** The policies, in input order. */
  readonly policies: readonly PolicyResource[]
  /** `spec.registrySources` of the Image `cluster` (all lists absent when there is none). */
  readonly sources: RegistrySources
  readonly mirrors: MirrorSets
  readonly releaseImage: string
  /** Our deterministic policy order (true) or input order, as MCO's bootstrap (false). */
  readonly ordered: boolean
  /** The Image `cluster` the sources were read from, when the input has one (problems with its registries name it). */
  readonly image?: ResourceRef
  /** The mirror sets (IDMS, ITMS, ICSP) the mirrors were read from. */
  readonly mirrorSetRefs?: readonly ResourceRef[]
}

/** Everything the later stages need to know about the input, computed once. */
export interface Resolved extends ResolveInput {
  /** Cluster and namespace scope maps (the requirements that win each scope), and the conflicts. */
  readonly scopes: ResolvedScopes
  /** Whether a scope equals or nests inside a cluster scope (the index `scopes` was built with). */
  readonly isClusterScoped: (scope: string) => boolean
  readonly registries: ResolvedRegistries
  /** registries.conf as MCO builds it; undefined when MCO renders none. */
  readonly registriesConf: RegistriesConf | undefined
}

export interface ResolveOutput {
  /** Undefined when an error stopped resolving: nothing may be rendered. */
  readonly value?: Resolved
  /** ImagePolicy scopes lost to cluster scopes, as far as resolving got (reported also when it failed). */
  readonly conflicts: readonly ScopeConflict[]
  /** MCO's errors and warnings, the conflicts' warnings among them. */
  readonly issues: readonly Issue[]
}

/** Problems about the Image config's registries: on the Image `cluster` when the input has one. */
function registriesIssue(severity: Severity, message: string, input: ResolveInput, path: readonly (string | number)[] = []): Issue {
  return issue(severity, 'registries', message, input.image !== undefined ? { resource: input.image, path } : {})
}

/** The policies whose scopes include `scope`, for pointing an error at them. */
function policiesWithScope(policies: readonly PolicyResource[], scope: string, kind: PolicyResource['kind']): { policy: PolicyResource; index: number }[] {
  const out: { policy: PolicyResource; index: number }[] = []
  for (const policy of policies) {
    if (policy.kind !== kind) continue
    const index = policy.scopes.indexOf(scope)
    if (index !== -1) out.push({ policy, index })
  }
  return out
}

export function resolve(input: ResolveInput): ResolveOutput {
  const issues: Issue[] = []
  const mco = (message: string, policy: PolicyResource, path: readonly (string | number)[]) => issues.push(issue('error', 'mco', message, { resource: policy.ref, path }))
  const failed = () => issues.some((i) => i.severity === 'error')

  // The namespace becomes a file name on every node: whatever the validation mode,
  // nothing but a DNS-1123 label (what Kubernetes allows for namespaces) reaches a path.
  for (const policy of input.policies) {
    if (policy.kind === 'ImagePolicy' && !isDns1123Label(policy.namespace ?? '')) {
      mco(`namespace ${JSON.stringify(policy.namespace ?? '')} is not a valid DNS-1123 label, and it would become the node file name ${namespaceFilePath(policy.namespace ?? '')}`, policy, ['metadata', 'namespace'])
    }
  }
  if (failed()) return { conflicts: [], issues }

  const scopes = resolveScopes(input.policies, input.ordered)
  issues.push(...scopes.issues)
  const { cluster, namespaces, conflicts } = scopes.value
  for (const conflict of conflicts) {
    issues.push(
      issue('warning', 'scope-conflict', conflict.message, {
        resource: conflict.policy.ref,
        path: ['spec', 'scopes', conflict.policy.scopes.indexOf(conflict.scopes[0]!)],
      }),
    )
  }

  const registries = resolveRegistries(input.releaseImage, input.sources, input.mirrors)
  if ('error' in registries) {
    // An option, not a resource: the field path goes in front of the message.
    issues.push(issue('error', 'config', registries.error, { path: ['releaseImage'] }))
    return { conflicts, issues }
  }
  const resolved = registries.value
  if (resolved.warning !== '') issues.push(registriesIssue('warning', resolved.warning, input, ['spec', 'registrySources', 'blockedRegistries']))
  if (failed()) return { conflicts, issues }

  // registries.conf is not ours to write, but MCO validates its inputs first.
  const registriesConf = resolveRegistriesConf(input.sources, resolved, input.mirrors)
  if (registriesConf !== undefined && 'error' in registriesConf.entries) issues.push(registriesIssue('error', registriesConf.entries.error, input))

  const { allowed, policyBlocked } = resolved
  if (policyBlocked !== undefined || allowed !== undefined || cluster.size > 0 || namespaces.size > 0) {
    // updatePolicyJSON
    for (const message of policyRegistriesErrors(input.releaseImage, resolved, cluster.size > 0)) issues.push(registriesIssue('error', message, input))
    for (const v of allowedBlockedViolations(cluster.keys(), allowed, policyBlocked, 'clusterimagePolicy')) {
      for (const { policy, index } of policiesWithScope(input.policies, v.scope, 'ClusterImagePolicy')) mco(v.message, policy, ['spec', 'scopes', index])
    }
    // updateNamespacedPolicyJSONs
    const namespaceScopes = new Set<string>()
    for (const byScope of namespaces.values()) for (const scope of byScope.keys()) namespaceScopes.add(scope)
    for (const v of allowedBlockedViolations(namespaceScopes, allowed, policyBlocked, 'imagePolicy')) {
      for (const { policy, index } of policiesWithScope(input.policies, v.scope, 'ImagePolicy')) mco(v.message, policy, ['spec', 'scopes', index])
    }
  }
  if (failed()) return { conflicts, issues }
  return {
    value: { ...input, scopes: scopes.value, isClusterScoped: scopes.isClusterScoped, registries: resolved, registriesConf },
    conflicts,
    issues,
  }
}
