// Conformance: every case MCO's own Go code rendered (test/fixtures/conformance,
// imported from ../shared/conformance by scripts/import-conformance.mjs) goes
// through our renderer as `--validate=ignore` would, in MCO's input order, and
// every node file must match byte for byte; where MCO failed (or would have
// dereferenced a nil pointer) we must fail with MCO's message.

import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import stableStringify from 'fast-json-stable-stringify'
import { parse } from 'yaml'
import type { NodeFile } from '../src/model.ts'
import { ignitionConfig } from '../src/wrap/machine-config.ts'
import { type Case, caseInput, caseNames, expectedFiles, NOT_OURS, renderCase, ROOT } from './conformance-cases.ts'

/**
 * Requirements sorted inside every scope, for cases where only MCO's informer
 * order differs. The sort key is a stable (key-sorted) serialization, so it
 * depends on what a requirement says, not on how its fields are ordered.
 */
function sortRequirements(contents: string): string {
  const policy = JSON.parse(contents) as { transports?: Record<string, Record<string, unknown[]>> }
  for (const scopes of Object.values(policy.transports ?? {})) {
    for (const reqs of Object.values(scopes)) reqs.sort((a, b) => (stableStringify(a) < stableStringify(b) ? -1 : 1))
  }
  return JSON.stringify(policy)
}

const cases = caseNames()

test('conformance fixtures are present', () => {
  assert.ok(cases.length >= 200, `expected the imported conformance cases under ${ROOT}, found ${cases.length}`)
})

for (const name of cases) {
  test(`conformance ${name}`, () => {
    const dir = join(ROOT, name)
    const c = parse(readFileSync(join(dir, 'case.yaml'), 'utf8')) as Case
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as { orderSensitive?: boolean; errorVariants?: string[] }
    const out = renderCase(caseInput(c))
    const errors = out.problems.filter((p) => p.severity === 'error').map((p) => p.message)

    if (existsSync(join(dir, 'error.txt'))) {
      const mcoError = readFileSync(join(dir, 'error.txt'), 'utf8')
      assert.ok(errors.length > 0, `MCO failed with ${JSON.stringify(mcoError)}; we rendered`)
      assert.deepEqual(out.files, [], 'nothing is rendered on error')
      const variants = meta.errorVariants ?? [mcoError]
      if (mcoError.startsWith('runtime error:')) {
        assert.ok(errors.some((e) => e.includes('nil pointer')), `nil-pointer case reported as such: ${JSON.stringify(errors)}`)
      } else {
        // MCO wraps render errors ("could not Create/Update MachineConfig: …"); we report the innermost clause.
        assert.ok(
          variants.some((v) => errors.some((e) => v.endsWith(e))),
          `MCO: ${JSON.stringify(variants)}\nus:  ${JSON.stringify(errors)}`,
        )
      }
      return
    }
    assert.deepEqual(errors, [], 'MCO rendered this case')

    const want = expectedFiles(dir).filter((f) => !NOT_OURS.includes(f.path))
    const order = (files: readonly NodeFile[]) => files.map((f) => f.path)
    const mcoOrder = (JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as { files?: string[] }).files ?? []
    assert.deepEqual(order(out.files), mcoOrder.filter((p) => !NOT_OURS.includes(p)), 'files in MCO order')
    const wantByPath = new Map(want.map((f) => [f.path, f.contents]))
    for (const file of out.files) {
      const expected = wantByPath.get(file.path)
      if (meta.orderSensitive === true && file.path.endsWith('.json')) {
        assert.equal(sortRequirements(file.contents), sortRequirements(expected ?? ''), `${file.path} (requirements sorted)`)
      } else {
        assert.equal(file.contents, expected, file.path)
      }
    }

    // The Ignition encoding: our spec.config is MCO's, less the files MCO owns.
    if (meta.orderSensitive !== true) {
      const mco = JSON.parse(readFileSync(join(dir, 'ignition.json'), 'utf8')) as { storage?: { files: { path: string }[] } }
      if (mco.storage !== undefined) {
        mco.storage.files = mco.storage.files.filter((f) => !NOT_OURS.includes(f.path))
        if (mco.storage.files.length === 0) delete mco.storage
      }
      assert.equal(JSON.stringify(ignitionConfig(out.files, '3.5.0')), JSON.stringify(mco))
    }

    // The ImagePolicy conditions MCO writes become our warnings.
    const status = JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8')) as {
      imagePolicies: { namespace: string; name: string; conditions: { observedGeneration: number; message: string }[] }[]
    }
    assert.deepEqual(
      out.conflicts.map((cf) => ({ namespace: cf.policy.namespace, name: cf.policy.name, generation: cf.policy.generation, message: cf.message })),
      status.imagePolicies.map((s) => ({ namespace: s.namespace, name: s.name, generation: s.conditions[0]!.observedGeneration, message: s.conditions[0]!.message })),
    )
  })
}
