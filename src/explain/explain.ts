// Explain: which node file, scope and requirements apply when a pod in a
// namespace pulls an image, following CRI-O and containers/image exactly
// (see policy-lookup.ts). Pure; no I/O; never throws on bad input.

import { formatResource } from '../issues.ts'
import type { NodeFile, PolicyResource } from '../model.ts'
import { scopeIsNestedInsideScope } from '../resolve/scope-nesting.ts'
import { comparePolicies, type ScopeConflict } from '../resolve/scopes.ts'
import { namespacePolicyPath, POLICY_JSON_PATH, renderedPolicy, TEMPLATE_POLICY_JSON } from '../render/policy-json.ts'
import { renderedSigstoreKeys, SIGSTORE_REGISTRIES_PATH } from '../render/sigstore-registries-yaml.ts'
import { describeRequirement, type RequirementDescription } from './describe-requirement.ts'
import {
  type ImageReference,
  lookupRequirements,
  lookupSigstoreAttachments,
  parseImageReference,
  parseRegistriesD,
  parseSignaturePolicy,
  type RegistriesD,
} from './policy-lookup.ts'

export interface ExplainInput {
  /** The node files as rendered (`run().files`). */
  readonly files: readonly NodeFile[]
  readonly policies: readonly PolicyResource[]
  readonly conflicts: readonly ScopeConflict[]
  /** The image as a pod spec or `skopeo docker://` would name it. */
  readonly image: string
  /** The pod's namespace. Default: none (the cluster-wide policy.json). */
  readonly namespace?: string
}

/** An ImagePolicy scope on this image's search path that MCO dropped because a cluster scope covers it. */
export interface LostScope {
  readonly policy: string
  readonly scope: string
  /** The cluster scopes it equals or nests inside, and their ClusterImagePolicies. */
  readonly clusterScopes: readonly { readonly scope: string; readonly policies: readonly string[] }[]
}

export type Verdict = 'accepted' | 'rejected' | 'signature-required'

/**
 * The answer, also the `--output json` document (field names are the contract
 * the end-to-end suite checks against skopeo).
 */
export interface Explanation {
  /** The image as given. */
  readonly image: string
  /** containers/image's policy identity of the image: `name:tag` or `name@digest`. */
  readonly reference: string
  readonly namespace: string | null
  /** The node file CRI-O reads for this pod. */
  readonly file: string
  readonly fileReason: string
  /** False when our MachineConfigs do not write `file` (the node keeps MCO's; the template is assumed). */
  readonly fileWritten: boolean
  readonly transport: 'docker'
  /** The `transports.docker` key that matched, or null for the policy's `default`. */
  readonly scope: string | null
  /** Keys searched in order, up to the one that matched (all of them when the default applied). */
  readonly searched: readonly string[]
  /** Who wrote the matched scope. */
  readonly sources: readonly string[]
  readonly verdict: Verdict
  readonly requirements: readonly RequirementDescription[]
  readonly sigstoreAttachments: { readonly enabled: boolean; readonly key: string | null; readonly file: string }
  readonly lostScopes: readonly LostScope[]
  readonly notes: readonly string[]
}

export type ExplainResult = { readonly value: Explanation } | { readonly error: string }

