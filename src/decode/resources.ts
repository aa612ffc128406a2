// Decode stage: parsed items → the typed inputs we own (policies, the Image
// config, mirror sets). Pure; never throws; wrong types become issues.

import { isDns1123Label } from '../upstream/dns1123.ts'
import { issue, type Issue } from '../issues.ts'
import type { ImageMirror, MirrorSets, PolicyResource, RegistrySources } from '../model.ts'
import { isObject } from '../is-object.ts'
import { CONFIG_GROUP, OPERATOR_GROUP, refOf, roleOf, SERVED_KINDS } from '../io/item-kinds.ts'
import { decodeSigstorePolicy } from './policy-fields.ts'
import { FieldReader, type Path } from './read-fields.ts'

/** Our kinds by their lower-case spelling: the group we read them in, and the spelling we serve. */
const KIND_BY_LOWER_CASE = new Map(
  Object.entries(SERVED_KINDS).flatMap(([group, kinds]) => Object.keys(kinds).map((kind) => [kind.toLowerCase(), { group, kind }] as const)),
)

/**
 * An item that looks like one of ours but that `roleOf` does not read: one of our
 * kinds (in any case) with an apiVersion in one of our groups (in any case, with
 * or without a version) that is not a version we read, or with the kind spelled
 * in another case. Passed through, such an item would render nothing (a policy
 * in `config.openshift.io/v2` would leave its scopes unenforced) with exit 0, so
 * it is an error (issue 13). The same kind names in other groups (sigstore's
 * `policy.sigstore.dev` ClusterImagePolicy, `image.openshift.io` Image) are
 * other resources and pass through.
 */
export function unservedKindIssue(value: unknown): Issue | undefined {
  if (!isObject(value) || roleOf(value) !== 'other') return undefined
  const apiVersion = value['apiVersion']
  const kind = value['kind']
  if (typeof kind !== 'string') return undefined
  const ours = KIND_BY_LOWER_CASE.get(kind.toLowerCase())
  if (ours === undefined) return undefined
  const ref = refOf(value)
  const accepted = (SERVED_KINDS[ours.group]![ours.kind] ?? []).map((v) => `${ours.group}/${v}`).join(', ')
  if (typeof apiVersion !== 'string' || apiVersion === '' || (!apiVersion.includes('/') && !apiVersion.includes('.'))) {
    // No apiVersion, or a core-group one (`v1`): no group serves our kinds there, so it is ours mistyped.
    return issue(
      'error',
      'input',
      `${apiVersion === undefined || apiVersion === null || apiVersion === '' ? 'Required value' : `Unsupported value: ${JSON.stringify(apiVersion)}`}: imagepolicy-mc reads ${ours.kind} in ${accepted}, and would pass this item through unrendered`,
      { resource: ref, path: ['apiVersion'] },
    )
  }
  const slash = apiVersion.indexOf('/')
  const group = (slash === -1 ? apiVersion : apiVersion.slice(0, slash)).toLowerCase()
  if (group !== CONFIG_GROUP && group !== OPERATOR_GROUP) return undefined
  if (kind !== ours.kind) {
    return issue(
      'error',
      'input',
      `Unsupported value: ${JSON.stringify(kind)}: kinds are case-sensitive; imagepolicy-mc reads ${JSON.stringify(ours.kind)} (${accepted}), and would pass this item through unrendered`,
      { resource: ref, path: ['kind'] },
    )
  }
  return issue(
    'error',
    'input',
    `Unsupported value: ${JSON.stringify(apiVersion)}: imagepolicy-mc reads ${kind} in ${accepted}, and would pass this item through unrendered`,
    { resource: ref, path: ['apiVersion'] },
  )
}

/** An empty document: nothing, `{}` or `[]` (no resource, and no error: kustomize skips them too). */
export function isEmptyDocument(value: unknown): boolean {
  if (value === undefined || value === null) return true
  if (Array.isArray(value)) return value.length === 0
  return isObject(value) && Object.keys(value).length === 0
}

