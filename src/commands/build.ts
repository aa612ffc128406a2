// Command `build`: kustomize, then the renderer, as one process that fails when
// either fails. Made for Argo CD's config-management plugin, which runs commands
// without a shell (a `kustomize build | imagepolicy-mc` pipe would hide a failed
// kustomize and let Argo CD prune the application). Spawns kustomize and reads
// the environment (allowed in src/commands only).

import { statSync } from 'node:fs'
import type { Streams } from '../cli/context.ts'
import { InputError } from '../cli/errors.ts'
import { fastFunctionArgs, VALUE_FLAGS } from '../cli/flags.ts'
import { decodeUtf8 } from '../cli/inputs.ts'
import { runFunction } from '../cli/run-function.ts'
import { escapeControls, formatIssue, issue } from '../issues.ts'
import { DEFAULT_LIMITS } from '../limits.ts'
import { ENV_OPTIONS, optionsHelp } from '../option-table.ts'
import { decodeOptionValues, type Options, type PartialOptions } from '../options.ts'
import { runChild } from './child-process.ts'
import { findExecutable } from './util-path.ts'

/**
 * Options read from the environment: the option table's entries with an Argo
 * CD name (plugin.yaml announces the same list). Argo CD sets `PARAM_<NAME>`
 * for each parameter set on the Application (`PARAM_<NAME>_<i>` for arrays)
 * and `ARGOCD_ENV_<NAME>` for each entry of `spec.source.plugin.env`. A
 * parameter wins over an env entry; a command-line flag wins over both.
 */
export const BUILD_ENV_OPTIONS: readonly {
  readonly option: keyof Options
  readonly parameter: string
  readonly flag: string
  readonly env: string
  readonly type: 'string' | 'array' | 'boolean'
}[] = ENV_OPTIONS.map((o) => ({ option: o.key as keyof Options, parameter: o.flag, flag: o.flag, env: o.env, type: o.type === 'list' ? 'array' : o.type === 'boolean' ? 'boolean' : 'string' }))

export const BUILD_USAGE = `imagepolicy-mc build [DIR] [options]

Runs kustomize on DIR (default: .), then renders the result: every resource
followed by one MachineConfig per pool, on stdout. Fails (exit 1, nothing on
stdout) when kustomize fails or rendering fails. Uses the standalone \`kustomize
build\` when \`kustomize\` is on PATH, else \`kubectl kustomize\`.

Options are those of imagepolicy-mc (--max-input-bytes also bounds kustomize's
output):

${optionsHelp()}

and are also read from the environment, as the Argo CD plugin (plugin.yaml)
passes them:

${BUILD_ENV_OPTIONS.map((o) => `  --${o.flag.padEnd(23)} PARAM_${o.env}${o.type === 'array' ? `_<i>, PARAM_${o.env}` : ''}, ARGOCD_ENV_${o.env}`).join('\n')}

A flag wins over a parameter, which wins over an ARGOCD_ENV_ variable.

kustomize (or kubectl) is found on the absolute entries of PATH only, and is
killed after IMAGEPOLICY_MC_CHILD_TIMEOUT_SECONDS (default 300); its output
counts against --max-input-bytes (README "Security model").`

type Env = Readonly<Record<string, string | undefined>>

