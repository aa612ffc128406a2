// Explain/review helper: how containers/image picks the requirements for an image
// from a policy.json, and whether it reads sigstore attachments for it from
// registries.d. Pure; no I/O; never throws on bad input.
//
// Ported from containers/image (v5.35.0, as vendored by MCO):
// - signature/policy_eval.go `requirementsForImageRef`: full identity, then
//   `PolicyConfigurationNamespaces()` in order, then the transport's `""` scope,
//   then `default`;
// - docker/policyconfiguration/naming.go `DockerReferenceIdentity` and
//   `DockerReferenceNamespaces`: repository, parent namespaces, host (with port),
//   then `*.` wildcards from the most specific, computed on the host without port;
// - docker/registries_d.go `useSigstoreAttachments`: the same search over the
//   `docker` keys of registries.d, then `default-docker`;
// - docker/docker_transport.go `ParseReference`/`NewReference`: names without tag
//   or digest get `:latest`, and a reference with both is refused (CRI-O and podman
//   drop the tag first, as distribution's `ParseDockerRef` does; so do we, with a note).

import { yamlLib } from '../io/yaml-lib.ts'
import { isObject } from '../is-object.ts'
import { type DockerReference, parseNormalizedNamed, referenceName } from '../upstream/docker-reference.ts'

/** An image reference as the docker transport sees it: normalized, a tag or a digest, never both. */
export interface ImageReference {
  readonly reference: DockerReference
  /** `PolicyConfigurationIdentity()`: `name:tag` or `name@digest`. */
  readonly identity: string
  /** `PolicyConfigurationNamespaces()`, in search order. */
  readonly namespaces: readonly string[]
  /** What normalization did to the text given (implicit docker.io, `:latest`, dropped tag). */
  readonly notes: readonly string[]
}

export type ImageReferenceResult = { readonly value: ImageReference } | { readonly error: string }

const DOCKER_PREFIX = 'docker://'

/**
 * Parses an image as CRI-O and skopeo's `docker://` transport would: `docker://` is
 * accepted and dropped, familiar names are expanded (`busybox` →
 * `docker.io/library/busybox`), a missing tag becomes `latest`, and with both a tag
 * and a digest the tag is dropped.
 */
export function parseImageReference(text: string): ImageReferenceResult {
  const notes: string[] = []
  let input = text
  if (input.startsWith(DOCKER_PREFIX)) input = input.slice(DOCKER_PREFIX.length)
  const parsed = parseNormalizedNamed(input)
  if ('error' in parsed) return { error: `invalid image reference ${JSON.stringify(text)}: ${parsed.error}` }
  let ref = parsed.value
  const name = referenceName(ref)
  const slash = input.indexOf('/')
  const first = slash === -1 ? input : input.slice(0, slash)
  const hasHost = slash !== -1 && (/[.:]/.test(first) || first === 'localhost')
  if (!hasHost) {
    notes.push(`${input} names no registry: it is read as ${name} (docker.io); CRI-O may instead resolve short names through the cluster's search registries`)
  } else if (nameOf(input) !== name) {
    notes.push(`${nameOf(input)} is read as ${name} (docker reference normalization)`)
  }
  if (ref.tag !== undefined && ref.digest !== undefined) {
    notes.push(`the tag :${ref.tag} is ignored: the image is pulled and checked by its digest`)
    ref = { domain: ref.domain, path: ref.path, digest: ref.digest }
  }
  if (ref.tag === undefined && ref.digest === undefined) {
    notes.push('no tag or digest: the tag latest is assumed')
    ref = { domain: ref.domain, path: ref.path, tag: 'latest' }
  }
  return { value: { reference: ref, identity: imageIdentity(ref), namespaces: policyNamespaces(ref), notes } }
}

/** The repository part of a reference as written: without `@digest` and without a `:tag` after the last `/`. */
function nameOf(text: string): string {
  const at = text.indexOf('@')
  const noDigest = at === -1 ? text : text.slice(0, at)
  const colon = noDigest.lastIndexOf(':')
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(0, colon) : noDigest
}

/** `DockerReferenceIdentity`: `name:tag` or `name@digest` (the caller ensures exactly one). */
export function imageIdentity(ref: DockerReference): string {
  const name = referenceName(ref)
  return ref.digest !== undefined ? `${name}@${ref.digest}` : `${name}:${ref.tag ?? 'latest'}`
}

