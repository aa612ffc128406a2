// `render --write-machineconfigs DIR` and the rendering `check` compares with:
// the MachineConfigs the function prints for the sources, each as the document
// it prints (the same bytes), rendered as for applying (not for review: a
// missing release policy is an error, as in the function). Touches the
// filesystem and spawns kustomize through sources.ts (src/commands only).

import type { Streams } from '../cli/context.ts'
import { InputError } from '../cli/errors.ts'
import { configFlag, limitsFrom, toFunctionArgs } from '../cli/flags.ts'
import { InputBudget, readFunctionConfig } from '../cli/inputs.ts'
import { firstDifference, type MachineConfigDocument } from '../diff/committed-machine-configs.ts'
import type { InputText } from '../io/read.ts'
import { formatIssue, issue, toFieldPath, type Issue } from '../issues.ts'
import { GENERATED_BY_ANNOTATION } from '../wrap/machine-config.ts'
import { run } from '../run.ts'
import { generatedDocuments, writeMachineConfigDir } from './machine-config-dir.ts'
import { kustomizeArgsFrom, readSources } from './sources.ts'

/** The MachineConfigs imagepolicy-mc generated that the inputs already hold: a kustomization's ImagePolicyRenderer transformer ran. */
function transformerMachineConfigs(inputs: readonly InputText[]): MachineConfigDocument[] {
  return inputs.filter((i) => i.text.includes(GENERATED_BY_ANNOTATION)).flatMap((i) => generatedDocuments(i.text, (name) => name).documents)
}

/**
 * When the sources' transformer rendered MachineConfigs, this run renders them
 * again with its own options and replaces them (as the function does). Options
 * other than the transformer's would commit MachineConfigs other than those
 * Argo CD applies with the plugin: a warning per MachineConfig that differs.
 */
export function transformerIssues(fromTransformer: readonly MachineConfigDocument[], rendered: readonly MachineConfigDocument[] | undefined): Issue[] {
  if (fromTransformer.length === 0) return []
  const advice = 'give the options the transformer has (--config with its config file), so that what is committed is what the plugin renders'
  if (rendered === undefined) {
    return [issue('info', 'config', `the kustomize output already holds MachineConfigs the ImagePolicyRenderer transformer rendered (${fromTransformer.map((d) => d.name).join(', ')}); they are rendered again with these options, which replace them: ${advice}`)]
  }
  const now = new Map(rendered.map((d) => [d.name, d]))
  return fromTransformer.flatMap((d) => {
    const again = now.get(d.name)
    const at = again === undefined ? undefined : firstDifference(d.value, again.value)
    if (again !== undefined && at === undefined) return []
    const how = again === undefined ? 'is not rendered with these options' : `differs from the one these options render (at ${at!.length > 0 ? toFieldPath(at!) : 'the document'})`
    return [issue('warning', 'config', `the kustomization's ImagePolicyRenderer transformer rendered this MachineConfig, and it ${how}: ${advice}`, { resource: { apiVersion: 'machineconfiguration.openshift.io/v1', kind: 'MachineConfig', name: d.name } })]
  })
}

/**
 * Renders the sources (files, directories, kustomization directories, run
 * through kustomize with the parsed kustomize flags; stdin when none) with the
 * parsed renderer flags, prints the issues to stderr, and
 * returns the generated MachineConfigs as documents (`where` names each).
 */
export async function renderMachineConfigDocuments(
  parsed: Readonly<Record<string, unknown>>,
  paths: readonly string[],
  streams: Streams,
  where: (name: string) => string,
): Promise<{ exitCode: 0 | 1; documents: MachineConfigDocument[] }> {
  const limits = limitsFrom(parsed)
  const flags = toFunctionArgs(parsed, []).flags
  const budget = new InputBudget(limits.maxInputBytes)
  const inputs = await readSources(paths, budget, streams, kustomizeArgsFrom(parsed))
  const config = configFlag(parsed)
  const functionConfig = config !== undefined ? readFunctionConfig(config, budget) : undefined
  const result = run({ inputs, ...(functionConfig !== undefined ? { functionConfig } : {}), flags, maxOutputBytes: limits.maxOutputBytes })
  for (const i of result.issues) streams.stderr.write(formatIssue(i) + '\n')
  const fromTransformer = transformerMachineConfigs(inputs)
  if (result.exitCode !== 0) {
    for (const i of transformerIssues(fromTransformer, undefined)) streams.stderr.write(formatIssue(i) + '\n')
    return { exitCode: 1, documents: [] }
  }
  const read = generatedDocuments(result.output, (name) => where(name))
  for (const i of transformerIssues(fromTransformer, read.documents)) streams.stderr.write(formatIssue(i) + '\n')
  if (read.documents.length === 0) {
    // Only a ResourceList in gives no MachineConfig documents out (every pool gets one).
    throw new InputError('the input is a ResourceList: give the manifests themselves (files, directories or a kustomization directory)')
  }
  return { exitCode: 0, documents: read.documents }
}

/** `render --write-machineconfigs DIR`: renders, writes DIR, prints what changed. */
export async function writeMachineConfigs(parsed: Readonly<Record<string, unknown>>, paths: readonly string[], dir: string, streams: Streams): Promise<number> {
  const rendered = await renderMachineConfigDocuments(parsed, paths, streams, (name) => `${dir}/${name}.yaml`)
  if (rendered.exitCode !== 0) return rendered.exitCode
  const changed = writeMachineConfigDir(dir, rendered.documents, new InputBudget(limitsFrom(parsed).maxInputBytes))
  for (const p of changed.removed) streams.stdout.write(`removed ${p}\n`)
  for (const p of changed.written) streams.stdout.write(`wrote ${p}\n`)
  return 0
}
