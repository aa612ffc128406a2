// Read stage helper: where the parts of a block-style ResourceList lie in its
// text (each top-level key, each item of `items`, `results`), found by a line
// scan instead of a parse. With it, a ResourceList from kpt or kustomize is read
// item by item as a plain stream is (an item we do not own by its header alone,
// see resource-header.ts), and written back by the same text edits the parsed
// path makes (write.ts), without the `yaml` package (issue 8). Pure; no I/O.
//
// The scan is conservative, like the header scan. It answers only for the
// layout kpt and kustomize write (a block mapping at column 0, `items` a block
// sequence whose entries each start their own line at column 0 or 2, with the
// item's first key on the entry's line or, after a comment there, on the next
// content line), and only when every line boundary it relies on is certainly
// YAML's: no line may leave a quoted scalar or flow collection open. On anything
// else it returns undefined, and the ResourceList is parsed whole.

import { plainIsString } from './kubernetes-schema.ts'
import { blockKeeps, blockOpened, CR, endsInEmptyNode, explicitPair, HASH, inlineValue, isEntry, KEY_LINE, MARKER, simpleString, SPACE, TAB, type Open } from './yaml-lines.ts'

/** [from, to) in the text, `to` through the line break of the span's last line. */
export interface LineSpan {
  readonly from: number
  readonly to: number
}

/** One entry of a block `items` sequence. */
export interface ItemLayout {
  /** Start of the line of its `-`. */
  readonly from: number
  /**
   * End of the entry as the writer cuts it (write.ts `entryEnd`): its last
   * content line, then the comment lines right after it indented deeper than
   * its `-`.
   */
  readonly end: number
}

export type ItemsLayout =
  /** No `items` key. */
  | { readonly style: 'absent' }
  /** `items: []`: the key's line. */
  | { readonly style: 'empty'; readonly span: LineSpan }
  /** `items:` then `- ` entries at `column` (0 or 2), each starting its own line. */
  | { readonly style: 'block'; readonly column: number; readonly entries: readonly ItemLayout[] }

export interface ResourceListLayout {
  readonly items: ItemsLayout
  /**
   * The lines of `items`: from its key's line to the next top-level key's line
   * (or the end). Without them, the text is the envelope without its items.
   */
  readonly itemsLines?: LineSpan
  /** `results`: from its key's line through its value's last content line (write.ts `pairSpan`). */
  readonly results?: LineSpan
  /** End of the root mapping: its last content line, through the line break. */
  readonly end: number
}

/**
 * Per items column: a run of lines inside an entry that the checks below would
 * pass without a change but to the last content line: each blank, or indented
 * past the entry's content column, with no tab before its content and no
 * indicator starting it (`#`, `?`, `:`, `-` but for `- ` entries), and with no
 * quote, bracket, block scalar header or lone CR. Most lines of an item are so:
 * one regex skips them, many times faster than the loop does before it is
 * optimized, which is all a run has time for.
 */
