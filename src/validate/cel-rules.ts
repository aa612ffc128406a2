// Validate stage: every x-kubernetes-validations (CEL) rule of the ImagePolicy and
// ClusterImagePolicy CRDs, hand-written, for v1 and v1alpha1 (openshift-api.md §3.1,
// §4, §7). The rule IDs (S1, U2, K1, …) are those of openshift-api.md. Only run
// when the structural schema found no blocking error, as the API server does.
// Pure; linear time on every input; never throws.

import { isRequestURI } from '../upstream/go-url.ts'
import { checkIssue, MSG, type CheckIssue, type Path } from './check-issue.ts'
import { goDecodeBase64 } from '../upstream/go-base64.ts'
import { isDns1123Subdomain } from '../upstream/dns1123.ts'
import { isObject } from '../is-object.ts'

export type PolicyVersion = 'v1' | 'v1alpha1'

/** The CRD messages, word for word; the two versions differ in three of them. */
export const CEL_MESSAGES = {
  S1: "invalid image scope format, scope must contain a fully qualified domain name or 'localhost'",
  S2: 'invalid image scope with wildcard, a wildcard can only be at the start of the domain and is only supported for subdomain matching, not path matching',
  S3: 'invalid repository namespace or image specification in the image scope',
  U1: 'pki is required when policyType is PKI, and forbidden otherwise',
  U2: 'publicKey is required when policyType is PublicKey, and forbidden otherwise',
  U3: 'fulcioCAWithRekor is required when policyType is FulcioCAWithRekor, and forbidden otherwise',
  I1: 'exactRepository is required when matchPolicy is ExactRepository, and forbidden otherwise',
  I2: 'remapIdentity is required when matchPolicy is RemapIdentity, and forbidden otherwise',
  Q1: 'invalid repository or prefix in the signedIdentity, should not include the tag or digest',
  Q2: {
    v1: "invalid repository or prefix in the signedIdentity. The repository or prefix must starts with 'localhost' or a valid '.' separated domain. If contains registry paths, the path component names must start with at least one letter or number, with following parts able to be separated by one period, one or two underscore and multiple dashes.",
    v1alpha1: 'invalid repository or prefix in the signedIdentity',
  },
  O1: 'oidcIssuer must be a valid URL',
  E1: 'invalid email address',
  E2: { v1: 'invalid email address', v1alpha1: 'invalid email address in pkiCertificateSubject' },
  P1: 'at least one of email or hostname must be set in pkiCertificateSubject',
  H1: {
    v1: "hostname must be a valid dns 1123 subdomain name, optionally prefixed by '*.'. It must consist only of lowercase alphanumeric characters, hyphens, periods and the optional preceding asterisk.",
    v1alpha1:
      "hostname should be a valid dns 1123 subdomain name, optionally prefixed by '*.'. It should consist only of lowercase alphanumeric characters, hyphens, periods and the optional preceding asterisk.",
  },
  /** K1/K2, R1/R2, F1/F2, C1/C2 (field name and PEM type vary). */
  start: (field: string, type: PemType): string => `the ${field} must start with base64 encoding of '-----BEGIN ${type}-----'.`,
  end: (field: string, type: PemType): string => `the ${field} must end with base64 encoding of '-----END ${type}-----'.`,
  /** C3. */
  balanced: (field: string): string =>
    `${field} must be base64 encoding of valid PEM format data contain the same number of '-----BEGIN CERTIFICATE-----' and '-----END CERTIFICATE-----' markers.`,
} as const

export type PemType = 'PUBLIC KEY' | 'CERTIFICATE'

