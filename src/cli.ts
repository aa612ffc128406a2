// The edge: argv and streams → run() → stdout, stderr, exit code. The only
// module that touches the filesystem; bin.ts hands it the process streams.

import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { formatIssue } from './issues.ts'
import type { InputText } from './io/read.ts'
import { IGNITION_VERSIONS, VALIDATE_MODES, type PartialOptions } from './options.ts'
import { run } from './run.ts'
import { parseOne } from './io/read.ts'

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
 * The table (src/commands/index.ts) and yargs are loaded only when used: the
 * function's own path, which kustomize and Argo CD run on every build, starts
 * without them (README "Performance").
 */
export type Command = (argv: readonly string[], streams: Streams) => Promise<number>
export const COMMAND_NAMES: readonly string[] = ['build', 'discover', 'install-kustomize-plugin', 'render', 'explain', 'diff']

/** The function's own arguments. */
export interface FunctionArgs {
  readonly paths: readonly string[]
  readonly config?: string
  readonly flags: PartialOptions
}

const VALUE_FLAGS = new Set(['config', 'pools', 'name', 'ignition-version', 'release-image', 'validate', 'target-release'])
const BOOLEAN_FLAGS = new Set(['emit-policies', 'strict', 'allow-empty', 'without-release-policy'])

/** `--pools a,b` → `['a', 'b']`. */
export function splitPools(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '')
}

/** Raw flag values (as yargs or the fast parser read them) → options. */
export function toFunctionArgs(raw: Readonly<Record<string, unknown>>, paths: readonly string[]): FunctionArgs {
  const flags: PartialOptions = {}
  const str = (k: string) => (typeof raw[k] === 'string' ? (raw[k] as string) : undefined)
  const bool = (k: string) => (typeof raw[k] === 'boolean' ? (raw[k] as boolean) : undefined)
  if (str('pools') !== undefined) flags.pools = splitPools(str('pools')!)
  if (str('name') !== undefined) flags.name = str('name')!
  if (str('ignition-version') !== undefined) flags.ignitionVersion = str('ignition-version')!
  if (str('release-image') !== undefined) flags.releaseImage = str('release-image')!
  if (str('validate') !== undefined) flags.validate = str('validate') as NonNullable<PartialOptions['validate']>
  if (bool('emit-policies') !== undefined) flags.emitPolicies = bool('emit-policies')!
  if (bool('strict') !== undefined) flags.strict = bool('strict')!
  if (bool('allow-empty') !== undefined) flags.allowEmpty = bool('allow-empty')!
  if (str('target-release') !== undefined) flags.targetRelease = str('target-release')!
  if (bool('without-release-policy') !== undefined) flags.withoutReleasePolicy = bool('without-release-policy')!
  const config = str('config')
  return { paths, ...(config !== undefined ? { config } : {}), flags }
}

/**
 * The common invocations without loading yargs: paths, `--flag value`,
 * `--flag=value`, `--[no-]boolean`. Anything else (help, a typo, a bad choice,
 * a repeated flag) returns undefined and goes to the full parser, which owns
 * every message.
 */
export function fastFunctionArgs(argv: readonly string[]): FunctionArgs | undefined {
  const raw: Record<string, unknown> = {}
  const paths: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (!arg.startsWith('-')) {
      paths.push(arg)
      continue
    }
    const m = /^--(no-)?([a-z-]+)(?:=(.*))?$/s.exec(arg)
    if (m === null) return undefined
    const [, no, name, inline] = m as unknown as [string, string | undefined, string, string | undefined]
    if (name in raw) return undefined
    if (BOOLEAN_FLAGS.has(name)) {
      if (inline !== undefined) {
        if (no !== undefined || (inline !== 'true' && inline !== 'false')) return undefined
        raw[name] = inline === 'true'
      } else {
        raw[name] = no === undefined
      }
    } else if (VALUE_FLAGS.has(name) && no === undefined) {
      const value = inline ?? argv[++i]
      if (value === undefined || (inline === undefined && value.startsWith('-'))) return undefined
      raw[name] = value
    } else {
      return undefined
    }
  }
  if (raw['ignition-version'] !== undefined && !(IGNITION_VERSIONS as readonly string[]).includes(raw['ignition-version'] as string)) return undefined
  if (raw['validate'] !== undefined && !(VALIDATE_MODES as readonly string[]).includes(raw['validate'] as string)) return undefined
  return toFunctionArgs(raw, paths)
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


export async function main(argv: readonly string[], streams: Streams): Promise<number> {
  if (argv[0] !== undefined && COMMAND_NAMES.includes(argv[0])) {
    const { COMMANDS } = await import('./commands/index.ts')
    return COMMANDS[argv[0]]!(argv.slice(1), streams)
  }
  let args = fastFunctionArgs(argv)
  if (args === undefined) {
    const { parseFunctionArgs } = await import('./cli-args.ts')
    const parsed = await parseFunctionArgs(argv, streams)
    if (typeof parsed === 'number') return parsed
    args = parsed
  }
  return runFunction(args, streams)
}

/** The function itself: read the inputs, run, write stdout and one stderr line per issue. */
export async function runFunction(args: FunctionArgs, streams: Streams): Promise<number> {
  const { flags } = args
  let inputs: InputText[]
  let functionConfig: unknown
  try {
    const paths = args.paths
    if (paths.length > 0) {
      inputs = readInputFiles(paths)
    } else {
      const stdin = await streams.readStdin()
      inputs = [{ text: typeof stdin === 'string' ? stdin : decodeUtf8(stdin, '<stdin>') }]
    }
    if (args.config !== undefined) {
      let text: string
      try {
        text = decodeUtf8(readFileSync(args.config), args.config)
      } catch (e) {
        throw e instanceof UsageError ? e : new UsageError(`cannot read --config ${args.config}`)
      }
      const doc = parseOne(text, { path: args.config, index: 0 })
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
