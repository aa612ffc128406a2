// Resolve stage: the Image config's blocked/allowed registries after MCO's release
// payload protection (`getValidBlockedAndAllowedRegistries`, helpers.go;
// mco-rendering.md §6). Pure; no I/O; never throws on bad input.

import type { MirrorSets, RegistrySources, ResolvedRegistries } from '../model.ts'
import { type DockerReference, parseNamed, referenceName } from '../upstream/docker-reference.ts'
import {
  editRegistriesConfig,
  findRegistry,
  loadRegistriesConf,
  pullSourcesFromReference,
} from './registries-conf.ts'
import { goQuote, goQuoteList } from '../upstream/go-strconv.ts'
import { isValidRegistriesConfScope } from '../upstream/registries-patterns.ts'
import { scopeIsNestedInsideScope } from './scope-nesting.ts'

/** MCO's `errParsingReference`: the only error of this stage, which aborts the sync. */
export const ERR_PARSING_RELEASE_IMAGE = 'error parsing reference of release image'

/**
 * The release payload repository: the release image parsed with `reference.ParseNamed`
 * (MCO `getPayloadRepo`), without tag or digest.
 */
export function payloadRepository(releaseImage: string): { readonly value: string } | { readonly error: string } {
  const ref = parseNamed(releaseImage)
  return 'error' in ref ? { error: ERR_PARSING_RELEASE_IMAGE } : { value: referenceName(ref.value) }
}

/**
 * Port of MCO's `getValidBlockedAndAllowedRegistries(releaseImage, imageSpec, icsp, idms)`.
 *
 * - An unparseable release image (`reference.ParseNamed`) is the only error:
 *   `error parsing reference of release image`, which aborts the sync.
 * - Each blocked entry that contains the payload repository (ScopeIsNestedInsideScope)
 *   is checked with `payloadRepoHasUnblockedMirror`. Without a usable mirror it is
 *   dropped and reported in `warning` (`error adding ["a" "b"] to blocked registries,
 *   cannot block the repository being used by the payload`). With one it stays in
 *   `registriesBlocked`, goes to `policyBlocked` only if it is not exactly the payload
 *   repository, and the payload repository is appended to `allowed` (once per entry).
 * - `allowed` is that list followed by `allowedRegistries`.
 * - Lists stay `undefined` (Go nil) until something is appended.
 * - If the mirror check itself fails (e.g. registries.conf cannot be built or read back),
 *   MCO logs that error and carries on with all three lists nil: so does this function,
 *   with the error text as `warning`.
 */
export function resolveRegistries(
  releaseImage: string,
  sources: RegistrySources,
  mirrors: MirrorSets,
): { readonly value: ResolvedRegistries } | { readonly error: string } {
  const ref = parseNamed(releaseImage)
  if ('error' in ref) return { error: ERR_PARSING_RELEASE_IMAGE }
  const payloadRepo = referenceName(ref.value)

  // Go appends to nil slices, so a list is nil exactly when nothing was appended.
  const registriesBlocked: string[] = []
  const policyBlocked: string[] = []
  const allowed: string[] = []
  const blockErr: string[] = []
  // The same answer for every blocked entry: its temporary registries.conf is built once.
  let payloadMirror: ReturnType<typeof payloadRepoHasUnblockedMirror> | undefined
  for (const reg of sources.blockedRegistries ?? []) {
    if (!scopeIsNestedInsideScope(payloadRepo, reg)) {
      registriesBlocked.push(reg)
      policyBlocked.push(reg)
      continue
    }
    const hasMirror = (payloadMirror ??= payloadRepoHasUnblockedMirror(ref.value, mirrors, sources))
    if ('error' in hasMirror) return { value: { warning: hasMirror.error } }
    if (!hasMirror.value) {
      blockErr.push(reg)
      continue
    }
    // Kept in registries.conf (the payload is then pulled from its mirrors), but the
    // payload repository itself stays allowed in policy.json.
    registriesBlocked.push(reg)
    if (payloadRepo !== reg) policyBlocked.push(reg)
    allowed.push(payloadRepo)
  }
  allowed.push(...(sources.allowedRegistries ?? []))
  const warning =
    blockErr.length > 0
      ? `error adding ${goQuoteList(blockErr)} to blocked registries, cannot block the repository being used by the payload`
      : ''
  return {
    value: {
      ...(registriesBlocked.length > 0 ? { registriesBlocked } : {}),
      ...(policyBlocked.length > 0 ? { policyBlocked } : {}),
      ...(allowed.length > 0 ? { allowed } : {}),
      warning,
    },
  }
}

/**
 * MCO `payloadRepoHasUnblockedMirror`: writes a registries.conf from the insecure and
 * (unfiltered) blocked registries and the digest mirror sets only (IDMS + ICSP, no
 * ITMS; `createTempRegistriesFile`), finds the payload's registry, and asks whether any
 * pull source of the release image itself (tag or digest as given: a tagged release
 * image cannot use digest-only mirrors) is outside every blocked entry.
 */
