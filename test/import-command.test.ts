// `imagepolicy-mc import` at the edge: options from the table, stdin, the
// namespace rule, exit codes, nothing partial on stdout without --partial,
// untrusted input (bounds, regular files only, no stack traces), and the
// example's MachineConfig imported and rendered back.

import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { parse, parseAllDocuments } from 'yaml'
import { IMPORT_OPTIONS } from '../src/commands/import.ts'
import { decodeFileContents } from '../src/diff/machine-config-files.ts'
import { parsePolicyText, policyDifferences } from '../src/import/policy-file.ts'
import { run } from '../src/run.ts'
import { runCli } from './run-cli.ts'

const KEY = Buffer.from(readFileSync('examples/quickstart/keys/team-a.pub')).toString('base64')
const POLICY = JSON.stringify({
  default: [{ type: 'insecureAcceptAnything' }],
  transports: {
    docker: { 'a.example.com/team': [{ type: 'sigstoreSigned', keyData: KEY }] },
    atomic: { 'a.example.com/team': [{ type: 'sigstoreSigned', keyData: KEY }] },
    'docker-daemon': { '': [{ type: 'insecureAcceptAnything' }] },
  },
})

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'import-test-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

test('import --help lists every option of its table', async () => {
  const r = await runCli(['import', '--help'])
  assert.equal(r.code, 0)
  for (const o of IMPORT_OPTIONS) assert.match(r.stdout, new RegExp(`--${o.flag}\\b`))
  assert.match(r.stdout, /^imagepolicy-mc import \[FILE\.\.\.\]/)
})

test('import: bad options are usage errors naming the flag', async () => {
  let r = await runCli(['import', '--name-prefix', 'Bad_'])
  assert.equal(r.code, 2)
  assert.match(r.stderr, /^imagepolicy-mc import: --name-prefix: must be lower-case letters/m)
  // A valid prefix that is too long is told so, not that its characters are wrong.
  r = await runCli(['import', '--name-prefix', 'a'.repeat(201)])
  assert.equal(r.code, 2)
  assert.match(r.stderr, /^imagepolicy-mc import: --name-prefix: must be at most 200 characters \(it has 201; the names printed are P-NNN\)$/m)
  r = await runCli(['import', '--namespace', 'Not A Namespace'])
  assert.equal(r.code, 2)
  assert.match(r.stderr, /--namespace: must be a namespace name/)
  r = await runCli(['import', '--no-such-flag'])
  assert.equal(r.code, 2)
  assert.match(r.stderr, /Unknown argument|no-such-flag/)
})

test('import: a bad value of an option the function shares gets the line and exit 1 it gets there', async () => {
  for (const args of [['--validate', 'sometimes'], ['--target-release', '3.x']]) {
    const own = await runCli(['import', ...args])
    const fn = await runCli([...args, '--allow-empty'])
    assert.equal(own.code, 1, own.stderr)
    assert.equal(fn.code, 1, fn.stderr)
    assert.equal(own.stderr, fn.stderr)
    assert.equal(own.stdout, '')
  }
})

test('import: stdin JSON is policy.json, or the namespace file of --namespace', async () => {
  let r = await runCli(['import'], POLICY)
  assert.equal(r.code, 0, r.stderr)
  const cip = parse(r.stdout) as { kind: string; metadata: { name: string }; spec: { scopes: string[] } }
  assert.equal(cip.kind, 'ClusterImagePolicy')
  assert.equal(cip.metadata.name, 'imported-001')
  assert.deepEqual(cip.spec.scopes, ['a.example.com/team'])
  r = await runCli(['import', '--namespace', 'team-a', '--name-prefix', 'legacy'], POLICY)
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /^kind: ImagePolicy\nmetadata:\n  name: legacy-001\n  namespace: team-a\n/m)
  assert.match(r.stderr, /no \/etc\/containers\/policy\.json given/)
})

test('import: a policy JSON file that is neither policy.json nor in policies/ needs --namespace', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'custom.json'), POLICY)
  const r = await runCli(['import', join(dir, 'custom.json')])
  assert.equal(r.code, 1)
  assert.equal(r.stdout, '')
  assert.match(r.stderr, /custom\.json: a policy JSON file not named policy\.json: give --namespace NS/)
})

