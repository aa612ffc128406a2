// `imagepolicy-mc diff`: the change in node files between two inputs (paths or
// git revisions), which pools roll, as text and as Markdown.

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { findExecutable } from '../src/commands/util-path.ts'
import { formatDiffMarkdown, formatDiffText } from '../src/diff/format-diff.ts'
import { decodeDataUrl, nodeFilesFromMachineConfigs, streamValues } from '../src/diff/machine-config-files.ts'
import { diffNodeFiles, fileChanges } from '../src/diff/node-file-diff.ts'
import { run } from '../src/run.ts'
import { runCli } from './run-cli.ts'
import { cip, imageConfig, ip, namespace, stream } from './fixtures/review/resources.ts'

const base = stream(imageConfig(), cip('app', ['registry.example.com/app']), namespace('team-a'), ip('team-a', 'a', ['registry.example.net/a']))
const head = stream(imageConfig(), cip('app', ['registry.example.com/app', 'registry.example.com/web']), namespace('team-b'), ip('team-b', 'b', ['registry.example.net/b']))

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'imagepolicy-mc-diff-test-'))
}

test('fileChanges: added, removed and modified files in MCO order, with line counts', () => {
  const changes = fileChanges(
    [{ path: '/etc/crio/policies/a.json', contents: 'a\n' }, { path: '/etc/containers/policy.json', contents: 'x\ny\n' }],
    [{ path: '/etc/containers/policy.json', contents: 'x\nz\n' }, { path: '/etc/crio/policies/b.json', contents: 'b\n' }],
  )
  assert.deepEqual(
    changes.map((c) => [c.path, c.status, c.added, c.removed]),
    [
      ['/etc/containers/policy.json', 'modified', 1, 1],
      ['/etc/crio/policies/a.json', 'removed', 0, 1],
      ['/etc/crio/policies/b.json', 'added', 1, 0],
    ],
  )
  assert.equal(changes[1]!.diff, '--- a/etc/crio/policies/a.json\n+++ /dev/null\n@@ -1 +0,0 @@\n-a\n')
  assert.equal(changes[2]!.diff, '--- /dev/null\n+++ b/etc/crio/policies/b.json\n@@ -0,0 +1 @@\n+b\n')
})

test('diffNodeFiles: pools roll only when their files change; pools that differ get their own group', () => {
  const f = (c: string) => [{ path: '/etc/containers/policy.json', contents: c }]
  assert.deepEqual(diffNodeFiles(new Map([['worker', f('a')]]), new Map([['worker', f('a')]])), { rolling: [], groups: [] })
  const d = diffNodeFiles(new Map([['master', f('a')], ['worker', f('a')], ['infra', f('b')]]), new Map([['master', f('b')], ['worker', f('b')], ['infra', f('b')]]))
  assert.deepEqual(d.rolling, ['master', 'worker'])
  assert.deepEqual(d.groups.map((g) => g.pools), [['master', 'worker']])
  const added = diffNodeFiles(new Map([['worker', f('a')]]), new Map([['worker', f('b')], ['arbiter', f('a')]]))
  assert.deepEqual(added.groups.map((g) => g.pools), [['arbiter'], ['worker']])
})

