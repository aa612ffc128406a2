// The one module that joins the stages: read → decode/validate → resolve/render
// → wrap → write. Pure: text in, text and issues out; the CLI does all I/O.

import { decodeImage, decodeMirrorSet, decodePolicy, emptyMirrorSets, isEmptyDocument, notAResourceIssue, unservedKindIssue, type MutableMirrorSets } from './decode/resources.ts'
import { refOf, roleOf } from './io/item-kinds.ts'
import { isObject } from './is-object.ts'
import { hasErrors, issue, sortIssues, type Issue } from './issues.ts'
import { outputBudgetMessage } from './limits.ts'
import { isList, parseOne, readInputs, type Entry, type InputText, type ReadResult, type StreamDocument } from './io/read.ts'
import { withoutListItems, writeResourceList, writeStream } from './io/write.ts'
import type { NodeFile, PolicyResource, RegistrySources, ResourceRef } from './model.ts'
import type { ScopeConflict } from './resolve/scopes.ts'
import {
  checkOptions,
  decodeFunctionConfig,
  machineConfigName,
  mergeOptions,
  type Options,
  type PartialOptions,
} from './options.ts'
import { renderNodeFiles } from './render/node-files.ts'
import { resolve, type Resolved } from './resolve/resolve.ts'
import { validateResources, type OwnedItem } from './validate/validate-resources.ts'
import { reviewIssues } from './review/guardrails.ts'
import { parseTargetRelease, releasePolicyIssues, targetReleaseIssues } from './review/release-policy.ts'
import { imageApiRulesOf } from './validate/image-rules.ts'
import { machineConfigAnnotations } from './wrap/annotations.ts'
import { GENERATED_BY_ANNOTATION, isGeneratedMachineConfig, MAX_MACHINE_CONFIG_BYTES, MAX_NAME_LENGTH, wrapPoolMachineConfigs, type PoolMachineConfigs } from './wrap/machine-config.ts'

export interface RunInput {
  readonly inputs: readonly InputText[]
  /** A functionConfig read from `--config FILE` (overrides one inside a ResourceList). */
  readonly functionConfig?: unknown
  /** Options given as CLI flags (override everything). */
  readonly flags?: PartialOptions
  /** The time certificates are checked against. Default: now. */
  readonly now?: Date
  /** The node files are for review (render, diff, explain), not MachineConfigs to apply: a missing release policy is a warning. */
  readonly reviewOnly?: boolean
  /**
   * The output budget (`--max-output-bytes`): the node files, counted once per
   * pool, and the output text must fit, or the run fails with one error. Checked
   * while rendering, before any giant string is built. Default: no bound.
   */
  readonly maxOutputBytes?: number
}

export interface RunOutput {
  /** What goes to stdout ('' when a plain stream had errors: nothing partial). */
  readonly output: string
  /** Sorted issues; the CLI prints one line each on stderr. */
  readonly issues: readonly Issue[]
  readonly exitCode: 0 | 1
  readonly options: Options
  /** The node files rendered (empty when rendering did not happen). */
  readonly files: readonly NodeFile[]
  /** The policies read from the input, in input order. */
  readonly policies: readonly PolicyResource[]
  /** ImagePolicy scopes that lost to cluster scopes. */
  readonly conflicts: readonly ScopeConflict[]
}

function fileCount(wrapped: PoolMachineConfigs): number {
  return wrapped.machineConfigs.reduce((n, mc) => n + ((mc as { spec: { config: { storage?: { files: unknown[] } } } }).spec.config.storage?.files.length ?? 0), 0)
}

/**
 * The splitter's problems, over all pools: a file too large even alone (once
 * per file: every pool has the same files, but a pool's name changes its
 * objects' size by a few bytes), a warning when a pool's files need several
 * MachineConfigs (once), and split names past the length Kubernetes allows
 * (per pool: they depend on the pool name).
 */
