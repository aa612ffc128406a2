// openshift/api's own CRD test cases (applied by its tests/generator.go to a real
// kube-apiserver) as an oracle: for every `onCreate` case our validation must give
// the server's verdict, and for a rejected case every clause of `expectedError` (a
// substring of the server's error list) must appear in one of our issues, written
// `<path>: <message>` as the server writes it. Read from ../shared/reference/crds/tests
// relative to the repository root; skipped when that directory is absent.
// The verdict compared is that of the API server's rules. Our deeper checks (code
// `content`: keys and certificates that really parse) go further on purpose: the
// v1alpha1 suites create "valid" policies whose keyData is base64 of `foo bar`,
// which v1alpha1's CRD (no PEM marker rules) accepts and we refuse; the test pins
// that this is the only difference.
// test/fixtures/validation/api-server-cases.yaml holds our own cases in the same
// format (own YAML, own keys); they always run, so CI checks parity without ../shared,
// and there our deeper checks must agree too.

import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { parse } from 'yaml'
import { refOf } from '../src/io/item-kinds.ts'
import { toFieldPath, type Issue } from '../src/issues.ts'
import { validateResources } from '../src/validate/validate-resources.ts'

const ROOT = join('..', 'shared', 'reference', 'crds', 'tests')
/** The Image config's suite (openshift/api `config/v1/tests/images.config.openshift.io/`). */
const IMAGE_ROOT = join('..', 'shared', 'reference', 'crds', 'image', 'tests')
const OWN = join('test', 'fixtures', 'validation', 'api-server-cases.yaml')
/** Certificates in the fixtures must not turn a verdict just because time passed. */
const NOW = new Date('2027-06-01T00:00:00Z')

interface CrdCase {
  readonly name: string
  readonly initial: string
  readonly updated?: string
  readonly expected?: string
  readonly expectedError?: string
}

interface Suite {
  readonly file: string
  readonly cases: CrdCase[]
  readonly updates: CrdCase[]
}

function suites(root: string): Suite[] {
  const out: Suite[] = []
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith('.yaml')) {
        const suite = parse(readFileSync(path, 'utf8')) as { tests?: { onCreate?: CrdCase[]; onUpdate?: CrdCase[] } }
        out.push({ file: path.slice(root.length + 1), cases: suite.tests?.onCreate ?? [], updates: suite.tests?.onUpdate ?? [] })
      }
    }
  }
  walk(root)
  return out
}

/**
 * The clauses of an `expectedError`. The server joins a list of field errors as
 * `[a, b]` with `, ` (or prints the single one alone); each clause starts with a
 * field path or `<nil>`.
 */