// Regexes of the CRD, translated from RE2. `[-]*` between path components is written
// `[-]+`: an empty separator only joins two alphanumeric runs, which `[a-z0-9]+`
// already matches, so the language is the same, but `[-]*` makes JavaScript's
// backtracking engine exponential on near-misses (RE2 does not backtrack).
// `[[:xdigit:]]` is `[0-9A-Fa-f]`; `\w` is ASCII-only in both engines without the `u` flag.
const LABEL = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
const PATH = '(?:(?:/[a-z0-9]+(?:(?:(?:[._]|__|[-]+)[a-z0-9]+)+)?)+)?'
const HOST = `(?:(?:${LABEL}(?:\\.${LABEL})+(?::[0-9]+)?)|(?:localhost(?::[0-9]+)?))`
const S2_RE = new RegExp(`^\\*(?:\\.${LABEL})+$`)
const S3_RE = new RegExp(
  `^${HOST}${PATH}(?::(?:[\\w][\\w.-]{0,127}))?(?:@(?:[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}))?$`,
)
/** Q1's `.*:([\w][\w.-]{0,127})$`: unanchored at the start, so a search for the tail. */
const Q1_TAG_RE = /:[\w][\w.-]{0,127}$/
const Q1_LOCALHOST_RE = /^localhost:[0-9]+$/
const Q2_RE = new RegExp(`^${HOST}${PATH}$`)

/** S1–S3 on one scope; returns the IDs of the rules it breaks. */
export function scopeRuleIds(scope: string): ('S1' | 'S2' | 'S3')[] {
  const out: ('S1' | 'S2' | 'S3')[] = []
  // S1: size(self.split('/')[0].split('.')) == 1 ? self.split('/')[0].split('.')[0].split(':')[0] == 'localhost' : true
  const host = scope.split('/', 1)[0] ?? ''
  if (!host.includes('.') && host.split(':', 1)[0] !== 'localhost') out.push('S1')
  if (scope.includes('*')) {
    if (!S2_RE.test(scope)) out.push('S2')
  } else if (!S3_RE.test(scope)) {
    out.push('S3')
  }
  return out
}

/** Q1 and Q2 on a signedIdentity repository or prefix. */
export function identityRuleIds(value: string): ('Q1' | 'Q2')[] {
  const out: ('Q1' | 'Q2')[] = []
  if (Q1_TAG_RE.test(value) && !Q1_LOCALHOST_RE.test(value)) out.push('Q1')
  if (!Q2_RE.test(value)) out.push('Q2')
  return out
}

/** RE2's `\s` is `[\t\n\f\r ]` (JavaScript's also matches \v and Unicode spaces). */
function isRe2Space(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\f' || c === '\r'
}

/** `self.matches('^\\S+@\\S+$')`, as a loop: no whitespace, and an `@` neither first nor last. */
export function isEmailLike(s: string): boolean {
  let at = false
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!
    if (isRe2Space(c)) return false
    if (c === '@' && i > 0 && i < s.length - 1) at = true
  }
  return at
}

/** H1: `self.startsWith('*.') ? dns1123Subdomain(self.replace('*.', '', 1)) : dns1123Subdomain(self)`. */
export function isPkiHostname(s: string): boolean {
  return isDns1123Subdomain(s.startsWith('*.') ? s.slice(2) : s)
}

/**
 * How CEL sees a `format: byte` field: the server decodes it with kube-openapi's
 * `strfmt.Base64`, which uses Go's *URL-safe* alphabet (`base64.URLEncoding`;
 * kubernetes/kube-openapi#633), then `string(self)` needs valid UTF-8. Either
 * failure makes every rule on the field an evaluation error.
 */
export function celBytesAsString(value: string): { readonly text: string } | { readonly error: string } {
  // Swap the alphabets so Go's standard decoder (\r and \n skipped, padding required)
  // answers for the URL one; `+` and `/` become a character neither alphabet has.
  const swapped = value.replace(/[-_+/]/g, (c) => ({ '-': '+', _: '/', '+': '!', '/': '!' })[c] ?? c)
  const decoded = goDecodeBase64(swapped)
  if ('error' in decoded) return { error: `Invalid byte formatted string ${value.length > 64 ? `${value.slice(0, 64)}...` : value}: ${decoded.error}` }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(decoded.bytes) }
  } catch {
    return { error: 'invalid UTF-8 in bytes, cannot convert to string' }
  }
}

