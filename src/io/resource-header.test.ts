import assert from 'node:assert/strict'
import { test } from 'node:test'
import { readValue } from './read.ts'
import { resourceHeader, type ResourceHeader } from './resource-header.ts'

/** The four header fields of a fully parsed value, in the header's shape. */
function headerOf(value: unknown): ResourceHeader | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const v = value as Record<string, unknown>
  const metadata = v['metadata']
  const m = typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>) : undefined
  return {
    apiVersion: v['apiVersion'] as string,
    kind: v['kind'] as string,
    ...(m === undefined
      ? {}
      : { metadata: { ...('name' in m ? { name: m['name'] as string } : {}), ...('namespace' in m ? { namespace: m['namespace'] as string } : {}) } }),
  }
}

const ACCEPTED: { name: string; text: string; want: ResourceHeader }[] = [
  { name: 'a Namespace', text: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n', want: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } } },
  {
    name: 'labels and annotations before name; look-alikes inside them and deeper',
    text:
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  labels:\n    app: web\n    name: not-this\n  annotations:\n    note: "kind: Secret"\n    other: |\n      name: nor-this\n  namespace: prod\n  name: web\nspec:\n  template:\n    metadata:\n      name: deep\n      namespace: deeper\n',
    want: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { namespace: 'prod', name: 'web' } },
  },
  {
    name: 'CRLF line breaks',
    text: 'apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: cm\r\n  namespace: ns\r\ndata:\r\n  a: "b"\r\n',
    want: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'ns' } },
  },
  {
    name: 'comments everywhere, a marker with a comment, blank lines with spaces',
    text: '# head\n--- # marker\n# c\napiVersion: v1 # c\n  \n# c\nkind: ConfigMap   \nmetadata: # c\n  # c\n  name: cm # c\n# at column 0\n\n  namespace: ns\ndata:\n  a: b # "\n',
    want: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'ns' } },
  },
  {
    name: 'quoted values, including words that would not be strings unquoted',
    text: "apiVersion: 'v1'\nkind: \"Secret\"\nmetadata:\n  name: 'yes' # c\n  namespace: \"0644\"\n",
    want: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'yes', namespace: '0644' } },
  },
  { name: 'no metadata', text: 'apiVersion: v1\nkind: Foo\n', want: { apiVersion: 'v1', kind: 'Foo' } },
  { name: 'metadata without name', text: 'apiVersion: v1\nkind: Foo\nmetadata:\n  generateName: x-\n', want: { apiVersion: 'v1', kind: 'Foo', metadata: {} } },
  {
    name: 'kind last; sequences at column 0 with look-alikes in their entries',
    text: 'metadata:\n  name: a\nspec:\n- name: b\n  kind: c\n- |\n  text "\nitems:\n- x\napiVersion: v1\nkind: Service\n',
    want: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' } },
  },
  {
    name: 'kubectl style: sequences at their key column under metadata',
    text:
      'apiVersion: v1\nkind: Pod\nmetadata:\n  finalizers:\n  - a\n  ownerReferences:\n  - apiVersion: v1\n    kind: ReplicaSet\n    name: rs\n  - name: rs2\n  name: pod\n  namespace: ns\nstatus: {}\n',
    want: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pod', namespace: 'ns' } },
  },
  {
    name: 'block scalars holding quotes, brackets and column-0 look-alikes',
    text:
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: scripts\n  annotations:\n    a: |\n      it's [\n  labels:\n    b: x\ndata:\n  run.sh: |\n    echo \"it's [\n\n    kind: Secret\n  x.txt: >-\n    a {\n  y.txt: |2+\n      z '\nbinary: |\n  \"unclosed\n",
    want: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'scripts' } },
  },
  {
    name: 'flow collections and quoted scalars complete on their line',
    text: 'apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: e\n  labels: {a: "b", c: \'d\'\'e\'}\nsubsets: []\nstatus: {phase: "x, y]", list: [a, "b\\"c"]}\n',
    want: { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'e' } },
  },
  {
    name: 'names with dots, dashes, underscores, date and version look-alikes',
    text: 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: 2024-05-01\n  namespace: 1.0.0\n',
    want: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: '2024-05-01', namespace: '1.0.0' } },
  },
  { name: 'no final line break', text: 'apiVersion: v1\nkind: Foo\nmetadata:\n  name: a', want: { apiVersion: 'v1', kind: 'Foo', metadata: { name: 'a' } } },
  { name: 'an empty quoted kind', text: "apiVersion: v1\nkind: ''\n", want: { apiVersion: 'v1', kind: '' } },
  { name: 'a tab inside content', text: 'apiVersion: v1\nkind: Foo\nspec:\n  a: "x\ty"\n  b: |\n    \tindented with a tab\n', want: { apiVersion: 'v1', kind: 'Foo' } },
]

