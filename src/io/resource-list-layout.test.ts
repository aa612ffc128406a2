import assert from 'node:assert/strict'
import { test } from 'node:test'
import { itemText, resourceListLayout, type ResourceListLayout } from './resource-list-layout.ts'

/** A layout as the texts it points at, for tables that read like the input. */
interface Spans {
  readonly column?: number
  /** Each item's cut span, `-` line through its trailing comments. */
  readonly items?: readonly string[]
  /** `items: []`'s line. */
  readonly empty?: string
  readonly results?: string
  /** The text up to the root's end. */
  readonly head: string
}

function spans(text: string, layout: ResourceListLayout): Spans {
  const { items } = layout
  return {
    ...(items.style === 'block' ? { column: items.column, items: items.entries.map((e) => text.slice(e.from, e.end)) } : {}),
    ...(items.style === 'empty' ? { empty: text.slice(items.span.from, items.span.to) } : {}),
    ...(layout.results !== undefined ? { results: text.slice(layout.results.from, layout.results.to) } : {}),
    head: text.slice(0, layout.end),
  }
}

const HEAD = 'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n'
const CM = (name: string, indent = ''): string => `${indent}- apiVersion: v1\n${indent}  kind: ConfigMap\n${indent}  metadata:\n${indent}    name: ${name}\n`
const SCRIPT = '- apiVersion: v1\n  kind: ConfigMap\n  data:\n    run.sh: |\n      echo "it\'s [ {\n      items: look-alike\n      - look-alike\n\n      # the last line\n'
const FC = 'functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  data:\n    pools: worker\n'

