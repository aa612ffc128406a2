// Command `render`: the node files exactly as a node would hold them, written
// under a directory (so `git diff` and `cat` work on them) or printed one after
// another. Also holds what `explain` and `diff` share with it: the renderer's
// option flags and reading the input. Touches the filesystem (allowed in
// src/commands only).

import yargs, { type Argv } from 'yargs'
import type { Streams } from '../cli/context.ts'
import { edgeErrorLine, InputError, IssueError, UsageError } from '../cli/errors.ts'
import { configFlag, inlineBooleanValues, limitsFrom, toFunctionArgs, withTableOptions } from '../cli/flags.ts'
import { InputBudget, readFunctionConfig as readConfigFile, readInputFiles, readStdinText } from '../cli/inputs.ts'
import { reportIssueError } from '../cli/run-function.ts'
import type { InputText } from '../io/read.ts'
import { escapeControls, formatIssue } from '../issues.ts'
import { DEFAULT_LIMITS, outputBudgetMessage, type Limits } from '../limits.ts'
import { writeNodeTree } from './node-tree.ts'
import type { NodeFile } from '../model.ts'
import { optionsHelp } from '../option-table.ts'
import type { PartialOptions } from '../options.ts'
import { run, type RunOutput } from '../run.ts'
import { KUSTOMIZE_OPTIONS_HELP, kustomizeArgsFrom, withKustomizeOptions } from './sources.ts'
import { writeMachineConfigs } from './write-machineconfigs.ts'

/** The renderer's own options, as `imagepolicy-mc` takes them (from the option table). */
export function withRendererOptions<T>(y: Argv<T>): Argv<T> {
  return withTableOptions(y)
}

/** Help text for the renderer options (yargs' own help would go to the console, not to our streams). */
export const RENDERER_OPTIONS_HELP = `Renderer options (as for imagepolicy-mc):
${optionsHelp()}`

/** The parsed renderer flags, ready for `run()`; a bad value is an IssueError, a bad limit a UsageError. */
export function rendererFlags(parsed: Readonly<Record<string, unknown>>): PartialOptions {
  return toFunctionArgs(parsed, []).flags
}

/** Parses a subcommand's arguments with yargs, as the main command does; usage errors become `UsageError`. */
export async function parseCommandArgs<T>(argv: readonly string[], configure: (y: Argv) => Argv<T>): Promise<T & { _: (string | number)[] }> {
  const y = configure(yargs([...argv]))
    .strictOptions()
    .help(false)
    .version(false)
    .exitProcess(false)
    .fail((msg, err) => {
      throw new UsageError(msg ?? err?.message ?? 'invalid arguments')
    })
    .wrap(100)
  const parsed = (await y.parseAsync()) as T & { _: (string | number)[] }
  return Object.assign(parsed, inlineBooleanValues(argv))
}

/** The parsed --max-input-bytes and --max-output-bytes (usage error when malformed). */
export function commandLimits(parsed: Readonly<Record<string, unknown>>): Limits {
  return limitsFrom(parsed)
}

/** Reads a `--config FILE` functionConfig within the budget; undefined without one. */
export function readFunctionConfig(config: string | undefined, budget: InputBudget = new InputBudget(DEFAULT_LIMITS.maxInputBytes)): unknown {
  return config === undefined ? undefined : readConfigFile(config, budget)
}

/** Reads the inputs (files and directories, or stdin) and the `--config` file, within one input budget. */
export async function readRendererInputs(paths: readonly string[], config: string | undefined, streams: Streams, budget: InputBudget = new InputBudget(DEFAULT_LIMITS.maxInputBytes)): Promise<{ inputs: InputText[]; functionConfig?: unknown }> {
  const inputs: InputText[] = paths.length > 0 ? readInputFiles(paths, budget) : [{ text: await readStdinText(streams, budget) }]
  const functionConfig = readFunctionConfig(config, budget)
  return { inputs, ...(functionConfig !== undefined ? { functionConfig } : {}) }
}

