// Validate stage: deeper than the API server. The CRD only checks the PEM markers of
// keys and certificates; here each one must really parse (node:crypto), because a
// policy whose key cannot be loaded makes every image in its scopes unpullable on
// the nodes. Certificate dates and CA constraints are advice (warnings). Pure
// (node:crypto parses in memory); never throws.

import { createPublicKey, X509Certificate } from 'node:crypto'
import { checkIssue, type CheckIssue, type Path } from './check-issue.ts'
import { goDecodeBase64 } from '../upstream/go-base64.ts'
import { isObject } from '../is-object.ts'

interface PemBlock {
  readonly type: string
  readonly text: string
}

const BEGIN = '-----BEGIN '
const DASHES = '-----'

/**
 * The PEM blocks of a text, in order, as Go's `pem.Decode` loop finds them: text
 * outside blocks is skipped. A BEGIN line without its END is reported as a block
 * of type `''`.
 */
export function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = []
  let from = 0
  for (;;) {
    const start = text.indexOf(BEGIN, from)
    if (start < 0) return out
    const typeEnd = text.indexOf(DASHES, start + BEGIN.length)
    if (typeEnd < 0) return [...out, { type: '', text: text.slice(start) }]
    const type = text.slice(start + BEGIN.length, typeEnd)
    const endMarker = `-----END ${type}-----`
    const end = text.indexOf(endMarker, typeEnd)
    if (end < 0) return [...out, { type: '', text: text.slice(start) }]
    out.push({ type, text: text.slice(start, end + endMarker.length) })
    from = end + endMarker.length
  }
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/** Go's `x509` parses these curves; containers/image's sigstore verifier takes any of them. */
const EC_CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1', 'secp224r1'])

function privateKeyFinding(path: Path, field: string, index: number, type: string): CheckIssue {
  return checkIssue(
    'rule',
    'content',
    path,
    `the ${field} holds a ${type} (PEM block ${index + 1}): a policy carries public material only; remove the private key from the manifest and rotate it`,
  )
}

/**
 * `keyData` / `rekorKeyData`: base64 of PEM public keys (`PUBLIC KEY`, or
 * `RSA PUBLIC KEY`, which containers/image also reads), each of a type sigstore
 * verifies with (RSA, ECDSA on a Go-supported curve, Ed25519).
 */
export function publicKeyFindings(value: string, path: Path, field: string): CheckIssue[] {
  return memoized(`k\0${field}\0${value}`, path, () => publicKeyFindingsUncached(value, path, field))
}

/**
 * Parsing keys and certificates is the costliest check, and big repositories
 * repeat the same few keys across thousands of policies: results are cached by
 * field and value (findings are data; only their path differs per use).
 */
const CACHE = new Map<string, { readonly path: Path; readonly findings: readonly CheckIssue[] }>()
const CACHE_LIMIT = 4096

function memoized(key: string, path: Path, compute: () => CheckIssue[]): CheckIssue[] {
  const hit = CACHE.get(key)
  if (hit !== undefined) {
    return hit.findings.map((f) => (f.path === hit.path ? { ...f, path } : f))
  }
  const findings = compute()
  if (CACHE.size >= CACHE_LIMIT) CACHE.clear()
  CACHE.set(key, { path, findings })
  return findings
}

function publicKeyFindingsUncached(value: string, path: Path, field: string): CheckIssue[] {
  const decoded = goDecodeBase64(value)
  if ('error' in decoded) return [checkIssue('rule', 'content', path, `the ${field} is not base64: ${decoded.error}`)]
  const blocks = pemBlocks(decoded.bytes.toString('utf8'))
  if (blocks.length === 0) return [checkIssue('rule', 'content', path, `the ${field} holds no PEM block: expected a PEM public key`)]
  const out: CheckIssue[] = []
  blocks.forEach((block, i) => {
    if (block.type.includes('PRIVATE KEY')) return out.push(privateKeyFinding(path, field, i, block.type))
    if (block.type !== 'PUBLIC KEY' && block.type !== 'RSA PUBLIC KEY') {
      return out.push(
        checkIssue('rule', 'content', path, `the ${field} PEM block ${i + 1} is ${block.type === '' ? 'not terminated' : `a ${block.type}`}: expected a PUBLIC KEY`),
      )
    }
    try {
      const key = createPublicKey({ key: block.text, format: 'pem' })
      const type = key.asymmetricKeyType ?? 'unknown'
      const curve = key.asymmetricKeyDetails?.namedCurve
      if (type === 'ec' && (curve === undefined || !EC_CURVES.has(curve))) {
        out.push(checkIssue('rule', 'content', path, `the ${field} PEM block ${i + 1} is an EC key on curve ${curve ?? 'unknown'}, which Go cannot load`))
      } else if (type !== 'rsa' && type !== 'ec' && type !== 'ed25519') {
        out.push(checkIssue('rule', 'content', path, `the ${field} PEM block ${i + 1} is a ${type} key: sigstore verifies with RSA, ECDSA or Ed25519 keys only`))
      }
    } catch (e) {
      out.push(checkIssue('rule', 'content', path, `the ${field} PEM block ${i + 1} is not a valid public key: ${reason(e)}`))
    }
    return undefined
  })
  return out
}

