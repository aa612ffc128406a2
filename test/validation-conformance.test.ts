// Every MCO conformance case (test/fixtures/conformance/<case>/case.yaml) as a
// manifest stream through run() with the default --validate=strict: the cases whose
// input breaks an API rule (or whose keys do not parse) are refused with that rule,
// as listed in test/fixtures/validation/conformance-strict.yaml; every other case
// gives exactly what --validate=ignore gives (the renderer's output, or MCO's own
// error). UPDATE=1 rewrites the list from what validation reports, for review.

import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { test } from 'node:test'
import { parse, stringify } from 'yaml'
import type { Issue } from '../src/issues.ts'
import { run, type RunOutput } from '../src/run.ts'

const ROOT = 'test/fixtures/conformance'
const TABLE = 'test/fixtures/validation/conformance-strict.yaml'
const UPDATE = process.env['UPDATE'] === '1'
const DEFAULT_RELEASE_IMAGE = `quay.io/openshift-release-dev/ocp-release@sha256:${'1'.repeat(64)}`
const NOW = new Date('2026-06-01T00:00:00Z')
/** Issue codes of the validation stage: a refusal must come from these, never from the renderer. */
const VALIDATION_CODES = new Set(['schema', 'cel', 'content', 'registries'])

type Case = Record<string, unknown>

/** A conformance case as the manifests a user would commit: Image cluster, policies, mirror sets. */
export function caseStream(c: Case): string {
  const docs: unknown[] = []
  const registrySources: Record<string, unknown> = {}
  for (const key of ['allowedRegistries', 'blockedRegistries', 'insecureRegistries', 'containerRuntimeSearchRegistries']) {
    if (c[key] !== undefined) registrySources[key] = c[key]
  }
  if (Object.keys(registrySources).length > 0) {
    docs.push({ apiVersion: 'config.openshift.io/v1', kind: 'Image', metadata: { name: 'cluster' }, spec: { registrySources } })
  }
  for (const key of ['clusterImagePolicies', 'imagePolicies', 'imageDigestMirrorSets', 'imageTagMirrorSets', 'imageContentSourcePolicies']) {
    docs.push(...((c[key] as unknown[] | undefined) ?? []))
  }
  return docs.map((d) => stringify(d)).join('---\n')
}

/** The rule behind a validation error, by its message (the rule IDs of openshift-api.md where they exist). */
export function ruleLabel(i: Issue): string {
  const m = i.message
  const rules: [RegExp, string][] = [
    [/some validation rules were not checked/, 'cel-skipped'],
    [/^Required value/, 'required'],
    [/^Unsupported value/, 'enum'],
    [/^Duplicate value/, 'set-duplicate'],
    [/should be at least \d+ chars long/, 'minLength'],
    [/should have at least \d+ items/, 'minItems'],
    [/must be of type byte/, 'format-byte'],
    [/must start with base64 encoding of/, 'pem-begin'],
    [/must end with base64 encoding of/, 'pem-end'],
    [/contain the same number of/, 'pem-balanced'],
    [/scope must contain a fully qualified domain name/, 'S1'],
    [/invalid image scope with wildcard/, 'S2'],
    [/invalid repository namespace or image specification/, 'S3'],
    [/should not include the tag or digest/, 'Q1'],
    [/invalid repository or prefix in the signedIdentity/, 'Q2'],
    [/is required when policyType is/, 'root-of-trust-union'],
    [/is required when matchPolicy is/, 'signed-identity-union'],
    [/oidcIssuer must be a valid URL/, 'O1'],
    [/invalid email address/, 'email'],
    [/at least one of email or hostname/, 'P1'],
    [/Only one of blockedRegistries or allowedRegistries/, 'registry-union'],
    [/^invalid entry for/, 'registry-entry'],
    [/each registry must be a valid hostname\[:port\]\[\/path\]/, 'registry-hostname'],
    [/does not parse|not a valid public key|holds no PEM block|expected a (PUBLIC KEY|CERTIFICATE)/, 'content'],
  ]
  return rules.find(([re]) => re.test(m))?.[1] ?? m
}

function errors(out: RunOutput): Issue[] {
  return out.issues.filter((i) => i.severity === 'error')
}

