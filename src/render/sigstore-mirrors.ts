// Render stage: the keys of sigstore-registries.yaml, including the mirror expansion MCO
// does when it renders registries.conf (`generateSigstoreRegistriesdConfig` and
// `addScopeMirrorsSigstoreRegistriesdConfig`, helpers.go; mco-rendering.md §4).
// Pure; no I/O; never throws on bad input.

import { scopeIsNestedInsideScope } from '../resolve/scope-nesting.ts'
import { parseReference, referenceName, trimNamed, withDigest, withTag } from '../upstream/docker-reference.ts'
import {
  findRegistry,
  type LoadedRegistry,
  pullSourcesFromReference,
  type RegistriesConf,
  registryScope,
} from '../resolve/registries-conf.ts'

// addScopeMirrorsSigstoreRegistriesdConfig's dummies.
const DUMMY_DIGEST = `sha256:${'a'.repeat(64)}`
const DUMMY_TAG = 'aaa'
const DUMMY_PATH = '/a'
const DUMMY_PREFIX = 'matched'

/**
 * The keys of the `docker:` map of sigstore-registries.yaml, deduplicated, in no
 * particular order. `scopes` are the policy scopes: every ClusterImagePolicy scope and
 * every non-conflicting ImagePolicy scope.
 *
 * Without registries.conf (`registriesConf` undefined: see `registriesConfRendered`) the keys are the scopes. With
 * it, for each scope MCO also adds, via `FindRegistry` on its registries.conf:
 * - the pull sources of the longest-prefix registry for `<scope repo>@sha256:aaa…` and
 *   `<scope repo>:aaa` (`*.` rewritten as `matched.`, `/a` appended to a scope without
 *   `/` and trimmed from the results), skipping endpoints with an empty location (the
 *   wildcard registry itself);
 * - the same for every `[[registry]]` whose scope is strictly nested in the policy scope.
 *
 * Errors are the innermost clause MCO reports (its sync error adds
 * `could not Create/Update MachineConfig: ` in front): a registries.conf failure (as
 * `resolve` reports it; MCO reports it before policy.json is even built, with
 * `could not update registries config with new changes: ` in between), a failure to
 * read it back (FindRegistry's error), or `error adding clusterimagepolicy scope <scope>
 * relevant mirrors: <why>` (the same words for ImagePolicy scopes). MCO visits scopes in
 * Go map order; this follows `scopes`.
 */
export function sigstoreRegistryKeys(
  scopes: readonly string[],
  registriesConf: RegistriesConf | undefined,
): { readonly keys: string[] } | { readonly error: string } {
  const policyScopes = [...new Set(scopes)]
  const keys = new Set(policyScopes)
  if (registriesConf === undefined) return { keys: [...keys] }
  const conf = registriesConf.entries
  if ('error' in conf) return conf
  if (policyScopes.length === 0) return { keys: [] }
  const loaded = registriesConf.loaded!
  if ('error' in loaded) return loaded

  for (const policyScope of policyScopes) {
    const err = addScopeMirrors(keys, policyScope, findRegistry(loaded.value, policyScope))
    if (err !== undefined) return { error: `error adding clusterimagepolicy scope ${policyScope} relevant mirrors: ${err}` }
    // The nested check reads the [[registry]] entries as written (prefix empty for
    // non-wildcard entries), not as sysregistriesv2 post-processes them.
    for (const reg of conf.value) {
      const scope = registryScope(reg)
      if (scope === policyScope || !scopeIsNestedInsideScope(scope, policyScope)) continue
      const nestedErr = addScopeMirrors(keys, scope, findRegistry(loaded.value, scope))
      if (nestedErr !== undefined) {
        return { error: `error adding clusterimagepolicy scope ${policyScope} relevant mirrors: ${nestedErr}` }
      }
    }
  }
  return { keys: [...keys] }
}

/**
 * `addScopeMirrorsSigstoreRegistriesdConfig(keys, scope, reg)`: adds the names of the
 * pull sources of `reg` for a dummy digest and a dummy tag reference of `scope`'s
 * repository. Returns MCO's error text, or `undefined`.
 */
function addScopeMirrors(keys: Set<string>, originalScope: string, reg: LoadedRegistry | undefined): string | undefined {
  if (reg === undefined) return undefined
  let scope = originalScope
  if (scope.startsWith('*.')) scope = DUMMY_PREFIX + scope.slice(1)
  const addedDummy = !scope.includes('/')
  if (addedDummy) scope += DUMMY_PATH

  const scopeRef = parseReference(scope)
  if ('error' in scopeRef) return `error parsing scope ${scope}: ${scopeRef.error}`
  const repo = trimNamed(scopeRef.value)
  const digestRef = withDigest(repo, DUMMY_DIGEST)
  if ('error' in digestRef) return `error parsing digest name for scope ${scope}: ${digestRef.error}`
  const tagRef = withTag(repo, DUMMY_TAG)
  if ('error' in tagRef) return `error parsing tag name for scope ${scope}: ${tagRef.error}`

  const digestSources = pullSourcesFromReference(reg, digestRef.value)
  if ('error' in digestSources) return `error getting digest sources for scope ${scope}: ${digestSources.error}`
  const tagSources = pullSourcesFromReference(reg, tagRef.value)
  if ('error' in tagSources) return `error getting tag sources for scope ${scope}: ${tagSources.error}`

  for (const s of [...digestSources.value, ...tagSources.value]) {
    // An empty location is the wildcard registry itself: only its mirrors are added.
    if (s.endpoint.location === '') continue
    let endpoint = referenceName(s.reference)
    if (addedDummy && endpoint.endsWith(DUMMY_PATH)) endpoint = endpoint.slice(0, -DUMMY_PATH.length)
    keys.add(endpoint)
  }
  return undefined
}
