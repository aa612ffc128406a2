// Options: defaults, the functionConfig (ImagePolicyRenderer or a ConfigMap of
// strings, as kpt passes `k=v` arguments) and CLI flags merged into one record.
// Pure; no I/O.

import { issue, type Issue } from './issues.ts'
import { isObject } from './decode/read-fields.ts'
import { LATEST_RELEASE, parseTargetRelease } from './review/release-policy.ts'

export const CONFIG_API_VERSION = 'imagepolicy-mc/v1alpha1'
export const CONFIG_KIND = 'ImagePolicyRenderer'

export type ValidateMode = 'strict' | 'warn' | 'ignore'
/** When to gzip node files in the MachineConfigs (README "Size limit and compression"). */
export type CompressMode = 'auto' | 'always' | 'never'

export interface Options {
  /** Pools to write a MachineConfig for. Default: `["master", "worker"]`. */
  readonly pools: readonly string[]
  /** MachineConfig name; `{pool}` is replaced. Default: `99-{pool}-sigstore-imagepolicies`. */
  readonly name: string
  /** Ignition spec version of `spec.config`, 3.1.0–3.5.0. Default: `3.4.0`. */
  readonly ignitionVersion: string
  /** Release image (or its repository) whose repository MCO never blocks. Default: `quay.io/openshift-release-dev/ocp-release`. */
  readonly releaseImage: string
  /** Keep ImagePolicy/ClusterImagePolicy items in the output. Default: `true`. */
  readonly emitPolicies: boolean
  /** CRD rule checking, as kubectl's `--validate`. Default: `strict`. */
  readonly validate: ValidateMode
  /** Warnings fail the run. Default: `false`. */
  readonly strict: boolean
  /** Accept an input with no resources. Default: `false`. */
  readonly allowEmpty: boolean
  /** OpenShift release of the cluster (`4.21`), or `latest`; decides whether its own `openshift` ClusterImagePolicy must be in the input. Default: `latest`. */
  readonly targetRelease: string
  /** Write policy.json without the release's own ClusterImagePolicy, on purpose. Default: `false`. */
  readonly withoutReleasePolicy: boolean
  /** gzip file contents: `auto` (only when the files would not fit in one MachineConfig), `always`, `never`. Default: `auto`. */
  readonly compress: CompressMode
}

export const DEFAULT_OPTIONS: Options = {
  pools: ['master', 'worker'],
  name: '99-{pool}-sigstore-imagepolicies',
  ignitionVersion: '3.4.0',
  releaseImage: 'quay.io/openshift-release-dev/ocp-release',
  emitPolicies: true,
  validate: 'strict',
  strict: false,
  allowEmpty: false,
  targetRelease: LATEST_RELEASE,
  withoutReleasePolicy: false,
  compress: 'auto',
}

export const IGNITION_VERSIONS = ['3.1.0', '3.2.0', '3.3.0', '3.4.0', '3.5.0'] as const
export const VALIDATE_MODES = ['strict', 'warn', 'ignore'] as const
export const COMPRESS_MODES = ['auto', 'always', 'never'] as const

export type PartialOptions = { -readonly [K in keyof Options]?: Options[K] }

/** Without a pool no MachineConfig is written, and Argo CD prunes the ones on the cluster. */
const NO_POOLS = 'at least one pool is required (with none, no MachineConfig would be written, and Argo CD would prune the existing ones)'

const POOL_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const MC_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/

function parseBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v
  if (typeof v === 'string') {
    if (/^(true|yes|on|1)$/i.test(v)) return true
    if (/^(false|no|off|0)$/i.test(v)) return false
  }
  return undefined
}

function parseList(v: unknown): string[] | undefined {
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v as string[]
  if (typeof v === 'string') {
    const trimmed = v.trim()
    if (trimmed.startsWith('[') && trimmed.endsWith(']')) {
      return trimmed.slice(1, -1).split(',').map((s) => s.trim().replace(/^["']|["']$/g, '')).filter((s) => s !== '')
    }
    return trimmed.split(/[,\s]+/).filter((s) => s !== '')
  }
  return undefined
}

/** Reads option values from a record of raw values (functionConfig spec, ConfigMap data or CLI flags). */
export function decodeOptionValues(raw: Record<string, unknown>, where: string): { value: PartialOptions; issues: Issue[] } {
  const issues: Issue[] = []
  const value: PartialOptions = {}
  const bad = (key: string, why: string) => issues.push(issue('error', 'config', `${where}: ${key}: ${why}`))
  for (const [key, v] of Object.entries(raw)) {
    if (v === undefined) continue
    switch (key) {
      case 'pools': {
        const pools = parseList(v)
        if (pools === undefined) bad(key, 'must be a list of pool names')
        else if (pools.length === 0) bad(key, NO_POOLS)
        else if (pools.some((p) => !POOL_NAME.test(p))) bad(key, `invalid pool name in ${JSON.stringify(pools)} (lower-case letters, digits and '-')`)
        else value.pools = pools
        break
      }
      case 'name':
        if (typeof v !== 'string' || v === '') bad(key, 'must be a non-empty string')
        else value.name = v
        break
      case 'ignitionVersion':
        if (typeof v !== 'string' || !(IGNITION_VERSIONS as readonly string[]).includes(v)) bad(key, `must be one of ${IGNITION_VERSIONS.join(', ')}`)
        else value.ignitionVersion = v
        break
      case 'releaseImage':
        if (typeof v !== 'string' || v === '') bad(key, 'must be a non-empty image reference')
        else value.releaseImage = v
        break
      case 'validate':
        if (typeof v !== 'string' || !(VALIDATE_MODES as readonly string[]).includes(v)) bad(key, `must be one of ${VALIDATE_MODES.join(', ')}`)
        else value.validate = v as ValidateMode
        break
      case 'targetRelease': {
        // YAML reads an unquoted 4.20 as the number 4.2: refuse numbers rather than guess.
        if (typeof v !== 'string') {
          bad(key, `must be a string such as "4.21" (quote it: YAML reads 4.20 as the number 4.2)`)
          break
        }
        const t = parseTargetRelease(v)
        if (typeof t === 'object' && 'error' in t) bad(key, t.error)
        else value.targetRelease = v
        break
      }
      case 'compress':
        if (typeof v !== 'string' || !(COMPRESS_MODES as readonly string[]).includes(v)) bad(key, `must be one of ${COMPRESS_MODES.join(', ')}`)
        else value.compress = v as CompressMode
        break
      case 'emitPolicies':
      case 'strict':
      case 'allowEmpty':
      case 'withoutReleasePolicy': {
        const b = parseBool(v)
        if (b === undefined) bad(key, 'must be true or false')
        else value[key] = b
        break
      }
      default:
        bad(key, `unknown option (known: ${Object.keys(DEFAULT_OPTIONS).join(', ')})`)
    }
  }
  return { value, issues }
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
  if (new Set(names).size !== names.length) issues.push(issue('error', 'config', 'name: must contain {pool} when more than one pool is given (names would collide)'))
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
