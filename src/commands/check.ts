// Command `check SOURCES RENDERED`: is the committed output current? For teams
// that cannot run plugins (Flux's kustomize-controller, plain `kubectl apply
// -k`) and commit the rendered MachineConfigs: renders SOURCES as the function
// would and compares with the MachineConfigs at RENDERED (a directory written
// by `render --write-machineconfigs`, or a file holding the function's output).
// Exit 0 when identical; exit 1 with one line per problem, the node-file diff
// and the command that regenerates RENDERED. Reads files and spawns kustomize
// (src/commands only); never writes.

import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from 'node:fs'
import { join } from 'node:path'
import type { Streams } from '../cli/context.ts'
import { describeFsError, InputError, UsageError } from '../cli/errors.ts'
import { VALUE_FLAGS } from '../cli/flags.ts'
import { InputBudget } from '../cli/inputs.ts'
import { compareMachineConfigs, formatCheckProblem, type MachineConfigDocument } from '../diff/committed-machine-configs.ts'
import { formatDiffText } from '../diff/format-diff.ts'
import { escapeControls } from '../issues.ts'
import { generatedDocuments, KUSTOMIZATION_FILE, KUSTOMIZATION_HEADER, kustomizationText, readMachineConfigDir, readOwnFile } from './machine-config-dir.ts'
import { commandLimits, guarded, parseCommandArgs, printedHelp, withRendererOptions, writeBoundedText } from './render.ts'
import { isKustomizationDir, KUSTOMIZE_OPTIONS_HELP, outputAmongSources, KUSTOMIZE_VALUE_FLAGS, kustomizeArgsFrom, kustomizeCommandWords, withKustomizeOptions } from './sources.ts'
import { renderMachineConfigDocuments } from './write-machineconfigs.ts'

export const CHECK_USAGE = `imagepolicy-mc check SOURCES RENDERED [options]

Renders SOURCES (a file, a directory of YAML files, or a kustomization
directory, run through kustomize as build does) as imagepolicy-mc would, and
compares the generated MachineConfigs with those committed at RENDERED:
  - a directory written by imagepolicy-mc render --write-machineconfigs
    (one <MachineConfig name>.yaml each, and kustomization.yaml), or
  - a file (.yaml, .yml, .json) holding imagepolicy-mc's output; its other
    documents are not compared.
Exit 0 when they are identical. Exit 1 when a MachineConfig is stale, missing,
extra or was edited by hand (its node files no longer match the sha256 in its
annotation, or it differs from what imagepolicy-mc writes), with one line per
problem naming the MachineConfig and file, the node-file diff (decompressed) on
stdout (at most --max-output-bytes of it: cut at a line, and stderr says so),
and the command that regenerates RENDERED. Give the options RENDERED was
rendered with (or the same --config file), and for a kustomization SOURCES
the kustomize options (below) it needs.`

/** A word a POSIX shell reads back as itself. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_./,:=@%+-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`
}

/** The arguments that are options (and their values), in the order given: argv without the positional words. */
export function optionArguments(argv: readonly string[]): string[] {
  return optionGroups(argv).flat()
}

/** Each option with its value (one or two words), in the order given. */
function optionGroups(argv: readonly string[]): string[][] {
  const out: string[][] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--') break
    if (!a.startsWith('-') || a === '-') continue
    const takesValue = !a.includes('=') && [...VALUE_FLAGS, ...KUSTOMIZE_VALUE_FLAGS].some((f) => a === `--${f}`)
    out.push(takesValue && i + 1 < argv.length ? [a, argv[++i]!] : [a])
  }
  return out
}

/** `--enable-alpha-plugins`, `--kustomize-arg` (any spelling yargs reads as them): options for kustomize, not for the renderer. */
function isKustomizeOption(a: string): boolean {
  return /^--(no-)?(enable-alpha-plugins|enableAlphaPlugins|kustomize-arg|kustomizeArg)(=|$)/.test(a)
}

/**
 * The command that writes RENDERED afresh from SOURCES with the same options
 * (`options` as given, `kustomizeArgs` as kustomize gets them). For a file of
 * a kustomization's output with kustomize arguments: kustomize piped into
 * imagepolicy-mc, since build takes none.
 */