const ACCEPTED: { name: string; text: string; want: Spans }[] = [
  {
    name: 'kpt: items at column 0, functionConfig after them',
    text: `${HEAD}items:\n${CM('a')}${CM('b')}${FC}`,
    want: { column: 0, items: [CM('a'), CM('b')], head: `${HEAD}items:\n${CM('a')}${CM('b')}${FC}` },
  },
  {
    name: 'items at column 2, functionConfig before them, results last',
    text: `${HEAD}${FC}items:\n${CM('a', '  ')}${CM('b', '  ')}results:\n- message: earlier\n  severity: info\n`,
    want: {
      column: 2,
      items: [CM('a', '  '), CM('b', '  ')],
      results: 'results:\n- message: earlier\n  severity: info\n',
      head: `${HEAD}${FC}items:\n${CM('a', '  ')}${CM('b', '  ')}results:\n- message: earlier\n  severity: info\n`,
    },
  },
  {
    name: 'comments: deeper ones after an item are its own; at its column or left of it, between items',
    text: `# head\n---\n${HEAD}items:\n# before a\n${CM('a')}  # a's\n\n   # a's too\n# between\n${CM('b')}# after the last\n${FC}# at the end\n\n`,
    want: {
      column: 0,
      items: [`${CM('a')}  # a's\n\n   # a's too\n`, CM('b')],
      head: `# head\n---\n${HEAD}items:\n# before a\n${CM('a')}  # a's\n\n   # a's too\n# between\n${CM('b')}# after the last\n${FC}`,
    },
  },
  {
    name: 'kpt: a resource\'s leading comments on the entry\'s line and after it; an entry with nothing on its line',
    text: `${HEAD}items:\n- # leading comment\n  # more of it\n  apiVersion: v1\n  kind: Namespace\n-\n  apiVersion: v1\n  kind: Secret\n`,
    want: {
      column: 0,
      items: ['- # leading comment\n  # more of it\n  apiVersion: v1\n  kind: Namespace\n', '-\n  apiVersion: v1\n  kind: Secret\n'],
      head: `${HEAD}items:\n- # leading comment\n  # more of it\n  apiVersion: v1\n  kind: Namespace\n-\n  apiVersion: v1\n  kind: Secret\n`,
    },
  },
  {
    name: 'a comment at column 0 inside an item stays inside it',
    text: `${HEAD}items:\n- apiVersion: v1\n# inside\n  kind: ConfigMap\n`,
    want: { column: 0, items: ['- apiVersion: v1\n# inside\n  kind: ConfigMap\n'], head: `${HEAD}items:\n- apiVersion: v1\n# inside\n  kind: ConfigMap\n` },
  },
  {
    name: 'items: [] and results before it',
    text: `${HEAD}results: []\nitems: [] # none\n${FC}`,
    want: { empty: 'items: [] # none\n', results: 'results: []\n', head: `${HEAD}results: []\nitems: [] # none\n${FC}` },
  },
  {
    name: 'no items at all; no final line break',
    text: `${HEAD}${FC.trimEnd()}`,
    want: { head: `${HEAD}${FC.trimEnd()}` },
  },
  {
    name: 'CRLF line breaks',
    text: `${HEAD}items:\n${CM('a')}results:\n- message: x\n`.replace(/\n/g, '\r\n'),
    want: {
      column: 0,
      items: [CM('a').replace(/\n/g, '\r\n')],
      results: 'results:\r\n- message: x\r\n',
      head: `${HEAD}items:\n${CM('a')}results:\n- message: x\n`.replace(/\n/g, '\r\n'),
    },
  },
  {
    name: 'block scalars: quotes, brackets, look-alikes of keys and entries, and `#` lines are content',
    text: `${HEAD}items:\n${SCRIPT}- apiVersion: v1\n  kind: Secret\n  stringData:\n    a: >-\n      folded\n\n\n`,
    want: {
      column: 0,
      items: [SCRIPT, '- apiVersion: v1\n  kind: Secret\n  stringData:\n    a: >-\n      folded\n'],
      head: `${HEAD}items:\n${SCRIPT}- apiVersion: v1\n  kind: Secret\n  stringData:\n    a: >-\n      folded\n`,
    },
  },
  {
    name: 'a block scalar that keeps its trailing blank lines, not followed by one',
    text: `${HEAD}items:\n- apiVersion: v1\n  kind: ConfigMap\n  data:\n    a: |+\n      kept\n- apiVersion: v1\n  kind: Secret\n`,
    want: {
      column: 0,
      items: ['- apiVersion: v1\n  kind: ConfigMap\n  data:\n    a: |+\n      kept\n', '- apiVersion: v1\n  kind: Secret\n'],
      head: `${HEAD}items:\n- apiVersion: v1\n  kind: ConfigMap\n  data:\n    a: |+\n      kept\n- apiVersion: v1\n  kind: Secret\n`,
    },
  },
  {
    name: 'a marker with a comment, quoted header values, comments on key lines',
    text: `--- # from kpt\napiVersion: "config.kubernetes.io/v1" # c\nkind: 'ResourceList'\nitems: # c\n${CM('a')}`,
    want: { column: 0, items: [CM('a')], head: `--- # from kpt\napiVersion: "config.kubernetes.io/v1" # c\nkind: 'ResourceList'\nitems: # c\n${CM('a')}` },
  },
]

test('resourceListLayout finds the spans the parsed path computes', () => {
  for (const { name, text, want } of ACCEPTED) {
    const layout = resourceListLayout(text)
    assert.ok(layout !== undefined, `${name}: accepted`)
    assert.deepEqual(spans(text, layout), want, name)
  }
})

test('resourceListLayout: the items region is the items key through the line before the next key', () => {
  const text = `${HEAD}items:\n${CM('a')}# between\n${FC}`
  const layout = resourceListLayout(text)!
  assert.equal(text.slice(layout.itemsLines!.from, layout.itemsLines!.to), `items:\n${CM('a')}# between\n`)
  assert.equal(resourceListLayout(`${HEAD}${FC}`)!.itemsLines, undefined)
})

