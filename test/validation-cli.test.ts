// The error model end to end, through the CLI in-process: --validate modes, --strict,
// --allow-empty, stderr lines, KRM results and exit codes, with the validation
// fixtures in test/fixtures/validation/.

import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { parse, parseAllDocuments } from 'yaml'
import { runCli } from './run-cli.ts'

const DIR = 'test/fixtures/validation'
const fixture = (name: string): string => readFileSync(join(DIR, name), 'utf8')
const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64')
const KEY = b64(readFileSync(join(DIR, 'keys', 'ec-p256.pub.pem'), 'utf8'))

function kinds(stdout: string): string[] {
  return parseAllDocuments(stdout).map((d) => String((d.toJS() as { kind?: unknown } | null)?.kind))
}

function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('error '))
}

test('strict (the default) refuses a CRD violation with the API server words, prefixed by the resource', async () => {
  const out = await runCli(['--target-release', '4.19'], fixture('bad-scope.yaml'))
  assert.equal(out.code, 1)
  assert.equal(out.stdout, '', 'a stream with errors writes nothing')
  assert.deepEqual(errorLines(out.stderr), [
    "error ImagePolicy team-a/p1 spec.scopes[0]: Invalid value: \"string\": invalid image scope format, scope must contain a fully qualified domain name or 'localhost'",
    'error ImagePolicy team-a/p1 spec.scopes[0]: Invalid value: "string": invalid repository namespace or image specification in the image scope',
  ])
})

test('--validate=warn reports the same rules as warnings and renders anyway', async () => {
  const out = await runCli(['--target-release', '4.19', '--validate=warn'], fixture('bad-scope.yaml'))
  assert.equal(out.code, 0, out.stderr)
  assert.deepEqual(errorLines(out.stderr), [])
  assert.match(out.stderr, /^warning ImagePolicy team-a\/p1 spec\.scopes\[0\]: Invalid value: "string": invalid image scope format/m)
  assert.deepEqual(kinds(out.stdout), ['ImagePolicy', 'MachineConfig', 'MachineConfig'])
})

test('--validate=warn --strict: warnings fail the run', async () => {
  const out = await runCli(['--target-release', '4.19', '--validate=warn', '--strict'], fixture('bad-scope.yaml'))
  assert.equal(out.code, 1)
  assert.equal(out.stdout, '')
})

test('--validate=ignore skips the CRD rules', async () => {
  const out = await runCli(['--target-release', '4.19', '--validate=ignore'], fixture('bad-scope.yaml'))
  assert.equal(out.code, 0, out.stderr)
  assert.doesNotMatch(out.stderr, /Invalid value/)
})

test("MCO's own render-time errors stay errors in every mode", async () => {
  for (const mode of ['strict', 'warn', 'ignore']) {
    const out = await runCli(['--target-release', '4.19', `--validate=${mode}`], fixture('unknown-policy-type.yaml'))
    assert.equal(out.code, 1, mode)
    assert.equal(out.stdout, '', mode)
    if (mode === 'strict') {
      assert.match(out.stderr, /^error ClusterImagePolicy keyless spec\.policy\.rootOfTrust\.policyType: Unsupported value: "Keyless"/m)
    } else {
      // MCO's wording, from the renderer.
      assert.match(out.stderr, /^error ClusterImagePolicy keyless spec\.policy\.rootOfTrust\.policyType: exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio, and pki must be specified$/m, mode)
    }
  }
})

test('a namespace that would escape its node file path is an error in every mode', async () => {
  for (const mode of ['strict', 'warn', 'ignore']) {
    const out = await runCli(['--target-release', '4.19', `--validate=${mode}`], fixture('namespace-traversal.yaml'))
    assert.equal(out.code, 1, mode)
    assert.equal(out.stdout, '', mode)
    assert.match(out.stderr, /^error ImagePolicy \.\.\/\.\.\/etc\/p1 metadata\.namespace: Invalid value: "\.\.\/\.\.\/etc": a lowercase RFC 1123 label/m, mode)
    assert.doesNotMatch(out.stderr, /policies\/\.\./, 'no node file is named after it')
  }
})

