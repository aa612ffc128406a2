// import, proven: node files → CRs → our renderer → the same node files.
// - every conformance case MCO rendered: its files imported back either
//   re-render byte for byte (policy.json, namespace files; sigstore-registries.yaml
//   where no mirror set or insecure registry adds keys), or the import reports
//   findings (what the APIs cannot express) and the --partial rest differs from
//   the files only at the reported scopes;
// - generated policies (fixed seed, fixed count): rendered, imported, rendered
//   again: the same bytes, no findings.

import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { parse } from 'yaml'
import { decodePolicy, emptyMirrorSets } from '../src/decode/resources.ts'
import { importFromTexts } from '../src/import/import.ts'
import { formatImportIssue, isGeneral } from '../src/import/import-issue.ts'
import { parsePolicyText, policyDifferences } from '../src/import/policy-file.ts'
import type { NodeFile, PolicyResource } from '../src/model.ts'
import { SIGSTORE_REGISTRIES_PATH } from '../src/render/sigstore-registries-yaml.ts'
import { caseNames, DEFAULT_RELEASE_IMAGE, expectedFiles, NOT_OURS, readCase, renderCase, ROOT } from './conformance-cases.ts'
import { prng } from './prng.ts'

/** Node files as import reads them: named by their node path (policy.json, .../policies/NS.json). */
function asTexts(files: readonly NodeFile[]): { name: string; text: string }[] {
  return files.map((f) => ({ name: f.path.slice(1), text: f.contents }))
}

function policyFiles(files: readonly NodeFile[]): NodeFile[] {
  return files.filter((f) => f.path.endsWith('.json'))
}

const cases = caseNames()
let clean = 0
let reported = 0

for (const name of cases) {
  const dir = join(ROOT, name)
  if (existsSync(join(dir, 'error.txt'))) continue
  const files = expectedFiles(dir).filter((f) => !NOT_OURS.includes(f.path))
  if (!files.some((f) => f.path.endsWith('.json'))) continue
  test(`import round trip: conformance ${name}`, () => {
    const c = readCase(name)
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as { orderSensitive?: boolean }
    const outcome = importFromTexts({ texts: asTexts(files), releaseImage: c.releaseImage ?? DEFAULT_RELEASE_IMAGE, validate: 'ignore' })
    assert.deepEqual(outcome.problems, [])
    const rendered = new Map(outcome.rendered.map((f) => [f.path, f.contents]))
    if (outcome.findings.length === 0) {
      clean++
      assert.deepEqual(policyFiles(outcome.rendered).map((f) => f.path).sort(), policyFiles(files).map((f) => f.path).sort(), 'the same policy files')
      for (const f of policyFiles(files)) {
        if (meta.orderSensitive === true) {
          // MCO's informer order: the same requirements, possibly ANDed in another order.
          const want = parsePolicyText(f.contents)
          const got = parsePolicyText(rendered.get(f.path)!)
          assert.ok('value' in want && 'value' in got)
          const sorted = (p: typeof want.value) => ({ default: p.default, transports: new Map([...p.transports].map(([t, s]) => [t, new Map([...s].map(([k, r]) => [k, [...r].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))]))])) })
          assert.deepEqual(policyDifferences(sorted(want.value), sorted(got.value)), [], f.path)
        } else {
          assert.equal(rendered.get(f.path), f.contents, `${f.path} byte for byte`)
        }
      }
      const yaml = files.find((f) => f.path === SIGSTORE_REGISTRIES_PATH)
      const mirrors = [c.imageDigestMirrorSets, c.imageTagMirrorSets, c.imageContentSourcePolicies, c.insecureRegistries].some((l) => (l ?? []).length > 0)
      if (yaml !== undefined && !mirrors) assert.equal(rendered.get(SIGSTORE_REGISTRIES_PATH), yaml.contents, 'sigstore-registries.yaml byte for byte')
      return
    }
    reported++
    // Every finding names its file; the rest, rendered, differs only where a finding points.
    for (const f of outcome.findings) assert.ok(formatImportIssue(f).length > f.message.length, formatImportIssue(f))
    for (const f of policyFiles(files)) {
      const want = parsePolicyText(f.contents)
      assert.ok('value' in want)
      const text = rendered.get(f.path) ?? rendered.get('/etc/containers/policy.json')
      if (text === undefined) continue
      const got = parsePolicyText(text)
      assert.ok('value' in got)
      for (const d of policyDifferences(want.value, got.value)) {
        const origin = f.path.slice(1)
        const explained = outcome.findings.some((x) => (x.file.path === origin || x.file.path === 'etc/containers/policy.json' || isGeneral(x)) && (isGeneral(x) || x.scope === d.scope))
        assert.ok(explained, `${f.path}: ${d.transport ?? 'default'} ${d.scope ?? ''} differs with no finding: ${outcome.findings.map(formatImportIssue).join('\n')}`)
      }
    }
  })
}

