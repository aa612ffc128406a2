// Import stage helper: the Issue import makes (the one problem shape, src/issues.ts)
// for what the APIs cannot express, and for its notes. Its file is where the
// policy came from (a file, `<stdin>`, or `FILE#N: MachineConfig/NAME /etc/...`),
// its field path the entry of that file it is about. A finding's severity is
// provisional (`error`, the one without --partial) until the command grades it
// (gradeImportIssues); notes are `info`. Pure.

import { issue, type Issue, type Severity } from '../issues.ts'
import { compareBytewise } from '../upstream/go-json.ts'

/**
 * An `Issue` of import: always a file, and for a policy entry the transport and
 * scope as stderr names them (`transport docker scope "a.com"`). `path` holds the
 * same place as a field path of the file: `['transports', transport, scope]`
 * (registries.d: `['docker', scope]`, `['default-docker']`), `['default']` for the
 * default (no transport, no scope), `[]` for the file as a whole.
 */
export interface ImportIssue extends Issue {
  readonly code: 'import'
  readonly file: { readonly path: string }
  readonly transport?: string
  /** Undefined for the default and for the file as a whole. */
  readonly scope?: string
}

/** Where in a file: a transport's scope, the default, or (undefined) the file as a whole. */
export type Entry = { readonly transport?: string; readonly scope?: string } | 'default'

function fieldPath(entry: Entry | undefined): (string | number)[] {
  if (entry === undefined) return []
  if (entry === 'default' || entry.scope === undefined) return ['default']
  if (entry.transport === 'registries.d') return entry.scope === 'default-docker' ? ['default-docker'] : ['docker', entry.scope]
  return ['transports', entry.transport ?? '', entry.scope]
}

/** A finding (what the APIs cannot express) about `origin` at `entry`, provisionally an error. */
export function importIssue(origin: string, message: string, entry?: Entry): ImportIssue {
  return withEntry(issue('error', 'import', message, { file: { path: origin }, path: fieldPath(entry) }), entry)
}

/** A note (`info`), about `origin` when given. */
export function importNote(message: string, origin?: string): Issue {
  return issue('info', 'import', message, origin !== undefined ? { file: { path: origin } } : {})
}

function withEntry(base: Issue, entry: Entry | undefined): ImportIssue {
  const at = entry === undefined || entry === 'default' ? {} : entry
  return {
    ...(base as ImportIssue),
    ...(at.transport !== undefined ? { transport: at.transport } : {}),
    ...(at.scope !== undefined ? { scope: at.scope } : {}),
  }
}

/** About the file (or the imported resources) as a whole, not one entry. */
export function isGeneral(i: ImportIssue): boolean {
  return i.path.length === 0
}

/** An import issue as stderr shows it after the severity: `FILE: transport T scope "S": why`, `FILE: default: why`, `FILE: why`; unescaped. */
export function formatImportIssue(i: Issue): string {
  const origin = i.file !== undefined ? `${i.file.path}: ` : ''
  if (i.path.length === 0) return `${origin}${i.message}`
  const f = i as ImportIssue
  const where = f.scope === undefined ? 'default' : `transport ${f.transport ?? '?'} scope ${JSON.stringify(f.scope)}`
  return `${origin}${where}: ${i.message}`
}

/** Findings sorted for output: by file, transport, scope (the default first), message. */
export function sortImportIssues(issues: readonly ImportIssue[]): ImportIssue[] {
  return [...issues].sort(
    (a, b) =>
      compareBytewise(a.file.path, b.file.path) ||
      compareBytewise(a.transport ?? '', b.transport ?? '') ||
      (a.scope === undefined ? -1 : 0) - (b.scope === undefined ? -1 : 0) ||
      compareBytewise(a.scope ?? '', b.scope ?? '') ||
      compareBytewise(a.message, b.message),
  )
}

/** The edge's grading: with --partial a finding leaves its requirement out (a warning), without it refuses the import (an error). */
export function gradeImportIssues(issues: readonly ImportIssue[], partial: boolean): ImportIssue[] {
  const severity: Severity = partial ? 'warning' : 'error'
  return issues.map((i) => (i.severity === severity ? i : { ...i, severity }))
}