/** Runs the renderer as the main command would, printing its issues to stderr. */
export async function renderForCommand(
  parsed: Readonly<Record<string, unknown>> & { _: (string | number)[] },
  paths: readonly string[],
  streams: Streams,
): Promise<RunOutput> {
  const limits = commandLimits(parsed)
  const flags = rendererFlags(parsed)
  const read = await readRendererInputs(paths, configFlag(parsed), streams, new InputBudget(limits.maxInputBytes))
  const result = run({ inputs: read.inputs, ...(read.functionConfig !== undefined ? { functionConfig: read.functionConfig } : {}), flags, reviewOnly: true, maxOutputBytes: limits.maxOutputBytes })
  for (const i of result.issues) streams.stderr.write(formatIssue(i) + '\n')
  return result
}

/** True when the arguments ask for help (printed by the command itself, on the injected stdout). */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h')
}

/** For a renderer subcommand: when argv asks for help, prints `usage`, the renderer options and `more` lines; true when it did. */
export function printedHelp(argv: readonly string[], streams: Streams, usage: string, more = ''): boolean {
  if (!wantsHelp(argv)) return false
  streams.stdout.write(`${usage}\n\n${RENDERER_OPTIONS_HELP}\n${more}`)
  return true
}

/**
 * The head of `text` that fits in `limit` bytes (UTF-8), cut after a whole
 * line, or all of it; `cut` says whether it was cut and how long it was.
 */
export function cutToBudget(text: string, limit: number): { text: string; cut: boolean; bytes: number } {
  const bytes = Buffer.byteLength(text, 'utf8')
  if (bytes <= limit) return { text, cut: false, bytes }
  const head = Buffer.from(text, 'utf8').subarray(0, limit)
  // A newline is one byte that is never inside a UTF-8 sequence: cutting after it splits no character.
  return { text: head.subarray(0, head.lastIndexOf(0x0a) + 1).toString('utf8'), cut: true, bytes }
}

/**
 * Writes text that holds repository content (node-file diffs) to stdout: each
 * line escaped (escapeControls), so none reaches a terminal as a control
 * sequence, and cut after the last whole line within `limit` bytes
 * (--max-output-bytes), with a stderr line saying how much was shown.
 */
export function writeBoundedText(command: string, text: string, limit: number, streams: Streams): void {
  const out = cutToBudget(text.split('\n').map(escapeControls).join('\n'), limit)
  streams.stdout.write(out.text)
  if (out.cut) {
    streams.stderr.write(`imagepolicy-mc ${command}: the node-file diff on stdout is cut after ${Buffer.byteLength(out.text, 'utf8')} of its ${out.bytes} bytes (the output budget of ${limit} bytes, --max-output-bytes); raise it with --max-output-bytes to see all of it\n`)
  }
}

/** Runs a command body, turning usage and input errors into messages and exit codes 2 and 1. */
export async function guarded(command: string, streams: Streams, body: () => Promise<number>): Promise<number> {
  try {
    return await body()
  } catch (e) {
    // Bad option values: the lines the same values get on every path (src/option-table.ts).
    if (e instanceof IssueError) return reportIssueError(e, streams)
    const edge = edgeErrorLine(e)
    if (edge === undefined) throw e
    // An InputError may carry several formatted issue lines (a bad --config): each stays a line.
    const lines = e instanceof InputError ? e.message.split('\n').map(escapeControls).join('\n') : escapeControls(edge.line)
    streams.stderr.write(`imagepolicy-mc ${command}: ${lines}\n${edge.code === 2 ? `Run imagepolicy-mc ${command} --help for usage.\n` : ''}`)
    return edge.code
  }
}

/** The node files, printed one after another, each under a `==> path <==` header (as `head` prints several files). */
export function formatNodeFiles(files: readonly NodeFile[]): string {
  return files
    .map((f) => {
      const newline = f.contents.endsWith('\n')
      return `==> ${f.path}${newline ? '' : ' (no newline at end of file)'} <==\n${f.contents}${newline ? '' : '\n'}`
    })
    .join('\n')
}

/**
 * Writes the node files below `dir` (DIR/etc/...), so DIR holds exactly what a
 * node would, and says what changed. See src/commands/node-tree.ts: links in the
 * output tree are never followed, and the tree is replaced in one rename.
 */
