// Properties of the whole function: the order of input items never changes the
// generated MachineConfigs, and running the function on its own output changes
// nothing (generated MachineConfigs are replaced, not duplicated).

import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { parse, stringify } from 'yaml'
import { run } from '../src/run.ts'
import { prng } from './prng.ts'

const ROOT = 'test/fixtures/conformance'

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

/** A conformance case as a resource stream (policies, Image cluster, mirror sets), one document each. */
function caseDocuments(name: string): { docs: string[]; releaseImage?: string } {
  const c = parse(readFileSync(join(ROOT, name, 'case.yaml'), 'utf8')) as Record<string, unknown>
  const docs: unknown[] = []
  for (const key of ['clusterImagePolicies', 'imagePolicies', 'imageDigestMirrorSets', 'imageTagMirrorSets', 'imageContentSourcePolicies']) {
    docs.push(...((c[key] as unknown[] | undefined) ?? []))
  }
  const registrySources: Record<string, unknown> = {}
  for (const key of ['allowedRegistries', 'blockedRegistries', 'insecureRegistries', 'containerRuntimeSearchRegistries']) {
    if (c[key] !== undefined) registrySources[key] = c[key]
  }
  docs.push({ apiVersion: 'config.openshift.io/v1', kind: 'Image', metadata: { name: 'cluster' }, spec: { registrySources } })
  docs.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unrelated', namespace: 'default' }, data: { mode: '0644' } })
  return { docs: docs.map((d) => stringify(d)), ...(typeof c['releaseImage'] === 'string' ? { releaseImage: c['releaseImage'] } : {}) }
}

function render(docs: readonly string[], releaseImage: string | undefined): ReturnType<typeof run> {
  const text = docs.map((d) => `---\n${d}`).join('')
  return run({ inputs: [{ text }], flags: { targetRelease: '4.19', validate: 'ignore', ...(releaseImage !== undefined ? { releaseImage } : {}) } })
}

/** The generated MachineConfigs of an output stream. */
function generated(output: string): string[] {
  return output.split(/^---\n/m).filter((d) => d.startsWith('apiVersion: machineconfiguration.openshift.io/v1'))
}

// Cases with several policies, shared scopes, mirrors and namespaces: where order could matter.
const CASES = readdirSync(ROOT)
  .filter((n) => /^(multi-|random-|ns-|mirror-|conflict-two)/.test(n))
  .filter((n) => !readdirSync(join(ROOT, n)).includes('error.txt'))
  .sort()

test('property cases exist', () => {
  assert.ok(CASES.length >= 40, `found ${CASES.length}`)
})

test('shuffling the input items never changes the generated MachineConfigs', () => {
  for (const name of CASES) {
    const { docs, releaseImage } = caseDocuments(name)
    const base = render(docs, releaseImage)
    assert.equal(base.exitCode, 0, `${name}: ${base.issues.map((i) => i.message).join('; ')}`)
    const want = generated(base.output)
    assert.equal(want.length, 2, `${name}: one MachineConfig per default pool`)
    for (let seed = 1; seed <= 5; seed++) {
      const got = render(shuffle(docs, prng(seed)), releaseImage)
      assert.deepEqual(generated(got.output), want, `${name} with shuffle seed ${seed}`)
    }
  }
})

test('running on its own output yields the same output (idempotent)', () => {
  for (const name of CASES) {
    const { docs, releaseImage } = caseDocuments(name)
    const first = render(docs, releaseImage)
    const second = run({ inputs: [{ text: first.output }], flags: { targetRelease: '4.19', validate: 'ignore', ...(releaseImage !== undefined ? { releaseImage } : {}) } })
    assert.equal(second.exitCode, 0)
    assert.equal(second.output, first.output, name)
  }
})
