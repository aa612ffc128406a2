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
import { MARKER, SPACE } from './yaml-lines.ts'

/**
 * Characters the scan leaves to the parser: controls (tab and C1 included), the
 * line and paragraph separators, NEL and the byte order mark, which readers of
 * YAML disagree on (issue 13), and non-characters. Lone surrogates cannot come
 * from UTF-8 decoding.
 */
const UNUSUAL = /[^\n\r\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\ud800-\udfff]|\r(?!\n)/

// The pieces of a line, as regex source. A line is read by one sticky regex
// (KEY_LINE_AT or ENTRY_LINE_AT) from its first character after the indentation:
// a regex runs as native code even in a cold process (the function's usual state:
// it starts from a snapshot and runs once), where the same checks in JavaScript
// cost several times the header scan.
const KEY = '([A-Za-z_][A-Za-z0-9_./-]*):'
/** A block scalar header without an indentation indicator. */
const BLOCK = '([|>][+-]?)'
/** A plain scalar complete on its line: no indicator first; inside, no `: `, no ` #`, no `:` at the end. */
const PLAIN = '(?:[^\\s,[\\]{}#&*!|>\'"%@`?:-]|-(?=[^\\s]))(?:[^\\s:#]|:(?=[^\\s])|#| +(?=[^\\s#]))*'
const SINGLE = "'(?:[^'\\r\\n]|'')*'"
const DOUBLE = '"(?:[^"\\\\\\r\\n]|\\\\(?:[0abtnvfre "/\\\\N_LP]|x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}))*"'
/** A flow sequence item: a plain word without flow indicators, or a simple quoted scalar. */
const FLOW_ITEM = `(?:(?:[A-Za-z0-9_./~$+=()^]|-(?=[^,\\[\\]{}#"'\\s:]))[^,\\[\\]{}#"'\\s:]*|'(?:[^'\\r\\n]|'')*'|"(?:[^"\\\\\\r\\n]|\\\\["\\\\/nt])*")`
/** `[]`, `{}`, or a flow sequence of FLOW_ITEMs. */
const FLOW = `(?:\\{ *\\}|\\[ *(?:${FLOW_ITEM}(?: *, *${FLOW_ITEM})*)? *\\])`
/** A value on its key's (or `- `'s) line. */
const VALUE = `(?:${PLAIN}|${SINGLE}|${DOUBLE}|${FLOW})`
/** The rest of the line: a comment after a space, spaces, the line break. */
const TAIL = '(?: +#[^\\r\\n]*)? *\\r?(?:\\n|$)'
/** `key:`, `key: value`, `key: |`; groups: key, block header, value. */
const KEY_LINE_AT = new RegExp(`${KEY}(?: +(?:${BLOCK}|(${VALUE})))?${TAIL}`, 'y')
/**
 * `-`, `- value`, `- |`, `- key: …`; groups: spaces after the dash, key, its
 * block header, its value, the entry's block header, the entry's value.
 */
const ENTRY_LINE_AT = new RegExp(`-(?:( +)(?:${KEY}(?: +(?:${BLOCK}|(${VALUE})))?|${BLOCK}|(${VALUE})))?${TAIL}`, 'y')
/** The longest implicit key YAML allows is 1024 characters; stay well below. */
const MAX_KEY = 1000

/** plainIsString, for keys: they repeat across documents, and the answer does not change. */
const KEY_IS_STRING = new Map<string, boolean>()
function keyIsString(key: string): boolean {
  let known = KEY_IS_STRING.get(key)
  if (known === undefined) {
    known = plainIsString(key)
    if (KEY_IS_STRING.size < 10_000) KEY_IS_STRING.set(key, known)
  }
  return known
}

interface Level {
  readonly indent: number
  readonly kind: 'map' | 'seq'
  readonly keys: Set<string>
  /** A sequence at its key's column (`key:` then `- a` below it). */
  readonly compact: boolean
}

const NL = 0x0a
const CR = 0x0d
const HASH = 0x23
const DASH = 0x2d

/**
 * Whether the document (one chunk from `splitDocuments`) is certainly valid
 * YAML, by the rules of the module comment; false means "parse it to know".
 */
