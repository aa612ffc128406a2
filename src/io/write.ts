// Write stage: items + generated resources + issues → output text, in the shape
// the input came in. Pure; no I/O.
//
// Nothing we pass through is re-serialized. A plain stream writes each kept
// document's source text; a ResourceList is its own source text with edits cut
// in (items dropped, generated items and `results` inserted), so every byte of
// an item we keep, comments and scalar forms included, comes out as it came in.
// Where the edits go comes from the parsed Document's node ranges or, for a
// ResourceList read by its line layout, from that layout: the same places.
// Only flow-style (JSON) collections are re-laid out as block YAML, scalars
// still in their source form (see flow-to-block.ts).

import { isDeepStrictEqual } from 'node:util'
import { emitYaml } from './emit-yaml.ts'
import type { Document, Node, Pair, YAMLMap, YAMLSeq } from 'yaml'
import { yamlLib } from './yaml-lib.ts'
import { toResult, type Issue } from '../issues.ts'
import { blockMapPair, blockSeqItem, type SourceContext } from './flow-to-block.ts'
import type { ResourceListSource, StreamDocument } from './read.ts'
import { entryEndFrom, type ResourceListLayout } from './resource-list-layout.ts'
import { STRINGIFY_OPTIONS } from './yaml-settings.ts'
import { isObject } from '../is-object.ts'

/** Serializes one generated resource as a block-style YAML document body. */
export function toYaml(value: unknown): string {
  return emitYaml(value as Parameters<typeof emitYaml>[0])
}

/**
 * A plain stream: the kept documents exactly as they were read, then each
 * generated resource as its own document. Documents keep their own markers;
 * we add `---` only where one is needed (and `...` before a directive).
 */
export function writeStream(kept: readonly StreamDocument[], generated: readonly unknown[]): string {
  const eol = eolOf(kept[0]?.text ?? '')
  // Parts joined once at the end: string operations on a growing concatenation
  // flatten it each time, which is quadratic over a 10 MB stream.
  const parts: string[] = []
  let last = '' // the previous part that ends a document, as written
  for (const doc of kept) {
    if (parts.length > 0 && !endsWithDocumentEnd(last)) {
      const first = firstLine(doc.text)
      if (first.startsWith('%')) parts.push(`...${eol}`)
      else if (!/^---(?:[ \t]|$)/.test(first)) parts.push(`---${eol}`)
    }
    last = doc.text.endsWith('\n') ? doc.text : doc.text + eol
    parts.push(last)
  }
  for (const value of generated) {
    if (parts.length > 0) parts.push(`---${eol}`)
    parts.push(withEol(toYaml(value), eol))
  }
  return parts.join('')
}

/** The input's line break (`\r\n` when its first line ends so): what we write in text we add. */
function eolOf(text: string): string {
  const nl = text.indexOf('\n')
  return nl > 0 && text[nl - 1] === '\r' ? '\r\n' : '\n'
}

function withEol(text: string, eol: string): string {
  return eol === '\n' ? text : text.replace(/\r?\n/g, eol)
}