test('diff of two files: text and Markdown', async () => {
  const dir = tempDir()
  try {
    writeFileSync(join(dir, 'base.yaml'), base)
    writeFileSync(join(dir, 'head.yaml'), head)
    const text = await runCli(['diff', '--target-release', '4.19', join(dir, 'base.yaml'), join(dir, 'head.yaml')])
    assert.equal(text.code, 0, text.stderr)
    assert.match(text.stdout, /^pools that would roll: master, worker \(MCO updates their nodes one at a time/m)
    assert.match(text.stdout, /^ {2}removed {2}\/etc\/crio\/policies\/team-a\.json/m)
    assert.match(text.stdout, /^ {2}added {4}\/etc\/crio\/policies\/team-b\.json/m)
    assert.match(text.stdout, /^\+{3} b\/etc\/containers\/policy\.json$/m)
    assert.match(text.stdout, /^\+ {6}"registry\.example\.com\/web": \[$/m)
    const md = await runCli(['diff', '--target-release', '4.19', '--output', 'markdown', join(dir, 'base.yaml'), join(dir, 'head.yaml')])
    assert.equal(md.code, 0, md.stderr)
    assert.match(md.stdout, /^### Node files: `.*base\.yaml` → `.*head\.yaml`\n/)
    assert.match(md.stdout, /\*\*Pools that would roll:\*\* `master`, `worker`\./)
    assert.match(md.stdout, /\| `\/etc\/crio\/policies\/team-b\.json` \| added \(\+\d+ −0\) \|/)
    assert.match(md.stdout, /<details open>\n<summary><code>\/etc\/containers\/policy\.json<\/code> modified<\/summary>\n\n```diff\n--- a\/etc\/containers\/policy\.json\n/)
    const same = await runCli(['diff', '--target-release', '4.19', join(dir, 'base.yaml'), join(dir, 'base.yaml')])
    assert.match(same.stdout, /no change to node files: no pool rolls/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a stream that holds generated MachineConfigs is read from them, not rendered again', async () => {
  const rendered = run({ inputs: [{ text: head }], flags: { targetRelease: '4.19', emitPolicies: false } })
  assert.equal(rendered.exitCode, 0)
  const values = streamValues(rendered.output)
  const read = nodeFilesFromMachineConfigs(values)!
  assert.deepEqual(read.issues, [])
  const pools = read.pools
  assert.deepEqual([...pools.keys()], ['master', 'worker'])
  assert.deepEqual(pools.get('worker'), rendered.files)
  assert.equal(nodeFilesFromMachineConfigs(streamValues(head)), undefined)
  assert.equal(decodeDataUrl('data:,a%20b'), 'a b')
  // Base64 as Ignition decodes it (Go's base64.StdEncoding): line breaks skipped, padding required, junk refused.
  assert.equal(decodeDataUrl('data:;base64,YWJj\nZGVm'), 'abcdef')
  assert.equal(decodeDataUrl('data:;base64,YWJjZGVm!!!'), undefined, 'junk after valid base64')
  assert.equal(decodeDataUrl('data:;base64,YWJj=ZGVm'), undefined, 'a stray pad (Node stops there)')
  assert.equal(decodeDataUrl('data:;base64,e30'), undefined, 'padding is required')
  const dir = tempDir()
  try {
    writeFileSync(join(dir, 'base.yaml'), base)
    writeFileSync(join(dir, 'head.yaml'), rendered.output)
    const out = await runCli(['diff', '--target-release', '4.19', join(dir, 'base.yaml'), join(dir, 'head.yaml')])
    assert.equal(out.code, 0, out.stderr)
    assert.match(out.stdout, /note: .*head\.yaml: read from the MachineConfigs imagepolicy-mc generated in the stream/)
    assert.match(out.stdout, /added {4}\/etc\/crio\/policies\/team-b\.json/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('an empty side has no files; a side that fails to render fails the diff', async () => {
  const dir = tempDir()
  try {
    writeFileSync(join(dir, 'empty.yaml'), '')
    writeFileSync(join(dir, 'head.yaml'), head)
    writeFileSync(join(dir, 'bad.yaml'), stream(imageConfig({ allowedRegistries: ['a.example.com'] }), cip('x', ['b.example.com'])))
    const out = await runCli(['diff', '--target-release', '4.19', join(dir, 'empty.yaml'), join(dir, 'head.yaml')])
    assert.equal(out.code, 0, out.stderr)
    assert.match(out.stdout, /added {4}\/etc\/containers\/policy\.json/)
    const bad = await runCli(['diff', '--target-release', '4.19', join(dir, 'empty.yaml'), join(dir, 'bad.yaml')])
    assert.equal(bad.code, 1)
    assert.match(bad.stderr, /^head: error /m)
    assert.equal((await runCli(['diff', '--target-release', '4.19', join(dir, 'empty.yaml')])).code, 2)
    const neither = await runCli(['diff', '--target-release', '4.19', '--repo', dir, 'no-such-rev', join(dir, 'head.yaml')])
    assert.equal(neither.code, 2)
    assert.match(neither.stderr, /no-such-rev is neither a path nor a git revision/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('Markdown: code fences outgrow backticks in the diff, and head warnings are listed', () => {
  const report = {
    base: 'a',
    head: 'b',
    diff: diffNodeFiles(new Map([['worker', [{ path: '/etc/containers/policy.json', contents: 'x\n' }]]]), new Map([['worker', [{ path: '/etc/containers/policy.json', contents: '```\n' }]]])),
    headIssues: [{ severity: 'warning' as const, code: 'guardrail' as const, message: 'look | here', path: [] }],
    notes: [],
  }
  const md = formatDiffMarkdown(report)
  assert.match(md, /\n````diff\n/)
  assert.match(md, /\n- warning look \\\| here\n/)
  assert.match(formatDiffText(report), /^pools that would roll: worker/m)
})

const git = findExecutable('git', process.env['PATH'])
const kustomize = findExecutable('kustomize', process.env['PATH']) ?? findExecutable('kubectl', process.env['PATH'])

test('git revisions of a kustomization: read from the object database (not git archive), rendered, compared; the repository is untouched', { skip: git === undefined || kustomize === undefined ? 'needs git and kustomize or kubectl' : false }, async () => {
  const repo = tempDir()
  const g = (...args: string[]) => {
    const r = spawnSync('git', args, { cwd: repo, encoding: 'utf8' })
    assert.equal(r.status, 0, r.stderr)
    return r.stdout
  }
  try {
    g('init', '-q')
    g('config', 'user.email', 'test@example.com')
    g('config', 'user.name', 'test')
    mkdirSync(join(repo, 'clusters', 'prod'), { recursive: true })
    mkdirSync(join(repo, 'base'), { recursive: true })
    writeFileSync(join(repo, 'base', 'policies.yaml'), base)
    writeFileSync(join(repo, 'base', 'kustomization.yaml'), 'resources:\n- policies.yaml\n')
    writeFileSync(join(repo, 'clusters', 'prod', 'kustomization.yaml'), 'resources:\n- ../../base\n')
    g('add', '-A')
    g('commit', '-qm', 'base')
    writeFileSync(join(repo, 'base', 'policies.yaml'), head)
    g('commit', '-qam', 'head')
    const status = g('status', '--porcelain')
    const worktrees = g('worktree', 'list')
    const out = await runCli(['diff', '--target-release', '4.19', '--repo', repo, '--path', 'clusters/prod', 'HEAD~1', 'HEAD'])
    assert.equal(out.code, 0, out.stderr)
    assert.match(out.stdout, /^node files: HEAD~1:clusters\/prod \([0-9a-f]{12}\) -> HEAD:clusters\/prod \([0-9a-f]{12}\)$/m)
    assert.match(out.stdout, /added {4}\/etc\/crio\/policies\/team-b\.json/)
    // REV:PATH, as git writes it, works the same.
    const colon = await runCli(['diff', '--target-release', '4.19', '--repo', repo, 'HEAD~1:clusters/prod', 'HEAD:clusters/prod'])
    assert.equal(colon.code, 0, colon.stderr)
    assert.match(colon.stdout, /added {4}\/etc\/crio\/policies\/team-b\.json/)
    // A path missing at a revision counts as no files.
    const missing = await runCli(['diff', '--target-release', '4.19', '--repo', repo, 'HEAD~1:clusters/staging', 'HEAD:clusters/prod'])
    assert.equal(missing.code, 0, missing.stderr)
    assert.match(missing.stdout, /clusters\/staging does not exist at HEAD~1/)
    assert.equal(g('status', '--porcelain'), status)
    assert.equal(g('worktree', 'list'), worktrees)
  } finally {
    rmSync(repo, { recursive: true, force: true })
  }
})

test('diff: stdout is bounded by --max-output-bytes (cut after a whole line, with a line saying so) and its lines escaped', async () => {
  const dir = tempDir()
  try {
    // Compressed MachineConfigs are small, their diff (decompressed, both sides) is not: a budget
    // both renderings fit in but the whole diff does not.
    const side = (tag: string) =>
      stream(imageConfig(), cip('app', ['registry.example.com/app']), ...Array.from({ length: 40 }, (_, n) => [namespace(`team-${tag}${n}`), ip(`team-${tag}${n}`, 'p', [`registry.example.net/${tag}${n}`])]).flat())
    writeFileSync(join(dir, 'base.yaml'), side('a'))
    writeFileSync(join(dir, 'head.yaml'), side('b'))
    const args = ['diff', '--target-release', '4.19', '--pools', 'worker', '--compress', 'always', join(dir, 'base.yaml'), join(dir, 'head.yaml')]
    const full = await runCli(args)
    assert.equal(full.code, 0, full.stderr)
    assert.doesNotMatch(full.stderr, /is cut after/)
    const limit = Math.floor(Buffer.byteLength(full.stdout, 'utf8') / 2)
    const cut = await runCli([...args, '--max-output-bytes', String(limit)])
    assert.equal(cut.code, 0, cut.stderr)
    assert.ok(full.stdout.startsWith(cut.stdout) && cut.stdout.length < full.stdout.length && cut.stdout.endsWith('\n'))
    assert.ok(Buffer.byteLength(cut.stdout, 'utf8') <= limit)
    assert.match(cut.stderr, new RegExp(`^imagepolicy-mc diff: the node-file diff on stdout is cut after ${Buffer.byteLength(cut.stdout, 'utf8')} of its ${Buffer.byteLength(full.stdout, 'utf8')} bytes \\(the output budget of ${limit} bytes, --max-output-bytes\\)`, 'm'))
    // Every character a terminal would act on is escaped, whatever the files hold.
    assert.doesNotMatch(full.stdout, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a usage error is one line, also when yargs writes it over several (diff --output, impact --format)', async () => {
  for (const [args, flag] of [[['diff', '--output', 'xml', 'a', 'b'], 'output'], [['impact', '--format', 'xml', 'a'], 'format']] as const) {
    const r = await runCli(args)
    assert.equal(r.code, 2)
    assert.equal(r.stdout, '')
    const lines = r.stderr.trimEnd().split('\n')
    assert.equal(lines.length, 2, r.stderr)
    assert.match(lines[0]!, new RegExp(`^imagepolicy-mc ${args[0]}: Invalid values: Argument: ${flag}, Given: "xml", Choices: `))
    assert.doesNotMatch(lines[0]!, /\\n/)
    assert.equal(lines[1], `Run imagepolicy-mc ${args[0]} --help for usage.`)
  }
})