/** `DockerReferenceNamespaces`: the repository, its parent namespaces, the host, then `*.` wildcards of the host without port. */
export function policyNamespaces(ref: DockerReference): string[] {
  const out: string[] = []
  let name = referenceName(ref)
  for (;;) {
    out.push(name)
    const slash = name.lastIndexOf('/')
    if (slash === -1) break
    name = name.slice(0, slash)
  }
  const colon = name.indexOf(':')
  if (colon !== -1) name = name.slice(0, colon)
  for (;;) {
    const dot = name.indexOf('.')
    if (dot === -1) break
    name = name.slice(dot + 1)
    out.push(`*.${name}`)
  }
  return out
}

/** A requirement object as written in policy.json. */
export type PolicyRequirement = Readonly<Record<string, unknown>>

/** A policy.json, decoded for lookups (`signature.Policy`). */
export interface SignaturePolicy {
  readonly default: readonly PolicyRequirement[]
  readonly transports: ReadonlyMap<string, ReadonlyMap<string, readonly PolicyRequirement[]>>
}

function requirementList(value: unknown): PolicyRequirement[] {
  return Array.isArray(value) ? value.filter(isObject) : []
}

/** Decodes policy.json text; undefined when it is not a JSON object. */
export function parseSignaturePolicy(text: string): SignaturePolicy | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!isObject(value)) return undefined
  const transports = new Map<string, Map<string, PolicyRequirement[]>>()
  const raw = value['transports']
  if (isObject(raw)) {
    for (const [transport, scopes] of Object.entries(raw)) {
      if (!isObject(scopes)) continue
      transports.set(transport, new Map(Object.entries(scopes).map(([scope, reqs]) => [scope, requirementList(reqs)])))
    }
  }
  return { default: requirementList(value['default']), transports }
}

/** Where a lookup ended. `scope` is `undefined` for the policy's `default`. */
export interface PolicyMatch {
  readonly scope?: string
  readonly requirements: readonly PolicyRequirement[]
  /** The keys searched, in order, up to and including the one that matched. */
  readonly searched: readonly string[]
}

/** `requirementsForImageRef` for the docker transport (the one CRI-O pulls with). */
export function lookupRequirements(policy: SignaturePolicy, image: ImageReference, transport = 'docker'): PolicyMatch {
  const scopes = policy.transports.get(transport)
  const searched: string[] = []
  if (scopes !== undefined) {
    // identity, then namespaces, then '' (without building that list: the guardrails look up 40,000 probes).
    const n = image.namespaces.length
    for (let i = -1; i <= n; i++) {
      const key = i === -1 ? image.identity : i === n ? '' : image.namespaces[i]!
      searched.push(key)
      const reqs = scopes.get(key)
      if (reqs !== undefined) return { scope: key, requirements: reqs, searched }
    }
  }
  return { requirements: policy.default, searched }
}

/** The `docker` section of registries.d, reduced to what CRI-O reads for sigstore. */
export interface RegistriesD {
  readonly docker: ReadonlyMap<string, { readonly useSigstoreAttachments?: boolean }>
  readonly defaultDocker?: { readonly useSigstoreAttachments?: boolean }
}

function namespaceConfig(value: unknown): { useSigstoreAttachments?: boolean } {
  if (!isObject(value)) return {}
  const v = value['use-sigstore-attachments']
  return typeof v === 'boolean' ? { useSigstoreAttachments: v } : {}
}

/** Decodes a registries.d YAML file; undefined when it is not a mapping. */
export function parseRegistriesD(text: string): RegistriesD | undefined {
  let value: unknown
  try {
    value = yamlLib().parse(text, { version: '1.1' })
  } catch {
    return undefined
  }
  if (!isObject(value)) return undefined
  const docker = new Map<string, { useSigstoreAttachments?: boolean }>()
  const raw = value['docker']
  if (isObject(raw)) for (const [key, ns] of Object.entries(raw)) docker.set(key, namespaceConfig(ns))
  return { docker, ...(value['default-docker'] !== undefined ? { defaultDocker: namespaceConfig(value['default-docker']) } : {}) }
}

export interface AttachmentsMatch {
  readonly enabled: boolean
  /** The key that decided: a scope, `default-docker`, or undefined when nothing is configured. */
  readonly key?: string
}

/**
 * `useSigstoreAttachments`: the first key on the search path that sets
 * `use-sigstore-attachments` decides (a key without it does not stop the search),
 * then `default-docker`; otherwise false.
 */
export function lookupSigstoreAttachments(config: RegistriesD, image: ImageReference): AttachmentsMatch {
  for (const key of [image.identity, ...image.namespaces]) {
    const v = config.docker.get(key)?.useSigstoreAttachments
    if (v !== undefined) return { enabled: v, key }
  }
  const v = config.defaultDocker?.useSigstoreAttachments
  if (v !== undefined) return { enabled: v, key: 'default-docker' }
  return { enabled: false }
}
