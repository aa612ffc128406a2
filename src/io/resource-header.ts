// Read stage helper: a resource's header (apiVersion, kind, metadata.name,
// metadata.namespace) read from its source text by a line scan, without parsing
// the document. readInputs uses it for documents we do not own: nothing reads
// more of them than these fields, and parsing 200 Deployments cost more than
// the rest of a typical run (issue 8).
//
// The scan is conservative. It reads block-style YAML only, and answers only
// when it is certain the full parse (`readValue`) gives the same four fields;
// on anything unusual it returns undefined and the caller parses the document.
// It is not a syntax check: a document that the full parse would refuse may
// still get a header, when its error lies beyond the lines the scan reads.

import { plainIsString } from './kubernetes-schema.ts'

/** What downstream reads of a resource we do not own. */
export interface ResourceHeader {
  readonly apiVersion: string
  readonly kind: string
  /** Present when the document has a `metadata` mapping; holds only the keys it has. */
  readonly metadata?: { readonly name?: string; readonly namespace?: string }
}

const SPACE = 0x20
const TAB = 0x09
const CR = 0x0d
const HASH = 0x23
const DASH = 0x2d
const PIPE = 0x7c
const GT = 0x3e
const DQUOTE = 0x22
const SQUOTE = 0x27
const BACKSLASH = 0x5c
const COMMA = 0x2c
const COLON = 0x3a
const LBRACKET = 0x5b
const RBRACKET = 0x5d
const LBRACE = 0x7b
const RBRACE = 0x7d

