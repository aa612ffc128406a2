// The one module that joins the stages: read → decode/validate → resolve/render
// → wrap → write. Pure: text in, text and issues out; the CLI does all I/O.

import { decodeImage, decodeMirrorSet, decodePolicy, emptyMirrorSets, isEmptyDocument, notAResource, unservedKindIssue } from './decode/resources.ts'
import { refOf, roleOf } from './io/item-kinds.ts'
import { isObject } from './is-object.ts'
import { hasErrors, issue, sortIssues, type Issue } from './issues.ts'
import { outputBudgetMessage } from './limits.ts'
import { isList, parseOne, readInputs, type InputText, type ReadResult, type StreamDocument } from './io/read.ts'
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
import { resolve } from './resolve/resolve.ts'
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

/** `run` from the read stage on: the inputs as `readInputs` read them. */
export function runRead(read: ReadResult, input: Omit<RunInput, 'inputs'>): RunOutput {
  const issues: Issue[] = [...read.issues]
  const envelope = read.envelope

  const fromList = envelope.shape === 'ResourceList' ? decodeFunctionConfig(envelope.functionConfig) : { value: {}, issues: [] }
  const fromFile = input.functionConfig !== undefined ? decodeFunctionConfig(input.functionConfig) : { value: {}, issues: [] }
  issues.push(...fromList.issues, ...fromFile.issues)
  const options = mergeOptions(fromList.value, fromFile.value, input.flags ?? {})
  issues.push(...checkOptions(options))
  issues.push(...targetReleaseIssues(options))

  // Each entry (a stream document or a ResourceList item) passes through whole;
  // the resources in it, a List's items included, are what we decode.
  const entries = envelope.shape === 'ResourceList' ? envelope.items : envelope.documents
  const values: unknown[] = entries.flatMap((e) => e.resources)
  const present = values.map((v) => !isEmptyDocument(v))
  const generated = values.map(isGeneratedMachineConfig)
  for (const value of values) {
    const unserved = unservedKindIssue(value)
    if (unserved !== undefined) issues.push(unserved)
  }
  // (Only where every document could be read: one that could not has its own error.)
  if (!hasErrors(read.issues)) entries.forEach((entry, position) => {
    const source = 'source' in entry ? (entry as StreamDocument).source : undefined
    const file = { path: source?.path ?? (envelope.shape === 'ResourceList' ? 'items' : '<stdin>'), index: source?.index ?? position }
    for (const value of entry.resources) {
      const wrong = notAResource(value)
      if (wrong === undefined) continue
      // Named by what it has: a kind, else only where it is.
      const ref = refOf(value)
      const resource = ref !== undefined && ref.kind !== '' ? { ...ref, name: ref.name === '' ? '(no name)' : ref.name } : undefined
      issues.push(issue('error', 'input', resource === undefined && wrong.path.length > 0 ? `${wrong.path.join('.')}: ${wrong.message}` : wrong.message, { resource, path: resource === undefined ? [] : wrong.path, file }))
    }
  })

  const policies: PolicyResource[] = []
  let files: readonly NodeFile[] = []
  let conflicts: readonly ScopeConflict[] = []
  const finish = (output: string): RunOutput => {
    const sorted = sortIssues(issues)
    const failed = hasErrors(sorted) || (options.strict && sorted.some((i) => i.severity === 'warning'))
    const limit = input.maxOutputBytes
    if (!failed && limit !== undefined && output.length > limit) {
      issues.push(issue('error', 'size', outputBudgetMessage(limit, `the output (${output.length} characters)`)))
      return { issues: sortIssues(issues), options, files: [], policies, conflicts, output: '', exitCode: 1 }
    }
    const result = { issues: sorted, options, files: failed ? [] : files, policies, conflicts }
    if (failed && envelope.shape === 'stream') return { ...result, output: '', exitCode: 1 }
    return { ...result, output, exitCode: failed ? 1 : 0 }
  }
  const unchangedList = (): string =>
    envelope.shape === 'ResourceList' ? writeResourceList(envelope.document, () => true, [], sortIssues(issues)) : ''

  if (hasErrors(issues)) return finish(unchangedList())

  if (!options.allowEmpty && !values.some((_, i) => present[i] && !generated[i])) {
    issues.push(
      issue(
        'error',
        'input',
        'no resources in the input: refusing to emit only generated MachineConfigs (a failed producer upstream would make Argo CD prune the application); pass --allow-empty if this is intended',
      ),
    )
    return finish(unchangedList())
  }

  const role = values.map(roleOf)
  const owned: OwnedItem[] = []
  values.forEach((value, i) => {
    const r = role[i]!
    if (r !== 'other' && isObject(value)) owned.push({ value, ref: refOf(value)!, role: r })
  })
  // The Image CRD's registry-list rules depend on the target release (an unreadable one was refused above).
  const target = parseTargetRelease(options.targetRelease)
  const imageRules = imageApiRulesOf(typeof target === 'object' && 'error' in target ? 'latest' : target)
  issues.push(...validateResources(owned, options.validate, input.now ?? new Date(), imageRules))
  if (hasErrors(issues)) return finish(unchangedList())

  // Decode the kinds we own.
  const mirrors = emptyMirrorSets()
  let sources: RegistrySources = {}
  let imageRef: ResourceRef | undefined
  const mirrorSetRefs: ResourceRef[] = []
  values.forEach((value, i) => {
    if (!isObject(value)) return
    switch (role[i]) {
      case 'policy': {
        const decoded = decodePolicy(value)
        issues.push(...decoded.issues)
        if (decoded.policy !== undefined) policies.push(decoded.policy)
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
        if (imageRef !== undefined) {
          issues.push(issue('error', 'registries', 'duplicate Image cluster in the input', { resource: ref }))
          break
        }
        const decoded = decodeImage(value)
        issues.push(...decoded.issues)
        sources = decoded.sources
        imageRef = ref
        break
      }
      case 'mirror-set':
        issues.push(...decodeMirrorSet(value, mirrors))
        mirrorSetRefs.push(refOf(value)!)
        break
      default:
        break
    }
  })
  if (hasErrors(issues)) return finish(unchangedList())

  const resolvedInput = resolve({
    policies,
    sources,
    mirrors,
    releaseImage: options.releaseImage,
    ordered: true,
    ...(imageRef !== undefined ? { image: imageRef } : {}),
    mirrorSetRefs,
  })
  conflicts = resolvedInput.conflicts
  issues.push(...resolvedInput.issues)
  const resolved = resolvedInput.value
  if (resolved === undefined || hasErrors(issues)) return finish(unchangedList())

  // Every pool's MachineConfigs carry all the files: the budget's share for one pool.
  const maxBytes = input.maxOutputBytes !== undefined ? Math.floor(input.maxOutputBytes / Math.max(1, options.pools.length)) : undefined
  const rendered = renderNodeFiles(resolved, maxBytes !== undefined ? { maxBytes } : {})
  if (rendered.overBudget !== undefined) {
    const pools = options.pools.length
    issues.push(issue('error', 'size', outputBudgetMessage(input.maxOutputBytes!, `the output (node files of more than ${rendered.overBudget.bytes} bytes, written once for each of ${pools} pool${pools === 1 ? '' : 's'})`)))
    return finish('')
  }
  files = rendered.files
  issues.push(...rendered.issues)
  if (hasErrors(issues)) return finish(unchangedList())
  issues.push(...reviewIssues({ values, resolved, files, options }))
  issues.push(...releasePolicyIssues({ policies, files, options, reviewOnly: input.reviewOnly === true }))
  if (hasErrors(issues)) return finish(unchangedList())

  const machineConfigs: Record<string, unknown>[] = []
  const annotationInputs = { ...(imageRef !== undefined ? { image: imageRef } : {}), mirrorSets: mirrorSetRefs, isClusterScoped: resolved.isClusterScoped }
  const annotate = (group: readonly NodeFile[]) => machineConfigAnnotations(group, policies, annotationInputs)
  const wrappedPools: { pool: string; wrapped: PoolMachineConfigs }[] = []
  for (const pool of options.pools) {
    const wrapped = wrapPoolMachineConfigs(
      files,
      { pool, name: machineConfigName(options, pool), ignitionVersion: options.ignitionVersion, compress: options.compress },
      annotate,
    )
    machineConfigs.push(...wrapped.machineConfigs)
    wrappedPools.push({ pool, wrapped })
  }
  issues.push(...sizeIssues(wrappedPools, options))
  if (hasErrors(issues)) return finish(unchangedList())
  const replaced = replacedMachineConfigs(envelope, new Set(machineConfigs.map((mc) => (mc['metadata'] as { name: string }).name)))
  issues.push(...replaced.issues)
  if (hasErrors(issues)) return finish(unchangedList())
  // Per entry: a List is kept, without the MachineConfigs of ours it held.
  const keep = (i: number): boolean => {
    const value = entries[i]?.value
    return !replaced.entries.has(i) && !(roleOf(value) === 'policy' && !options.emitPolicies)
  }
  if (envelope.shape === 'ResourceList') {
    return finish(writeResourceList(envelope.document, keep, machineConfigs, sortIssues(issues)))
  }
  const kept: StreamDocument[] = envelope.documents.flatMap((d, i) => {
    if (!keep(i)) return []
    const text = replaced.lists.get(i)
    return text === undefined ? [d] : [{ ...d, text }]
  })
  return finish(writeStream(kept, machineConfigs))
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