test('resourceHeader reads the header of plain block-style documents', () => {
  for (const c of ACCEPTED) {
    assert.deepEqual(resourceHeader(c.text), c.want, c.name)
    // The expectation itself is what the full parse reads.
    const full = readValue(c.text, { index: 0 })
    assert.deepEqual(full.issues, [], c.name)
    assert.deepEqual(headerOf(full.value), c.want, `${c.name}: full parse`)
  }
})

const doc = (body: string): string => `apiVersion: v1\nkind: Foo\n${body}`

const BAILS: Record<string, string> = {
  'an empty document': '# only a comment\n',
  'only a marker': '---\n',
  'a byte order mark': '\uFEFFapiVersion: v1\nkind: Foo\n',
  'a directive': '%YAML 1.1\n---\napiVersion: v1\nkind: Foo\n',
  'a tag on the marker line': '--- !!map\napiVersion: v1\nkind: Foo\n',
  'a node on the marker line': '--- {apiVersion: v1, kind: Foo}\n',
  'a document end marker': 'apiVersion: v1\nkind: Foo\n...\n',
  'a tab as indentation': doc('metadata:\n\tname: a\n'),
  'a tab after spaces': doc('spec:\n  \tx: 1\n'),
  'a tab after a colon': 'apiVersion: v1\nkind:\tFoo\n',
  'a lone CR (a line break to YAML)': doc('spec:\n  a: |\n    x\rkind: Bar\r\n'),
  'kind missing': 'apiVersion: v1\nmetadata:\n  name: a\n',
  'apiVersion missing': 'kind: Foo\nmetadata:\n  name: a\n',
  'a repeated kind': doc('kind: Bar\n'),
  'a repeated top-level key': doc('spec: {}\nspec: {}\n'),
  'a repeated name': doc('metadata:\n  name: a\n  name: b\n'),
  'a repeated namespace': doc('metadata:\n  namespace: a\n  labels: {}\n  namespace: b\n'),
  'a repeated metadata key': doc('metadata:\n  labels: {}\n  labels: {}\n'),
  'a top-level key that is not a string': doc('on: x\n'),
  'a metadata key that is not a string': doc('metadata:\n  yes: x\n'),
  'a double-quoted key': '"kind": Foo\napiVersion: v1\n',
  'a single-quoted key': "apiVersion: v1\n'kind': Foo\n",
  'a quoted metadata key': doc('metadata:\n  "name": a\n'),
  'a complex key': 'apiVersion: v1\n? kind\n: Foo\n',
  'a flow mapping as the document': '{apiVersion: v1, kind: Foo}\n',
  'a sequence as the document': '- apiVersion: v1\n  kind: Foo\n',
  'an anchor on the document': '&a\napiVersion: v1\nkind: Foo\n',
  'a tag on the document': '!!map\napiVersion: v1\nkind: Foo\n',
  'a top-level merge key': 'apiVersion: v1\nkind: Foo\n<<: {metadata: {name: a}}\n',
  'a merge key in metadata': doc('metadata:\n  <<: {name: a}\n'),
  'a key with a space': doc('my key: v\n'),
  'a key without a space after the colon': 'apiVersion: v1\nkind:Foo\n',
  'a scalar at column 0': doc('foo\n'),
  'an indented first line': '  apiVersion: v1\nkind: Foo\n',
  'a multi-line plain kind': 'apiVersion: v1\nkind: Foo\n  Bar\n',
  'a multi-line plain kind after a blank line': 'apiVersion: v1\nkind: Foo\n\n  Bar\n',
  'a multi-line plain name': doc('metadata:\n  name: a\n    b\n'),
  'an indented line after a top-level value': doc('data: x\n  y\n'),
  'an indented line after a metadata value': doc('metadata:\n  generateName: x\n    y\n'),
  'flow metadata': doc('metadata: {name: a}\n'),
  'null metadata': doc('metadata: null\n'),
  'metadata as an alias': doc('metadata: *m\n'),
  'metadata with an anchor': doc('metadata: &m\n  name: a\n'),
  'metadata with a tag': doc('metadata: !!map\n  name: a\n'),
  'metadata with nothing under it': doc('metadata:\nspec: {}\n'),
  'metadata at the end with nothing under it': doc('metadata:\n'),
  'metadata as a sequence at column 0': doc('metadata:\n- name: a\n'),
  'metadata as an indented sequence': doc('metadata:\n  - name: a\n'),
  'a metadata key less indented than the first': doc('metadata:\n    labels:\n      a: b\n  name: x\n'),
  'a sequence entry after a metadata value': doc('metadata:\n  labels: {}\n  - x\n'),
  'a double-quoted scalar continued onto a column-0 line': 'apiVersion: v1\ndata: "x\nkind: Secret\nfoo: y"\n',
  'a single-quoted scalar continued from deeper down': "apiVersion: v1\nspec:\n  a: 'x\nkind: Secret\nfoo: y'\n",
  'a quoted scalar continued onto a metadata line': doc('metadata:\n  annotations:\n    a: "foo\n  name: bar\n  x: y"\n'),
  'a flow sequence continued onto a column-0 line': 'apiVersion: v1\nspec:\n  a: [x,\nkind: y]\n',
  'a flow mapping continued onto a column-0 line': 'apiVersion: v1\nspec:\n  a: {x: 1,\nkind: y}\n',
  'a quote after a space inside a plain scalar (may open a quoted scalar)': doc('spec:\n  a: it "works\n'),
  // The block scalar of `a` ends at `b` (the key's column, not the dash's); `b` opens a quoted scalar that swallows kind.
  'a quoted scalar opened beside a block scalar in a sequence entry': 'apiVersion: v1\nspec:\n- a: |\n    text\n  b: "open\nkind: Secret\nc: d"\n',
  'the same, with an anchor on the key': 'apiVersion: v1\nspec:\n- &x a: |\n    text\n  b: "open\nkind: Secret\nc: d"\n',
  'a sequence entry after a value': doc('spec: x\n- y\n'),
  'a sequence entry after a nested mapping': doc('spec:\n  a: 1\n- y\n'),
  'a sequence entry as a value': doc('spec: - y\n'),
  'an anchor on a top-level value': doc('spec: &s\n  a: 1\n'),
  'an alias as a top-level value': doc('spec: *s\n'),
  'a tag on a top-level value': doc('spec: !!map\n  a: 1\n'),
  'a reserved indicator': doc('spec: @x\n'),
  'a malformed block scalar header': doc('data: |++\n  x\n'),
}

