// `imagepolicy-mc impact`: the images workloads run and the requirement that
// governs each on the nodes (issue 17 part 2).
//
// Golden cases: test/fixtures/impact-*/ (layout and the UPDATE=1 switch in
// test/golden-cli.ts).

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { findExecutable } from '../src/commands/util-path.ts'
import { explainImage } from '../src/explain/explain.ts'
import { parseImageReference } from '../src/explain/policy-lookup.ts'
import { formatImpactMarkdown, formatImpactText } from '../src/impact/format-impact.ts'
import { governingEvaluator, requirementKey, type PolicySide } from '../src/impact/governing.ts'
import { diffImpact, streamImpact } from '../src/impact/impact.ts'
import { workloadImages, type WorkloadImage } from '../src/impact/workload-images.ts'
import { OPTION_TABLE } from '../src/option-table.ts'
import { run } from '../src/run.ts'
import { prng } from './prng.ts'
import { goldenCliCases } from './golden-cli.ts'
import { runCli } from './run-cli.ts'
import { cip, imageConfig, ip, namespace, stream } from './fixtures/review/resources.ts'

goldenCliCases('impact-', 7)

test('workloadImages: every workload kind and container list, Lists flattened by the reader, other groups ignored', () => {
  const pod = (containers: Record<string, unknown>) => ({ containers: [{ name: 'c', image: 'a/b:1' }], ...containers })
  const images = workloadImages([
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'n' }, spec: pod({ initContainers: [{ name: 'i', image: 'init' }], ephemeralContainers: [{ name: 'e', image: 'dbg' }] }) },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: { spec: pod({}) } } },
    { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cj', namespace: 'n' }, spec: { jobTemplate: { spec: { template: { spec: pod({}) } } } } },
    { apiVersion: 'example.com/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { template: { spec: pod({}) } } },
    { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's' }, spec: { template: { spec: { containers: [{ name: 'noimage' }] } } } },
  ])
  assert.deepEqual(
    images.map((i) => [i.kind, i.name, i.namespace ?? null, i.list, i.container, i.path, i.image ?? null]),
    [
      ['Pod', 'p', 'n', 'initContainers', 'i', 'spec.initContainers[0].image', 'init'],
      ['Pod', 'p', 'n', 'containers', 'c', 'spec.containers[0].image', 'a/b:1'],
      ['Pod', 'p', 'n', 'ephemeralContainers', 'e', 'spec.ephemeralContainers[0].image', 'dbg'],
      ['Deployment', 'd', null, 'containers', 'c', 'spec.template.spec.containers[0].image', 'a/b:1'],
      ['CronJob', 'cj', 'n', 'containers', 'c', 'spec.jobTemplate.spec.template.spec.containers[0].image', 'a/b:1'],
      ['StatefulSet', 's', null, 'containers', 'noimage', 'spec.template.spec.containers[0].image', null],
    ],
  )
})