export function sizeIssues(results: readonly { readonly pool: string; readonly wrapped: PoolMachineConfigs }[], options: Options): Issue[] {
  const issues: Issue[] = []
  const reported = new Set<string>()
  for (const { wrapped } of results) {
    for (const file of wrapped.oversized) {
      if (reported.has(file.path)) continue
      reported.add(file.path)
      const why =
        file.compressedBytes !== undefined
          ? `node file ${file.path} (${file.bytes} bytes, ${file.compressedBytes} bytes gzip-compressed) does not fit in one MachineConfig even compressed`
          : `node file ${file.path} (${file.bytes} bytes) does not fit in one MachineConfig${options.compress === 'never' ? ' uncompressed (--compress=never; auto or always would gzip it)' : ''}`
      issues.push(issue('error', 'size', `${why}: the limit is ${MAX_MACHINE_CONFIG_BYTES} bytes serialized, and a file is never split`))
    }
  }
  const split = results.find((r) => r.wrapped.machineConfigs.length > 1)
  if (reported.size === 0 && split !== undefined) {
    const { pool, wrapped } = split
    const n = fileCount(wrapped)
    const compressed = wrapped.compressed.size === 0 ? 'uncompressed' : wrapped.compressed.size === n ? 'all gzip-compressed' : `${wrapped.compressed.size} of ${n} gzip-compressed`
    issues.push(
      issue(
        'warning',
        'size',
        `the node files take ${wrapped.machineConfigs.length} MachineConfigs in pool ${pool}, ${wrapped.totalBytes} bytes together (${compressed}): MCO merges a pool's MachineConfigs into one rendered MachineConfig that also holds MCO's own files, and the API server and etcd refuse objects over about 1.5 MB; every namespace file repeats the cluster-wide policy (CRI-O's design), so fewer namespaces with ImagePolicies or smaller ClusterImagePolicies shrink them${options.compress === 'never' ? ', and --compress=auto would gzip them' : ''}`,
      ),
    )
  }
  for (const { pool, wrapped } of results) {
    const name = wrapped.longNames[0]
    if (name === undefined) continue
    issues.push(
      issue(
        'error',
        'config',
        `name: the files of pool ${pool} are split across MachineConfigs named ${machineConfigName(options, pool)}, …-2, …; ${JSON.stringify(name)} is ${name.length} characters, over the ${MAX_NAME_LENGTH} a Kubernetes name allows: choose a shorter name`,
      ),
    )
  }
  return issues
}

export function run(input: RunInput): RunOutput {
  return runRead(readInputs(input.inputs), input)
}

/** What the steps of a run share: the read input, the options, the issues so far and each step's output. */
interface RunState {
  readonly read: ReadResult
  readonly input: Omit<RunInput, 'inputs'>
  readonly options: Options
  readonly issues: Issue[]
  /** Each entry (a stream document or a ResourceList item) passes through whole. */
  readonly entries: readonly Entry[]
  /** The resources in the entries (a List's items included): what we decode. */
  readonly values: readonly unknown[]
  readonly policies: PolicyResource[]
  readonly mirrors: MutableMirrorSets
  sources: RegistrySources
  imageRef: ResourceRef | undefined
  readonly mirrorSetRefs: ResourceRef[]
  resolved: Resolved | undefined
  conflicts: readonly ScopeConflict[]
  files: readonly NodeFile[]
  readonly machineConfigs: Record<string, unknown>[]
  replaced: ReturnType<typeof replacedMachineConfigs> | undefined
}

/** A step that ends the run early: with the input unchanged (a ResourceList keeps its items), or with no output at all. */
type Stop = 'unchanged' | 'nothing'

/**
 * The steps of a run, in order. After each, a run with errors stops (the input
 * unchanged: nothing partial); a step can also stop it itself.
 */
const STEPS: readonly ((s: RunState) => Stop | undefined)[] = [
  checkResources,
  refuseEmpty,
  validateOwned,
  decodeOwned,
  resolveStep,
  renderStep,
  reviewStep,
  wrapStep,
  replaceStep,
]

/** `run` from the read stage on: the inputs as `readInputs` read them. */
export function runRead(read: ReadResult, input: Omit<RunInput, 'inputs'>): RunOutput {
  const envelope = read.envelope
  const fromList = envelope.shape === 'ResourceList' ? decodeFunctionConfig(envelope.functionConfig) : { value: {}, issues: [] }
  const fromFile = input.functionConfig !== undefined ? decodeFunctionConfig(input.functionConfig) : { value: {}, issues: [] }
  const options = mergeOptions(fromList.value, fromFile.value, input.flags ?? {})
  const issues: Issue[] = [...read.issues, ...fromList.issues, ...fromFile.issues, ...checkOptions(options), ...targetReleaseIssues(options)]
  const entries = envelope.shape === 'ResourceList' ? envelope.items : envelope.documents
  const s: RunState = {
    read,
    input,
    options,
    issues,
    entries,
    values: entries.flatMap((e) => e.resources),
    policies: [],
    mirrors: emptyMirrorSets(),
    sources: {},
    imageRef: undefined,
    mirrorSetRefs: [],
    resolved: undefined,
    conflicts: [],
    files: [],
    machineConfigs: [],
    replaced: undefined,
  }
  for (const step of STEPS) {
    const stop = step(s)
    if (stop === 'nothing') return finish(s, '')
    if (stop === 'unchanged' || hasErrors(s.issues)) return finish(s, unchangedList(s))
  }
  return finish(s, writeOutput(s))
}

