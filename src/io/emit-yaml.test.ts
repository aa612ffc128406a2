import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parse, stringify } from 'yaml'
import { emitYaml, yamlScalar } from './emit-yaml.ts'

test('strings that YAML 1.1 would read as something else are quoted', () => {
  for (const s of ['yes', 'on', 'true', 'null', '~', '0644', '1.5', '1:30', '3', '-1', '.inf', '2024-01-01', '', ' x', 'x ', 'a: b', 'a #b', '- x', '*x', '&x', '!x', '@x', '`x', "'x", '"x', '{x', '[x', '|x', '>x', '%x', '#x', '?x', 'x\ny', 'ünï']) {
    const text = yamlScalar(s)
    assert.equal(parse(`v: ${text}`, { version: '1.1' }).v, s, `${JSON.stringify(s)} written as ${text}`)
  }
})

test('ordinary values stay plain', () => {
  for (const s of ['3.4.0', '99-worker-sigstore-imagepolicies', '/etc/containers/policy.json', 'data:text/plain;charset=utf-8;base64,ZG9j+a/b==', 'machineconfiguration.openshift.io/role']) {
    assert.equal(yamlScalar(s), s)
  }
})

test('block output reads back to the same value, YAML 1.1 and 1.2 alike', () => {
  const value = {
    apiVersion: 'machineconfiguration.openshift.io/v1',
    kind: 'MachineConfig',
    metadata: { name: '99-worker-x', labels: { 'machineconfiguration.openshift.io/role': 'worker' }, annotations: { a: 'true', b: 'yes' } },
    spec: {
      config: {
        ignition: { version: '3.4.0' },
        storage: { files: [{ overwrite: true, path: '/etc/a', contents: { compression: '', source: 'data:x' }, mode: 420 }, { path: '/b', list: [[1, 2], [], {}] }] },
      },
      empty: {},
      none: [],
      nested: [{ a: [{ b: 1 }] }],
    },
  }
  const text = emitYaml(value)
  assert.deepEqual(parse(text, { version: '1.1' }), value)
  assert.deepEqual(parse(text), value)
  assert.ok(text.includes('      files:\n      - overwrite: true\n        path: /etc/a\n'), text)
})

test('matches the yaml package layout for a MachineConfig', () => {
  const value = { a: { b: [{ c: 1, d: 'x' }], e: '' }, f: 420 }
  assert.equal(emitYaml(value), stringify(value, { indentSeq: false }))
})

test('multi-line strings become literal blocks that read back exactly', () => {
  for (const s of ['a\nb', 'a\nb\n', 'a\n\nb\n\n', 'sha  /etc/x\nsha2  /etc/y', ' leading\nspace', 'tab\there\nx', 'cr\r\nlf']) {
    const text = emitYaml({ k: { v: s } })
    assert.deepEqual(parse(text), { k: { v: s } }, JSON.stringify(s))
  }
  assert.equal(emitYaml({ v: 'a\nb' }), 'v: |-\n  a\n  b\n')
})