const deployment = (ns: string, name: string, images: readonly string[]) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n  template:\n    spec:\n      containers:\n${images.map((im, i) => `      - name: c${i}\n        image: ${JSON.stringify(im)}\n`).join('')}`

test('impact reads stdin; --namespace sets the namespace of workloads that name none; --help lists every renderer option', async () => {
  const input = stream(imageConfig(), cip('app', ['registry.example.com/app']), namespace('team-a'), ip('team-a', 'a', ['registry.example.net/a']),
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: registry.example.net/a/x:1')
  const inDefault = await runCli(['impact', '--target-release', '4.19', '--format', 'json'], input)
  assert.equal(inDefault.code, 0, inDefault.stderr)
  const d = JSON.parse(inDefault.stdout) as { images: { namespace: string; requirement: { verdict: string; file: string } }[] }
  assert.deepEqual(d.images.map((e) => [e.namespace, e.requirement.verdict, e.requirement.file]), [['default', 'accepted', '/etc/containers/policy.json']])
  const inTeamA = await runCli(['impact', '--target-release', '4.19', '-o', 'json', '-n', 'team-a'], input)
  const a = JSON.parse(inTeamA.stdout) as typeof d
  assert.deepEqual(a.images.map((e) => [e.namespace, e.requirement.verdict, e.requirement.file]), [['team-a', 'signature-required', '/etc/crio/policies/team-a.json']])
  const bad = await runCli(['impact', '-n', 'Team_A'], input)
  assert.equal(bad.code, 2)
  assert.match(bad.stderr, /--namespace "Team_A" is not a valid namespace/)
  const help = await runCli(['impact', '--help'])
  assert.equal(help.code, 0)
  for (const o of OPTION_TABLE) assert.ok(help.stdout.includes(`--${o.flag}`) || help.stdout.includes(`--[no-]${o.flag}`), `impact --help lists --${o.flag}`)
  assert.match((await runCli(['--help'])).stdout, /imagepolicy-mc impact /)
})

test('impact: a rendering error fails with nothing on stdout; Markdown escapes table and HTML syntax from the input', async () => {
  const broken = await runCli(['impact', '--target-release', '4.19'], stream(cip('app', ['registry.example.com/app'], { key: 'bm90IGEga2V5' }), deployment('team-a', 'w', ['registry.example.com/app/x:1'])))
  assert.equal(broken.code, 1)
  assert.equal(broken.stdout, '')
  assert.match(broken.stderr, /^error ClusterImagePolicy app spec\.policy\.rootOfTrust\.publicKey\.keyData/m)
  const evil = await runCli(['impact', '--target-release', '4.19', '--format', 'markdown'], stream(imageConfig(), deployment('team-a', 'w', ['a|b<img src=x>`'])))
  assert.equal(evil.code, 0, evil.stderr)
  const table = evil.stdout.split('<details>')[0]!
  assert.ok(!table.includes('<img'), table)
  assert.match(table, /\| team-a \| a\\\|b&lt;img src=x&gt;\\` \| cannot be evaluated/)
})

function git(dir: string, args: readonly string[]): string {
  const r = spawnSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e', GIT_CONFIG_NOSYSTEM: '1', HOME: dir } })
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`)
  return r.stdout.trim()
}

test('impact BASE HEAD between git revisions: only the images whose requirement changes; a name that is both a path and a revision is refused', async (t) => {
  if (findExecutable('git', process.env['PATH']) === undefined) {
    if (process.env['CI']) assert.fail('git is required in CI')
    t.skip('git is not on PATH')
    return
  }
  const dir = mkdtempSync(join(tmpdir(), 'imagepolicy-mc-impact-test-'))
  try {
    git(dir, ['init', '-q', '-b', 'main'])
    mkdirSync(join(dir, 'cluster'))
    const apps = deployment('team-a', 'web', ['registry.example.com/app/web:v1', 'registry.example.com/other/db@sha256:' + 'a'.repeat(64)])
    writeFileSync(join(dir, 'cluster', 'all.yaml'), stream(imageConfig(), cip('app', ['registry.example.com/app']), apps))
    git(dir, ['add', '.'])
    git(dir, ['commit', '-qm', 'base'])
    writeFileSync(join(dir, 'cluster', 'all.yaml'), stream(imageConfig(), cip('app', ['registry.example.com/app', 'registry.example.com/other'], { matchPolicy: 'MatchRepository' }), apps))
    git(dir, ['commit', '-qam', 'head'])
    const r = await runCli(['impact', 'main~1', 'main', 'cluster', '--repo', dir, '--target-release', '4.19', '--format', 'json'])
    assert.equal(r.code, 0, r.stderr)
    const doc = JSON.parse(r.stdout) as { form: string; base: string; unchanged: number; images: { reference: string; before: { verdict: string; rules: { identity: { type: string } }[] }; after: { verdict: string; rules: { identity: { type: string } }[] } }[] }
    assert.equal(doc.form, 'diff')
    assert.match(doc.base, /^main~1:cluster \([0-9a-f]{12}\)$/)
    assert.deepEqual(
      doc.images.map((e) => [e.reference, e.before.verdict, e.after.verdict, e.after.rules[0]?.identity.type]),
      [
        ['registry.example.com/app/web:v1', 'signature-required', 'signature-required', 'matchRepository'],
        [`registry.example.com/other/db@sha256:${'a'.repeat(64)}`, 'accepted', 'signature-required', 'matchRepository'],
      ],
    )
    assert.equal(doc.unchanged, 0)
    mkdirSync(join(dir, 'main'))
    const ambiguous = await runCli(['impact', '--diff', 'main', 'main~1', '--repo', dir], '')
    // Run from the test's cwd, `main` is not a path here; from inside the repository it is both.
    const cwd = process.cwd()
    process.chdir(dir)
    try {
      const both = await runCli(['impact', '--diff', 'main', 'main~1', 'cluster', '--target-release', '4.19'])
      assert.equal(both.code, 2)
      assert.match(both.stderr, /main is both a git revision and a path/)
    } finally {
      process.chdir(cwd)
    }
    assert.equal(ambiguous.code, 0, ambiguous.stderr)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

// ------------------------------------------------------------- properties --

const HOSTS = ['registry.example.com', 'a.example.com', 'quay.io', 'localhost:5000']
const PATHS = ['', '/app', '/app/x', '/team', '/team/y']
const NAMESPACES = ['team-a', 'team-b', 'openshift-x', 'team-c']

function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)]!
}

