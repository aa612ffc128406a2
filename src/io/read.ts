// Read stage: input text → documents. Pure; no I/O (the CLI reads files and stdin).
// Plain streams are split at document markers and every document keeps its exact
// source text, so items we do not own are written back byte for byte. A document
// is parsed at most once, and only when we need its value: for one we do not own,
// a line scan of its header (resource-header.ts) gives all that is ever read of
// it, and it is parsed only when the scan is not certain. Its syntax is checked
// all the same: a second line scan (block-syntax.ts) says whether it is
// certainly valid YAML, and when it cannot say, the document is parsed, so a
// document we cannot parse is an error whatever its kind (issue 13: Argo CD
// applies what we print; exit 0 implies that stdout parses). A ResourceList as
// kpt and kustomize write it is read the same way, item by item, through a line
// scan of its layout (resource-list-layout.ts);
// any other ResourceList is parsed whole and keeps its Document (the writer
// edits its text through the one or the other).

import jsYaml from 'js-yaml'
import type { Document } from 'yaml'
import { yamlLib } from './yaml-lib.ts'
import { issue, type Issue } from '../issues.ts'
import { refOf, roleOf } from './item-kinds.ts'
import { isCertainlyValid } from './block-syntax.ts'
import { KUBERNETES_SCHEMA } from './kubernetes-schema.ts'
import { resourceHeader, type ResourceHeader } from './resource-header.ts'
import { itemText, resourceListLayout, type ResourceListLayout } from './resource-list-layout.ts'
import { MAX_ALIAS_COUNT, PARSE_OPTIONS } from './yaml-settings.ts'
import { isObject } from '../is-object.ts'

/** One input text: stdin, or one file named on the command line. */
export interface InputText {
  readonly text: string
  /** File path as given (undefined for stdin). */
  readonly path?: string
}

/** One thing that passes through whole: a document of a plain stream, or a ResourceList item. */
export interface Entry {
  /**
   * The parsed value (YAML 1.1, as Kubernetes reads it); undefined when empty or
   * unreadable. When `complete` is false, only the resource's header:
   * `{apiVersion, kind, metadata: {name, namespace}}`, with the keys it has.
   */
  readonly value: unknown
  /**
   * False for a document of a plain stream that we do not own and whose header
   * was read without parsing it (see `readDocument`): nothing downstream reads
   * more of it than `roleOf`, `refOf`, `isGeneratedMachineConfig` and the
   * guardrails' namespace check do, and those give the same answers on the header.
   */
  readonly complete: boolean
  /**
   * The resources it stands for, as `kubectl apply` sees them: a `List` (kind
   * `List` or `*List` with an `items` list) stands for its items, flattened;
   * anything else for itself; an empty document for none.
   */
  readonly resources: readonly unknown[]
}

/** One document of a plain stream. */
export interface StreamDocument extends Entry {
  /** Exact source text of the document, markers and comments included. */
  readonly text: string
  readonly source: { readonly path?: string; readonly index: number }
}

/**
 * A ResourceList as read: its exact text, and either the Document parsed from
 * that text or, when a line scan was certain of it, its layout.
 */
export type ResourceListSource = (
  | { readonly text: string; readonly doc: Document }
  | { readonly text: string; readonly layout: ResourceListLayout }
) & {
  /** The `results` it came with (another function's), as read: kept, ours appended. */
  readonly results?: unknown
}

export type Envelope =
  | { readonly shape: 'stream'; readonly documents: readonly StreamDocument[] }
  | {
      readonly shape: 'ResourceList'
      readonly document: ResourceListSource
      /** `items`, in order. */
      readonly items: readonly Entry[]
      readonly functionConfig: unknown
    }

