// E2E harness: sigstore signatures made by hand, in the format containers/image
// reads (and cosign writes): an OCI manifest tagged sha256-<hex>.sig in the
// image's repository, one layer per signature, the layer blob being the
// simple-signing payload and the layer annotations carrying the signature, and
// optionally the certificate, its chain and a Rekor bundle (SET).
// Checked against containers/image signature/internal/{sigstore_payload.go,
// rekor_set.go}, signature/policy_eval_sigstore.go, fulcio_cert.go, pki_cert.go.

import { createPublicKey, sign } from 'node:crypto'
import { OCI_CONFIG, OCI_MANIFEST, blob, sha256 } from './oci.ts'
import { pushBlob, putManifest } from './registry.ts'

export const SIMPLESIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json'
export const ANNOTATION_SIGNATURE = 'dev.cosignproject.cosign/signature'
export const ANNOTATION_CERTIFICATE = 'dev.sigstore.cosign/certificate'
export const ANNOTATION_CHAIN = 'dev.sigstore.cosign/chain'
export const ANNOTATION_BUNDLE = 'dev.sigstore.cosign/bundle'

export interface SignatureLayer {
  readonly payload: Buffer
  readonly annotations: Readonly<Record<string, string>>
}

/** The payload that is signed: which image (digest) under which name (identity). */
export function cosignPayload(identity: string, manifestDigest: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': identity },
        image: { 'docker-manifest-digest': manifestDigest },
        type: 'cosign container image signature',
      },
      optional: null,
    }),
    'utf8',
  )
}

/** ECDSA (or other) signature with SHA-256 over `data`, ASN.1 DER, base64. */
export function signBase64(privateKeyPem: string, data: Buffer): string {
  return sign('sha256', data, privateKeyPem).toString('base64')
}

/**
 * RFC 8785 (JCS) canonical JSON for the values used here: ECMAScript
 * serialization of strings and numbers, object keys sorted by UTF-16 code units.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

export interface RekorEntry {
  /** PEM of the Rekor log's signing key (ECDSA). */
  readonly rekorPrivateKeyPem: string
  /** What the log recorded as the signer: the public key PEM, or the leaf certificate PEM. */
  readonly signerPem: string
  readonly signatureBase64: string
  readonly payload: Buffer
  /** Unix seconds; with Fulcio it must fall inside the certificates' validity. */
  readonly integratedTime: number
  readonly logIndex: number
}

/**
 * The `dev.sigstore.cosign/bundle` annotation: a hashedrekord v0.0.1 entry for
 * the signature, and a SignedEntryTimestamp, i.e. the Rekor key's signature
 * over the canonical JSON of the entry payload.
 */
export function rekorBundle(entry: RekorEntry): string {
  const body = {
    apiVersion: '0.0.1',
    kind: 'hashedrekord',
    spec: {
      data: { hash: { algorithm: 'sha256', value: sha256(entry.payload).slice('sha256:'.length) } },
      signature: {
        content: entry.signatureBase64,
        publicKey: { content: Buffer.from(entry.signerPem, 'utf8').toString('base64') },
      },
    },
  }
  const logKey = createPublicKey(entry.rekorPrivateKeyPem).export({ type: 'spki', format: 'der' })
  const payload = {
    body: Buffer.from(JSON.stringify(body), 'utf8').toString('base64'),
    integratedTime: entry.integratedTime,
    logID: sha256(logKey).slice('sha256:'.length),
    logIndex: entry.logIndex,
  }
  const set = sign('sha256', Buffer.from(canonicalJson(payload), 'utf8'), entry.rekorPrivateKeyPem)
  return JSON.stringify({ SignedEntryTimestamp: set.toString('base64'), Payload: payload })
}

/** The same bundle with its entry changed after signing (integratedTime + 1): the SET no longer verifies. */
export function tamperBundle(bundle: string): string {
  const parsed = JSON.parse(bundle) as { SignedEntryTimestamp: string; Payload: { integratedTime: number } }
  parsed.Payload.integratedTime += 1
  return JSON.stringify(parsed)
}

/** The tag containers/image and cosign look up: sha256-<hex>.sig */
export function attachmentTag(manifestDigest: string): string {
  return `${manifestDigest.replace(':', '-')}.sig`
}

/** Pushes the signature attachment for the image `manifestDigest` in `repo` (replacing any earlier one). */
export async function pushAttachment(host: string, repo: string, manifestDigest: string, layers: readonly SignatureLayer[]): Promise<void> {
  const blobs = layers.map((l) => blob(l.payload))
  const config = blob(
    JSON.stringify({
      architecture: '',
      config: {},
      created: '0001-01-01T00:00:00Z',
      history: [{ created: '0001-01-01T00:00:00Z' }],
      os: '',
      rootfs: { type: 'layers', diff_ids: blobs.map((b) => b.digest) },
    }),
  )
  for (const b of [config, ...blobs]) await pushBlob(host, repo, b)
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: config.digest, size: config.bytes.length },
      layers: layers.map((l, i) => ({
        mediaType: SIMPLESIGNING,
        digest: blobs[i]?.digest,
        size: blobs[i]?.bytes.length,
        annotations: l.annotations,
      })),
    }),
  )
  await putManifest(host, repo, attachmentTag(manifestDigest), manifest)
}
