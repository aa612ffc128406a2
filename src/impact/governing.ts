// Impact helper: the requirement that governs one image for pods in one
// namespace, read from the policies the renderer produced. Pure; no I/O;
// never throws on bad input.
//
// The file is CRI-O's choice: /etc/crio/policies/<namespace>.json when it is
// rendered, else /etc/containers/policy.json (the namespace files already hold
// the cluster policy, merged by the renderer as MCO's
// `updateNamespacedPolicyJSONs` does). The scope is containers/image's
// `requirementsForImageRef` lookup (explain/policy-lookup.ts). The decoded
// policy of a file is the render stage's own value (`renderedPolicy`, through
// review/file-scopes.ts), so nothing here re-implements the merge; files that
// were not rendered in this run (read from generated MachineConfigs) are
// decoded from their text.

import { formatResource } from '../issues.ts'
import type { NodeFile, PolicyResource } from '../model.ts'
import { describeRequirement, type RequirementDescription } from '../explain/describe-requirement.ts'
import { type ImageReference, lookupRequirements, lookupSigstoreAttachments, parseRegistriesD, parseSignaturePolicy, type PolicyRequirement, type RegistriesD } from '../explain/policy-lookup.ts'
import { scopeIsNestedInsideScope } from '../resolve/scope-nesting.ts'
import { comparePolicies, type ScopeConflict } from '../resolve/scopes.ts'
import { namespacePolicyPath, POLICY_JSON_PATH, TEMPLATE_POLICY_JSON } from '../render/policy-json.ts'
import { SIGSTORE_REGISTRIES_PATH } from '../render/sigstore-registries-yaml.ts'
import { policyFileDecoder, type PolicyFile } from '../review/file-scopes.ts'

/** What one side of a change renders: the node files and the policies they came from. */
export interface PolicySide {
  readonly files: readonly NodeFile[]
  readonly policies: readonly PolicyResource[]
  readonly conflicts: readonly ScopeConflict[]
  /** The files were read from generated MachineConfigs, not rendered from policies in the stream. */
  readonly fromMachineConfigs?: boolean
}

export type Verdict = 'accepted' | 'rejected' | 'signature-required'

/** One requirement of the matched scope. */
export interface Rule {
  /** The policy.json `type`. */
  readonly type: string
  /** The root of trust of a sigstoreSigned requirement: PublicKey, FulcioCAWithRekor or PKI (with `+Rekor` when a Rekor key is set). */
  readonly rootOfTrust: string | null
  /** The requirement in words, with key and certificate fingerprints. */
  readonly text: string
  /** The identity rule, made concrete for this image. */
  readonly identity: { readonly type: string; readonly text: string } | null
}

/** An ImagePolicy scope of the namespace on this image's search path that MCO dropped for a cluster scope. */
export interface DroppedScope {
  readonly policy: string
  readonly scope: string
  readonly clusterScopes: readonly string[]
}

/** The requirement that governs an image in a namespace. */
export interface Governing {
  /** The node file CRI-O reads for the namespace's pods. */
  readonly file: string
  /** False when the side writes no such file (the node keeps MCO's template). */
  readonly fileWritten: boolean
  /** The `transports.docker` key that matched; null for the policy's `default`. */
  readonly scope: string | null
  readonly verdict: Verdict
  /** Who wrote the matched scope (kind namespace/name), or where the default comes from. */
  readonly sources: readonly string[]
  readonly rules: readonly Rule[]
  /** Whether CRI-O reads sigstore attachments for the image (sigstore-registries.yaml). */
  readonly sigstoreAttachments: boolean
  readonly droppedScopes: readonly DroppedScope[]
}

function rootOfTrust(req: PolicyRequirement): string | null {
  if (req['type'] !== 'sigstoreSigned') return null
  const base = req['fulcio'] !== undefined ? 'FulcioCAWithRekor' : req['pki'] !== undefined ? 'PKI' : req['keyData'] !== undefined || req['keyDatas'] !== undefined ? 'PublicKey' : 'unknown'
  return base !== 'FulcioCAWithRekor' && req['rekorPublicKeyData'] !== undefined ? `${base}+Rekor` : base
}

function rule(req: PolicyRequirement, image: ImageReference): Rule {
  const d: RequirementDescription = describeRequirement(req, image.reference)
  return { type: d.type, rootOfTrust: rootOfTrust(req), text: d.text, identity: d.signedIdentity ?? null }
}