const DOCUMENT_START = /^---(?:[ \t]|$)/
const DOCUMENT_END = /^\.\.\.(?:[ \t]|$)/
const BLANK_OR_COMMENT = /^[ \t]*(?:#.*)?$/

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
    } else if (!contentSeen && !BLANK_OR_COMMENT.test(line) && !line.startsWith('%')) {
      contentSeen = true
    }
    pos = lineEnd
  }
  if (start < text.length) chunks.push(text.slice(start))
  return chunks
}

/** The first YAML error of a document: one line per document, as later errors mostly follow from the first. */
function yamlIssues(doc: Document, file: { path: string; index: number }): Issue[] {
  return doc.errors.slice(0, 1).map((e) => issue('error', 'yaml', `invalid YAML: ${e.message.split('\n')[0] ?? e.message}`, { file }))
}

/**
 * The most nodes `parseOne` is given one document of, estimated by its commas, line
 * breaks and flow openers. The `yaml` package keeps a node object with source
 * ranges for every scalar, several hundred bytes each: a 4 MB flow sequence of
 * two million items took 10 s and 2 GB here, and 15 MB ran the process out of
 * memory (a V8 abort, not an error line). Block-style YAML, which kustomize, kpt
 * and Argo CD write, is read by js-yaml after the line scans and never comes here
 * unless it has anchors or tags, or is a ResourceList the layout scan gives up on:
 * the benchmark's largest input (20,000 scopes, 6 MB) as one such ResourceList
 * estimates at 175,000 nodes, under a third of this bound.
 */
export const MAX_FULL_PARSE_NODES = 500_000

/** The most documents one run reads (the 20,000-scope benchmark has about 11,000). */
export const MAX_DOCUMENTS = 200_000

/** An upper estimate of a document's nodes: one per comma, line break, `[` and `{`. */
export function estimatedNodes(text: string): number {
  let n = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 44 || c === 10 || c === 91 || c === 123) n++
  }
  return n
}

/** Parses one document's text; the value is plain JS (maps become objects). */
export function parseOne(text: string, where: { path?: string; index: number }): { doc: Document; value: unknown; issues: Issue[] } {
  const file = { path: where.path ?? '<stdin>', index: where.index }
  const nodes = text.length > MAX_FULL_PARSE_NODES ? estimatedNodes(text) : 0
  if (nodes > MAX_FULL_PARSE_NODES) {
    const message = `document too large to check: about ${nodes} YAML nodes (${text.length} characters) outside the block style the line scan reads; the full parser takes at most ${MAX_FULL_PARSE_NODES} per document, to stay within memory. Write it in block style (as kustomize and kpt do) or split it`
    return { doc: yamlLib().parseDocument(''), value: undefined, issues: [issue('error', 'size', message, { file })] }
  }
  let doc: Document
  try {
    doc = yamlLib().parseDocument(text, PARSE_OPTIONS)
  } catch (e) {
    // The parser recurses; absurdly deep nesting must end in an issue, not a crash.
    return { doc: yamlLib().parseDocument(''), value: undefined, issues: [issue('error', 'yaml', `invalid YAML: ${(e as Error).message}`, { file })] }
  }
  const issues = yamlIssues(doc, file)
  if (issues.length > 0) return { doc, value: undefined, issues }
  try {
    return { doc, value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), issues }
  } catch (e) {
    return { doc, value: undefined, issues: [issue('error', 'yaml', `invalid YAML: ${(e as Error).message}`, { file })] }
  }
}

