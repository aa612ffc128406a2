// Wrap stage helper: annotations that tell reviewers and scripts what a
// MachineConfig holds and where it came from. Pure; no I/O; deterministic (the
// same files and policies give the same text, whatever the input order).

import { createHash } from 'node:crypto'
import { formatResource } from '../issues.ts'
import type { NodeFile, PolicyResource, ResourceRef } from '../model.ts'
import { compareBytewise } from '../upstream/go-json.ts'
import { CRIO_POLICIES_DIR, POLICY_JSON_PATH } from '../render/policy-json.ts'
import { SIGSTORE_REGISTRIES_PATH } from '../render/sigstore-registries-yaml.ts'
import { clusterScopeIndex, comparePolicies } from '../resolve/scopes.ts'
import { getOrCompute } from '../memo.ts'

/**
 * The inputs a MachineConfig was rendered from, one per line:
 * `ClusterImagePolicy <name>` (by name), then `ImagePolicy <namespace>/<name>` (by
 * namespace and name), then the Image config and mirror sets when given. Above
 * MAX_SOURCE_LINES lines, the largest kinds are summarized.
 */
export const SOURCES_ANNOTATION = 'imagepolicy-mc.openshift.io/sources'

/**
 * `sha256sum` output for the node files of this MachineConfig, one line per file
 * in file order: `<64 hex>  <absolute path>`. On a node, `sha256sum -c` checks
 * the files in place.
 */
export const SHA256SUM_ANNOTATION = 'imagepolicy-mc.openshift.io/sha256sum'

/** Above this many sources, the largest kinds are summarized (the splitter counts annotations in the 1 MiB). */
export const MAX_SOURCE_LINES = 50

/** Other inputs that shape the files, when the caller knows them. */
export interface AnnotationInputs {
  /** The Image `cluster` config: its allowed and blocked registries are in policy.json and the namespace files. */
  readonly image?: ResourceRef
  /** ImageDigestMirrorSets, ImageTagMirrorSets, ImageContentSourcePolicies: their mirrors are keys of sigstore-registries.yaml. */
  readonly mirrorSets?: readonly ResourceRef[]
  /**
   * Whether a scope equals or nests inside a cluster scope: the index `resolve`
   * built (`Resolved.isClusterScoped`). Default: built here from the policies.
   */
  readonly isClusterScoped?: (scope: string) => boolean
}

const NO_INPUTS: AnnotationInputs = {}
const KIND_ORDER = ['ClusterImagePolicy', 'ImagePolicy', 'Image', 'ImageContentSourcePolicy', 'ImageDigestMirrorSet', 'ImageTagMirrorSet']

function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind)
  return i === -1 ? KIND_ORDER.length : i
}

/**
 * Every source, once, in annotation order, and which of them feed which file.
 * Built once per policy list and inputs: the splitter asks for each file and
 * group many times, and the lists can hold thousands of ImagePolicies.
 */
interface SourceIndex {
  /** `formatResource` lines, in annotation order (kind, then namespace, then name). */
  readonly refs: readonly ResourceRef[]
  readonly lines: readonly string[]
  readonly cluster: readonly number[]
  /** Namespace → its ImagePolicies that keep at least one scope (MCO drops scopes nested in cluster scopes). */
  readonly namespaces: ReadonlyMap<string, readonly number[]>
  readonly allNamespaced: readonly number[]
  readonly image: readonly number[]
  readonly mirrorSets: readonly number[]
  /** summarize() answers for long source lists, by their indexes. */
  readonly summaries: Map<string, string[]>
}

const INDEXES = new WeakMap<readonly PolicyResource[], WeakMap<AnnotationInputs, SourceIndex>>()

function sourceIndex(policies: readonly PolicyResource[], inputs: AnnotationInputs): SourceIndex {
  let byInputs = INDEXES.get(policies)
  if (byInputs === undefined) {
    byInputs = new WeakMap()
    INDEXES.set(policies, byInputs)
  }
  const cached = byInputs.get(inputs)
  if (cached !== undefined) return cached
  const sorted = [...policies].sort(comparePolicies)
  const cips = sorted.filter((p) => p.kind === 'ClusterImagePolicy')
  const nested = inputs.isClusterScoped ?? clusterScopeIndex(cips.flatMap((p) => p.scopes))
  const ips = sorted.filter((p) => p.kind === 'ImagePolicy' && p.scopes.some((s) => !nested(s)))
  const mirrors = [...(inputs.mirrorSets ?? [])].sort((a, b) => kindRank(a.kind) - kindRank(b.kind) || compareBytewise(a.name, b.name))
  const refs: ResourceRef[] = [...cips.map((p) => p.ref), ...ips.map((p) => p.ref), ...(inputs.image !== undefined ? [inputs.image] : []), ...mirrors]
  const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i)
  const namespaces = new Map<string, number[]>()
  ips.forEach((p, i) => {
    const ns = p.namespace ?? ''
    const list = namespaces.get(ns)
    if (list === undefined) namespaces.set(ns, [cips.length + i])
    else list.push(cips.length + i)
  })
  const imageAt = cips.length + ips.length
  const value: SourceIndex = {
    refs,
    lines: refs.map(formatResource),
    cluster: range(0, cips.length),
    namespaces,
    allNamespaced: range(cips.length, ips.length),
    image: inputs.image !== undefined ? [imageAt] : [],
    mirrorSets: range(imageAt + (inputs.image !== undefined ? 1 : 0), mirrors.length),
    summaries: new Map(),
  }
  byInputs.set(inputs, value)
  return value
}

