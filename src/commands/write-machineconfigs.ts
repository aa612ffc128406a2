// `render --write-machineconfigs DIR` and the rendering `check` compares with:
// the MachineConfigs the function prints for the sources, each as the document
// it prints (the same bytes), rendered as for applying (not for review: a
// missing release policy is an error, as in the function). Touches the
// filesystem and spawns kustomize through sources.ts (src/commands only).

import type { Streams } from '../cli/context.ts'
import { InputError } from '../cli/errors.ts'
import { configFlag, limitsFrom, toFunctionArgs } from '../cli/flags.ts'
import { InputBudget, readFunctionConfig } from '../cli/inputs.ts'
import type { MachineConfigDocument } from '../diff/committed-machine-configs.ts'
import { formatIssue } from '../issues.ts'
import { run } from '../run.ts'
import { generatedDocuments, writeMachineConfigDir } from './machine-config-dir.ts'
import { kustomizeArgsFrom, readSources } from './sources.ts'

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
  if (result.exitCode !== 0) return { exitCode: 1, documents: [] }
  const read = generatedDocuments(result.output, (name) => where(name))
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
