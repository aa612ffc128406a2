// Resolve stage helper: the `[[registry]]` list of /etc/containers/registries.conf as
// MCO builds it (openshift/runtime-utils `EditRegistriesConfig`), and the parts of
// containers/image `sysregistriesv2` that read it back (load, FindRegistry,
// PullSourcesFromReference). Pure; no I/O; never throws on bad input.

import type { ImageMirror, MirrorSets, RegistrySources, ResolvedRegistries } from '../model.ts'
import { scopeIsNestedInsideScope } from './scope-nesting.ts'
import {
  type DockerReference,
  parseNamed,
  referenceString,
} from '../upstream/docker-reference.ts'
import { compareBytewise } from '../upstream/go-json.ts'
import { goQuote } from '../upstream/go-strconv.ts'
import { isValidRegistriesConfScope, matchesMirrorPattern, matchesSourcePattern } from '../upstream/registries-patterns.ts'
import { getOrCompute } from '../memo.ts'

/** `sysregistriesv2.MirrorByDigestOnly` / `MirrorByTagOnly` (`pull-from-mirror` values). */
export const PULL_FROM_MIRROR_DIGEST_ONLY = 'digest-only'
export const PULL_FROM_MIRROR_TAG_ONLY = 'tag-only'
const PULL_FROM_MIRROR_ALL = 'all'

/** `apicfgv1.NeverContactSource`. */
const NEVER_CONTACT_SOURCE = 'NeverContactSource'
/** `apicfgv1.AllowContactingSource`, the default policy. */
const ALLOW_CONTACTING_SOURCE = 'AllowContactingSource'

/**
 * Where MCO writes the registries.conf it parses back with FindRegistry. The real name
 * is random (`os.CreateTemp("", "regtemp")`); it only shows up in load errors.
 */
export const TEMP_REGISTRIES_CONF_PATH = '/tmp/regtemp'

/** `sysregistriesv2.Endpoint` used as a mirror. `pullFromMirror` is `''` when unset. */
export interface RegistryMirror {
  readonly location: string
  readonly insecure: boolean
  readonly pullFromMirror: string
}

/**
 * `sysregistriesv2.Registry` as EditRegistriesConfig leaves it (and as it goes through
 * TOML): `prefix` is set only for `*.` wildcard scopes, `location` otherwise.
 */
export interface RegistryEntry {
  readonly prefix: string
  readonly location: string
  readonly insecure: boolean
  readonly blocked: boolean
  readonly mirrors: readonly RegistryMirror[]
}

/** A registry after sysregistriesv2 `postProcessRegistries`: `prefix` always set. */
export type LoadedRegistry = RegistryEntry

/** `sysregistriesv2.PullSource`. */
export interface PullSource {
  readonly endpoint: { readonly location: string; readonly pullFromMirror: string }
  readonly reference: DockerReference
}

type Result<T> = { readonly value: T } | { readonly error: string }

interface MirrorRule {
  readonly source: string
  readonly mirrors: readonly string[]
  readonly mirrorSourcePolicy: string
}

function idmsRules(mirrors: MirrorSets): MirrorRule[] {
  const rules: MirrorRule[] = []
  for (const set of mirrors.imageDigestMirrorSets) for (const m of set.imageDigestMirrors) rules.push(toRule(m))
  return rules
}

function icspRules(mirrors: MirrorSets): MirrorRule[] {
  const rules: MirrorRule[] = []
  // ICSP has no mirrorSourcePolicy: "leave MirrorSourcePolicy blank" (runtime-utils).
  for (const set of mirrors.imageContentSourcePolicies) {
    for (const m of set.repositoryDigestMirrors) rules.push({ source: m.source, mirrors: m.mirrors, mirrorSourcePolicy: '' })
  }
  return rules
}

function itmsRules(mirrors: MirrorSets): MirrorRule[] {
  const rules: MirrorRule[] = []
  for (const set of mirrors.imageTagMirrorSets) for (const m of set.imageTagMirrors) rules.push(toRule(m))
  return rules
}

function toRule(m: ImageMirror): MirrorRule {
  return { source: m.source, mirrors: m.mirrors, mirrorSourcePolicy: m.mirrorSourcePolicy ?? '' }
}