const BAILS: { name: string; text: string }[] = [
  { name: 'a byte order mark', text: `\uFEFF${HEAD}items:\n${CM('a')}` },
  { name: 'a directive', text: `%YAML 1.1\n---\n${HEAD}items:\n${CM('a')}` },
  { name: 'a document end marker', text: `${HEAD}items:\n${CM('a')}...\n` },
  { name: 'a marker with content', text: `--- !!map\n${HEAD}items:\n${CM('a')}` },
  { name: 'a flow root', text: '{"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": []}\n' },
  { name: 'an indented root', text: `  apiVersion: config.kubernetes.io/v1\n  kind: ResourceList\n  items:\n${CM('a', '  ')}` },
  { name: 'not a ResourceList', text: `apiVersion: v1\nkind: List\nitems:\n${CM('a')}` },
  { name: 'not config.kubernetes.io', text: `apiVersion: example.com/v1\nkind: ResourceList\nitems:\n${CM('a')}` },
  { name: 'no kind', text: `apiVersion: config.kubernetes.io/v1\nitems:\n${CM('a')}` },
  { name: 'kind not a simple scalar', text: `apiVersion: config.kubernetes.io/v1\nkind: !!str ResourceList\nitems:\n${CM('a')}` },
  { name: 'a repeated top-level key', text: `${HEAD}items:\n${CM('a')}kind: ResourceList\n` },
  { name: 'a repeated items key', text: `${HEAD}items:\n${CM('a')}items:\n${CM('b')}` },
  { name: 'a quoted key', text: `${HEAD}"items":\n${CM('a')}` },
  { name: 'a complex key', text: `${HEAD}? items\n:\n${CM('a')}` },
  { name: 'a key that is not a string', text: `${HEAD}on: x\nitems:\n${CM('a')}` },
  { name: 'an anchor at the top', text: `${HEAD}items:\n${CM('a')}functionConfig: &fc\n  data: {}\n` },
  { name: 'an alias at the top', text: `${HEAD}items:\n${CM('a')}functionConfig: *fc\n` },
  { name: 'a tag at the top', text: `${HEAD}items: !!seq\n${CM('a')}` },
  { name: 'items null', text: `${HEAD}items:\n${FC}` },
  { name: 'items ~', text: `${HEAD}items: ~\n${FC}` },
  { name: 'items a flow sequence with items', text: `${HEAD}items: [{apiVersion: v1, kind: ConfigMap}]\n` },
  { name: 'a flow-style item', text: `${HEAD}items:\n${CM('a')}- {apiVersion: v1, kind: ConfigMap}\n` },
  { name: 'a flow-style item, a sequence', text: `${HEAD}items:\n- [a, b]\n` },
  { name: 'a null item', text: `${HEAD}items:\n-\n${CM('a')}` },
  { name: 'a null item, with a comment', text: `${HEAD}items:\n${CM('a')}- # c\nfunctionConfig: {}\n` },
  { name: 'a null item at the end', text: `${HEAD}items:\n${CM('a', '  ')}  - # c\n` },
  { name: 'content after a comment-only entry line, indented more', text: `${HEAD}items:\n- # c\n    apiVersion: v1\n` },
  { name: 'content after a comment-only entry line, not a plain key', text: `${HEAD}items:\n- # c\n  {apiVersion: v1}\n` },
  { name: 'an entry with more spaces after its dash', text: `${HEAD}items:\n-   apiVersion: v1\n    kind: ConfigMap\n` },
  { name: 'an entry with an anchor', text: `${HEAD}items:\n- &a apiVersion: v1\n  kind: ConfigMap\n` },
  { name: 'an entry with a quoted key', text: `${HEAD}items:\n- "apiVersion": v1\n  kind: ConfigMap\n` },
  { name: 'an entry that is a sequence', text: `${HEAD}items:\n- - a\n` },
  { name: 'an entry that is a block scalar', text: `${HEAD}items:\n- |\n  text\n` },
  { name: 'items at column 4', text: `${HEAD}items:\n${CM('a', '    ')}` },
  { name: 'items at column 1', text: `${HEAD}items:\n${CM('a', ' ')}` },
  { name: 'entries at two columns', text: `${HEAD}items:\n${CM('a', '  ')}${CM('b')}` },
  { name: 'a content line left of an item', text: `${HEAD}items:\n- apiVersion: v1\n kind: ConfigMap\n` },
  { name: 'a content line at the entries column, not an entry', text: `${HEAD}items:\n${CM('a', '  ')}  kind: x\n` },
  { name: 'an unclosed double quote in an item', text: `${HEAD}items:\n- apiVersion: v1\n  data:\n    a: "open\n- b\n    close"\n` },
  { name: 'an unclosed single quote in an item', text: `${HEAD}items:\n- apiVersion: v1\n  data:\n    a: 'it\n` },
  { name: 'an unclosed flow collection in an item', text: `${HEAD}items:\n- apiVersion: v1\n  data: {a: b,\n- c: d}\n` },
  { name: 'an unclosed quote on an entry line', text: `${HEAD}items:\n- apiVersion: "v1\n  kind: ConfigMap"\n` },
  { name: 'an unclosed quote at the top', text: `${HEAD}items:\n${CM('a')}functionConfig: "open\nresults: x"\n` },
  { name: 'an unclosed flow collection at the top', text: `${HEAD}items:\n${CM('a')}functionConfig: {a: b,\nresults: x}\n` },
  { name: 'an unclosed quote in functionConfig', text: `${HEAD}items:\n${CM('a')}functionConfig:\n  data:\n    a: "open\nresults: x"\n` },
  { name: 'a tab indenting a line', text: `${HEAD}items:\n- apiVersion: v1\n\tkind: ConfigMap\n` },
  { name: 'a tab after the key', text: `${HEAD}items:\t\n${CM('a')}` },
  { name: 'a lone CR', text: `${HEAD}items:\n- apiVersion: v1\r  kind: ConfigMap\n` },
  { name: 'a multi-line plain value at the top', text: `${HEAD}items:\n${CM('a')}note: a\n  b\n` },
  { name: 'an entry at column 0 under another key', text: `${HEAD}functionConfig:\n  a: b\n- x\nitems:\n${CM('a')}` },
  { name: 'a kept block scalar ending an item, then a blank line', text: `${HEAD}items:\n- apiVersion: v1\n  data:\n    a: |+\n      kept\n\n- apiVersion: v1\n` },
  { name: 'a kept block scalar ending the root, then a blank line', text: `${HEAD}items:\n${CM('a')}note: |+\n  kept\n\n` },
  { name: 'a kept block scalar ending results, then a blank line', text: `${HEAD}items:\n${CM('a')}results:\n- message: |+\n    kept\n\nfunctionConfig: {}\n` },
  { name: 'an indented comment after the root', text: `${HEAD}items:\n${CM('a')}  # trailing\n` },
  { name: 'an indented comment after results', text: `${HEAD}results:\n- message: x\n  # trailing\nitems:\n${CM('a')}` },
  { name: 'a block scalar ending an item, then a line of spaces', text: `${HEAD}items:\n- apiVersion: v1\n  data:\n    a: |\n      x\n       \n- apiVersion: v1\n` },
  { name: 'an empty block scalar ending an item, then a blank line', text: `${HEAD}items:\n- apiVersion: v1\n  data: |\n\n- apiVersion: v1\n` },
  { name: 'an explicit key', text: `${HEAD}items:\n- apiVersion: v1\n  data:\n    ? a\n    : b\n` },
  { name: 'an explicit key in an entry', text: `${HEAD}items:\n- apiVersion: v1\n  list:\n  - ? a\n` },
  { name: 'an empty value last', text: `${HEAD}items:\n${CM('a')}  data:\n    a:\n\n` },
  { name: 'an empty value with a comment last', text: `${HEAD}items:\n${CM('a')}functionConfig: # none\n# the end\n` },
  { name: 'an anchored empty value last', text: `${HEAD}items:\n- apiVersion: v1\n  data:\n    a: &x\n` },
  { name: 'an empty entry last', text: `${HEAD}items:\n- apiVersion: v1\n  list:\n  -\n` },
  { name: 'a `#` line ending a block scalar in results', text: `${HEAD}items:\n${CM('a')}results:\n- message: |\n      x\n    # content, or a comment?\n` },
]

