// Guardrails (src/review): each rule fires where it should, names the resource
// and field, stays quiet where it should not, and fails the run with --strict.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Issue } from '../src/issues.ts'
import { formatResource, toFieldPath } from '../src/issues.ts'
import { probeImages, scopeShape } from '../src/review/shadowed-scopes.ts'
import { releaseReferences, writtenFor } from '../src/review/release-payload.ts'
import { declaredNamespaces } from '../src/review/guardrails.ts'
import { run } from '../src/run.ts'
import { cip, configMap, imageConfig, ip, namespace, stream } from './fixtures/review/resources.ts'

function render(text: string, flags: Parameters<typeof run>[0]['flags'] = {}) {
  return run({ inputs: [{ text }], flags: { targetRelease: '4.19', ...flags } })
}

/** The guardrail issues as `severity where: message-fragment` lines, for whole-list comparisons. */
function guardrails(text: string, flags: Parameters<typeof run>[0]['flags'] = {}): Issue[] {
  const result = render(text, flags)
  assert.ok(!result.issues.some((i) => i.severity === 'error' && i.code !== 'guardrail'), result.issues.map((i) => i.message).join('\n'))
  return result.issues.filter((i) => i.code === 'guardrail')
}

function at(i: Issue): string {
  return `${i.severity} ${i.resource !== undefined ? formatResource(i.resource) : '-'} ${toFieldPath(i.path)}`
}

const withImage = (...docs: string[]) => stream(imageConfig(), ...docs)

test('release payload: a host scope that captures quay.io/openshift-release-dev warns on that scope', () => {
  const issues = guardrails(withImage(cip('quay-all', ['registry.example.com', 'quay.io'])))
  assert.deepEqual(issues.map(at), ['warning ClusterImagePolicy quay-all spec.scopes[1]'])
  assert.match(issues[0]!.message, /^scope quay\.io captures the OpenShift release images \(quay\.io\/openshift-release-dev\/ocp-release, quay\.io\/openshift-release-dev\/ocp-v4\.0-art-dev\) in \/etc\/containers\/policy\.json/)
})

test('release payload: a wildcard captures them too', () => {
  const issues = guardrails(withImage(cip('all-io', ['*.io'])))
  assert.deepEqual(issues.map(at), ['warning ClusterImagePolicy all-io spec.scopes[0]'])
})

test('release payload: scopes written for the release repositories are fine', () => {
  assert.deepEqual(guardrails(withImage(cip('release', ['quay.io/openshift-release-dev']), cip('payload', ['quay.io/openshift-release-dev/ocp-release']))).filter((i) => /release images/.test(i.message)), [])
})

test('release payload: allowedRegistries that do not cover them warn on the Image config', () => {
  const issues = guardrails(stream(imageConfig({ allowedRegistries: ['registry.example.com'] }), cip('app', ['registry.example.com/app'])))
  assert.deepEqual(issues.map(at), ['warning Image cluster spec.registrySources.allowedRegistries'])
  assert.match(issues[0]!.message, /^allowedRegistries does not cover the OpenShift release images .*: the policy default rejects them/)
})

test('release payload: allowedRegistries that cover them are fine', () => {
  const issues = guardrails(stream(imageConfig({ allowedRegistries: ['registry.example.com', 'quay.io/openshift-release-dev'] }), cip('app', ['registry.example.com/app'])))
  assert.deepEqual(issues, [])
})

test('release payload: a blocked component repository warns on that entry', () => {
  const issues = guardrails(stream(imageConfig({ blockedRegistries: ['evil.example.com', 'quay.io/openshift-release-dev/ocp-v4.0-art-dev'] })))
  assert.deepEqual(issues.map(at), ['warning Image cluster spec.registrySources.blockedRegistries[1]'])
  assert.match(issues[0]!.message, /^the blocked registry quay\.io\/openshift-release-dev\/ocp-v4\.0-art-dev rejects the OpenShift release images \(quay\.io\/openshift-release-dev\/ocp-v4\.0-art-dev\)/)
})

test('release payload: the configured release image is checked too (a mirror)', () => {
  const issues = guardrails(withImage(cip('mirror', ['mirror.example.com'])), { releaseImage: 'mirror.example.com/ocp4/release@sha256:' + 'a'.repeat(64) })
  assert.deepEqual(issues.map(at), ['warning ClusterImagePolicy mirror spec.scopes[0]'])
  assert.match(issues[0]!.message, /mirror\.example\.com\/ocp4\/release/)
  assert.deepEqual(guardrails(withImage(cip('mirror', ['mirror.example.com/ocp4'])), { releaseImage: 'mirror.example.com/ocp4/release:4.18' }), [])
})