function describeCertificate(cert: X509Certificate, index: number): string {
  const subject = cert.subject.split('\n').filter((s) => s !== '').join(', ')
  return `certificate ${index + 1}${subject === '' ? '' : ` (${subject})`}`
}

/**
 * `fulcioCAData`, `caRootsData`, `caIntermediatesData`: base64 of PEM certificates,
 * every one parseable. All three anchor or extend a chain, so each should be a CA;
 * certificates outside their validity period at `now`, or without the CA basic
 * constraint, are warnings.
 */
export function certificateFindings(value: string, path: Path, field: string, now: Date): CheckIssue[] {
  return memoized(`c\0${field}\0${now.getTime()}\0${value}`, path, () => certificateFindingsUncached(value, path, field, now))
}

function certificateFindingsUncached(value: string, path: Path, field: string, now: Date): CheckIssue[] {
  const decoded = goDecodeBase64(value)
  if ('error' in decoded) return [checkIssue('rule', 'content', path, `the ${field} is not base64: ${decoded.error}`)]
  const blocks = pemBlocks(decoded.bytes.toString('utf8'))
  if (blocks.length === 0) return [checkIssue('rule', 'content', path, `the ${field} holds no PEM block: expected PEM certificates`)]
  const out: CheckIssue[] = []
  blocks.forEach((block, i) => {
    if (block.type.includes('PRIVATE KEY')) return out.push(privateKeyFinding(path, field, i, block.type))
    if (block.type !== 'CERTIFICATE') {
      return out.push(
        checkIssue('rule', 'content', path, `the ${field} PEM block ${i + 1} is ${block.type === '' ? 'not terminated' : `a ${block.type}`}: expected a CERTIFICATE`),
      )
    }
    let cert: X509Certificate
    try {
      cert = new X509Certificate(block.text)
    } catch (e) {
      return out.push(checkIssue('rule', 'content', path, `the ${field} certificate ${i + 1} does not parse: ${reason(e)}`))
    }
    const from = new Date(cert.validFrom)
    const to = new Date(cert.validTo)
    const name = `the ${field} ${describeCertificate(cert, i)}`
    if (!Number.isNaN(from.getTime()) && now < from) out.push(checkIssue('advice', 'content', path, `${name} is not valid before ${from.toISOString()}`))
    if (!Number.isNaN(to.getTime()) && now > to) out.push(checkIssue('advice', 'content', path, `${name} expired on ${to.toISOString()}`))
    if (!cert.ca) out.push(checkIssue('advice', 'content', path, `${name} is not a CA certificate (no basicConstraints CA:TRUE), so it cannot anchor a chain`))
    return undefined
  })
  return out
}

/**
 * The content checks of a policy spec. `skip(path)` says a field already has a
 * finding (format or marker rules), which makes parsing it pointless.
 */
export function policyContentFindings(spec: Record<string, unknown>, now: Date, skip: (path: Path) => boolean, at: Path = ['spec']): CheckIssue[] {
  const out: CheckIssue[] = []
  const policy = spec['policy']
  const root = isObject(policy) ? policy['rootOfTrust'] : undefined
  if (!isObject(root)) return out
  const rootAt = [...at, 'policy', 'rootOfTrust']
  const check = (parent: unknown, parentKey: string, key: string, kind: 'key' | 'cert'): void => {
    if (!isObject(parent)) return
    const value = parent[key]
    const path = [...rootAt, parentKey, key]
    if (typeof value !== 'string' || skip(path)) return
    out.push(...(kind === 'key' ? publicKeyFindings(value, path, key) : certificateFindings(value, path, key, now)))
  }
  check(root['publicKey'], 'publicKey', 'keyData', 'key')
  check(root['publicKey'], 'publicKey', 'rekorKeyData', 'key')
  check(root['fulcioCAWithRekor'], 'fulcioCAWithRekor', 'fulcioCAData', 'cert')
  check(root['fulcioCAWithRekor'], 'fulcioCAWithRekor', 'rekorKeyData', 'key')
  check(root['pki'], 'pki', 'caRootsData', 'cert')
  check(root['pki'], 'pki', 'caIntermediatesData', 'cert')
  return out
}