function countOf(text: string, marker: string): number {
  return text.split(marker).length - 1
}

/** The marker rules of one byte field (K, R, F or C family). */
function byteFieldRules(value: unknown, path: Path, field: string, type: PemType, balanced: boolean): CheckIssue[] {
  if (typeof value !== 'string') return []
  const messages = [CEL_MESSAGES.start(field, type), CEL_MESSAGES.end(field, type), ...(balanced ? [CEL_MESSAGES.balanced(field)] : [])]
  const seen = celBytesAsString(value)
  if ('error' in seen) return messages.map((m) => checkIssue('rule', 'cel', path, MSG.rule('string', `${seen.error} evaluating rule: ${m}`)))
  const text = seen.text
  const begin = `-----BEGIN ${type}-----`
  const end = `-----END ${type}-----`
  const out: CheckIssue[] = []
  if (!text.startsWith(begin)) out.push(checkIssue('rule', 'cel', path, MSG.rule('string', messages[0]!)))
  if (!(text.endsWith(`${end}\n`) || text.endsWith(end))) out.push(checkIssue('rule', 'cel', path, MSG.rule('string', messages[1]!)))
  if (balanced && countOf(text, '-----BEGIN CERTIFICATE-----') !== countOf(text, '-----END CERTIFICATE-----')) {
    out.push(checkIssue('rule', 'cel', path, MSG.rule('string', messages[2]!)))
  }
  return out
}

/** CEL `has(self.x)` on a pruned object: present and not null. */
function has(o: Record<string, unknown>, key: string): boolean {
  return Object.hasOwn(o, key) && o[key] !== null && o[key] !== undefined
}

function child(o: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  const v = has(o, key) ? o[key] : undefined
  return isObject(v) ? v : undefined
}

/** A discriminated union's members: the discriminant's value, the field it requires (and no other value allows), the rule's message. */
type Union = readonly (readonly [value: string, field: string, message: string])[]

/** `rootOfTrust` by `policyType` (U1–U3, in the CRD's order). */
const ROOT_UNIONS: Union = [
  ['PKI', 'pki', CEL_MESSAGES.U1],
  ['PublicKey', 'publicKey', CEL_MESSAGES.U2],
  ['FulcioCAWithRekor', 'fulcioCAWithRekor', CEL_MESSAGES.U3],
]

/** `signedIdentity` by `matchPolicy` (I1, I2). */
const IDENTITY_UNIONS: Union = [
  ['ExactRepository', 'exactRepository', CEL_MESSAGES.I1],
  ['RemapIdentity', 'remapIdentity', CEL_MESSAGES.I2],
]

/** `cond ? has(self.field) : !has(self.field)` for each member — the union rules U1–U3, I1, I2. */
function unionRules(o: Record<string, unknown>, discriminant: string, union: Union, path: Path): CheckIssue[] {
  const out: CheckIssue[] = []
  for (const [value, field, message] of union) {
    const selected = has(o, discriminant) && o[discriminant] === value
    if (selected !== has(o, field)) out.push(checkIssue('rule', 'cel', path, MSG.rule('object', message)))
  }
  return out
}

/**
 * Every CEL rule of a policy `spec` (already null-pruned, with no blocking schema
 * error). `at` is the spec's path (`['spec']`).
 */
