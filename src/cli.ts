// The edge: argv and streams → run() → stdout, stderr, exit code. The only
// module that touches the filesystem; bin.ts hands it the process streams.

import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import yargs from 'yargs'
import { formatIssue } from './issues.ts'
import type { InputText } from './io/read.ts'
import { DEFAULT_OPTIONS, IGNITION_VERSIONS, VALIDATE_MODES, type PartialOptions } from './options.ts'
import { run } from './run.ts'
import { parseOne } from './io/read.ts'
import { build } from './commands/build.ts'
import { discover } from './commands/discover.ts'
import { installKustomizePlugin } from './commands/install-kustomize-plugin.ts'
import { diffCommand } from './commands/diff.ts'
import { explainCommand } from './commands/explain.ts'
import { renderCommand } from './commands/render.ts'

export interface Streams {
  /** Reads all of stdin. */
  readonly readStdin: () => Promise<Uint8Array | string>
  readonly stdout: { write(s: string): unknown }
  readonly stderr: { write(s: string): unknown }
}

/** A usage error: exit code 2. */
export class UsageError extends Error {}

/** Input that cannot be read at all (not UTF-8, unreadable file): exit code 1. */
export class InputError extends Error {}

/**
 * Subcommands: `imagepolicy-mc <command> ...`. Each lives in src/commands/ and
 * gets the remaining arguments and the same streams. Without a known command
 * the arguments are the function's own (render the stream, append MachineConfigs).
 */
export type Command = (argv: readonly string[], streams: Streams) => Promise<number>
export const COMMANDS: Record<string, Command> = {
  build,
  discover,
  'install-kustomize-plugin': installKustomizePlugin,
  render: renderCommand,
  explain: explainCommand,
  diff: diffCommand,
}

const YAML_FILE = /\.(ya?ml|json)$/i

/** Files named on the command line; a directory contributes its YAML files, sorted, recursively. */
export function collectFiles(paths: readonly string[]): string[] {
  const out: string[] = []
  for (const path of paths) {
    let stat
    try {
      stat = statSync(path)
    } catch {
      throw new UsageError(`cannot read ${path}: no such file or directory`)
    }
    if (stat.isDirectory()) {
      const entries = readdirSync(path).sort()
      out.push(...collectFiles(entries.filter((e) => !e.startsWith('.')).map((e) => join(path, e)).filter((p) => statSync(p).isDirectory() || YAML_FILE.test(p))))
    } else {
      out.push(path)
    }
  }
  return out
}

/** Kubernetes manifests are UTF-8; anything else is refused rather than silently mangled. */
export function decodeUtf8(bytes: Uint8Array, name: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch {
    throw new InputError(`${name}: input is not valid UTF-8`)
  }
}

function readInputFiles(paths: readonly string[]): InputText[] {
  return collectFiles(paths).map((path) => ({ path, text: decodeUtf8(readFileSync(path), path) }))
}

const USAGE = `imagepolicy-mc [PATH...] [options]

Render OpenShift ImagePolicy and ClusterImagePolicy resources into MachineConfigs,
byte for byte as the Machine Config Operator would render the node files.

Reads a resource stream from stdin (or from the files and directories given) and
writes every input item followed by one MachineConfig per pool. A KRM
ResourceList in gives a ResourceList out (kpt, kustomize --enable-exec).

Commands (each has --help):
  imagepolicy-mc render [PATH...] [--out DIR]     the node files, as a node holds them
  imagepolicy-mc explain IMAGE [--namespace NS]   which policy applies to an image, in words
  imagepolicy-mc diff BASE HEAD                   the change in node files between two trees or revisions
  imagepolicy-mc build [DIR]                      kustomize, then the function (Argo CD generate)
  imagepolicy-mc discover [DIR]                   Argo CD discovery
  imagepolicy-mc install-kustomize-plugin         install the kustomize exec plugin`

