// Options: defaults, the functionConfig (ImagePolicyRenderer or a ConfigMap of
// strings, as kpt passes `k=v` arguments) and CLI flags merged into one record.
// Each option is described once, in src/option-table.ts. Pure; no I/O.

import { issue, type Issue } from './issues.ts'
import { isObject } from './is-object.ts'
import { CONFIG_OPTIONS, decodeOption, NO_POOLS, optionByKey } from './option-table.ts'

export const CONFIG_API_VERSION = 'imagepolicy-mc/v1alpha1'
export const CONFIG_KIND = 'ImagePolicyRenderer'

export type ValidateMode = 'strict' | 'warn' | 'ignore'
/** When to gzip node files in the MachineConfigs (README "Size limit and compression"). */
export type CompressMode = 'auto' | 'always' | 'never'

/** The merged options; what each one means, its default and its sources: src/option-table.ts. */
export interface Options {
  /** Pools to write a MachineConfig for. */
  readonly pools: readonly string[]
  /** MachineConfig name; `{pool}` is replaced. */
  readonly name: string
  /** Ignition spec version of `spec.config`, 3.1.0–3.5.0. */
  readonly ignitionVersion: string
  /** Release image (or its repository) whose repository MCO never blocks. */
  readonly releaseImage: string
  /** Keep ImagePolicy/ClusterImagePolicy items in the output. */
  readonly emitPolicies: boolean
  /** CRD rule checking, as kubectl's `--validate`. */
  readonly validate: ValidateMode
  /** Warnings fail the run. */
  readonly strict: boolean
  /** Accept an input with no resources. */
  readonly allowEmpty: boolean
  /** OpenShift release of the cluster (`4.21`), or `latest`; decides whether its own `openshift` ClusterImagePolicy must be in the input. */
  readonly targetRelease: string
  /** Write policy.json without the release's own ClusterImagePolicy, on purpose. */
  readonly withoutReleasePolicy: boolean
  /** gzip file contents: `auto` (only when the files would not fit in one MachineConfig), `always`, `never`. */
  readonly compress: CompressMode
}

/** The defaults, from the option table (src/option-table.ts). */
export const DEFAULT_OPTIONS: Options = Object.fromEntries(CONFIG_OPTIONS.map((o) => [o.key, o.default])) as unknown as Options

export type PartialOptions = { -readonly [K in keyof Options]?: Options[K] }

const MC_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/

/**
 * Reads option values from a record of raw values (functionConfig spec,
 * ConfigMap data, flags, the environment); each problem is one error
 * `<where>: <key>: <reason>`, with the reason from the option table's decoder.
 */
export function decodeOptionValues(raw: Record<string, unknown>, where: string): { value: PartialOptions; issues: Issue[] } {
  const issues: Issue[] = []
  const value: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(raw)) {
    if (v === undefined) continue
    const spec = optionByKey(key)
    if (spec === undefined) {
      issues.push(issue('error', 'config', `${where}: ${key}: unknown option (known: ${CONFIG_OPTIONS.map((o) => o.key).join(', ')})`))
      continue
    }
    const decoded = decodeOption(spec, v)
    if ('error' in decoded) issues.push(issue('error', 'config', `${where}: ${key}: ${decoded.error}`))
    else value[key] = decoded.value
  }
  return { value: value as PartialOptions, issues }
}

/**
 * Options from a functionConfig: `ImagePolicyRenderer` with fields under `spec`,
 * or a `ConfigMap` whose `data` holds the same keys as strings.
 */
export function decodeFunctionConfig(config: unknown): { value: PartialOptions; issues: Issue[] } {
  if (config === undefined || config === null) return { value: {}, issues: [] }
  if (!isObject(config)) return { value: {}, issues: [issue('error', 'config', 'functionConfig must be an object')] }
  const kind = config['kind']
  if (kind === 'ConfigMap') {
    const data = config['data'] ?? {}
    if (!isObject(data)) return { value: {}, issues: [issue('error', 'config', 'functionConfig ConfigMap data must be a map')] }
    return decodeOptionValues(data, 'functionConfig ConfigMap data')
  }
  if (kind === CONFIG_KIND && config['apiVersion'] === CONFIG_API_VERSION) {
    const spec = config['spec'] ?? {}
    if (!isObject(spec)) return { value: {}, issues: [issue('error', 'config', `${CONFIG_KIND} spec must be a map`)] }
    return decodeOptionValues(spec, `${CONFIG_KIND} spec`)
  }
  return {
    value: {},
    issues: [
      issue('error', 'config', `functionConfig must be apiVersion: ${CONFIG_API_VERSION}, kind: ${CONFIG_KIND} or a ConfigMap (got ${String(config['apiVersion'])} ${String(kind)})`),
    ],
  }
}

/** Later layers win: defaults < functionConfig < CLI flags. */
export function mergeOptions(...layers: PartialOptions[]): Options {
  return Object.assign({}, DEFAULT_OPTIONS, ...layers) as Options
}

/** Checks that derived names are valid and distinct. */
export function checkOptions(options: Options): Issue[] {
  const names = options.pools.map((pool) => machineConfigName(options, pool))
  const issues: Issue[] = []
  if (options.pools.length === 0) issues.push(issue('error', 'config', `pools: ${NO_POOLS}`))
  for (const n of names) {
    if (!MC_NAME.test(n) || n.length > 253) issues.push(issue('error', 'config', `name: ${JSON.stringify(n)} is not a valid MachineConfig name (DNS-1123 subdomain)`))
  }
  const repeated = options.pools.filter((p, i) => options.pools.indexOf(p) !== i)
  if (repeated.length > 0) issues.push(issue('error', 'config', `pools: ${JSON.stringify(repeated[0])} is given more than once (one MachineConfig per pool)`))
  else if (new Set(names).size !== names.length) issues.push(issue('error', 'config', 'name: must contain {pool} when more than one pool is given (names would collide)'))
  options.pools.forEach((pool, i) => {
    // MCO merges a pool's MachineConfigs by name and the last one wins for a path:
    // ours must come after MCO's own, which also writes policy.json.
    const mco = `99-${pool}-generated-registries`
    const ours = names[i]!
    if (ours <= mco) {
      issues.push(
        issue('warning', 'config', `name: ${JSON.stringify(ours)} sorts before MCO's ${JSON.stringify(mco)}, so MCO's policy.json would win on the nodes; choose a name that sorts after it`),
      )
    }
  })
  return issues
}

export function machineConfigName(options: Options, pool: string): string {
  return options.name.replaceAll('{pool}', pool)
}
