// The release's own policy. Pure; no I/O.
//
// From OpenShift 4.21 (and on 4.20 with the TechPreviewNoUpgrade feature set)
// the release payload ships a ClusterImagePolicy named `openshift`
// (openshift/cluster-update-keys, manifests.rhel/0000_90_openshift-cluster-image-policy.yaml):
// Red Hat's key for quay.io/openshift-release-dev/ocp-release and
// …/ocp-v4.0-art-dev. MCO has no special case for it: `getValidScopePolicies`
// lists every ClusterImagePolicy and `updatePolicyJSON` renders this one like
// any other (mco-rendering.md §0 and §11; conformance case
// misc-openshift-release-cip). So the cluster's own policy.json carries it,
// and ours, which replaces MCO's (our MachineConfig sorts after
// 99-<pool>-generated-registries), must carry it too, or every node of the pool
// stops verifying the release images, silently. Git does not know which release
// a cluster runs, so the target is an option (`targetRelease`), and its default
// assumes the newest release: the strictest reading, so a user who names
// nothing gets the error rather than the loss.

import { issue, type Issue } from '../issues.ts'
import type { NodeFile, PolicyResource } from '../model.ts'
import type { Options } from '../options.ts'
import { POLICY_JSON_PATH } from '../render/policy-json.ts'
import { LATEST_RELEASE, parseTargetRelease } from '../target-release.ts'

// Read with the options (src/target-release.ts); exported here too for the stages that ask about the release.
export { LATEST_RELEASE, parseTargetRelease } from '../target-release.ts'

/** The name of the ClusterImagePolicy the release payload ships. */
export const RELEASE_POLICY_NAME = 'openshift'

export const RELEASE_POLICY_SCOPE = 'quay.io/openshift-release-dev/ocp-release'

/** How to get the cluster's copy, as the messages say it. */
export const EXPORT_HINT =
  'oc get clusterimagepolicy openshift -o yaml, then delete status and metadata.managedFields, uid, resourceVersion, generation and creationTimestamp'

/**
 * Whether a release ships the `openshift` ClusterImagePolicy:
 * `always` (4.21 and later, every feature set), `tech-preview` (4.20: only with
 * TechPreviewNoUpgrade, per its manifest's release.openshift.io/feature-set
 * annotation), `never` (4.19 and earlier).
 */
export type ReleasePolicyShipping = 'always' | 'tech-preview' | 'never'


/** The merged options' `targetRelease`, checked (a CLI flag reaches here unchecked; the functionConfig's was checked when read). */
export function targetReleaseIssues(options: Options): Issue[] {
  const t = parseTargetRelease(options.targetRelease)
  return typeof t === 'object' && 'error' in t ? [issue('error', 'config', `targetRelease: ${t.error}`)] : []
}

/** Whether the target release ships the `openshift` ClusterImagePolicy. An unreadable target counts as the newest. */
export function releasePolicyShipping(targetRelease: string): ReleasePolicyShipping {
  const t = parseTargetRelease(targetRelease)
  if (t === LATEST_RELEASE || 'error' in t) return 'always'
  if (t.major > 4 || t.minor >= 21) return 'always'
  return t.minor === 20 ? 'tech-preview' : 'never'
}

/**
 * Whether a ClusterImagePolicy named `openshift` in the stream is the
 * release's own (so the reserved-name guardrail must not warn about it).
 */
export function isExpectedReleasePolicy(policy: PolicyResource, options: Options): boolean {
  return policy.kind === 'ClusterImagePolicy' && policy.name === RELEASE_POLICY_NAME && releasePolicyShipping(options.targetRelease) !== 'never'
}

function shippedBy(targetRelease: string, shipping: ReleasePolicyShipping): string {
  if (targetRelease === LATEST_RELEASE) return 'OpenShift ships it from 4.21 (targetRelease is not set, so the newest release is assumed)'
  if (shipping === 'tech-preview') return `OpenShift ${targetRelease} ships it with the TechPreviewNoUpgrade feature set`
  return `OpenShift ${targetRelease} ships it`
}

const WHAT =
  'ClusterImagePolicy "openshift", the release\'s own policy (Red Hat\'s signatures for quay.io/openshift-release-dev/ocp-release and ocp-v4.0-art-dev)'