/** A document that may use anchors and aliases (`&a`, `*a`); such documents go through `parseOne`, which bounds alias expansion. */
const MAY_HAVE_ALIASES = /(?:^|[\s[{,:-])[&*][^\s[\]{},]/
/** A document that may be a ResourceList: unless its layout was read (`readResourceList`), the writer needs its parsed Document. */
const MAY_BE_RESOURCE_LIST = /(?:^|[\s{,"'])kind["']?\s*:\s*["']?ResourceList\b/m
/**
 * A document that may hold what js-yaml (with our schema) and the `yaml` package
 * read differently: explicit tags (`!!set`, `!!omap`, `!!binary` …), complex
 * keys (`? k`, `[a]: 1`), null keys (`~: 1`), `0o` octal, integers beyond 2^53
 * (a bigint from js-yaml, a rounded number from `yaml`), `__proto__`.
 */
const MAY_READ_DIFFERENTLY =
  /(?:^|[\s[\]{},:-])(?:!|\?(?:\s|$)|[-+]?0[oO]|[-+]?(?:0[xX][0-9a-fA-F_]{13,}|0[bB][01_]{40,}|[0-9][0-9_]{15,})(?=\s|$|[,\]}#])|(?:~|null|Null|NULL)[ \t]*:(?:\s|$))|^[ \t]*(?:-[ \t]+)*[[{]|[[{,][ \t]*[[{]|__proto__/m

/** js-yaml with the Kubernetes schema; `parseOne` for what js-yaml refuses. */
function loadValue(text: string, where: { path?: string; index: number }): { doc?: Document; value: unknown; issues: Issue[] } {
  try {
    return { value: jsYaml.load(text, { schema: KUBERNETES_SCHEMA, json: false }), issues: [] }
  } catch {
    // Rare: invalid YAML, or a construct js-yaml refuses but YAML allows (keys
    // `1` and "1" in one map). The `yaml` package decides, and words the error.
    return parseOne(text, where)
  }
}

/**
 * Reads one document's value with js-yaml and the Kubernetes schema, several
 * times faster than `parseOne`; documents that may use aliases or be a
 * ResourceList, and any document js-yaml refuses, go through `parseOne` instead
 * (the same values, see kubernetes-schema.test.ts).
 */
export function readValue(text: string, where: { path?: string; index: number }): { doc?: Document; value: unknown; issues: Issue[] } {
  if (MAY_HAVE_ALIASES.test(text) || MAY_BE_RESOURCE_LIST.test(text)) return parseOne(text, where)
  return loadValue(text, where)
}

/**
 * Reads a value that must be the one `parseOne` gives (a ResourceList item:
 * what a ResourceList parsed whole gives it): with js-yaml where the two read
 * alike, else with `parseOne`.
 */
function readAsParsed(text: string, where: { path?: string; index: number }): { value: unknown; issues: Issue[] } {
  if (MAY_HAVE_ALIASES.test(text) || MAY_READ_DIFFERENTLY.test(text)) return parseOne(text, where)
  return loadValue(text, where)
}

/** One document as read: its value (see `Entry`), and the Document when `parseOne` parsed it. */
export interface DocumentRead {
  readonly doc?: Document
  readonly value: unknown
  readonly issues: Issue[]
  readonly complete: boolean
}

/** Reads one document of a plain stream (see `readDocument`). */
export type DocumentReader = (text: string, where: { path?: string; index: number }) => DocumentRead

/** Kinds whose whole value we read even when `roleOf` says they are not ours. */
const FULL_VALUE_KINDS = new Set([
  'ImagePolicy',
  'ClusterImagePolicy',
  'Image',
  'ImageDigestMirrorSet',
  'ImageTagMirrorSet',
  'ImageContentSourcePolicy',
  // Generated MachineConfigs are recognised by an annotation, not by their header.
  'MachineConfig',
  // The envelope is detected from its value.
  'ResourceList',
])

/**
 * Whether a resource with this header needs its whole value: the kinds we own
 * (in any apiVersion: a near miss of ours is still parsed and checked whole),
 * the kinds above, and Lists, whose items are resources.
 */
function needsFullValue(header: ResourceHeader): boolean {
  return FULL_VALUE_KINDS.has(header.kind) || header.kind.endsWith('List') || roleOf(header) !== 'other'
}

/**
 * Reads one document of a plain stream: its header alone when that is all we
 * will read of it (a resource we do not own, whose header the line scan is
 * certain of) and the syntax scan is certain the document is valid YAML; else
 * its whole value, with `readValue` when its syntax is certain, with `parseOne`
 * (the stricter reader, and the tests' reference) when it is not, so that a
 * document we cannot parse is always an error (issue 13), naming the resource
 * when its header could be read.
 */
export function readDocument(text: string, where: { path?: string; index: number }): DocumentRead {
  const header = resourceHeader(text)
  if (isCertainlyValid(text)) {
    if (header !== undefined && !needsFullValue(header)) return { value: header, issues: [], complete: false }
    return { ...readValue(text, where), complete: true }
  }
  const parsed = parseOne(text, where)
  const resource = header === undefined ? undefined : refOf(header)
  const issues = resource === undefined ? parsed.issues : parsed.issues.map((i) => ({ ...i, resource }))
  return { doc: parsed.doc, value: parsed.value, issues, complete: true }
}

/** A v1 List or a typed `*List`: `kind` ends in `List` and `items` is a list (client-go's IsList). */
export function isList(value: unknown): value is { items: unknown[] } {
  return isObject(value) && typeof value['kind'] === 'string' && value['kind'].endsWith('List') && Array.isArray(value['items'])
}

/** Lists nest at most this deep; deeper ones (or an alias cycle) stand for themselves. */
const MAX_LIST_DEPTH = 8

/** The resources a value stands for (see `Entry.resources`). */
export function resourcesOf(value: unknown, depth = 0): unknown[] {
  if (value === undefined || value === null) return []
  if (!isList(value) || depth >= MAX_LIST_DEPTH) return [value]
  return value.items.flatMap((item) => resourcesOf(item, depth + 1))
}

function entry(value: unknown, complete = true): Entry {
  return { value, resources: resourcesOf(value), complete }
}

function isResourceList(value: unknown): value is { items?: unknown; functionConfig?: unknown } {
  if (!isObject(value)) return false
  return value['kind'] === 'ResourceList' && typeof value['apiVersion'] === 'string' && value['apiVersion'].startsWith('config.kubernetes.io/')
}

/** A ResourceList read without parsing it whole (see `readResourceList`). */
export interface ResourceListRead {
  readonly layout: ResourceListLayout
  /** `items`, in order. */
  readonly items: readonly Entry[]
  readonly functionConfig: unknown
  readonly results?: unknown
}

/** Reads a document that may be a ResourceList, or gives undefined: then it is read as `readInputs` reads any document. */
export type ResourceListReader = (text: string, where: { path?: string; index: number }) => ResourceListRead | undefined

/**
 * Reads a block-style ResourceList by its layout (resource-list-layout.ts), each
 * item as a plain stream's document is read (`readDocument`: one we do not own by
 * its header alone), and the envelope without its items on its own. The values
 * are those of the ResourceList parsed whole (`parseOne`): js-yaml reads what it
 * reads alike (`readAsParsed`), and an item read alone means what it meant in
 * the list (the layout moves its lines left together). Gives undefined, and the
 * document is parsed whole, when the layout scan is not certain, when the
 * envelope is not a ResourceList or has anchors or aliases (they could name an
 * item's, or an item one of them: read apart, they would not resolve), or when
 * anything read has issues (the whole parse words them).
 *
 * As in a plain stream, an item is read by its header only when the syntax scan
 * is certain it is valid YAML; one it is not certain of is parsed with `parseOne`
 * (js-yaml is laxer here and there), and any issue leaves the whole list to the
 * parse, which reports it.
 */
export function readResourceList(text: string, where: { path?: string; index: number }): ResourceListRead | undefined {
  const layout = resourceListLayout(text)
  if (layout === undefined) return undefined
  const span = layout.itemsLines
  const withoutItems = span === undefined ? text : text.slice(0, span.from) + text.slice(span.to)
  if (MAY_HAVE_ALIASES.test(withoutItems)) return undefined
  const envelope = isCertainlyValid(withoutItems) ? readAsParsed(withoutItems, where) : parseOne(withoutItems, where)
  if (envelope.issues.length > 0 || !isResourceList(envelope.value) || 'items' in envelope.value) return undefined
  const items: Entry[] = []
  if (layout.items.style === 'block') {
    const { column, entries } = layout.items
    for (const item of entries) {
      const itemSource = itemText(text, item, column)
      const certain = isCertainlyValid(itemSource)
      const header = certain ? resourceHeader(itemSource) : undefined
      if (header !== undefined && !needsFullValue(header)) {
        items.push(entry(header, false))
        continue
      }
      const read = certain ? readAsParsed(itemSource, where) : parseOne(itemSource, where)
      if (read.issues.length > 0) return undefined
      items.push(entry(read.value))
    }
  }
  const results = (envelope.value as { results?: unknown }).results
  if (results !== undefined && results !== null && !Array.isArray(results)) return undefined // readInputs words the error
  return { layout, items, functionConfig: envelope.value.functionConfig, ...(results !== undefined ? { results } : {}) }
}

/**
 * Characters that go-yaml v3 (what kustomize's kyaml, kubectl and Argo CD read
 * with) reads otherwise than the YAML readers here: NEL, LINE SEPARATOR and
 * PARAGRAPH SEPARATOR are line breaks to it (YAML 1.1's `b-char`; its scanner's
 * `is_break`), text to js-yaml and the `yaml` package (YAML 1.2), so a comment
 * can hide a line from us that kustomize reads as a key; and a byte order mark
 * at the start of a later document is skipped by kustomize, while here it would
 * be part of the first key (`\uFEFFkind`). We refuse them rather than guess:
 * kustomize never writes them raw (its emitter escapes them as `\N`, `\L`, `\P`),
 * so only hand-written input has them. A byte order mark at the very start of an
 * input is read as every reader reads it.
 */
const FOREIGN_CHARACTERS = /[\u0085\u2028\u2029\uFEFF]/g
const FOREIGN_NAMES: Readonly<Record<string, string>> = {
  '\u0085': 'U+0085 (NEXT LINE)',
  '\u2028': 'U+2028 (LINE SEPARATOR)',
  '\u2029': 'U+2029 (PARAGRAPH SEPARATOR)',
  '\uFEFF': 'U+FEFF (BYTE ORDER MARK)',
}
const FOREIGN_ESCAPES: Readonly<Record<string, string>> = { '\u0085': '\\N', '\u2028': '\\L', '\u2029': '\\P' }

/** One error per document of the input that holds a FOREIGN_CHARACTERS character (but for a byte order mark that starts the input). */
export function foreignCharacterIssues(input: InputText, chunks: readonly string[]): Issue[] {
  FOREIGN_CHARACTERS.lastIndex = input.text.charCodeAt(0) === 0xfeff ? 1 : 0
  if (!FOREIGN_CHARACTERS.test(input.text)) return []
  const issues: Issue[] = []
  let offset = 0
  chunks.forEach((chunk, index) => {
    FOREIGN_CHARACTERS.lastIndex = offset === 0 && chunk.charCodeAt(0) === 0xfeff ? 1 : 0
    const m = FOREIGN_CHARACTERS.exec(chunk)
    if (m !== null) {
      const before = input.text.slice(0, offset + m.index)
      const line = before.split('\n').length
      const column = offset + m.index - before.lastIndexOf('\n')
      const c = m[0]
      const why =
        c === '\uFEFF'
          ? 'a byte order mark belongs only at the start of a file; kustomize (go-yaml) skips one that starts a later document, where we would read it as part of the first key, so we would not read the same resources: remove it'
          : `kustomize, kubectl and Argo CD (go-yaml) read it as a line break, YAML 1.2 readers (ours) as text, so we would not read the same resources: remove it, or write it as ${FOREIGN_ESCAPES[c]!} in a double-quoted string`
      issues.push(issue('error', 'yaml', `${FOREIGN_NAMES[c]!} at line ${line}, column ${column}: ${why}`, { file: { path: input.path ?? '<stdin>', index } }))
    }
    offset += chunk.length
  })
  return issues
}

/** What the read stage gives the rest of a run. */
export interface ReadResult {
  readonly envelope: Envelope
  readonly issues: Issue[]
}

/**
 * Reads the inputs. A single input whose only document is a `ResourceList` is
 * read as KRM function input; anything else is a plain stream (several files are
 * one stream, in the order given). `read` reads each document of the stream;
 * `readList` reads a single input's only document when it can be read as a
 * ResourceList without parsing it whole.
 */
export function readInputs(inputs: readonly InputText[], read: DocumentReader = readDocument, readList: ResourceListReader = readResourceList): ReadResult {
  const chunked = inputs.map((input) => ({ input, chunks: splitDocuments(input.text) }))
  const count = chunked.reduce((n, c) => n + c.chunks.length, 0)
  if (count > MAX_DOCUMENTS) {
    // Each document costs a parse and an entry however small: two million `---` lines took 21 s and 1 GB.
    return { envelope: { shape: 'stream', documents: [] }, issues: [issue('error', 'size', `too many documents: ${count} in the input, the most read in one run is ${MAX_DOCUMENTS}; split the input`)] }
  }
  const foreign = chunked.flatMap(({ input, chunks }) => foreignCharacterIssues(input, chunks))
  const single = chunked.length === 1 && chunked[0]!.chunks.length === 1 ? chunked[0]! : undefined
  if (single !== undefined) {
    const text = single.chunks[0]!
    const list = readList(text, { ...(single.input.path !== undefined ? { path: single.input.path } : {}), index: 0 })
    if (list !== undefined) {
      const { layout, items, functionConfig, results } = list
      return { envelope: { shape: 'ResourceList', document: { text, layout, ...(results !== undefined ? { results } : {}) }, items, functionConfig }, issues: foreign }
    }
  }
  const issues: Issue[] = [...foreign]
  const documents: StreamDocument[] = []
  // The only Document kept: the first non-empty one of a single input, which may be a ResourceList.
  let candidate: ResourceListSource | undefined
  let nonEmpty = 0
  for (const { input, chunks } of chunked) {
    chunks.forEach((chunk, index) => {
      const where = { ...(input.path !== undefined ? { path: input.path } : {}), index }
      const parsed = read(chunk, where)
      issues.push(...parsed.issues)
      const value = parsed.value ?? undefined
      if (value !== undefined && value !== null) {
        nonEmpty++
        if (nonEmpty === 1 && inputs.length === 1 && parsed.doc !== undefined) candidate = { text: chunk, doc: parsed.doc }
      }
      documents.push({ text: chunk, ...entry(value, parsed.complete), source: where })
    })
  }
  const first = documents.find((d) => d.value !== undefined && d.value !== null)
  if (nonEmpty === 1 && candidate !== undefined && first !== undefined && isResourceList(first.value)) {
    const items = first.value.items ?? []
    if (!Array.isArray(items)) {
      issues.push(issue('error', 'input', 'ResourceList items must be a list'))
      return { envelope: { shape: 'stream', documents: [] }, issues }
    }
    const results = (first.value as { results?: unknown }).results
    if (results !== undefined && results !== null && !Array.isArray(results)) {
      issues.push(issue('error', 'input', 'ResourceList results must be a list'))
      return { envelope: { shape: 'stream', documents: [] }, issues }
    }
    return {
      envelope: {
        shape: 'ResourceList',
        document: { ...candidate, ...(results !== undefined ? { results } : {}) },
        items: items.map((item) => entry(item)),
        functionConfig: first.value.functionConfig,
      },
      issues,
    }
  }
  return { envelope: { shape: 'stream', documents }, issues }
}
