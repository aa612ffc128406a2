// The edge: argv and streams → run() → stdout, stderr, exit code. With
// input-files.ts (which files, read how: README "Security model"), the only
// module outside src/commands that touches the filesystem; bin.ts hands it the
// process streams.

import { describeFsError, InputError, isSystemError, UsageError } from './cli-errors.ts'
import { collectFiles, InputBudget, readRegularFile } from './input-files.ts'
import { escapeControls, formatIssue } from './issues.ts'
import type { InputText } from './io/read.ts'
import { COMPRESS_MODES, IGNITION_VERSIONS, VALIDATE_MODES, type PartialOptions } from './options.ts'
import { run } from './run.ts'
import { parseOne } from './io/read.ts'
import { DEFAULT_LIMITS, inputBudgetMessage, LIMIT_FLAGS, outputBudgetMessage, parseByteSize, type Limits } from './limits.ts'

export { collectFiles, InputBudget, readRegularFile } from './input-files.ts'
export { describeFsError, InputError, UsageError } from './cli-errors.ts'

export interface Streams {
  /**
   * Reads stdin to its end, or to one byte past `maxBytes` (enough to tell that
   * it is over the budget; the caller reports it). Given no bound, reads all.
   */
  readonly readStdin: (maxBytes?: number) => Promise<Uint8Array | string>
  readonly stdout: { write(s: string): unknown }
  readonly stderr: { write(s: string): unknown }
}

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
  /** --max-input-bytes, --max-output-bytes when given (flags only: see src/limits.ts). */
  readonly limits?: Limits
}

const VALUE_FLAGS = new Set(['config', 'pools', 'name', 'ignition-version', 'release-image', 'validate', 'target-release', 'compress', ...LIMIT_FLAGS])
const BOOLEAN_FLAGS = new Set(['emit-policies', 'strict', 'allow-empty', 'without-release-policy'])

/** `--pools a,b` → `['a', 'b']`. */
export function splitPools(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '')
}

/** Raw flag values (as yargs or the fast parser read them) → options. */
export function toFunctionArgs(raw: Readonly<Record<string, unknown>>, paths: readonly string[]): FunctionArgs {
  // yargs gives a value flag given twice as an array, which the readers below
  // would skip as "not set": `--pools infra --pools infra` would render the
  // default pools and let Argo CD prune infra's MachineConfig. Refuse it.
  for (const flag of VALUE_FLAGS) {
    if (Array.isArray(raw[flag])) throw new UsageError(`--${flag} given more than once (${JSON.stringify(raw[flag])}): give it once`)
  }
  const flags: PartialOptions = {}
  const str = (k: string) => (typeof raw[k] === 'string' ? (raw[k] as string) : undefined)
  const bool = (k: string) => (typeof raw[k] === 'boolean' ? (raw[k] as boolean) : undefined)
  if (str('pools') !== undefined) flags.pools = splitPools(str('pools')!)
  if (str('name') !== undefined) flags.name = str('name')!
  if (str('ignition-version') !== undefined) flags.ignitionVersion = str('ignition-version')!
  if (str('release-image') !== undefined) flags.releaseImage = str('release-image')!
  if (str('validate') !== undefined) flags.validate = str('validate') as NonNullable<PartialOptions['validate']>
  if (str('compress') !== undefined) flags.compress = str('compress') as NonNullable<PartialOptions['compress']>
  if (bool('emit-policies') !== undefined) flags.emitPolicies = bool('emit-policies')!
  if (bool('strict') !== undefined) flags.strict = bool('strict')!
  if (bool('allow-empty') !== undefined) flags.allowEmpty = bool('allow-empty')!
  if (str('target-release') !== undefined) flags.targetRelease = str('target-release')!
  if (bool('without-release-policy') !== undefined) flags.withoutReleasePolicy = bool('without-release-policy')!
  const config = str('config')
  const limits = LIMIT_FLAGS.some((f) => raw[f] !== undefined) ? { limits: limitsFrom(raw) } : {}
  return { paths, ...(config !== undefined ? { config } : {}), flags, ...limits }
}

/** `--max-input-bytes` and `--max-output-bytes` as parsed (strings), over the defaults; a bad value is a usage error. */
export function limitsFrom(raw: Readonly<Record<string, unknown>>): Limits {
  const size = (flag: (typeof LIMIT_FLAGS)[number], fallback: number): number => {
    const v = raw[flag]
    if (v === undefined) return fallback
    const n = typeof v === 'string' || typeof v === 'number' ? parseByteSize(String(v)) : undefined
    if (n === undefined) throw new UsageError(`--${flag}: expected a number of bytes such as 67108864, 64MiB or 1GiB, got ${JSON.stringify(v)}`)
    return n
  }
  return { maxInputBytes: size('max-input-bytes', DEFAULT_LIMITS.maxInputBytes), maxOutputBytes: size('max-output-bytes', DEFAULT_LIMITS.maxOutputBytes) }
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
  if (raw['compress'] !== undefined && !(COMPRESS_MODES as readonly string[]).includes(raw['compress'] as string)) return undefined
  return toFunctionArgs(raw, paths)
}