/** The sources of one node file, as indexes into the SourceIndex. */
function fileSources(file: NodeFile, x: SourceIndex): readonly number[] {
  if (file.path === POLICY_JSON_PATH) return [...x.cluster, ...x.image]
  if (file.path === SIGSTORE_REGISTRIES_PATH) return [...x.cluster, ...x.allNamespaced, ...x.mirrorSets]
  const prefix = `${CRIO_POLICIES_DIR}/`
  if (file.path.startsWith(prefix) && file.path.endsWith('.json')) {
    return [...x.cluster, ...(x.namespaces.get(file.path.slice(prefix.length, -'.json'.length)) ?? []), ...x.image]
  }
  return []
}

/** SHA-256 per file object: the splitter asks for the same files many times, and every pool has the same ones. */
const DIGESTS = new WeakMap<NodeFile, string>()

function digest(file: NodeFile): string {
  return getOrCompute(DIGESTS, file, sha256Of)
}

function sha256Of(file: NodeFile): string {
  return createHash('sha256').update(file.contents, 'utf8').digest('hex')
}

/**
 * The source lines, or, when there are more than MAX_SOURCE_LINES, the largest
 * kinds replaced by one line each: `ImagePolicy ×10000 in 1000 namespaces, list
 * sha256 <hex>` (the SHA-256 of the newline-joined lines it stands for, so a
 * change in the set still changes the annotation).
 */
function summarize(indexes: readonly number[], x: SourceIndex): string[] {
  if (indexes.length <= MAX_SOURCE_LINES) return indexes.map((i) => x.lines[i]!)
  // Hashing thousands of lines for every group the splitter tries adds up: remember the answer.
  const key = indexes.join(',')
  const hit = x.summaries.get(key)
  if (hit !== undefined) return hit
  const value = summarizeLong(indexes, x)
  x.summaries.set(key, value)
  return value
}

function summarizeLong(indexes: readonly number[], x: SourceIndex): string[] {
  // Indexes are in annotation order, so each kind is one run.
  const groups: { kind: string; members: number[] }[] = []
  for (const i of indexes) {
    const kind = x.refs[i]!.kind
    const last = groups[groups.length - 1]
    if (last !== undefined && last.kind === kind) last.members.push(i)
    else groups.push({ kind, members: [i] })
  }
  const summarized = new Set<string>()
  let lines = indexes.length
  while (lines > MAX_SOURCE_LINES) {
    const largest = groups.filter((g) => !summarized.has(g.kind)).sort((a, b) => b.members.length - a.members.length || compareBytewise(a.kind, b.kind))[0]
    if (largest === undefined) break
    summarized.add(largest.kind)
    lines -= largest.members.length - 1
  }
  return groups.flatMap((g) => {
    if (!summarized.has(g.kind)) return g.members.map((i) => x.lines[i]!)
    const namespaces = new Set(g.members.map((i) => x.refs[i]!.namespace).filter((n) => n !== undefined)).size
    const hash = createHash('sha256').update(g.members.map((i) => x.lines[i]!).join('\n'), 'utf8').digest('hex')
    return [`${g.kind} ×${g.members.length}${namespaces > 0 ? ` in ${namespaces} namespaces` : ''}, list sha256 ${hash}`]
  })
}

/**
 * Annotations for a MachineConfig holding `files`, rendered from `policies`:
 * the sources of exactly these files and one SHA-256 per file. Nothing when the
 * MachineConfig holds no file. Values are plain lines (no JSON) so that a changed
 * file or source shows as one changed line in a Git diff of the MachineConfig,
 * and stay small: about 100 bytes per file plus at most MAX_SOURCE_LINES short
 * lines of sources.
 */
export function machineConfigAnnotations(
  files: readonly NodeFile[],
  policies: readonly PolicyResource[],
  inputs: AnnotationInputs = NO_INPUTS,
): Record<string, string> {
  if (files.length === 0) return {}
  const x = sourceIndex(policies, inputs)
  // One file's sources are already in order; a group's are merged (the splitter asks per file, then per group).
  const indexes =
    files.length === 1 ? fileSources(files[0]!, x) : [...new Set(files.flatMap((f) => fileSources(f, x)))].sort((a, b) => a - b)
  const sources = summarize(indexes, x)
  return {
    ...(sources.length > 0 ? { [SOURCES_ANNOTATION]: sources.join('\n') } : {}),
    [SHA256SUM_ANNOTATION]: files.map((f) => `${digest(f)}  ${f.path}`).join('\n'),
  }
}