/** Where one option's value came from in the environment, or undefined when it is not set there. */
function fromEnv(env: Env, o: (typeof BUILD_ENV_OPTIONS)[number]): { value: string | string[]; where: string } | { error: string } | undefined {
  const param = `PARAM_${o.env}`
  if (o.type === 'array') {
    // Argo CD numbers an array parameter's items from 0 without gaps: a gap means
    // items were lost on the way, and reading up to it would drop the rest silently.
    const pattern = new RegExp(`^${param}_(0|[1-9][0-9]*)$`)
    const indices = Object.keys(env)
      .flatMap((k) => (env[k] !== undefined ? [pattern.exec(k)?.[1]] : []))
      .filter((i) => i !== undefined)
      .map(Number)
      .sort((a, b) => a - b)
    const missing = indices.findIndex((index, i) => index !== i)
    if (missing >= 0) {
      return { error: `${param}_${missing}: missing, but ${param}_${indices[missing]!} is set: array parameters are numbered from 0 without gaps (items would be lost)` }
    }
    // Anything else under the array's prefix (a map parameter's `PARAM_POOLS_<key>`, an
    // index Argo CD never writes such as `_01`) is not read: refuse rather than drop it.
    const stray = Object.keys(env)
      .filter((k) => k.startsWith(`${param}_`) && env[k] !== undefined && !pattern.test(k))
      .sort()
    if (stray.length > 0) {
      return { error: `${stray[0]}: not an item of the array parameter ${param} (Argo CD writes ${param}_0, ${param}_1, …): it would be ignored` }
    }
    const items = indices.map((i) => env[`${param}_${i}`]!)
    if (items.length > 0 && env[param] !== undefined) {
      return { error: `${param} and ${param}_0… are both set: give the parameter once, as an array or as a string (one of them would be ignored)` }
    }
    if (items.length > 0) return { value: items, where: items.map((_, i) => `${param}_${i}`).join(', ') }
  }
  const set = (name: string) => (env[name] !== undefined && env[name]!.trim() !== '' ? { value: env[name]!.trim(), where: name } : undefined)
  // A list set to nothing says "no pools": an error (decodeOptionValues), never the default.
  const setList = (name: string) => (env[name] !== undefined ? { value: env[name]!.trim(), where: name } : undefined)
  if (o.type === 'array') return setList(param) ?? setList(`ARGOCD_ENV_${o.env}`)
  return set(param) ?? set(`ARGOCD_ENV_${o.env}`)
}

/** Options from the environment (see BUILD_ENV_OPTIONS); errors name the variable. Pure. */
export function readEnvOptions(env: Env): { value: PartialOptions; errors: string[] } {
  const value: PartialOptions = {}
  const errors: string[] = []
  for (const o of BUILD_ENV_OPTIONS) {
    const found = fromEnv(env, o)
    if (found === undefined) continue
    if ('error' in found) {
      errors.push(formatIssue(issue('error', 'config', found.error)))
      continue
    }
    const decoded = decodeOptionValues({ [o.option]: found.value }, found.where)
    errors.push(...decoded.issues.map(formatIssue))
    Object.assign(value, decoded.value)
  }
  return { value, errors }
}

function hasFlag(args: readonly string[], flag: string): boolean {
  const camel = flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
  return args.some((a) => [flag, camel].some((f) => a === `--${f}` || a.startsWith(`--${f}=`) || a === `--no-${f}`))
}

/** `--flag=value` arguments for the options the command line does not set itself: the environment as flags, as a user would type them. Pure. */
export function envFlags(options: PartialOptions, args: readonly string[]): string[] {
  const out: string[] = []
  for (const o of BUILD_ENV_OPTIONS) {
    const v = options[o.option]
    if (v === undefined || hasFlag(args, o.flag)) continue
    if (typeof v === 'boolean') out.push(v ? `--${o.flag}` : `--no-${o.flag}`)
    else out.push(`--${o.flag}=${Array.isArray(v) ? v.join(',') : String(v)}`)
  }
  return out
}

/** Splits `[DIR] [options]`; a second word that is not an option's value is an error. Pure. */
export function splitBuildArgs(args: readonly string[]): { dir: string; rest: string[] } | { error: string } {
  let dir: string | undefined
  const rest: string[] = []
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (a.startsWith('-') && a !== '-') {
      rest.push(a)
      if (VALUE_FLAGS.some((f) => a === `--${f}`) && i + 1 < args.length) rest.push(args[++i]!)
    } else if (dir === undefined) {
      dir = a
    } else {
      return { error: `unexpected argument ${JSON.stringify(a)}: build takes one directory` }
    }
  }
  return { dir: dir ?? '.', rest }
}