test('resourceListLayout gives up on anything it cannot be sure of', () => {
  for (const { name, text } of BAILS) assert.equal(resourceListLayout(text), undefined, name)
})

test('controls: texts like the bail cases, without what makes them bail, are accepted', () => {
  const controls = [
    `${HEAD}items:\n${CM('a')}${FC}`,
    `---\n${HEAD}items:\n${CM('a')}`,
    `${HEAD}items:\n- apiVersion: v1\n  data:\n    a: "closed"\n    b: 'it''s'\n    c: {a: "b, c"}\n    d: [1, "]"]\n`,
    `${HEAD}items:\n- apiVersion: v1\n  data:\n    a: |+\n      kept\n  kind: ConfigMap\n\n`,
    `${HEAD}items:\n${CM('a')}note: |+\n  kept\n`,
    `${HEAD}items:\n${CM('a')}# trailing\n`,
    `${HEAD}items:\n${CM('a')}  # a's\n${FC}`,
    `${HEAD}items:\n${CM('a')}results:\n- message: |\n    x\n    # content\n  severity: info\n`,
    `${HEAD}items:\n- apiVersion: v1\n  kind: ConfigMap\n  data:\n    a: b\tc\n`,
    `${HEAD}items:\n${CM('a')}  data:\n    a:\n    b: x # c\n\n`,
    `${HEAD}items:\n- apiVersion: v1\n  data:\n    a: |\n      x\n \n\n- apiVersion: v1\n`,
    `${HEAD}items:\n- apiVersion: v1\n  data:\n    a: |\n      x\n    b: y\n       \n- apiVersion: v1\n`,
    `${HEAD}items:\n- apiVersion: v1\n  data:\n    a: x ? y\n    b: "? z"\n`,
    `${HEAD}items:\n- apiVersion: v1\n  data:\n    a: &x 1\n  list:\n  - "a:"\n`,
  ]
  for (const text of controls) assert.ok(resourceListLayout(text) !== undefined, text)
})

