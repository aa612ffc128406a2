// Resolve stage: one policy's `spec.policy` → a containers-policy.json
// `sigstoreSigned` requirement. Pure; no I/O; never throws on bad input.

import { issue, type Issue } from '../issues.ts'
import type { ResourceRef, SigstorePolicy } from '../model.ts'
import type { GoValue } from '../upstream/go-json.ts'
import { goQuote } from '../upstream/go-strconv.ts'
import { goDecodeBase64, goEncodeBase64 } from '../upstream/go-base64.ts'
import { dockerRepositoryError, remapPrefixError } from '../upstream/signed-identity-checks.ts'

/** A requirement object in containers/image struct field order (see `prSigstoreSigned`). */
export type Requirement = { readonly [field: string]: GoValue }

export const INSECURE_ACCEPT_ANYTHING: Requirement = { type: 'insecureAcceptAnything' }
export const REJECT: Requirement = { type: 'reject' }

type Bytes = Buffer | undefined
type Path = readonly (string | number)[]

/** The requirement, or MCO's error for the policy (at its place inside `spec.policy`, in MCO's words). */
export type RequirementResult = { readonly value: Requirement } | { readonly issue: Issue }

/** MCO's error, on `resource` (the policy, when the caller has one) at `path`. */
function failure(resource: ResourceRef | undefined, path: Path, message: string): { readonly issue: Issue } {
  return { issue: issue('error', 'mco', message, { resource, path }) }
}

/**
 * Port of MCO's `policyItemFromSpec` (helpers.go) together with the containers/image
 * constructors it calls (`NewPRSigstoreSignedFulcio`, `NewPRSigstoreSignedPKI`,
 * `NewPRSigstoreSigned`, `NewPRMExactRepository`, `NewPRMRemapIdentity`):
 * the checks run in the same order, so the first error is the one MCO reports.
 *
 * Byte fields follow Go's `[]byte`: absent (nil) and `""` (empty, non-nil) differ
 * for the "exactly one of" checks, and values are re-encoded as canonical base64.
 * Where MCO would dereference a nil pointer (a root of trust or identity block
 * missing for its type) this returns an error instead.
 */
export function resolveRequirement(policy: SigstorePolicy, resource?: ResourceRef): RequirementResult {
  const root = policy.rootOfTrust
  const rootPath = ['spec', 'policy', 'rootOfTrust'] as const
  const fail = (path: Path, message: string) => failure(resource, path, message)

  const bytesOf = (value: string | undefined, path: Path): { bytes: Bytes } | { issue: Issue } => {
    if (value === undefined) return { bytes: undefined }
    const decoded = goDecodeBase64(value)
    if ('error' in decoded) return fail(path, decoded.error)
    return { bytes: decoded.bytes }
  }

  /** A block's byte fields, decoded in order: the first bad one is MCO's error. */
  const bytesOfFields = (at: Path, fields: readonly (readonly [string, string | undefined])[]): { bytes: Bytes[] } | { issue: Issue } => {
    const bytes: Bytes[] = []
    for (const [field, value] of fields) {
      const decoded = bytesOf(value, [...at, field])
      if ('issue' in decoded) return decoded
      bytes.push(decoded.bytes)
    }
    return { bytes }
  }

  let keyData: Bytes
  let rekorKeyData: Bytes
  let fulcio: Requirement | undefined
  let pki: Requirement | undefined

  switch (root.policyType) {
    case 'PublicKey': {
      const publicKey = root.publicKey
      if (publicKey === undefined) {
        return fail([...rootPath, 'publicKey'], nilPointer('policyType PublicKey', 'publicKey'))
      }
      const decoded = bytesOfFields([...rootPath, 'publicKey'], [['keyData', publicKey.keyData], ['rekorKeyData', publicKey.rekorKeyData]])
      if ('issue' in decoded) return decoded
      const [key, rekor] = decoded.bytes
      keyData = key
      // MCO adds the Rekor key only when it is non-empty.
      if (rekor !== undefined && rekor.length > 0) rekorKeyData = rekor
      break
    }
    case 'FulcioCAWithRekor': {
      const f = root.fulcioCAWithRekor
      if (f === undefined) {
        return fail([...rootPath, 'fulcioCAWithRekor'], nilPointer('policyType FulcioCAWithRekor', 'fulcioCAWithRekor'))
      }
      const at = [...rootPath, 'fulcioCAWithRekor'] as const
      const decoded = bytesOfFields(at, [['fulcioCAData', f.fulcioCAData], ['rekorKeyData', f.rekorKeyData]])
      if ('issue' in decoded) return decoded
      const [ca, rekor] = decoded.bytes
      const oidcIssuer = f.fulcioSubject?.oidcIssuer ?? ''
      const signedEmail = f.fulcioSubject?.signedEmail ?? ''
      // newPRSigstoreSignedFulcio
      if (ca === undefined) return fail([...at, 'fulcioCAData'], 'At least one of caPath and caData must be specified')
      if (oidcIssuer === '') return fail([...at, 'fulcioSubject', 'oidcIssuer'], 'oidcIssuer not specified')
      if (signedEmail === '') return fail([...at, 'fulcioSubject', 'signedEmail'], 'subjectEmail not specified')
      fulcio = withOptional({ caData: ca }, { oidcIssuer, subjectEmail: signedEmail })
      rekorKeyData = rekor
      break
    }
    case 'PKI': {
      const p = root.pki
      if (p === undefined) return fail([...rootPath, 'pki'], nilPointer('policyType PKI', 'pki'))
      const at = [...rootPath, 'pki'] as const
      const decoded = bytesOfFields(at, [['caRootsData', p.caRootsData], ['caIntermediatesData', p.caIntermediatesData]])
      if ('issue' in decoded) return decoded
      const [roots, intermediates] = decoded.bytes
      const email = p.pkiCertificateSubject?.email ?? ''
      const hostname = p.pkiCertificateSubject?.hostname ?? ''
      // newPRSigstoreSignedPKI
      if (roots === undefined) return fail([...at, 'caRootsData'], 'At least one of caRootsPath and caRootsData must be specified')
      if (email === '' && hostname === '') {
        return fail([...at, 'pkiCertificateSubject'], 'At least one of subjectEmail, subjectHostname must be specified')
      }
      pki = {
        caRootsData: goEncodeBase64(roots),
        ...(intermediates !== undefined && intermediates.length > 0
          ? { caIntermediatesData: goEncodeBase64(intermediates) }
          : {}),
        ...(email !== '' ? { subjectEmail: email } : {}),
        ...(hostname !== '' ? { subjectHostname: hostname } : {}),
      }
      break
    }
    default:
      // No key source is added; NewPRSigstoreSigned fails below.
      break
  }

  const identity = resolveSignedIdentity(policy, resource)
  if ('issue' in identity) return identity

  // newPRSigstoreSigned
  const keySources = (keyData !== undefined ? 1 : 0) + (fulcio !== undefined ? 1 : 0) + (pki !== undefined ? 1 : 0)
  if (keySources !== 1) {
    return fail([...rootPath, 'policyType'], 'exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio, and pki must be specified')
  }
  if (fulcio !== undefined && rekorKeyData === undefined) {
    return fail(
      [...rootPath, 'fulcioCAWithRekor', 'rekorKeyData'],
      'At least one of rekorPublickeyPath, rekorPublicKeyPaths, rekorPublickeyData and rekorPublicKeyDatas must be specified if fulcio is used',
    )
  }

  // Field order of containers/image `prSigstoreSigned`; empty []byte is omitted (omitempty).
  const value: Requirement = {
    type: 'sigstoreSigned',
    ...(keyData !== undefined && keyData.length > 0 ? { keyData: goEncodeBase64(keyData) } : {}),
    ...(fulcio !== undefined ? { fulcio } : {}),
    ...(rekorKeyData !== undefined && rekorKeyData.length > 0 ? { rekorPublicKeyData: goEncodeBase64(rekorKeyData) } : {}),
    ...(pki !== undefined ? { pki } : {}),
    signedIdentity: identity.value,
  }
  return { value }
}

