// Command `import`: hand-written node policy files (policy.json, registries.d,
// /etc/crio/policies/NS.json, or MachineConfigs / Butane configs carrying them)
// → the ClusterImagePolicy, ImagePolicy and Image config resources that render
// to the same policy. Reads files (allowed in src/commands only); the inverse
// and its proof are src/import/.

import type { Streams } from '../cli/context.ts'
import { InputError, IssueError, UsageError } from '../cli/errors.ts'
import { limitsFrom } from '../cli/flags.ts'
import { InputBudget, readInputFiles, readStdinText } from '../cli/inputs.ts'
import { importFromTexts } from '../import/import.ts'
import { formatImportIssue, gradeImportIssues } from '../import/import-issue.ts'
import { STDIN, type SourceText } from '../import/node-sources.ts'
import { escapeControls, issue } from '../issues.ts'
import { outputBudgetMessage } from '../limits.ts'
import { decodeOption, describeOption, IMPORT_OPTION_TABLE, OPTION_TABLE, type OptionSpec } from '../option-table.ts'
import { guarded, parseCommandArgs, wantsHelp } from './render.ts'

/** The options `import` takes: its own, then the ones it shares with the function. */
const SHARED = ['release-image', 'target-release', 'validate', 'max-input-bytes', 'max-output-bytes']
export const IMPORT_OPTIONS: readonly OptionSpec[] = [...IMPORT_OPTION_TABLE, ...OPTION_TABLE.filter((o) => SHARED.includes(o.flag))]

export const IMPORT_USAGE = `imagepolicy-mc import [FILE...] [options]

Reads hand-written node policy files and prints the ClusterImagePolicy,
ImagePolicy and Image config (registrySources) resources that MCO renders to
the same policy. FILE (stdin when none; a directory: its .json, .yaml and .yml
files) is one of
  - /etc/containers/policy.json (a JSON file named policy.json; stdin JSON is
    read as policy.json unless --namespace is given),
  - /etc/crio/policies/NS.json (a policy JSON file in a directory named
    policies, or any policy JSON file with --namespace NS),
  - a registries.d YAML file (/etc/containers/registries.d/*.yaml),
  - YAML with MachineConfigs or Butane configs whose storage.files carry them
    (data URLs, base64 or not, gzip-compressed or not; contents.inline).

The result is proven before it is printed: rendered back in process, it must
give a policy that containers/image evaluates the same, scope by scope (default,
then every transport's scopes). What the APIs cannot express (signedBy, a
scope's own insecureAcceptAnything or reject the Image config cannot write,
other transports, keys as files on the node, another default, registries.d
fields without a CR equivalent) is reported one line per requirement with the
file, transport and scope; then the exit status is 1 and nothing is printed,
unless --partial. Names: PREFIX-001, PREFIX-002, ... in the order MCO must AND
the requirements of a shared scope (README "Import hand-written policies").
`

function optionHelp(o: OptionSpec): string {
  const head = `--${o.flag}${o.placeholder !== undefined ? ` ${o.placeholder}` : ''}`
  return `  ${head.padEnd(25)} ${describeOption(o)}`
}

interface ImportArgs {
  readonly partial: boolean
  readonly namespace?: string
  readonly namePrefix: string
  readonly releaseImage: string
  readonly validate: 'strict' | 'warn' | 'ignore'
  readonly targetRelease: string
  readonly maxInputBytes: number
  readonly maxOutputBytes: number
}