test('import: what cannot be expressed fails closed; --partial prints the rest', async () => {
  const policy = JSON.parse(POLICY) as { transports: { docker: Record<string, unknown>; atomic: Record<string, unknown> } }
  policy.transports.docker['gpg.example.com'] = [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: '/k' }]
  const text = JSON.stringify(policy)
  let r = await runCli(['import'], text)
  assert.equal(r.code, 1)
  assert.equal(r.stdout, '', 'nothing partial on stdout')
  assert.match(r.stderr, /^error <stdin>: transport docker scope "gpg\.example\.com": signedBy/m)
  r = await runCli(['import', '--partial=no'], text)
  assert.equal(r.code, 1, '--partial=no is false')
  r = await runCli(['import', '--partial=maybe'], text)
  assert.equal(r.code, 2)
  assert.match(r.stderr, /--partial: must be true or false/)
  r = await runCli(['import', '--partial=yes'], text)
  assert.equal(r.code, 0, '--partial=yes is true')
  r = await runCli(['import', '--partial'], text)
  assert.equal(r.code, 0)
  assert.match(r.stderr, /^warning <stdin>: transport docker scope "gpg\.example\.com": signedBy/m)
  assert.match(r.stdout, /- a\.example\.com\/team\n/)
})

test('import: untrusted input: no stack traces, bounds, regular files only', async (t) => {
  for (const input of ['{not json', '\u0000\u0001garbage', 'kind: [', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n']) {
    const r = await runCli(['import'], input)
    assert.equal(r.code, 1, input)
    assert.equal(r.stdout, '')
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace')
  }
  // Duplicate keys: containers/image refuses the file, so there is nothing to import (JSON.parse would keep the last).
  let r = await runCli(['import'], '{"default":[{"type":"insecureAcceptAnything"}],"default":[{"type":"reject"}]}')
  assert.equal(r.code, 1)
  assert.match(r.stderr, /not a policy containers\/image reads: Duplicate key "default"/)
  r = await runCli(['import', '--max-input-bytes', '100'], POLICY)
  assert.equal(r.code, 1)
  assert.match(r.stderr, /max-input-bytes/)
  r = await runCli(['import', '/dev/null'])
  assert.equal(r.code, 1)
  assert.match(r.stderr, /not a regular file/)
  // A MachineConfig whose gzip contents are not gzip: one line naming it.
  const dir = tempDir(t)
  const mc = `apiVersion: machineconfiguration.openshift.io/v1\nkind: MachineConfig\nmetadata: {name: 50-x}\nspec:\n  config:\n    storage:\n      files:\n      - path: /etc/containers/policy.json\n        contents: {compression: gzip, source: 'data:;base64,bm90IGd6aXA='}\n`
  writeFileSync(join(dir, 'mc.yaml'), mc)
  r = await runCli(['import', join(dir, 'mc.yaml')])
  assert.equal(r.code, 1)
  assert.match(r.stderr, /MachineConfig\/50-x storage\.files\[0\] \(\/etc\/containers\/policy\.json\): gzip contents/)
})

test('import: a data URL whose base64 Ignition would refuse is an error, never junk or a cut file', async (t) => {
  // Node's Buffer.from(..., 'base64') skips junk and stops at a stray '=': a valid policy followed by junk read as the policy.
  const good = Buffer.from(POLICY).toString('base64')
  const dir = tempDir(t)
  const cases: [string, RegExp][] = [
    [`${good}!!!*** not base64`, /illegal base64 data at input byte \d+/],
    ['!!!notbase64', /illegal base64 data at input byte 0/],
    [`${good.slice(0, 8)}=${good.slice(8)}`, /illegal base64 data at input byte 8/],
    [good.replace(/=+$/, '').slice(0, -1), /illegal base64 data at input byte/],
  ]
  for (const [data, reason] of cases) {
    const mc = `apiVersion: machineconfiguration.openshift.io/v1\nkind: MachineConfig\nmetadata: {name: 50-x}\nspec:\n  config:\n    storage:\n      files:\n      - path: /etc/containers/policy.json\n        contents: {source: ${JSON.stringify(`data:;base64,${data}`)}}\n`
    writeFileSync(join(dir, 'mc.yaml'), mc)
    const r = await runCli(['import', join(dir, 'mc.yaml')])
    assert.equal(r.code, 1, data)
    assert.equal(r.stdout, '', 'nothing on stdout')
    assert.match(r.stderr, /MachineConfig\/50-x storage\.files\[0\] \(\/etc\/containers\/policy\.json\): contents\.source: invalid base64 in data URL: /)
    assert.match(r.stderr, reason)
    assert.doesNotMatch(r.stderr, /not JSON/, 'never decoded junk')
  }
  // Line breaks are skipped, as Go's StdEncoding does: still the policy.
  const wrapped = good.replace(/(.{76})/g, '$1\n')
  writeFileSync(join(dir, 'mc.yaml'), `apiVersion: machineconfiguration.openshift.io/v1\nkind: MachineConfig\nmetadata: {name: 50-x}\nspec:\n  config:\n    storage:\n      files:\n      - path: /etc/containers/policy.json\n        contents: {source: ${JSON.stringify(`data:;base64,${wrapped}`)}}\n`)
  const r = await runCli(['import', join(dir, 'mc.yaml')])
  assert.equal(r.code, 0, r.stderr)
})

test("import: the example's MachineConfig becomes ClusterImagePolicies that render its policy.json", async () => {
  const file = 'examples/import/50-worker-signed-images.yaml'
  const r = await runCli(['import', file])
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stderr, '')
  const docs = parseAllDocuments(r.stdout).map((d) => d.toJS() as { kind: string })
  assert.deepEqual(docs.map((d) => d.kind), ['ClusterImagePolicy', 'ClusterImagePolicy'])
  // Independently of import's own proof: render the output and compare with the embedded file.
  const mc = parse(readFileSync(file, 'utf8')) as { spec: { config: { storage: { files: { path: string; contents: Record<string, unknown> }[] } } } }
  const embedded = mc.spec.config.storage.files.find((f) => f.path === '/etc/containers/policy.json')!
  const decoded = decodeFileContents(embedded.contents, 1 << 20)
  assert.ok('value' in decoded)
  const rendered = run({ inputs: [{ text: r.stdout }], flags: { targetRelease: '4.19' } })
  assert.equal(rendered.exitCode, 0)
  const policy = rendered.files.find((f) => f.path === '/etc/containers/policy.json')!
  const want = parsePolicyText(decoded.value)
  const got = parsePolicyText(policy.contents)
  assert.ok('value' in want && 'value' in got)
  assert.deepEqual(policyDifferences(want.value, got.value), [])
  // The example's registries.d file (gzip) lists the same scopes rendering writes.
  const yaml = rendered.files.find((f) => f.path === '/etc/containers/registries.d/sigstore-registries.yaml')!
  assert.deepEqual(Object.keys((parse(yaml.contents) as { docker: object }).docker).sort(), ['quay.io/example-org', 'registry.example.com/prod'])
})

test('import: input of no known shape is described in words, naming what is missing', async () => {
  const cases: readonly (readonly [string, string])[] = [['{}', 'a mapping without "default", "apiVersion" or "kind"'], ['[]', 'a sequence'], ['42', 'a number scalar'], ['apiVersion: v1', 'v1 (no kind)'], ['kind: Pod', '(no apiVersion) Pod']]
  for (const [text, what] of cases) {
    const r = await runCli(['import', '--namespace', 'team-a'], text)
    assert.equal(r.code, 1, r.stderr)
    assert.equal(r.stdout, '')
    assert.match(r.stderr, new RegExp(`: ${what.replace(/[()]/g, '\\$&')}: not a policy\\.json \\(which has a "default"\\), registries\\.d file, MachineConfig or Butane config$`, 'm'), text)
    assert.doesNotMatch(r.stderr, /\? \?|: object:/)
  }
})