export function expectedClauses(expectedError: string): string[] {
  const text = expectedError.startsWith('[') && expectedError.endsWith(']') ? expectedError.slice(1, -1) : expectedError
  return text.split(/, (?=(?:spec|metadata|status)[.[\w]*[^ ]*: |<nil>: )/)
}

/** Our issue as the server writes one field error. */
function serverLine(i: Issue): string {
  return `${i.path.length === 0 ? '<nil>' : toFieldPath(i.path)}: ${i.message}`
}

test('expectedClauses splits the server error list into its clauses', () => {
  assert.deepEqual(expectedClauses('spec.a: Required value, spec.b: Required value, <nil>: Invalid value: "null": x, y'), [
    'spec.a: Required value',
    'spec.b: Required value',
    '<nil>: Invalid value: "null": x, y',
  ])
  assert.deepEqual(expectedClauses('[spec.x: Invalid value: "string": a, b, spec.x: Invalid value: "string": c]'), [
    'spec.x: Invalid value: "string": a, b',
    'spec.x: Invalid value: "string": c',
  ])
})

const present = existsSync(ROOT)
const imagePresent = existsSync(IMAGE_ROOT)

test('openshift/api CRD test cases are present', (t) => {
  if (!present || !imagePresent) {
    // CI has shared/ beside the clone; refuse to pass quietly there without it.
    assert.ok(process.env['CI'] !== 'true', `${ROOT} and ${IMAGE_ROOT} must be present in CI`)
    t.skip(`${!present ? ROOT : IMAGE_ROOT} not present`)
    return
  }
  const count = suites(ROOT).reduce((n, s) => n + s.cases.length, 0)
  assert.ok(count >= 100, `expected the openshift/api onCreate cases, found ${count}`)
  const image = suites(IMAGE_ROOT)
  assert.equal(image.reduce((n, s) => n + s.cases.length + s.updates.length, 0), 25, 'the 25 Image cases of openshift/api 2a3d739')
})

/** The object a case creates, named as the suite runner names it (the Image config's only valid name is cluster). */
function caseObject(yaml: string, index: number): Record<string, unknown> {
  const value = parse(yaml) as Record<string, unknown>
  const kind = value['kind']
  value['metadata'] = { name: kind === 'Image' ? 'cluster' : `case-${index + 1}`, ...(kind === 'ImagePolicy' ? { namespace: 'crd-tests' } : {}) }
  return value
}

function validateCase(value: Record<string, unknown>): Issue[] {
  const role = value['kind'] === 'Image' ? 'image' : 'policy'
  return validateResources([{ value, ref: refOf(value)!, role }], 'strict', NOW, 'since-4.23')
}

/** Registers one test per case; `upstream` allows the v1alpha1 dummy-key difference described above. */
function runSuite(file: string, cases: readonly CrdCase[], upstream: boolean): void {
  cases.forEach((c, index) => {
    test(`${file} #${index + 1}: ${c.name}`, () => {
      // The suite runner names each object and creates ImagePolicy in a test namespace.
      const issues = validateCase(caseObject(c.initial, index))
      const errors = issues.filter((i) => i.severity === 'error' && (!upstream || i.code !== 'content'))
      const deeper = issues.filter((i) => i.severity === 'error' && upstream && i.code === 'content')
      if (c.expectedError === undefined) {
        assert.deepEqual(errors.map(serverLine), [], 'the server accepts this object')
        for (const i of deeper) {
          assert.ok(file.startsWith('v1alpha1') && /holds no PEM block/.test(i.message), `unexpected deeper finding: ${serverLine(i)}`)
        }
        return
      }
      assert.ok(errors.length > 0, `the server rejects this object with ${c.expectedError}`)
      const ours = errors.map(serverLine)
      for (const clause of expectedClauses(c.expectedError)) {
        assert.ok(ours.some((line) => line.includes(clause)), `server clause not found in our errors:\n  ${clause}\nours:\n  ${ours.join('\n  ')}`)
      }
    })
  })
}

if (present) for (const { file, cases } of suites(ROOT)) runSuite(file, cases, true)

/**
 * `onUpdate` cases. The server validates an update against the stored object and
 * ratchets: a stored value that the current rules refuse is let through when the
 * update leaves it unchanged. An offline check has no stored object, so we validate
 * `updated` as on create, and a stored invalid value is reported: the repository
 * should hold what the API server would accept today. Asserted here, case by case:
 * - the server refuses the update → we refuse it, with the server's clause;
 * - the server accepts it and the updated object is valid on create (an update that
 *   repairs a stored invalid value, too) → we accept it;
 * - the server accepts it only by ratcheting (the updated object keeps a stored
 *   value that breaks a rule) → we refuse it, and only at paths where the stored
 *   object breaks the same rule.
 */
function runUpdateSuite(file: string, cases: readonly CrdCase[]): void {
  cases.forEach((c, index) => {
    test(`${file} onUpdate #${index + 1}: ${c.name}`, () => {
      assert.ok(c.updated !== undefined, 'an onUpdate case has an updated object')
      const errorsOf = (yaml: string): Issue[] => validateCase(caseObject(yaml, index)).filter((i) => i.severity === 'error')
      const stored = errorsOf(c.initial)
      const ours = errorsOf(c.updated)
      if (c.expectedError !== undefined) {
        assert.ok(ours.length > 0, `the server rejects this update with ${c.expectedError}`)
        for (const clause of expectedClauses(c.expectedError)) {
          assert.ok(ours.map(serverLine).some((line) => line.includes(clause)), `server clause not found in our errors:\n  ${clause}\nours:\n  ${ours.map(serverLine).join('\n  ')}`)
        }
        return
      }
      if (ours.length === 0) return
      // Accepted by the server only because the value was stored before the rule existed.
      const storedLines = new Set(stored.map(serverLine))
      assert.ok(stored.length > 0, `the server accepts this update and the stored object was valid, yet we refuse: ${ours.map(serverLine).join('; ')}`)
      for (const i of ours) assert.ok(storedLines.has(serverLine(i)), `reported beyond the stored invalid value: ${serverLine(i)}`)
    })
  })
}

if (imagePresent) {
  for (const { file, cases, updates } of suites(IMAGE_ROOT)) {
    runSuite(`image/${file}`, cases, false)
    runUpdateSuite(`image/${file}`, updates)
  }
}

const own = (parse(readFileSync(OWN, 'utf8')) as { tests: { onCreate: CrdCase[] } }).tests.onCreate
test('our own API-server cases cover both verdicts', () => {
  assert.ok(own.filter((c) => c.expectedError === undefined).length >= 20)
  assert.ok(own.filter((c) => c.expectedError !== undefined).length >= 50)
})
runSuite('api-server-cases.yaml', own, false)