function randomScope(rand: () => number): string {
  if (rand() < 0.15) return '*.example.com'
  const repo = `${pick(rand, HOSTS)}${pick(rand, PATHS)}`
  return rand() < 0.1 && repo.includes('/') ? `${repo}:v1` : repo
}

function randomImage(rand: () => number): string {
  const host = rand() < 0.1 ? 'blocked.example.org' : pick(rand, HOSTS)
  const path = pick(rand, PATHS.slice(1))
  const leaf = pick(rand, ['', '/img'])
  const r = rand()
  return `${host}${path}${leaf}${r < 0.4 ? ':v1' : r < 0.6 ? ':v2' : r < 0.8 ? `@sha256:${'b'.repeat(64)}` : ''}`
}

function randomSide(rand: () => number): { text: string; side: PolicySide } {
  const docs = [imageConfig()]
  if (rand() < 0.3) docs[0] = 'apiVersion: config.openshift.io/v1\nkind: Image\nmetadata:\n  name: cluster\nspec:\n  registrySources:\n    blockedRegistries:\n    - blocked.example.org'
  const nCip = Math.floor(rand() * 3)
  for (let i = 0; i < nCip; i++) docs.push(cip(`c${i}`, [...new Set([randomScope(rand), randomScope(rand)])], rand() < 0.5 ? { matchPolicy: 'MatchRepository' } : {}))
  for (const ns of NAMESPACES.slice(0, 2)) {
    docs.push(namespace(ns))
    if (rand() < 0.6) docs.push(ip(ns, `p-${ns}`, [...new Set([randomScope(rand), randomScope(rand)])]))
  }
  const text = stream(...docs)
  const result = run({ inputs: [{ text }], flags: { targetRelease: '4.19', allowEmpty: true }, reviewOnly: true })
  assert.equal(result.exitCode, 0, `${text}\n${result.issues.map((i) => i.message).join('\n')}`)
  return { text, side: { files: result.files, policies: result.policies, conflicts: result.conflicts } }
}

function randomWorkloads(rand: () => number): WorkloadImage[] {
  const n = 1 + Math.floor(rand() * 6)
  return Array.from({ length: n }, (_, i) => ({
    kind: 'Deployment',
    name: `w${i}`,
    namespace: pick(rand, NAMESPACES),
    list: 'containers' as const,
    container: 'c',
    path: 'spec.template.spec.containers[0].image',
    image: randomImage(rand),
  }))
}

test('property: impact (the renderer\'s typed policies) agrees with explain (the files read back) on file, scope, verdict and sources (300 seeded inputs)', () => {
  for (let seed = 1; seed <= 300; seed++) {
    const rand = prng(seed)
    const { side } = randomSide(rand)
    const report = streamImpact(randomWorkloads(rand), side)
    for (const e of report.images) {
      const ex = explainImage({ files: side.files, policies: side.policies, conflicts: side.conflicts, image: e.given[0]!, namespace: e.namespace })
      assert.ok('value' in ex, `seed ${seed}`)
      const g = e.requirement!
      const why = `seed ${seed}: ${e.reference} in ${e.namespace}`
      assert.equal(g.file, ex.value.file, why)
      assert.equal(g.scope, ex.value.scope, why)
      assert.equal(g.verdict, ex.value.verdict, why)
      assert.deepEqual(g.rules.map((r) => r.text), ex.value.requirements.map((r) => r.text), why)
      assert.equal(g.sigstoreAttachments, ex.value.sigstoreAttachments.enabled, why)
      assert.deepEqual(g.droppedScopes.map((d) => d.scope), ex.value.lostScopes.map((l) => l.scope), why)
      if (g.verdict === 'signature-required') assert.deepEqual(g.sources, ex.value.sources, why)
    }
  }
})