test('import round trip: most conformance cases import without findings', () => {
  // Counted by the tests above (node:test runs them in order). The rest use
  // mirror sets, insecure registries or the payload exception, which the
  // printed resources do not carry (README "Import hand-written policies").
  assert.ok(clean >= 155, `clean ${clean}, with findings ${reported}`)
  console.log(`# import round trip: ${clean} conformance cases clean, ${reported} with findings`)
  assert.ok(reported > 0, 'some cases are reported as not expressible')
})

// Generated policies: scopes from a small pool (so that they share, nest and
// conflict), requirements of every root of trust and identity rule.
const HOSTS = ['a.com', 'b.io', '*.c.org', 'x.c.org', 'd.net:5000', 'localhost']
const PATHS = ['', '/r', '/r/s', '/r/s/t', '/r/s/t/u', '/r:v1', `/r@sha256:${'0'.repeat(64)}`]
const KEY = 'LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0KTUZrd0V3WUhLb1pJemowQ0FRWUlLb1pJemowREFRY0RRZ0FFSXEzTW8rbWlNMVVnM0FONGE2ZWJKWlkvcFZCeApGaWNJWmFjSFZKd2dNS2pEMlYxUVFMbWxhN0thQk1JWmtHUUhoU0Vtc2hLNzh1N2F3ZTh2bFZBVzZ3PT0KLS0tLS1FTkQgUFVCTElDIEtFWS0tLS0tCg=='
const POLICIES: Record<string, unknown>[] = [
  { rootOfTrust: { policyType: 'PublicKey', publicKey: { keyData: KEY } } },
  { rootOfTrust: { policyType: 'PublicKey', publicKey: { keyData: 'S0VZMg==', rekorKeyData: 'UkVLT1I=' } }, signedIdentity: { matchPolicy: 'MatchRepository' } },
  {
    rootOfTrust: { policyType: 'FulcioCAWithRekor', fulcioCAWithRekor: { fulcioCAData: 'Q0E=', rekorKeyData: 'UkVLT1I=', fulcioSubject: { oidcIssuer: 'https://i.example.com/?a=1&b=2', signedEmail: 'me@example.com' } } },
    signedIdentity: { matchPolicy: 'ExactRepository', exactRepository: { repository: 'quay.io/org/signed' } },
  },
  { rootOfTrust: { policyType: 'PKI', pki: { caRootsData: 'Q0E=', pkiCertificateSubject: { hostname: 'h.example.com' } } }, signedIdentity: { matchPolicy: 'RemapIdentity', remapIdentity: { prefix: 'a.com/r', signedPrefix: 'b.io/r' } } },
  { rootOfTrust: { policyType: 'PKI', pki: { caRootsData: 'Q0E=', caIntermediatesData: 'SU5U', pkiCertificateSubject: { email: 'x@y.z', hostname: 'h.example.com' } } }, signedIdentity: { matchPolicy: 'MatchRepoDigestOrExact' } },
]

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!
}

function scopes(random: () => number): string[] {
  const n = 1 + Math.floor(random() * 3)
  return [...new Set(Array.from({ length: n }, () => `${pick(random, HOSTS)}${pick(random, PATHS)}`))].map((s) => (s.startsWith('*.') ? s.replace(/[/:@].*$/, '') : s))
}