/**
 * MCO helpers.go `validateRegistriesConfScopes(insecure, blocked, allowed, icsp, idms, itms)`.
 * Returns the first error as MCO words it, or `undefined`. Order: insecure, blocked,
 * allowed entries, then IDMS entries, ICSP entries (converted to IDMS, appended) and
 * ITMS entries.
 */
export function validateRegistriesConfScopes(
  insecure: readonly string[] | undefined,
  blocked: readonly string[] | undefined,
  allowed: readonly string[] | undefined,
  mirrors: MirrorSets,
): string | undefined {
  for (const scope of insecure ?? []) {
    if (!isValidRegistriesConfScope(scope)) return `invalid entry for insecure registries ${goQuote(scope)}`
  }
  for (const scope of blocked ?? []) {
    if (!isValidRegistriesConfScope(scope)) return `invalid entry for blocked registries ${goQuote(scope)}`
  }
  for (const scope of allowed ?? []) {
    if (!isValidRegistriesConfScope(scope)) return `invalid entry for allowed registries ${goQuote(scope)}`
  }
  const sourcePolicy = new Map<string, string>()
  const validate = (rule: MirrorRule): string | undefined => {
    if (!matchesSourcePattern(rule.source)) return `invalid format for source ${goQuote(rule.source)}`
    const policy = rule.mirrorSourcePolicy === '' ? ALLOW_CONTACTING_SOURCE : rule.mirrorSourcePolicy
    const seen = sourcePolicy.get(rule.source)
    if (seen === undefined) {
      sourcePolicy.set(rule.source, policy)
    } else if (seen !== policy) {
      return `conflicting mirrorSourcePolicy is set for the same source ${goQuote(rule.source)} in imagedigestmirrorsets, imagetagmirrorsets, or imagecontentsourcepolicies`
    }
    for (const mirror of rule.mirrors) {
      if (!matchesMirrorPattern(mirror)) return `invalid format for mirror ${goQuote(mirror)}`
      if (policy === NEVER_CONTACT_SOURCE && mirror === rule.source) {
        return `cannot set mirrorSourcePolicy: NeverContactSource if the source ${goQuote(rule.source)} is one of the mirrors`
      }
    }
    return undefined
  }
  for (const rule of [...idmsRules(mirrors), ...icspRules(mirrors), ...itmsRules(mirrors)]) {
    const err = validate(rule)
    if (err !== undefined) return err
  }
  return undefined
}

// runtime-utils topo_graph.go: a deterministic topological sort that breaks loops by
// taking the first unused node in bytewise order.
interface TopoNode {
  readonly name: string
  used: boolean
  readonly ins: Set<TopoNode>
  readonly outs: Set<TopoNode>
}

function newTopoNode(name: string): TopoNode {
  return { name, used: false, ins: new Set(), outs: new Set() }
}

function topoSorted(edges: readonly (readonly [string, string])[]): string[] {
  const nodes = new Map<string, TopoNode>()
  const node = (name: string): TopoNode => getOrCompute(nodes, name, newTopoNode)
  for (const [from, to] of edges) {
    const f = node(from)
    const t = node(to)
    f.outs.add(t)
    t.ins.add(f)
  }
  const byName = (a: TopoNode, b: TopoNode): number => compareBytewise(a.name, b.name)
  const all = [...nodes.values()].sort(byName)
  const queue = all.filter((n) => n.ins.size === 0)
  const res: string[] = []
  let allIndex = 0
  while (queue.length > 0 || allIndex < all.length) {
    let n: TopoNode | undefined
    if (queue.length > 0) {
      n = queue.shift()
    } else {
      n = all[allIndex]
      allIndex++
      if (n === undefined || n.used) continue
    }
    if (n === undefined) continue
    n.used = true
    res.push(n.name)
    const next: TopoNode[] = []
    for (const out of n.outs) {
      out.ins.delete(n)
      if (out.ins.size === 0 && !out.used) next.push(out)
    }
    queue.push(...next.sort(byName))
  }
  return res
}

interface MergedMirrorSet {
  readonly source: string
  readonly mirrors: readonly string[]
  readonly neverContactSource: boolean
}