const cases = existsSync(ROOT) ? readdirSync(ROOT).sort() : []
const table = existsSync(TABLE) ? ((parse(readFileSync(TABLE, 'utf8')) as { refused?: Record<string, string[]> }).refused ?? {}) : {}
const found: Record<string, string[]> = {}

function runCase(c: Case, validate: 'strict' | 'ignore', targetRelease?: string): RunOutput {
  const releaseImage = typeof c['releaseImage'] === 'string' ? c['releaseImage'] : DEFAULT_RELEASE_IMAGE
  return run({ inputs: [{ text: caseStream(c) }], flags: { releaseImage, validate, ...(targetRelease !== undefined ? { targetRelease } : {}) }, now: NOW })
}

test('conformance cases are present for the strict-mode check', () => {
  assert.ok(cases.length >= 200, `expected the conformance cases under ${ROOT}`)
})

for (const name of cases) {
  test(`strict conformance ${name}`, () => {
    const c = parse(readFileSync(join(ROOT, name, 'case.yaml'), 'utf8')) as Case
    const strict = runCase(c, 'strict')
    const ignore = runCase(c, 'ignore')
    // What strict mode reports that ignore mode does not: the refusal.
    const refusal = errors(strict).filter((i) => !errors(ignore).some((j) => isDeepStrictEqual(i, j)))
    for (const i of refusal) assert.ok(VALIDATION_CODES.has(i.code), `a refusal comes from validation: ${i.code} ${i.message}`)
    const labels = [...new Set(refusal.map(ruleLabel))].sort()
    if (labels.length > 0) found[name] = labels
    if (UPDATE) return

    const want = table[name]
    if (want === undefined) {
      // Valid input: strict mode must not change anything.
      assert.deepEqual(labels, [], 'strict mode refuses a case the table says is valid')
      assert.equal(strict.exitCode, ignore.exitCode, 'exit code as with --validate=ignore')
      assert.equal(strict.output, ignore.output, 'output as with --validate=ignore')
      assert.deepEqual(errors(strict), errors(ignore), "MCO's errors, unchanged")
      return
    }
    assert.equal(strict.exitCode, 1, 'refused')
    assert.equal(strict.output, '', 'nothing on stdout')
    assert.deepEqual(labels, [...want].sort(), 'refused by these rules')
    // The refusal happens before rendering: no error of MCO's own comes with it.
    assert.deepEqual(errors(strict).filter((i) => i.code === 'mco'), [])
  })
}

// The table is for the default target (the newest release). Up to 4.22 the Image
// config's lists are free-form, so the same entries are refused by MCO's own entry
// check instead of the 4.23 hostname rule, and a port that is not a number passes.
test('target 4.22: registry entries are refused by MCO\'s entry check, not the 4.23 rules', () => {
  const expected: Record<string, string[]> = {
    'error-registries-empty-allowed-entry': ['registry-entry'],
    'error-registries-invalid-allowed-entry-alone': ['registry-entry'],
    'error-registries-invalid-allowed-entry-with-cip': ['registry-entry'],
    'error-registries-invalid-blocked-entry': ['registry-entry'],
    'random-0061': [],
  }
  for (const [name, want] of Object.entries(expected)) {
    const c = parse(readFileSync(join(ROOT, name, 'case.yaml'), 'utf8')) as Case
    const strict = runCase(c, 'strict', '4.22')
    const ignore = runCase(c, 'ignore', '4.22')
    const refusal = errors(strict).filter((i) => !errors(ignore).some((j) => isDeepStrictEqual(i, j)))
    assert.deepEqual([...new Set(refusal.map(ruleLabel))].sort(), want, name)
  }
})

test('the strict-mode table lists only existing cases', (t) => {
  if (UPDATE) {
    const header = [
      '# Conformance cases that --validate=strict refuses, with the rules that refuse them',
      '# (labels: test/validation-conformance.test.ts ruleLabel). Every case not listed',
      '# must render exactly as with --validate=ignore. Rewritten by UPDATE=1; review the diff.',
    ].join('\n')
    writeFileSync(TABLE, `${header}\n${stringify({ refused: found })}`)
    t.skip('table updated')
    return
  }
  for (const name of Object.keys(table)) assert.ok(cases.includes(name), `${name} is not a conformance case`)
})