test('import round trip: generated policies render back byte for byte (seed 17, 300 inputs)', () => {
  const random = prng(17)
  let rendered = 0
  let withRegistries = 0
  let withNamespaces = 0
  let shared = 0
  for (let n = 0; n < 300; n++) {
    const manifests: Record<string, unknown>[] = []
    for (let i = 0, k = Math.floor(random() * 4); i < k; i++) {
      manifests.push({ apiVersion: 'config.openshift.io/v1', kind: 'ClusterImagePolicy', metadata: { name: `c${i}` }, spec: { scopes: scopes(random), policy: pick(random, POLICIES) } })
    }
    for (let i = 0, k = Math.floor(random() * 4); i < k; i++) {
      manifests.push({ apiVersion: 'config.openshift.io/v1', kind: 'ImagePolicy', metadata: { name: `p${i}`, namespace: pick(random, ['ns1', 'ns2']) }, spec: { scopes: scopes(random), policy: pick(random, POLICIES) } })
    }
    const mode = random()
    const registries = Array.from({ length: 1 + Math.floor(random() * 2) }, () => `${pick(random, HOSTS)}${pick(random, ['', '/r', '/r/s'])}`.replace(/^(\*\.[^/]*).*$/, '$1'))
    const sources = mode < 0.5 ? {} : mode < 0.75 ? { allowedRegistries: registries } : { blockedRegistries: registries }
    const policies = manifests.map((m) => decodePolicy(m).policy as PolicyResource)
    const first = renderCase({ policies, sources, mirrors: emptyMirrorSets(), releaseImage: DEFAULT_RELEASE_IMAGE, ordered: true })
    if (first.problems.some((p) => p.severity === 'error') || first.files.length === 0) continue
    rendered++
    if (mode >= 0.5) withRegistries++
    if (first.files.some((f) => f.path.startsWith('/etc/crio/'))) withNamespaces++
    if (policies.some((p, i) => policies.some((q, j) => j > i && p.kind === q.kind && p.scopes.some((s) => q.scopes.includes(s))))) shared++
    const outcome = importFromTexts({ texts: asTexts(first.files), releaseImage: DEFAULT_RELEASE_IMAGE, validate: 'ignore' })
    const context = `input ${n}: ${JSON.stringify({ manifests, sources })}`
    assert.deepEqual(outcome.findings.map(formatImportIssue), [], context)
    assert.deepEqual(outcome.rendered, first.files, context)
  }
  assert.ok(rendered >= 150, `only ${rendered} of 300 generated inputs rendered`)
  assert.ok(withRegistries >= 30 && withNamespaces >= 100 && shared >= 30, `too few interesting inputs: ${JSON.stringify({ withRegistries, withNamespaces, shared })}`)
})

test('import: a hand-written MachineConfig, Butane config and plain files give the same resources', () => {
  const policy = JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }], transports: { docker: { 'a.com/r': [{ type: 'sigstoreSigned', keyData: KEY, signedIdentity: { type: 'matchRepoDigestOrExact' } }] }, atomic: { 'a.com/r': [{ type: 'sigstoreSigned', keyData: KEY, signedIdentity: { type: 'matchRepoDigestOrExact' } }] }, 'docker-daemon': { '': [{ type: 'insecureAcceptAnything' }] } } })
  const plain = importFromTexts({ texts: [{ name: 'policy.json', text: policy }], releaseImage: DEFAULT_RELEASE_IMAGE })
  assert.deepEqual(plain.findings, [])
  assert.match(plain.yaml, /kind: ClusterImagePolicy\nmetadata:\n  name: imported-001\nspec:\n  scopes:\n  - a\.com\/r\n/)
  const mc = `apiVersion: machineconfiguration.openshift.io/v1
kind: MachineConfig
metadata:
  name: 50-worker-policy
  labels:
    machineconfiguration.openshift.io/role: worker
spec:
  config:
    ignition: {version: 3.4.0}
    storage:
      files:
      - path: /etc/containers/policy.json
        contents:
          source: data:text/plain;charset=utf-8;base64,${Buffer.from(policy).toString('base64')}
      - path: /etc/chrony.conf
        contents: {source: 'data:,server%20x'}
`
  const butane = `variant: openshift
version: 4.17.0
metadata:
  name: 50-master-policy
  labels:
    machineconfiguration.openshift.io/role: master
storage:
  files:
  - path: /etc/containers/policy.json
    contents:
      inline: '${policy}'
`
  const embedded = importFromTexts({ texts: [{ name: 'mc.yaml', text: mc }, { name: 'butane.bu', text: butane }], releaseImage: DEFAULT_RELEASE_IMAGE })
  assert.deepEqual(embedded.problems, [])
  assert.deepEqual(embedded.findings, [])
  assert.equal(embedded.yaml, plain.yaml)
  // Pools that get different files cannot become one policy.
  const other = butane.replace("'a.com/r'", "'b.io/r'").replaceAll('a.com/r', 'b.io/r')
  const split = importFromTexts({ texts: [{ name: 'mc.yaml', text: mc }, { name: 'butane.bu', text: other }], releaseImage: DEFAULT_RELEASE_IMAGE })
  assert.match(split.problems.join('\n'), /the pools get different files/)
})

