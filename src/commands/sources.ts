// The sources of `check` and `render --write-machineconfigs`: files and
// directories of YAML, as the function reads them, or a kustomization
// directory, run through kustomize as `build` runs it (the same inputs the
// function and `build` take). Spawns kustomize and reads files (src/commands only).

import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { Streams } from '../cli/context.ts'
import { InputError, UsageError } from '../cli/errors.ts'
import { decodeUtf8, InputBudget, readInputFiles, readStdinText } from '../cli/inputs.ts'
import type { InputText } from '../io/read.ts'
import { escapeControls } from '../issues.ts'
import { kustomizeCommand } from './build.ts'
import { runChild, shownCommand } from './child-process.ts'

/** A directory holding a kustomization file: kustomize reads it, not we. */
export function isKustomizationDir(path: string): boolean {
  try {
    if (!statSync(path).isDirectory()) return false
  } catch {
    return false
  }
  return ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].some((f) => existsSync(join(path, f)))
}

/** kustomize's output for a kustomization directory, within the budget; kustomize's stderr is passed on, escaped. */
async function kustomizeOutput(dir: string, budget: InputBudget, streams: Streams): Promise<InputText> {
  const command = kustomizeCommand(dir, process.env['PATH'])
  if (command === undefined) throw new InputError(`${dir} is a kustomization, but neither kustomize nor kubectl is on PATH`)
  const shown = shownCommand(command.file, command.args)
  const result = await runChild(command.file, command.args, { maxOutputBytes: budget.remaining })
  if (result.stderr.length > 0) streams.stderr.write(result.stderr.toString('utf8').replace(/\n$/, '').split('\n').map(escapeControls).join('\n') + '\n')
  if (result.status !== 0) {
    throw new InputError(`${shown} failed (${result.signal !== null ? `killed by ${result.signal}` : `exit status ${String(result.status)}`})`)
  }
  budget.take(`output of ${shown}`, result.stdout.length)
  return { path: shown, text: decodeUtf8(result.stdout, `output of ${shown}`) }
}

/**
 * The input texts of `paths`: each kustomization directory through kustomize,
 * the other paths read as the function reads them; stdin when there are none.
 */
export async function readSources(paths: readonly string[], budget: InputBudget, streams: Streams): Promise<InputText[]> {
  if (paths.length === 0) return [{ text: await readStdinText(streams, budget) }]
  const out: InputText[] = []
  for (const path of paths) {
    if (!existsSync(path)) throw new UsageError(`${path}: no such file or directory`)
    if (isKustomizationDir(path)) out.push(await kustomizeOutput(path, budget, streams))
    else out.push(...readInputFiles([path], budget))
  }
  return out
}
