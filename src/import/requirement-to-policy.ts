// Import stage: one `sigstoreSigned` requirement → the `spec.policy` of a
// ClusterImagePolicy/ImagePolicy that renders to it: the inverse of
// render/requirement.ts (MCO's `policyItemFromSpec`). Pure; no I/O.
//
// What a CR cannot say is returned as reasons, one per field, never dropped:
// key or CA files on the node (`keyPath`, `caPath`, …: reported with the path,
// so the user can supply the data), several keys (`keyPaths`, `keyDatas`, …:
// any one of them may sign, while a CR names one), identity rules without a
// CR match policy (`matchExact`, `exactReference`), and unknown fields.

import { isObject } from '../is-object.ts'
import type { SigstorePolicy } from '../model.ts'
import { resolveRequirement } from '../resolve/requirement.ts'
import { canonicalRequirement, type RawRequirement } from './policy-file.ts'

export type Inverted = { readonly policy: SigstorePolicy } | { readonly reasons: readonly string[] }

const ON_NODE = 'a file on the node: give its contents (base64 of the PEM) as'
const SEVERAL = 'several keys, any one of which may sign: a ClusterImagePolicy or ImagePolicy names one; split it into one requirement per key'

const TOP_FIELDS = new Set(['type', 'keyPath', 'keyPaths', 'keyData', 'keyDatas', 'fulcio', 'rekorPublicKeyPath', 'rekorPublicKeyPaths', 'rekorPublicKeyData', 'rekorPublicKeyDatas', 'pki', 'signedIdentity'])

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined
}

/** `fields` without those that are undefined (absent from the CR), in their order. */
function defined<K extends string>(fields: Readonly<Record<K, string | undefined>>): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {}
  for (const key of Object.keys(fields) as K[]) if (fields[key] !== undefined) out[key] = fields[key]
  return out
}

/**
 * What a key source block (`fulcio`, `pki`) holds that a CR cannot: a file on the
 * node (`onNode`: its field → the CR field under rootOfTrust to give its contents
 * in) or a field other than the `known` ones.
 */
function blockReasons(block: Record<string, unknown>, name: string, known: readonly string[], onNode: Readonly<Record<string, string>>): string[] {
  const reasons: string[] = []
  for (const key of Object.keys(block)) {
    const field = Object.hasOwn(onNode, key) ? onNode[key] : undefined
    if (field !== undefined) reasons.push(`${name}.${key} ${JSON.stringify(block[key])} is ${ON_NODE} rootOfTrust.${field}`)
    else if (!known.includes(key)) reasons.push(`field ${name}.${key} has no CR equivalent`)
  }
  return reasons
}

/** Why a requirement of another type cannot be a CR (insecureAcceptAnything and reject are the Image config's; the caller handles them). */
export function typeReason(type: string): string {
  switch (type) {
    case 'signedBy':
      return 'signedBy (GPG/simple signing) has no ClusterImagePolicy or ImagePolicy equivalent: they verify sigstore signatures only'
    case 'signedBaseLayer':
      return 'signedBaseLayer has no ClusterImagePolicy or ImagePolicy equivalent'
    default:
      return `requirement type ${JSON.stringify(type)} has no ClusterImagePolicy or ImagePolicy equivalent`
  }
}

