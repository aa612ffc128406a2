// Render stage: decoded policies + registry settings → the node files MCO's
// `registriesConfigIgnition` writes for them (helpers.go; mco-rendering.md §0, §3–§6).
// Pure; no I/O; never throws on bad input: MCO's render-time errors come back as problems.
// We do not write registries.conf or the search-registries drop-in: MCO owns those.

import { isDns1123Label } from '../upstream/dns1123.ts'
import type { MirrorSets, NodeFile, PolicyResource, RegistrySources, ResolvedRegistries } from '../model.ts'
import { resolveRegistries } from '../resolve/registries.ts'
import { resolveScopes, type ScopeConflict } from '../resolve/scopes.ts'
import { compareBytewise } from '../upstream/go-json.ts'
import {
  allowedBlockedViolations,
  namespacePolicyPath,
  POLICY_JSON_PATH,
  renderClusterPolicy,
  namespacePolicyRenderer,
  namespacePolicyDecoder,
  decodedPolicy,
  recordRenderedPolicy,
} from './policy-json.ts'
import { registriesConfErrors, policyRegistriesErrors, sigstoreRegistryKeys } from './sigstore-mirrors.ts'
import { renderSigstoreRegistriesYaml, SIGSTORE_REGISTRIES_PATH } from './sigstore-registries-yaml.ts'

export interface RenderInput {
  readonly policies: readonly PolicyResource[]
  /** `spec.registrySources` of the Image `cluster` (all lists absent when there is none). */
  readonly sources: RegistrySources
  readonly mirrors: MirrorSets
  readonly releaseImage: string
  /** Our deterministic policy order (true) or input order, as MCO's bootstrap (false). */
  readonly ordered: boolean
  /**
   * Stop rendering once the files come to more than this many characters
   * (the output budget's share): namespace files repeat their keys, so a small
   * input can ask for gigabytes. Default: no bound.
   */
  readonly maxBytes?: number
}

/** Which input a problem is about. `registries` means the Image config. */
export type ProblemSubject =
  | { readonly policy: PolicyResource; readonly path?: readonly (string | number)[] }
  | { readonly registries: true; readonly path?: readonly (string | number)[] }
  | { readonly releaseImage: true }

export interface RenderProblem {
  readonly severity: 'error' | 'warning'
  readonly message: string
  readonly subject: ProblemSubject
}

export interface RenderOutput {
  /** Node files in MCO's order; empty when any error occurred. */
  readonly files: readonly NodeFile[]
  readonly conflicts: readonly ScopeConflict[]
  readonly problems: readonly RenderProblem[]
  readonly registries?: ResolvedRegistries
  /** Set when rendering stopped at `maxBytes` (files is then empty): how far it got. */
  readonly overBudget?: { readonly bytes: number }
}

/** The policies whose scopes include `scope`, for pointing an error at them. */
function subjectsForScope(policies: readonly PolicyResource[], scope: string, kind: PolicyResource['kind']): ProblemSubject[] {
  const out: ProblemSubject[] = []
  for (const policy of policies) {
    if (policy.kind !== kind) continue
    const i = policy.scopes.indexOf(scope)
    if (i !== -1) out.push({ policy, path: ['spec', 'scopes', i] })
  }
  return out
}