test('property: the diff form lists exactly the images whose stream-form requirement differs, in the same order, and nothing for identical sides (200 seeded pairs)', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const rand = prng(1000 + seed)
    const base = randomSide(rand)
    const head = randomSide(rand)
    const images = randomWorkloads(rand)
    const d = diffImpact({ label: 'b', images, side: base.side }, { label: 'h', images, side: head.side })
    const b = streamImpact(images, base.side)
    const h = streamImpact(images, head.side)
    const changed = h.images.filter((e, i) => requirementKey(e.requirement!) !== requirementKey(b.images[i]!.requirement!))
    assert.deepEqual(d.images.map((e) => [e.namespace, e.reference]), changed.map((e) => [e.namespace, e.reference]), `seed ${seed}`)
    assert.equal(d.unchanged + d.images.length, h.images.length, `seed ${seed}`)
    const same = diffImpact({ label: 'b', images, side: head.side }, { label: 'h', images, side: head.side })
    assert.deepEqual(same.images, [], `seed ${seed}`)
  }
})

test('property: the report does not depend on the order of the workloads (100 seeded inputs)', () => {
  for (let seed = 1; seed <= 100; seed++) {
    const rand = prng(5000 + seed)
    const { side } = randomSide(rand)
    const images = randomWorkloads(rand)
    const shuffled = [...images].reverse()
    assert.equal(formatImpactText(streamImpact(shuffled, side)), formatImpactText(streamImpact(images, side)), `seed ${seed}`)
    assert.equal(formatImpactMarkdown(streamImpact(shuffled, side)), formatImpactMarkdown(streamImpact(images, side)), `seed ${seed}`)
  }
})

test('governingEvaluator: a namespace without its own file reads policy.json; an unwritten policy.json is MCO\'s template', () => {
  const image = parseImageReference('registry.example.com/app/x:1')
  assert.ok('value' in image)
  const none = governingEvaluator({ files: [], policies: [], conflicts: [] })('team-a', image.value)
  assert.deepEqual([none.file, none.fileWritten, none.scope, none.verdict, none.sources], ['/etc/containers/policy.json', false, null, 'accepted', ['policy default: insecureAcceptAnything']])
})

test('risks: a signature required where registries.d reads no attachments; newly rejected; no workloads at all', () => {
  const policy = JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }], transports: { docker: { 'registry.example.com/app': [{ type: 'sigstoreSigned', keyData: 'eA==', signedIdentity: { type: 'matchRepository' } }], 'blocked.example.com': [{ type: 'reject' }] } } })
  const side: PolicySide = { files: [{ path: '/etc/containers/policy.json', contents: policy }], policies: [], conflicts: [], fromMachineConfigs: true }
  const w = (image: string): WorkloadImage => ({ kind: 'Pod', name: 'p', namespace: 'team-a', list: 'containers', container: 'c', path: 'spec.containers[0].image', image })
  const report = streamImpact([w('registry.example.com/app/x:1'), w('blocked.example.com/y:1')], side)
  assert.deepEqual(report.images.map((e) => [e.reference, e.requirement?.verdict, e.requirement?.sources, e.risks.map((r) => r.code)]), [
    ['blocked.example.com/y:1', 'rejected', ['Image cluster spec.registrySources.blockedRegistries'], []],
    ['registry.example.com/app/x:1', 'signature-required', ['(written by the generated MachineConfigs in the stream)'], ['no-sigstore-attachments']],
  ])
  const diff = diffImpact({ label: 'b', images: [w('blocked.example.com/y:1')], side: { files: [], policies: [], conflicts: [] } }, { label: 'h', images: [w('blocked.example.com/y:1')], side })
  assert.deepEqual(diff.images.map((e) => e.risks.map((r) => r.code)), [['newly-rejected']])
  assert.match(formatImpactText(streamImpact([], side)), /^no image: the input holds no workload/)
})

// ------------------------------------------------------ review findings --

const kustomizeTool = findExecutable('kustomize', process.env['PATH']) ?? findExecutable('kubectl', process.env['PATH'])

