// Review guardrail: scopes that govern nothing, or less than their author thinks,
// because containers/image applies only the most specific matching scope
// (requirements of nested scopes are never combined). Pure; no I/O.
//
// Each scope is probed with images it is written for (itself for a tag or digest;
// a fresh tag and a fresh sub-repository for a repository or namespace; a fresh
// subdomain for a wildcard), looked up exactly as CRI-O would (policy-lookup.ts).

import { formatResource, issue, type Issue } from '../issues.ts'
import { lookupRequirements, parseImageReference, policyNamespaces, type ImageReference, type PolicyMatch } from '../explain/policy-lookup.ts'
import { NAME_TOTAL_LENGTH_MAX, parseReference, referenceName, type DockerReference } from '../upstream/docker-reference.ts'
import type { PolicyFile, ScopeOwner } from './file-scopes.ts'
import { getOrCompute } from '../memo.ts'

/** A name no scope uses, for probe images. */
const PROBE = 'imagepolicy-mc-probe'

/** What a scope names, for probing. */
export type ScopeShape = 'wildcard' | 'host' | 'repository' | 'image' | 'tag-and-digest' | 'invalid'

export function scopeShape(scope: string): ScopeShape {
  return parsedScope(scope).shape
}

/** The shape, and for a scope with a `/` that parses, its `reference.Parse` value. */
function parsedScope(scope: string): { readonly shape: ScopeShape; readonly reference?: DockerReference } {
  if (scope.startsWith('*.')) return { shape: 'wildcard' }
  if (!scope.includes('/')) return { shape: 'host' }
  const ref = parseReference(scope)
  if ('error' in ref) return { shape: 'invalid' }
  const { tag, digest } = ref.value
  const shape = tag !== undefined && digest !== undefined ? 'tag-and-digest' : tag !== undefined || digest !== undefined ? 'image' : 'repository'
  return { shape, reference: ref.value }
}

/** Images a scope is written for, as text; `[]` when no image reference can have that identity. */
export function probeImages(scope: string, shape: ScopeShape = scopeShape(scope)): string[] {
  switch (shape) {
    case 'wildcard':
      return [`${PROBE}.${scope.slice(2)}/${PROBE}:${PROBE}`]
    case 'host':
      return [`${scope}/${PROBE}:${PROBE}`]
    case 'image':
      return [scope]
    case 'repository':
      return [`${scope}:${PROBE}`, `${scope}/${PROBE}:${PROBE}`]
    default:
      return []
  }
}

/**
 * A scope's shape, and its `probeImages` parsed as CRI-O would
 * (parseImageReference; those that parse). The scope is parsed once. A
 * repository scope on an explicit registry host other than Docker Hub's is a
 * name normalization leaves alone, so its two probes are built from that parse
 * instead of parsing both texts again (20,000 namespace scopes make 40,000
 * probes): the same values, test/scale-properties.test.ts.
 */
export function scopeProbes(scope: string): { readonly shape: ScopeShape; readonly images: ImageReference[] } {
  const { shape, reference } = parsedScope(scope)
  const derived = shape === 'repository' && reference !== undefined ? repositoryProbes(scope, reference) : undefined
  if (derived !== undefined) return { shape, images: derived }
  const images = probeImages(scope, shape).flatMap((text) => {
    const ref = parseImageReference(text)
    return 'value' in ref ? [ref.value] : []
  })
  return { shape, images }
}

/**
 * `scope:PROBE` and `scope/PROBE:PROBE` for a repository scope whose domain
 * `splitDockerDomain` keeps as written (it has a `.` or `:`, or is
 * `localhost`; not `docker.io`, `index.docker.io`): `ParseNormalizedNamed`
 * then parses the text as given, with the scope's domain and path and the
 * tag, and parseImageReference adds no note. The second probe exists only
 * while its name stays within `NameTotalLengthMax`. Undefined for any other
 * scope (parsed as text instead).
 */
function repositoryProbes(scope: string, reference: DockerReference): ImageReference[] | undefined {
  const { domain, path } = reference
  if (domain === '' || domain === 'docker.io' || domain === 'index.docker.io') return undefined
  if (domain !== 'localhost' && !domain.includes('.') && !domain.includes(':')) return undefined
  const own: DockerReference = { domain, path, tag: PROBE }
  const namespaces = policyNamespaces(own)
  const out: ImageReference[] = [{ reference: own, identity: `${scope}:${PROBE}`, namespaces, notes: [] }]
  const below = `${scope}/${PROBE}`
  if (below.length <= NAME_TOTAL_LENGTH_MAX) {
    // DockerReferenceNamespaces of a repository one level down: itself, then the scope's.
    out.push({ reference: { domain, path: `${path}/${PROBE}`, tag: PROBE }, identity: `${below}:${PROBE}`, namespaces: [below, ...namespaces], notes: [] })
  }
  return out
}

