// Review helper: the rendered policy files, decoded, with who wrote each scope.
// Pure; no I/O.

import type { NodeFile, PolicyResource, RegistrySources } from '../model.ts'
import { parseSignaturePolicy, type SignaturePolicy } from '../explain/policy-lookup.ts'
import { CRIO_POLICIES_DIR, POLICY_JSON_PATH, renderedPolicy } from '../render/policy-json.ts'
import type { ScopeConflict } from '../resolve/scopes.ts'

/** Who put a key into `transports.docker`. */
export type ScopeOwner =
  | { readonly kind: 'policy'; readonly policy: PolicyResource; readonly index: number }
  | { readonly kind: 'allowed' | 'blocked'; readonly index: number }

export interface PolicyFile {
  readonly path: string
  /** Set for `/etc/crio/policies/<namespace>.json`. */
  readonly namespace?: string
  readonly policy: SignaturePolicy
  /** `transports.docker` key → its owners (empty for keys nobody in the input wrote). */
  readonly owners: ReadonlyMap<string, readonly ScopeOwner[]>
}

export function namespaceOfPath(path: string): string | undefined {
  const prefix = `${CRIO_POLICIES_DIR}/`
  return path.startsWith(prefix) && path.endsWith('.json') ? path.slice(prefix.length, -'.json'.length) : undefined
}

/** Decodes policy.json and the namespace files, and attributes every scope. */
export function policyFiles(
  files: readonly NodeFile[],
  policies: readonly PolicyResource[],
  conflicts: readonly ScopeConflict[],
  sources: RegistrySources,
): PolicyFile[] {
  const decode = policyFileDecoder(policies, conflicts, sources)
  return files.flatMap((file) => decode(file) ?? [])
}

/**
 * `policyFiles` one file at a time (undefined for a file that is neither
 * policy.json nor a namespace file, or does not decode): the guardrails decode
 * each namespace file when they judge it and drop it after, as 1,000 namespace
 * files decoded at once are hundreds of megabytes for the garbage collector to
 * move and mark.
 */
export function policyFileDecoder(
  policies: readonly PolicyResource[],
  conflicts: readonly ScopeConflict[],
  sources: RegistrySources,
): (file: NodeFile) => PolicyFile | undefined {
  const lost = new Set(conflicts.flatMap((c) => c.scopes.map((s) => `${c.policy.namespace ?? ''}/${c.policy.name}\u0000${s}`)))
  // Index once: files × policies would be quadratic for thousands of namespaces.
  const clusterOwners: [string, ScopeOwner][] = []
  const namespaceOwners = new Map<string, [string, ScopeOwner][]>()
  for (const p of policies) {
    p.scopes.forEach((scope, index) => {
      const owner: ScopeOwner = { kind: 'policy', policy: p, index }
      if (p.kind === 'ClusterImagePolicy') {
        clusterOwners.push([scope, owner])
      } else if (!lost.has(`${p.namespace ?? ''}/${p.name}\u0000${scope}`)) {
        const ns = p.namespace ?? ''
        const list = namespaceOwners.get(ns)
        if (list === undefined) namespaceOwners.set(ns, [[scope, owner]])
        else list.push([scope, owner])
      }
    })
  }
  const registryOwners: [string, ScopeOwner][] = [
    ...(sources.allowedRegistries ?? []).map((reg, index): [string, ScopeOwner] => [reg, { kind: 'allowed', index }]),
    ...(sources.blockedRegistries ?? []).map((reg, index): [string, ScopeOwner] => [reg, { kind: 'blocked', index }]),
  ]
  return (file) => {
    const namespace = namespaceOfPath(file.path)
    if (file.path !== POLICY_JSON_PATH && namespace === undefined) return undefined
    // The renderer's own value when it wrote the file (the same maps JSON.parse
    // would give, test/rendered-policy.test.ts), so 1,000 namespace files are not parsed back.
    const policy: SignaturePolicy | undefined = renderedPolicy(file) ?? parseSignaturePolicy(file.contents)
    if (policy === undefined) return undefined
    const docker = policy.transports.get('docker') ?? new Map()
    const owners = new Map<string, ScopeOwner[]>([...docker.keys()].map((k) => [k, []]))
    const own = ([key, owner]: [string, ScopeOwner]) => owners.get(key)?.push(owner)
    registryOwners.forEach(own)
    clusterOwners.forEach(own)
    if (namespace !== undefined) namespaceOwners.get(namespace)?.forEach(own)
    return { path: file.path, ...(namespace !== undefined ? { namespace } : {}), policy, owners }
  }
}