/** The kustomize command line for DIR: standalone kustomize if on PATH, else kubectl's. */
export function kustomizeCommand(dir: string, path: string | undefined): { file: string; args: string[] } | undefined {
  const kustomize = findExecutable('kustomize', path)
  if (kustomize !== undefined) return { file: kustomize, args: ['build', dir] }
  const kubectl = findExecutable('kubectl', path)
  if (kubectl !== undefined) return { file: kubectl, args: ['kustomize', dir] }
  return undefined
}

export async function build(argv: readonly string[], streams: Streams): Promise<number> {
  const fail = (message: string, code: number): number => {
    streams.stderr.write(`imagepolicy-mc build: ${message.split('\n').map(escapeControls).join('\n')}\n`)
    return code
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    streams.stdout.write(BUILD_USAGE + '\n')
    return 0
  }
  const split = splitBuildArgs(argv)
  if ('error' in split) return fail(`${split.error}\nRun imagepolicy-mc build --help for usage.`, 2)
  let isDir = false
  try {
    isDir = statSync(split.dir).isDirectory()
  } catch {
    // reported below
  }
  if (!isDir) return fail(`${split.dir}: not a directory`, 2)

  // The flags, read as the function reads its own (the same parser, the same
  // messages), before kustomize runs: a bad one never waits for a build.
  let args = fastFunctionArgs(split.rest)
  if (args === undefined) {
    const { parseFunctionArgs } = await import('../cli/main-args.ts')
    const parsed = await parseFunctionArgs(split.rest, streams, 'imagepolicy-mc build')
    if (typeof parsed === 'number') return parsed
    args = parsed
  }
  // The input is kustomize's output, never a file named among the options.
  if (args.paths.length > 0) return fail(`unexpected argument ${JSON.stringify(args.paths[0])}: build takes one directory\nRun imagepolicy-mc build --help for usage.`, 2)

  const fromEnvironment = readEnvOptions(process.env)
  if (fromEnvironment.errors.length > 0) {
    for (const e of fromEnvironment.errors) streams.stderr.write(e + '\n')
    return 1
  }

  const limits = args.limits ?? DEFAULT_LIMITS
  const command = kustomizeCommand(split.dir, process.env['PATH'])
  if (command === undefined) return fail('neither kustomize nor kubectl is on PATH', 1)
  const shown = [command.file, ...command.args].join(' ')
  let result
  try {
    result = await runChild(command.file, command.args, { maxOutputBytes: limits.maxInputBytes })
  } catch (e) {
    if (e instanceof InputError) return fail(e.message, 1)
    throw e
  }
  // kustomize's messages quote the repository: each line is passed on, escaped.
  if (result.stderr.length > 0) streams.stderr.write(result.stderr.toString('utf8').replace(/\n$/, '').split('\n').map(escapeControls).join('\n') + '\n')
  if (result.status !== 0) {
    const why = result.signal !== null ? `killed by ${result.signal}` : `exit status ${String(result.status)}`
    const hint = /external plugin '?ImagePolicyRenderer'?|ImagePolicyRenderer/.test(result.stderr.toString('utf8'))
      ? '\nhint: build renders the MachineConfigs itself; list the ImagePolicyRenderer transformer only for kubectl kustomize --enable-alpha-plugins, and give build its options as flags or plugin parameters'
      : ''
    return fail(`${shown} failed (${why})${hint}`, 1)
  }
  let text: string
  try {
    text = decodeUtf8(result.stdout, `output of ${shown}`)
  } catch (e) {
    if (e instanceof InputError) return fail(e.message, 1)
    throw e
  }
  // The function itself, on kustomize's output; a flag wins over the environment.
  return runFunction({ ...args, flags: { ...fromEnvironment.value, ...args.flags } }, { ...streams, readStdin: async () => text })
}
