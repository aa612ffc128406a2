// Validate stage: the Image config (`images.config.openshift.io`, openshift-api.md §8)
// beyond its structural schema: the CRD's allowed/blocked union rule, the list-type
// set of the search registries, and each registry entry in the form MCO accepts
// (mco-rendering.md §6). Pure; never throws.

import { finding, MSG, quote, type Finding, type Path } from './findings.ts'
import { setFindings } from './structural.ts'
import { goQuote, isValidRegistriesConfScope } from '../render/registries-conf.ts'

export const REGISTRY_UNION_MESSAGE = 'Only one of blockedRegistries or allowedRegistries may be set'

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** `spec.registrySources` of a (null-pruned) Image. */
function registrySources(image: Record<string, unknown>): Record<string, unknown> | undefined {
  const spec = image['spec']
  const sources = isObject(spec) ? spec['registrySources'] : undefined
  return isObject(sources) ? sources : undefined
}

const SOURCES_AT: Path = ['spec', 'registrySources']

/**
 * The CEL rule on `registrySources` (since 4.18):
 * `has(self.blockedRegistries) ? !has(self.allowedRegistries) : true`. MCO's own
 * check is narrower (it lets allowed be exactly the payload repository) and is
 * reported by the renderer in MCO's words; this is the API server's.
 */
export function imageCelFindings(image: Record<string, unknown>): Finding[] {
  const sources = registrySources(image)
  if (sources === undefined) return []
  const has = (key: string): boolean => Object.hasOwn(sources, key) && sources[key] !== null && sources[key] !== undefined
  return has('blockedRegistries') && has('allowedRegistries') ? [finding('rule', 'cel', SOURCES_AT, MSG.rule('object', REGISTRY_UNION_MESSAGE))] : []
}

/** `x-kubernetes-list-type: set` on `containerRuntimeSearchRegistries`. */
export function imageSetFindings(image: Record<string, unknown>): Finding[] {
  const sources = registrySources(image)
  return sources === undefined ? [] : setFindings(sources['containerRuntimeSearchRegistries'], [...SOURCES_AT, 'containerRuntimeSearchRegistries'])
}

/** The message of the per-entry CEL rule on the three registry lists (4.23 and later). */
export const REGISTRY_ENTRY_MESSAGE = 'each registry must be a valid hostname[:port][/path] or wildcard *.hostname format without tags or digests'

/**
 * The CRD's rule (`x-kubernetes-validations` on each item of allowedRegistries,
 * blockedRegistries and insecureRegistries; openshift/api `2a3d739`,
 * `config/v1/types_image.go` `RegistrySources`):
 *
 *     ^\*(?:\.(?:LABEL))+$|^((?:LABEL)(?:(?:\.(?:LABEL))+)?(?::[0-9]+)?)(?:(?:/[a-z0-9]+(?:(?:(?:[._]|__|[-]*)[a-z0-9]+)+)?)+)?$
 *     LABEL = [a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
 *
 * CEL evaluates it with RE2, in linear time. The same pattern in a backtracking
 * engine is exponential in the path part (`[-]*` may be empty inside a repeated
 * group): `h/` and 24 letters and a `!` take 175 ms in V8, and the 256 characters the
 * API allows never finish. Repository content is untrusted, so the language is
 * matched here by a linear scan instead; test/image-rules.test.ts checks it against
 * the regex on thousands of short seeded strings.
 */
export const REGISTRY_ENTRY_PATTERN =
  '^\\*(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))+$|^((?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))+)?(?::[0-9]+)?)(?:(?:/[a-z0-9]+(?:(?:(?:[._]|__|[-]*)[a-z0-9]+)+)?)+)?$'

const isDigit = (c: number): boolean => c >= 48 && c <= 57
const isLower = (c: number): boolean => c >= 97 && c <= 122
const isAlnum = (c: number): boolean => isDigit(c) || isLower(c) || (c >= 65 && c <= 90)
const HYPHEN = 45
const DOT = 46

/** LABEL: alphanumerics and hyphens, neither first nor last a hyphen. */
function isLabel(s: string): boolean {
  if (s.length === 0) return false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (!(isAlnum(c) || c === HYPHEN)) return false
  }
  return s.charCodeAt(0) !== HYPHEN && s.charCodeAt(s.length - 1) !== HYPHEN
}

/**
 * A path component `[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*`: lowercase
 * alphanumerics, starting and ending with one, where every run of other characters
 * is exactly `.`, `_`, `__` or one or more `-` (the empty separator only joins
 * alphanumerics).
 */
