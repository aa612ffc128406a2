// The one description of every option (issue 16): its flag, its functionConfig
// key, its Argo CD parameter, its type, default, allowed values, help text and
// the sources it may come from. Everything else is derived from this table:
// the fast argument parser and yargs (src/cli/flags.ts, src/cli/main-args.ts),
// every --help text, the functionConfig decoder (src/options.ts: the
// ImagePolicyRenderer spec and ConfigMap data), build's PARAM_*/ARGOCD_ENV_*
// mapping (src/commands/build.ts), and plugin.yaml's parameter list (checked
// against it by test/option-table.test.ts). README "Adding an option".
// Shared vocabulary (stage 0); pure.

import { DEFAULT_MAX_INPUT_BYTES, DEFAULT_MAX_OUTPUT_BYTES, MIB, parseByteSize } from './limits.ts'
import { LATEST_RELEASE, parseTargetRelease } from './target-release.ts'

export const IGNITION_VERSIONS = ['3.1.0', '3.2.0', '3.3.0', '3.4.0', '3.5.0'] as const
export const VALIDATE_MODES = ['strict', 'warn', 'ignore'] as const
export const COMPRESS_MODES = ['auto', 'always', 'never'] as const

/**
 * `list`: pool names (a YAML list, or a string `a,b`); `string`: text, checked by
 * `check` or `choices`; `boolean`: true/false (yes/no, on/off, 1/0 as strings);
 * `bytes`: a byte size such as 64MiB; `file`: a path the CLI reads.
 */
export type OptionType = 'list' | 'string' | 'boolean' | 'bytes' | 'file'

export interface OptionSpec {
  /** The command-line flag, without `--`. Every option has one. */
  readonly flag: string
  /**
   * The key in Options, an ImagePolicyRenderer spec and ConfigMap data. Absent
   * for a flag-only option: the limits (a repository must not raise its own
   * limits, README "Security model") and --config itself.
   */
  readonly key?: string
  /** The Argo CD name: `PARAM_<env>` (a plugin.yaml parameter) and `ARGOCD_ENV_<env>`. Absent: not read from the environment, not in plugin.yaml. */
  readonly env?: string
  readonly type: OptionType
  /** The value when nothing sets it (decoded form); absent for --config. */
  readonly default?: unknown
  /** The default as --help shows it, when not the default itself. */
  readonly defaultHelp?: string
  readonly choices?: readonly string[]
  /** What the value looks like in --help (`a,b`, `FILE`). */
  readonly placeholder?: string
  /** One line for --help. */
  readonly help: string
  /** A further check of a string value; the reason it is refused. */
  readonly check?: (value: string) => string | undefined
  /** plugin.yaml's `title` and `tooltip` for the parameter (options with `env`). */
  readonly plugin?: { readonly title: string; readonly tooltip: string }
}

/** Without a pool no MachineConfig is written, and Argo CD prunes the ones on the cluster. */
export const NO_POOLS = 'at least one pool is required (with none, no MachineConfig would be written, and Argo CD would prune the existing ones)'

const POOL_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