/** `fulcio` keeps `caData` only when non-empty (omitempty), then the strings in field order. */
function withOptional(bytes: { caData: Buffer }, strings: { oidcIssuer: string; subjectEmail: string }): Requirement {
  return {
    ...(bytes.caData.length > 0 ? { caData: goEncodeBase64(bytes.caData) } : {}),
    oidcIssuer: strings.oidcIssuer,
    subjectEmail: strings.subjectEmail,
  }
}

function nilPointer(what: string, field: string): string {
  return `${what} requires ${field} (MCO would dereference a nil pointer: runtime error: invalid memory address or nil pointer dereference)`
}

/** The `signedIdentity` mapping of mco-rendering.md §1. */
function resolveSignedIdentity(policy: SigstorePolicy, resource: ResourceRef | undefined): RequirementResult {
  const si = policy.signedIdentity
  const at = ['spec', 'policy', 'signedIdentity'] as const
  if (si === undefined) return { value: { type: 'matchRepoDigestOrExact' } }
  switch (si.matchPolicy) {
    case 'MatchRepoDigestOrExact':
      return { value: { type: 'matchRepoDigestOrExact' } }
    case 'MatchRepository':
      return { value: { type: 'matchRepository' } }
    case 'ExactRepository': {
      if (si.exactRepository === undefined) {
        return failure(resource, [...at, 'exactRepository'], nilPointer('matchPolicy ExactRepository', 'exactRepository'))
      }
      const repository = si.exactRepository.repository
      const problem = dockerRepositoryError(repository)
      if (problem !== undefined) {
        return failure(
          resource,
          [...at, 'exactRepository', 'repository'],
          `error getting signedIdentity for ExactRepository: Invalid format of dockerRepository ${goQuote(repository)}: ${problem}`,
        )
      }
      return { value: { type: 'exactRepository', dockerRepository: repository } }
    }
    case 'RemapIdentity': {
      if (si.remapIdentity === undefined) {
        return failure(resource, [...at, 'remapIdentity'], nilPointer('matchPolicy RemapIdentity', 'remapIdentity'))
      }
      const { prefix, signedPrefix } = si.remapIdentity
      for (const [field, value] of [['prefix', prefix], ['signedPrefix', signedPrefix]] as const) {
        if (remapPrefixError(value)) {
          return failure(resource, [...at, 'remapIdentity', field], `error getting signedIdentity for RemapIdentity: prefix ${goQuote(value)} is not valid`)
        }
      }
      return { value: { type: 'remapIdentity', prefix, signedPrefix } }
    }
    default:
      return failure(resource, [...at, 'matchPolicy'], `unknown signedIdentity match policy: ${si.matchPolicy}`)
  }
}