test('import: what the APIs cannot express is reported once per requirement, with file, transport, scope and reason', () => {
  const sig = { type: 'sigstoreSigned', keyData: KEY }
  const policy = {
    default: [{ type: 'insecureAcceptAnything' }],
    transports: {
      docker: {
        'gpg.com': [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: '/etc/pki/gpg' }],
        'path.com': [{ type: 'sigstoreSigned', keyPath: '/etc/pki/cosign.pub' }],
        'open.com/r': [{ type: 'insecureAcceptAnything' }],
        'ok.com': [sig],
        'exact.com': [{ ...sig, signedIdentity: { type: 'matchExact' } }],
      },
      atomic: { 'ok.com': [sig] },
      'docker-daemon': { '': [{ type: 'insecureAcceptAnything' }] },
      oci: { '': [{ type: 'reject' }] },
    },
  }
  const texts = [{ name: 'node/policy.json', text: JSON.stringify(policy) }]
  const outcome = importFromTexts({ texts, releaseImage: DEFAULT_RELEASE_IMAGE })
  const lines = outcome.findings.map(formatImportIssue)
  const has = (re: RegExp) => assert.ok(lines.some((l) => re.test(l)), `${re}\n${lines.join('\n')}`)
  has(/^node\/policy\.json: transport docker scope "gpg\.com": signedBy \(GPG/)
  has(/^node\/policy\.json: transport docker scope "path\.com": keyPath "\/etc\/pki\/cosign\.pub" is a file on the node/)
  has(/^node\/policy\.json: transport docker scope "open\.com\/r": insecureAcceptAnything for a scope/)
  has(/^node\/policy\.json: transport docker scope "exact\.com": signedIdentity type "matchExact" has no CR match policy/)
  has(/^node\/policy\.json: transport oci scope "": transport oci \(reject\): MCO writes only/)
  assert.equal(lines.filter((l) => l.includes('"ok.com"')).length, 0, 'the expressible scope has no finding')
  // --partial: the expressible rest is printed; rendered, it has ok.com.
  assert.match(outcome.yaml, /- ok\.com\n/)
  assert.doesNotMatch(outcome.yaml, /gpg\.com|path\.com/)
  // A different default.
  const other = importFromTexts({ texts: [{ name: 'policy.json', text: JSON.stringify({ default: [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: '/k' }] }) }], releaseImage: DEFAULT_RELEASE_IMAGE })
  assert.ok(other.findings.some((f) => f.scope === undefined && /MCO writes default \[insecureAcceptAnything\]/.test(f.message)))
})