export function renderNodeFiles(input: RenderInput): RenderOutput {
  const problems: RenderProblem[] = []
  const error = (message: string, subject: ProblemSubject) => problems.push({ severity: 'error', message, subject })

  // The namespace becomes a file name on every node: whatever the validation mode,
  // nothing but a DNS-1123 label (what Kubernetes allows for namespaces) reaches a path.
  for (const policy of input.policies) {
    if (policy.kind === 'ImagePolicy' && !isDns1123Label(policy.namespace ?? '')) {
      error(`namespace ${JSON.stringify(policy.namespace ?? '')} is not a valid DNS-1123 label, and it would become the node file name ${namespacePolicyPath(policy.namespace ?? '')}`, {
        policy,
        path: ['metadata', 'namespace'],
      })
    }
  }
  if (problems.length > 0) return { files: [], conflicts: [], problems }

  const scopes = resolveScopes(input.policies, input.ordered)
  for (const failure of scopes.failures) {
    error(failure.error.message, { policy: failure.policy, path: failure.error.path })
  }
  const { cluster, namespaces, conflicts } = scopes.value

  const registries = resolveRegistries(input.releaseImage, input.sources, input.mirrors)
  if ('error' in registries) {
    error(registries.error, { releaseImage: true })
    return { files: [], conflicts, problems }
  }
  const resolved = registries.value
  if (resolved.warning !== '') problems.push({ severity: 'warning', message: resolved.warning, subject: { registries: true, path: ['spec', 'registrySources', 'blockedRegistries'] } })
  if (problems.some((p) => p.severity === 'error')) return { files: [], conflicts, problems, registries: resolved }

  // registries.conf is not ours to write, but MCO validates its inputs first.
  for (const message of registriesConfErrors(input.sources, resolved, input.mirrors)) error(message, { registries: true })

  const files: NodeFile[] = []
  const { allowed, policyBlocked } = resolved
  if (policyBlocked !== undefined || allowed !== undefined || cluster.size > 0 || namespaces.size > 0) {
    // updatePolicyJSON
    for (const message of policyRegistriesErrors(input.releaseImage, resolved, cluster.size > 0)) error(message, { registries: true })
    for (const v of allowedBlockedViolations(cluster.keys(), allowed, policyBlocked, 'clusterimagePolicy')) {
      for (const subject of subjectsForScope(input.policies, v.scope, 'ClusterImagePolicy')) error(v.message, subject)
    }
    // updateNamespacedPolicyJSONs
    const namespaceScopes = new Set<string>()
    for (const byScope of namespaces.values()) for (const scope of byScope.keys()) namespaceScopes.add(scope)
    for (const v of allowedBlockedViolations(namespaceScopes, allowed, policyBlocked, 'imagePolicy')) {
      for (const subject of subjectsForScope(input.policies, v.scope, 'ImagePolicy')) error(v.message, subject)
    }
    if (problems.some((p) => p.severity === 'error')) return { files: [], conflicts, problems, registries: resolved }

    const clusterPolicy = renderClusterPolicy({ allowed, policyBlocked, cluster })
    const policyFile: NodeFile = { path: POLICY_JSON_PATH, contents: clusterPolicy.text }
    recordRenderedPolicy(policyFile, () => decodedPolicy(clusterPolicy.policy))
    files.push(policyFile)

    // generateSigstoreRegistriesdConfig: every cluster and namespace scope, plus mirrors.
    const allScopes = [...cluster.keys(), ...namespaceScopes]
    if (allScopes.length > 0) {
      const keys = sigstoreRegistryKeys(allScopes, input.sources, resolved, input.mirrors)
      if ('error' in keys) {
        error(keys.error, { registries: true })
        return { files: [], conflicts, problems, registries: resolved }
      }
      files.push({ path: SIGSTORE_REGISTRIES_PATH, contents: renderSigstoreRegistriesYaml(keys.keys) })
    }

    const renderNamespace = namespacePolicyRenderer(clusterPolicy.policy)
    let decodeNamespace: ReturnType<typeof namespacePolicyDecoder> | undefined
    const maxBytes = input.maxBytes ?? Infinity
    let bytes = files.reduce((n, f) => n + f.contents.length, 0)
    for (const namespace of [...namespaces.keys()].sort(compareBytewise)) {
      if (bytes > maxBytes) return { files: [], conflicts, problems, registries: resolved, overBudget: { bytes } }
      const scopesOf = namespaces.get(namespace)!
      const contents = renderNamespace(scopesOf)
      bytes += contents.length
      const file: NodeFile = { path: namespacePolicyPath(namespace), contents }
      recordRenderedPolicy(file, () => (decodeNamespace ??= namespacePolicyDecoder(clusterPolicy.policy))(scopesOf))
      files.push(file)
    }
    if (bytes > maxBytes) return { files: [], conflicts, problems, registries: resolved, overBudget: { bytes } }
  }
  return { files, conflicts, problems, registries: resolved }
}
