// Explain (src/explain): containers/image's lookup order, registries.d's
// sigstore-attachments lookup, requirements in words, and the CLI contract.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { describeSignedIdentity } from '../src/explain/describe-requirement.ts'
import { explainImage, type Explanation } from '../src/explain/explain.ts'
import {
  lookupRequirements,
  lookupSigstoreAttachments,
  parseImageReference,
  parseRegistriesD,
  type ImageReference,
  type SignaturePolicy,
} from '../src/explain/policy-lookup.ts'
import { parseReference } from '../src/upstream/docker-reference.ts'
import { run } from '../src/run.ts'
import { runCli } from './run-cli.ts'
import { cip, imageConfig, ip, KEY_SHA256, namespace, RELEASE_KEY, RELEASE_KEY_SHA256, stream } from './fixtures/review/resources.ts'

function image(text: string): ImageReference {
  const r = parseImageReference(text)
  assert.ok('value' in r, JSON.stringify(r))
  return r.value
}

test('references: normalization, identity and the namespaces searched (DockerReferenceNamespaces)', () => {
  const cases: readonly [string, string, readonly string[]][] = [
    ['busybox', 'docker.io/library/busybox:latest', ['docker.io/library/busybox', 'docker.io/library', 'docker.io', '*.io']],
    ['a.b.example.com/ns/repo:v1', 'a.b.example.com/ns/repo:v1', ['a.b.example.com/ns/repo', 'a.b.example.com/ns', 'a.b.example.com', '*.b.example.com', '*.example.com', '*.com']],
    // The port stays on the host entry and is stripped for the wildcards.
    ['example.com:5000/ns/repo:v1', 'example.com:5000/ns/repo:v1', ['example.com:5000/ns/repo', 'example.com:5000/ns', 'example.com:5000', '*.com']],
    ['localhost/app', 'localhost/app:latest', ['localhost/app', 'localhost']],
    [`quay.io/org/app@sha256:${'d'.repeat(64)}`, `quay.io/org/app@sha256:${'d'.repeat(64)}`, ['quay.io/org/app', 'quay.io/org', 'quay.io', '*.io']],
  ]
  for (const [text, identity, namespaces] of cases) {
    const r = image(text)
    assert.equal(r.identity, identity, text)
    assert.deepEqual(r.namespaces, namespaces, text)
  }
})

test('references: docker:// is accepted, a tag beside a digest is dropped, bad references are errors', () => {
  const digest = `sha256:${'e'.repeat(64)}`
  assert.equal(image('docker://quay.io/org/app:v1').identity, 'quay.io/org/app:v1')
  const both = image(`quay.io/org/app:v1@${digest}`)
  assert.equal(both.identity, `quay.io/org/app@${digest}`)
  assert.match(both.notes.join('\n'), /the tag :v1 is ignored/)
  assert.match(image('docker.io/busybox').notes.join('\n'), /docker\.io\/busybox is read as docker\.io\/library\/busybox/)
  const bad = parseImageReference('Quay.io/Org/App')
  assert.ok('error' in bad)
  assert.match(bad.error, /repository name must be lowercase/)
})

const req = (name: string) => [{ type: 'sigstoreSigned', keyData: name }]
function policyWith(scopes: readonly string[]): SignaturePolicy {
  return { default: [{ type: 'reject' }], transports: new Map([['docker', new Map(scopes.map((s) => [s, req(s)]))]]) }
}

test('lookup order: full reference, repository, parent namespaces, host, wildcards from the most specific, "", then default', () => {
  const ref = image('a.b.example.com/ns/repo:v1')
  const order = ['a.b.example.com/ns/repo:v1', 'a.b.example.com/ns/repo', 'a.b.example.com/ns', 'a.b.example.com', '*.b.example.com', '*.example.com', '*.com', '']
  for (let i = 0; i < order.length; i++) {
    const match = lookupRequirements(policyWith(order.slice(i)), ref)
    assert.equal(match.scope, order[i], `with scopes from ${order[i]}`)
    assert.deepEqual(match.searched, order.slice(0, i + 1))
  }
  const none = lookupRequirements(policyWith(['other.example.com']), ref)
  assert.equal(none.scope, undefined)
  assert.deepEqual(none.requirements, [{ type: 'reject' }])
  // Another transport's scopes do not count.
  const atomicOnly: SignaturePolicy = { default: [{ type: 'insecureAcceptAnything' }], transports: new Map([['atomic', new Map([['a.b.example.com', req('x')]])]]) }
  assert.equal(lookupRequirements(atomicOnly, ref).scope, undefined)
})