test('import: namespace files, allowedRegistries and the AND order of a shared scope', () => {
  const k = (d: string) => ({ type: 'sigstoreSigned', keyData: d, signedIdentity: { type: 'matchRepoDigestOrExact' } })
  const cluster = { default: [{ type: 'reject' }], transports: { docker: { 'a.com': [{ type: 'insecureAcceptAnything' }], 'b.io/r': [k('S0VZMQ=='), k('S0VZMg==')], 'c.org': [k('S0VZMg=='), k('S0VZMQ==')] } } }
  const ns = { default: [{ type: 'reject' }], transports: { docker: { ...cluster.transports.docker, 'a.com': [{ type: 'insecureAcceptAnything' }, k('S0VZMw==')], 'a.com/team': [k('S0VZMw==')] } } }
  const outcome = importFromTexts({
    texts: [
      { name: 'policy.json', text: JSON.stringify(cluster) },
      { name: 'etc/crio/policies/team-a.json', text: JSON.stringify(ns) },
    ],
    releaseImage: DEFAULT_RELEASE_IMAGE,
    validate: 'ignore',
  })
  // The files have no atomic or docker-daemon transport: reported (rendering adds them), nothing else.
  assert.ok(outcome.findings.length > 0)
  assert.ok(outcome.findings.every((f) => f.transport === 'atomic' || f.transport === 'docker-daemon'), outcome.findings.map(formatImportIssue).join('\n'))
  const docs = outcome.yaml.split('---\n').map((d) => parse(d) as { kind: string; metadata: { name: string; namespace?: string }; spec: Record<string, unknown> })
  assert.deepEqual(docs[0], { apiVersion: 'config.openshift.io/v1', kind: 'Image', metadata: { name: 'cluster' }, spec: { registrySources: { allowedRegistries: ['a.com', 'b.io/r', 'c.org'] } } })
  // b.io/r ANDs KEY1 then KEY2, c.org KEY2 then KEY1: no one order of two CRs fits, so one CR per scope and position.
  const rendered = new Map(outcome.rendered.map((f) => [f.path, f.contents]))
  const got = parsePolicyText(rendered.get('/etc/crio/policies/team-a.json')!)
  assert.ok('value' in got)
  assert.deepEqual(got.value.transports.get('docker'), new Map(Object.entries(ns.transports.docker)))
  assert.ok(docs.some((d) => d.kind === 'ImagePolicy' && d.metadata.namespace === 'team-a'))
})

// Hand-written policies, mostly not what MCO writes: every requirement the APIs
// cannot express gets a finding at its scope, and the expressible rest, rendered,
// differs from the file only at scopes a finding (or an atomic note) names.
const HAND_REQUIREMENTS: { req: Record<string, unknown>; expressible: boolean }[] = [
  { req: { type: 'sigstoreSigned', keyData: 'S0VZMQ==' }, expressible: true },
  { req: { type: 'sigstoreSigned', keyData: 'S0VZ\nMg==', signedIdentity: { type: 'matchRepository' } }, expressible: true },
  { req: { type: 'sigstoreSigned', keyPath: '/etc/pki/k.pub' }, expressible: false },
  { req: { type: 'sigstoreSigned', keyDatas: ['S0VZMQ==', 'S0VZMg=='] }, expressible: false },
  { req: { type: 'sigstoreSigned', keyData: 'S0VZMQ==', signedIdentity: { type: 'matchExact' } }, expressible: false },
  { req: { type: 'sigstoreSigned', fulcio: { caPath: '/ca.pem', oidcIssuer: 'https://i', subjectEmail: 'a@b' }, rekorPublicKeyData: 'UkVLT1I=' }, expressible: false },
  { req: { type: 'signedBy', keyType: 'GPGKeys', keyPath: '/gpg' }, expressible: false },
  { req: { type: 'insecureAcceptAnything' }, expressible: false },
  { req: { type: 'reject' }, expressible: false },
]

