import assert from 'node:assert/strict'
import { test } from 'node:test'
import { checkOptions, decodeFunctionConfig, DEFAULT_OPTIONS, machineConfigName, mergeOptions } from './options.ts'

test('ImagePolicyRenderer spec and ConfigMap data give the same options', () => {
  const fromSpec = decodeFunctionConfig({
    apiVersion: 'imagepolicy-mc/v1alpha1',
    kind: 'ImagePolicyRenderer',
    spec: { pools: ['worker', 'infra'], emitPolicies: false, ignitionVersion: '3.5.0', strict: true },
  })
  const fromConfigMap = decodeFunctionConfig({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    data: { pools: 'worker,infra', emitPolicies: 'false', ignitionVersion: '3.5.0', strict: 'true' },
  })
  assert.deepEqual(fromSpec.issues, [])
  assert.deepEqual(fromConfigMap.issues, [])
  assert.deepEqual(fromSpec.value, fromConfigMap.value)
  assert.deepEqual(fromSpec.value, { pools: ['worker', 'infra'], emitPolicies: false, ignitionVersion: '3.5.0', strict: true })
})

test('bad option values and unknown keys are errors naming the key', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ignitionVersion: '3.6.0' }, /ignitionVersion: must be one of 3\.1\.0/],
    [{ validate: 'maybe' }, /validate: must be one of strict, warn, ignore/],
    [{ pools: [] }, /pools: at least one pool is required/],
    [{ pools: ['Worker'] }, /pools: invalid pool name/],
    [{ emitPolicies: 'perhaps' }, /emitPolicies: must be true or false/],
    [{ colour: 'blue' }, /colour: unknown option/],
  ]
  for (const [spec, message] of cases) {
    const { issues } = decodeFunctionConfig({ apiVersion: 'imagepolicy-mc/v1alpha1', kind: 'ImagePolicyRenderer', spec })
    assert.equal(issues.length, 1, JSON.stringify(spec))
    assert.match(issues[0]!.message, message)
    assert.equal(issues[0]!.severity, 'error')
  }
})

test('a functionConfig of another kind is refused', () => {
  const { issues } = decodeFunctionConfig({ apiVersion: 'v1', kind: 'Secret' })
  assert.match(issues[0]!.message, /functionConfig must be apiVersion: imagepolicy-mc\/v1alpha1, kind: ImagePolicyRenderer or a ConfigMap/)
})

test('later layers win', () => {
  const options = mergeOptions({ pools: ['a'], strict: true }, { pools: ['b'] })
  assert.deepEqual(options.pools, ['b'])
  assert.equal(options.strict, true)
  assert.equal(options.name, DEFAULT_OPTIONS.name)
})

test('names: {pool} is replaced; collisions are errors; a name sorting before MCO warns', () => {
  assert.equal(machineConfigName(DEFAULT_OPTIONS, 'worker'), '99-worker-sigstore-imagepolicies')
  assert.deepEqual(checkOptions(DEFAULT_OPTIONS), [])
  const collide = checkOptions(mergeOptions({ name: 'same-name' }))
  assert.ok(collide.some((i) => i.severity === 'error' && /names would collide/.test(i.message)))
  // A pool given twice is named as such, not blamed on the name (which does contain {pool}).
  const twice = checkOptions(mergeOptions({ pools: ['worker', 'master', 'worker'] }))
  assert.deepEqual(twice.map((i) => i.message), ['pools: "worker" is given more than once (one MachineConfig per pool)'])
  const early = checkOptions(mergeOptions({ name: '50-{pool}-signatures' }))
  assert.deepEqual(
    early.map((i) => i.severity),
    ['warning', 'warning'],
  )
  assert.match(early[0]!.message, /sorts before MCO's "99-master-generated-registries"/)
  const invalid = checkOptions(mergeOptions({ name: 'Bad_Name-{pool}' }))
  assert.ok(invalid.some((i) => /not a valid MachineConfig name/.test(i.message)))
})
