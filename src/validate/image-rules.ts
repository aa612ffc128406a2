// Validate stage: the Image config (`images.config.openshift.io`, openshift-api.md §8)
// beyond its structural schema: the CRD's allowed/blocked union rule, the list-type
// set of the search registries, and each registry entry in the form MCO accepts
// (mco-rendering.md §6). Pure; never throws.

import { checkIssue, MSG, quote, type CheckIssue, type Path } from './check-issue.ts'
import { setFindings } from './structural.ts'
import { goQuote } from '../upstream/go-strconv.ts'
import { isValidRegistriesConfScope, matchesSourcePattern } from '../upstream/registries-patterns.ts'
import { isObject } from '../is-object.ts'

export const REGISTRY_UNION_MESSAGE = 'Only one of blockedRegistries or allowedRegistries may be set'

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
export function imageCelFindings(image: Record<string, unknown>): CheckIssue[] {
  const sources = registrySources(image)
  if (sources === undefined) return []
  const has = (key: string): boolean => Object.hasOwn(sources, key) && sources[key] !== null && sources[key] !== undefined
  return has('blockedRegistries') && has('allowedRegistries') ? [checkIssue('rule', 'cel', SOURCES_AT, MSG.rule('object', REGISTRY_UNION_MESSAGE))] : []
}

/** `x-kubernetes-list-type: set` on `containerRuntimeSearchRegistries`. */
export function imageSetFindings(image: Record<string, unknown>): CheckIssue[] {
  const sources = registrySources(image)
  return sources === undefined ? [] : setFindings(sources['containerRuntimeSearchRegistries'], [...SOURCES_AT, 'containerRuntimeSearchRegistries'])
}

/** The message of the per-entry CEL rule on the three registry lists (4.23 and later). */
export const REGISTRY_ENTRY_MESSAGE = 'each registry must be a valid hostname[:port][/path] or wildcard *.hostname format without tags or digests'

/**
 * The CRD's rule (`x-kubernetes-validations` on each item of allowedRegistries,
 * blockedRegistries and insecureRegistries; openshift/api `2a3d739`,
 * `config/v1/types_image.go` `RegistrySources`), verbatim. CEL runs it with RE2, in
 * linear time; in JavaScript's backtracking engine `[-]*` inside the repeated path
 * group is exponential (`h/`, 24 letters and a `!` take 175 ms; the 256 characters
 * the API allows never finish). It is the same pattern as MCO's `sourceRegex` for
 * mirror sources, so we match with that one, written with `[-]+` (same language,
 * see src/resolve/registries-conf.ts); test/image-rules.test.ts checks the two agree
 * on 20,000 short seeded strings, where the verbatim pattern is still fast.
 */
export const REGISTRY_ENTRY_PATTERN =
  '^\\*(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))+$|^((?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))+)?(?::[0-9]+)?)(?:(?:/[a-z0-9]+(?:(?:(?:[._]|__|[-]*)[a-z0-9]+)+)?)+)?$'

/** Whether one registry entry passes the 4.23+ CEL rule (REGISTRY_ENTRY_PATTERN). */
export function isValidRegistryEntry(entry: string): boolean {
  return matchesSourcePattern(entry)
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
export function imageEntryCelFindings(image: Record<string, unknown>, rules: ImageApiRules): CheckIssue[] {
  if (rules === 'through-4.22') return []
  const sources = registrySources(image)
  if (sources === undefined) return []
  const out: CheckIssue[] = []
  for (const key of RULE_LISTS) {
    const list = sources[key]
    if (!Array.isArray(list)) continue
    list.forEach((entry, i) => {
      if (typeof entry === 'string' && !isValidRegistryEntry(entry)) out.push(checkIssue('rule', 'cel', [...SOURCES_AT, key, i], MSG.rule('string', REGISTRY_ENTRY_MESSAGE)))
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
export function imageEntryFindings(image: Record<string, unknown>): CheckIssue[] {
  const sources = registrySources(image)
  if (sources === undefined) return []
  const out: CheckIssue[] = []
  for (const [key, word] of ENTRY_LISTS) {
    const list = sources[key]
    if (!Array.isArray(list)) continue
    list.forEach((entry, i) => {
      if (typeof entry === 'string' && !isValidRegistriesConfScope(entry)) {
        out.push(checkIssue('rule', 'registries', [...SOURCES_AT, key, i], `invalid entry for ${word} registries ${entry.length > 256 ? quote(entry) : goQuote(entry)}`))
      }
    })
  }
  return out
}