const NOT_STRINGS = ['yes', 'on', 'Off', 'y', '~', 'null', 'true', '123', '0644', '1e3', '0x1f', '.5', '.inf', '-1', '1_000']
for (const word of NOT_STRINGS) {
  BAILS[`kind: ${word}`] = `apiVersion: v1\nkind: ${word}\n`
  BAILS[`apiVersion: ${word}`] = `apiVersion: ${word}\nkind: Foo\n`
  BAILS[`name: ${word}`] = doc(`metadata:\n  name: ${word}\n`)
  BAILS[`namespace: ${word}`] = doc(`metadata:\n  namespace: ${word}\n`)
}
const NOT_SIMPLE = [
  '',
  '# only a comment',
  'Foo:Bar',
  'Foo Bar',
  'Foo#x',
  '.hidden',
  '"Fo\\"o"',
  '"a\\tb"',
  "'it''s'",
  '"unclosed',
  '"é"',
  '*alias',
  '&a Foo',
  '!!str Foo',
  '[Foo]',
  '{a: b}',
  '|\n  Foo',
  '>-\n  Foo',
]
for (const value of NOT_SIMPLE) {
  BAILS[`kind: ${JSON.stringify(value)}`] = `apiVersion: v1\nkind: ${value}\n`
  BAILS[`name: ${JSON.stringify(value)}`] = doc(`metadata:\n  name: ${value}\n`)
}
BAILS['kind on the next line'] = 'apiVersion: v1\nkind:\n  Foo\n'

test('resourceHeader gives up on anything it cannot be sure of', () => {
  for (const [name, text] of Object.entries(BAILS)) assert.equal(resourceHeader(text), undefined, name)
})

test('controls: documents like the bail cases, without what makes them bail, are read', () => {
  assert.deepEqual(resourceHeader(doc('metadata:\n  name: a\n')), { apiVersion: 'v1', kind: 'Foo', metadata: { name: 'a' } })
  assert.deepEqual(resourceHeader(doc('spec:\n  a: 1\n')), { apiVersion: 'v1', kind: 'Foo' })
  assert.deepEqual(resourceHeader(doc('data: x\n')), { apiVersion: 'v1', kind: 'Foo' })
  assert.deepEqual(resourceHeader('apiVersion: v1\nkind: Foo\n'), { apiVersion: 'v1', kind: 'Foo' })
  assert.deepEqual(resourceHeader('--- # c\napiVersion: v1\nkind: Foo\n'), { apiVersion: 'v1', kind: 'Foo' })
  assert.deepEqual(resourceHeader(doc('spec:\n  a: it works\n')), { apiVersion: 'v1', kind: 'Foo' })
  assert.deepEqual(resourceHeader(doc('spec:\n- y\n')), { apiVersion: 'v1', kind: 'Foo' })
  assert.deepEqual(resourceHeader(doc('data: |+\n  x\n')), { apiVersion: 'v1', kind: 'Foo' })
  assert.deepEqual(resourceHeader('apiVersion: v1\nspec:\n- a: |\n    text\n  b: "closed"\nkind: Secret\n'), { apiVersion: 'v1', kind: 'Secret' })
})