function payloadRepoHasUnblockedMirror(
  releaseRef: DockerReference,
  mirrors: MirrorSets,
  sources: RegistrySources,
): { readonly value: boolean } | { readonly error: string } {
  const digestOnly: MirrorSets = { ...mirrors, imageTagMirrorSets: [] }
  const conf = editRegistriesConfig(sources.insecureRegistries, sources.blockedRegistries, digestOnly)
  if ('error' in conf) return conf
  const loaded = loadRegistriesConf(conf.value)
  if ('error' in loaded) return loaded
  const reg = findRegistry(loaded.value, referenceName(releaseRef))
  if (reg === undefined) {
    // Go calls a method on the nil *Registry and panics. Unreachable: the blocked entry
    // that contains the payload repository is itself in the list and matches it.
    return { error: 'runtime error: invalid memory address or nil pointer dereference' }
  }
  const pullSources = pullSourcesFromReference(reg, releaseRef)
  if ('error' in pullSources) return pullSources
  const blocked = sources.blockedRegistries ?? []
  const usable = pullSources.value.some((s) => !blocked.some((b) => scopeIsNestedInsideScope(referenceName(s.reference), b)))
  return { value: usable }
}

/** MCO `updatePolicyJSON`'s error when both lists are set. */
export const ERR_ALLOWED_AND_BLOCKED = 'invalid images config: only one of AllowedRegistries or BlockedRegistries may be specified'

/**
 * The registry-list checks of MCO's `updatePolicyJSON(…, policyBlocked, allowed,
 * releaseImage, clusterScopePolicies)`, in MCO's order, minus the scope-nesting check
 * (`validateClusterImagePolicyWithAllowedBlockedRegistries`, which MCO runs second):
 * 1. allowed and policy-blocked both non-empty is an error unless allowed is exactly
 *    `[payload repository]` (`invalid images config: only one of AllowedRegistries or
 *    BlockedRegistries may be specified`);
 * 2. unless allowed and blocked are both nil and there is no cluster scope (MCO then
 *    returns the template untouched), every entry must pass `IsValidRegistriesConfScope`:
 *    `invalid entry for blocked registries "<v>"`, then `… allowed registries "<v>"`.
 * MCO stops at the first error; this returns all of them, innermost clause only
 * (`registriesConfigIgnition` prefixes `could not update policy json with new changes: `).
 */
export function policyRegistriesErrors(releaseImage: string, resolved: ResolvedRegistries, hasClusterScopes: boolean): string[] {
  const { allowed, policyBlocked } = resolved
  const errors: string[] = []
  if ((allowed ?? []).length > 0 && (policyBlocked ?? []).length > 0) {
    const payloadRepo = payloadRepository(releaseImage)
    if ('error' in payloadRepo) return [payloadRepo.error]
    if (!(allowed?.length === 1 && allowed[0] === payloadRepo.value)) errors.push(ERR_ALLOWED_AND_BLOCKED)
  }
  if (allowed === undefined && policyBlocked === undefined && !hasClusterScopes) return errors
  for (const scope of policyBlocked ?? []) {
    if (!isValidRegistriesConfScope(scope)) errors.push(`invalid entry for blocked registries ${goQuote(scope)}`)
  }
  for (const scope of allowed ?? []) {
    if (!isValidRegistriesConfScope(scope)) errors.push(`invalid entry for allowed registries ${goQuote(scope)}`)
  }
  return errors
}

/**
 * MCO's `validateClusterImagePolicyWithAllowedBlockedRegistries` and, for
 * namespace scopes, the same checks in `updateNamespacedPolicyJSONs`. MCO stops
 * at the first violation (in Go map order); we return them all, sorted, allowed
 * violations first as MCO checks them first.
 */
export function allowedBlockedViolations(
  scopes: Iterable<string>,
  allowed: readonly string[] | undefined,
  blocked: readonly string[] | undefined,
  who: 'clusterimagePolicy' | 'imagePolicy',
): { readonly scope: string; readonly message: string }[] {
  const allowedList = allowed ?? []
  const blockedList = blocked ?? []
  if (allowedList.length === 0 && blockedList.length === 0) return []
  const sorted = [...new Set(scopes)].sort()
  const out: { scope: string; message: string }[] = []
  if (allowedList.length > 0) {
    for (const scope of sorted) {
      if (!allowedList.some((reg) => scopeIsNestedInsideScope(scope, reg))) {
        out.push({ scope, message: `${who} configured for the scope ${scope} is not nested inside allowedRegistries` })
      }
    }
  }
  for (const scope of sorted) {
    if (blockedList.some((reg) => scopeIsNestedInsideScope(scope, reg))) {
      out.push({ scope, message: `${who} configured for the scope ${scope} is nested inside blockedRegistries` })
    }
  }
  return out
}