test('impact PATH: a kustomization directory is run through kustomize (its namespace: applies), as check and the diff form read it', async (t) => {
  if (kustomizeTool === undefined) {
    if (process.env['CI']) assert.fail('kustomize or kubectl is required in CI')
    t.skip('needs kustomize or kubectl')
    return
  }
  const dir = mkdtempSync(join(tmpdir(), 'imagepolicy-mc-impact-k-'))
  try {
    const noNamespace = (doc: string) => doc.replace(/^ {2}namespace: .*\n/m, '')
    writeFileSync(join(dir, 'all.yaml'), stream(imageConfig(), noNamespace(ip('team-x', 'a', ['registry.example.net/a'])),
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: w\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: registry.example.net/a/x:1\n'))
    // No apiVersion/kind: kustomize accepts it, the function would not.
    writeFileSync(join(dir, 'kustomization.yaml'), 'namespace: team-x\nresources:\n- all.yaml\n')
    const r = await runCli(['impact', dir, '--target-release', '4.19', '-o', 'json'])
    assert.equal(r.code, 0, r.stderr)
    const doc = JSON.parse(r.stdout) as { images: { namespace: string; requirement: { verdict: string; file: string } }[] }
    assert.deepEqual(doc.images.map((e) => [e.namespace, e.requirement.verdict, e.requirement.file]), [['team-x', 'signature-required', '/etc/crio/policies/team-x.json']])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('impact --max-output-bytes bounds the report it prints, not the stream it renders to evaluate it', async () => {
  const args = ['impact', 'test/fixtures/impact-stream/input.yaml', '--target-release', '4.19']
  const full = await runCli(args)
  assert.equal(full.code, 0, full.stderr)
  const bytes = Buffer.byteLength(full.stdout, 'utf8')
  // The rendered stream (two pools' MachineConfigs) is larger than the report: a budget the report fits is enough.
  const fits = await runCli([...args, '--max-output-bytes', String(bytes)])
  assert.equal(fits.code, 0, fits.stderr)
  assert.equal(fits.stdout, full.stdout)
  const over = await runCli([...args, '--max-output-bytes', String(bytes - 1)])
  assert.equal(over.code, 1)
  assert.equal(over.stdout, '')
  assert.match(over.stderr, new RegExp(`^imagepolicy-mc impact: the impact report \\(${bytes} bytes\\) exceeds the output budget of ${bytes - 1} bytes \\(--max-output-bytes\\)`, 'm'))
})

test('impact: a value flag without its value is a usage error (exit 2), never the default taken silently', async () => {
  const input = stream(imageConfig(), deployment('team-a', 'w', ['registry.example.com/app/x:1']))
  for (const args of [['--namespace'], ['-n'], ['-n', '--format', 'json'], ['--format'], ['-o'], ['--path'], ['--repo'], ['--kustomize-arg']]) {
    const r = await runCli(['impact', '--target-release', '4.19', ...args], input)
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
    assert.equal(r.stdout, '')
    assert.match(r.stderr, new RegExp(`^imagepolicy-mc impact: ${args[0]} needs a value$`, 'm'))
  }
  // A value after the flag, or after `--`, is read as before.
  assert.equal((await runCli(['impact', '--target-release', '4.19', '-n', 'team-a'], input)).code, 0)
})

test('impact with no resources says so (on stdin, or in the files named), not that it refuses to emit MachineConfigs', async () => {
  const r = await runCli(['impact', '--target-release', '4.19'], '')
  assert.equal(r.code, 1)
  assert.equal(r.stdout, '')
  assert.match(r.stderr, /^imagepolicy-mc impact: no resources on stdin: nothing to report/m)
  assert.doesNotMatch(r.stderr, /MachineConfigs/)
})

test('impact: a container list that is not a list, or an image that is not a string, is reported (invalid-reference), never skipped', async () => {
  const workloads = [
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: odd\n  namespace: team-a\nspec:\n  template:\n    spec:\n      containers: notalist\n',
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: num\n  namespace: team-a\nspec:\n  containers:\n  - name: c\n    image: 12345\n',
  ]
  const r = await runCli(['impact', '--target-release', '4.19', '--format', 'json'], stream(cip('app', ['registry.example.com/app']), ...workloads))
  assert.equal(r.code, 0, r.stderr)
  const risks = JSON.stringify(JSON.parse(r.stdout))
  assert.match(risks, /containers is not a list \(a string\)/)
  assert.match(risks, /the image is not a string \(a number\)/)
  const text = await runCli(['impact', '--target-release', '4.19'], stream(cip('app', ['registry.example.com/app']), ...workloads))
  assert.match(text.stdout, /run by: +Deployment team-a\/odd containers/)
  assert.match(text.stdout, /\[invalid-reference\] containers is not a list \(a string\)/)
  assert.match(text.stdout, /\[invalid-reference\] the image is not a string \(a number\)/)
})
