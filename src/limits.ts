// The resource limits that keep untrusted repository content from exhausting the
// host (README "Security model"): what we read, what we print, how long a child
// process may run. Pure: the values and their parsing; the edge applies them.
// They are command-line flags only, never functionConfig keys: the repository
// must not be able to raise its own limits.

export const MIB = 1024 * 1024

/** All inputs together (files, stdin, --config, kustomize's output): `--max-input-bytes`. */
export const DEFAULT_MAX_INPUT_BYTES = 64 * MIB

/** What one run prints, and the node files it renders on the way: `--max-output-bytes`. */
export const DEFAULT_MAX_OUTPUT_BYTES = 256 * MIB

/**
 * A child process (git, kustomize, kubectl) that has not ended by then is killed.
 * Set with IMAGEPOLICY_MC_CHILD_TIMEOUT_SECONDS (kustomize with remote bases
 * fetches over the network).
 */
export const DEFAULT_CHILD_TIMEOUT_SECONDS = 300

export interface Limits {
  readonly maxInputBytes: number
  readonly maxOutputBytes: number
}

export const DEFAULT_LIMITS: Limits = { maxInputBytes: DEFAULT_MAX_INPUT_BYTES, maxOutputBytes: DEFAULT_MAX_OUTPUT_BYTES }

const UNITS: Readonly<Record<string, number>> = { '': 1, k: 1000, kb: 1000, ki: 1024, kib: 1024, m: 1e6, mb: 1e6, mi: MIB, mib: MIB, g: 1e9, gb: 1e9, gi: 1024 * MIB, gib: 1024 * MIB }

/** `65536`, `64KiB`, `64Mi`, `1G` → bytes; undefined when it is not a positive whole number of bytes. */
export function parseByteSize(value: string): number | undefined {
  const m = /^([0-9]+)[ ]?([a-zA-Z]*)$/.exec(value.trim())
  if (m === null) return undefined
  const unit = UNITS[m[2]!.toLowerCase()]
  if (unit === undefined) return undefined
  const n = Number(m[1]) * unit
  return Number.isSafeInteger(n) && n > 0 ? n : undefined
}

/** The line a user sees when an input is over the budget. */
export function inputBudgetMessage(name: string, limit: number): string {
  return `${name}: input exceeds the input budget of ${limit} bytes (--max-input-bytes); raise it with --max-input-bytes if this input is intended`
}

/** The line a user sees when the output would be over the budget. */
export function outputBudgetMessage(limit: number, what: string): string {
  return `${what} exceeds the output budget of ${limit} bytes (--max-output-bytes); raise it with --max-output-bytes if this input is intended`
}

/** The child-process timeout in seconds, from IMAGEPOLICY_MC_CHILD_TIMEOUT_SECONDS or the default; undefined when that is malformed. */
export function childTimeoutSeconds(env: Readonly<Record<string, string | undefined>>): number | undefined {
  const v = env['IMAGEPOLICY_MC_CHILD_TIMEOUT_SECONDS']
  if (v === undefined || v.trim() === '') return DEFAULT_CHILD_TIMEOUT_SECONDS
  const n = /^[0-9]+$/.test(v.trim()) ? Number(v.trim()) : NaN
  // setTimeout takes at most 2^31-1 ms (about 24.8 days); a longer delay runs
  // after 1 ms instead, so every child "timed out" at once. A value that large
  // means "no practical limit": the longest timer there is.
  return Number.isSafeInteger(n) && n > 0 ? Math.min(n, MAX_CHILD_TIMEOUT_SECONDS) : undefined
}

/** The longest child timeout a Node.js timer can hold, in whole seconds. */
export const MAX_CHILD_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000)
