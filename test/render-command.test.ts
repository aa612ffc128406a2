// `imagepolicy-mc render`: node files printed under headers, or written below a
// directory that then holds exactly what a node would.

import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { formatNodeFiles, writeNodeFiles } from '../src/commands/render.ts'
import { run } from '../src/run.ts'
import { runCli } from './run-cli.ts'
import { cip, imageConfig, ip, namespace, stream } from './fixtures/review/resources.ts'

const two = stream(imageConfig(), cip('app', ['registry.example.com/app']), namespace('team-a'), ip('team-a', 'a', ['registry.example.net/a']), namespace('team-b'), ip('team-b', 'b', ['registry.example.net/b']))
const one = stream(imageConfig(), cip('app', ['registry.example.com/app']), namespace('team-a'), ip('team-a', 'a', ['registry.example.net/a']))

test('render prints each file under a header, byte for byte', async () => {
  const out = await runCli(['render', '--target-release', '4.19'], one)
  assert.equal(out.code, 0, out.stderr)
  const files = run({ inputs: [{ text: one }], flags: { targetRelease: '4.19' } }).files
  assert.equal(out.stdout, formatNodeFiles(files))
  assert.match(out.stdout, /^==> \/etc\/containers\/policy\.json \(no newline at end of file\) <==\n\{\n/)
  assert.match(out.stdout, /\n\n==> \/etc\/containers\/registries\.d\/sigstore-registries\.yaml <==\ndocker:\n/)
  for (const f of files) assert.ok(out.stdout.includes(f.contents), f.path)
})

test('render --out writes the node tree, and removes files no longer rendered (and nothing else)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'imagepolicy-mc-render-'))
  try {
    const first = await runCli(['render', '--target-release', '4.19', '--out', dir], two)
    assert.equal(first.code, 0, first.stderr)
    const files = run({ inputs: [{ text: two }], flags: { targetRelease: '4.19' } }).files
    for (const f of files) assert.equal(readFileSync(join(dir, f.path), 'utf8'), f.contents, f.path)
    assert.match(first.stdout, /^wrote .*\/etc\/containers\/policy\.json$/m)
    mkdirSync(join(dir, 'etc', 'other'), { recursive: true })
    writeFileSync(join(dir, 'etc', 'other', 'keep.txt'), 'mine')
    const second = await runCli(['render', '--target-release', '4.19', '--out', dir], one)
    assert.equal(second.code, 0, second.stderr)
    assert.match(second.stdout, /^removed .*\/etc\/crio\/policies\/team-b\.json$/m)
    assert.equal(existsSync(join(dir, 'etc', 'crio', 'policies', 'team-b.json')), false)
    assert.equal(existsSync(join(dir, 'etc', 'crio', 'policies', 'team-a.json')), true)
    assert.equal(readFileSync(join(dir, 'etc', 'other', 'keep.txt'), 'utf8'), 'mine')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('render takes the function\'s options and input files; a failed rendering writes nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'imagepolicy-mc-render-'))
  try {
    const input = join(dir, 'in.yaml')
    writeFileSync(input, stream(imageConfig({ allowedRegistries: ['a.example.com'] }), cip('x', ['b.example.com'])))
    const failed = await runCli(['render', '--target-release', '4.19', input, '--out', join(dir, 'out')])
    assert.equal(failed.code, 1)
    assert.match(failed.stderr, /is not nested inside allowedRegistries/)
    assert.equal(existsSync(join(dir, 'out')), false)
    writeFileSync(input, stream(cip('openshift-x', ['b.example.com'])))
    assert.equal((await runCli(['render', '--target-release', '4.19', input])).code, 0)
    const strict = await runCli(['render', '--target-release', '4.19', input, '--strict'])
    assert.equal(strict.code, 1)
    assert.equal(strict.stdout, '')
    assert.equal((await runCli(['render', '--target-release', '4.19', input, '--no-such-flag'])).code, 2)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('writeNodeFiles never writes outside the directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'imagepolicy-mc-render-'))
  try {
    assert.throws(() => writeNodeFiles(dir, [{ path: '/etc/crio/policies/../../../../escape.json', contents: 'x' }]), /outside/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('render --help', async () => {
  const help = await runCli(['render', '--target-release', '4.19', '--help'])
  assert.equal(help.code, 0)
  assert.match(help.stdout, /^imagepolicy-mc render \[PATH\.\.\.\] \[--out DIR\]/)
})

test('render --out: a current directory inside DIR/etc is refused, naming it (DIR/etc is swapped by renaming)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'imagepolicy-mc-render-'))
  const cwd = process.cwd()
  try {
    assert.equal((await runCli(['render', '--target-release', '4.19', '--out', dir], one)).code, 0)
    process.chdir(join(dir, 'etc', 'containers'))
    const r = await runCli(['render', '--target-release', '4.19', '--out', dir], two)
    assert.equal(r.code, 1, r.stderr)
    assert.match(r.stderr, /\/etc holds the current directory: render --out replaces DIR\/etc by renaming/)
    assert.ok(existsSync(join(process.cwd(), 'policy.json')), 'the current directory is still there')
  } finally {
    process.chdir(cwd)
    rmSync(dir, { recursive: true, force: true })
  }
})
