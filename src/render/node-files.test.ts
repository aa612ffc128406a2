import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { PolicyResource } from '../model.ts'
import { resolve } from '../resolve/resolve.ts'
import { renderNodeFiles } from './node-files.ts'

const KEY = Buffer.from('-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n').toString('base64')

function imagePolicy(namespace: string, scopes: string[]): PolicyResource {
  return {
    ref: { apiVersion: 'config.openshift.io/v1', kind: 'ImagePolicy', name: 'p', namespace },
    kind: 'ImagePolicy',
    name: 'p',
    namespace,
    generation: 1,
    scopes,
    policy: { rootOfTrust: { policyType: 'PublicKey', publicKey: { keyData: KEY } } },
  }
}

const base = { sources: {}, mirrors: { imageContentSourcePolicies: [], imageDigestMirrorSets: [], imageTagMirrorSets: [] }, releaseImage: 'quay.io/openshift-release-dev/ocp-release', ordered: true }

test('a namespace that is not a DNS-1123 label never reaches a node path', () => {
  for (const namespace of ['../etc', 'a/b', 'UPPER', '', 'x'.repeat(64)]) {
    const out = resolve({ ...base, policies: [imagePolicy(namespace, ['example.com'])] })
    assert.equal(out.value, undefined, namespace)
    assert.equal(out.issues.length, 1)
    assert.match(out.issues[0]!.message, /is not a valid DNS-1123 label/)
  }
})

test('namespace files: one per namespace with non-conflicting scopes, sorted', () => {
  const resolved = resolve({ ...base, policies: [imagePolicy('zeta', ['z.example.com']), imagePolicy('alpha', ['a.example.com'])] })
  assert.deepEqual(resolved.issues, [])
  const out = renderNodeFiles(resolved.value!)
  assert.deepEqual(
    out.files.map((f) => f.path),
    ['/etc/containers/policy.json', '/etc/containers/registries.d/sigstore-registries.yaml', '/etc/crio/policies/alpha.json', '/etc/crio/policies/zeta.json'],
  )
})
