// Write stage helper: a parsed flow-style (or JSON) node → block-style YAML text
// with the same value. kpt writes whatever style a function answers with back
// into the package, so a JSON ResourceList must come back as block YAML. Every
// scalar keeps its source form (`0644`, `yes`, `~`, quotes, big integers,
// timestamps), so its value cannot change; only the layout of collections does.
// Comments inside flow collections are not carried over.

import type { Document, Node, Pair, Scalar } from 'yaml'
import { yamlLib } from './yaml-lib.ts'

/** The text the node was parsed from, and its Document (for tag shorthands). */
export interface SourceContext {
  readonly text: string
  readonly doc: Document
}

const pad = (n: number): string => ' '.repeat(n)

/** Anchor and explicit tag, as written before a node (`&a !!binary `), or ''. */
function props(node: Node, ctx: SourceContext): string {
  let out = ''
  if (node.anchor !== undefined && node.anchor !== '') out += `&${node.anchor} `
  if (node.tag !== undefined && node.tag !== '') out += `${ctx.doc.directives?.tagString(node.tag) ?? node.tag} `
  return out
}

function source(node: Node, ctx: SourceContext): string {
  const range = node.range
  return range === undefined || range === null ? '' : ctx.text.slice(range[0], range[1])
}

/**
 * A flow scalar's source, its continuation lines re-indented to `col`. Leading
 * white space of a continuation line is never content in a flow scalar (plain or
 * quoted), so moving it does not change the value.
 */
function scalarText(node: Scalar, col: number, ctx: SourceContext): string {
  if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
    // Not reachable from flow content (a block scalar cannot sit inside a flow collection).
    return typeof node.value === 'string' ? JSON.stringify(node.value) : source(node, ctx)
  }
  const lines = source(node, ctx).split('\n')
  return lines
    .map((line, i) => {
      if (i === 0) return line
      const rest = line.replace(/^[ \t]+/, '')
      return rest === '' || rest === '\r' ? rest : pad(col) + rest
    })
    .join('\n')
}

/** A node that fits after `key:` or `-` on the same line, as text; undefined for a non-empty collection. */
function inline(node: unknown, col: number, ctx: SourceContext): string | undefined {
  if (node === null || node === undefined) return ''
  if (yamlLib().isAlias(node)) return `*${node.source}`
  if (yamlLib().isScalar(node)) return (props(node, ctx) + scalarText(node, col, ctx)).trimEnd()
  if (yamlLib().isMap(node) || yamlLib().isSeq(node)) {
    if (node.items.length > 0) return undefined
    return props(node, ctx) + (yamlLib().isMap(node) ? '{}' : '[]')
  }
  return ''
}

// Keys that read the same plain as quoted under YAML 1.1 and 1.2 alike; a JSON
// key like `"apiVersion"` is written plain.
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_./-]*$/
const SPECIAL_WORD = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL)$/

function keyText(key: unknown, col: number, ctx: SourceContext): string | undefined {
  if (key === null || key === undefined) return '~'
  if (yamlLib().isAlias(key)) return `*${key.source} ` // `*a : v`: an alias needs a space before the `:`
  if (!yamlLib().isScalar(key)) return undefined
  const src = source(key, ctx)
  if (src === '' && key.value === null && props(key, ctx) === '') return '~'
  const quoted = key.type === 'QUOTE_DOUBLE' || key.type === 'QUOTE_SINGLE'
  const v = key.value
  if (quoted && typeof v === 'string' && (src === `"${v}"` || src === `'${v}'`) && PLAIN_KEY.test(v) && !SPECIAL_WORD.test(v) && props(key, ctx) === '') {
    return v
  }
  const text = props(key, ctx) + scalarText(key, col, ctx)
  return text.includes('\n') ? undefined : text
}

/** What follows `key:` or `-`: ` value\n`, or the props, a newline and the nested block. */
function afterIndicator(node: unknown, col: number, parent: 'map' | 'seq', ctx: SourceContext): string {
  const text = inline(node, col + 2, ctx)
  if (text !== undefined) return (text === '' ? '' : ` ${text}`) + '\n'
  const collection = node as Node
  const p = props(collection, ctx).trimEnd()
  // A list under a key sits at the key's column, as kubectl writes it.
  const childCol = yamlLib().isSeq(collection) && parent === 'map' ? col : col + 2
  const body = blockLines(collection, childCol, ctx)
  if (parent === 'seq' && p === '') return ` ${body.slice(childCol)}` // `- key: v`, `- - x`
  return (p === '' ? '' : ` ${p}`) + '\n' + body
}

function pairLines(pair: Pair, col: number, ctx: SourceContext): string {
  const key = keyText(pair.key, col, ctx)
  if (key !== undefined) return pad(col) + key + ':' + afterIndicator(pair.value, col, 'map', ctx)
  // A collection (or multi-line) key: the explicit form, the key kept in its flow source.
  const keySource = yamlLib().isScalar(pair.key) || yamlLib().isMap(pair.key) || yamlLib().isSeq(pair.key) ? source(pair.key as Node, ctx).replace(/\n[ \t]*/g, ' ') : '~'
  return `${pad(col)}? ${keySource}\n${pad(col)}:` + afterIndicator(pair.value, col, 'map', ctx)
}

function itemLines(item: unknown, col: number, ctx: SourceContext): string {
  if (yamlLib().isPair(item)) {
    // `!!omap`/`!!pairs` entries: one-pair maps.
    return `${pad(col)}- ${pairLines(item, col + 2, ctx).slice(col + 2)}`
  }
  return pad(col) + '-' + afterIndicator(item, col, 'seq', ctx)
}

/** Lines (each ending in `\n`) of a non-empty collection whose keys or `-` sit at column `col`. */
function blockLines(node: Node, col: number, ctx: SourceContext): string {
  if (yamlLib().isMap(node)) return node.items.map((p) => pairLines(p as Pair, col, ctx)).join('')
  if (yamlLib().isSeq(node)) return node.items.map((i) => itemLines(i, col, ctx)).join('')
  return ''
}

/** A sequence entry `- value` at column `col`, in block style. */
export function blockSeqItem(node: unknown, col: number, ctx: SourceContext): string {
  return itemLines(node, col, ctx)
}

/** A map entry `key: value` at column `col`, in block style. */
export function blockMapPair(pair: Pair, col: number, ctx: SourceContext): string {
  return pairLines(pair, col, ctx)
}
