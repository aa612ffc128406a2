// Render stage: the `Resolved` model → the node files MCO's `registriesConfigIgnition`
// writes for it (helpers.go; mco-rendering.md §0, §3–§6). Pure; no I/O; never throws
// on bad input: MCO's render-time errors come back as issues.
// We do not write registries.conf or the search-registries drop-in: MCO owns those.

import { issue, type Issue } from '../issues.ts'
import type { NodeFile } from '../model.ts'
import type { Resolved } from '../resolve/resolve.ts'
import { compareBytewise } from '../upstream/go-json.ts'
import {
  namespacePolicyPath,
  POLICY_JSON_PATH,
  renderClusterPolicy,
  namespacePolicyRenderer,
  namespacePolicyDecoder,
  decodedPolicy,
  recordRenderedPolicy,
} from './policy-json.ts'
import { sigstoreRegistryKeys } from './sigstore-mirrors.ts'
import { recordSigstoreKeys, renderSigstoreRegistriesYaml, SIGSTORE_REGISTRIES_PATH } from './sigstore-registries-yaml.ts'

export interface RenderOptions {
  /**
   * Stop rendering once the files come to more than this many characters
   * (the output budget's share): namespace files repeat their keys, so a small
   * input can ask for gigabytes. Default: no bound.
   */
  readonly maxBytes?: number
}

export interface RenderOutput {
  /** Node files in MCO's order; empty when any error occurred. */
  readonly files: readonly NodeFile[]
  /** MCO's errors met while writing the files (a registries.d key it cannot build). */
  readonly issues: readonly Issue[]
  /** Set when rendering stopped at `maxBytes` (files is then empty): how far it got. */
  readonly overBudget?: { readonly bytes: number }
}

/**
 * The node files for a `Resolved` input (`resolve` found no error). Each policy
 * file's decoded value is recorded beside it (`renderedPolicy`), so the review
 * never parses the text back.
 */
export function renderNodeFiles(resolved: Resolved, options: RenderOptions = {}): RenderOutput {
  const { cluster, namespaces } = resolved.scopes
  const { allowed, policyBlocked } = resolved.registries
  const files: NodeFile[] = []
  if (policyBlocked === undefined && allowed === undefined && cluster.size === 0 && namespaces.size === 0) return { files, issues: [] }

  const clusterPolicy = renderClusterPolicy({ allowed, policyBlocked, cluster })
  const policyFile: NodeFile = { path: POLICY_JSON_PATH, contents: clusterPolicy.text }
  recordRenderedPolicy(policyFile, () => decodedPolicy(clusterPolicy.policy))
  files.push(policyFile)

  // generateSigstoreRegistriesdConfig: every cluster and namespace scope, plus mirrors.
  const namespaceScopes = new Set<string>()
  for (const byScope of namespaces.values()) for (const scope of byScope.keys()) namespaceScopes.add(scope)
  const allScopes = [...cluster.keys(), ...namespaceScopes]
  if (allScopes.length > 0) {
    const keys = sigstoreRegistryKeys(allScopes, resolved.registriesConf)
    if ('error' in keys) {
      const where = resolved.image !== undefined ? { resource: resolved.image } : {}
      return { files: [], issues: [issue('error', 'registries', keys.error, where)] }
    }
    const sigstoreFile: NodeFile = { path: SIGSTORE_REGISTRIES_PATH, contents: renderSigstoreRegistriesYaml(keys.keys) }
    recordSigstoreKeys(sigstoreFile, keys.keys)
    files.push(sigstoreFile)
  }

  const renderNamespace = namespacePolicyRenderer(clusterPolicy.policy)
  let decodeNamespace: ReturnType<typeof namespacePolicyDecoder> | undefined
  const maxBytes = options.maxBytes ?? Infinity
  let bytes = files.reduce((n, f) => n + f.contents.length, 0)
  for (const namespace of [...namespaces.keys()].sort(compareBytewise)) {
    if (bytes > maxBytes) return { files: [], issues: [], overBudget: { bytes } }
    const scopesOf = namespaces.get(namespace)!
    const contents = renderNamespace(scopesOf)
    bytes += contents.length
    const file: NodeFile = { path: namespacePolicyPath(namespace), contents }
    recordRenderedPolicy(file, () => (decodeNamespace ??= namespacePolicyDecoder(clusterPolicy.policy))(scopesOf))
    files.push(file)
  }
  if (bytes > maxBytes) return { files: [], issues: [], overBudget: { bytes } }
  return { files, issues: [] }
}