export function regenerateCommand(sources: string, rendered: string, asDirectory: boolean, options: readonly string[], kustomizeArgs: readonly string[] = []): string {
  if (asDirectory) return ['imagepolicy-mc', 'render', '--write-machineconfigs', shellWord(rendered), shellWord(sources), ...options.map(shellWord)].join(' ')
  const groups = optionGroups(options)
  const opts = groups.filter((g) => !isKustomizeOption(g[0]!)).flat().map(shellWord)
  // Written beside RENDERED and moved over it only when the run succeeds: a plain `> RENDERED`
  // empties the committed file first, and a failed run (exit 1, nothing on stdout) would leave it empty.
  const tail = [...opts, '>', shellWord(`${rendered}.new`), '&&', 'mv', shellWord(`${rendered}.new`), shellWord(rendered)]
  if (!isKustomizationDir(sources)) return ['imagepolicy-mc', shellWord(sources), ...tail].join(' ')
  if (kustomizeArgs.length === 0) return ['imagepolicy-mc', 'build', shellWord(sources), ...tail].join(' ')
  return [...kustomizeCommandWords(sources, kustomizeArgs).map(shellWord), '|', 'imagepolicy-mc', ...tail].join(' ')
}

type Layout = { readonly kind: 'directory' } | { readonly kind: 'file' } | { readonly kind: 'absent'; readonly asDirectory: boolean }

function layoutOf(rendered: string): Layout {
  let stat
  try {
    stat = lstatSync(rendered)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new InputError(`${rendered}: ${describeFsError(e)}`)
    return { kind: 'absent', asDirectory: !/\.(ya?ml|json)$/i.test(rendered) }
  }
  // The repository is untrusted: a RENDERED that is a link could show the diff of any file.
  if (stat.isSymbolicLink()) throw new InputError(`${rendered} is a symbolic link: check never follows links to the committed output; give the path it points to`)
  if (stat.isDirectory()) return { kind: 'directory' }
  if (stat.isFile()) return { kind: 'file' }
  throw new InputError(`${rendered}: not a regular file or directory`)
}

/** The committed MachineConfigs at RENDERED, and the lines for what there is not ours or not readable. */
function readCommitted(rendered: string, layout: Layout, budget: InputBudget, expectedNames: readonly string[]): { documents: MachineConfigDocument[]; lines: string[]; notOutput?: boolean; foreign?: boolean } {
  if (layout.kind === 'absent') return { documents: [], lines: [] }
  if (layout.kind === 'file') {
    const read = generatedDocuments(readOwnFile(rendered, rendered, budget), (_, index) => `${rendered}#${index}`, rendered)
    const lines = read.unreadable.map((m) => `${rendered}: unreadable: ${m}`)
    // Documents, none of them ours: most likely a source given as RENDERED, which the regenerate command would overwrite.
    const notOutput = read.documents.length === 0 && read.others > 0
    if (notOutput) lines.push(`${rendered}: holds ${read.others} document${read.others === 1 ? '' : 's'} and no MachineConfig imagepolicy-mc generated: it is not imagepolicy-mc's output (a source?)`)
    return { documents: read.documents, lines, ...(notOutput ? { notOutput } : {}) }
  }
  const dir = readMachineConfigDir(rendered, budget)
  const lines = dir.foreign.map((f) => `${f} (render --write-machineconfigs refuses a directory holding it)`)
  const want = kustomizationText(expectedNames)
  const k = `${rendered}/${KUSTOMIZATION_FILE}`
  if (dir.kustomization === undefined) {
    if (!dir.foreign.some((f) => f.startsWith(`${k}:`))) lines.push(`${k}: missing: it lists the MachineConfig files for kubectl apply -k and Flux`)
  } else if (dir.kustomization !== want) {
    const listed = [...dir.kustomization.matchAll(/^- (\S+)\.yaml$/gm)].map((m) => m[1])
    lines.push(
      listed.join('\n') === expectedNames.join('\n')
        ? `${k}: hand-edited: lists the MachineConfigs rendered, but its text is not what imagepolicy-mc writes`
        : `${k}: stale: does not list exactly the MachineConfigs rendered (${expectedNames.join(', ')})`,
    )
  }
  return { documents: [...dir.machineConfigs], lines, ...(dir.foreign.length > 0 ? { foreign: true } : {}) }
}