test('release payload: ImagePolicies in platform namespaces are checked, others are not', () => {
  const issues = guardrails(withImage(namespace('openshift-foo'), ip('openshift-foo', 'all-quay', ['quay.io']), namespace('team-a'), ip('team-a', 'all-quay', ['quay.io'])))
  assert.deepEqual(issues.map(at), ['warning ImagePolicy openshift-foo/all-quay spec.scopes[0]'])
  assert.match(issues[0]!.message, /in \/etc\/crio\/policies\/openshift-foo\.json/)
})

test('writtenFor: inside the repository or its parent namespace, but not a bare host', () => {
  assert.equal(writtenFor('quay.io/openshift-release-dev', 'quay.io/openshift-release-dev/ocp-release'), true)
  assert.equal(writtenFor('quay.io/openshift-release-dev/ocp-release', 'quay.io/openshift-release-dev/ocp-release'), true)
  assert.equal(writtenFor('quay.io', 'quay.io/openshift-release-dev/ocp-release'), false)
  assert.equal(writtenFor('registry.local', 'registry.local/release'), false)
  assert.deepEqual(
    releaseReferences('quay.io/openshift-release-dev/ocp-release:4.18.1-x86_64').map((r) => r.identity),
    [
      `quay.io/openshift-release-dev/ocp-release@sha256:${'0'.repeat(64)}`,
      `quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:${'0'.repeat(64)}`,
      'quay.io/openshift-release-dev/ocp-release:4.18.1-x86_64',
    ],
  )
})

