// Command `check SOURCES RENDERED`: is the committed output current? For teams
// that cannot run plugins (Flux's kustomize-controller, plain `kubectl apply
// -k`) and commit the rendered MachineConfigs: renders SOURCES as the function
// would and compares with the MachineConfigs at RENDERED (a directory written
// by `render --write-machineconfigs`, or a file holding the function's output).
// Exit 0 when identical; exit 1 with one line per problem, the node-file diff
// and the command that regenerates RENDERED. Reads files and spawns kustomize
// (src/commands only); never writes.

import { lstatSync } from 'node:fs'
import type { Streams } from '../cli/context.ts'
import { describeFsError, InputError, UsageError } from '../cli/errors.ts'
import { VALUE_FLAGS } from '../cli/flags.ts'
import { InputBudget } from '../cli/inputs.ts'
import { compareMachineConfigs, formatCheckProblem, type MachineConfigDocument } from '../diff/committed-machine-configs.ts'
import { formatDiffText } from '../diff/format-diff.ts'
import { escapeControls } from '../issues.ts'
import { generatedDocuments, KUSTOMIZATION_FILE, kustomizationText, readMachineConfigDir, readOwnFile } from './machine-config-dir.ts'
import { commandLimits, guarded, parseCommandArgs, printedHelp, withRendererOptions } from './render.ts'
import { isKustomizationDir } from './sources.ts'
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
stdout, and the command that regenerates RENDERED. Give the options RENDERED
was rendered with (or the same --config file).`

/** A word a POSIX shell reads back as itself. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_./,:=@%+-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`
}

/** The arguments that are options (and their values), in the order given: argv without the positional words. */
export function optionArguments(argv: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--') break
    if (!a.startsWith('-') || a === '-') continue
    out.push(a)
    if (!a.includes('=') && VALUE_FLAGS.some((f) => a === `--${f}`) && i + 1 < argv.length) out.push(argv[++i]!)
  }
  return out
}

/** The command that writes RENDERED afresh from SOURCES with the same options. */
export function regenerateCommand(sources: string, rendered: string, asDirectory: boolean, options: readonly string[]): string {
  const opts = options.map(shellWord)
  if (asDirectory) return ['imagepolicy-mc', 'render', '--write-machineconfigs', shellWord(rendered), shellWord(sources), ...opts].join(' ')
  const head = isKustomizationDir(sources) ? ['imagepolicy-mc', 'build', shellWord(sources)] : ['imagepolicy-mc', shellWord(sources)]
  return [...head, ...opts, '>', shellWord(rendered)].join(' ')
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
function readCommitted(rendered: string, layout: Layout, budget: InputBudget, expectedNames: readonly string[]): { documents: MachineConfigDocument[]; lines: string[] } {
  if (layout.kind === 'absent') return { documents: [], lines: [] }
  if (layout.kind === 'file') {
    const read = generatedDocuments(readOwnFile(rendered, rendered, budget), (_, index) => `${rendered}#${index}`, rendered)
    return { documents: read.documents, lines: read.unreadable.map((m) => `${rendered}: unreadable: ${m}`) }
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
  return { documents: [...dir.machineConfigs], lines }
}

export async function checkCommand(argv: readonly string[], streams: Streams): Promise<number> {
  if (printedHelp(argv, streams, CHECK_USAGE)) return 0
  return guarded('check', streams, async () => {
    const parsed = await parseCommandArgs(argv, (y) => withRendererOptions(y))
    const positional = parsed._.map(String)
    if (positional.length !== 2) throw new UsageError(`expected SOURCES and RENDERED, got ${positional.length} argument(s)`)
    const [sources, rendered] = positional as [string, string]
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
      streams.stdout.write(formatDiffText({ base: `${rendered} (committed)`, head: `${sources} (rendered now)`, diff: report.diff, headIssues: [], notes: [] }))
    }
    streams.stderr.write(`imagepolicy-mc check: ${escapeControls(rendered)} is not current; regenerate it with: ${escapeControls(regenerateCommand(sources, rendered, asDirectory, optionArguments(argv)))}\n`)
    return 1
  })
}
