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
// No capturing groups: each would cut a substring out of the text for every line.
const KEY = '[A-Za-z_][A-Za-z0-9_./-]*:'
/** A block scalar header without an indentation indicator. */
const BLOCK = '[|>][+-]?'
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
/** `key:`, `key: value`, `key: |`. */
const KEY_LINE_AT = new RegExp(`${KEY}(?: +(?:${BLOCK}|${VALUE}))?${TAIL}`, 'y')
/** `-`, `- value`, `- |`, `- key: …`. */
const ENTRY_LINE_AT = new RegExp(`-(?: +(?:${KEY}(?: +(?:${BLOCK}|${VALUE}))?|${BLOCK}|${VALUE}))?${TAIL}`, 'y')
/** A key at the start of an entry's content (the line matched ENTRY_LINE_AT). */
const KEY_AT = new RegExp(`${KEY}(?= |\r?\n|$)`, 'y')
/** The longest implicit key YAML allows is 1024 characters; stay well below. */
const MAX_KEY = 1000

/**
 * Keys as KEY spells them (a letter or `_` first) that do not read as strings
 * are the YAML 1.1 null and bool words (`plainIsString`), none longer than this.
 */
const LONGEST_WORD = 5

const NL = 0x0a
const CR = 0x0d
const HASH = 0x23
const DASH = 0x2d
const PIPE = 0x7c
const GT = 0x3e

/** What a level of the stack of open collections is. */
const MAP = 0
const SEQ = 1
/** A sequence at its key's column (`key:` then `- a` below it). */
const COMPACT_SEQ = 2

/**
 * Whether the document (one chunk from `splitDocuments`) is certainly valid
 * YAML, by the rules of the module comment; false means "parse it to know".
 */
export function isCertainlyValid(text: string): boolean {
  try {
    return scan(text)
  } catch (e) {
    // V8's regex engine backtracks on a stack of its own; on a line of some
    // megabytes (a long base64 value) the line regexes throw "Maximum call
    // stack size exceeded". Not certain, then: the parser decides.
    if (e instanceof RangeError) return false
    throw e
  }
}

function scan(text: string): boolean {
  if (text.charCodeAt(0) === 0xfeff || UNUSUAL.test(text)) return false
  // The open collections, innermost last, in flat arrays: no object per level,
  // which in a cold process (the function's usual state) is most of the garbage.
  const indents: number[] = []
  const kinds: number[] = []
  const keysFrom: number[] = [] // where each level's keys start in `keys`
  // The keys of the open mappings, as (signature, offset) pairs: the signature
  // made of the key's length and its first and last characters, the offset
  // where it starts; compared in the text, they cost no string per key.
  const keys: number[] = []
  // The last line left a node open: `key:` (pendingKey) or `-` with nothing after it, at this column.
  let pending = -1
  let pendingKey = false
  let block = -1 // while >= 0: in a block scalar, whose content is indented more than this
  let blockContent = -1 // its content's indentation, once seen
  let leadingBlank = 0 // the most spaces on a blank line before its first content line
  let root = false
  let content = false
  let marker = false

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
        indents.push(indent)
        kinds.push(!dash ? MAP : indent === open ? COMPACT_SEQ : SEQ)
        keysFrom.push(keys.length)
      }
      // Else the open node was empty (null), and this line is a sibling of it or of a parent.
    }
    let top = indents.length - 1
    while (top >= 0 && (indents[top]! > indent || (indents[top] === indent && kinds[top] === COMPACT_SEQ && !dash))) top--
    if (top < indents.length - 1) {
      keys.length = keysFrom[top + 1]!
      indents.length = kinds.length = keysFrom.length = top + 1
    }
    if (top < 0) {
      // The root: a block mapping at column 0 (a resource), and only one.
      if (root || indent !== 0 || dash) return false
      root = true
      indents.push(0)
      kinds.push(MAP)
      keysFrom.push(0)
      top = 0
    }
    if (indents[top] !== indent) return false
    let keyAt: number
    let col: number
    if (kinds[top] === MAP) {
      if (dash) return false
      KEY_LINE_AT.lastIndex = at
      if (!KEY_LINE_AT.test(text)) return false
      start = KEY_LINE_AT.lastIndex
      keyAt = at
      col = indent
    } else {
      if (!dash) return false
      ENTRY_LINE_AT.lastIndex = at
      if (!ENTRY_LINE_AT.test(text)) return false
      start = ENTRY_LINE_AT.lastIndex
      let after = at + 1
      while (text.charCodeAt(after) === SPACE) after++
      const c = text.charCodeAt(after)
      if (c === HASH || c === CR || c === NL || Number.isNaN(c)) {
        // `-` with nothing after it but a comment.
        pending = indent
        pendingKey = false
        continue
      }
      if (c === PIPE || c === GT) {
        block = indent
        blockContent = -1
        leadingBlank = 0
        continue
      }
      KEY_AT.lastIndex = after
      if (!KEY_AT.test(text)) continue // a scalar entry
      // `- key: …`: a mapping at the key's column.
      col = indent + (after - at)
      indents.push(col)
      kinds.push(MAP)
      keysFrom.push(keys.length)
      keyAt = after
    }
    // The key at keyAt, in the mapping on top of the stack. It has no `:` in it (KEY), so the first one ends it.
    const colon = text.indexOf(':', keyAt)
    const length = colon - keyAt
    if (length > MAX_KEY || (length <= LONGEST_WORD && !plainIsString(text.slice(keyAt, colon)))) return false
    const signature = length * 0x100000000 + text.charCodeAt(keyAt) * 0x10000 + text.charCodeAt(colon - 1)
    for (let k = keysFrom[keysFrom.length - 1]!; k < keys.length; k += 2) {
      if (keys[k] === signature && text.startsWith(text.slice(keys[k + 1], keys[k + 1]! + length), keyAt)) return false // a repeated key
    }
    keys.push(signature, keyAt)
    let after = colon + 1
    while (text.charCodeAt(after) === SPACE) after++
    const c = text.charCodeAt(after)
    if (c === HASH || c === CR || c === NL || Number.isNaN(c)) {
      pending = col
      pendingKey = true
    } else if (c === PIPE || c === GT) {
      block = col
      blockContent = -1
      leadingBlank = 0
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