export const OPTION_TABLE: readonly OptionSpec[] = [
  { flag: 'config', type: 'file', placeholder: 'FILE', help: 'read a functionConfig (ImagePolicyRenderer or ConfigMap) from FILE' },
  {
    flag: 'pools',
    key: 'pools',
    env: 'POOLS',
    type: 'list',
    default: ['master', 'worker'],
    placeholder: 'a,b',
    help: 'comma-separated pools, one MachineConfig each; at least one',
    plugin: { title: 'Machine config pools', tooltip: 'One MachineConfig is written for each pool.' },
  },
  {
    flag: 'name',
    key: 'name',
    env: 'NAME',
    type: 'string',
    default: '99-{pool}-sigstore-imagepolicies',
    placeholder: 'NAME',
    help: 'MachineConfig name; {pool} is replaced',
    check: (v) => (v === '' ? 'must be a non-empty string' : undefined),
    plugin: { title: 'MachineConfig name', tooltip: '{pool} is replaced by the pool name.' },
  },
  {
    flag: 'ignition-version',
    key: 'ignitionVersion',
    env: 'IGNITION_VERSION',
    type: 'string',
    default: '3.4.0',
    choices: IGNITION_VERSIONS,
    placeholder: 'V',
    help: 'Ignition spec version',
    plugin: { title: 'Ignition spec version', tooltip: '3.1.0 to 3.5.0.' },
  },
  {
    flag: 'release-image',
    key: 'releaseImage',
    env: 'RELEASE_IMAGE',
    type: 'string',
    default: 'quay.io/openshift-release-dev/ocp-release',
    placeholder: 'REF',
    help: 'release image or repository MCO never blocks',
    check: (v) => (v === '' ? 'must be a non-empty image reference' : undefined),
    plugin: { title: 'Release image', tooltip: 'Release image (or its repository) whose repository MCO never blocks.' },
  },
  {
    flag: 'emit-policies',
    key: 'emitPolicies',
    env: 'EMIT_POLICIES',
    type: 'boolean',
    default: true,
    help: 'keep ImagePolicy/ClusterImagePolicy items in the output',
    plugin: { title: 'Keep policies', tooltip: 'Keep the ImagePolicy and ClusterImagePolicy resources in the output.' },
  },
  { flag: 'validate', key: 'validate', type: 'string', default: 'strict', choices: VALIDATE_MODES, placeholder: 'MODE', help: 'CRD rule checking, as kubectl --validate' },
  {
    flag: 'strict',
    key: 'strict',
    env: 'STRICT',
    type: 'boolean',
    default: false,
    help: 'warnings fail the run (exit 1)',
    plugin: { title: 'Strict', tooltip: 'Warnings fail manifest generation.' },
  },
  { flag: 'allow-empty', key: 'allowEmpty', type: 'boolean', default: false, help: 'accept an input with no resources' },
  {
    flag: 'target-release',
    key: 'targetRelease',
    env: 'TARGET_RELEASE',
    type: 'string',
    default: LATEST_RELEASE,
    defaultHelp: `${LATEST_RELEASE}, the newest`,
    placeholder: 'R',
    help: "the cluster's OpenShift release (4.19, 4.21, ...); from 4.21 the input must hold its ClusterImagePolicy openshift",
    check: (v) => {
      const t = parseTargetRelease(v)
      return typeof t === 'object' && 'error' in t ? t.error : undefined
    },
    plugin: {
      title: 'Target OpenShift release',
      tooltip:
        "The cluster's release, such as 4.19 or 4.21. From 4.21 (4.20 with TechPreviewNoUpgrade) the release ships its own ClusterImagePolicy openshift, and the manifests must include it. latest: the newest release.",
    },
  },
  {
    flag: 'without-release-policy',
    key: 'withoutReleasePolicy',
    env: 'WITHOUT_RELEASE_POLICY',
    type: 'boolean',
    default: false,
    help: "write policy.json without the release's ClusterImagePolicy openshift: nodes stop verifying release images",
    plugin: { title: 'Without the release policy', tooltip: "true: write policy.json without the release's ClusterImagePolicy openshift, so the nodes stop verifying the release images." },
  },
  {
    flag: 'compress',
    key: 'compress',
    env: 'COMPRESS',
    type: 'string',
    default: 'auto',
    choices: COMPRESS_MODES,
    placeholder: 'MODE',
    help: 'gzip node files; auto: only when they would not fit in one MachineConfig',
    plugin: { title: 'Compress node files', tooltip: 'auto (gzip only when the files would not fit in one MachineConfig), always or never.' },
  },
  { flag: 'max-input-bytes', type: 'bytes', default: DEFAULT_MAX_INPUT_BYTES, defaultHelp: `${DEFAULT_MAX_INPUT_BYTES / MIB}MiB`, placeholder: 'N', help: "what all inputs together may hold (build: also kustomize's output), e.g. 128MiB" },
  { flag: 'max-output-bytes', type: 'bytes', default: DEFAULT_MAX_OUTPUT_BYTES, defaultHelp: `${DEFAULT_MAX_OUTPUT_BYTES / MIB}MiB`, placeholder: 'N', help: 'what one run may print, e.g. 1GiB' },
]

/** The options a functionConfig may set (they have a key), in table order. */
export const CONFIG_OPTIONS: readonly (OptionSpec & { readonly key: string })[] = OPTION_TABLE.filter((o): o is OptionSpec & { key: string } => o.key !== undefined)

/** The options Argo CD passes (plugin.yaml parameters), in table order. */
export const ENV_OPTIONS: readonly (OptionSpec & { readonly key: string; readonly env: string })[] = CONFIG_OPTIONS.filter((o): o is OptionSpec & { key: string; env: string } => o.env !== undefined)

export function optionByKey(key: string): (OptionSpec & { readonly key: string }) | undefined {
  return CONFIG_OPTIONS.find((o) => o.key === key)
}

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

