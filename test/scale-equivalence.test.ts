// Scale (issue 14): the benchmark's large inputs render to the same bytes as
// before the speed work on them. Their output is pinned by sha256 (taken from the
// build before any of that work, with the keys fixed: the benchmark draws fresh
// ones), so a cache keyed wrongly or a sort that orders differently fails here
// even where no conformance case is large enough to show it. The optimized
// helpers are also compared with straightforward reference implementations on
// seeded inputs (test/scale-properties.test.ts).

import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { test } from 'node:test'
import { pathToFileURL } from 'node:url'
import { run } from '../src/run.ts'
import { KEY, RELEASE_KEY } from './fixtures/review/resources.ts'

type Shape = { ips: number; namespaces: number; cips: number; others: number; distinct?: number; keys?: readonly string[] }
const benchData = (await import(pathToFileURL('scripts/bench-data.mjs').href)) as { stream: (shape: Shape) => string }

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex')

const CASES: { readonly label: string; readonly shape: Shape; readonly output: string; readonly issues: string }[] = [
  {
    label: '20,000 distinct namespace scopes',
    shape: { ips: 10000, namespaces: 1000, cips: 5, others: 0, distinct: 2 },
    output: '8dffaa3b8ccda649b023d1b6a980ab14d3b40408824aa698ff879fbbdea9cf09',
    issues: '2f3da14b03b260d3cdc3dc91fc017fd94eb8e14f2b82a63c8bb270e72d553171',
  },
  {
    label: '10,000 ImagePolicies / 1,000 namespaces (shared scopes)',
    shape: { ips: 10000, namespaces: 1000, cips: 5, others: 0 },
    output: '136d0bf51633333883ea6638c0ade8be876365ae923f40da1f32fa95c8272dc3',
    issues: 'b08fc04cf7acafa6065dd2ceeabcc7842a7ef7fdf8865f450dd4f87bf3018165',
  },
]

for (const c of CASES) {
  test(`the benchmark's ${c.label} render to the pinned bytes`, () => {
    const text = benchData.stream({ ...c.shape, keys: [KEY, RELEASE_KEY] })
    const result = run({ inputs: [{ text }], flags: { targetRelease: '4.19' } })
    assert.equal(result.exitCode, 0, JSON.stringify(result.issues.slice(0, 3)))
    const issues = JSON.stringify(result.issues)
    assert.equal(sha256(result.output), c.output, 'output')
    assert.equal(sha256(issues), c.issues, 'issues')
  })
}
