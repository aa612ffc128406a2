import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { NodeFile } from '../model.ts'
import { dataUrl, ignitionFile, ignitionFileSize, MAX_MACHINE_CONFIG_BYTES, serializedSize, wrapPoolMachineConfigs } from './machine-config.ts'

const options = { pool: 'worker', name: '99-worker-sigstore-imagepolicies', ignitionVersion: '3.4.0' }

function files(n: number, size: number): NodeFile[] {
  const out: NodeFile[] = [{ path: '/etc/containers/policy.json', contents: 'p'.repeat(size) }]
  for (let i = 0; i < n; i++) out.push({ path: `/etc/crio/policies/ns-${String(i).padStart(4, '0')}.json`, contents: `${i}`.repeat(size / String(i).length) })
  return out
}

type MC = { metadata: { name: string }; spec: { config: { storage?: { files: { path: string; contents: { source: string } }[] } } } }
const paths = (mcs: readonly unknown[]) => (mcs as MC[]).flatMap((mc) => mc.spec.config.storage?.files.map((f) => f.path) ?? [])

test('the data URL is MCO\'s: text/plain;charset=utf-8 and standard base64', () => {
  assert.equal(dataUrl('docker:\n  example.com:\n    use-sigstore-attachments: true\n'), 'data:text/plain;charset=utf-8;base64,ZG9ja2VyOgogIGV4YW1wbGUuY29tOgogICAgdXNlLXNpZ3N0b3JlLWF0dGFjaG1lbnRzOiB0cnVlCg==')
})

test('files that fit stay in one MachineConfig', () => {
  const out = wrapPoolMachineConfigs(files(10, 1000), options)
  assert.equal(out.machineConfigs.length, 1)
  assert.deepEqual(out.oversized, [])
})

test('over the limit: split deterministically, in file order, each object under the limit, no file lost or duplicated', () => {
  const input = files(400, 6000) // about 3.2 MB of base64
  const a = wrapPoolMachineConfigs(input, options)
  const b = wrapPoolMachineConfigs(input, options)
  assert.deepEqual(a, b, 'same input, same split')
  assert.ok(a.machineConfigs.length >= 4, `split into ${a.machineConfigs.length}`)
  for (const mc of a.machineConfigs) assert.ok(serializedSize(mc) <= MAX_MACHINE_CONFIG_BYTES, `${(mc as MC).metadata.name} is ${serializedSize(mc)} bytes`)
  assert.deepEqual(
    (a.machineConfigs as MC[]).map((mc) => mc.metadata.name),
    a.machineConfigs.map((_, i) => (i === 0 ? options.name : `${options.name}-${i + 1}`)),
  )
  // Merged across the pool (as MCO merges MachineConfigs), the files are exactly those of one object.
  assert.deepEqual(paths(a.machineConfigs), input.map((f) => f.path))
  const single = wrapPoolMachineConfigs(input, options, () => ({}), Number.MAX_SAFE_INTEGER)
  assert.equal(single.machineConfigs.length, 1)
  const sources = (mcs: readonly unknown[]) => (mcs as MC[]).flatMap((mc) => mc.spec.config.storage?.files ?? [])
  assert.deepEqual(sources(a.machineConfigs), sources(single.machineConfigs))
})

test('annotations count towards the size', () => {
  const input = files(200, 4000)
  const plain = wrapPoolMachineConfigs(input, options)
  const annotated = wrapPoolMachineConfigs(input, options, (group) => ({ 'example.com/paths': group.map((f) => f.path).join(',').repeat(100) }))
  const first = (out: { machineConfigs: readonly unknown[] }) => paths(out.machineConfigs.slice(0, 1)).length
  assert.ok(first(annotated) < first(plain), `${first(annotated)} < ${first(plain)} files in the first object`)
  for (const mc of annotated.machineConfigs) assert.ok(serializedSize(mc) <= MAX_MACHINE_CONFIG_BYTES)
})

test('a single file over the limit is reported, never split', () => {
  const input: NodeFile[] = [
    { path: '/etc/containers/policy.json', contents: 'x'.repeat(100) },
    { path: '/etc/crio/policies/huge.json', contents: 'y'.repeat(MAX_MACHINE_CONFIG_BYTES) },
  ]
  const out = wrapPoolMachineConfigs(input, options)
  assert.deepEqual(out.oversized, [{ path: '/etc/crio/policies/huge.json', bytes: MAX_MACHINE_CONFIG_BYTES }])
  assert.deepEqual(paths(out.machineConfigs), ['/etc/containers/policy.json'])
})

test('no files: one empty MachineConfig', () => {
  const out = wrapPoolMachineConfigs([], options)
  assert.equal(out.machineConfigs.length, 1)
  assert.deepEqual((out.machineConfigs[0] as MC).spec.config, { ignition: { version: '3.4.0' } })
})

test('the size used for splitting is the exact serialized size', () => {
  const input = files(300, 5000)
  const out = wrapPoolMachineConfigs(input, options, (group) => ({ 'example.com/n': String(group.length) }))
  for (const mc of out.machineConfigs) assert.ok(serializedSize(mc) <= MAX_MACHINE_CONFIG_BYTES)
  // Packed tight: moving the next file into an object would push it over the limit.
  const mcs = out.machineConfigs as MC[]
  for (let i = 0; i + 1 < mcs.length; i++) {
    const next = mcs[i + 1]!.spec.config.storage!.files[0]!
    assert.ok(serializedSize(mcs[i]) + JSON.stringify(next).length + 1 > MAX_MACHINE_CONFIG_BYTES - 64)
  }
})

test('ignitionFileSize is the serialized size of the file entry, without serializing its data URL', () => {
  const files = [
    { path: '/etc/containers/policy.json', contents: '{\n  "default": []\n}\n' },
    { path: '/etc/crio/policies/ns-ü "quoted" \\ tab\t.json', contents: 'ünïcödé \u2028 \u0000 "x"\n'.repeat(50) },
    { path: '/etc/x', contents: '' },
  ]
  for (const file of files) assert.equal(ignitionFileSize(file), serializedSize(ignitionFile(file)), file.path)
})