test('import: hand-written policies: findings at every inexpressible requirement, differences only where reported (seed 171, 200 inputs)', () => {
  const random = prng(171)
  for (let n = 0; n < 200; n++) {
    const defaults = [pick(random, [{ type: 'insecureAcceptAnything' }, { type: 'reject' }, { type: 'signedBy', keyType: 'GPGKeys', keyPath: '/k' }])]
    const docker: Record<string, Record<string, unknown>[]> = {}
    const expected = new Set<string>()
    for (let i = 0, k = Math.floor(random() * 5); i < k; i++) {
      const scope = `${pick(random, HOSTS)}${pick(random, PATHS)}`.replace(/^(\*\.[^/:@]*).*$/, '$1')
      const reqs = Array.from({ length: 1 + Math.floor(random() * 2) }, () => pick(random, HAND_REQUIREMENTS))
      docker[scope] = reqs.map((r) => r.req)
      const alone = reqs.length === 1 ? String(reqs[0]!.req['type']) : undefined
      // insecureAcceptAnything alone under default reject, or reject alone under any other default (which
      // import reports, and renders as insecureAcceptAnything), is the Image config's.
      const imageConfig = (alone === 'insecureAcceptAnything' && defaults[0]!.type === 'reject') || (alone === 'reject' && defaults[0]!.type !== 'reject')
      // A later pick of the same scope replaces it, as in a JSON object.
      if (!imageConfig && reqs.some((r) => !r.expressible)) expected.add(scope)
      else expected.delete(scope)
    }
    const transports: Record<string, unknown> = { docker }
    if (random() < 0.5) transports['atomic'] = Object.fromEntries(Object.entries(docker).filter(([s]) => s.split('/').length < 4))
    if (random() < 0.7) transports['docker-daemon'] = { '': [{ type: 'insecureAcceptAnything' }] }
    if (random() < 0.2) transports['oci'] = { '': [{ type: 'reject' }] }
    const text = JSON.stringify({ default: defaults, transports })
    const outcome = importFromTexts({ texts: [{ name: 'policy.json', text }], releaseImage: DEFAULT_RELEASE_IMAGE, validate: 'ignore' })
    const context = `input ${n}: ${text}\n${outcome.findings.map(formatImportIssue).join('\n')}`
    assert.deepEqual(outcome.problems, [], context)
    for (const scope of expected) assert.ok(outcome.findings.some((f) => f.scope === scope && f.transport === 'docker'), `no finding for ${scope}: ${context}`)
    if (defaults[0]!.type === 'signedBy') assert.ok(outcome.findings.some((f) => f.scope === undefined && !isGeneral(f)), `no finding for the default: ${context}`)
    if (transports['oci'] !== undefined) assert.ok(outcome.findings.some((f) => f.transport === 'oci'), context)
    const want = parsePolicyText(text)
    assert.ok('value' in want)
    const policy = outcome.rendered.find((f) => f.path === '/etc/containers/policy.json')
    if (policy === undefined) continue
    const got = parsePolicyText(policy.contents)
    assert.ok('value' in got)
    for (const d of policyDifferences(want.value, got.value)) {
      const noted = d.transport === 'atomic' && d.want === undefined && outcome.notes.some((note) => formatImportIssue(note).includes(JSON.stringify(d.scope)))
      assert.ok(noted || outcome.findings.some((f) => isGeneral(f) || f.scope === d.scope), `${d.transport ?? 'default'} ${d.scope ?? ''} differs unreported: ${context}`)
    }
  }
})

test('import: more than 256 scopes with one requirement make several resources (the CRD limit), and a duplicate registries.d key is reported', () => {
  const req = { type: 'sigstoreSigned', keyData: KEY, signedIdentity: { type: 'matchRepoDigestOrExact' } }
  const docker = Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`r${String(i).padStart(3, '0')}.example.com/app`, [req]]))
  const text = JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }], transports: { atomic: docker, docker, 'docker-daemon': { '': [{ type: 'insecureAcceptAnything' }] } } })
  const registriesD = 'docker:\n  r000.example.com/app:\n    use-sigstore-attachments: true\n  r000.example.com/app:\n    use-sigstore-attachments: true\n'
  const mc = `apiVersion: machineconfiguration.openshift.io/v1\nkind: MachineConfig\nmetadata: {name: 50-x}\nspec:\n  config:\n    storage:\n      files:\n      - path: /etc/containers/registries.d/x.yaml\n        contents: {source: 'data:;base64,${Buffer.from(registriesD).toString('base64')}'}\n`
  const outcome = importFromTexts({ texts: [{ name: 'policy.json', text }], releaseImage: DEFAULT_RELEASE_IMAGE })
  assert.deepEqual(outcome.findings, [])
  const docs = outcome.yaml.split('---\n').map((d) => parse(d) as { metadata: { name: string }; spec: { scopes: string[] } })
  assert.deepEqual(docs.map((d) => [d.metadata.name, d.spec.scopes.length]), [['imported-001', 256], ['imported-002', 256], ['imported-003', 88]])
  const withDuplicate = importFromTexts({ texts: [{ name: 'policy.json', text }, { name: 'mc.yaml', text: mc }], releaseImage: DEFAULT_RELEASE_IMAGE })
  assert.ok(withDuplicate.findings.some((f) => /the key "r000\.example\.com\/app" appears twice/.test(f.message)), withDuplicate.findings.map(formatImportIssue).join('\n'))
})
