// The unified diff we print for node files: GNU `diff -u` layout (expected
// texts below were produced by GNU diffutils 3.x), and a minimal edit script.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { diffLines, MAX_EDIT_DISTANCE, splitLines, unifiedDiff, type Edit } from '../src/diff/unified-diff.ts'

const names = { fromName: 'a/f', toName: 'b/f' }
const letters = (s: string) => s.split('').map((c) => `${c}\n`).join('')

const cases: readonly { name: string; from: string; to: string; want: string }[] = [
  { name: 'equal texts give no diff', from: 'a\nb\n', to: 'a\nb\n', want: '' },
  {
    name: 'two hunks, and a last line without newline',
    from: letters('abcdefghijklm'),
    to: letters('aBcdefghijklm') + 'n',
    want: '--- a/f\n+++ b/f\n@@ -1,5 +1,5 @@\n a\n-b\n+B\n c\n d\n e\n@@ -11,3 +11,4 @@\n k\n l\n m\n+n\n\\ No newline at end of file\n',
  },
  {
    name: 'Go JSON without final newline (policy.json)',
    from: '{\n  "a": 1\n}',
    to: '{\n  "a": 2\n}',
    want: '--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n {\n-  "a": 1\n+  "a": 2\n }\n\\ No newline at end of file\n',
  },
  { name: 'file emptied', from: 'x\n', to: '', want: '--- a/f\n+++ b/f\n@@ -1 +0,0 @@\n-x\n' },
  { name: 'file created', from: '', to: 'x\n', want: '--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+x\n' },
  {
    name: 'only the final newline changes',
    from: 'a\nb',
    to: 'a\nb\n',
    want: '--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n',
  },
  {
    name: 'changes 6 equal lines apart share one hunk',
    from: letters('abcdefghij'),
    to: letters('aBcdefghIj'),
    want: '--- a/f\n+++ b/f\n@@ -1,10 +1,10 @@\n a\n-b\n+B\n c\n d\n e\n f\n g\n h\n-i\n+I\n j\n',
  },
  {
    name: 'changes 7 equal lines apart get two hunks',
    from: letters('abcdefghijk'),
    to: letters('aBcdefghiJk'),
    want: '--- a/f\n+++ b/f\n@@ -1,5 +1,5 @@\n a\n-b\n+B\n c\n d\n e\n@@ -7,5 +7,5 @@\n g\n h\n i\n-j\n+J\n k\n',
  },
]

for (const c of cases) {
  test(`unifiedDiff: ${c.name}`, () => {
    assert.equal(unifiedDiff(c.from, c.to, names), c.want)
  })
}

test('splitLines keeps terminators, so a missing final newline is a difference', () => {
  assert.deepEqual(splitLines(''), [])
  assert.deepEqual(splitLines('a\nb'), ['a\n', 'b'])
  assert.deepEqual(splitLines('a\n\n'), ['a\n', '\n'])
})

/** Length of the longest common subsequence (dynamic programming): the edit distance is n + m - 2·LCS. */
function lcs(a: readonly string[], b: readonly string[]): number {
  const row = new Array<number>(b.length + 1).fill(0)
  for (let i = 1; i <= a.length; i++) {
    let diag = 0
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!
      row[j] = a[i - 1] === b[j - 1] ? diag + 1 : Math.max(row[j]!, row[j - 1]!)
      diag = up
    }
  }
  return row[b.length]!
}

function apply(a: readonly string[], b: readonly string[], edits: readonly Edit[]): { from: string[]; to: string[] } {
  const from: string[] = []
  const to: string[] = []
  for (const e of edits) {
    if (e.op !== 'insert') from.push(a[e.a]!)
    if (e.op !== 'delete') to.push(b[e.b]!)
    if (e.op === 'equal') assert.equal(a[e.a], b[e.b])
  }
  return { from, to }
}

test('diffLines: the script rebuilds both sides and is minimal (random cases against an LCS oracle)', () => {
  let seed = 7
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648)
  for (let round = 0; round < 400; round++) {
    const gen = () => Array.from({ length: Math.floor(random() * 12) }, () => `${'abc'[Math.floor(random() * 3)]}\n`)
    const a = gen()
    const b = gen()
    const edits = diffLines(a, b)
    assert.deepEqual(apply(a, b, edits), { from: a, to: b }, `round ${round}`)
    const changed = edits.filter((e) => e.op !== 'equal').length
    assert.equal(changed, a.length + b.length - 2 * lcs(a, b), `round ${round}: not minimal`)
  }
})

test('diffLines: beyond MAX_EDIT_DISTANCE the middle is replaced as a whole, still correct', () => {
  const a = Array.from({ length: MAX_EDIT_DISTANCE + 10 }, (_, i) => `a${i}\n`)
  const b = Array.from({ length: MAX_EDIT_DISTANCE + 10 }, (_, i) => `b${i}\n`)
  const edits = diffLines(['same\n', ...a], ['same\n', ...b])
  assert.deepEqual(apply(['same\n', ...a], ['same\n', ...b], edits), { from: ['same\n', ...a], to: ['same\n', ...b] })
})