/**
 * Why a non-empty document (or List item) is not a Kubernetes object, or
 * undefined when it is one: kustomize, kubectl and kpt refuse a scalar or a
 * sequence ("missing Resource metadata"), a mapping without `kind` ("missing
 * kind"), and a List whose `items` is not a sequence. Passing such a value
 * through would let it count as a resource (an upstream producer's error text,
 * `Error from server: ...`, would defeat the empty-input guard), and a List whose
 * items we cannot read could hide a policy (issue 13: refuse rather than guess).
 */
function whyNotAResource(value: unknown): { readonly message: string; readonly path: readonly string[] } | undefined {
  if (isEmptyDocument(value)) return undefined
  if (!isObject(value)) {
    const what = Array.isArray(value) ? 'a sequence' : `a ${typeof value === 'string' ? 'string' : typeof value === 'object' ? 'value' : typeof value} (${JSON.stringify(String(value).slice(0, 40))})`
    return { message: `not a Kubernetes object: the document is ${what}, not a mapping with apiVersion and kind (kustomize refuses it: missing Resource metadata)`, path: [] }
  }
  const kind = value['kind']
  if (typeof kind !== 'string' || kind === '') {
    return { message: 'Required value: a Kubernetes object needs a kind (kustomize refuses it: missing kind)', path: ['kind'] }
  }
  if (kind.endsWith('List') && Object.hasOwn(value, 'items') && value['items'] !== null && !Array.isArray(value['items'])) {
    return { message: `Invalid value: ${kind} items must be a sequence of objects; we cannot read the resources in it`, path: ['items'] }
  }
  return undefined
}

/**
 * whyNotAResource as an Issue, on the entry `file` it came from: named by what it
 * has (a kind, else only where it is; without a resource, the path leads the message).
 */
export function notAResourceIssue(value: unknown, file: { readonly path: string; readonly index: number }): Issue | undefined {
  const wrong = whyNotAResource(value)
  if (wrong === undefined) return undefined
  const ref = refOf(value)
  const resource = ref !== undefined && ref.kind !== '' ? { ...ref, name: ref.name === '' ? '(no name)' : ref.name } : undefined
  const message = resource === undefined && wrong.path.length > 0 ? `${wrong.path.join('.')}: ${wrong.message}` : wrong.message
  return issue('error', 'input', message, { resource, path: resource === undefined ? [] : wrong.path, file })
}

/** Decodes an ImagePolicy or ClusterImagePolicy into what the renderer reads. */
export function decodePolicy(value: Record<string, unknown>): { policy?: PolicyResource; issues: Issue[] } {
  const ref = refOf(value)!
  const r = new FieldReader(ref)
  const kind = ref.kind as PolicyResource['kind']
  const metadata = r.object(value['metadata'], ['metadata']) ?? {}
  const name = r.string(metadata['name'], ['metadata', 'name']) ?? ''
  if (name === '') r.issues.push(issue('error', 'decode', 'Required value: name is required', { resource: ref, path: ['metadata', 'name'] }))
  const namespace = r.string(metadata['namespace'], ['metadata', 'namespace'])
  if (kind === 'ImagePolicy' && (namespace === undefined || namespace === '')) {
    r.issues.push(
      issue('error', 'decode', 'Required value: ImagePolicy is namespaced; metadata.namespace is required (it names the node file)', {
        resource: ref,
        path: ['metadata', 'namespace'],
      }),
    )
  } else if (kind === 'ImagePolicy' && namespace !== undefined && !isDns1123Label(namespace)) {
    // Second guard behind validation (which reports it in the API server's words): the
    // namespace names /etc/crio/policies/<namespace>.json, so `../x` must never get that far.
    r.issues.push(issue('error', 'decode', `Invalid value: ${JSON.stringify(namespace.slice(0, 64))}: not a DNS-1123 label`, { resource: ref, path: ['metadata', 'namespace'] }))
  }
  const generation = r.integer(metadata['generation'], ['metadata', 'generation']) ?? 0
  const spec = r.object(value['spec'], ['spec'])
  if (spec === undefined) {
    r.issues.push(issue('error', 'decode', 'Required value: spec is required', { resource: ref, path: ['spec'] }))
    return { issues: r.issues }
  }
  const scopes = r.strings(spec['scopes'], ['spec', 'scopes']) ?? []
  const policyValue = r.object(spec['policy'], ['spec', 'policy'])
  if (policyValue === undefined) {
    r.issues.push(issue('error', 'decode', 'Required value: spec.policy is required', { resource: ref, path: ['spec', 'policy'] }))
    return { issues: r.issues }
  }
  const policy = decodeSigstorePolicy(r, policyValue)
  if (r.issues.length > 0) return { issues: r.issues }
  return {
    policy: {
      ref,
      kind,
      name,
      ...(kind === 'ImagePolicy' && namespace !== undefined ? { namespace } : {}),
      generation,
      scopes,
      policy,
    },
    issues: r.issues,
  }
}

