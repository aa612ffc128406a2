// Read stage helper: a resource's header (apiVersion, kind, metadata.name,
// metadata.namespace) read from its source text by a line scan, without parsing
// the document. readInputs uses it for documents we do not own (in a plain
// stream, or items of a ResourceList): nothing reads more of them than these
// fields, and parsing 200 Deployments cost more than the rest of a typical run
// (issue 8).
//
// The scan is conservative. It reads block-style YAML only, and answers only
// when it is certain the full parse (`readValue`) gives the same four fields;
// on anything unusual it returns undefined and the caller parses the document.
// It is not a syntax check: a document that the full parse would refuse may
// still get a header, when its error lies beyond the lines the scan reads.

import { plainIsString } from './kubernetes-schema.ts'
import { blockOpened, CR, DASH, HASH, INERT_LINES, inlineValue, isEntry, KEY_LINE, MARKER, simpleString, SPACE, TAB, type Open } from './yaml-lines.ts'

/** What downstream reads of a resource we do not own. */
export interface ResourceHeader {
  readonly apiVersion: string
  readonly kind: string
  /** Present when the document has a `metadata` mapping; holds only the keys it has. */
  readonly metadata?: { readonly name?: string; readonly namespace?: string }
}

/**
 * The header of one document of a plain stream (a chunk from `splitDocuments`)
 * or of a ResourceList item (`itemText`), or undefined when the scan is not
 * certain of it: then parse the document.
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