/** The parsed flags, each decoded by the table's decoder (a bad value is a usage error naming the flag). */
function importArgs(parsed: Readonly<Record<string, unknown>>, argv: readonly string[]): ImportArgs {
  const value = (flag: string): unknown => {
    const spec = IMPORT_OPTIONS.find((o) => o.flag === flag)!
    // yargs reads `--partial=yes` as false: a boolean's inline value goes to the table's decoder, as in flags.ts.
    const inline = spec.type === 'boolean' ? argv.filter((a) => a.startsWith(`--${flag}=`)).map((a) => a.slice(flag.length + 3)) : []
    const raw = inline.length === 1 ? inline[0] : inline.length > 1 ? inline : parsed[flag]
    if (Array.isArray(raw)) throw new UsageError(`--${flag}: given more than once`)
    if (raw === undefined) return spec.default
    const decoded = decodeOption(spec, raw)
    if ('error' in decoded) {
      // A renderer option's bad value gets the line and exit 1 it gets on every other path (src/cli/flags.ts).
      if (spec.key !== undefined) throw new IssueError([issue('error', 'config', `--${flag}: ${spec.key}: ${decoded.error}`)])
      throw new UsageError(`--${flag}: ${decoded.error}`)
    }
    return decoded.value
  }
  const limits = limitsFrom(parsed)
  const namespace = value('namespace') as string | undefined
  return {
    partial: value('partial') as boolean,
    ...(namespace !== undefined ? { namespace } : {}),
    namePrefix: value('name-prefix') as string,
    releaseImage: value('release-image') as string,
    validate: value('validate') as ImportArgs['validate'],
    targetRelease: value('target-release') as string,
    maxInputBytes: limits.maxInputBytes,
    maxOutputBytes: limits.maxOutputBytes,
  }
}

export async function importCommand(argv: readonly string[], streams: Streams): Promise<number> {
  if (wantsHelp(argv)) {
    streams.stdout.write(`${IMPORT_USAGE}\nOptions:\n${IMPORT_OPTIONS.map(optionHelp).join('\n')}\n`)
    return 0
  }
  return guarded('import', streams, async () => {
    const parsed = await parseCommandArgs(argv, (y) => {
      let out = y
      for (const o of IMPORT_OPTIONS) out = out.option(o.flag, { type: o.type === 'boolean' ? 'boolean' : 'string' })
      return out
    })
    const args = importArgs(parsed, argv)
    const paths = parsed._.map(String)
    const budget = new InputBudget(args.maxInputBytes)
    const texts: SourceText[] =
      paths.length > 0
        ? readInputFiles(paths, budget).map((i) => ({ name: i.path ?? '<stdin>', text: i.text }))
        : [{ name: STDIN, text: await readStdinText(streams, budget) }]
    const outcome = importFromTexts({
      texts,
      ...(args.namespace !== undefined ? { namespace: args.namespace } : {}),
      namePrefix: args.namePrefix,
      releaseImage: args.releaseImage,
      validate: args.validate,
      targetRelease: args.targetRelease,
    })
    for (const p of outcome.problems) streams.stderr.write(`imagepolicy-mc import: ${escapeControls(p)}\n`)
    if (outcome.problems.length > 0) return 1
    // The edge: --partial decides whether a finding refuses the import (error) or leaves its requirement out (warning).
    const findings = gradeImportIssues(outcome.findings, args.partial)
    for (const i of [...outcome.notes, ...findings]) streams.stderr.write(`${i.severity} ${escapeControls(formatImportIssue(i))}\n`)
    if (findings.length > 0 && !args.partial) {
      streams.stderr.write(`imagepolicy-mc import: ${findings.length} requirement(s) cannot be expressed as ClusterImagePolicy, ImagePolicy or Image config: nothing printed (--partial prints the rest)\n`)
      return 1
    }
    if (findings.length > 0) streams.stderr.write(`imagepolicy-mc import: --partial: ${findings.length} requirement(s) left out (the warnings above); the rest is printed\n`)
    if (outcome.yaml.length > args.maxOutputBytes) throw new InputError(outputBudgetMessage(args.maxOutputBytes, `the output (${outcome.yaml.length} characters)`))
    if (outcome.yaml === '') streams.stderr.write('imagepolicy-mc import: nothing to print: the files hold MCO\'s base policy only\n')
    streams.stdout.write(outcome.yaml)
    return 0
  })
}