type PolicyOwner = Extract<ScopeOwner, { kind: 'policy' }>

type ProbedScope = ReturnType<typeof scopeProbes>

/** Only ImagePolicies wrote this key (not a cluster policy, not the Image config). */
function onlyImagePolicies(file: PolicyFile, scope: string): boolean {
  const all = file.owners.get(scope)
  return all !== undefined && all.length > 0 && all.every((o) => o.kind === 'policy' && o.policy.kind === 'ImagePolicy')
}

const NO_OWNERS: readonly PolicyOwner[] = []

const isPolicyOwner = (o: ScopeOwner): o is PolicyOwner => o.kind === 'policy'

/** The policies among a scope's owners (the list itself when they all are, as they usually are: no copy). */
function policyOwners(file: PolicyFile, scope: string): readonly PolicyOwner[] {
  const all = file.owners.get(scope)
  if (all === undefined || all.length === 0) return NO_OWNERS
  return all.every(isPolicyOwner) ? (all as readonly PolicyOwner[]) : all.filter(isPolicyOwner)
}

/** Where an owner wrote the scope. */
function scopeAt(o: PolicyOwner): { readonly resource: PolicyOwner['policy']['ref']; readonly path: (string | number)[] } {
  return { resource: o.policy.ref, path: ['spec', 'scopes', o.index] }
}

function names(owners: readonly PolicyOwner[]): string {
  return owners.map((o) => formatResource(o.policy.ref)).join(', ')
}

function where(file: PolicyFile): string {
  return file.namespace === undefined ? 'cluster-wide' : `for pods in ${file.namespace}`
}

/**
 * Guardrail issues:
 * - warning: a policy scope that no image can select (every image it is written
 *   for is normalized elsewhere or taken by another policy's scope), or that has
 *   both a tag and a digest (an image identity has one or the other);
 * - warning: an allowedRegistries entry nested inside a policy scope (images under
 *   it are accepted without any signature);
 * - warning: an ImagePolicy scope that takes images away from a cluster scope
 *   although MCO's conflict check let it through (a tag or digest right after the
 *   repository: MCO only treats `/` as nesting);
 * - info: a policy scope that loses part of its images to a more specific scope
 *   of another policy.
 * Each CIP scope is judged in policy.json; namespace files add only pairs that
 * involve an ImagePolicy.
 */
