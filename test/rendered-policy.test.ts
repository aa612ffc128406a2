// The review reads the policy each file was rendered from (render/policy-json.ts
// `renderedPolicy`) instead of parsing the file back (issue 16): that value must
// be what `parseSignaturePolicy` of the file's text gives, maps in the same key
// order, for every conformance case and for seeded generated inputs (test/prng.ts);
// likewise the keys of sigstore-registries.yaml, which explain reads.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseRegistriesD, parseSignaturePolicy } from '../src/explain/policy-lookup.ts'
import type { NodeFile } from '../src/model.ts'
import { CRIO_POLICIES_DIR, POLICY_JSON_PATH, renderedPolicy } from '../src/render/policy-json.ts'
import { renderedSigstoreKeys, SIGSTORE_REGISTRIES_PATH } from '../src/render/sigstore-registries-yaml.ts'
import { type Case, caseInput, caseNames, readCase, renderCase } from './conformance-cases.ts'
import { prng } from './prng.ts'

const isPolicyFile = (f: NodeFile) => f.path === POLICY_JSON_PATH || (f.path.startsWith(`${CRIO_POLICIES_DIR}/`) && f.path.endsWith('.json'))

/** Map key order is compared too: deepStrictEqual ignores it, so compare the entries as arrays. */
function plain(policy: ReturnType<typeof parseSignaturePolicy>): unknown {
  if (policy === undefined) return undefined
  return { default: policy.default, transports: [...policy.transports].map(([name, scopes]) => [name, [...scopes]]) }
}

function checkFiles(files: readonly NodeFile[], label: string): number {
  let n = 0
  // sigstore-registries.yaml: the keys handed over are the ones parsing the file gives, each with attachments on.
  for (const file of files.filter((f) => f.path === SIGSTORE_REGISTRIES_PATH)) {
    const keys = renderedSigstoreKeys(file)
    assert.notEqual(keys, undefined, `${label} ${file.path}: the renderer hands over its keys`)
    assert.deepStrictEqual(new Map(keys!.map((k) => [k, { useSigstoreAttachments: true }])), parseRegistriesD(file.contents)?.docker, `${label} ${file.path}`)
    n++
  }
  for (const file of files.filter(isPolicyFile)) {
    const handed = renderedPolicy(file)
    assert.notEqual(handed, undefined, `${label} ${file.path}: the renderer hands over its policy`)
    assert.deepStrictEqual(plain(handed), plain(parseSignaturePolicy(file.contents)), `${label} ${file.path}`)
    n++
  }
  return n
}

test('rendered policy: every conformance case hands over what parsing its files gives', () => {
  let checked = 0
  for (const name of caseNames()) {
    const input = caseInput(readCase(name))
    for (const ordered of [false, true]) checked += checkFiles(renderCase({ ...input, ordered }).files, name)
  }
  assert.ok(checked > 100, `policy files checked: ${checked}`)
})

const KEY =
  'LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0KTUZrd0V3WUhLb1pJemowQ0FRWUlLb1pJemowREFRY0RRZ0FFSXEzTW8rbWlNMVVnM0FONGE2ZWJKWlkvcFZCeApGaWNJWmFjSFZKd2dNS2pEMlYxUVFMbWxhN0thQk1JWmtHUUhoU0Vtc2hLNzh1N2F3ZTh2bFZBVzZ3PT0KLS0tLS1FTkQgUFVCTElDIEtFWS0tLS0tCg=='
const HOSTS = ['a.com', 'b.io', 'c.example.com', 'localhost:5000', 'quay.io', 'docker.io', '10.0.0.1', '*.d.org', '*.example.com', 'registry.redhat.io']
const PATHS = ['', '/x', '/x/y', '/x/y/z', '/ns/repo', '/a/b/c/d', '/1', '/0/9']
const NAMESPACES = ['ns', 'ns2', 'default', 'a-b', 'z', '0', '12', 'openshift-config']

test('rendered policy: seeded generated inputs hand over what parsing their files gives', () => {
  let checked = 0
  for (let seed = 1; seed <= 200; seed++) {
    const r = prng(seed)
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!
    const scope = () => `${pick(HOSTS)}${pick(PATHS)}`
    const scopes = () => [...new Set(Array.from({ length: 1 + Math.floor(r() * 4) }, scope))]
    const policy = (kind: string, name: string, namespace?: string) => ({
      apiVersion: 'config.openshift.io/v1',
      kind,
      metadata: { name, ...(namespace !== undefined ? { namespace } : {}) },
      spec: {
        scopes: scopes(),
        policy: {
          rootOfTrust: { policyType: 'PublicKey', publicKey: { keyData: KEY } },
          ...(r() < 0.3 ? { signedIdentity: { matchPolicy: 'MatchRepository' } } : {}),
        },
      },
    })
    const c: Case = {
      clusterImagePolicies: Array.from({ length: Math.floor(r() * 3) }, (_, i) => policy('ClusterImagePolicy', `c${i}`)),
      imagePolicies: Array.from({ length: Math.floor(r() * 6) }, (_, i) => policy('ImagePolicy', `p${i}`, pick(NAMESPACES))),
      ...(r() < 0.2 ? { allowedRegistries: [...new Set([pick(HOSTS), pick(HOSTS), 'quay.io'])] } : {}),
      ...(r() < 0.2 ? { blockedRegistries: [...new Set([pick(HOSTS)])] } : {}),
    }
    checked += checkFiles(renderCase({ ...caseInput(c), ordered: r() < 0.5 }).files, `seed ${seed}`)
  }
  assert.ok(checked > 200, `policy files checked: ${checked}`)
})