export function isCertainlyValid(text: string): boolean {
  if (text.charCodeAt(0) === 0xfeff || UNUSUAL.test(text)) return false
  const stack: Level[] = []
  // The last line left a node open: `key:` (key) or `-` with nothing after it, at this column.
  let pending = -1
  let pendingKey = false
  let block = -1 // while >= 0: in a block scalar, whose content is indented more than this
  let blockContent = -1 // its content's indentation, once seen
  let leadingBlank = 0 // the most spaces on a blank line before its first content line
  let root = false
  let content = false
  let marker = false

  /** A key at column `col`, in the mapping on top of the stack; its block scalar header, if any. */
  const key = (name: string, col: number, header: string | undefined, empty: boolean): boolean => {
    const level = stack[stack.length - 1]!
    if (name.length > MAX_KEY || level.keys.has(name) || !keyIsString(name)) return false
    level.keys.add(name)
    if (empty) {
      pending = col
      pendingKey = true
    } else if (header !== undefined) {
      opensBlock(col)
    }
    return true
  }
  const opensBlock = (parent: number): void => {
    block = parent
    blockContent = -1
    leadingBlank = 0
  }

  for (let start = 0; start < text.length; ) {
    let indent = 0
    while (text.charCodeAt(start + indent) === SPACE) indent++
    const at = start + indent
    const first = at < text.length ? text.charCodeAt(at) : NL
    const blank = first === NL || (first === CR && text.charCodeAt(at + 1) === NL)
    if (block >= 0) {
      if (blank) {
        if (blockContent < 0) leadingBlank = Math.max(leadingBlank, indent)
        start = nextLine(text, at)
        continue
      }
      if (blockContent < 0 && indent > block) {
        // More spaces on a leading blank line than on the first content line is an error.
        if (leadingBlank > indent) return false
        blockContent = indent
        start = nextLine(text, at)
        continue
      }
      if (blockContent >= 0 && indent >= blockContent) {
        start = nextLine(text, at)
        continue
      }
      // An empty block scalar after lines of spaces deeper than its parent: leave it to the parser.
      if (blockContent < 0 && leadingBlank > block) return false
      block = -1 // it ended; the line is read below
    }
    if (blank || first === HASH) {
      start = nextLine(text, at)
      continue
    }
    if (indent === 0 && (first === DASH || first === 0x2e /* . */ || first === 0x25 /* % */) && !isEntryAt(text, at)) {
      // The document's own start marker, before its content and with no node on it; no `...`, no directives.
      const end = nextLine(text, at)
      if (content || marker || !MARKER.test(text.slice(at, end).replace(/\r?\n$/, ''))) return false
      marker = true
      start = end
      continue
    }
    content = true
    const dash = first === DASH
    if (pending >= 0) {
      const open = pending
      pending = -1
      if (indent > open || (indent === open && dash && pendingKey)) {
        // The open node's value: a collection starting on this line (a scalar on a line of its own, say no).
        stack.push({ indent, kind: dash ? 'seq' : 'map', keys: new Set(), compact: indent === open })
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
      if (dash) return false
      KEY_LINE_AT.lastIndex = at
      const m = KEY_LINE_AT.exec(text)
      if (m === null) return false
      start = KEY_LINE_AT.lastIndex
      if (!key(m[1]!, indent, m[2], m[2] === undefined && m[3] === undefined)) return false
      continue
    }
    if (!dash) return false
    ENTRY_LINE_AT.lastIndex = at
    const m = ENTRY_LINE_AT.exec(text)
    if (m === null) return false
    start = ENTRY_LINE_AT.lastIndex
    const spaces = m[1]
    if (m[2] !== undefined) {
      // `- key: …`: a mapping at the key's column.
      const col = indent + 1 + spaces!.length
      stack.push({ indent: col, kind: 'map', keys: new Set(), compact: false })
      if (!key(m[2], col, m[3], m[3] === undefined && m[4] === undefined)) return false
    } else if (m[5] !== undefined) {
      opensBlock(indent)
    } else if (m[6] === undefined) {
      // `-` with nothing after it but a comment.
      pending = indent
      pendingKey = false
    }
  }
  return root
}

/** Whether a `-` at `at` starts a sequence entry (`-` then a space, or the end of the line). */
function isEntryAt(text: string, at: number): boolean {
  const c = text.charCodeAt(at + 1)
  return text.charCodeAt(at) === DASH && (c === SPACE || c === NL || c === CR || Number.isNaN(c))
}

/** The start of the line after the one `at` is on. */
function nextLine(text: string, at: number): number {
  const nl = text.indexOf('\n', at)
  return nl < 0 ? text.length : nl + 1
}