function firstLine(text: string): string {
  // The first line that is not a comment or blank decides whether the document has its own `---`.
  for (const line of text.split('\n')) {
    const l = line.replace(/^\uFEFF/, '').replace(/\r$/, '')
    if (/^[ \t]*(?:#.*)?$/.test(l)) continue
    return l
  }
  return ''
}

/** Whether the text's last line is a `...` marker. */
function endsWithDocumentEnd(text: string): boolean {
  const start = text.lastIndexOf('\n', text.length - 2) + 1
  return /^\.\.\.(?:[ \t][^\n]*)?\r?\n$/.test(text.slice(start))
}

// ---------------------------------------------------------------------------
// ResourceList

/** Where kpt writes a generated item: one file each, under `machineconfigs/`. */
export const PATH_ANNOTATION = 'internal.config.kubernetes.io/path'
/** The legacy twin; kpt refuses a resource whose two path annotations differ. */
export const LEGACY_PATH_ANNOTATION = 'config.kubernetes.io/path'

/** A generated item with the path annotations kpt needs (kustomize strips them). */
function withPath(value: unknown): unknown {
  if (!isObject(value) || !isObject(value['metadata']) || typeof value['metadata']['name'] !== 'string') return value
  const metadata = value['metadata']
  const path = `machineconfigs/${metadata['name'] as string}.yaml`
  const annotations = isObject(metadata['annotations']) ? metadata['annotations'] : {}
  return { ...value, metadata: { ...metadata, annotations: { ...annotations, [PATH_ANNOTATION]: path, [LEGACY_PATH_ANNOTATION]: path } } }
}

/** `text` with every non-empty line moved right by `col` columns. */
function indent(text: string, col: number): string {
  if (col === 0) return text
  const p = ' '.repeat(col)
  return text.replace(/^(?=[^\n])/gm, p)
}

/** Block-style `- item` entries for values we made, at column `col` (each written by toYaml). */
function generatedEntries(values: readonly unknown[], col: number): string {
  return values.map((v) => indent(`- ${indent(toYaml(v), 2).slice(2)}`, col)).join('')
}

/**
 * `results:` with the results the input already had (another function's, kept as
 * values) and ours after them.
 */
function resultsEntry(prior: readonly unknown[], issues: readonly Issue[], col: number): string {
  return indent(toYaml({ results: withPrior(prior, issues) }), col)
}

/**
 * The results the input had, then ours; one equal to one of ours is not
 * repeated, so that a run on its own output (a second `kpt fn render`) gives
 * the same results again, not each of them twice.
 */
function withPrior(prior: readonly unknown[], issues: readonly Issue[]): unknown[] {
  const ours = issues.map(toResult)
  return [...prior.filter((p) => !ours.some((o) => isDeepStrictEqual(p, o))), ...ours]
}

/** The results a ResourceList came with: a list (readInputs refuses anything else), or none. */
function priorResults(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : []
}

/** `items:` with these entries, or `items: []` for none. */
function itemsEntry(entries: string): string {
  return entries === '' ? 'items: []\n' : `items:\n${entries}`
}

/** One cut into the source: replace [from, to) with text. Inserts have from === to. */
interface Edit {
  readonly from: number
  readonly to: number
  readonly text: string
}

/** Applies edits given in source order; inserted text always starts on a line of its own. */
function applyEdits(text: string, edits: readonly Edit[]): string {
  const eol = eolOf(text)
  const parts: string[] = []
  let pos = 0
  for (const e of edits) {
    const before = text.slice(pos, e.from)
    if (before !== '') parts.push(before)
    if (e.text !== '') {
      const previous = parts[parts.length - 1]
      if (previous !== undefined && !previous.endsWith('\n')) parts.push(eol)
      parts.push(withEol(e.text, eol))
    }
    pos = e.to
  }
  parts.push(text.slice(pos))
  return parts.join('')
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1
}

/** Whether only spaces (after a byte order mark, on the first line) stand between the start of the line and `offset`. */
function startsLine(text: string, offset: number): boolean {
  return /^\uFEFF? *$/.test(text.slice(lineStart(text, offset), offset))
}

/** The column of `offset` on its line, a byte order mark not counted. */
function column(text: string, offset: number): number {
  const start = lineStart(text, offset)
  return offset - start - (start === 0 && text.startsWith('\uFEFF') ? 1 : 0)
}

/**
 * Offset just past the node's last value character. A block collection's own
 * range runs over the comments after it, at any indentation, so it is the end of
 * its last entry that counts.
 */
function valueEnd(node: unknown): number {
  if (yamlLib().isPair(node)) return Math.max(valueEnd(node.key), valueEnd(node.value))
  if (!yamlLib().isNode(node)) return 0
  if (yamlLib().isCollection(node) && !node.flow && node.items.length > 0) return valueEnd(node.items[node.items.length - 1])
  return node.range?.[1] ?? 0
}

/** End of the node's (or pair's) content, through the end of its last line (a trailing comment included). */
function contentEnd(text: string, node: unknown): number {
  const end = valueEnd(node)
  if (end > 0 && text[end - 1] === '\n') return end
  const nl = text.indexOf('\n', end)
  return nl === -1 ? text.length : nl + 1
}

/**
 * End of a sequence entry: its content, then the comment lines right after it
 * that are indented deeper than its `-` (they belong to it, as kpt reads them).
 */
function entryEnd(text: string, node: unknown, col: number): number {
  return entryEndFrom(text, contentEnd(text, node), col)
}

function keyIs(pair: Pair, name: string): boolean {
  return yamlLib().isScalar(pair.key) && pair.key.value === name
}

/** Offsets of the `-` of each entry of a block sequence, from its CST token. */
function dashOffsets(seq: YAMLSeq): number[] | undefined {
  const token = seq.srcToken
  if (token === undefined || token.type !== 'block-seq') return undefined
  const out: number[] = []
  for (const item of token.items) {
    const dash = item.start.find((t) => t.type === 'seq-item-ind')
    if (dash !== undefined) out.push(dash.offset)
  }
  return out.length === seq.items.length ? out : undefined
}

/** Kept items in block style at column `col`: flow ones laid out anew, block ones as written. */
function keptItemsAsBlock(items: readonly unknown[], keep: (index: number) => boolean, col: number, ctx: SourceContext): string {
  return items.map((item, i) => (keep(i) ? blockSeqItem(item, col, ctx) : '')).join('')
}

/** What writing a ResourceList changes: the items kept, the items added (generated), and the results (ours after the prior ones). */
interface ListChanges {
  readonly keep: (index: number) => boolean
  readonly generated: readonly unknown[]
  readonly issues: readonly Issue[]
  readonly prior: readonly unknown[]
}

/**
 * A block-style ResourceList edited as text. Returns undefined when its layout
 * is not the one this relies on (each edited entry starting its own line), which
 * a parsed block map always has.
 */
function spliceBlockList(ctx: SourceContext, root: YAMLMap, changes: ListChanges): string | undefined {
  const { text } = ctx
  const { keep, generated, issues, prior } = changes
  const pairs = root.items as Pair[]
  if (pairs.length === 0) return undefined
  const firstKey = pairs[0]!.key as Node | null
  const rootStart = firstKey?.range?.[0]
  if (rootStart === undefined || !startsLine(text, rootStart)) return undefined
  const rootCol = column(text, rootStart)
  const edits: Edit[] = []

  const pairSpan = (pair: Pair): { from: number; to: number } | undefined => {
    const key = pair.key as Node
    const start = key.range?.[0]
    if (start === undefined || !startsLine(text, start)) return undefined
    return { from: lineStart(text, start), to: contentEnd(text, pair) }
  }
  // Where keys are appended: the end of the root, or past the last item when
  // that runs further (an empty value ends its node's range before the blank
  // lines after it, which the item's span takes in), so `results` never lands
  // between the items and the generated ones.
  let tail = root.range?.[1] ?? text.length
  let itemsDone = false
  let resultsDone = false
  for (const pair of pairs) {
    if (keyIs(pair, 'items')) {
      const seq = pair.value
      if (yamlLib().isSeq(seq) && !seq.flow && seq.items.length > 0) {
        const dashes = dashOffsets(seq)
        if (dashes === undefined || !dashes.every((d) => startsLine(text, d))) return undefined
        const col = column(text, dashes[0]!)
        if (generated.length === 0 && !seq.items.some((_, i) => keep(i))) {
          // Every entry dropped and none added: `items: []`, not an empty (null) `items:`.
          const span = pairSpan(pair)
          if (span === undefined) return undefined
          edits.push({ from: span.from, to: entryEnd(text, seq.items[seq.items.length - 1], col), text: ' '.repeat(rootCol) + itemsEntry('') })
          tail = Math.max(tail, edits[edits.length - 1]!.to)
          itemsDone = true
          continue
        }
        let end = 0
        seq.items.forEach((item, i) => {
          const from = lineStart(text, dashes[i]!)
          end = entryEnd(text, item, col)
          if (!keep(i)) edits.push({ from, to: end, text: '' })
          else if ((yamlLib().isMap(item) || yamlLib().isSeq(item)) && item.flow) edits.push({ from, to: contentEnd(text, item), text: blockSeqItem(item, col, ctx) })
        })
        edits.push({ from: end, to: end, text: generatedEntries(generated, col) })
        tail = Math.max(tail, end)
      } else {
        // `items: [...]` (flow), `items: []` or `items:` with nothing: write the entry anew.
        const span = pairSpan(pair)
        if (span === undefined) return undefined
        const kept = yamlLib().isSeq(seq) ? keptItemsAsBlock(seq.items, keep, rootCol, ctx) : ''
        const entries = kept + generatedEntries(generated, rootCol)
        edits.push({ ...span, text: ' '.repeat(rootCol) + itemsEntry(entries) })
      }
      itemsDone = true
    } else if (keyIs(pair, 'results')) {
      // Kept as it came when we add none; else rewritten with ours after it.
      const span = pairSpan(pair)
      if (span === undefined) return undefined
      if (issues.length > 0) edits.push({ ...span, text: resultsEntry(prior, issues, rootCol) })
      resultsDone = true
    }
  }
  if (!itemsDone) {
    const entries = generatedEntries(generated, rootCol)
    edits.push({ from: tail, to: tail, text: ' '.repeat(rootCol) + itemsEntry(entries) })
  }
  if (!resultsDone && issues.length > 0) edits.push({ from: tail, to: tail, text: resultsEntry(prior, issues, rootCol) })
  edits.sort((a, b) => a.from - b.from || a.to - b.to)
  return applyEdits(text, edits)
}

/**
 * A ResourceList read by its line layout (resource-list-layout.ts): the edits
 * `spliceBlockList` makes, placed by the layout, which holds the same spans the
 * node ranges give (the root at column 0, items in block style, none flow).
 */
function spliceLayout(text: string, layout: ResourceListLayout, changes: ListChanges): string {
  const { keep, generated, issues, prior } = changes
  const edits: Edit[] = []
  const { items, results } = layout
  let tail = layout.end // as in spliceBlockList
  if (items.style === 'block' && generated.length === 0 && !items.entries.some((_, i) => keep(i)) && layout.itemsLines !== undefined) {
    // As in spliceBlockList: `items: []`.
    const last = items.entries[items.entries.length - 1]!
    edits.push({ from: layout.itemsLines.from, to: last.end, text: itemsEntry('') })
    tail = Math.max(tail, last.end)
  } else if (items.style === 'block') {
    let end = 0
    items.entries.forEach((item, i) => {
      end = item.end
      if (!keep(i)) edits.push({ from: item.from, to: item.end, text: '' })
    })
    edits.push({ from: end, to: end, text: generatedEntries(generated, items.column) })
    tail = Math.max(tail, end)
  } else if (items.style === 'empty') {
    edits.push({ ...items.span, text: itemsEntry(generatedEntries(generated, 0)) })
  }
  if (results !== undefined && issues.length > 0) edits.push({ ...results, text: resultsEntry(prior, issues, 0) })
  // Inserts at the same place go in the order spliceBlockList makes them: items, then results.
  if (items.style === 'absent') edits.push({ from: tail, to: tail, text: itemsEntry(generatedEntries(generated, 0)) })
  if (results === undefined && issues.length > 0) edits.push({ from: tail, to: tail, text: resultsEntry(prior, issues, 0) })
  edits.sort((a, b) => a.from - b.from || a.to - b.to)
  return applyEdits(text, edits)
}

/**
 * A ResourceList whose root is a flow map (JSON): the same content written as
 * block YAML, kept items with their scalars in source form.
 */
function rewriteList(ctx: SourceContext, root: YAMLMap, changes: ListChanges): string {
  const { keep, generated, issues, prior } = changes
  const { text } = ctx
  const from = root.range?.[0] ?? 0
  const to = contentEnd(text, root)
  let prefix = text.slice(0, from)
  // `--- {…}`: a block map cannot start on the marker line.
  if (prefix.replace(/^\uFEFF/, '') !== '' && !prefix.endsWith('\n')) prefix += '\n'
  let body = ''
  let itemsDone = false
  const items = (seq: unknown): string => {
    const kept = yamlLib().isSeq(seq) ? keptItemsAsBlock(seq.items, keep, 0, ctx) : ''
    return itemsEntry(kept + generatedEntries(generated, 0))
  }
  let resultsDone = false
  for (const pair of root.items as Pair[]) {
    if (keyIs(pair, 'items')) {
      body += items(pair.value)
      itemsDone = true
    } else if (keyIs(pair, 'results') && issues.length > 0) {
      body += resultsEntry(prior, issues, 0)
      resultsDone = true
    } else {
      body += blockMapPair(pair, 0, ctx)
    }
  }
  if (!itemsDone) body += items(undefined)
  if (!resultsDone && issues.length > 0) body += resultsEntry(prior, issues, 0)
  return prefix + withEol(body, eolOf(text)) + text.slice(to)
}

/** The old way, for a layout the splice does not handle (not seen from a parser): edit the Document and print it. */
function reprintList(doc: Document, changes: ListChanges): string {
  const { keep, generated, issues, prior } = changes
  const copy = doc.clone()
  const items = copy.get('items')
  if (yamlLib().isSeq(items)) {
    items.items = items.items.filter((_, i) => keep(i))
    for (const value of generated) items.items.push(copy.createNode(value))
  } else {
    copy.set('items', copy.createNode([...generated]))
  }
  if (issues.length > 0) copy.set('results', copy.createNode(withPrior(prior, issues)))
  return copy.toString(STRINGIFY_OPTIONS)
}

/**
 * A List document (`kind: List`, block style at the root) with the items `keep`
 * refuses cut out of its text, every other byte as it came; undefined when its
 * layout is not one the splice handles.
 */
export function withoutListItems(text: string, doc: Document, keep: (index: number) => boolean): string | undefined {
  const root = doc.contents
  if (!yamlLib().isMap(root) || root.flow) return undefined
  return spliceBlockList({ text, doc }, root, { keep, generated: [], issues: [], prior: [] })
}

/**
 * A ResourceList: the input text with the items we drop cut out, generated items
 * (with kpt's path annotations) appended to `items`, and `results` set. Items we
 * keep come out byte for byte, comments and `config.k8s.io/id` annotations
 * included; a flow-style (JSON) list comes out as block YAML with the same values.
 */
export function writeResourceList(
  source: ResourceListSource,
  keep: (index: number) => boolean,
  generated: readonly unknown[],
  issues: readonly Issue[],
): string {
  const changes: ListChanges = { keep, generated: generated.map(withPath), issues, prior: priorResults(source.results) }
  if ('layout' in source) return spliceLayout(source.text, source.layout, changes)
  const ctx: SourceContext = { text: source.text, doc: source.doc }
  const root = source.doc.contents
  if (!yamlLib().isMap(root)) return reprintList(source.doc, changes)
  if (root.flow) return rewriteList(ctx, root, changes)
  return spliceBlockList(ctx, root, changes) ?? reprintList(source.doc, changes)
}