test('a wrong type is an error in every mode (it cannot be read), with no stack trace', async () => {
  for (const mode of ['strict', 'warn', 'ignore']) {
    const out = await runCli(['--target-release', '4.19', `--validate=${mode}`], fixture('wrong-types.yaml'))
    assert.equal(out.code, 1, mode)
    assert.match(out.stderr, /^error ClusterImagePolicy types spec\.scopes: Invalid value: "integer": spec\.scopes in body must be of type array: "integer"$/m, mode)
    assert.doesNotMatch(out.stderr, /^ {4}at /m)
  }
})

test('garbage inside valid PEM markers is an error naming the field; in warn mode a warning', async () => {
  const strict = await runCli(['--target-release', '4.19'], fixture('garbage-key.yaml'))
  assert.equal(strict.code, 1)
  assert.match(strict.stderr, /^error ClusterImagePolicy garbage spec\.policy\.rootOfTrust\.publicKey\.keyData: the keyData PEM block 1 is not a valid public key: /m)
  const warn = await runCli(['--target-release', '4.19', '--validate=warn'], fixture('garbage-key.yaml'))
  assert.equal(warn.code, 0)
  assert.match(warn.stderr, /^warning ClusterImagePolicy garbage spec\.policy\.rootOfTrust\.publicKey\.keyData: the keyData PEM block 1 is not a valid public key/m)
})

test('a certificate warning never fails the run unless --strict', async () => {
  const plain = await runCli(['--target-release', '4.19'], fixture('leaf-as-ca.yaml'))
  assert.equal(plain.code, 0, plain.stderr)
  assert.match(plain.stderr, /^warning ImagePolicy team-a\/fulcio spec\.policy\.rootOfTrust\.fulcioCAWithRekor\.fulcioCAData: the fulcioCAData certificate 1 \(O=imagepolicy-mc tests, CN=Validation Test Leaf\) is not a CA certificate/m)
  assert.deepEqual(kinds(plain.stdout).filter((k) => k === 'MachineConfig').length, 2)
  const strict = await runCli(['--target-release', '4.19', '--strict'], fixture('leaf-as-ca.yaml'))
  assert.equal(strict.code, 1)
  assert.equal(strict.stdout, '')
})

test('Image: the name must be cluster (OpenShift admission); ignored by MCO otherwise', async () => {
  const input = `apiVersion: config.openshift.io/v1\nkind: Image\nmetadata:\n  name: clustr\nspec:\n  registrySources:\n    blockedRegistries: [bad.example.com]\n`
  const strict = await runCli(['--target-release', '4.19'], input)
  assert.equal(strict.code, 1)
  assert.match(strict.stderr, /^error Image clustr metadata\.name: Invalid value: "clustr": must be cluster$/m)
  const warn = await runCli(['--target-release', '4.19', '--validate=warn'], input)
  assert.equal(warn.code, 0, warn.stderr)
  assert.match(warn.stderr, /^warning Image clustr metadata\.name: Invalid value: "clustr": must be cluster$/m)
  assert.match(warn.stderr, /^info Image clustr: ignored: the only Image config MCO reads is the one named cluster$/m)
  const ignore = await runCli(['--target-release', '4.19', '--validate=ignore'], input)
  assert.equal(ignore.code, 0)
  assert.doesNotMatch(ignore.stderr, /must be cluster/)
  assert.match(ignore.stderr, /^info Image clustr: ignored/m)
  // Ignored means ignored: the blocked entry reaches no node file.
  assert.doesNotMatch(Buffer.from(ignore.stdout).toString(), /YmFkLmV4YW1wbGUuY29t/)
})

test('Image: allowed and blocked together is an API rule; MCO accepts it for the payload repository alone', async () => {
  const input = fixture('allowed-payload-and-blocked.yaml')
  const strict = await runCli(['--target-release', '4.19'], input)
  assert.equal(strict.code, 1)
  assert.match(strict.stderr, /^error Image cluster spec\.registrySources: Invalid value: "object": Only one of blockedRegistries or allowedRegistries may be set$/m)
  const warn = await runCli(['--target-release', '4.19', '--validate=warn', '--release-image', 'quay.io/openshift-release-dev/ocp-release@sha256:' + '1'.repeat(64)], input)
  assert.equal(warn.code, 0, warn.stderr)
  assert.match(warn.stderr, /^warning Image cluster spec\.registrySources: Invalid value: "object": Only one of/m)
})