function isPathComponent(s: string): boolean {
  if (s.length === 0) return false
  let i = 0
  while (i < s.length) {
    const c = s.charCodeAt(i)
    if (isDigit(c) || isLower(c)) {
      i++
      continue
    }
    if (i === 0) return false
    let j = i
    while (j < s.length && !(isDigit(s.charCodeAt(j)) || isLower(s.charCodeAt(j)))) j++
    if (j === s.length) return false
    const run = s.slice(i, j)
    if (!(run === '.' || run === '_' || run === '__' || /^-+$/.test(run))) return false
    i = j
  }
  return true
}

/** Whether one registry entry passes the 4.23+ CEL rule (REGISTRY_ENTRY_PATTERN), in linear time. */
export function isValidRegistryEntry(entry: string): boolean {
  if (entry.startsWith('*')) {
    // First alternative: `*` then one or more `.LABEL`. (The second cannot start with `*`.)
    const rest = entry.slice(1)
    if (rest.length === 0 || rest.charCodeAt(0) !== DOT) return false
    return rest.slice(1).split('.').every(isLabel)
  }
  const slash = entry.indexOf('/')
  const authority = slash === -1 ? entry : entry.slice(0, slash)
  const colon = authority.indexOf(':')
  const host = colon === -1 ? authority : authority.slice(0, colon)
  if (!host.split('.').every(isLabel)) return false
  if (colon !== -1) {
    const port = authority.slice(colon + 1)
    if (port.length === 0) return false
    for (let i = 0; i < port.length; i++) if (!isDigit(port.charCodeAt(i))) return false
  }
  if (slash === -1) return true
  return entry.slice(slash + 1).split('/').every(isPathComponent)
}

/**
 * Which revision of the Image CRD's `registrySources` rules applies: up to 4.22 the
 * lists are free-form (MCO's own entry check is all there is); since 4.23/5.0 each
 * item has a length limit and the hostname CEL rule, and each list at most 1024 items.
 */
export type ImageApiRules = 'through-4.22' | 'since-4.23'

/** The rules of a target release (`latest`, or MAJOR.MINOR as read by the options). */
export function imageApiRulesOf(release: { readonly major: number; readonly minor: number } | 'latest'): ImageApiRules {
  if (release === 'latest' || release.major > 4 || release.minor >= 23) return 'since-4.23'
  return 'through-4.22'
}

const RULE_LISTS = ['allowedRegistries', 'blockedRegistries', 'insecureRegistries'] as const

/**
 * The per-entry CEL rule of 4.23 and later, one finding per failing entry, in the
 * API server's words (`<path>[i]: Invalid value: "string": <message>`). Runs on
 * every Image, as the API server does, whatever its name.
 */
export function imageEntryCelFindings(image: Record<string, unknown>, rules: ImageApiRules): Finding[] {
  if (rules === 'through-4.22') return []
  const sources = registrySources(image)
  if (sources === undefined) return []
  const out: Finding[] = []
  for (const key of RULE_LISTS) {
    const list = sources[key]
    if (!Array.isArray(list)) continue
    list.forEach((entry, i) => {
      if (typeof entry === 'string' && !isValidRegistryEntry(entry)) out.push(finding('rule', 'cel', [...SOURCES_AT, key, i], MSG.rule('string', REGISTRY_ENTRY_MESSAGE)))
    })
  }
  return out
}

const ENTRY_LISTS = [
  ['insecureRegistries', 'insecure'],
  ['blockedRegistries', 'blocked'],
  ['allowedRegistries', 'allowed'],
] as const

/**
 * Every allowed, blocked and insecure entry in the form MCO accepts
 * (`IsValidRegistriesConfScope`: non-empty; a `*` only as a leading `*.` with none
 * of `/@:*` after it), reported at the entry with MCO's words. MCO stops at the
 * first bad entry, and only on the paths that read it; this names all of them.
 */
export function imageEntryFindings(image: Record<string, unknown>): Finding[] {
  const sources = registrySources(image)
  if (sources === undefined) return []
  const out: Finding[] = []
  for (const [key, word] of ENTRY_LISTS) {
    const list = sources[key]
    if (!Array.isArray(list)) continue
    list.forEach((entry, i) => {
      if (typeof entry === 'string' && !isValidRegistriesConfScope(entry)) {
        out.push(finding('rule', 'registries', [...SOURCES_AT, key, i], `invalid entry for ${word} registries ${entry.length > 256 ? quote(entry) : goQuote(entry)}`))
      }
    })
  }
  return out
}
