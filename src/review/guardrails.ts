// Review stage: warnings about policies that are valid but probably not what the
// author meant (turned into errors by --strict). Pure; no I/O.
//
// The rules, each with the reason it exists:
// - release payload (release-payload.ts): the rendered policy.json must not
//   reject or demand signatures for the OpenShift release images unless a policy
//   was written for them, or the cluster cannot upgrade;
// - no Image config: our policy.json replaces MCO's, so a cluster's allowed or
//   blocked registries are lost unless the Image `cluster` is in the stream;
// - reserved name: ClusterImagePolicy names starting with `openshift` are the
//   product's (it ships one named `openshift` for the release payload, which is
//   expected in the input where the target release ships it: release-policy.ts);
// - shadowed scopes (shadowed-scopes.ts): scopes that select nothing, or less
//   than their author thinks, because only the most specific scope applies;
// - undeclared namespace: a namespace file for a namespace the stream declares
//   nowhere is usually a typo, and a policy in a typo'd namespace is inert.

import { isObject } from '../is-object.ts'
import { formatResource, issue, type Issue } from '../issues.ts'
import type { NodeFile } from '../model.ts'
import type { Options } from '../options.ts'
import { POLICY_JSON_PATH } from '../render/policy-json.ts'
import type { Resolved } from '../resolve/resolve.ts'
import { comparePolicies } from '../resolve/scopes.ts'
import { namespaceOfPath, policyFileDecoder, type PolicyFile } from './file-scopes.ts'
import { releaseChecksFile, releasePayloadIssues } from './release-payload.ts'
import { isExpectedReleasePolicy } from './release-policy.ts'
import { shadowedScopeIssues } from './shadowed-scopes.ts'

export interface ReviewContext {
  /** Every input item, parsed (others' kinds included, e.g. Namespaces). */
  readonly values: readonly unknown[]
  /** The input as resolved (policies, the Image `cluster` and its registries, the conflicts). */
  readonly resolved: Resolved
  readonly files: readonly NodeFile[]
  readonly options: Options
}

/** Namespaces every cluster has: a namespace file for them needs no declaration in the stream. */
export const BUILT_IN_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'openshift']
const BUILT_IN_PREFIX = /^(openshift|kube)-/

/** The catalogue of guardrail messages that do not depend on a file lookup. */
export const GUARDRAIL_MESSAGES = {
  noImageConfig: () =>
    `no Image "cluster" (config.openshift.io/v1) in the input, but ${POLICY_JSON_PATH} is written: this MachineConfig replaces the policy.json MCO renders, so if the cluster sets spec.registrySources.allowedRegistries or blockedRegistries, they stop applying on the nodes; add the cluster's Image config to the stream (oc get image.config.openshift.io/cluster -o yaml, keeping apiVersion, kind, metadata.name and spec) so that they are rendered in`,
  reservedName: (name: string) =>
    `ClusterImagePolicy names starting with "openshift" are reserved by OpenShift (it ships a ClusterImagePolicy named openshift for the release payload); ${JSON.stringify(name)} may clash with the product's own policy: choose another name`,
  undeclaredNamespace: (namespace: string, path: string) =>
    `${path} is written for namespace ${JSON.stringify(namespace)}, which nothing else in the input declares (no Namespace object, no other resource in it): if the name is a typo, this policy never applies to any pod`,
} as const

/** Namespaces the stream declares: Namespace (and Project) objects, and any namespaced item other than an ImagePolicy. */
export function declaredNamespaces(values: readonly unknown[]): Set<string> {
  const out = new Set<string>()
  for (const value of values) {
    if (!isObject(value)) continue
    const metadata = isObject(value['metadata']) ? value['metadata'] : {}
    const kind = value['kind']
    if ((kind === 'Namespace' || kind === 'Project') && typeof metadata['name'] === 'string') out.add(metadata['name'])
    if (kind !== 'ImagePolicy' && typeof metadata['namespace'] === 'string' && metadata['namespace'] !== '') out.add(metadata['namespace'])
  }
  return out
}

function undeclaredNamespaceIssues(context: ReviewContext): Issue[] {
  const { policies, scopes: { conflicts } } = context.resolved
  const declared = declaredNamespaces(context.values)
  const out: Issue[] = []
  for (const file of context.files) {
    const namespace = namespaceOfPath(file.path)
    if (namespace === undefined || declared.has(namespace) || BUILT_IN_NAMESPACES.includes(namespace) || BUILT_IN_PREFIX.test(namespace)) continue
    const lost = new Set(conflicts.flatMap((c) => c.scopes.map((s) => `${formatResource(c.policy.ref)}\u0000${s}`)))
    for (const p of [...policies].sort(comparePolicies)) {
      if (p.kind !== 'ImagePolicy' || p.namespace !== namespace) continue
      if (p.scopes.every((s) => lost.has(`${formatResource(p.ref)}\u0000${s}`))) continue
      out.push(issue('warning', 'guardrail', GUARDRAIL_MESSAGES.undeclaredNamespace(namespace, file.path), { resource: p.ref, path: ['metadata', 'namespace'] }))
    }
  }
  return out
}

/** Guardrail issues for a successful rendering (warnings; one info kind, see shadowed-scopes.ts). Never throws. */
/** The files decoded as they are iterated, none kept. */
function* decodedOneByOne(files: readonly NodeFile[], decode: (file: NodeFile) => PolicyFile | undefined): Generator<PolicyFile> {
  for (const file of files) {
    const decoded = decode(file)
    if (decoded !== undefined) yield decoded
  }
}

export function reviewIssues(context: ReviewContext): Issue[] {
  const { policies, scopes: { conflicts }, image, sources } = context.resolved
  const out: Issue[] = []
  for (const p of policies) {
    // The release's own `openshift` policy is expected in the input where the target ships it (release-policy.ts).
    if (p.kind === 'ClusterImagePolicy' && p.name.startsWith('openshift') && !isExpectedReleasePolicy(p, context.options)) {
      out.push(issue('warning', 'guardrail', GUARDRAIL_MESSAGES.reservedName(p.name), { resource: p.ref, path: ['metadata', 'name'] }))
    }
  }
  if (image === undefined && context.files.some((f) => f.path === POLICY_JSON_PATH)) {
    out.push(issue('warning', 'guardrail', GUARDRAIL_MESSAGES.noImageConfig()))
  }
  out.push(...undeclaredNamespaceIssues(context))
  // Each file decoded when it is judged, not all at once (policyFileDecoder);
  // the release check reads only a few of them, and skips the others unread.
  const decode = policyFileDecoder(policies, conflicts, sources)
  const releaseFiles = context.files.filter((f) => releaseChecksFile(namespaceOfPath(f.path))).flatMap((f) => decode(f) ?? [])
  out.push(...releasePayloadIssues(releaseFiles, context.options.releaseImage, image))
  out.push(...shadowedScopeIssues(decodedOneByOne(context.files, decode)))
  return out
}