export async function main(argv: readonly string[], streams: Streams): Promise<number> {
  const command = argv[0] !== undefined ? COMMANDS[argv[0]] : undefined
  if (command !== undefined) return command(argv.slice(1), streams)
  let parsed
  try {
    parsed = await yargs([...argv])
      .scriptName('imagepolicy-mc')
      .usage(USAGE)
      .option('config', { type: 'string', describe: 'read a functionConfig (ImagePolicyRenderer or ConfigMap) from FILE' })
      .option('pools', { type: 'string', describe: `comma-separated pools, one MachineConfig each [default: ${DEFAULT_OPTIONS.pools.join(',')}]` })
      .option('name', { type: 'string', describe: `MachineConfig name; {pool} is replaced [default: ${DEFAULT_OPTIONS.name}]` })
      .option('ignition-version', { type: 'string', choices: IGNITION_VERSIONS, describe: `Ignition spec version [default: ${DEFAULT_OPTIONS.ignitionVersion}]` })
      .option('release-image', { type: 'string', describe: `release image or repository MCO never blocks [default: ${DEFAULT_OPTIONS.releaseImage}]` })
      .option('emit-policies', { type: 'boolean', describe: 'keep ImagePolicy/ClusterImagePolicy items in the output [default: true]' })
      .option('validate', { type: 'string', choices: VALIDATE_MODES, describe: 'CRD rule checking, as kubectl --validate [default: strict]' })
      .option('strict', { type: 'boolean', describe: 'warnings fail the run (exit 1) [default: false]' })
      .option('allow-empty', { type: 'boolean', describe: 'accept an input with no resources [default: false]' })
      .strictOptions()
      .help()
      .version(false)
      .exitProcess(false)
      .fail((msg, err) => {
        throw new UsageError(msg ?? err?.message ?? 'invalid arguments')
      })
      .wrap(100)
      .parseAsync()
  } catch (e) {
    if (e instanceof UsageError) {
      streams.stderr.write(`imagepolicy-mc: ${e.message}\nRun imagepolicy-mc --help for usage.\n`)
      return 2
    }
    throw e
  }
  if (parsed['help'] === true) return 0

  const flags: PartialOptions = {}
  if (parsed.pools !== undefined) flags.pools = parsed.pools.split(',').map((s) => s.trim()).filter((s) => s !== '')
  if (parsed.name !== undefined) flags.name = parsed.name
  if (parsed['ignition-version'] !== undefined) flags.ignitionVersion = parsed['ignition-version']
  if (parsed['release-image'] !== undefined) flags.releaseImage = parsed['release-image']
  if (parsed['emit-policies'] !== undefined) flags.emitPolicies = parsed['emit-policies']
  if (parsed.validate !== undefined) flags.validate = parsed.validate as PartialOptions['validate'] & string
  if (parsed.strict !== undefined) flags.strict = parsed.strict
  if (parsed['allow-empty'] !== undefined) flags.allowEmpty = parsed['allow-empty']

  let inputs: InputText[]
  let functionConfig: unknown
  try {
    const paths = parsed._.map(String)
    if (paths.length > 0) {
      inputs = readInputFiles(paths)
    } else {
      const stdin = await streams.readStdin()
      inputs = [{ text: typeof stdin === 'string' ? stdin : decodeUtf8(stdin, '<stdin>') }]
    }
    if (parsed.config !== undefined) {
      let text: string
      try {
        text = decodeUtf8(readFileSync(parsed.config), parsed.config)
      } catch (e) {
        throw e instanceof UsageError ? e : new UsageError(`cannot read --config ${parsed.config}`)
      }
      const doc = parseOne(text, { path: parsed.config, index: 0 })
      if (doc.issues.length > 0) {
        for (const i of doc.issues) streams.stderr.write(formatIssue(i) + '\n')
        return 1
      }
      functionConfig = doc.value
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof InputError) {
      streams.stderr.write(`imagepolicy-mc: ${e.message}\n`)
      return e instanceof UsageError ? 2 : 1
    }
    throw e
  }

  const result = run({ inputs, ...(functionConfig !== undefined ? { functionConfig } : {}), flags })
  for (const i of result.issues) streams.stderr.write(formatIssue(i) + '\n')
  streams.stdout.write(result.output)
  return result.exitCode
}