/**
 * runtime-utils `mergedDigestMirrorSets` / `mergedTagMirrorSets`: one entry per source,
 * sources sorted bytewise, mirror lists merged in preference order. A rule whose
 * mirrors are empty or only repeat the source is ignored (`mirrorsContainsARealMirror`),
 * policy included.
 */
function mergeMirrorSets(rules: readonly MirrorRule[]): MergedMirrorSet[] {
  const sets = new Map<string, string[][]>()
  const blockSource = new Set<string>()
  for (const rule of rules) {
    if (!rule.mirrors.some((m) => m !== rule.source)) continue
    if (rule.mirrorSourcePolicy === NEVER_CONTACT_SOURCE) blockSource.add(rule.source)
    const lists = sets.get(rule.source) ?? []
    lists.push([...rule.mirrors])
    sets.set(rule.source, lists)
  }
  const res: MergedMirrorSet[] = []
  for (const source of [...sets.keys()].sort(compareBytewise)) {
    const edges: (readonly [string, string])[] = []
    for (const mirrors of sets.get(source) ?? []) {
      for (let i = 0; i + 1 < mirrors.length; i++) edges.push([mirrors[i] ?? '', mirrors[i + 1] ?? ''])
      if (!mirrors.includes(source)) edges.push([mirrors[mirrors.length - 1] ?? '', source])
    }
    const sorted = topoSorted(edges)
    // The source is tried last implicitly, so a trailing source is dropped (mergedMirrors).
    if (sorted[sorted.length - 1] === source) sorted.pop()
    res.push({ source, mirrors: sorted, neverContactSource: blockSource.has(source) })
  }
  return res
}

interface MutableMirror {
  location: string
  insecure: boolean
  pullFromMirror: string
}

interface MutableRegistry {
  prefix: string
  location: string
  insecure: boolean
  blocked: boolean
  mirrors: MutableMirror[]
}

/** runtime-utils `registryScope`: Prefix when set, else Location. */
export function registryScope(reg: { readonly prefix: string; readonly location: string }): string {
  return reg.prefix !== '' ? reg.prefix : reg.location
}

/**
 * runtime-utils `EditRegistriesConfig` applied to an empty `[[registry]]` list (MCO's
 * template registries.conf has none). In order: digest mirror sets (IDMS then ICSP,
 * merged per source, `pull-from-mirror = "digest-only"`), tag mirror sets (ITMS,
 * `"tag-only"`), entries for blocked scopes, insecure flags propagated to nested
 * registries and mirrors, blocked flags propagated to nested registries, and finally
 * each mirrored scope's mirrors copied (path-adjusted) into nested registries that
 * have none. No validation happens here (MCO validates first in updateRegistriesConfig).
 * Error: runtime-utils' sanity check when a registry without mirrors is nested inside a
 * wildcard mirror source, `internal error: mirrorsAdjustedForNestedScope for a wildcard scope "*.x"`.
 */