/** The messages, one place (tests assert on them). */
export const RELEASE_POLICY_MESSAGES = {
  missing: (targetRelease: string, shipping: ReleasePolicyShipping) =>
    `${POLICY_JSON_PATH} is written without ${WHAT}: ${shippedBy(targetRelease, shipping)}, and this MachineConfig replaces MCO's policy.json, which holds it, so the nodes would stop verifying the release images; add the cluster's copy to the input (${EXPORT_HINT})` +
    (shipping === 'tech-preview'
      ? '; on a cluster with the Default feature set, which has no such policy, set withoutReleasePolicy: true (--without-release-policy)'
      : targetRelease === LATEST_RELEASE
        ? ', name an older release that has none with targetRelease (--target-release 4.19), or drop the verification explicitly with withoutReleasePolicy: true (--without-release-policy)'
        : ', or drop the verification explicitly with withoutReleasePolicy: true (--without-release-policy)'),
  missingInReview: (targetRelease: string, shipping: ReleasePolicyShipping) =>
    `${POLICY_JSON_PATH} is rendered without ${WHAT}: ${shippedBy(targetRelease, shipping)}, and on the cluster MCO's policy.json holds it, so these files differ from the nodes'; add the cluster's copy to the input (${EXPORT_HINT}), or say --target-release or --without-release-policy`,
  omitted: (targetRelease: string, shipping: ReleasePolicyShipping) =>
    `withoutReleasePolicy: ${POLICY_JSON_PATH} is written without ${WHAT}, as asked: ${shippedBy(targetRelease, shipping)}, and where the cluster has it, its nodes no longer verify the release images`,
  optOutUnused: () =>
    `withoutReleasePolicy is set, but the input has this ClusterImagePolicy, which is rendered as any other: remove the option, so that losing the policy from the input is an error again`,
  notTheReleasePolicy: () =>
    `ClusterImagePolicy "openshift" is the name of the release's own policy, which always holds the scope ${RELEASE_POLICY_SCOPE}; this one does not, so the nodes would stop verifying the release images: use the cluster's copy unchanged (${EXPORT_HINT}), or drop the verification explicitly with withoutReleasePolicy: true (--without-release-policy)`,
} as const

export interface ReleasePolicyContext {
  readonly policies: readonly PolicyResource[]
  readonly files: readonly NodeFile[]
  readonly options: Options
  /** The node files are shown for review (render, diff, explain), not written as MachineConfigs. */
  readonly reviewOnly: boolean
}

/**
 * Problems with the release's own policy, for a rendering that succeeded.
 * Writing policy.json for a target that ships the policy, without it in the
 * input and without the explicit opt-out, is an error (a warning for review).
 */
export function releasePolicyIssues(context: ReleasePolicyContext): Issue[] {
  const { options } = context
  const shipping = releasePolicyShipping(options.targetRelease)
  if (shipping === 'never') return []
  const out: Issue[] = []
  const present = context.policies.find((p) => p.kind === 'ClusterImagePolicy' && p.name === RELEASE_POLICY_NAME)
  if (present !== undefined) {
    if (!present.scopes.includes(RELEASE_POLICY_SCOPE)) {
      // Not the release's copy: the nodes would stop verifying the release images as
      // surely as without it (issue 13: refuse rather than guess), unless dropped on purpose.
      const severity = options.withoutReleasePolicy || context.reviewOnly ? 'warning' : 'error'
      out.push(issue(severity, 'release-policy', RELEASE_POLICY_MESSAGES.notTheReleasePolicy(), { resource: present.ref, path: ['spec', 'scopes'] }))
    }
    if (options.withoutReleasePolicy) {
      out.push(issue('warning', 'release-policy', RELEASE_POLICY_MESSAGES.optOutUnused(), { resource: present.ref, path: ['metadata', 'name'] }))
    }
    return out
  }
  if (!context.files.some((f) => f.path === POLICY_JSON_PATH)) return out
  if (options.withoutReleasePolicy) {
    out.push(issue('info', 'release-policy', RELEASE_POLICY_MESSAGES.omitted(options.targetRelease, shipping)))
  } else if (context.reviewOnly) {
    out.push(issue('warning', 'release-policy', RELEASE_POLICY_MESSAGES.missingInReview(options.targetRelease, shipping)))
  } else {
    out.push(issue('error', 'release-policy', RELEASE_POLICY_MESSAGES.missing(options.targetRelease, shipping)))
  }
  return out
}