export function shadowedScopeIssues(files: Iterable<PolicyFile>): Issue[] {
  // Cluster scopes recur in every namespace file: their probes (and shape) are
  // kept for the run. A scope only ImagePolicies write is in its namespace's file
  // alone (as a rule), so its probes are taken for that file and dropped: 20,000
  // namespace scopes kept to the end are tens of megabytes the garbage collector
  // copies and promotes for nothing.
  const probeCache = new Map<string, ProbedScope>()
  const kept = (scope: string): ProbedScope => getOrCompute(probeCache, scope, scopeProbes)
  const out = new Map<string, Issue>()
  const add = (i: Issue) => out.set(`${i.severity}\u0000${i.resource !== undefined ? formatResource(i.resource) : ''}\u0000${i.path.join('.')}\u0000${i.message}`, i)
  for (const file of files) {
    const docker = file.policy.transports.get('docker')
    if (docker === undefined) continue
    const judged = (o: PolicyOwner) => (file.namespace === undefined ? o.policy.kind === 'ClusterImagePolicy' : o.policy.kind === 'ImagePolicy')
    // Lookups in this file are pure; a scope's owners are one map lookup (policyOwners copies nothing in the usual case).
    const ownersOf = (scope: string): readonly PolicyOwner[] => policyOwners(file, scope)
    for (const scope of docker.keys()) {
      const owners = ownersOf(scope)
      let scopeProbed: ProbedScope | undefined
      const probed = (): ProbedScope => (scopeProbed ??= file.namespace !== undefined && onlyImagePolicies(file, scope) ? scopeProbes(scope) : kept(scope))
      const probes = (): ImageReference[] => probed().images
      let matches: PolicyMatch[] | undefined
      const matchesOf = (): PolicyMatch[] => (matches ??= probes().map((img) => lookupRequirements(file.policy, img)))
      // Scopes nobody may select.
      for (const o of owners) {
        if (!judged(o)) continue
        const images = probes()
        const found = matchesOf()
        const shape = probed().shape
        if (found.some((m) => m.scope === scope)) {
          // A repository scope that its own image does not select: `docker.io/busybox` is not `busybox`.
          const own = images[0]
          if (shape === 'repository' && own !== undefined && found[0]!.scope !== scope && referenceName(own.reference) !== scope) {
            add(
              issue(
                'warning',
                'guardrail',
                `scope ${scope} does not match the image ${scope} itself, which is read as ${referenceName(own.reference)}: it only matches repositories below it (${scope}/...); write ${referenceName(own.reference)} instead`,
                scopeAt(o),
              ),
            )
          }
          continue
        }
        if (images.length === 0) {
          add(
            issue(
              'warning',
              'guardrail',
              shape === 'tag-and-digest'
                ? `scope ${scope} never matches: an image is checked by its tag or by its digest, never both (CRI-O drops the tag of a reference that has both); keep only the digest`
                : `scope ${scope} never matches: it is not an image reference`,
              scopeAt(o),
            ),
          )
          continue
        }
        const winners = found.map((m) => m.scope)
        const other = winners.find((w) => w !== undefined && w !== '' && ownersOf(w).length > 0 && !ownersOf(w).some((x) => x.policy === o.policy))
        const normalized = images.map((i) => i.identity).join(', ')
        add(
          issue(
            'warning',
            'guardrail',
            other !== undefined
              ? `scope ${scope} no longer matches anything ${where(file)}: the images it is written for (${normalized}) are all governed by the scope ${other} of ${names(ownersOf(other))} instead`
              : `scope ${scope} never matches: image references are normalized (${normalized}) and never select it; write the scope in normalized form`,
            scopeAt(o),
          ),
        )
      }
      // Scopes that take images away from less specific ones. In a namespace file only
      // pairs with an ImagePolicy scope count, so a cluster scope with no ImagePolicy
      // scope on its search path is skipped before any lookup.
      if (file.namespace !== undefined && !owners.some(judged) && !probes().some((img) => img.namespaces.some((n) => ownersOf(n).some(judged)))) continue
      for (const [k, img] of probes().entries()) {
        const match = matchesOf()[k]!
        if (match.scope !== scope) continue
        // The keys after the match on the image's search path: identity, then namespaces.
        for (let p = match.searched.length; p <= img.namespaces.length; p++) {
          const wider = p === 0 ? img.identity : img.namespaces[p - 1]!
          if (!docker.has(wider)) continue
          for (const w of ownersOf(wider)) {
            if (owners.some((o) => o.policy === w.policy)) continue
            const allowedHere = (file.owners.get(scope) ?? []).some((o) => o.kind === 'allowed') && owners.length === 0
            const at = { resource: w.policy.ref, path: ['spec', 'scopes', w.index] }
            if (allowedHere) {
              add(
                issue(
                  'warning',
                  'guardrail',
                  `images under the allowedRegistries entry ${scope} are accepted without any signature ${where(file)}: that entry is more specific than this scope ${wider}, and only the most specific scope applies`,
                  at,
                ),
              )
              continue
            }
            if (owners.length === 0) continue
            const escapes = file.namespace !== undefined && w.policy.kind === 'ClusterImagePolicy' && owners.some((o) => o.policy.kind === 'ImagePolicy')
            if (escapes) {
              for (const o of owners.filter((x) => x.policy.kind === 'ImagePolicy')) {
                add(
                  issue(
                    'warning',
                    'guardrail',
                    `scope ${scope} overrides the cluster scope ${wider} of ${formatResource(w.policy.ref)} for pods in ${file.namespace}: MCO's conflict check only sees nesting at "/", so it keeps this scope, and the cluster's requirements no longer apply to these images there`,
                    { resource: o.policy.ref, path: ['spec', 'scopes', o.index] },
                  ),
                )
              }
              continue
            }
            if (!judged(w) && !owners.some(judged)) continue
            add(
              issue(
                'info',
                'guardrail',
                `scope ${wider} does not govern images under ${scope} ${where(file)}: the more specific scope of ${names(owners)} does, and requirements of nested scopes are not combined`,
                at,
              ),
            )
          }
        }
      }
    }
  }
  return [...out.values()]
}