test('Image: every registry entry in the form MCO accepts, each at its own path', async () => {
  const input = `apiVersion: config.openshift.io/v1\nkind: Image\nmetadata:\n  name: cluster\nspec:\n  registrySources:\n    insecureRegistries: ["*.ok.example.com", "a.*.example.com", ""]\n`
  const out = await runCli(['--target-release', '4.19'], input)
  assert.equal(out.code, 1)
  assert.deepEqual(errorLines(out.stderr), [
    'error Image cluster spec.registrySources.insecureRegistries[1]: invalid entry for insecure registries "a.*.example.com"',
    'error Image cluster spec.registrySources.insecureRegistries[2]: invalid entry for insecure registries ""',
  ])
})

test('a ResourceList gets the validation results, with resourceRef, field path and code', async () => {
  const out = await runCli(['--target-release', '4.19'], fixture('resourcelist-bad.yaml'))
  assert.equal(out.code, 1)
  const list = parse(out.stdout) as { kind: string; results: Record<string, unknown>[]; items: unknown[] }
  assert.equal(list.kind, 'ResourceList')
  assert.equal(list.items.length, 1, 'items unchanged')
  assert.deepEqual(list.results, [
    {
      message: 'Invalid value: "string": invalid repository or prefix in the signedIdentity, should not include the tag or digest',
      severity: 'error',
      resourceRef: { apiVersion: 'config.openshift.io/v1', kind: 'ImagePolicy', name: 'bad-identity', namespace: 'team-c' },
      field: { path: 'spec.policy.signedIdentity.remapIdentity.prefix' },
      tags: { code: 'cel' },
    },
  ])
})

test('the functionConfig can choose the mode (ConfigMap data, as kpt passes validate=warn)', async () => {
  const input = fixture('resourcelist-bad.yaml').replace('functionConfig: null', 'functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: fn}\n  data: {validate: warn}')
  const out = await runCli(['--target-release', '4.19'], input)
  assert.equal(out.code, 0, out.stderr)
  const list = parse(out.stdout) as { results: { severity: string; message: string }[] }
  assert.ok(list.results.some((r) => r.severity === 'warning' && r.message.includes('should not include the tag or digest')))
})

test('empty input is an error unless --allow-empty', async () => {
  for (const input of ['', '\n', '# only a comment\n', '---\n---\n']) {
    const out = await runCli(['--target-release', '4.19'], input)
    assert.equal(out.code, 1, JSON.stringify(input))
    assert.match(out.stderr, /^error no resources in the input: .*pass --allow-empty if this is intended$/m)
    const allowed = await runCli(['--target-release', '4.19', '--allow-empty'], input)
    assert.equal(allowed.code, 0, JSON.stringify(input))
    assert.deepEqual(kinds(allowed.stdout).filter((k) => k !== 'undefined'), ['MachineConfig', 'MachineConfig'])
  }
})

test('an input holding only MachineConfigs we generated counts as empty', async () => {
  const first = await runCli(['--target-release', '4.19', '--allow-empty'], '')
  const out = await runCli(['--target-release', '4.19'], first.stdout)
  assert.equal(out.code, 1)
  assert.match(out.stderr, /no resources in the input/)
  assert.equal((await runCli(['--target-release', '4.19', '--allow-empty'], first.stdout)).code, 0)
})

test('every problem in one run: two bad resources, all their issues, sorted', async () => {
  const input = `${fixture('bad-scope.yaml')}---\n${fixture('namespace-traversal.yaml')}`
  const out = await runCli(['--target-release', '4.19'], input)
  assert.equal(out.code, 1)
  const lines = errorLines(out.stderr)
  assert.equal(lines.length, 3, out.stderr)
  assert.deepEqual([...lines].sort(), lines, 'sorted')
})

test('v1alpha1 policies are checked against the v1alpha1 rules', async () => {
  const input = `apiVersion: config.openshift.io/v1alpha1\nkind: ClusterImagePolicy\nmetadata: {name: alpha}\nspec:\n  scopes: [example.com]\n  policy:\n    rootOfTrust:\n      policyType: PublicKey\n      publicKey: {keyData: ${KEY}}\n    signedIdentity: {matchPolicy: RemapIdentity, remapIdentity: {prefix: registry/foo, signedPrefix: example.com}}\n`
  const out = await runCli(['--target-release', '4.19'], input)
  assert.equal(out.code, 1)
  assert.deepEqual(errorLines(out.stderr), [
    'error ClusterImagePolicy alpha spec.policy.signedIdentity.remapIdentity.prefix: Invalid value: "string": invalid repository or prefix in the signedIdentity',
  ])
})