/** The registry-list sources of a scope, named by the requirement MCO writes for them. */
function registrySources(requirements: readonly PolicyRequirement[]): string[] {
  const types = new Set(requirements.map((r) => r['type']))
  const out: string[] = []
  if (types.has('insecureAcceptAnything')) out.push('Image cluster spec.registrySources.allowedRegistries')
  if (types.has('reject')) out.push('Image cluster spec.registrySources.blockedRegistries')
  return out
}

/**
 * An evaluator over one side: `(namespace, image) → Governing`. Each file is
 * decoded (and its scopes attributed) once, on first use.
 */
export function governingEvaluator(side: PolicySide): (namespace: string, image: ImageReference) => Governing {
  const byPath = new Map(side.files.map((f) => [f.path, f]))
  const decode = policyFileDecoder(side.policies, side.conflicts, {})
  const decoded = new Map<string, PolicyFile | undefined>()
  const fileOf = (path: string): PolicyFile | undefined => {
    if (!decoded.has(path)) {
      const file = byPath.get(path)
      decoded.set(path, file !== undefined ? decode(file) : undefined)
    }
    return decoded.get(path)
  }
  const template = parseSignaturePolicy(TEMPLATE_POLICY_JSON)!
  const registriesText = byPath.get(SIGSTORE_REGISTRIES_PATH)?.contents
  const registriesD: RegistriesD | undefined = registriesText !== undefined ? parseRegistriesD(registriesText) : undefined
  const cips = side.policies.filter((p) => p.kind === 'ClusterImagePolicy').sort(comparePolicies)
  const clusterScopes = [...new Set(cips.flatMap((c) => c.scopes))].sort()
  const conflicts = [...side.conflicts].sort((a, b) => comparePolicies(a.policy, b.policy))

  return (namespace, image) => {
    const nsPath = namespacePolicyPath(namespace)
    const path = byPath.has(nsPath) ? nsPath : POLICY_JSON_PATH
    const file = fileOf(path)
    const fileWritten = byPath.has(path)
    const policy = file?.policy ?? template
    const match = lookupRequirements(policy, image)
    const types = match.requirements.map((r) => r['type'])
    const verdict: Verdict =
      types.length === 0 || types.includes('reject') ? 'rejected' : types.every((t) => t === 'insecureAcceptAnything') ? 'accepted' : 'signature-required'
    let sources: string[]
    if (match.scope === undefined) {
      const type = match.requirements[0]?.['type']
      sources = [type === 'reject' ? 'policy default: reject (Image cluster spec.registrySources.allowedRegistries covers no part of this image)' : `policy default: ${String(type)}`]
    } else {
      const owners = file?.owners.get(match.scope) ?? []
      const names = [...new Set(owners.flatMap((o) => (o.kind === 'policy' ? [formatResource(o.policy.ref)] : [])))]
      sources = [...registrySources(match.requirements), ...names]
      if (names.length === 0 && side.fromMachineConfigs === true && types.includes('sigstoreSigned')) sources.push('(written by the generated MachineConfigs in the stream)')
    }
    const search = new Set([image.identity, ...image.namespaces])
    const droppedScopes: DroppedScope[] = []
    for (const conflict of conflicts) {
      if (conflict.policy.namespace !== namespace) continue
      for (const scope of conflict.scopes) {
        if (!search.has(scope)) continue
        droppedScopes.push({ policy: formatResource(conflict.policy.ref), scope, clusterScopes: clusterScopes.filter((c) => scopeIsNestedInsideScope(scope, c)) })
      }
    }
    return {
      file: path,
      fileWritten,
      scope: match.scope ?? null,
      verdict,
      sources,
      rules: match.requirements.map((r) => rule(r, image)),
      sigstoreAttachments: registriesD !== undefined && lookupSigstoreAttachments(registriesD, image).enabled,
      droppedScopes,
    }
  }
}

/**
 * The part of a Governing that decides a pull: the verdict, who wrote it, the
 * rules (keys, identity) and, where a signature is needed, whether it is read.
 * The file and the scope key are not part of it: a scope narrowed from
 * `host/team` to `host/team/apps` changes nothing for `host/team/apps/web`.
 */
export function requirementKey(g: Governing): string {
  return JSON.stringify([g.verdict, g.sources, g.rules, g.verdict === 'signature-required' ? g.sigstoreAttachments : null])
}
