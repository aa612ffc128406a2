// The syntax scan (src/io/block-syntax.ts) against the parser: whatever it calls
// certainly valid, the `yaml` package (our reference, with our settings) and
// js-yaml (our Kubernetes schema) read without an error. Checked on hand-picked
// cases, every fixture and example, the benchmark's typical stream (which it must
// read all of: that is the fast path) and seeded generated and mutated documents.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import jsYaml from 'js-yaml'
import { isCertainlyValid } from '../src/io/block-syntax.ts'
import { KUBERNETES_SCHEMA } from '../src/io/kubernetes-schema.ts'
import { parseOne, splitDocuments } from '../src/io/read.ts'
import { prng } from './prng.ts'
import { CORPUS, generatedDocument, LINE_MUTATIONS, pick, TYPICAL, type Rand } from './yaml-samples.ts'

const SEED = Number(process.env['SYNTAX_SEED'] ?? 20261204)

function parses(text: string): boolean {
  if (parseOne(text, { index: 0 }).issues.length > 0) return false
  try {
    jsYaml.load(text, { schema: KUBERNETES_SCHEMA })
    return true
  } catch {
    return false
  }
}

/** Throws when the scan calls a document valid that the parsers refuse. */
function check(text: string): boolean {
  const certain = isCertainlyValid(text)
  if (certain) assert.ok(parses(text), `the scan calls this valid, the parser does not:\n${text}`)
  return certain
}

const HEAD = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n'

test('block syntax: what it reads, and what it leaves to the parser', () => {
  const valid = [
    HEAD,
    `---\n${HEAD}`,
    `# a comment\n--- # and one here\n${HEAD}data:\n  a: "x \\"y\\" \\u00e9"\n  b: 'it''s'\n  c: [a, "b", 'c', -d]\n  d: []\n  e: {}\n`,
    `${HEAD}spec:\n  containers:\n  - name: app\n    args:\n    - --port=80\n    - -v\n    env:\n    - name: A\n      value: x#y\n  - name: b # comment\n`,
    `${HEAD}data:\n  script: |\n    #!/bin/sh\n    echo "a: b"\n\n      indented\n  other: >-\n    folded\n# trailing comment\nmore: 1\n`,
    `${HEAD}items:\n-\n  a: 1\n- # comment\n  b: 2\n- a:\n- x\n`,
    `${HEAD}empty:\nnull-value: ~\nurl: http://example.com:8080/a\ntime: 12:30\n`,
    `${HEAD}text: |+\n  kept\n\n`,
    HEAD.replace(/\n/g, '\r\n'),
    `${HEAD}unicode: é ü 日本\n`,
  ]
  for (const text of valid) assert.equal(check(text), true, `reads:\n${text}`)
  const leftToParser = [
    `${HEAD}data:\n  a: b: c\n`, // invalid
    `${HEAD}data:\n  a: 1\n  a: 2\n`, // invalid: duplicate key
    `${HEAD}data:\n    a: 1\n  b: 2\n`, // invalid: bad dedent
    `${HEAD}data:\n  a: "open\n`, // invalid
    `${HEAD}data:\n  a: [1\n`, // invalid
    `apiVersio[n: x\nkind: ClusterImagePolicy\n`, // invalid
    `${HEAD}data:\n  a: |\n      x\n    y\n`, // invalid: dedent inside the mapping
    `${HEAD}data:\n  a: |\n      \n    x\n`, // invalid: a leading blank line with more spaces
    `${HEAD}data:\n\ta: 1\n`, // a tab
    `${HEAD}a: &x 1\nb: *x\n`, // anchors
    `${HEAD}a: !!str 1\n`, // tags
    `${HEAD}a: multi\n  line\n`, // a multi-line plain scalar
    `${HEAD}a: "multi\n  line"\n`,
    `${HEAD}a: {b: c}\n`, // a flow mapping with content
    `${HEAD}? a\n: b\n`,
    `${HEAD}<<: {a: 1}\n`,
    `${HEAD}yes: 1\n`, // a key that is not a string
    `${HEAD}a:\n  b\n`, // a scalar on a line of its own
    `${HEAD}a: x\u2028b: y\n`,
    `${HEAD}a: x\u2029\n`,
    `${HEAD}a: x\u0085b: y\n`,
    `${HEAD}a: x\uFEFFy\n`,
    `\uFEFF${HEAD}`,
    `${HEAD}a: x\rb: y\n`,
    `- a\n- b\n`, // not a mapping at the root
    `just a scalar\n`,
    `# only a comment\n`,
    `${HEAD}...\n`,
    `%YAML 1.1\n---\n${HEAD}`,
    `${HEAD}a: - b\n`,
    `${HEAD}a:\n- - b\n`,
    `${HEAD}a: |2\n    x\n`,
    `${HEAD}a: "\\q"\n`, // invalid escape
    `${HEAD}a: [b, c,]\n`,
  ]
  for (const text of leftToParser) assert.equal(check(text), false, `leaves to the parser:\n${JSON.stringify(text)}`)
})

test('block syntax: it reads every document of the typical stream (the fast path) and most fixtures', () => {
  for (const doc of splitDocuments(TYPICAL)) assert.equal(check(doc), true, doc)
  let read = 0
  let all = 0
  for (const { text } of CORPUS) {
    for (const doc of splitDocuments(text)) {
      all++
      if (check(doc)) read++
    }
  }
  assert.ok(read > all / 2, `read ${read} of ${all} fixture documents`)
})

/** Mutations beyond the shared line mutations: characters and fragments that break or bend YAML. */
const JUNK = [':', ': ', '-', '- ', '[', ']', '{', '}', '&a', '*a', '!!', '|', '>', '#', ' #', '"', "'", '\t', '\n', '\n  ', '\n- ', '? ', '%', '@', '`', ',', '\r', '\\', '\u2028', '\u0085', '\ufeff', 'a: b']

function junk(t: string, r: Rand): string {
  const i = Math.floor(r() * (t.length + 1))
  return t.slice(0, i) + pick(r, JUNK) + t.slice(i)
}

test('block syntax: on generated and mutated documents, what it calls valid parses', () => {
  const r = prng(SEED)
  const seeds = [...Array.from({ length: 300 }, () => generatedDocument(r)), ...splitDocuments(TYPICAL), ...CORPUS.flatMap((f) => splitDocuments(f.text))]
  const counts = { certain: 0, parser: 0 }
  for (let i = 0; i < 8000; i++) {
    let text = pick(r, seeds)
    const rounds = 1 + Math.floor(r() * 3)
    for (let k = 0; k < rounds; k++) {
      const roll = r()
      text = roll < 0.5 ? junk(text, r) : (pick(r, LINE_MUTATIONS).apply(text, r) ?? text)
    }
    if (check(text)) counts.certain++
    else counts.parser++
  }
  // Both outcomes are exercised.
  assert.ok(counts.certain > 500 && counts.parser > 500, JSON.stringify(counts))
})

test('block syntax: a line of some megabytes is left to the parser, not a RangeError (it was a stack trace through the CLI)', async () => {
  // V8's regex backtracking stack overflowed at about 10 MB of one plain or quoted value.
  const { runCli } = await import('./run-cli.ts')
  const line = 'a'.repeat(30_000_000)
  for (const value of [line, `"${line}"`]) {
    const doc = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  x: ${value}\n`
    assert.equal(isCertainlyValid(doc), false)
    const out = await runCli(['--target-release', '4.19', '--pools', 'worker'], doc)
    assert.equal(out.code, 0, out.stderr.slice(0, 500))
    assert.ok(out.stdout.startsWith(doc), 'the document passes through byte for byte')
  }
})