export function writeNodeFiles(dir: string, files: readonly NodeFile[]): { written: string[]; removed: string[] } {
  return writeNodeTree(dir, files)
}

export const RENDER_USAGE = `imagepolicy-mc render [PATH...] [--out DIR] [options]
       imagepolicy-mc render --write-machineconfigs DIR [PATH...] [options]

Renders the node files exactly as a node would hold them:
/etc/containers/policy.json, /etc/containers/registries.d/sigstore-registries.yaml
and /etc/crio/policies/<namespace>.json. Input and options as for imagepolicy-mc
(stdin when no PATH is given).

With --out DIR, writes DIR/etc/... (and removes files there that are no longer
rendered), so that git diff and cat work on them; prints the paths written.
Without it, prints the files one after another, each under a "==> path <==" header.

With --write-machineconfigs DIR, writes the MachineConfigs instead, for teams
that commit them (Flux, kubectl apply -k): DIR/<name>.yaml each, the same bytes
as the function's output documents, and DIR/kustomization.yaml listing them.
Rendered as for applying (as the function and build do); a PATH that is a
kustomization directory is run through kustomize, as build does (with
--enable-alpha-plugins and --kustomize-arg=ARG, as diff takes them). Files of an
earlier run that are no longer rendered are removed; a file in DIR that
imagepolicy-mc did not write is an error (DIR is left as it was). Check the
committed output with imagepolicy-mc check.`

export async function renderCommand(argv: readonly string[], streams: Streams): Promise<number> {
  if (printedHelp(argv, streams, RENDER_USAGE, `  ${'--out DIR'.padEnd(25)} write the files below DIR instead of printing them\n  ${'--write-machineconfigs DIR'.padEnd(25)} write the MachineConfigs to DIR, one <name>.yaml each, and DIR/kustomization.yaml\nWith --write-machineconfigs (for a kustomization PATH):\n${KUSTOMIZE_OPTIONS_HELP}`)) return 0
  return guarded('render', streams, async () => {
    const parsed = await parseCommandArgs(argv, (y) =>
      withKustomizeOptions(withRendererOptions(y).option('out', { type: 'string' }).option('write-machineconfigs', { type: 'string' })),
    )
    if (parsed.out === '') throw new UsageError('--out must not be empty')
    const machineConfigDir = parsed['write-machineconfigs']
    if (machineConfigDir !== undefined) {
      if (Array.isArray(machineConfigDir)) throw new UsageError('--write-machineconfigs: given more than once')
      if (machineConfigDir === '') throw new UsageError('--write-machineconfigs must not be empty')
      if (parsed.out !== undefined) throw new UsageError('--out and --write-machineconfigs write different things: give one of them')
      return writeMachineConfigs(parsed, parsed._.map(String), machineConfigDir, streams)
    }
    // Without --write-machineconfigs, render reads files (never a kustomization): a kustomize flag would be ignored.
    if (kustomizeArgsFrom(parsed).length > 0) throw new UsageError('--enable-alpha-plugins and --kustomize-arg go with --write-machineconfigs (only it runs kustomize); for another kustomization use imagepolicy-mc diff or build')
    const result = await renderForCommand(parsed, parsed._.map(String), streams)
    if (result.exitCode !== 0) return result.exitCode
    if (parsed.out === undefined) {
      if (result.files.length === 0) streams.stderr.write('imagepolicy-mc render: no node files: the MachineConfigs carry no files (no policies and no registry settings)\n')
      const text = formatNodeFiles(result.files)
      const limit = commandLimits(parsed).maxOutputBytes
      if (text.length > limit) throw new InputError(outputBudgetMessage(limit, `the output (node files of ${text.length} characters)`))
      streams.stdout.write(text)
      return 0
    }
    const changed = writeNodeFiles(parsed.out, result.files)
    for (const p of changed.removed) streams.stdout.write(`removed ${p}\n`)
    for (const p of changed.written) streams.stdout.write(`wrote ${p}\n`)
    return 0
  })
}