test('no Image config: warns once when policy.json is written, also for the raw template', () => {
  const expected = ['warning - ']
  assert.deepEqual(guardrails(stream(cip('app', ['registry.example.com']))).map(at), expected)
  assert.match(guardrails(stream(cip('app', ['registry.example.com'])))[0]!.message, /^no Image "cluster" \(config\.openshift\.io\/v1\) in the input, but \/etc\/containers\/policy\.json is written: .*add the cluster's Image config to the stream/)
  assert.deepEqual(guardrails(stream(namespace('team-a'), ip('team-a', 'p', ['registry.example.com']))).map(at), expected)
  assert.deepEqual(guardrails(withImage(cip('app', ['registry.example.com']))), [])
  // No policies at all: no policy.json, nothing to override.
  assert.deepEqual(guardrails(stream(configMap('default', 'x'))), [])
})

test('reserved name: ClusterImagePolicy names starting with openshift', () => {
  const issues = guardrails(withImage(cip('openshift-custom', ['registry.example.com']), cip('my-openshift', ['registry.example.org'])))
  assert.deepEqual(issues.map(at), ['warning ClusterImagePolicy openshift-custom metadata.name'])
  assert.match(issues[0]!.message, /reserved by OpenShift/)
})

test('shadowed: a scope that normalization sends to another policy\'s scope no longer matches anything', () => {
  const issues = guardrails(withImage(cip('nginx', ['docker.io/library/nginx']), cip('nginx-125', ['docker.io/nginx:1.25'])))
  assert.deepEqual(issues.map(at), ['warning ClusterImagePolicy nginx-125 spec.scopes[0]'])
  assert.equal(
    issues[0]!.message,
    'scope docker.io/nginx:1.25 no longer matches anything cluster-wide: the images it is written for (docker.io/library/nginx:1.25) are all governed by the scope docker.io/library/nginx of ClusterImagePolicy nginx instead',
  )
})

test('shadowed: a scope nothing selects, and a repository scope its own image misses', () => {
  const digest = `sha256:${'b'.repeat(64)}`
  const issues = guardrails(withImage(cip('both', [`registry.example.com/app:v1@${digest}`]), cip('short', ['docker.io/nginx:1.25']), cip('busybox', ['docker.io/busybox'])))
  assert.deepEqual(issues.map(at), ['warning ClusterImagePolicy both spec.scopes[0]', 'warning ClusterImagePolicy busybox spec.scopes[0]', 'warning ClusterImagePolicy short spec.scopes[0]'])
  assert.match(issues[2]!.message, /^scope docker\.io\/nginx:1\.25 never matches: image references are normalized \(docker\.io\/library\/nginx:1\.25\)/)
  assert.match(issues[0]!.message, /never both/)
  assert.match(issues[1]!.message, /write docker\.io\/library\/busybox instead/)
})

test('shadowed: a more specific scope of another policy takes part of a scope (info, not a warning)', () => {
  const issues = guardrails(withImage(cip('wide', ['registry.example.com']), cip('narrow', ['registry.example.com/team'])))
  assert.deepEqual(issues.map(at), ['info ClusterImagePolicy wide spec.scopes[0]'])
  assert.equal(
    issues[0]!.message,
    'scope registry.example.com does not govern images under registry.example.com/team cluster-wide: the more specific scope of ClusterImagePolicy narrow does, and requirements of nested scopes are not combined',
  )
  // --strict fails on warnings only: an info keeps the run green.
  assert.equal(render(withImage(cip('wide', ['registry.example.com']), cip('narrow', ['registry.example.com/team'])), { strict: true }).exitCode, 0)
})

test('shadowed: an ImagePolicy scope with a tag escapes MCO\'s conflict check and overrides the cluster scope', () => {
  const issues = guardrails(withImage(cip('app', ['registry.example.com/app']), namespace('team-a'), ip('team-a', 'pinned', ['registry.example.com/app:v2'])))
  assert.deepEqual(issues.map(at), ['warning ImagePolicy team-a/pinned spec.scopes[0]'])
  assert.match(issues[0]!.message, /^scope registry\.example\.com\/app:v2 overrides the cluster scope registry\.example\.com\/app of ClusterImagePolicy app for pods in team-a/)
})

test('shadowed: an allowedRegistries entry inside a policy scope lets unsigned images in', () => {
  const issues = guardrails(
    stream(imageConfig({ allowedRegistries: ['registry.example.com', 'registry.example.com/sandbox', 'quay.io/openshift-release-dev'] }), cip('signed', ['registry.example.com'])),
  )
  assert.deepEqual(issues.map(at), ['warning ClusterImagePolicy signed spec.scopes[0]'])
  assert.match(issues[0]!.message, /^images under the allowedRegistries entry registry\.example\.com\/sandbox are accepted without any signature cluster-wide/)
})

test('probe images per scope shape', () => {
  assert.deepEqual(
    ['*.example.com', 'example.com:5000', 'example.com/a', 'example.com/a:v1', `example.com/a:v1@sha256:${'c'.repeat(64)}`, 'Example.com/A'].map((s) => [scopeShape(s), probeImages(s)]),
    [
      ['wildcard', ['imagepolicy-mc-probe.example.com/imagepolicy-mc-probe:imagepolicy-mc-probe']],
      ['host', ['example.com:5000/imagepolicy-mc-probe:imagepolicy-mc-probe']],
      ['repository', ['example.com/a:imagepolicy-mc-probe', 'example.com/a/imagepolicy-mc-probe:imagepolicy-mc-probe']],
      ['image', ['example.com/a:v1']],
      ['tag-and-digest', []],
      ['invalid', []],
    ],
  )
})

test('undeclared namespace: only a namespace nothing else declares warns, on each ImagePolicy that writes its file', () => {
  const issues = guardrails(
    withImage(
      namespace('team-a'),
      ip('team-a', 'a', ['registry.example.com/a']),
      configMap('team-b', 'settings'),
      ip('team-b', 'b', ['registry.example.com/b']),
      ip('team-typo', 'c', ['registry.example.com/c']),
      ip('team-typo', 'd', ['registry.example.com/d']),
      ip('openshift-monitoring', 'e', ['registry.example.com/e']),
      ip('default', 'f', ['registry.example.com/f']),
    ),
  )
  assert.deepEqual(issues.map(at), ['warning ImagePolicy team-typo/c metadata.namespace', 'warning ImagePolicy team-typo/d metadata.namespace'])
  assert.equal(
    issues[0]!.message,
    '/etc/crio/policies/team-typo.json is written for namespace "team-typo", which nothing else in the input declares (no Namespace object, no other resource in it): if the name is a typo, this policy never applies to any pod',
  )
})

test('undeclared namespace: ImagePolicies do not declare their own namespace; Namespaces, Projects and other items do', () => {
  const values = [
    { kind: 'ImagePolicy', metadata: { name: 'p', namespace: 'only-policy' } },
    { kind: 'Namespace', metadata: { name: 'ns' } },
    { apiVersion: 'project.openshift.io/v1', kind: 'Project', metadata: { name: 'project' } },
    { kind: 'Secret', metadata: { name: 's', namespace: 'secret-ns' } },
  ]
  assert.deepEqual([...declaredNamespaces(values)].sort(), ['ns', 'project', 'secret-ns'])
})

test('--strict turns guardrail warnings into a failure, with nothing on stdout', () => {
  const text = withImage(cip('openshift-x', ['registry.example.com']))
  assert.equal(render(text).exitCode, 0)
  const strict = render(text, { strict: true })
  assert.equal(strict.exitCode, 1)
  assert.equal(strict.output, '')
  assert.deepEqual(strict.issues.map((i) => `${i.severity} ${i.code}`), ['warning guardrail'])
})

test('guardrails never run on a failed rendering', () => {
  const result = render(stream(imageConfig({ allowedRegistries: ['registry.example.com'] }), cip('openshift-x', ['other.example.com'])))
  assert.equal(result.exitCode, 1)
  assert.deepEqual(result.issues.filter((i) => i.code === 'guardrail'), [])
})
