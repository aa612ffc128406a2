// The edge, reading flags: the function's flags as the option table
// (src/option-table.ts) describes them, for the fast parser here, for yargs
// (main-args.ts and the subcommands, through withTableOptions) and for build.
// Loads no yargs: the function's own path, which kustomize and Argo CD run on
// every build, starts without it (README "Performance").

import type { Argv } from 'yargs'
import { issue, type Issue } from '../issues.ts'
import { DEFAULT_LIMITS, type Limits } from '../limits.ts'
import { decodeOption, describeOption, OPTION_TABLE, type OptionSpec } from '../option-table.ts'
import type { PartialOptions } from '../options.ts'
import { IssueError, UsageError } from './errors.ts'

/** The function's own arguments. */
export interface FunctionArgs {
  readonly paths: readonly string[]
  readonly config?: string
  readonly flags: PartialOptions
  /** --max-input-bytes, --max-output-bytes when given (flags only: see src/limits.ts). */
  readonly limits?: Limits
}

/** Flags that take a value (so the word after them is the value, not a path). */
export const VALUE_FLAGS: readonly string[] = OPTION_TABLE.filter((o) => o.type !== 'boolean').map((o) => o.flag)
const BOOLEAN_FLAGS: readonly string[] = OPTION_TABLE.filter((o) => o.type === 'boolean').map((o) => o.flag)

/**
 * A flag's value as a parser read it. yargs gives an array for a repeated flag:
 * a usage error, never a silent pick of one of them.
 */
function flagValue(spec: OptionSpec, raw: Readonly<Record<string, unknown>>): unknown {
  const v = raw[spec.flag]
  if (Array.isArray(v)) throw new UsageError(`--${spec.flag}: given more than once`)
  return v
}

/**
 * Raw flag values (as yargs or the fast parser read them) → the function's
 * arguments, each decoded by the option table's decoder. A bad value of an
 * option a functionConfig may also set is an IssueError (exit 1, the line the
 * same value gets there: `--flag: key: reason`); a bad flag-only value (a
 * limit) is a usage error (exit 2).
 */
export function toFunctionArgs(raw: Readonly<Record<string, unknown>>, paths: readonly string[]): FunctionArgs {
  const flags: Record<string, unknown> = {}
  const issues: Issue[] = []
  let config: string | undefined
  const limits: { maxInputBytes?: number; maxOutputBytes?: number } = {}
  for (const spec of OPTION_TABLE) {
    const v = flagValue(spec, raw)
    if (v === undefined) continue
    const decoded = decodeOption(spec, v)
    if (spec.key !== undefined) {
      if ('error' in decoded) issues.push(issue('error', 'config', `--${spec.flag}: ${spec.key}: ${decoded.error}`))
      else flags[spec.key] = decoded.value
    } else if ('error' in decoded) {
      throw new UsageError(`--${spec.flag}: ${decoded.error}`)
    } else if (spec.type === 'file') {
      config = decoded.value as string
    } else {
      limits[spec.flag === 'max-input-bytes' ? 'maxInputBytes' : 'maxOutputBytes'] = decoded.value as number
    }
  }
  if (issues.length > 0) throw new IssueError(issues)
  const given = limits.maxInputBytes !== undefined || limits.maxOutputBytes !== undefined
  return {
    paths,
    ...(config !== undefined ? { config } : {}),
    flags: flags as PartialOptions,
    ...(given ? { limits: { ...DEFAULT_LIMITS, ...limits } } : {}),
  }
}

/** `--max-input-bytes` and `--max-output-bytes` as parsed, over the defaults; a bad value is a usage error. */
export function limitsFrom(raw: Readonly<Record<string, unknown>>): Limits {
  const out = { ...DEFAULT_LIMITS }
  for (const spec of OPTION_TABLE.filter((o) => o.type === 'bytes')) {
    const v = flagValue(spec, raw)
    if (v === undefined) continue
    const decoded = decodeOption(spec, v)
    if ('error' in decoded) throw new UsageError(`--${spec.flag}: ${decoded.error}`)
    out[spec.flag === 'max-input-bytes' ? 'maxInputBytes' : 'maxOutputBytes'] = decoded.value as number
  }
  return out
}

/**
 * The common invocations without loading yargs: paths, `--flag value`,
 * `--flag=value`, `--[no-]boolean`, with values the table's decoder accepts.
 * Anything else (help, a typo, a bad value, a repeated flag) returns undefined
 * and goes to the full parser, which owns every message.
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
    if (BOOLEAN_FLAGS.includes(name)) {
      if (inline !== undefined) {
        if (no !== undefined || (inline !== 'true' && inline !== 'false')) return undefined
        raw[name] = inline === 'true'
      } else {
        raw[name] = no === undefined
      }
    } else if (VALUE_FLAGS.includes(name) && no === undefined) {
      const value = inline ?? argv[++i]
      if (value === undefined || (inline === undefined && value.startsWith('-'))) return undefined
      raw[name] = value
    } else {
      return undefined
    }
  }
  try {
    return toFunctionArgs(raw, paths)
  } catch (e) {
    if (e instanceof UsageError || e instanceof IssueError) return undefined
    throw e
  }
}

/**
 * The table's options on a yargs parser (main-args.ts, the subcommands). No
 * `choices`: the table's decoder checks values, so a bad one gets the same
 * line on every path. Needs only yargs' type here; the caller loads yargs.
 */
export function withTableOptions<T>(y: Argv<T>): Argv<T> {
  let out = y
  for (const o of OPTION_TABLE) out = out.option(o.flag, { type: o.type === 'boolean' ? 'boolean' : 'string', describe: describeOption(o) }) as Argv<T>
  return out
}

/**
 * yargs reads `--strict=VALUE` of a boolean flag as `VALUE === 'true'`, so
 * `--strict=yes` would silently be false. The inline values of boolean flags,
 * as written (kebab- or camel-case), to be decoded by the table like the same
 * value in a functionConfig: set them over what yargs parsed.
 */
export function inlineBooleanValues(argv: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const arg of argv) {
    if (arg === '--') break
    const m = /^--([A-Za-z][A-Za-z-]*)=(.*)$/s.exec(arg)
    if (m === null) continue
    const flag = m[1]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
    if (BOOLEAN_FLAGS.includes(flag)) out[flag] = m[2]!
  }
  return out
}

/** `--config` as a parser read it (a bad one was refused by toFunctionArgs). */
export function configFlag(parsed: Readonly<Record<string, unknown>>): string | undefined {
  return typeof parsed['config'] === 'string' ? parsed['config'] : undefined
}
