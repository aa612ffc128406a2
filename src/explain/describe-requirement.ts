// Explain helper: a policy.json requirement in words, with the fingerprints a
// reviewer can compare against `cosign`/`openssl` output. Pure (crypto only
// computes); no I/O; never throws on bad input.

import { createHash, createPublicKey, X509Certificate } from 'node:crypto'
import { referenceName, type DockerReference } from '../upstream/docker-reference.ts'
import type { PolicyRequirement } from './policy-lookup.ts'

/** A public key: SHA-256 of its DER SubjectPublicKeyInfo (for a Rekor key, this is the Rekor log ID). */
export interface KeyFingerprint {
  readonly role: string
  readonly sha256: string
  readonly algorithm: string
}

/** A certificate: SHA-256 of its DER encoding, as `openssl x509 -fingerprint -sha256` prints it (lower-case, no colons). */
export interface CertificateFingerprint {
  readonly role: string
  readonly subject: string
  readonly sha256: string
  readonly notAfter: string
}

export interface RequirementDescription {
  /** The policy.json `type`. */
  readonly type: string
  /** One sentence. */
  readonly text: string
  readonly keys: readonly KeyFingerprint[]
  readonly certificates: readonly CertificateFingerprint[]
  /** The identity a signature must claim for this image, when the rule can say. */
  readonly signedIdentity?: { readonly type: string; readonly text: string }
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g

function bytesOf(value: unknown): Buffer | undefined {
  return typeof value === 'string' ? Buffer.from(value, 'base64') : undefined
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}

function keyAlgorithm(key: ReturnType<typeof createPublicKey>): string {
  const details = key.asymmetricKeyDetails ?? {}
  switch (key.asymmetricKeyType) {
    case 'ec':
      return `ECDSA ${details.namedCurve === 'prime256v1' ? 'P-256' : details.namedCurve === 'secp384r1' ? 'P-384' : details.namedCurve === 'secp521r1' ? 'P-521' : (details.namedCurve ?? '')}`.trim()
    case 'rsa':
      return `RSA ${details.modulusLength ?? ''}`.trim()
    case 'ed25519':
      return 'Ed25519'
    default:
      return key.asymmetricKeyType ?? 'unknown'
  }
}

/** Fingerprints every PEM public key in `data`; data that holds none is fingerprinted as raw bytes. */
export function keyFingerprints(data: Uint8Array, role: string): KeyFingerprint[] {
  const text = Buffer.from(data).toString('utf8')
  const out: KeyFingerprint[] = []
  for (const block of text.match(PEM_BLOCK) ?? []) {
    try {
      const key = createPublicKey(block)
      out.push({ role, sha256: sha256(key.export({ type: 'spki', format: 'der' })), algorithm: keyAlgorithm(key) })
    } catch {
      // not a key we can read: fall through to the raw fingerprint below if nothing else is found
    }
  }
  if (out.length === 0) out.push({ role, sha256: sha256(data), algorithm: `not a PEM public key (${data.length} bytes; raw data hashed)` })
  return out
}

function subjectText(subject: string): string {
  return subject.split('\n').filter((s) => s !== '').join(', ')
}

/** Fingerprints every PEM certificate in `data`; data that holds none is fingerprinted as raw bytes. */
export function certificateFingerprints(data: Uint8Array, role: string): CertificateFingerprint[] {
  const text = Buffer.from(data).toString('utf8')
  const out: CertificateFingerprint[] = []
  for (const block of text.match(PEM_BLOCK) ?? []) {
    try {
      const cert = new X509Certificate(block)
      out.push({ role, subject: subjectText(cert.subject), sha256: cert.fingerprint256.replaceAll(':', '').toLowerCase(), notAfter: new Date(cert.validTo).toISOString() })
    } catch {
      // not a certificate: see below
    }
  }
  if (out.length === 0) out.push({ role, subject: `not a PEM certificate (${data.length} bytes; raw data hashed)`, sha256: sha256(data), notAfter: '' })
  return out
}

function short(hex: string): string {
  return `sha256:${hex}`
}

function describeKeys(keys: readonly KeyFingerprint[]): string {
  return keys.map((k) => `${short(k.sha256)} (${k.algorithm})`).join(', ')
}

function describeCerts(certs: readonly CertificateFingerprint[]): string {
  return certs.map((c) => `${c.subject} (${short(c.sha256)})`).join(', ')
}

/** `name:tag` / `name@digest` of a reference that has one of them. */
function refString(ref: DockerReference): string {
  return ref.digest !== undefined ? `${referenceName(ref)}@${ref.digest}` : `${referenceName(ref)}:${ref.tag ?? 'latest'}`
}

/** containers/image `prmRemapIdentity.refMatchesPrefix`: a whole name, or a prefix that ends at `/`. */
function matchesPrefix(name: string, prefix: string): boolean {
  return name === prefix || (name.length > prefix.length && name.startsWith(prefix) && name[prefix.length] === '/')
}

/** `matchRepoDigestOrExact` in words, for the reference a signature is compared with. */
function repoDigestOrExact(ref: DockerReference): string {
  return ref.digest !== undefined
    ? `the signature must name the repository ${referenceName(ref)} (any tag or digest, since the image is pulled by digest)`
    : `the signature must name exactly ${refString(ref)}`
}

/** The `signedIdentity` rule, made concrete for `image` (containers/image `policy_reference_match.go`). */
export function describeSignedIdentity(identity: unknown, image: DockerReference | undefined): { type: string; text: string } {
  const rule = typeof identity === 'object' && identity !== null ? (identity as Record<string, unknown>) : {}
  const type = typeof rule['type'] === 'string' ? rule['type'] : 'matchRepoDigestOrExact'
  switch (type) {
    case 'matchExact':
      return { type, text: image !== undefined ? `the signature must name exactly ${refString(image)}` : 'the signature must name exactly the image reference' }
    case 'matchRepoDigestOrExact':
      return { type, text: image !== undefined ? repoDigestOrExact(image) : 'the signature must name the image exactly (for a digest reference: its repository)' }
    case 'matchRepository':
      return { type, text: image !== undefined ? `the signature must name the repository ${referenceName(image)} (any tag)` : 'the signature must name the image repository (any tag)' }
    case 'exactReference':
      return { type, text: `the signature must name exactly ${String(rule['dockerReference'])}` }
    case 'exactRepository':
      return { type, text: `the signature must name the repository ${String(rule['dockerRepository'])}, whatever the image is called` }
    case 'remapIdentity': {
      const prefix = String(rule['prefix'])
      const signedPrefix = String(rule['signedPrefix'])
      if (image === undefined) return { type, text: `images under ${prefix} are checked as if they were under ${signedPrefix}` }
      const name = referenceName(image)
      if (!matchesPrefix(name, prefix)) {
        return { type, text: `${name} is not under the prefix ${prefix}, so no remapping: ${repoDigestOrExact(image)}` }
      }
      const remapped = signedPrefix + refString(image).slice(prefix.length)
      const at = remapped.indexOf('@')
      const colon = remapped.lastIndexOf(':')
      const remappedName = at !== -1 ? remapped.slice(0, at) : colon > remapped.lastIndexOf('/') ? remapped.slice(0, colon) : remapped
      const what =
        image.digest !== undefined
          ? `the signature must name the repository ${remappedName} (any tag or digest, since the image is pulled by digest)`
          : `the signature must name exactly ${remapped}`
      return { type, text: `${prefix} is remapped to ${signedPrefix}: ${what}` }
    }
    default:
      return { type, text: `identity rule ${type}` }
  }
}

/** One requirement of a policy.json scope, in words. */
export function describeRequirement(req: PolicyRequirement, image: DockerReference | undefined): RequirementDescription {
  const type = typeof req['type'] === 'string' ? req['type'] : ''
  switch (type) {
    case 'insecureAcceptAnything':
      return { type, text: 'accepted without any signature check', keys: [], certificates: [] }
    case 'reject':
      return { type, text: 'rejected: every pull fails', keys: [], certificates: [] }
    case 'signedBy':
      return { type, text: `a GPG signature (${String(req['keyType'])}) is required`, keys: [], certificates: [], signedIdentity: describeSignedIdentity(req['signedIdentity'], image) }
    case 'sigstoreSigned':
      return describeSigstore(req, image)
    default:
      return { type, text: `requirement of type ${JSON.stringify(type)}`, keys: [], certificates: [] }
  }
}

function describeSigstore(req: PolicyRequirement, image: DockerReference | undefined): RequirementDescription {
  const keys: KeyFingerprint[] = []
  const certificates: CertificateFingerprint[] = []
  const parts: string[] = []
  const keyData = bytesOf(req['keyData'])
  if (keyData !== undefined) {
    const k = keyFingerprints(keyData, 'signing key')
    keys.push(...k)
    parts.push(`a sigstore signature by the public key ${describeKeys(k)}`)
  }
  if (Array.isArray(req['keyDatas'])) {
    const k = req['keyDatas'].flatMap((d) => (typeof d === 'string' ? keyFingerprints(Buffer.from(d, 'base64'), 'signing key') : []))
    keys.push(...k)
    parts.push(`a sigstore signature by any of the public keys ${describeKeys(k)}`)
  }
  const fulcio = req['fulcio']
  if (typeof fulcio === 'object' && fulcio !== null) {
    const f = fulcio as Record<string, unknown>
    const ca = bytesOf(f['caData'])
    const c = ca !== undefined ? certificateFingerprints(ca, 'Fulcio CA') : []
    certificates.push(...c)
    parts.push(
      `a sigstore signature with a Fulcio certificate issued by ${c.length > 0 ? describeCerts(c) : 'the Fulcio CA'} for the OIDC issuer ${String(f['oidcIssuer'])} and the email ${String(f['subjectEmail'])}`,
    )
  }
  const pki = req['pki']
  if (typeof pki === 'object' && pki !== null) {
    const p = pki as Record<string, unknown>
    const roots = bytesOf(p['caRootsData'])
    const r = roots !== undefined ? certificateFingerprints(roots, 'CA root') : []
    const inter = bytesOf(p['caIntermediatesData'])
    const i = inter !== undefined ? certificateFingerprints(inter, 'CA intermediate') : []
    certificates.push(...r, ...i)
    const subject = [
      typeof p['subjectEmail'] === 'string' ? `email ${p['subjectEmail']}` : undefined,
      typeof p['subjectHostname'] === 'string' ? `hostname ${p['subjectHostname']}` : undefined,
    ].filter((s) => s !== undefined)
    parts.push(
      `a sigstore signature with a certificate that chains to the CA roots ${describeCerts(r)}${i.length > 0 ? ` through the intermediates ${describeCerts(i)}` : ''}${subject.length > 0 ? ` and whose subject has ${subject.join(' and ')}` : ''}`,
    )
  }
  const rekor = bytesOf(req['rekorPublicKeyData'])
  if (rekor !== undefined) {
    const k = keyFingerprints(rekor, 'Rekor key')
    keys.push(...k)
    parts.push(`logged in the Rekor transparency log with the key ${describeKeys(k)} (the Rekor log ID)`)
  }
  const text = parts.length === 0 ? 'a sigstore signature is required' : parts.join(', ')
  return { type: 'sigstoreSigned', text, keys, certificates, signedIdentity: describeSignedIdentity(req['signedIdentity'], image) }
}
