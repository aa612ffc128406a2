// Read stage helper: whether a document is certainly valid YAML, decided by a line
// scan instead of a parse. Documents we do not own are read by their header alone
// (resource-header.ts); this scan is what makes that safe: a document we cannot
// parse must be an error (issue 13: Argo CD applies what we print, and a stream
// that does not parse is not applied as written), and parsing every Deployment to
// find out would cost more than the rest of a typical run. Pure; no I/O.
//
// The scan is conservative. It says yes only for a subset of block-style YAML
// whose every line it understands: a block mapping at the root; nested block
// mappings and sequences, indented consistently (a sequence may sit at its key's
// column); plain keys read as strings, unique in their mapping; values that are
// plain scalars, simple quoted scalars or flow collections complete on their line
// (`[]`, `{}`, `[a, "b"]`), or block scalars (`|`, `>-` …, no indentation
// indicator); comments; printable characters other than tabs, U+0085, U+2028,
// U+2029 and U+FEFF. On anything else (anchors, tags, multi-line plain or quoted
// scalars, flow mappings with content, explicit keys …) it says no, and the caller
// parses the document, which reports any error. test/block-syntax.test.ts checks
// that the parser accepts every document the scan accepts.

import { plainIsString } from './kubernetes-schema.ts'
import { isEntry, KEY_LINE, MARKER, SPACE } from './yaml-lines.ts'

/**
 * Characters the scan leaves to the parser: controls (tab and C1 included), the
 * line and paragraph separators, NEL and the byte order mark, which readers of
 * YAML disagree on (issue 13), and non-characters. Lone surrogates cannot come
 * from UTF-8 decoding.
 */
const UNUSUAL = /[^\n\r\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\ud800-\udfff]|\r(?!\n)/