export function editRegistriesConfig(
  insecureScopes: readonly string[] | undefined,
  blockedScopes: readonly string[] | undefined,
  mirrors: MirrorSets,
): Result<readonly RegistryEntry[]> {
  const regs: MutableRegistry[] = []
  const getEntry = (scope: string): MutableRegistry => {
    const found = regs.find((r) => registryScope(r) === scope)
    if (found !== undefined) return found
    const reg: MutableRegistry = scope.startsWith('*.')
      ? { prefix: scope, location: '', insecure: false, blocked: false, mirrors: [] }
      : { prefix: '', location: scope, insecure: false, blocked: false, mirrors: [] }
    regs.push(reg)
    return reg
  }
  const addMirrors = (sets: readonly MergedMirrorSet[], pullFromMirror: string): void => {
    for (const set of sets) {
      const reg = getEntry(set.source)
      if (set.neverContactSource) reg.blocked = true
      for (const location of set.mirrors) reg.mirrors.push({ location, insecure: false, pullFromMirror })
    }
  }

  const digestSets = mergeMirrorSets([...idmsRules(mirrors), ...icspRules(mirrors)])
  addMirrors(digestSets, PULL_FROM_MIRROR_DIGEST_ONLY)
  const tagSets = mergeMirrorSets(itmsRules(mirrors))
  addMirrors(tagSets, PULL_FROM_MIRROR_TAG_ONLY)

  for (const scope of blockedScopes ?? []) getEntry(scope)
  for (const insecureScope of insecureScopes ?? []) {
    getEntry(insecureScope).insecure = true
    for (const reg of regs) {
      if (scopeIsNestedInsideScope(registryScope(reg), insecureScope)) reg.insecure = true
      for (const mirror of reg.mirrors) {
        if (scopeIsNestedInsideScope(mirror.location, insecureScope)) mirror.insecure = true
      }
    }
  }
  for (const blockedScope of blockedScopes ?? []) {
    getEntry(blockedScope).blocked = true
    for (const reg of regs) {
      if (scopeIsNestedInsideScope(registryScope(reg), blockedScope)) reg.blocked = true
    }
  }

  for (const set of [...digestSets, ...tagSets]) {
    const mirrored = getEntry(set.source)
    const mirroredScope = registryScope(mirrored)
    for (const reg of regs) {
      const scope = registryScope(reg)
      if (scope === mirroredScope || !scopeIsNestedInsideScope(scope, mirroredScope) || reg.mirrors.length !== 0) continue
      // mirrorsAdjustedForNestedScope: only non-wildcard parents can be adjusted.
      if (mirroredScope.startsWith('*.')) {
        return { error: `internal error: mirrorsAdjustedForNestedScope for a wildcard scope ${goQuote(mirroredScope)}` }
      }
      const adjustment = scope.slice(mirroredScope.length)
      reg.mirrors = mirrored.mirrors.map((m) => ({ ...m, location: m.location + adjustment }))
    }
  }
  return { value: regs.map(freezeRegistry) }
}

function freezeRegistry(r: MutableRegistry): RegistryEntry {
  return {
    prefix: r.prefix,
    location: r.location,
    insecure: r.insecure,
    blocked: r.blocked,
    mirrors: r.mirrors.map((m) => ({ location: m.location, insecure: m.insecure, pullFromMirror: m.pullFromMirror })),
  }
}

/** What `registriesConfigIgnition` puts in front of an `updateRegistriesConfig` error. */
export const REGISTRIES_CONF_ERROR_PREFIX = 'could not update registries config with new changes: '

/**
 * MCO helpers.go `updateRegistriesConfig` minus the TOML: validate the insecure and
 * (payload-filtered) blocked entries and the mirror sets, then `EditRegistriesConfig`.
 * The error is the innermost clause, e.g. `invalid entry for blocked registries "x"`;
 * MCO's sync error is `could not Create/Update MachineConfig: ` +
 * `REGISTRIES_CONF_ERROR_PREFIX` + that.
 */
export function buildRegistriesConf(
  insecure: readonly string[] | undefined,
  registriesBlocked: readonly string[] | undefined,
  mirrors: MirrorSets,
): Result<readonly RegistryEntry[]> {
  const invalid = validateRegistriesConfScopes(insecure, registriesBlocked, [], mirrors)
  if (invalid !== undefined) return { error: invalid }
  return editRegistriesConfig(insecure, registriesBlocked, mirrors)
}

/** sysregistriesv2 `parseLocation`: trailing `/` trimmed; URI schemes rejected. */
function parseLocation(input: string): Result<string> {
  const trimmed = input.replace(/\/+$/, '')
  if (trimmed.startsWith('http://') || trimmed.startsWith('https://')) {
    return { error: `invalid location '${input}': URI schemes are not supported` }
  }
  return { value: trimmed }
}

/**
 * containers/image sysregistriesv2 `loadConfigFile` + `postProcessRegistries` for the
 * `[[registry]]` list MCO wrote to a temporary file: locations and prefixes trimmed,
 * empty prefixes set to the location, consistency checks, duplicates by prefix dropped
 * (first wins) and the list sorted by prefix. The error is worded as FindRegistry
 * returns it (`loading registries configuration "<tmp file>": …`).
 */