/** The run's result: stdout only when nothing failed (a ResourceList carries its results either way), within the output budget. */
function finish(s: RunState, output: string): RunOutput {
  const { issues, options, policies, conflicts } = s
  const sorted = sortIssues(issues)
  const failed = hasErrors(sorted) || (options.strict && sorted.some((i) => i.severity === 'warning'))
  const limit = s.input.maxOutputBytes
  if (!failed && limit !== undefined && output.length > limit) {
    issues.push(issue('error', 'size', outputBudgetMessage(limit, `the output (${output.length} characters)`)))
    return { issues: sortIssues(issues), options, files: [], policies, conflicts, output: '', exitCode: 1 }
  }
  const result = { issues: sorted, options, files: failed ? [] : s.files, policies, conflicts }
  if (failed && s.read.envelope.shape === 'stream') return { ...result, output: '', exitCode: 1 }
  return { ...result, output, exitCode: failed ? 1 : 0 }
}

function unchangedList(s: RunState): string {
  const envelope = s.read.envelope
  return envelope.shape === 'ResourceList' ? writeResourceList(envelope.document, () => true, [], sortIssues(s.issues)) : ''
}

/** Kinds the API server does not serve, and documents that are not resources. */
function checkResources(s: RunState): undefined {
  const { read, issues } = s
  const envelope = read.envelope
  for (const value of s.values) {
    const unserved = unservedKindIssue(value)
    if (unserved !== undefined) issues.push(unserved)
  }
  // (Only where every document could be read: one that could not has its own error.)
  if (hasErrors(read.issues)) return undefined
  s.entries.forEach((entry, position) => {
    const source = 'source' in entry ? (entry as StreamDocument).source : undefined
    const file = { path: source?.path ?? (envelope.shape === 'ResourceList' ? 'items' : '<stdin>'), index: source?.index ?? position }
    for (const value of entry.resources) {
      const wrong = notAResourceIssue(value, file)
      if (wrong !== undefined) issues.push(wrong)
    }
  })
  return undefined
}

/** An input of nothing but our own MachineConfigs is most likely a failed producer upstream. */
function refuseEmpty(s: RunState): undefined {
  if (s.options.allowEmpty || s.values.some((v) => !isEmptyDocument(v) && !isGeneratedMachineConfig(v))) return undefined
  s.issues.push(
    issue(
      'error',
      'input',
      'no resources in the input: refusing to emit only generated MachineConfigs (a failed producer upstream would make Argo CD prune the application); pass --allow-empty if this is intended',
    ),
  )
  return undefined
}

function validateOwned(s: RunState): undefined {
  const owned: OwnedItem[] = []
  for (const value of s.values) {
    const role = roleOf(value)
    if (role !== 'other' && isObject(value)) owned.push({ value, ref: refOf(value)!, role })
  }
  // The Image CRD's registry-list rules depend on the target release (an unreadable one was refused above).
  const target = parseTargetRelease(s.options.targetRelease)
  const imageRules = imageApiRulesOf(typeof target === 'object' && 'error' in target ? 'latest' : target)
  s.issues.push(...validateResources(owned, s.options.validate, s.input.now ?? new Date(), imageRules))
  return undefined
}