/** A block scalar header without an indentation indicator, then maybe a comment. */
const BLOCK_HEADER = /^[|>][+-]?(?: +#.*)? *$/
const SINGLE_QUOTED = /^'(?:[^']|'')*'(?: +#.*)? *$/
const DOUBLE_QUOTED = /^"(?:[^"\\]|\\(?:[0abtnvfre "/\\N_LP]|x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}))*"(?: +#.*)? *$/
/** `[]`, `{}`, or a flow sequence of plain words without flow indicators and simple quoted scalars. */
const FLOW_ITEM = `(?:(?:[A-Za-z0-9_./~$+=()^]|-(?=[^,\\[\\]{}#"'\\s:]))[^,\\[\\]{}#"'\\s:]*|'(?:[^']|'')*'|"(?:[^"\\\\]|\\\\["\\\\/nt])*")`
const FLOW = new RegExp(`^(?:\\{ *\\}|\\[ *(?:${FLOW_ITEM}(?: *, *${FLOW_ITEM})*)? *\\])(?: +#.*)? *$`)
/** Characters a plain scalar may not start with (some of them start other nodes, parsed elsewhere here). */
const NOT_PLAIN_FIRST = /[,[\]{}#&*!|>'"%@`?:]/
/** The longest implicit key YAML allows is 1024 characters; stay well below. */
const MAX_KEY = 1000

type Value = 'scalar' | 'block' | undefined

/** What a value complete on its key's (or `- `'s) line is: a scalar or collection on the line, a block scalar header, or undefined (say no). */
function lineValue(rest: string): Value {
  const c = rest[0]!
  if (c === "'") return SINGLE_QUOTED.test(rest) ? 'scalar' : undefined
  if (c === '"') return DOUBLE_QUOTED.test(rest) ? 'scalar' : undefined
  if (c === '[' || c === '{') return FLOW.test(rest) ? 'scalar' : undefined
  if (c === '|' || c === '>') return BLOCK_HEADER.test(rest) ? 'block' : undefined
  if (NOT_PLAIN_FIRST.test(c)) return undefined
  if (c === '-' && (rest.length === 1 || rest.charCodeAt(1) === SPACE)) return undefined
  // A plain scalar ends at ` #` (a comment); before it, no `: ` and no `:` at the end.
  const hash = rest.indexOf(' #')
  const content = (hash < 0 ? rest : rest.slice(0, hash)).trimEnd()
  if (content.includes(': ') || content.endsWith(':')) return undefined
  return 'scalar'
}

interface Level {
  readonly indent: number
  readonly kind: 'map' | 'seq'
  readonly keys: Set<string>
  /** A sequence at its key's column (`key:` then `- a` below it). */
  readonly compact: boolean
}

/**
 * Whether the document (one chunk from `splitDocuments`) is certainly valid
 * YAML, by the rules of the module comment; false means "parse it to know".
 */
export function isCertainlyValid(text: string): boolean {
  if (text.charCodeAt(0) === 0xfeff || UNUSUAL.test(text)) return false
  const stack: Level[] = []
  // The last line left a node open: `key:` (key) or `-` with nothing after it, at this column.
  let pending: { indent: number; key: boolean } | undefined
  let block = -1 // while >= 0: in a block scalar, whose content is indented more than this
  let blockContent = -1 // its content's indentation, once seen
  let leadingBlank = 0 // the most spaces on a blank line before its first content line
  let root = false
  let content = false
  let marker = false

  /** A mapping key at column `col` of `line`, in the mapping on top of the stack. */
  const key = (line: string, col: number): boolean => {
    const m = KEY_LINE.exec(line.slice(col))
    if (m === null) return false
    const name = m[1]!
    const rest = m[2] ?? ''
    const level = stack[stack.length - 1]!
    if (name.length > MAX_KEY || !plainIsString(name) || level.keys.has(name)) return false
    level.keys.add(name)
    if (rest === '' || rest.charCodeAt(0) === 0x23 /* # */) {
      pending = { indent: col, key: true }
      return true
    }
    return opens(lineValue(rest), col)
  }
  /** A value on the line: a block scalar whose parent is at `parent` opens. */
  const opens = (value: Value, parent: number): boolean => {
    if (value === undefined) return false
    if (value === 'block') {
      block = parent
      blockContent = -1
      leadingBlank = 0
    }
    return true
  }

  for (let start = 0; start < text.length; ) {
    let nl = text.indexOf('\n', start)
    if (nl < 0) nl = text.length
    const end = nl > start && text.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl
    const line = text.slice(start, end)
    start = nl + 1
    let indent = 0
    while (line.charCodeAt(indent) === SPACE) indent++
    const blank = indent === line.length
    if (block >= 0) {
      if (blank) {
        if (blockContent < 0) leadingBlank = Math.max(leadingBlank, indent)
        continue
      }
      if (blockContent < 0 && indent > block) {
        // More spaces on a leading blank line than on the first content line is an error.
        if (leadingBlank > indent) return false
        blockContent = indent
        continue
      }
      if (blockContent >= 0 && indent >= blockContent) continue
      // An empty block scalar after lines of spaces deeper than its parent: leave it to the parser.
      if (blockContent < 0 && leadingBlank > block) return false
      block = -1 // it ended; the line is read below
    }
    if (blank) continue
    const first = line.charCodeAt(indent)
    if (first === 0x23 /* # */) continue
    if (indent === 0 && (line.startsWith('---') || line.startsWith('...') || first === 0x25 /* % */)) {
      // The document's own start marker, before its content and with no node on it.
      if (content || marker || !line.startsWith('---') || !MARKER.test(line)) return false
      marker = true
      continue
    }
    content = true
    const dash = isEntry(line, indent)
    if (pending !== undefined) {
      const open = pending
      pending = undefined
      if (indent > open.indent || (indent === open.indent && dash && open.key)) {
        // The open node's value: a collection starting on this line (a scalar on a line of its own, say no).
        stack.push({ indent, kind: dash ? 'seq' : 'map', keys: new Set(), compact: indent === open.indent })
      }
      // Else the open node was empty (null), and this line is a sibling of it or of a parent.
    }
    while (stack.length > 0 && stack[stack.length - 1]!.indent > indent) stack.pop()
    let top = stack[stack.length - 1]
    if (top !== undefined && top.kind === 'seq' && top.compact && top.indent === indent && !dash) {
      stack.pop()
      top = stack[stack.length - 1]
    }
    if (top === undefined) {
      // The root: a block mapping at column 0 (a resource), and only one.
      if (root || indent !== 0 || dash) return false
      root = true
      top = { indent: 0, kind: 'map', keys: new Set(), compact: false }
      stack.push(top)
    }
    if (top.indent !== indent) return false
    if (top.kind === 'map') {
      if (dash || !key(line, indent)) return false
      continue
    }
    if (!dash) return false
    let at = indent + 1
    while (line.charCodeAt(at) === SPACE) at++
    if (at === line.length || (line.charCodeAt(at) === 0x23 /* # */ && at > indent + 1)) {
      pending = { indent, key: false }
      continue
    }
    if (isEntry(line, at)) return false // `- - x`: say no
    if (KEY_LINE.test(line.slice(at))) {
      // `- key: …`: a mapping at the key's column.
      stack.push({ indent: at, kind: 'map', keys: new Set(), compact: false })
      if (!key(line, at)) return false
      continue
    }
    if (!opens(lineValue(line.slice(at)), indent)) return false
  }
  return root
}
