// Annotations on generated MachineConfigs (src/wrap/annotations.ts): the sources
// of exactly the files each MachineConfig holds, and a sha256sum line per file.

import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { test } from 'node:test'
import { parseAllDocuments } from 'yaml'
import type { NodeFile } from '../src/model.ts'
import { run } from '../src/run.ts'
import { machineConfigAnnotations, SHA256SUM_ANNOTATION, SOURCES_ANNOTATION } from '../src/wrap/annotations.ts'
import { wrapPoolMachineConfigs } from '../src/wrap/machine-config.ts'
import { cip, imageConfig, ip, namespace, stream } from './fixtures/review/resources.ts'

const text = stream(
  imageConfig(),
  cip('zeta', ['registry.example.com/z']),
  cip('alpha', ['registry.example.com/a', '*.example.org']),
  namespace('team-b'),
  ip('team-b', 'b2', ['registry.example.net/b']),
  ip('team-b', 'b1', ['registry.example.net/b1']),
  namespace('team-a'),
  ip('team-a', 'a1', ['registry.example.net/a']),
  // Every scope nests in a cluster scope: MCO drops them all, so it is the source of nothing.
  ip('team-a', 'lost', ['apps.example.org/x']),
)

const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex')

test('one MachineConfig: sources in policy order, one sha256sum line per file in file order', () => {
  const result = run({ inputs: [{ text }], flags: { targetRelease: '4.19' } })
  assert.equal(result.exitCode, 0, result.issues.map((i) => i.message).join('\n'))
  const annotations = machineConfigAnnotations(result.files, result.policies)
  assert.equal(
    annotations[SOURCES_ANNOTATION],
    ['ClusterImagePolicy alpha', 'ClusterImagePolicy zeta', 'ImagePolicy team-a/a1', 'ImagePolicy team-b/b1', 'ImagePolicy team-b/b2'].join('\n'),
  )
  assert.equal(annotations[SHA256SUM_ANNOTATION], result.files.map((f) => `${sha(f.contents)}  ${f.path}`).join('\n'))
  assert.deepEqual(
    result.files.map((f) => f.path),
    ['/etc/containers/policy.json', '/etc/containers/registries.d/sigstore-registries.yaml', '/etc/crio/policies/team-a.json', '/etc/crio/policies/team-b.json'],
  )
})

test('the emitted MachineConfigs carry them, as multi-line YAML values', () => {
  const result = run({ inputs: [{ text }], flags: { targetRelease: '4.19' } })
  const mcs = parseAllDocuments(result.output).map((d) => d.toJS() as { kind: string; metadata: { annotations?: Record<string, string> } }).filter((v) => v.kind === 'MachineConfig')
  assert.equal(mcs.length, 2)
  for (const mc of mcs) {
    assert.deepEqual(Object.keys(mc.metadata.annotations ?? {}), ['imagepolicy-mc.openshift.io/generated', SOURCES_ANNOTATION, SHA256SUM_ANNOTATION])
  }
  assert.match(result.output, /imagepolicy-mc\.openshift\.io\/sha256sum: \|-\n {6}[0-9a-f]{64} {2}\/etc\/containers\/policy\.json\n/)
})

test('per file: each file lists only what shaped it (the Image config and mirror sets when given)', () => {
  const result = run({ inputs: [{ text }], flags: { targetRelease: '4.19' } })
  const image = { apiVersion: 'config.openshift.io/v1', kind: 'Image', name: 'cluster' }
  const idms = { apiVersion: 'config.openshift.io/v1', kind: 'ImageDigestMirrorSet', name: 'mirrors' }
  const sources = (path: string) => machineConfigAnnotations(result.files.filter((f) => f.path === path), result.policies, { image, mirrorSets: [idms] })[SOURCES_ANNOTATION]
  assert.equal(sources('/etc/containers/policy.json'), 'ClusterImagePolicy alpha\nClusterImagePolicy zeta\nImage cluster')
  assert.equal(
    sources('/etc/containers/registries.d/sigstore-registries.yaml'),
    'ClusterImagePolicy alpha\nClusterImagePolicy zeta\nImagePolicy team-a/a1\nImagePolicy team-b/b1\nImagePolicy team-b/b2\nImageDigestMirrorSet mirrors',
  )
  assert.equal(sources('/etc/crio/policies/team-a.json'), 'ClusterImagePolicy alpha\nClusterImagePolicy zeta\nImagePolicy team-a/a1\nImage cluster')
})

test('split MachineConfigs: each is annotated for its own files', () => {
  const result = run({ inputs: [{ text }], flags: { targetRelease: '4.19' } })
  const files: NodeFile[] = result.files.map((f) => ({ ...f }))
  // A limit that fits one file per object.
  const one = wrapPoolMachineConfigs(files, { pool: 'worker', name: '99-worker-x', ignitionVersion: '3.4.0' }, (g) => machineConfigAnnotations(g, result.policies), 9000)
  type MC = { metadata: { name: string; annotations: Record<string, string> }; spec: { config: { storage?: { files: { path: string }[] } } } }
  const mcs = one.machineConfigs as unknown as MC[]
  assert.ok(mcs.length >= 3, `split into ${mcs.length}`)
  for (const mc of mcs) {
    const paths = mc.spec.config.storage?.files.map((f) => f.path) ?? []
    assert.deepEqual(mc.metadata.annotations[SHA256SUM_ANNOTATION]!.split('\n').map((l) => l.slice(66)), paths, mc.metadata.name)
    if (paths.length === 1 && paths[0] === '/etc/crio/policies/team-b.json') {
      assert.equal(mc.metadata.annotations[SOURCES_ANNOTATION], 'ClusterImagePolicy alpha\nClusterImagePolicy zeta\nImagePolicy team-b/b1\nImagePolicy team-b/b2')
    }
  }
})

test('deterministic: input order does not change them', () => {
  const a = run({ inputs: [{ text }], flags: { targetRelease: '4.19' } })
  const docs = text.split(/^---\n/m).filter((d) => d !== '')
  const b = run({ inputs: [{ text: [...docs].reverse().map((d) => `---\n${d}`).join('') }], flags: { targetRelease: '4.19' } })
  assert.deepEqual(machineConfigAnnotations(b.files, b.policies), machineConfigAnnotations(a.files, a.policies))
})

test('no files: no annotations', () => {
  assert.deepEqual(machineConfigAnnotations([], []), {})
})

test('registry settings only (no policies): a sha256sum but no sources line', () => {
  const result = run({ inputs: [{ text: stream(imageConfig({ blockedRegistries: ['evil.example.com'] })) }], flags: { targetRelease: '4.19' } })
  const annotations = machineConfigAnnotations(result.files, result.policies)
  assert.equal(annotations[SOURCES_ANNOTATION], undefined)
  assert.equal(annotations[SHA256SUM_ANNOTATION]?.split('\n').length, 1)
})