/** A plain mapping key and what follows it: `key:` or `key: rest`. */
const KEY_LINE = /^([A-Za-z_][A-Za-z0-9_./-]*):(?: +(.*))?$/
/** A `---` marker line with nothing after it but a comment. */
const MARKER = /^---(?: +#.*)? *$/
/** A plain scalar of characters that never start or change YAML syntax, then maybe a comment. */
const SIMPLE_PLAIN = /^([A-Za-z0-9][A-Za-z0-9._/-]*)(?: +#.*)? *$/
/** A quoted scalar of printable ASCII without quotes or backslashes: its text is its value. */
const SIMPLE_QUOTED = /^(?:'([ !#-&(-[\]-~]*)'|"([ !#-&(-[\]-~]*)")(?: +#.*)? *$/
/** A block scalar header (`|`, `>-`, `|2+` …) and nothing after it but a comment. */
const BLOCK_HEADER = /^[|>](?:[1-9][+-]?|[+-][1-9]?)?(?: +#.*)? *$/
/** The characters without which a line opens no quoted scalar, flow collection or block scalar. */
const MAY_OPEN = /["'[\]{}|>]/
/**
 * A run of lines, each blank or indented and free of tabs before its content,
 * lone CRs and MAY_OPEN characters: inside a nested node, the checks would let
 * every one of them pass unchanged, so one regex skips them all.
 */
const INERT_LINES = /(?: +[^ \t\r\n"'[\]{}|>][^\r\n"'[\]{}|>]*\r?\n| *\r?\n)*/y
/** The end of a line's content that may be a block scalar header. */
const ENDS_IN_BLOCK_HEADER = /(?:^| )[|>][1-9+-]{0,2}$/

/** What the last line at a mapping's level left open, which decides what may follow it. */
type Open =
  | 'none' // nothing yet
  | 'empty' // a key with no value on its line: a nested node or a `- ` sequence may follow
  | 'seq' // a `- ` entry: more entries, or its own nested lines, may follow
  | 'nested' // a key whose nested node has begun
  | 'inline' // a key with its value on the line: nothing deeper may follow

/** The value of a simple scalar (see SIMPLE_PLAIN, SIMPLE_QUOTED) that reads as a string, else undefined. */
function simpleString(rest: string): string | undefined {
  const plain = SIMPLE_PLAIN.exec(rest)
  if (plain !== null) return plainIsString(plain[1]!) ? plain[1]! : undefined
  const quoted = SIMPLE_QUOTED.exec(rest)
  return quoted === null ? undefined : (quoted[1] ?? quoted[2]!)
}

/** Index of the quote that closes the quoted scalar opening at `open`, or -1 when it does not close on this line. */
function closingQuote(line: string, open: number): number {
  const quote = line.charCodeAt(open)
  for (let i = open + 1; i < line.length; i++) {
    const c = line.charCodeAt(i)
    if (quote === DQUOTE && c === BACKSLASH) i++
    else if (c === quote) {
      if (quote === SQUOTE && line.charCodeAt(i + 1) === SQUOTE) i++
      else return i
    }
  }
  return -1
}

/**
 * Where the line's content ends (before a comment), or -1 when a quoted scalar
 * or flow collection that opens on the line may not close on it: js-yaml lets
 * both continue on later lines at any indentation, where a line that looks like
 * a top-level key is in fact inside them. Any quote where a scalar may start
 * counts as opening one, so a plain scalar with ` "` in it also gives -1.
 */
function contentEnd(line: string, from: number): number {
  let depth = 0
  let end = from
  for (let i = from; i < line.length; i++) {
    const c = line.charCodeAt(i)
    if (c === SPACE || c === TAB) continue
    const prev = i === from ? SPACE : line.charCodeAt(i - 1)
    if (c === HASH && (prev === SPACE || prev === TAB)) break
    if (c === DQUOTE || c === SQUOTE) {
      if (prev === SPACE || prev === TAB || prev === LBRACKET || prev === LBRACE || prev === COMMA || prev === COLON) {
        i = closingQuote(line, i)
        if (i < 0) return -1
      }
    } else if (c === LBRACKET || c === LBRACE) depth++
    else if ((c === RBRACKET || c === RBRACE) && --depth < 0) return -1
    end = i + 1
  }
  return depth === 0 ? end : -1
}

/**
 * The indentation that ends a block scalar whose header ends this line: its
 * content is every later line indented more. That is the column of the mapping
 * key (or node properties) on the line, or of the `- ` right before the header.
 * Taking the rightmost candidate errs towards reading too few lines as content.
 */
function blockParent(line: string, indent: number): number {
  let i = indent
  let parent = indent
  while (line.charCodeAt(i) === DASH && (i + 1 === line.length || line.charCodeAt(i + 1) === SPACE)) {
    parent = i
    i++
    while (line.charCodeAt(i) === SPACE) i++
  }
  const c = line.charCodeAt(i)
  return c === PIPE || c === GT ? parent : i
}

/**
 * For a line whose keys we do not read: the indentation that ends the block
 * scalar it opens (see `blockParent`), -1 when it opens none, or undefined when
 * a quoted scalar or flow collection on it may not close on it.
 */
function blockOpened(line: string, indent: number): number | undefined {
  // Most lines have none of these characters; a regex finds that faster than the loop below.
  if (!MAY_OPEN.test(line)) return -1
  const end = contentEnd(line, indent)
  if (end < 0) return undefined
  return ENDS_IN_BLOCK_HEADER.test(line.slice(indent, end)) ? blockParent(line, indent) : -1
}

/** Whether a line starting at `at` is a `-` or `- …` sequence entry. */
function isEntry(line: string, at: number): boolean {
  return line.charCodeAt(at) === DASH && (at + 1 === line.length || line.charCodeAt(at + 1) === SPACE)
}

/**
 * A value on a key's line, other than the header fields: 'block' for a block
 * scalar header, 'inline' for a scalar or flow collection complete on the line,
 * undefined for anything else (anchors, aliases, tags, reserved indicators,
 * quotes or brackets that may not close).
 */
function inlineValue(line: string, at: number): 'block' | 'inline' | undefined {
  const c = line[at]!
  if ('&*!%@`'.includes(c)) return undefined
  if (c === '|' || c === '>') return BLOCK_HEADER.test(line.slice(at)) ? 'block' : undefined
  if ((c === '-' || c === '?') && (at + 1 === line.length || line.charCodeAt(at + 1) === SPACE)) return undefined
  return contentEnd(line, at) < 0 ? undefined : 'inline'
}

/**
 * The header of one document of a plain stream (a chunk from `splitDocuments`),
 * or undefined when the scan is not certain of it: then parse the document.
 *
 * Reads every line, but interprets only the top-level keys (column 0) and the
 * keys of a block `metadata` mapping; deeper lines are checked only for what
 * could carry a later line into them (quotes, flow collections, block scalars).
 * apiVersion, kind, metadata.name and metadata.namespace must each be a simple
 * scalar on the key's line that reads as a string (see `simpleString`).
 */
export function resourceHeader(text: string): ResourceHeader | undefined {
  if (text.charCodeAt(0) === 0xfeff) return undefined
  const hasCR = text.includes('\r')
  let apiVersion: string | undefined
  let kind: string | undefined
  let name: string | undefined
  let namespace: string | undefined
  let metadata: 'absent' | 'open' | 'closed' = 'absent'
  let childIndent = -1 // the indentation of metadata's keys, once seen
  const topKeys = new Set<string>()
  const childKeys = new Set<string>()
  let top: Open = 'none'
  let child: Open = 'none'
  let block = -1 // while >= 0: a block scalar is open, and lines indented more than this are its content
  let content = false // whether a line of content has been seen (a `---` must come before)

  for (let start = 0; start < text.length; ) {
    if (block < 0 && metadata !== 'open' && (top === 'nested' || top === 'seq')) {
      INERT_LINES.lastIndex = start
      INERT_LINES.test(text)
      start = INERT_LINES.lastIndex
      if (start >= text.length) break
    }
    let nl = text.indexOf('\n', start)
    if (nl < 0) nl = text.length
    const end = nl > start && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl
    const line = text.slice(start, end)
    start = nl + 1
    // A lone CR is a line break to YAML; this scan would not see it as one.
    if (hasCR && line.includes('\r')) return undefined
    let indent = 0
    while (line.charCodeAt(indent) === SPACE) indent++
    if (block >= 0) {
      if (indent === line.length || indent > block) continue
      block = -1
    }
    if (indent === line.length) continue // blank
    const first = line.charCodeAt(indent)
    if (first === TAB) return undefined // tabs are not indentation; let the parser say so
    if (first === HASH) continue // a comment line

    if (indent === 0) {
      if (first === DASH && line.startsWith('---') && (line.length === 3 || line.charCodeAt(3) === SPACE || line.charCodeAt(3) === TAB)) {
        // The document's own start marker, which must come before its content and carry no node.
        if (content || !MARKER.test(line)) return undefined
        continue
      }
      content = true
      if (metadata === 'open') {
        if (childIndent < 0) return undefined // `metadata:` with nothing under it is null
        metadata = 'closed'
      }
      if (isEntry(line, 0)) {
        // Block sequences may sit at their key's column, so `- ` is the value of the key above.
        if (top !== 'empty' && top !== 'seq') return undefined
        const opened = blockOpened(line, 0)
        if (opened === undefined) return undefined
        block = opened
        top = 'seq'
        continue
      }
      const m = KEY_LINE.exec(line)
      if (m === null) return undefined // quoted, complex or flow keys, anchors, tags, directives, `...`
      const key = m[1]!
      const rest = m[2] ?? ''
      // A repeated key is an error the full parse must report; a key that is not a string (`on:`, `1:`) could clash with one.
      if (topKeys.has(key) || !plainIsString(key)) return undefined
      topKeys.add(key)
      const empty = rest === '' || rest.charCodeAt(0) === HASH
      if (key === 'apiVersion' || key === 'kind') {
        const value = simpleString(rest)
        if (value === undefined) return undefined
        if (key === 'kind') kind = value
        else apiVersion = value
        top = 'inline'
      } else if (key === 'metadata') {
        if (!empty) return undefined // flow `{…}`, a scalar, an anchor or alias: parse it
        metadata = 'open'
        top = 'empty'
      } else if (empty) {
        top = 'empty'
      } else {
        const value = inlineValue(line, line.length - rest.length)
        if (value === undefined) return undefined
        if (value === 'block') block = 0
        top = 'inline'
      }
      continue
    }

    // An indented line: inside the node of the top-level key above it.
    // After a value on the key's line, it would continue a plain scalar (or be an error).
    if (top === 'none' || top === 'inline') return undefined
    if (top === 'empty') top = 'nested'
    if (metadata === 'open') {
      if (childIndent < 0) childIndent = indent
      if (indent < childIndent) return undefined
      if (indent === childIndent) {
        if (isEntry(line, indent)) {
          // A sequence at its key's column (`finalizers:` then `- x`), as kubectl writes them.
          if (child !== 'empty' && child !== 'seq') return undefined
          const opened = blockOpened(line, indent)
          if (opened === undefined) return undefined
          block = opened
          child = 'seq'
          continue
        }
        const m = KEY_LINE.exec(line.slice(indent))
        if (m === null) return undefined // a quoted key could be `"name"`; a merge key `<<` could bring one
        const key = m[1]!
        const rest = m[2] ?? ''
        if (childKeys.has(key) || !plainIsString(key)) return undefined
        childKeys.add(key)
        if (key === 'name' || key === 'namespace') {
          const value = simpleString(rest)
          if (value === undefined) return undefined
          if (key === 'name') name = value
          else namespace = value
          child = 'inline'
        } else if (rest === '' || rest.charCodeAt(0) === HASH) {
          child = 'empty'
        } else {
          const value = inlineValue(line, line.length - rest.length)
          if (value === undefined) return undefined
          if (value === 'block') block = indent
          child = 'inline'
        }
        continue
      }
      if (child === 'inline') return undefined
      if (child === 'empty') child = 'nested'
    }
    const opened = blockOpened(line, indent)
    if (opened === undefined) return undefined
    block = opened
  }

  if (metadata === 'open' && childIndent < 0) return undefined
  if (apiVersion === undefined || kind === undefined) return undefined
  if (metadata === 'absent') return { apiVersion, kind }
  return {
    apiVersion,
    kind,
    metadata: { ...(name !== undefined ? { name } : {}), ...(namespace !== undefined ? { namespace } : {}) },
  }
}