export function loadRegistriesConf(entries: readonly RegistryEntry[]): Result<readonly LoadedRegistry[]> {
  const fail = (msg: string): { readonly error: string } => ({
    error: `loading registries configuration ${goQuote(TEMP_REGISTRIES_CONF_PATH)}: ${msg}`,
  })
  const regs: LoadedRegistry[] = []
  const regMap = new Map<string, LoadedRegistry[]>()
  for (const entry of entries) {
    const location = parseLocation(entry.location)
    if ('error' in location) return fail(location.error)
    let prefix: string
    if (entry.prefix === '') {
      if (location.value === '') return fail('invalid condition: both location and prefix are unset')
      prefix = location.value
    } else {
      const p = parseLocation(entry.prefix)
      if ('error' in p) return fail(p.error)
      prefix = p.value
      if (!prefix.startsWith('*.') && location.value === '') {
        return fail('invalid condition: location is unset and prefix is not in the format: *.example.com')
      }
    }
    for (const mirror of entry.mirrors) {
      // The trimmed mirror location is checked but not stored (Go ranges over a copy).
      const m = parseLocation(mirror.location)
      if ('error' in m) return fail(m.error)
      if (m.value === '') return fail('invalid condition: mirror location is unset')
      const p = mirror.pullFromMirror
      if (p !== '' && p !== PULL_FROM_MIRROR_ALL && p !== PULL_FROM_MIRROR_DIGEST_ONLY && p !== PULL_FROM_MIRROR_TAG_ONLY) {
        return fail(`unsupported pull-from-mirror value ${goQuote(p)} for mirror ${goQuote(mirror.location)}`)
      }
    }
    const reg: LoadedRegistry = { ...entry, prefix, location: location.value }
    regs.push(reg)
    const key = reg.location === '' ? reg.prefix : reg.location
    regMap.set(key, [...(regMap.get(key) ?? []), reg])
  }
  for (const reg of regs) {
    for (const other of regMap.get(reg.location === '' ? reg.prefix : reg.location) ?? []) {
      if (reg.insecure !== other.insecure) {
        return fail(`registry '${reg.location}' is defined multiple times with conflicting 'insecure' setting`)
      }
      if (reg.blocked !== other.blocked) {
        return fail(`registry '${reg.location}' is defined multiple times with conflicting 'blocked' setting`)
      }
    }
  }
  const unique = new Map<string, LoadedRegistry>()
  for (const reg of regs) if (!unique.has(reg.prefix)) unique.set(reg.prefix, reg)
  const sorted = [...unique.keys()].sort(compareBytewise).map((p) => unique.get(p) as LoadedRegistry)
  for (const reg of sorted) {
    if (reg.prefix.startsWith('*.') && /[/@:]/.test(reg.prefix)) {
      return fail(
        `Wildcarded prefix should be in the format: *.example.com. Current prefix ${goQuote(reg.prefix)} is incorrectly formatted`,
      )
    }
  }
  return { value: sorted }
}

/**
 * sysregistriesv2 `refMatchingPrefix`: the length of `ref` consumed by `prefix`, or -1.
 * `*.` prefixes match on the first occurrence of the suffix (`refMatchingSubdomainPrefix`);
 * a plain prefix may be followed by `:`, `/` or `@` (so `example.com` also matches
 * `example.com:5000`, a known upstream quirk).
 */
export function refMatchingPrefix(ref: string, prefix: string): number {
  if (prefix.startsWith('*.')) {
    const suffix = prefix.slice(1)
    let index = ref.indexOf(suffix)
    if (index === -1) return -1
    if (ref.slice(0, index).includes('/')) return -1
    index += suffix.length
    if (index === ref.length) return index
    const c = ref[index]
    return c === ':' || c === '/' || c === '@' ? index : -1
  }
  if (ref.length < prefix.length) return -1
  if (ref.length === prefix.length) return ref === prefix ? prefix.length : -1
  if (!ref.startsWith(prefix)) return -1
  const c = ref[prefix.length]
  return c === ':' || c === '/' || c === '@' ? prefix.length : -1
}

/**
 * sysregistriesv2 `FindRegistry`: the registry with the longest matching prefix (the
 * first one in list order among equals), or `undefined`.
 */
export function findRegistry(registries: readonly LoadedRegistry[], ref: string): LoadedRegistry | undefined {
  let found: LoadedRegistry | undefined
  let prefixLen = 0
  for (const r of registries) {
    if (refMatchingPrefix(ref, r.prefix) !== -1 && r.prefix.length > prefixLen) {
      found = r
      prefixLen = r.prefix.length
    }
  }
  return found
}