test('itemText: an item as a document of its own, moved left by its content column', () => {
  const at0 = `${HEAD}items:\n- apiVersion: v1\n  data:\n    a: |\n      x\n\n       y\n# left\n  kind: ConfigMap\n - no\n`
  const text0 = at0.replace(' - no\n', '')
  const layout0 = resourceListLayout(text0)!
  assert.ok(layout0.items.style === 'block')
  assert.equal(itemText(text0, layout0.items.entries[0]!, 0), 'apiVersion: v1\ndata:\n  a: |\n    x\n\n     y\n# left\nkind: ConfigMap\n')
  const text2 = `${HEAD}items:\n  - apiVersion: v1\r\n    kind: ConfigMap\r\n # left\r\n  # left\r\n     # deeper\r\nfunctionConfig: {}\r\n`
  const layout2 = resourceListLayout(text2)!
  assert.ok(layout2.items.style === 'block' && layout2.items.column === 2)
  assert.equal(itemText(text2, layout2.items.entries[0]!, 2), 'apiVersion: v1\r\nkind: ConfigMap\r\n')
  const text2p = `${HEAD}items:\n  - # c\n    apiVersion: v1\n  -\r\n    kind: x\r\n`
  const layout2p = resourceListLayout(text2p)!
  assert.ok(layout2p.items.style === 'block')
  assert.deepEqual(
    layout2p.items.entries.map((e) => itemText(text2p, e, 2)),
    ['# c\napiVersion: v1\n', '\r\nkind: x\r\n'],
  )
  const text2b = `${HEAD}items:\n  - apiVersion: v1\n # left\n    kind: ConfigMap\n      # deeper\n`
  const layout2b = resourceListLayout(text2b)
  assert.equal(layout2b, undefined, 'an indented comment after the root')
  const text2c = `${HEAD}items:\n  - apiVersion: v1\n # left\n    kind: ConfigMap\n      # deeper\nfunctionConfig: {}\n`
  const layout2c = resourceListLayout(text2c)!
  assert.ok(layout2c.items.style === 'block')
  assert.equal(itemText(text2c, layout2c.items.entries[0]!, 2), 'apiVersion: v1\n# left\nkind: ConfigMap\n  # deeper\n')
})