/** Decodes the kinds we own. */
function decodeOwned(s: RunState): undefined {
  const { issues } = s
  for (const value of s.values) {
    if (!isObject(value)) continue
    switch (roleOf(value)) {
      case 'policy': {
        const decoded = decodePolicy(value)
        issues.push(...decoded.issues)
        if (decoded.policy !== undefined) s.policies.push(decoded.policy)
        break
      }
      case 'image': {
        const ref = refOf(value)!
        if (ref.name !== 'cluster') {
          // The name rule itself (OpenShift admission: "must be cluster") is validation's,
          // graded by --validate; this only says why the item has no effect, as MCO ignores it.
          issues.push(issue('info', 'registries', 'ignored: the only Image config MCO reads is the one named cluster', { resource: ref }))
          break
        }
        if (s.imageRef !== undefined) {
          issues.push(issue('error', 'registries', 'duplicate Image cluster in the input', { resource: ref }))
          break
        }
        const decoded = decodeImage(value)
        issues.push(...decoded.issues)
        s.sources = decoded.sources
        s.imageRef = ref
        break
      }
      case 'mirror-set':
        issues.push(...decodeMirrorSet(value, s.mirrors))
        s.mirrorSetRefs.push(refOf(value)!)
        break
      default:
        break
    }
  }
  return undefined
}

function resolveStep(s: RunState): Stop | undefined {
  const out = resolve({
    policies: s.policies,
    sources: s.sources,
    mirrors: s.mirrors,
    releaseImage: s.options.releaseImage,
    ordered: true,
    ...(s.imageRef !== undefined ? { image: s.imageRef } : {}),
    mirrorSetRefs: s.mirrorSetRefs,
  })
  s.conflicts = out.conflicts
  s.issues.push(...out.issues)
  s.resolved = out.value
  return out.value === undefined ? 'unchanged' : undefined
}

function renderStep(s: RunState): Stop | undefined {
  const { input, options } = s
  // Every pool's MachineConfigs carry all the files: the budget's share for one pool.
  const maxBytes = input.maxOutputBytes !== undefined ? Math.floor(input.maxOutputBytes / Math.max(1, options.pools.length)) : undefined
  const rendered = renderNodeFiles(s.resolved!, maxBytes !== undefined ? { maxBytes } : {})
  if (rendered.overBudget !== undefined) {
    const pools = options.pools.length
    s.issues.push(issue('error', 'size', outputBudgetMessage(input.maxOutputBytes!, `the output (node files of more than ${rendered.overBudget.bytes} bytes, written once for each of ${pools} pool${pools === 1 ? '' : 's'})`)))
    return 'nothing'
  }
  s.files = rendered.files
  s.issues.push(...rendered.issues)
  return undefined
}

function reviewStep(s: RunState): undefined {
  const { values, policies, files, options } = s
  s.issues.push(...reviewIssues({ values, resolved: s.resolved!, files, options }))
  s.issues.push(...releasePolicyIssues({ policies, files, options, reviewOnly: s.input.reviewOnly === true }))
  return undefined
}

function wrapStep(s: RunState): undefined {
  const { options } = s
  const annotationInputs = { ...(s.imageRef !== undefined ? { image: s.imageRef } : {}), mirrorSets: s.mirrorSetRefs, isClusterScoped: s.resolved!.isClusterScoped }
  const annotate = (group: readonly NodeFile[]) => machineConfigAnnotations(group, s.policies, annotationInputs)
  const wrappedPools: { pool: string; wrapped: PoolMachineConfigs }[] = []
  for (const pool of options.pools) {
    const wrapped = wrapPoolMachineConfigs(
      s.files,
      { pool, name: machineConfigName(options, pool), ignitionVersion: options.ignitionVersion, compress: options.compress },
      annotate,
    )
    s.machineConfigs.push(...wrapped.machineConfigs)
    wrappedPools.push({ pool, wrapped })
  }
  s.issues.push(...sizeIssues(wrappedPools, options))
  return undefined
}

function replaceStep(s: RunState): undefined {
  s.replaced = replacedMachineConfigs(s.read.envelope, new Set(s.machineConfigs.map((mc) => (mc['metadata'] as { name: string }).name)))
  s.issues.push(...s.replaced.issues)
  return undefined
}

/** The output: every entry passes through but ours replaced (and policies, unless --emit-policies), then the MachineConfigs. */
function writeOutput(s: RunState): string {
  const envelope = s.read.envelope
  const replaced = s.replaced!
  // Per entry: a List is kept, without the MachineConfigs of ours it held.
  const keep = (i: number): boolean => {
    const value = s.entries[i]?.value
    return !replaced.entries.has(i) && !(roleOf(value) === 'policy' && !s.options.emitPolicies)
  }
  if (envelope.shape === 'ResourceList') return writeResourceList(envelope.document, keep, s.machineConfigs, sortIssues(s.issues))
  const kept: StreamDocument[] = envelope.documents.flatMap((d, i) => {
    if (!keep(i)) return []
    const text = replaced.lists.get(i)
    return text === undefined ? [d] : [{ ...d, text }]
  })
  return writeStream(kept, s.machineConfigs)
}