/** Whether the file is a regular file whose first line is our kustomization header (never through a link; false when unreadable). */
function startsWithOurHeader(path: string): boolean {
  let fd: number | undefined
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY)
    if (!fstatSync(fd).isFile()) return false
    const head = Buffer.alloc(KUSTOMIZATION_HEADER.length + 1)
    const n = readSync(fd, head, 0, head.length, 0)
    return /^\r?\n?$/.test(head.subarray(KUSTOMIZATION_HEADER.length, n).toString('latin1')) && head.subarray(0, KUSTOMIZATION_HEADER.length).toString('utf8') === KUSTOMIZATION_HEADER
  } catch {
    return false
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/**
 * SOURCES and RENDERED given the wrong way round, or RENDERED among the files
 * SOURCES reads (it would be read as a source, and the printed command would
 * overwrite a source): usage errors, before anything is rendered.
 */
function checkPlaces(sources: string, rendered: string): void {
  if (isKustomizationDir(sources) && startsWithOurHeader(join(sources, KUSTOMIZATION_FILE))) {
    throw new UsageError(`${sources} is a directory render --write-machineconfigs wrote (its ${KUSTOMIZATION_FILE} says so): give SOURCES first, then RENDERED`)
  }
  const among = outputAmongSources([sources], rendered)
  if (among !== undefined) throw new UsageError(among)
}

export async function checkCommand(argv: readonly string[], streams: Streams): Promise<number> {
  if (printedHelp(argv, streams, CHECK_USAGE, `For a kustomization SOURCES:\n${KUSTOMIZE_OPTIONS_HELP}`)) return 0
  return guarded('check', streams, async () => {
    const parsed = await parseCommandArgs(argv, (y) => withKustomizeOptions(withRendererOptions(y)))
    const positional = parsed._.map(String)
    if (positional.length !== 2) throw new UsageError(`expected SOURCES and RENDERED, got ${positional.length} argument(s)`)
    const [sources, rendered] = positional as [string, string]
    checkPlaces(sources, rendered)
    const layout = layoutOf(rendered)
    const asDirectory = layout.kind === 'directory' || (layout.kind === 'absent' && layout.asDirectory)
    const where = (name: string) => (asDirectory ? `${rendered}/${name}.yaml` : rendered)
    const expected = await renderMachineConfigDocuments(parsed, [sources], streams, where)
    if (expected.exitCode !== 0) {
      streams.stderr.write(`imagepolicy-mc check: rendering ${escapeControls(sources)} failed: nothing compared\n`)
      return 1
    }
    const names = expected.documents.map((d) => d.name)
    const committed = readCommitted(rendered, layout, new InputBudget(commandLimits(parsed).maxInputBytes), names)
    const report = compareMachineConfigs(expected.documents, committed.documents)
    const lines = [...(layout.kind === 'absent' ? [`${rendered}: missing: no such ${asDirectory ? 'directory' : 'file'}`] : []), ...committed.lines, ...report.problems.map(formatCheckProblem)]
    if (lines.length === 0) {
      streams.stdout.write(`imagepolicy-mc check: ${rendered} is current (${names.length} MachineConfig${names.length === 1 ? '' : 's'}: ${names.join(', ')})\n`)
      return 0
    }
    for (const line of lines) streams.stderr.write(`imagepolicy-mc check: ${escapeControls(line)}\n`)
    if (report.diff.rolling.length > 0) {
      // The committed node files are untrusted text, and may be large.
      writeBoundedText('check', formatDiffText({ base: `${rendered} (committed)`, head: `${sources} (rendered now)`, diff: report.diff, headIssues: [], notes: [] }), commandLimits(parsed).maxOutputBytes, streams)
    }
    if (committed.notOutput === true) {
      streams.stderr.write(`imagepolicy-mc check: ${escapeControls(rendered)} is not current, and not imagepolicy-mc's output: give the committed output as RENDERED (no command is printed that would overwrite this file)\n`)
      return 1
    }
    const command = escapeControls(regenerateCommand(sources, rendered, asDirectory, optionArguments(argv), kustomizeArgsFrom(parsed)))
    // The command alone would be refused: render --write-machineconfigs never overwrites or deletes files it did not write.
    const first = committed.foreign === true ? ` move the files imagepolicy-mc did not write (above) out of ${escapeControls(rendered)}, then` : ''
    streams.stderr.write(`imagepolicy-mc check: ${escapeControls(rendered)} is not current;${first} regenerate it with: ${command}\n`)
    return 1
  })
}