test('registries.d: the first key that sets use-sigstore-attachments decides; a key without it does not stop the search', () => {
  const config = parseRegistriesD(
    'default-docker:\n  use-sigstore-attachments: false\ndocker:\n  quay.io/org:\n    lookaside: https://example.com\n  "*.io":\n    use-sigstore-attachments: true\n  quay.io/org/other:\n    use-sigstore-attachments: false\n',
  )!
  assert.deepEqual(lookupSigstoreAttachments(config, image('quay.io/org/app:v1')), { enabled: true, key: '*.io' })
  assert.deepEqual(lookupSigstoreAttachments(config, image('quay.io/org/other:v1')), { enabled: false, key: 'quay.io/org/other' })
  assert.deepEqual(lookupSigstoreAttachments(config, image('example.com/x:v1')), { enabled: false, key: 'default-docker' })
  assert.deepEqual(lookupSigstoreAttachments(parseRegistriesD('docker: {}\n')!, image('example.com/x:v1')), { enabled: false })
})

test('identity rules in words, made concrete for the image', () => {
  const tagged = parseReference('quay.io/org/app:v1')
  const digested = parseReference(`quay.io/org/app@sha256:${'f'.repeat(64)}`)
  assert.ok('value' in tagged && 'value' in digested)
  assert.equal(describeSignedIdentity({ type: 'matchRepoDigestOrExact' }, tagged.value).text, 'the signature must name exactly quay.io/org/app:v1')
  assert.match(describeSignedIdentity({ type: 'matchRepoDigestOrExact' }, digested.value).text, /repository quay\.io\/org\/app \(any tag or digest/)
  assert.equal(describeSignedIdentity({ type: 'matchRepository' }, tagged.value).text, 'the signature must name the repository quay.io/org/app (any tag)')
  assert.equal(
    describeSignedIdentity({ type: 'remapIdentity', prefix: 'quay.io/org', signedPrefix: 'registry.example.com/mirror' }, tagged.value).text,
    'quay.io/org is remapped to registry.example.com/mirror: the signature must name exactly registry.example.com/mirror/app:v1',
  )
  // The prefix matches whole path components only.
  assert.match(describeSignedIdentity({ type: 'remapIdentity', prefix: 'quay.io/or', signedPrefix: 'x.example.com' }, tagged.value).text, /not under the prefix/)
})

const input = stream(
  imageConfig(),
  cip('release', ['quay.io/openshift-release-dev'], { key: RELEASE_KEY }),
  cip('example', ['*.example.com']),
  namespace('team-a'),
  ip('team-a', 'apps', ['registry.internal.io/team-a', 'apps.example.com/team-a'], { matchPolicy: 'MatchRepository' }),
)

function explain(img: string, ns?: string): Explanation {
  const result = run({ inputs: [{ text: input }], flags: { targetRelease: '4.19' } })
  assert.equal(result.exitCode, 0, result.issues.map((i) => i.message).join('\n'))
  const e = explainImage({ files: result.files, policies: result.policies, conflicts: result.conflicts, image: img, ...(ns !== undefined ? { namespace: ns } : {}) })
  assert.ok('value' in e, JSON.stringify(e))
  return e.value
}

test('explain: a namespace with its own file, its ImagePolicy scope, the key fingerprint and attachments', () => {
  const e = explain('registry.internal.io/team-a/app:v1', 'team-a')
  assert.equal(e.file, '/etc/crio/policies/team-a.json')
  assert.equal(e.scope, 'registry.internal.io/team-a')
  assert.deepEqual(e.sources, ['ImagePolicy team-a/apps'])
  assert.equal(e.verdict, 'signature-required')
  assert.deepEqual(e.requirements[0]!.keys, [{ role: 'signing key', sha256: KEY_SHA256, algorithm: 'ECDSA P-256' }])
  assert.equal(e.requirements[0]!.signedIdentity?.text, 'the signature must name the repository registry.internal.io/team-a/app (any tag)')
  assert.deepEqual(e.sigstoreAttachments, { enabled: true, key: 'registry.internal.io/team-a', file: '/etc/containers/registries.d/sigstore-registries.yaml' })
  assert.deepEqual(e.lostScopes, [])
})

test('explain: an ImagePolicy scope that lost to a cluster scope is reported, with why', () => {
  const e = explain('apps.example.com/team-a/web:v2', 'team-a')
  assert.equal(e.scope, '*.example.com')
  assert.deepEqual(e.sources, ['ClusterImagePolicy example'])
  assert.deepEqual(e.lostScopes, [{ policy: 'ImagePolicy team-a/apps', scope: 'apps.example.com/team-a', clusterScopes: [{ scope: '*.example.com', policies: ['ClusterImagePolicy example'] }] }])
})

test('explain: a namespace without its own file falls back to policy.json', () => {
  const e = explain('quay.io/openshift-release-dev/ocp-release:4.18.1-x86_64', 'team-b')
  assert.equal(e.file, '/etc/containers/policy.json')
  assert.match(e.fileReason, /no \/etc\/crio\/policies\/team-b\.json is written/)
  assert.equal(e.scope, 'quay.io/openshift-release-dev')
  assert.equal(e.requirements[0]!.keys[0]!.sha256, RELEASE_KEY_SHA256)
})

test('explain: nothing matches, the default applies', () => {
  const e = explain('busybox')
  assert.equal(e.scope, null)
  assert.equal(e.verdict, 'accepted')
  assert.equal(e.reference, 'docker.io/library/busybox:latest')
  assert.deepEqual(e.sigstoreAttachments.key, null)
})

test('explain: a required signature without sigstore attachments is called out', () => {
  const files = [
    { path: '/etc/containers/policy.json', contents: JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }], transports: { docker: { 'quay.io/x': [{ type: 'sigstoreSigned', keyData: 'eA==', signedIdentity: { type: 'matchRepoDigestOrExact' } }] } } }) },
  ]
  const e = explainImage({ files, policies: [], conflicts: [], image: 'quay.io/x/y:1' })
  assert.ok('value' in e)
  assert.match(e.value.notes.join('\n'), /sigstore attachments are not read for this image/)
  assert.match(e.value.requirements[0]!.keys[0]!.algorithm, /not a PEM public key/)
})