export function policyCelFindings(spec: Record<string, unknown>, version: PolicyVersion, at: Path = ['spec']): CheckIssue[] {
  const out: CheckIssue[] = []
  const v1 = version === 'v1'

  const scopes = has(spec, 'scopes') ? spec['scopes'] : undefined
  if (Array.isArray(scopes)) {
    scopes.forEach((scope, i) => {
      if (typeof scope !== 'string') return
      for (const id of scopeRuleIds(scope)) out.push(checkIssue('rule', 'cel', [...at, 'scopes', i], MSG.rule('string', CEL_MESSAGES[id])))
    })
  }

  const policy = child(spec, 'policy')
  if (policy === undefined) return out
  const policyAt = [...at, 'policy']

  const root = child(policy, 'rootOfTrust')
  if (root !== undefined) {
    const rootAt = [...policyAt, 'rootOfTrust']
    out.push(...unionRules(root, 'policyType', ROOT_UNIONS, rootAt))
    /** The byte-field rules of `obj[field]`, at `objAt`. */
    const bytes = (obj: Record<string, unknown>, objAt: Path, field: string, type: PemType, balanced: boolean): CheckIssue[] =>
      byteFieldRules(obj[field], [...objAt, field], field, type, balanced)
    /** A string field's CEL rule: the finding when `obj[field]` is a string `ok` refuses. */
    const stringRule = (obj: Record<string, unknown>, objAt: Path, field: string, ok: (v: string) => boolean, message: string): CheckIssue[] => {
      const v = obj[field]
      return typeof v === 'string' && !ok(v) ? [checkIssue('rule', 'cel', [...objAt, field], MSG.rule('string', message))] : []
    }
    const publicKey = child(root, 'publicKey')
    if (publicKey !== undefined && v1) {
      const p = [...rootAt, 'publicKey']
      out.push(...bytes(publicKey, p, 'keyData', 'PUBLIC KEY', false), ...bytes(publicKey, p, 'rekorKeyData', 'PUBLIC KEY', false))
    }
    const fulcio = child(root, 'fulcioCAWithRekor')
    if (fulcio !== undefined) {
      const f = [...rootAt, 'fulcioCAWithRekor']
      if (v1) out.push(...bytes(fulcio, f, 'fulcioCAData', 'CERTIFICATE', false), ...bytes(fulcio, f, 'rekorKeyData', 'PUBLIC KEY', false))
      const subject = child(fulcio, 'fulcioSubject')
      if (subject !== undefined) {
        const s = [...f, 'fulcioSubject']
        out.push(...stringRule(subject, s, 'oidcIssuer', isRequestURI, CEL_MESSAGES.O1), ...stringRule(subject, s, 'signedEmail', isEmailLike, CEL_MESSAGES.E1))
      }
    }
    const pki = child(root, 'pki')
    if (pki !== undefined) {
      const k = [...rootAt, 'pki']
      out.push(...bytes(pki, k, 'caRootsData', 'CERTIFICATE', true), ...bytes(pki, k, 'caIntermediatesData', 'CERTIFICATE', true))
      const subject = child(pki, 'pkiCertificateSubject')
      if (subject !== undefined) {
        const s = [...k, 'pkiCertificateSubject']
        if (!has(subject, 'email') && !has(subject, 'hostname')) out.push(checkIssue('rule', 'cel', s, MSG.rule('object', CEL_MESSAGES.P1)))
        out.push(...stringRule(subject, s, 'email', isEmailLike, CEL_MESSAGES.E2[version]), ...stringRule(subject, s, 'hostname', isPkiHostname, CEL_MESSAGES.H1[version]))
      }
    }
  }

  const identity = child(policy, 'signedIdentity')
  if (identity !== undefined) {
    const idAt = [...policyAt, 'signedIdentity']
    out.push(...unionRules(identity, 'matchPolicy', IDENTITY_UNIONS, idAt))
    const repositoryRules = (value: unknown, path: Path): void => {
      if (typeof value !== 'string') return
      for (const id of identityRuleIds(value)) out.push(checkIssue('rule', 'cel', path, MSG.rule('string', id === 'Q1' ? CEL_MESSAGES.Q1 : CEL_MESSAGES.Q2[version])))
    }
    const exact = child(identity, 'exactRepository')
    if (exact !== undefined) repositoryRules(exact['repository'], [...idAt, 'exactRepository', 'repository'])
    const remap = child(identity, 'remapIdentity')
    if (remap !== undefined) {
      repositoryRules(remap['prefix'], [...idAt, 'remapIdentity', 'prefix'])
      repositoryRules(remap['signedPrefix'], [...idAt, 'remapIdentity', 'signedPrefix'])
    }
  }
  return out
}