const INERT_ITEM_LINES: Readonly<Record<number, RegExp>> = {
  0: /(?: {2,}(?:- +)*[^ \t\r\n#?:"'[\]{}|>-][^\r\n"'[\]{}|>]*\r?\n| *\r?\n)*/y,
  2: /(?: {4,}(?:- +)*[^ \t\r\n#?:"'[\]{}|>-][^\r\n"'[\]{}|>]*\r?\n| *\r?\n)*/y,
}
/** A blank line, through its line break. */
const BLANK_LINE = /^ *\r?\n$/

/** `items: []`, maybe with a comment. */
const EMPTY_FLOW_SEQ = /^\[\](?: +#.*)? *$/
/** Characters that may not start the first line of an item: all but a plain mapping key's. */
const NOT_PLAIN_START = /[\s\-?:,[\]{}#&*!|>'"%@`]/

/**
 * End of a sequence entry whose last content line ends at `end`: then the comment
 * lines right after it that are indented deeper than its `-` (they belong to it,
 * as kpt reads them), over blank lines. write.ts cuts entries the same way.
 */
export function entryEndFrom(text: string, end: number, col: number): number {
  let pos = end
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos)
    const next = nl === -1 ? text.length : nl + 1
    const line = text.slice(pos, next)
    const comment = /^( *)#/.exec(line)
    if (comment !== null) {
      if (comment[1]!.length <= col) break
      end = next
    } else if (!/^[ \t]*\r?\n?$/.test(line)) {
      break
    }
    pos = next
  }
  return end
}

/**
 * The layout of a block-style ResourceList (one document's text, as
 * `splitDocuments` gives it), or undefined when the scan is not certain of it:
 * then parse it. Its `apiVersion` and `kind` must be simple scalars on their
 * key's line (`config.kubernetes.io/…`, `ResourceList`); anything else, or a
 * layout it does not know, gives undefined.
 *
 * The spans are those the parsed path computes from node ranges (write.ts),
 * wherever the two could differ it gives up instead: a block scalar that keeps
 * its trailing blank lines (`|+`) at the end of an item, of `results` or of the
 * root, or any block scalar there followed by lines of spaces; explicit keys
 * (`? k`); comment lines indented after the root's or `results`' last content line
 * (the parser's ranges take some of them in); a `#` line at the end of a block
 * scalar, which may be content or a comment; an empty node (`key:`) last in the
 * root, whose range the parser ends mid-line.
 */
export function resourceListLayout(text: string): ResourceListLayout | undefined {
  if (text.charCodeAt(0) === 0xfeff) return undefined
  const hasCR = text.includes('\r')
  const keys = new Set<string>()
  let key = '' // the current top-level key
  let keyFrom = -1 // where its line starts
  let top: Open = 'none'
  let block = -1 // while >= 0: a block scalar is open, and lines indented more than this are its content
  let content = false // whether a content line has been seen (a `---` must come before)
  let lastEnd = -1 // end of the last content line, through its line break
  let lastIsHash = false // whether that line starts with `#` (block scalar content, or maybe a comment)
  let lastFrom = -1 // where that line starts, when it is not block scalar content
  // A block scalar that may hold the current span's last content line: 'keep' if
  // it keeps its trailing blank lines (`|+`). As the parser's ranges go, it then
  // runs on over all of them, an empty one over one, and any over lines of spaces
  // deeper than its content. It surely ended at a line indented at most
  // tailIndent (-1: unknown, as for a header on a line of its own, `key:` then `  |`).
  let tail: 'none' | 'block' | 'keep' = 'none'
  let tailIndent = -1
  let tailEmpty = false // whether it has no content line yet: it then runs on over a blank line
  let indentedComment = -1 // start of the last indented comment line
  let apiVersion = false
  let kind = false

  let items: ItemsLayout = { style: 'absent' }
  let itemsLines: LineSpan | undefined
  let column = -1 // the items' column, once seen
  const entries: ItemLayout[] = []
  let entryFrom = -1 // the open entry's start
  // Whether the open entry's line held only a comment (kpt puts a resource's
  // leading comments there): its content is still to come.
  let pending = false
  let results: LineSpan | undefined

  /** Notes a block scalar opened by `line` (indented `indent`). */
  const blockStarts = (line: string, indent: number): void => {
    // On its key's line (or a `- ` line), the scalar ends at a line indented no more than that line.
    const own = '|>&!'.includes(line[indent]!)
    tailIndent = own || tail !== 'none' ? -1 : indent
    if (tail !== 'keep') tail = blockKeeps(line, indent) ? 'keep' : 'block'
    tailEmpty = true
  }
  /** A new span (a top-level key or an item) starts: no scalar is open. */
  const newSpan = (): void => {
    tail = 'none'
    tailIndent = -1
  }
  /** A line of the current span, outside block scalars, at `indent`: has the tail scalar surely ended? */
  const structureLine = (indent: number): void => {
    if (tail !== 'none' && indent <= tailIndent) tail = 'none'
  }
  /**
   * Whether the current span may end at lastEnd for certain: not when the blank
   * lines after it may belong to a block scalar there (see `tail`), which the
   * parser's range then takes in.
   */
  const certainEnd = (): boolean => {
    if (tail === 'none') return true
    for (let pos = lastEnd; pos < text.length; ) {
      let nl = text.indexOf('\n', pos)
      if (nl < 0) nl = text.length
      let spaces = 0
      while (text.charCodeAt(pos + spaces) === SPACE) spaces++
      const rest = text.slice(pos + spaces, nl)
      if (rest !== '' && rest !== '\r') return true
      if (tail === 'keep' || tailEmpty || spaces >= 2) return false
      pos = nl + 1
    }
    return true
  }
  const closeEntry = (): boolean => {
    if (entryFrom < 0) return true
    if (pending || !certainEnd()) return false // `-` with nothing: null
    entries.push({ from: entryFrom, end: entryEndFrom(text, lastEnd, column) })
    entryFrom = -1
    return true
  }
  /** Ends the current top-level key at `next` (the start of the next key's line, or the end of the text). */
  const closeKey = (next: number): boolean => {
    if (key === 'items') {
      if (items.style === 'block') {
        if (entries.length === 0 && entryFrom < 0) return false // `items:` with nothing: null
        if (!closeEntry()) return false
      }
      itemsLines = { from: keyFrom, to: next }
    } else if (key === 'results') {
      if (!certainEnd() || lastIsHash || indentedComment >= lastEnd) return false
      results = { from: keyFrom, to: lastEnd }
    }
    return true
  }

  for (let start = 0; start < text.length; ) {
    if (entryFrom >= 0 && block < 0 && tail === 'none' && !pending) {
      const inert = INERT_ITEM_LINES[column]!
      inert.lastIndex = start
      inert.test(text)
      if (inert.lastIndex > start) {
        // Its last content line, before any blank ones.
        let end = inert.lastIndex
        while (end > start) {
          const from = text.lastIndexOf('\n', end - 2) + 1
          if (!BLANK_LINE.test(text.slice(from, end))) {
            lastEnd = end
            lastIsHash = false
            lastFrom = from
            break
          }
          end = from
        }
        start = inert.lastIndex
        if (start >= text.length) break
      }
    }
    let nl = text.indexOf('\n', start)
    if (nl < 0) nl = text.length
    const end = nl > start && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl
    const line = text.slice(start, end)
    const lineFrom = start
    const lineEnd = Math.min(nl + 1, text.length)
    start = nl + 1
    // A lone CR is a line break to YAML; this scan would not see it as one.
    if (hasCR && line.includes('\r')) return undefined
    let indent = 0
    while (line.charCodeAt(indent) === SPACE) indent++
    if (block >= 0) {
      if (indent === line.length) continue
      if (indent > block) {
        tailEmpty = false
        lastEnd = lineEnd
        lastIsHash = line.charCodeAt(indent) === HASH
        lastFrom = -1
        continue
      }
      block = -1
    }
    if (indent === line.length) continue // blank
    const first = line.charCodeAt(indent)
    if (first === TAB) return undefined // tabs are not indentation; let the parser say so
    if (first === HASH) {
      if (indent > 0) indentedComment = lineFrom
      continue
    }
    // An explicit key (`? k`) makes a pair whose value may come before its key in the
    // text, where the parsed path's ranges go astray.
    if (explicitPair(line, indent)) return undefined

    if (indent === 0) {
      if (line.startsWith('---') || line.startsWith('...') || first === 0x25 /* % */) {
        // A `---` before the content (and nothing on it); no `...`, no directives.
        if (content || !MARKER.test(line)) return undefined
        continue
      }
      content = true
      if (pending) return undefined // `-` then nothing: a null item
      if (isEntry(line, 0)) {
        if (key === 'items') {
          // An entry at column 0: the items' sequence sits at its key's column.
          if (column < 0 && top === 'empty') column = 0
          if (column !== 0 || !closeEntry()) return undefined
          const start = entryStart(line, 0)
          if (start === undefined) return undefined
          entryFrom = lineFrom
          newSpan()
          pending = start === 'pending'
          const opened = blockOpened(line, 0)
          if (opened === undefined) return undefined
          block = opened
          if (block >= 0) blockStarts(line, 0)
          top = 'seq'
        } else {
          // Another key's block sequence at its key's column (kpt writes `results:` so).
          if (top !== 'empty' && top !== 'seq') return undefined
          const opened = blockOpened(line, 0)
          if (opened === undefined) return undefined
          structureLine(0)
          block = opened
          if (block >= 0) blockStarts(line, 0)
          top = 'seq'
        }
        lastEnd = lineEnd
        lastIsHash = false
        lastFrom = lineFrom
        continue
      }
      const m = KEY_LINE.exec(line)
      if (m === null) return undefined // quoted, complex or flow keys, anchors, tags, a root that is not a block mapping
      if (keyFrom >= 0 && !closeKey(lineFrom)) return undefined
      const name = m[1]!
      const rest = m[2] ?? ''
      // A repeated key is an error the full parse must report; a key that is not a string (`on:`, `1:`) could clash with one.
      if (keys.has(name) || !plainIsString(name)) return undefined
      keys.add(name)
      key = name
      keyFrom = lineFrom
      newSpan()
      lastEnd = lineEnd
      lastIsHash = false
      lastFrom = lineFrom
      const empty = rest === '' || rest.charCodeAt(0) === HASH
      if (name === 'apiVersion' || name === 'kind') {
        const value = simpleString(rest)
        if (name === 'kind' ? value !== 'ResourceList' : value?.startsWith('config.kubernetes.io/') !== true) return undefined
        if (name === 'kind') kind = true
        else apiVersion = true
        top = 'inline'
      } else if (name === 'items') {
        if (empty) {
          items = { style: 'block', column: -1, entries }
          top = 'empty'
        } else if (EMPTY_FLOW_SEQ.test(rest)) {
          items = { style: 'empty', span: { from: lineFrom, to: lineEnd } }
          top = 'inline'
        } else {
          return undefined // `items: ~`, a flow sequence with items, an anchor …: the parsed path decides
        }
      } else if (empty) {
        top = 'empty'
      } else {
        const value = inlineValue(line, line.length - rest.length)
        if (value === undefined) return undefined // anchors, aliases and tags at the top among others
        if (value === 'block') {
          block = 0
          blockStarts(line, 0)
        }
        top = 'inline'
      }
      continue
    }

    // An indented line: inside the node of the top-level key above it.
    // After a value on the key's line, it would continue a plain scalar (or be an error).
    if (top === 'none' || top === 'inline') return undefined
    if (key === 'items') {
      if (column < 0) {
        // The first entry, indented.
        if (indent !== 2 || !isEntry(line, 2)) return undefined
        column = 2
      }
      if (pending) {
        // The content of an entry whose line held only a comment: a plain key at the entry's content column.
        if (indent !== column + 2 || NOT_PLAIN_START.test(line[indent]!)) return undefined
        pending = false
      } else if (indent === column && column > 0 && isEntry(line, indent)) {
        const start = entryStart(line, column)
        if (!closeEntry() || start === undefined) return undefined
        entryFrom = lineFrom
        newSpan()
        pending = start === 'pending'
      } else if (indent < column + 2) {
        return undefined // not inside an entry: an error, or a layout this scan does not know
      }
    } else if (top === 'empty') {
      top = 'nested'
    }
    const opened = blockOpened(line, indent)
    if (opened === undefined) return undefined
    structureLine(indent)
    block = opened
    if (block >= 0) blockStarts(line, indent)
    lastEnd = lineEnd
    lastIsHash = false
    lastFrom = lineFrom
  }

  if (keyFrom < 0 || !closeKey(text.length)) return undefined
  if (!apiVersion || !kind) return undefined
  // The root's end: as for `results`, and no comment indented after it (the parser's range may take it in).
  if (!certainEnd() || lastIsHash || indentedComment >= lastEnd) return undefined
  // Nor an empty node last: the parser's range of the root then ends mid-line.
  if (lastFrom >= 0) {
    const line = text.slice(lastFrom, lastEnd).replace(/\r?\n$/, '')
    if (endsInEmptyNode(line, line.length - line.trimStart().length)) return undefined
  }
  if (items.style === 'block') items = { style: 'block', column, entries }
  return { items, ...(itemsLines !== undefined ? { itemsLines } : {}), ...(results !== undefined ? { results } : {}), end: lastEnd }
}

/**
 * How a `-` entry line at `col` starts an item this scan reads: 'content' for
 * `- key…` (the key plain, at col + 2), 'pending' for a `-` with nothing after
 * it but a comment (the item's content starts on a later line), else undefined.
 */
function entryStart(line: string, col: number): 'content' | 'pending' | undefined {
  let i = col + 1
  while (line.charCodeAt(i) === SPACE) i++
  if (i === line.length || line.charCodeAt(i) === HASH) return 'pending'
  return i === col + 2 && !NOT_PLAIN_START.test(line[i]!) ? 'content' : undefined
}

const DEDENT: Readonly<Record<number, RegExp>> = { 0: /\n {1,2}/g, 2: /\n {1,4}/g }

/**
 * The text of one item as a document of its own: from after its `- ` through its
 * end, every later line moved left by the entry's content column (column + 2).
 * Only comment and blank lines can be indented less (every other line of an
 * item is, or the scan gave up); they move to column 0, where they stay less
 * indented than anything in the item, as they were.
 */
export function itemText(text: string, item: ItemLayout, column: number): string {
  let start = item.from + column + 1
  if (text.charCodeAt(start) === SPACE) start++
  return text.slice(start, item.end).replace(DEDENT[column]!, '\n')
}