/** Explains the pull of `input.image` by a pod in `input.namespace`. */
export function explainImage(input: ExplainInput): ExplainResult {
  const parsed = parseImageReference(input.image)
  if ('error' in parsed) return parsed
  const image = parsed.value
  const notes = [...image.notes]
  const byPath = new Map(input.files.map((f) => [f.path, f.contents]))
  const namespace = input.namespace

  // CRI-O: /etc/crio/policies/<namespace>.json when it exists, else /etc/containers/policy.json.
  let file = POLICY_JSON_PATH
  let fileReason: string
  const namespaceFiles = input.files.filter((f) => f.path.startsWith('/etc/crio/policies/')).map((f) => f.path)
  if (namespace !== undefined && byPath.has(namespacePolicyPath(namespace))) {
    file = namespacePolicyPath(namespace)
    fileReason = `${file} exists, so CRI-O uses it for pods in ${namespace}`
  } else if (namespace !== undefined) {
    fileReason = `no ${namespacePolicyPath(namespace)} is written (no ImagePolicy scope of ${namespace} survives), so CRI-O falls back to ${POLICY_JSON_PATH}`
  } else {
    fileReason =
      namespaceFiles.length > 0
        ? `no --namespace given: ${POLICY_JSON_PATH} applies to pods in namespaces without their own file (files are written for ${namespaceFiles.map((p) => p.slice('/etc/crio/policies/'.length, -'.json'.length)).join(', ')})`
        : `no namespace has its own file, so every pod uses ${POLICY_JSON_PATH}`
  }
  const fileWritten = byPath.has(file)
  if (!fileWritten) {
    notes.push(`these MachineConfigs write no ${file}: the node keeps MCO's own (assumed here to be MCO's template, which accepts everything; the cluster's allowed or blocked registries would change that)`)
  }
  // The policy the renderer wrote the file from (test/rendered-policy.test.ts: what parsing its text gives), not its text parsed back.
  const written = input.files.find((f) => f.path === file)
  const policy = written !== undefined ? (renderedPolicy(written) ?? parseSignaturePolicy(written.contents)) : parseSignaturePolicy(TEMPLATE_POLICY_JSON)
  if (policy === undefined) return { error: `${file} is not a JSON policy` }

  const match = lookupRequirements(policy, image)
  const requirements = match.requirements.map((r) => describeRequirement(r, image.reference))
  const types = match.requirements.map((r) => r['type'])
  const verdict: Verdict =
    types.length === 0 || types.includes('reject') ? 'rejected' : types.every((t) => t === 'insecureAcceptAnything') ? 'accepted' : 'signature-required'
  if (types.length === 0) notes.push('the matched scope has no requirements, which containers/image refuses: every pull fails')

  const sources = scopeSources(match.scope, match.requirements, input.policies, input.conflicts, file === POLICY_JSON_PATH ? undefined : namespace)
  const attachments = attachmentsFor(input.files.find((f) => f.path === SIGSTORE_REGISTRIES_PATH), image)
  if (byPath.get(SIGSTORE_REGISTRIES_PATH) === undefined) notes.push(`these MachineConfigs write no ${SIGSTORE_REGISTRIES_PATH}`)
  if (types.includes('sigstoreSigned') && !attachments.enabled) {
    notes.push('a sigstore signature is required but sigstore attachments are not read for this image: CRI-O will find no signature and the pull fails (unless another registries.d file on the node enables them)')
  }

  return {
    value: {
      image: input.image,
      reference: image.identity,
      namespace: namespace ?? null,
      file,
      fileReason,
      fileWritten,
      transport: 'docker',
      scope: match.scope ?? null,
      searched: match.searched,
      sources,
      verdict,
      requirements,
      sigstoreAttachments: { ...attachments, file: SIGSTORE_REGISTRIES_PATH },
      lostScopes: namespace === undefined ? [] : lostScopes(input, namespace, [image.identity, ...image.namespaces]),
      notes,
    },
  }
}

function attachmentsFor(file: NodeFile | undefined, image: ImageReference): { enabled: boolean; key: string | null } {
  // The keys the renderer wrote the file with, not its YAML parsed back (a file not rendered here is parsed).
  const keys = file === undefined ? undefined : renderedSigstoreKeys(file)
  const config: RegistriesD | undefined =
    keys !== undefined ? { docker: new Map(keys.map((k) => [k, { useSigstoreAttachments: true }])) } : file === undefined ? undefined : parseRegistriesD(file.contents)
  if (config === undefined) return { enabled: false, key: null }
  const found = lookupSigstoreAttachments(config, image)
  return { enabled: found.enabled, key: found.key ?? null }
}

/** Who put `scope` into the file: ClusterImagePolicies, the namespace's ImagePolicies, the Image config. */
function scopeSources(
  scope: string | undefined,
  requirements: readonly Readonly<Record<string, unknown>>[],
  policies: readonly PolicyResource[],
  conflicts: readonly ScopeConflict[],
  namespace: string | undefined,
): string[] {
  if (scope === undefined) {
    const type = requirements[0]?.['type']
    return [type === 'reject' ? 'policy default: reject (the Image config sets allowedRegistries, and none covers this image)' : `policy default: ${String(type)}`]
  }
  const out: string[] = []
  const types = new Set(requirements.map((r) => r['type']))
  if (types.has('insecureAcceptAnything')) out.push(`Image cluster spec.registrySources.allowedRegistries: ${scope}`)
  if (types.has('reject')) out.push(`Image cluster spec.registrySources.blockedRegistries: ${scope}`)
  const lost = new Set(conflicts.flatMap((c) => c.scopes.map((s) => `${formatResource(c.policy.ref)}\u0000${s}`)))
  for (const p of [...policies].sort(comparePolicies)) {
    if (!p.scopes.includes(scope)) continue
    if (p.kind === 'ClusterImagePolicy') out.push(formatResource(p.ref))
    else if (namespace !== undefined && p.namespace === namespace && !lost.has(`${formatResource(p.ref)}\u0000${scope}`)) out.push(formatResource(p.ref))
  }
  return out
}

