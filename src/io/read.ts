// Read stage: input text → documents. Pure; no I/O (the CLI reads files and stdin).
// Plain streams are split at document markers and every document keeps its exact
// source text, so items we do not own are written back byte for byte.

import { parseDocument, type Document } from 'yaml'
import { issue, type Issue } from '../issues.ts'
import { MAX_ALIAS_COUNT, PARSE_OPTIONS } from './yaml-settings.ts'

/** One input text: stdin, or one file named on the command line. */
export interface InputText {
  readonly text: string
  /** File path as given (undefined for stdin). */
  readonly path?: string
}

/** One document of a plain stream. */
export interface StreamDocument {
  /** Exact source text of the document, markers and comments included. */
  readonly text: string
  /** The parsed value (YAML 1.1), or undefined when the document is empty. */
  readonly value: unknown
  /** The parsed document, for writers that edit it (ResourceList). */
  readonly doc: Document
  readonly source: { readonly path?: string; readonly index: number }
}

export type Envelope =
  | { readonly shape: 'stream'; readonly documents: readonly StreamDocument[] }
  | {
      readonly shape: 'ResourceList'
      readonly document: Document
      /** `items` as parsed values, in order. */
      readonly items: readonly unknown[]
      readonly functionConfig: unknown
    }

const DOCUMENT_START = /^---(?:[ \t]|$)/
const DOCUMENT_END = /^\.\.\.(?:[ \t]|$)/

/**
 * Splits a YAML stream into the source text of each document. A `---` or `...`
 * line at column 0 is always a document marker in YAML (content may not start
 * with one), so a line scan is exact. `---` starts a chunk; `...` ends one.
 * Comments and directives before a `---` stay with the chunk before it, which
 * keeps the concatenation of all chunks equal to the input.
 */
export function splitDocuments(text: string): string[] {
  const chunks: string[] = []
  let start = 0
  let pos = 0
  // Whether the current chunk has more than blank, comment and directive lines:
  // a `---` only starts a new chunk after content, so leading comments and
  // `%YAML` directives stay with the document they precede.
  let contentSeen = false
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos)
    const lineEnd = nl === -1 ? text.length : nl + 1
    let line = text.slice(pos, nl === -1 ? text.length : nl)
    if (line.endsWith('\r')) line = line.slice(0, -1)
    if (pos === 0 && line.startsWith('\uFEFF')) line = line.slice(1)
    if (DOCUMENT_START.test(line)) {
      if (contentSeen) {
        chunks.push(text.slice(start, pos))
        start = pos
      }
      contentSeen = true
    } else if (DOCUMENT_END.test(line)) {
      chunks.push(text.slice(start, lineEnd))
      start = lineEnd
      contentSeen = false
    } else if (!contentSeen && !/^\s*(#.*)?$/.test(line) && !line.startsWith('%')) {
      contentSeen = true
    }
    pos = lineEnd
  }
  if (start < text.length) chunks.push(text.slice(start))
  return chunks
}

function yamlIssues(doc: Document, where: { path?: string; index: number }): Issue[] {
  const file = { ...(where.path !== undefined ? { path: where.path } : { path: '<stdin>' }), index: where.index }
  return doc.errors.map((e) => issue('error', 'yaml', `invalid YAML: ${e.message.split('\n')[0] ?? e.message}`, { file }))
}

/** Parses one document's text; the value is plain JS (maps become objects). */
export function parseOne(text: string, where: { path?: string; index: number }): { doc: Document; value: unknown; issues: Issue[] } {
  const file = { path: where.path ?? '<stdin>', index: where.index }
  let doc: Document
  try {
    doc = parseDocument(text, PARSE_OPTIONS)
  } catch (e) {
    // The parser recurses; absurdly deep nesting must end in an issue, not a crash.
    return { doc: parseDocument(''), value: undefined, issues: [issue('error', 'yaml', `invalid YAML: ${(e as Error).message}`, { file })] }
  }
  const issues = yamlIssues(doc, where)
  if (issues.length > 0) return { doc, value: undefined, issues }
  try {
    return { doc, value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), issues }
  } catch (e) {
    return { doc, value: undefined, issues: [issue('error', 'yaml', `invalid YAML: ${(e as Error).message}`, { file })] }
  }
}

function isResourceList(value: unknown): value is { items?: unknown; functionConfig?: unknown } {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return v['kind'] === 'ResourceList' && typeof v['apiVersion'] === 'string' && v['apiVersion'].startsWith('config.kubernetes.io/')
}

/**
 * Reads the inputs. A single input whose only document is a `ResourceList` is
 * read as KRM function input; anything else is a plain stream (several files are
 * one stream, in the order given).
 */
export function readInputs(inputs: readonly InputText[]): { envelope: Envelope; issues: Issue[] } {
  const issues: Issue[] = []
  const documents: StreamDocument[] = []
  for (const input of inputs) {
    const chunks = splitDocuments(input.text)
    chunks.forEach((chunk, index) => {
      const where = { ...(input.path !== undefined ? { path: input.path } : {}), index }
      const parsed = parseOne(chunk, where)
      issues.push(...parsed.issues)
      documents.push({ text: chunk, value: parsed.value ?? undefined, doc: parsed.doc, source: where })
    })
  }
  const nonEmpty = documents.filter((d) => d.value !== undefined && d.value !== null)
  const first = nonEmpty[0]
  if (inputs.length === 1 && nonEmpty.length === 1 && first !== undefined && isResourceList(first.value)) {
    const doc = first.doc
    const items = first.value.items ?? []
    if (!Array.isArray(items)) {
      issues.push(issue('error', 'input', 'ResourceList items must be a list'))
      return { envelope: { shape: 'stream', documents: [] }, issues }
    }
    return { envelope: { shape: 'ResourceList', document: doc, items, functionConfig: first.value.functionConfig }, issues }
  }
  return { envelope: { shape: 'stream', documents }, issues }
}
