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
