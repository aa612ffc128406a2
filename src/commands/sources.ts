// The sources of `check` and `render --write-machineconfigs`: files and
// directories of YAML, as the function reads them, or a kustomization
// directory, run through kustomize as `build` runs it (the same inputs the
// function and `build` take). Spawns kustomize and reads files (src/commands only).

import { existsSync, statSync } from 'node:fs'
import { basename, join, relative, resolve } from 'node:path'
import type { Argv } from 'yargs'
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

/** The kustomize flags of `check` and `render --write-machineconfigs`, as `diff` has them. */
export function withKustomizeOptions<T>(y: Argv<T>) {
  return y.option('kustomize-arg', { type: 'string', array: true, default: [] as string[] }).option('enable-alpha-plugins', { type: 'boolean', default: false })
}

/** Help lines for the kustomize flags (the wording of `diff --help`). */
export const KUSTOMIZE_OPTIONS_HELP = `  --enable-alpha-plugins       pass --enable-alpha-plugins to kustomize (for the ImagePolicyRenderer
                               transformer: install it first with imagepolicy-mc install-kustomize-plugin)
  --kustomize-arg=ARG          another kustomize argument (repeatable; write it with = when ARG starts with -)
`

/** The flags that take a value among the kustomize flags (for reading argv back). */
export const KUSTOMIZE_VALUE_FLAGS: readonly string[] = ['kustomize-arg']

/** The arguments the parsed kustomize flags add to the kustomize command line, in diff's order. */
export function kustomizeArgsFrom(parsed: Readonly<Record<string, unknown>>): string[] {
  const extra = parsed['kustomize-arg']
  return [...(parsed['enable-alpha-plugins'] === true ? ['--enable-alpha-plugins'] : []), ...(Array.isArray(extra) ? extra.map(String) : [])]
}

/** The kustomize command for DIR as a user types it (the tool's name, not its path on PATH), with the extra arguments. */
export function kustomizeCommandWords(dir: string, kustomizeArgs: readonly string[]): string[] {
  const command = kustomizeCommand(dir, process.env['PATH'])
  if (command === undefined) return ['kubectl', 'kustomize', dir, ...kustomizeArgs]
  return [basename(command.file), ...command.args, ...kustomizeArgs]
}

/** kustomize's output for a kustomization directory, within the budget; kustomize's stderr is passed on, escaped. */
async function kustomizeOutput(dir: string, budget: InputBudget, streams: Streams, kustomizeArgs: readonly string[]): Promise<InputText> {
  const command = kustomizeCommand(dir, process.env['PATH'])
  if (command === undefined) throw new InputError(`${dir} is a kustomization, but neither kustomize nor kubectl is on PATH`)
  const args = [...command.args, ...kustomizeArgs]
  const shown = shownCommand(command.file, args)
  const result = await runChild(command.file, args, { maxOutputBytes: budget.remaining })
  if (result.stderr.length > 0) streams.stderr.write(result.stderr.toString('utf8').replace(/\n$/, '').split('\n').map(escapeControls).join('\n') + '\n')
  if (result.status !== 0) {
    // kustomize names the plugin it refused, not the flag that allows it.
    const hint = !kustomizeArgs.includes('--enable-alpha-plugins') && /external plugins disabled/.test(result.stderr.toString('utf8'))
      ? '\nhint: the kustomization lists a plugin transformer (such as ImagePolicyRenderer): give --enable-alpha-plugins, with the plugin installed (imagepolicy-mc install-kustomize-plugin)'
      : ''
    throw new InputError(`${shown} failed (${result.signal !== null ? `killed by ${result.signal}` : `exit status ${String(result.status)}`})${hint}`)
  }
  budget.take(`output of ${shown}`, result.stdout.length)
  return { path: shown, text: decodeUtf8(result.stdout, `output of ${shown}`) }
}

/**
 * The input texts of `paths`: each kustomization directory through kustomize,
 * (with `kustomizeArgs` after the directory, as diff runs it), the other paths
 * read as the function reads them; stdin when there are none.
 */
export async function readSources(paths: readonly string[], budget: InputBudget, streams: Streams, kustomizeArgs: readonly string[] = []): Promise<InputText[]> {
  if (paths.length === 0) return [{ text: await readStdinText(streams, budget) }]
  const out: InputText[] = []
  for (const path of paths) {
    if (!existsSync(path)) throw new UsageError(`${path}: no such file or directory`)
    if (isKustomizationDir(path)) out.push(await kustomizeOutput(path, budget, streams, kustomizeArgs))
    else out.push(...readInputFiles([path], budget))
  }
  return out
}

/**
 * Why `out` (the committed output) must not be where it is, or undefined:
 * it is one of the source paths, or inside a source directory that is read as
 * YAML files (every file there is a source, so the output would be read back
 * as input, and a command writing it would overwrite a source).
 */
export function outputAmongSources(paths: readonly string[], out: string): string | undefined {
  const r = resolve(out)
  for (const path of paths) {
    const s = resolve(path)
    if (r === s) return `${out} is ${paths.length === 1 ? 'SOURCES' : `the source ${path}`} itself: keep the committed output outside the sources`
    let isDir = false
    try {
      isDir = statSync(s).isDirectory()
    } catch {
      continue
    }
    const rel = relative(s, r)
    if (isDir && !isKustomizationDir(path) && rel !== '' && !rel.startsWith('..') && !rel.startsWith('/')) {
      return `${out} is inside ${path}, whose YAML files are all sources: keep the committed output outside the sources`
    }
  }
  return undefined
}
