// The one error model: every problem is data, collected by the stages and turned
// into KRM results, stderr lines and the exit code only at the edge. Pure; no I/O.

import type { ResourceRef } from './model.ts'

export type Severity = 'error' | 'warning' | 'info'

/** What kind of rule produced an issue (the catalogue; tests assert on it). */
export type IssueCode =
  | 'yaml' // the input is not readable YAML
  | 'input' // the input stream as a whole (empty, wrong envelope)
  | 'config' // the functionConfig or a CLI option
  | 'decode' // a field has the wrong type for us to read it
  | 'schema' // a CRD structural-schema rule
  | 'cel' // a CRD x-kubernetes-validations rule
  | 'content' // key or certificate content (deeper than the API server)
  | 'mco' // MCO's own render-time error, in MCO's words
  | 'scope-conflict' // an ImagePolicy scope lost to a cluster scope (MCO's Pending condition)
  | 'registries' // Image config / mirror set problems
  | 'guardrail' // a review warning
  | 'release-policy' // the release's own ClusterImagePolicy openshift (review/release-policy.ts)
  | 'size' // a MachineConfig size limit
  | 'import' // `import`: what the APIs cannot express, and its notes (import/import-issue.ts)

export interface Issue {
  readonly severity: Severity
  readonly code: IssueCode
  readonly message: string
  readonly resource?: ResourceRef
  readonly path: readonly (string | number)[]
  readonly file?: { readonly path: string; readonly index?: number }
}

export function issue(
  severity: Severity,
  code: IssueCode,
  message: string,
  where: { resource?: ResourceRef | undefined; path?: readonly (string | number)[]; file?: Issue['file'] | undefined } = {},
): Issue {
  return {
    severity,
    code,
    message,
    ...(where.resource !== undefined ? { resource: where.resource } : {}),
    path: where.path ?? [],
    ...(where.file !== undefined ? { file: where.file } : {}),
  }
}

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/

/** `['spec', 'scopes', 2]` → `spec.scopes[2]` (zod's toDotPath, with `-` allowed in names). */
export function toFieldPath(path: readonly (string | number)[]): string {
  let out = ''
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`
    else out += `[${JSON.stringify(segment)}]`
  }
  return out
}

/** `ImagePolicy team-a/p1`, `ClusterImagePolicy openshift`. */
export function formatResource(ref: ResourceRef): string {
  return `${ref.kind} ${ref.namespace !== undefined && ref.namespace !== '' ? `${ref.namespace}/` : ''}${ref.name}`
}

/**
 * C0 and C1 controls, DEL, the Unicode line and paragraph separators and the
 * bidirectional overrides: what would end a line, move the cursor, retitle or
 * recolour a terminal, or reorder the text a reader sees.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

/**
 * Escapes control characters (`\n`, `\x1b`, `\u2028`) so that text from the
 * input (resource names, paths, values) printed on a line stays that line and
 * never reaches a terminal as a control sequence. Every stderr line goes through it.
 */
export function escapeControls(s: string): string {
  return s.replace(CONTROL, (c) => {
    if (c === '\n') return '\\n'
    if (c === '\r') return '\\r'
    if (c === '\t') return '\\t'
    const code = c.charCodeAt(0)
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
  })
}

/** One stderr line: `error ImagePolicy team-a/p1 spec.scopes[0]: …`; input text in it is escaped (escapeControls). */
export function formatIssue(i: Issue): string {
  const where = [i.resource !== undefined ? formatResource(i.resource) : undefined, i.path.length > 0 ? toFieldPath(i.path) : undefined]
    .filter((s) => s !== undefined)
    .join(' ')
  const file = i.file !== undefined ? ` (${i.file.path}${i.file.index !== undefined ? `#${i.file.index}` : ''})` : ''
  // A message's own line breaks are its wording (one line per issue): they become spaces.
  return `${i.severity} ${where === '' ? '' : `${escapeControls(where)}: `}${escapeControls(i.message.replaceAll('\n', ' '))}${escapeControls(file)}`
}

const SEVERITY_ORDER: Readonly<Record<Severity, number>> = { error: 0, warning: 1, info: 2 }

function refKey(ref: ResourceRef | undefined): string {
  return ref === undefined ? '' : `${ref.kind}\u0000${ref.namespace ?? ''}\u0000${ref.name}`
}

/** Stable order for output: severity, then resource, then field path, then text (kyaml's `Results.Sort`). */
export function sortIssues(issues: readonly Issue[]): Issue[] {
  return [...issues].sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      cmp(refKey(a.resource), refKey(b.resource)) ||
      cmp(toFieldPath(a.path), toFieldPath(b.path)) ||
      cmp(a.message, b.message),
  )
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

export function hasErrors(issues: readonly Issue[]): boolean {
  return issues.some((i) => i.severity === 'error')
}

/** A KRM function `Result` (kyaml `fn/framework/result.go`). */
export function toResult(i: Issue): Record<string, unknown> {
  return {
    // `field.path` needs a resourceRef: without one (an option), the path leads the message, as on stderr.
    message: i.resource === undefined && i.path.length > 0 ? `${toFieldPath(i.path)}: ${i.message}` : i.message,
    severity: i.severity,
    ...(i.resource !== undefined
      ? {
          resourceRef: {
            apiVersion: i.resource.apiVersion,
            kind: i.resource.kind,
            name: i.resource.name,
            ...(i.resource.namespace !== undefined ? { namespace: i.resource.namespace } : {}),
          },
        }
      : {}),
    ...(i.resource !== undefined && i.path.length > 0 ? { field: { path: toFieldPath(i.path) } } : {}),
    ...(i.file !== undefined ? { file: i.file } : {}),
    tags: { code: i.code },
  }
}
