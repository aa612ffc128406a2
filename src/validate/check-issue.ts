// Validate stage helper: the Issue a check makes (its severity provisional until the
// --validate mode grades it), and the API server's wording for it (k8s.io/apimachinery
// pkg/util/validation/field `Error.ErrorBody`, apiextensions-apiserver
// pkg/apiserver/validation `ValidateCustomResource`; openshift-api.md §6). Pure.

import { issue, type Issue, type IssueCode, type Severity } from '../issues.ts'
import { goQuote } from '../upstream/go-strconv.ts'

export type Path = readonly (string | number)[]

/**
 * How a check issue's severity depends on `--validate`:
 * - `rule`: an API-server rule (CRD schema, CEL, ObjectMeta, OpenShift admission) or
 *   a deeper check of ours that the input is what it claims to be: an error in
 *   strict mode, a warning in warn mode, dropped in ignore mode;
 * - `fatal`: the input cannot be read or rendered safely in any mode (a wrong type
 *   where we read a value, a missing name, a namespace that would escape its node
 *   file path): always an error;
 * - `advice`: worth knowing but not a rule (an expired certificate): a warning,
 *   dropped in ignore mode.
 */
export type Level = 'rule' | 'fatal' | 'advice'

/**
 * What a check makes: an `Issue` (the one problem shape) without its resource, which
 * validateResources adds, with a provisional severity (the one `strict` mode gives)
 * and what grading needs: the `level`, whether a schema error is blocking (CEL rules
 * are then not run) and the schema keyword where later checks care. `gradeIssues`
 * (validate-resources.ts) turns it into a plain Issue.
 */
export interface CheckIssue extends Issue {
  readonly level: Level
  readonly blocking?: true
  readonly keyword?: 'type' | 'required'
}

/** The severity `strict` mode gives a level (the provisional severity of a CheckIssue). */
function strictSeverity(level: Level): Severity {
  return level === 'advice' ? 'warning' : 'error'
}

export function checkIssue(level: Level, code: IssueCode, path: Path, message: string, blocking = false, keyword?: CheckIssue['keyword']): CheckIssue {
  return { ...issue(strictSeverity(level), code, message, { path }), level, ...(blocking ? { blocking: true } : {}), ...(keyword !== undefined ? { keyword } : {}) }
}

/** A check issue raised to fatal: an error in every mode. */
export function asFatal(i: CheckIssue): CheckIssue {
  return { ...i, severity: 'error', level: 'fatal' }
}

/** Values longer than this are abbreviated in messages: an 8 KiB key helps nobody on stderr. */
const MAX_QUOTED = 64

/**
 * Go's `%q` of a string (`strconv.Quote`, as field errors print a string value),
 * abbreviated with `...` when long.
 */
export function quote(s: string): string {
  return s.length > MAX_QUOTED ? `${goQuote(s.slice(0, MAX_QUOTED)).slice(0, -1)}..."` : goQuote(s)
}

/** The JSON type name of a value, as kube-openapi names it in type errors. */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null'
  if (Array.isArray(v)) return 'array'
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number'
  if (typeof v === 'bigint') return 'integer'
  return typeof v === 'object' ? 'object' : typeof v
}

/** `field.Error.ErrorBody`'s rendering of a bad value: strings quoted, scalars plain, others by type. */
export function badValue(v: unknown): string {
  if (typeof v === 'string') return quote(v)
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v)
  return JSON.stringify(typeName(v))
}

/** `<path>` as kube-openapi writes it inside a detail (`spec.scopes[0]`). */
export function dotted(path: Path): string {
  let out = ''
  for (const s of path) out += typeof s === 'number' ? `[${s}]` : out === '' ? s : `.${s}`
  return out
}

// The messages, one function per field.ErrorType the API server uses here.
export const MSG = {
  required: (detail = ''): string => (detail === '' ? 'Required value' : `Required value: ${detail}`),
  invalid: (value: unknown, detail: string): string => `Invalid value: ${badValue(value)}: ${detail}`,
  /** A CEL rule failure: the server prints the schema type, not the value. */
  rule: (schemaType: 'string' | 'object', message: string): string => `Invalid value: "${schemaType}": ${message}`,
  notSupported: (value: unknown, allowed: readonly string[]): string =>
    `Unsupported value: ${badValue(value)}: supported values: ${allowed.map((a) => JSON.stringify(a)).join(', ')}`,
  tooLong: (max: number): string => `Too long: may not be more than ${max} bytes`,
  tooMany: (actual: number, max: number): string => `Too many: ${actual}: must have at most ${max} items`,
  duplicate: (value: unknown): string => `Duplicate value: ${badValue(value)}`,
  /** Server-side strict field validation of a custom resource (kubectl --validate=strict). */
  unknownField: (): string => 'field not declared in schema',
  typeInvalid: (path: Path, want: string, value: unknown): string =>
    `Invalid value: ${JSON.stringify(typeName(value))}: ${dotted(path)} in body must be of type ${want}: ${JSON.stringify(typeName(value))}`,
  /** apiextensions-apiserver strategy.go `hasBlockingErr`. */
  celSkipped: 'Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
} as const