export function invertRequirement(req: RawRequirement): Inverted {
  const type = String(req['type'])
  if (type !== 'sigstoreSigned') return { reasons: [typeReason(type)] }
  const reasons: string[] = []
  for (const key of Object.keys(req)) if (!TOP_FIELDS.has(key)) reasons.push(`field ${JSON.stringify(key)} is unknown to containers/image and has no CR equivalent`)
  const keyPath = str(req['keyPath'])
  if (keyPath !== undefined) reasons.push(`keyPath ${JSON.stringify(keyPath)} is ${ON_NODE} rootOfTrust.publicKey.keyData`)
  if (req['keyPaths'] !== undefined) reasons.push(`keyPaths ${JSON.stringify(req['keyPaths'])}: ${SEVERAL}`)
  if (req['keyDatas'] !== undefined) reasons.push(`keyDatas: ${SEVERAL}`)
  const rekorPath = str(req['rekorPublicKeyPath'])
  if (rekorPath !== undefined) reasons.push(`rekorPublicKeyPath ${JSON.stringify(rekorPath)} is ${ON_NODE} the rekorKeyData of the root of trust`)
  if (req['rekorPublicKeyPaths'] !== undefined) reasons.push(`rekorPublicKeyPaths ${JSON.stringify(req['rekorPublicKeyPaths'])}: several Rekor keys; a CR names one`)
  if (req['rekorPublicKeyDatas'] !== undefined) reasons.push('rekorPublicKeyDatas: several Rekor keys; a CR names one')

  const rekorKeyData = str(req['rekorPublicKeyData'])
  let rootOfTrust: SigstorePolicy['rootOfTrust'] | undefined
  const keyData = str(req['keyData'])
  const fulcio = req['fulcio']
  const pki = req['pki']
  if (keyData !== undefined) {
    rootOfTrust = { policyType: 'PublicKey', publicKey: { keyData, ...defined({ rekorKeyData }) } }
  } else if (isObject(fulcio)) {
    reasons.push(...blockReasons(fulcio, 'fulcio', ['caData', 'oidcIssuer', 'subjectEmail'], { caPath: 'fulcioCAWithRekor.fulcioCAData' }))
    rootOfTrust = {
      policyType: 'FulcioCAWithRekor',
      fulcioCAWithRekor: {
        ...defined({ fulcioCAData: str(fulcio['caData']), rekorKeyData }),
        fulcioSubject: defined({ oidcIssuer: str(fulcio['oidcIssuer']), signedEmail: str(fulcio['subjectEmail']) }),
      },
    }
  } else if (isObject(pki)) {
    reasons.push(
      ...blockReasons(pki, 'pki', ['caRootsData', 'caIntermediatesData', 'subjectEmail', 'subjectHostname'], {
        caRootsPath: 'pki.caRootsData',
        caIntermediatesPath: 'pki.caIntermediatesData',
      }),
    )
    rootOfTrust = {
      policyType: 'PKI',
      pki: {
        ...defined({ caRootsData: str(pki['caRootsData']), caIntermediatesData: str(pki['caIntermediatesData']) }),
        pkiCertificateSubject: defined({ email: str(pki['subjectEmail']), hostname: str(pki['subjectHostname']) }),
      },
    }
  } else if (reasons.length === 0) {
    reasons.push('no key source: exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio, and pki must be specified')
  }

  let signedIdentity: SigstorePolicy['signedIdentity'] | undefined
  const si = req['signedIdentity']
  if (si !== undefined) {
    if (!isObject(si)) {
      reasons.push('signedIdentity is not an object')
    } else {
      switch (si['type']) {
        case 'matchRepoDigestOrExact':
          // What MCO renders when signedIdentity is left out: the shortest CR.
          break
        case 'matchRepository':
          signedIdentity = { matchPolicy: 'MatchRepository' }
          break
        case 'exactRepository':
          signedIdentity = { matchPolicy: 'ExactRepository', exactRepository: { repository: String(si['dockerRepository'] ?? '') } }
          break
        case 'remapIdentity':
          signedIdentity = { matchPolicy: 'RemapIdentity', remapIdentity: { prefix: String(si['prefix'] ?? ''), signedPrefix: String(si['signedPrefix'] ?? '') } }
          break
        default:
          reasons.push(`signedIdentity type ${JSON.stringify(si['type'])} has no CR match policy (MatchRepoDigestOrExact, MatchRepository, ExactRepository, RemapIdentity)`)
      }
    }
  }
  if (reasons.length > 0 || rootOfTrust === undefined) return { reasons }
  const policy: SigstorePolicy = { rootOfTrust, ...(signedIdentity !== undefined ? { signedIdentity } : {}) }
  // The proof: the CR renders back to the same requirement, or it is not the inverse.
  const rendered = resolveRequirement(policy)
  if ('issue' in rendered) return { reasons: [`MCO would refuse it: ${rendered.issue.message}`] }
  if (canonicalRequirement(rendered.value as RawRequirement) !== canonicalRequirement(req)) {
    return { reasons: ['it has fields or values a CR cannot reproduce (MCO would render it differently)'] }
  }
  return { policy }
}

/** The `spec.policy` of a CR, as YAML-ready plain data. */
export function policySpec(policy: SigstorePolicy): Record<string, unknown> {
  return JSON.parse(JSON.stringify(policy)) as Record<string, unknown>
}