/** Kubernetes manifests are UTF-8; anything else is refused rather than silently mangled. */
export function decodeUtf8(bytes: Uint8Array, name: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch {
    throw new InputError(`${name}: input is not valid UTF-8`)
  }
}

/** The files the paths stand for, read within the budget. */
export function readInputFiles(paths: readonly string[], budget: InputBudget): InputText[] {
  return collectFiles(paths).map((path) => ({ path, text: decodeUtf8(readRegularFile(path, budget), path) }))
}

/** All of stdin within the budget, as text. */
export async function readStdinText(streams: Streams, budget: InputBudget): Promise<string> {
  const stdin = await streams.readStdin(budget.remaining)
  const bytes = typeof stdin === 'string' ? Buffer.byteLength(stdin) : stdin.length
  if (bytes > budget.remaining) throw new InputError(inputBudgetMessage('<stdin>', budget.limit))
  budget.take('<stdin>', bytes)
  return typeof stdin === 'string' ? stdin : decodeUtf8(stdin, '<stdin>')
}

/** A `--config FILE`, read within the budget; unreadable is a usage error, over the budget or not UTF-8 an input error. */
export function readConfigText(path: string, budget: InputBudget): string {
  let bytes: Buffer
  try {
    bytes = readRegularFile(path, budget)
  } catch (e) {
    if (e instanceof InputError && e.message.includes('(--max-input-bytes)')) throw e
    throw new UsageError(`cannot read --config ${path}${e instanceof InputError ? `: ${e.message.slice(path.length + 2)}` : ''}`)
  }
  return decodeUtf8(bytes, path)
}

export async function main(argv: readonly string[], streams: Streams): Promise<number> {
  if (argv[0] !== undefined && COMMAND_NAMES.includes(argv[0])) {
    const { COMMANDS } = await import('./commands/index.ts')
    return COMMANDS[argv[0]]!(argv.slice(1), streams)
  }
  let args: FunctionArgs | undefined
  try {
    args = fastFunctionArgs(argv)
  } catch (e) {
    if (!(e instanceof UsageError)) throw e
    // A bad limit value: the full parser says it, with the usage hint.
  }
  if (args === undefined) {
    const { parseFunctionArgs } = await import('./cli-args.ts')
    const parsed = await parseFunctionArgs(argv, streams)
    if (typeof parsed === 'number') return parsed
    args = parsed
  }
  return runFunction(args, streams)
}

/** The one line for an error that reached the edge; undefined for a bug (the caller prints it with its stack). */
export function edgeErrorLine(e: unknown): { line: string; code: 1 | 2 } | undefined {
  if (e instanceof UsageError) return { line: e.message, code: 2 }
  if (e instanceof InputError) return { line: e.message, code: 1 }
  if (isSystemError(e)) return { line: `${e.path !== undefined ? `${e.path}: ` : ''}${describeFsError(e)}`, code: 1 }
  // V8's limits on one string or buffer: only an input far beyond the budgets gets here.
  if (e instanceof RangeError && /Invalid string length|Array buffer allocation failed|Invalid typed array length/.test(e.message)) {
    return { line: outputBudgetMessage(DEFAULT_LIMITS.maxOutputBytes, `the output (${e.message})`).replace(/ of \d+ bytes/, ''), code: 1 }
  }
  return undefined
}

/** The function itself: read the inputs, run, write stdout and one stderr line per issue. */
export async function runFunction(args: FunctionArgs, streams: Streams): Promise<number> {
  const { flags } = args
  const limits = args.limits ?? DEFAULT_LIMITS
  const budget = new InputBudget(limits.maxInputBytes)
  let inputs: InputText[]
  let functionConfig: unknown
  let result
  try {
    const paths = args.paths
    if (paths.length > 0) {
      inputs = readInputFiles(paths, budget)
    } else {
      inputs = [{ text: await readStdinText(streams, budget) }]
    }
    if (args.config !== undefined) {
      const text = readConfigText(args.config, budget)
      const doc = parseOne(text, { path: args.config, index: 0 })
      if (doc.issues.length > 0) {
        for (const i of doc.issues) streams.stderr.write(formatIssue(i) + '\n')
        return 1
      }
      functionConfig = doc.value
    }
    result = run({ inputs, ...(functionConfig !== undefined ? { functionConfig } : {}), flags, maxOutputBytes: limits.maxOutputBytes })
  } catch (e) {
    const edge = edgeErrorLine(e)
    if (edge === undefined) throw e
    streams.stderr.write(`imagepolicy-mc: ${escapeControls(edge.line)}\n`)
    return edge.code
  }
  for (const i of result.issues) streams.stderr.write(formatIssue(i) + '\n')
  streams.stdout.write(result.output)
  return result.exitCode
}
