// The one module that joins the stages: read → decode/validate → resolve/render
// → wrap → write. Pure: text in, text and issues out; the CLI does all I/O.

import { decodeImage, decodeMirrorSet, decodePolicy, emptyMirrorSets, refOf, roleOf } from './decode/resources.ts'
import { isObject } from './decode/read-fields.ts'
import { hasErrors, issue, sortIssues, type Issue } from './issues.ts'
import { outputBudgetMessage } from './limits.ts'
import { readInputs, type InputText, type ReadResult, type StreamDocument } from './io/read.ts'
import { writeResourceList, writeStream } from './io/write.ts'
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
import { renderNodeFiles, type RenderProblem } from './render/node-files.ts'
import { validateResources, type OwnedItem } from './validate/validate-resources.ts'
import { reviewIssues } from './review/guardrails.ts'
import { parseTargetRelease, releasePolicyIssues, targetReleaseIssues } from './review/release-policy.ts'
import { imageApiRulesOf } from './validate/image-rules.ts'
import { machineConfigAnnotations } from './wrap/annotations.ts'
import { isGeneratedMachineConfig, MAX_MACHINE_CONFIG_BYTES, wrapPoolMachineConfigs } from './wrap/machine-config.ts'

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

function problemIssue(problem: RenderProblem, imageRef: ResourceRef | undefined): Issue {
  const s = problem.subject
  if ('policy' in s) return issue(problem.severity, 'mco', problem.message, { resource: s.policy.ref, path: s.path ?? [] })
  if ('registries' in s) {
    return issue(problem.severity, 'registries', problem.message, imageRef !== undefined ? { resource: imageRef, path: s.path ?? [] } : {})
  }
  return issue(problem.severity, 'config', `releaseImage: ${problem.message}`)
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
  const present = values.map((v) => v !== undefined && v !== null)
  const generated = values.map(isGeneratedMachineConfig)

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

  // Every pool's MachineConfigs carry all the files: the budget's share for one pool.
  const maxBytes = input.maxOutputBytes !== undefined ? Math.floor(input.maxOutputBytes / Math.max(1, options.pools.length)) : undefined
  const rendered = renderNodeFiles({ policies, sources, mirrors, releaseImage: options.releaseImage, ordered: true, ...(maxBytes !== undefined ? { maxBytes } : {}) })
  if (rendered.overBudget !== undefined) {
    const pools = options.pools.length
    issues.push(issue('error', 'size', outputBudgetMessage(input.maxOutputBytes!, `the output (node files of more than ${rendered.overBudget.bytes} bytes, written once for each of ${pools} pool${pools === 1 ? '' : 's'})`)))
    return finish('')
  }
  files = rendered.files
  conflicts = rendered.conflicts
  for (const problem of rendered.problems) issues.push(problemIssue(problem, imageRef))
  for (const conflict of rendered.conflicts) {
    issues.push(
      issue('warning', 'scope-conflict', conflict.message, {
        resource: conflict.policy.ref,
        path: ['spec', 'scopes', conflict.policy.scopes.indexOf(conflict.scopes[0]!)],
      }),
    )
  }
  if (hasErrors(issues)) return finish(unchangedList())
  issues.push(...reviewIssues({ values, policies, ...(imageRef !== undefined ? { image: imageRef } : {}), files, conflicts, options }))
  issues.push(...releasePolicyIssues({ policies, files, options, reviewOnly: input.reviewOnly === true }))
  if (hasErrors(issues)) return finish(unchangedList())

  const machineConfigs: Record<string, unknown>[] = []
  const annotationInputs = { ...(imageRef !== undefined ? { image: imageRef } : {}), mirrorSets: mirrorSetRefs }
  const annotate = (group: readonly NodeFile[]) => machineConfigAnnotations(group, policies, annotationInputs)
  for (const pool of options.pools) {
    const wrapped = wrapPoolMachineConfigs(files, { pool, name: machineConfigName(options, pool), ignitionVersion: options.ignitionVersion }, annotate)
    machineConfigs.push(...wrapped.machineConfigs)
    if (pool !== options.pools[0]) continue
    for (const file of wrapped.oversized) {
      issues.push(
        issue(
          'error',
          'size',
          `node file ${file.path} (${file.bytes} bytes) does not fit in one MachineConfig: the limit is ${MAX_MACHINE_CONFIG_BYTES} bytes serialized, and a file is never split`,
        ),
      )
    }
  }
  if (hasErrors(issues)) return finish(unchangedList())
  // Per entry: a List is kept whole, whatever it holds.
  const keep = (i: number): boolean => {
    const value = entries[i]?.value
    return !isGeneratedMachineConfig(value) && !(roleOf(value) === 'policy' && !options.emitPolicies)
  }
  if (envelope.shape === 'ResourceList') {
    return finish(writeResourceList(envelope.document, keep, machineConfigs, sortIssues(issues)))
  }
  const kept: StreamDocument[] = envelope.documents.filter((_, i) => keep(i))
  return finish(writeStream(kept, machineConfigs))
}