function nameOf(value: unknown): string {
  const ref = refOf(value)
  return ref?.name ?? ''
}

/**
 * The MachineConfigs of ours in the input (our annotation) that this run
 * replaces: those it generates again, by name (split names included). Any other
 * is an error: a hand-written MachineConfig with our annotation, or one this run
 * no longer generates, would otherwise be dropped silently, and Argo CD would
 * prune it. Inside a List of a plain stream, ours are cut out of the List's text
 * (the rest byte for byte); deeper, or in a List inside a ResourceList, they are
 * an error (not duplicated, as they used to be).
 */
function replacedMachineConfigs(
  envelope: ReadResult['envelope'],
  names: ReadonlySet<string>,
): { entries: Set<number>; lists: Map<number, string>; issues: Issue[] } {
  const issues: Issue[] = []
  const entries = new Set<number>()
  const lists = new Map<number, string>()
  const annotationPath = ['metadata', 'annotations', GENERATED_BY_ANNOTATION]
  const regenerated = (value: unknown): boolean => {
    if (names.has(nameOf(value))) return true
    issues.push(
      issue(
        'error',
        'input',
        `marks a MachineConfig that imagepolicy-mc generated, but this run generates none of that name (it generates ${[...names].join(', ')}): remove the annotation from a MachineConfig written by hand, or the MachineConfig if it is left from an earlier run`,
        { resource: refOf(value), path: annotationPath },
      ),
    )
    return false
  }
  const list = envelope.shape === 'ResourceList' ? envelope.items : envelope.documents
  // One of that name without our annotation is not ours to replace, and the
  // output would hold two MachineConfigs of one name (which one applies, or is
  // pruned, is then up to the consumer): refuse rather than guess.
  for (const entry of list) {
    for (const value of entry.resources) {
      if (!isObject(value) || value['kind'] !== 'MachineConfig' || isGeneratedMachineConfig(value)) continue
      if (typeof value['apiVersion'] !== 'string' || !value['apiVersion'].startsWith('machineconfiguration.openshift.io/')) continue
      if (!names.has(nameOf(value))) continue
      issues.push(
        issue(
          'error',
          'input',
          `has the name of a MachineConfig this run generates, but not the annotation ${GENERATED_BY_ANNOTATION}: "true", so it is not ours to replace and the output would hold two MachineConfigs of that name: rename it, or give --name another name`,
          { resource: refOf(value), path: ['metadata', 'name'] },
        ),
      )
    }
  }
  list.forEach((entry, i) => {
    if (isGeneratedMachineConfig(entry.value)) {
      if (regenerated(entry.value)) entries.add(i)
      return
    }
    if (!isList(entry.value) || !entry.resources.some(isGeneratedMachineConfig)) return
    const items = entry.value.items
    const direct = items.map(isGeneratedMachineConfig)
    const nested = entry.resources.filter(isGeneratedMachineConfig).length > direct.filter(Boolean).length
    const where = nested ? 'a List inside a List' : 'a List inside a ResourceList'
    if (nested || envelope.shape === 'ResourceList') {
      for (const value of entry.resources.filter(isGeneratedMachineConfig)) {
        issues.push(issue('error', 'input', `a MachineConfig that imagepolicy-mc generated, inside ${where}, cannot be replaced: take it out of the List`, { resource: refOf(value), path: annotationPath }))
      }
      return
    }
    // Every one checked (each that is not ours again is its own error), then the List cut.
    if (!items.map((item, j) => !direct[j] || regenerated(item)).every(Boolean)) return
    const doc = envelope.documents[i]!
    const parsed = parseOne(doc.text, doc.source)
    const text = parsed.issues.length === 0 ? withoutListItems(doc.text, parsed.doc, (j) => !direct[j]) : undefined
    if (text === undefined) {
      issues.push(issue('error', 'input', 'cannot cut the MachineConfigs that imagepolicy-mc generated out of this List: take them out of the List', { resource: refOf(entry.value) }))
      return
    }
    lists.set(i, text)
  })
  return { entries, lists, issues }
}