/**
 * One option's raw value (a flag as parsed, a functionConfig field, a
 * ConfigMap string, an environment variable) → its value, or the reason it is
 * refused. The one decoder for every path, so that the same bad value gets the
 * same words wherever it comes from.
 */
export function decodeOption(spec: OptionSpec, v: unknown): { value: unknown } | { error: string } {
  switch (spec.type) {
    case 'boolean': {
      const b = parseBool(v)
      return b === undefined ? { error: 'must be true or false' } : { value: b }
    }
    case 'list': {
      const pools = parseList(v)
      if (pools === undefined) return { error: 'must be a list of pool names' }
      if (pools.length === 0) return { error: NO_POOLS }
      if (pools.some((p) => !POOL_NAME.test(p))) return { error: `invalid pool name in ${JSON.stringify(pools)} (lower-case letters, digits and '-')` }
      return { value: pools }
    }
    case 'bytes': {
      const n = typeof v === 'string' || typeof v === 'number' ? parseByteSize(String(v)) : undefined
      return n === undefined ? { error: `expected a number of bytes such as 67108864, 64MiB or 1GiB, got ${JSON.stringify(v)}` } : { value: n }
    }
    case 'file':
      return typeof v === 'string' ? { value: v } : { error: 'must be a file name' }
    case 'string': {
      if (spec.key === 'targetRelease' && typeof v !== 'string') {
        // YAML reads an unquoted 4.20 as the number 4.2: refuse numbers rather than guess.
        return { error: 'must be a string such as "4.21" (quote it: YAML reads 4.20 as the number 4.2)' }
      }
      if (spec.choices !== undefined) {
        return typeof v === 'string' && spec.choices.includes(v) ? { value: v } : { error: `must be one of ${spec.choices.join(', ')}` }
      }
      if (typeof v !== 'string') return { error: spec.check?.('') ?? 'must be a string' }
      const why = spec.check?.(v)
      return why === undefined ? { value: v } : { error: why }
    }
  }
}

/** The default as --help shows it. */
export function defaultHelp(spec: OptionSpec): string | undefined {
  if (spec.defaultHelp !== undefined) return spec.defaultHelp
  if (spec.default === undefined) return undefined
  return Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default)
}

/** One option's --help description: the help line, the allowed values, the default. */
export function describeOption(spec: OptionSpec): string {
  const choices = spec.choices !== undefined ? ` (${spec.choices.join(', ')})` : ''
  const fallback = defaultHelp(spec)
  return `${spec.help}${choices}${fallback !== undefined ? ` [default: ${fallback}]` : ''}`
}

/** The option list of a --help text (the subcommands' own help; yargs writes the main command's from the same table). */
export function optionsHelp(indent = '  '): string {
  return OPTION_TABLE.map((o) => {
    const head = `--${o.type === 'boolean' && o.default === true ? `[no-]${o.flag}` : o.flag}${o.placeholder !== undefined ? ` ${o.placeholder}` : ''}`
    return `${indent}${head.padEnd(25)} ${describeOption(o)}`
  }).join('\n')
}

/**
 * `import`'s own options (src/commands/import.ts), described like the table's:
 * flag-only (no functionConfig key, no Argo CD parameter). `import` also takes
 * the table's --release-image, --target-release, --validate, --max-input-bytes and
 * --max-output-bytes.
 */
export const IMPORT_OPTION_TABLE: readonly OptionSpec[] = [
  { flag: 'partial', type: 'boolean', default: false, help: 'print what the APIs can express and exit 0; what they cannot goes to stderr as warnings' },
  {
    flag: 'namespace',
    type: 'string',
    placeholder: 'NS',
    help: 'the namespace of policy JSON files not named policy.json (/etc/crio/policies/NS.json); default: the file name, in a directory named policies',
    check: (v) => (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v) && v.length <= 63 ? undefined : 'must be a namespace name (a DNS-1123 label)'),
  },
  {
    flag: 'name-prefix',
    type: 'string',
    default: 'imported',
    placeholder: 'P',
    help: 'names of the resources printed: P-001, P-002, ... (per namespace for ImagePolicies)',
    // The names are PREFIX-NNN, DNS-1123 subdomains of at most 253 characters: 200 leaves room for the number.
    check: (v) =>
      !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v)
        ? 'must be lower-case letters, digits and "-", starting and ending with a letter or digit'
        : v.length > 200
          ? `must be at most 200 characters (it has ${v.length}; the names printed are P-NNN)`
          : undefined,
  },
]