/**
 * sysregistriesv2 `Registry.PullSourcesFromReference`: the mirrors allowed for this kind
 * of reference (`digest-only` mirrors for digested references, `tag-only` ones for the
 * others), then the registry itself; each with the reference rewritten onto its
 * location (`rewriteReference`). An empty location (wildcard registry) keeps the
 * reference as is.
 */
export function pullSourcesFromReference(reg: LoadedRegistry, ref: DockerReference): Result<readonly PullSource[]> {
  const isDigested = ref.digest !== undefined
  const endpoints: { readonly location: string; readonly pullFromMirror: string }[] = []
  for (const mirror of reg.mirrors) {
    if (mirror.pullFromMirror === PULL_FROM_MIRROR_DIGEST_ONLY && !isDigested) continue
    if (mirror.pullFromMirror === PULL_FROM_MIRROR_TAG_ONLY && isDigested) continue
    endpoints.push({ location: mirror.location, pullFromMirror: mirror.pullFromMirror })
  }
  endpoints.push({ location: reg.location, pullFromMirror: '' })

  const refString = referenceString(ref)
  const sources: PullSource[] = []
  for (const endpoint of endpoints) {
    const prefixLen = refMatchingPrefix(refString, reg.prefix)
    if (prefixLen === -1) return { error: `invalid prefix '${reg.prefix}' for reference '${refString}'` }
    if (endpoint.location === '') {
      if (!reg.prefix.startsWith('*.')) {
        return { error: `invalid prefix '${reg.prefix}' for empty location, should be in the format: *.example.com` }
      }
      sources.push({ endpoint, reference: ref })
      continue
    }
    const rewritten = parseNamed(endpoint.location + refString.slice(prefixLen))
    if ('error' in rewritten) return { error: `rewriting reference: ${rewritten.error}` }
    sources.push({ endpoint, reference: rewritten.value })
  }
  return { value: sources }
}

/**
 * The registries.conf MCO's `registriesConfigIgnition` builds for this input,
 * built once: its `[[registry]]` entries (or the `updateRegistriesConfig` error
 * that stops MCO before policy.json), and those entries read back as
 * containers/image reads them (`sysregistriesv2`), which the sigstore
 * registries.d keys are looked up in.
 */
export interface RegistriesConf {
  readonly entries: Result<readonly RegistryEntry[]>
  /** Set when `entries` is: the entries as `sysregistriesv2` loads them, or its error. */
  readonly loaded?: Result<readonly LoadedRegistry[]>
}

/**
 * Whether MCO computes `registriesTOML` (renders /etc/containers/registries.conf) in
 * `registriesConfigIgnition`: `insecureRegs != nil || registriesBlocked != nil ||
 * len(icsp) != 0 || len(idms) != 0 || len(itms) != 0`. An explicit empty
 * `insecureRegistries: []` counts; mirror sets count as objects, even with no entries.
 */
export function registriesConfRendered(sources: RegistrySources, resolved: ResolvedRegistries, mirrors: MirrorSets): boolean {
  return (
    sources.insecureRegistries !== undefined ||
    resolved.registriesBlocked !== undefined ||
    mirrors.imageContentSourcePolicies.length !== 0 ||
    mirrors.imageDigestMirrorSets.length !== 0 ||
    mirrors.imageTagMirrorSets.length !== 0
  )
}

/**
 * The registries.conf of `registriesConfigIgnition`, or undefined when MCO renders
 * none (`registriesConfRendered`): the insecure registries, the payload-filtered
 * blocked registries (`ResolvedRegistries.registriesBlocked`) and every mirror set.
 */
export function resolveRegistriesConf(sources: RegistrySources, resolved: ResolvedRegistries, mirrors: MirrorSets): RegistriesConf | undefined {
  if (!registriesConfRendered(sources, resolved, mirrors)) return undefined
  const entries = buildRegistriesConf(sources.insecureRegistries, resolved.registriesBlocked, mirrors)
  return 'error' in entries ? { entries } : { entries, loaded: loadRegistriesConf(entries.value) }
}