test('explain CLI: --output json is the Explanation; text names file, scope and verdict', async () => {
  const json = await runCli(['explain', '--target-release', '4.19', 'registry.internal.io/team-a/app:v1', '--namespace', 'team-a', '--output', 'json'], input)
  assert.equal(json.code, 0, json.stderr)
  const parsed = JSON.parse(json.stdout) as Explanation
  assert.deepEqual(Object.keys(parsed), [
    'image',
    'reference',
    'namespace',
    'file',
    'fileReason',
    'fileWritten',
    'transport',
    'scope',
    'searched',
    'sources',
    'verdict',
    'requirements',
    'sigstoreAttachments',
    'lostScopes',
    'notes',
  ])
  assert.equal(parsed.scope, 'registry.internal.io/team-a')
  const text = await runCli(['explain', '--target-release', '4.19', 'apps.example.com/team-a/web:v2', '-n', 'team-a'], input)
  assert.equal(text.code, 0, text.stderr)
  assert.match(text.stdout, /^image: {6}apps\.example\.com\/team-a\/web:v2\n/)
  assert.match(text.stdout, /\nscope: {6}\*\.example\.com\n/)
  assert.match(text.stdout, /\nlost: {7}ImagePolicy team-a\/apps scope apps\.example\.com\/team-a was dropped/)
})

test('explain CLI: usage and input errors', async () => {
  assert.equal((await runCli(['explain', '--target-release', '4.19'], input)).code, 2)
  const bad = await runCli(['explain', '--target-release', '4.19', 'Bad/Image'], input)
  assert.equal(bad.code, 2)
  assert.match(bad.stderr, /invalid image reference/)
  assert.equal((await runCli(['explain', '--target-release', '4.19', 'busybox', '--output', 'yaml'], input)).code, 2)
  const failed = await runCli(['explain', '--target-release', '4.19', 'busybox'], stream(imageConfig({ allowedRegistries: ['a.example.com'] }), cip('x', ['b.example.com'])))
  assert.equal(failed.code, 1)
  assert.match(failed.stderr, /^error /m)
  const help = await runCli(['explain', '--target-release', '4.19', '--help'])
  assert.equal(help.code, 0)
  assert.match(help.stdout, /^imagepolicy-mc explain IMAGE/)
})