/** `spec.registrySources` of the Image config (nil and `[]` kept apart). */
export function decodeImage(value: Record<string, unknown>): { sources: RegistrySources; issues: Issue[] } {
  const r = new FieldReader(refOf(value))
  const spec = r.object(value['spec'], ['spec']) ?? {}
  const rs = r.object(spec['registrySources'], ['spec', 'registrySources']) ?? {}
  const at = ['spec', 'registrySources']
  const list = (key: keyof RegistrySources) => {
    const v = r.strings(rs[key], [...at, key])
    return v === undefined ? {} : { [key]: v }
  }
  return {
    sources: {
      ...list('allowedRegistries'),
      ...list('blockedRegistries'),
      ...list('insecureRegistries'),
      ...list('containerRuntimeSearchRegistries'),
    },
    issues: r.issues,
  }
}

function decodeMirrors(r: FieldReader, entries: Record<string, unknown>[] | undefined, at: Path): ImageMirror[] {
  return (entries ?? []).map((entry, i) => {
    const source = r.string(entry['source'], [...at, i, 'source']) ?? ''
    const mirrors = r.strings(entry['mirrors'], [...at, i, 'mirrors']) ?? []
    const policy = r.string(entry['mirrorSourcePolicy'], [...at, i, 'mirrorSourcePolicy'])
    return { source, mirrors, ...(policy !== undefined ? { mirrorSourcePolicy: policy } : {}) }
  })
}

/** Adds one ICSP/IDMS/ITMS to the mirror sets (input order kept). */
export function decodeMirrorSet(value: Record<string, unknown>, into: MutableMirrorSets): Issue[] {
  const ref = refOf(value)!
  const r = new FieldReader(ref)
  const spec = r.object(value['spec'], ['spec']) ?? {}
  const key = { ImageContentSourcePolicy: 'repositoryDigestMirrors', ImageDigestMirrorSet: 'imageDigestMirrors', ImageTagMirrorSet: 'imageTagMirrors' }[
    ref.kind
  ]
  if (key === undefined) return []
  const mirrors = decodeMirrors(r, r.objects(spec[key], ['spec', key]), ['spec', key])
  if (ref.kind === 'ImageContentSourcePolicy') into.imageContentSourcePolicies.push({ name: ref.name, repositoryDigestMirrors: mirrors })
  else if (ref.kind === 'ImageDigestMirrorSet') into.imageDigestMirrorSets.push({ name: ref.name, imageDigestMirrors: mirrors })
  else into.imageTagMirrorSets.push({ name: ref.name, imageTagMirrors: mirrors })
  return r.issues
}

export interface MutableMirrorSets {
  imageContentSourcePolicies: { name: string; repositoryDigestMirrors: ImageMirror[] }[]
  imageDigestMirrorSets: { name: string; imageDigestMirrors: ImageMirror[] }[]
  imageTagMirrorSets: { name: string; imageTagMirrors: ImageMirror[] }[]
}

export function emptyMirrorSets(): MutableMirrorSets {
  return { imageContentSourcePolicies: [], imageDigestMirrorSets: [], imageTagMirrorSets: [] }
}

export type { MirrorSets }
