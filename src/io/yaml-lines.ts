// Read stage helper: what one line of block-style YAML holds and may leave open
// (a quoted scalar, a flow collection, a block scalar), read without parsing.
// Shared by the line scans that stand in for a parse: a resource's header
// (resource-header.ts) and a ResourceList's layout (resource-list-layout.ts).
// Pure; no I/O.

import { plainIsString } from './kubernetes-schema.ts'

export const SPACE = 0x20
export const TAB = 0x09
export const CR = 0x0d
export const HASH = 0x23
export const DASH = 0x2d
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
export const KEY_LINE = /^([A-Za-z_][A-Za-z0-9_./-]*):(?: +(.*))?$/
/** A `---` marker line with nothing after it but a comment. */
export const MARKER = /^---(?: +#.*)? *$/
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
export const INERT_LINES = /(?: +[^ \t\r\n"'[\]{}|>][^\r\n"'[\]{}|>]*\r?\n| *\r?\n)*/y
/** The end of a line's content that may be a block scalar header. */
const ENDS_IN_BLOCK_HEADER = /(?:^| )[|>][1-9+-]{0,2}$/

/** What the last line at a mapping's level left open, which decides what may follow it. */
export type Open =
  | 'none' // nothing yet
  | 'empty' // a key with no value on its line: a nested node or a `- ` sequence may follow
  | 'seq' // a `- ` entry: more entries, or its own nested lines, may follow
  | 'nested' // a key whose nested node has begun
  | 'inline' // a key with its value on the line: nothing deeper may follow

/** The value of a simple scalar (see SIMPLE_PLAIN, SIMPLE_QUOTED) that reads as a string, else undefined. */
export function simpleString(rest: string): string | undefined {
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
export function blockOpened(line: string, indent: number): number | undefined {
  // Most lines have none of these characters; a regex finds that faster than the loop below.
  if (!MAY_OPEN.test(line)) return -1
  const end = contentEnd(line, indent)
  if (end < 0) return undefined
  return ENDS_IN_BLOCK_HEADER.test(line.slice(indent, end)) ? blockParent(line, indent) : -1
}

/**
 * Whether the block scalar header that ends this line (one `blockOpened` found)
 * keeps its trailing blank lines (`|+`, `>2+` …): such a scalar's text, and the
 * node's source range, run over the blank lines after its last content line.
 */
export function blockKeeps(line: string, indent: number): boolean {
  const end = contentEnd(line, indent)
  return end >= 0 && ENDS_IN_BLOCK_HEADER.exec(line.slice(indent, end))?.[0].includes('+') === true
}

/** Content that ends in an empty node: `key:`, a bare `-`, or node properties (`&a`, `!!null`) with nothing after them. */
const ENDS_EMPTY = /(?:^|\s)-$|:$|(?:^|\s)[&!]\S*$/

/**
 * Whether the line's content (before a comment) ends in an empty node, whose
 * source range the `yaml` package ends mid-line (before the line break, or
 * after the comments that follow).
 */
export function endsInEmptyNode(line: string, indent: number): boolean {
  const end = contentEnd(line, indent)
  return end < 0 || ENDS_EMPTY.test(line.slice(indent, end))
}

/** Whether the line's node, after any `- ` entries, starts with an explicit key or value indicator (`? k`, `: v`). */
export function explicitPair(line: string, indent: number): boolean {
  let i = indent
  while (isEntry(line, i)) {
    i++
    while (line.charCodeAt(i) === SPACE) i++
  }
  const c = line.charCodeAt(i)
  return (c === 0x3f /* ? */ || c === COLON) && (i + 1 === line.length || line.charCodeAt(i + 1) === SPACE || line.charCodeAt(i + 1) === TAB)
}

/** Whether a line starting at `at` is a `-` or `- …` sequence entry. */
export function isEntry(line: string, at: number): boolean {
  return line.charCodeAt(at) === DASH && (at + 1 === line.length || line.charCodeAt(at + 1) === SPACE)
}

/**
 * A value on a key's line: 'block' for a block scalar header, 'inline' for a
 * scalar or flow collection complete on the line, undefined for anything else
 * (anchors, aliases, tags, reserved indicators, quotes or brackets that may not
 * close).
 */
export function inlineValue(line: string, at: number): 'block' | 'inline' | undefined {
  const c = line[at]!
  if ('&*!%@`'.includes(c)) return undefined
  if (c === '|' || c === '>') return BLOCK_HEADER.test(line.slice(at)) ? 'block' : undefined
  if ((c === '-' || c === '?') && (at + 1 === line.length || line.charCodeAt(at + 1) === SPACE)) return undefined
  return contentEnd(line, at) < 0 ? undefined : 'inline'
}