function lostScopes(input: ExplainInput, namespace: string, searchPath: readonly string[]): LostScope[] {
  const cips = input.policies.filter((p) => p.kind === 'ClusterImagePolicy').sort(comparePolicies)
  const out: LostScope[] = []
  for (const conflict of [...input.conflicts].sort((a, b) => comparePolicies(a.policy, b.policy))) {
    if (conflict.policy.namespace !== namespace) continue
    for (const scope of conflict.scopes) {
      if (!searchPath.includes(scope)) continue
      const clusterScopes = [...new Set(cips.flatMap((c) => c.scopes))]
        .filter((c) => scopeIsNestedInsideScope(scope, c))
        .sort()
        .map((c) => ({ scope: c, policies: cips.filter((p) => p.scopes.includes(c)).map((p) => formatResource(p.ref)) }))
      out.push({ policy: formatResource(conflict.policy.ref), scope, clusterScopes })
    }
  }
  return out
}

const VERDICT_TEXT: Readonly<Record<Verdict, string>> = {
  accepted: 'accepted without a signature',
  rejected: 'rejected',
  'signature-required': 'pulled only with a valid signature',
}

/** The explanation for people: one labelled block, stable wording. */
export function formatExplanation(e: Explanation): string {
  const lines: string[] = []
  const add = (label: string, text: string) => lines.push(`${label.padEnd(12)}${text}`)
  const more = (text: string) => lines.push(`${' '.repeat(12)}${text}`)
  add('image:', e.reference === e.image ? e.reference : `${e.reference} (given as ${e.image})`)
  add('namespace:', e.namespace ?? '(none)')
  add('file:', e.file)
  more(e.fileReason)
  add('scope:', e.scope === null ? '(none matched: the policy default applies)' : e.scope === '' ? '"" (the docker transport default)' : e.scope)
  more(`searched: ${e.searched.map((s) => (s === '' ? '""' : s)).join(', ')}`)
  add('from:', e.sources.length > 0 ? e.sources[0]! : '(nothing in the input)')
  for (const s of e.sources.slice(1)) more(s)
  add('verdict:', VERDICT_TEXT[e.verdict])
  e.requirements.forEach((r, i) => {
    const text = `${e.requirements.length > 1 ? `${i + 1}. ` : ''}${r.text}`
    if (i === 0) add('requires:', text)
    else more(text)
    if (r.signedIdentity !== undefined) more(`${e.requirements.length > 1 ? '   ' : ''}identity (${r.signedIdentity.type}): ${r.signedIdentity.text}`)
  })
  if (e.requirements.length > 1) more('(every requirement must be satisfied)')
  add(
    'signatures:',
    e.sigstoreAttachments.key === null
      ? `sigstore attachments not read (no registries.d key matches ${e.reference})`
      : `sigstore attachments ${e.sigstoreAttachments.enabled ? 'read' : 'not read'} (use-sigstore-attachments: ${e.sigstoreAttachments.enabled} for ${e.sigstoreAttachments.key} in ${e.sigstoreAttachments.file})`,
  )
  for (const [i, l] of e.lostScopes.entries()) {
    const why = l.clusterScopes.map((c) => `${c.scope} (${c.policies.join(', ')})`).join(', ')
    add(i === 0 ? 'lost:' : '', `${l.policy} scope ${l.scope} was dropped: it equals or nests inside the cluster scope ${why}, and MCO lets the cluster policy govern it`)
  }
  for (const [i, n] of e.notes.entries()) add(i === 0 ? 'notes:' : '', n)
  return lines.join('\n') + '\n'
}
