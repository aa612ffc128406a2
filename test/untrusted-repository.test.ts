// Issue 13, "Untrusted repository content": the repository is written by whoever
// opens the pull request. Nothing in it may make us read or write outside the
// directories we were given, follow links out, block, exhaust memory, print a
// stack trace or pass raw terminal control sequences to the reader. Most cases
// run the built bundle (dist/imagepolicy-mc.js) as a process, so that a hang is a
// timeout, a signal is a real signal, and the working directory is the repository's.

import assert from 'node:assert/strict'
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { test, type TestContext } from 'node:test'
import { formatIssue } from '../src/issues.ts'
import { PLUGIN_RELATIVE_PATH } from '../src/commands/install-kustomize-plugin.ts'
import { absolutePathEntries, findExecutable } from '../src/commands/util-path.ts'
import { cip, imageConfig, ip, namespace, stream } from './fixtures/review/resources.ts'
import { runCli } from './run-cli.ts'
import { COMMAND_NAMES } from '../src/cli/main.ts'

const BUNDLE = resolve('dist/imagepolicy-mc.js')
const GIT = findExecutable('git', process.env['PATH'])
const MKFIFO = findExecutable('mkfifo', process.env['PATH'])

const one = stream(imageConfig(), cip('app', ['registry.example.com/app']), namespace('team-a'), ip('team-a', 'a', ['registry.example.net/a']))
const two = stream(imageConfig(), cip('app', ['registry.example.com/app']), namespace('team-a'), ip('team-a', 'a', ['registry.example.net/a']), namespace('team-b'), ip('team-b', 'b', ['registry.example.net/b']))

function tempDir(t: TestContext, prefix = 'imagepolicy-mc-untrusted-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

interface Run {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  readonly timedOut: boolean
}

/** Runs the bundle; a run that does not end in `timeout` ms is killed and reported as timed out. */
function runBundle(args: readonly string[], options: { cwd?: string; input?: string | Buffer; env?: NodeJS.ProcessEnv; timeout?: number } = {}): Run {
  // The function's own runs target 4.19, which ships no ClusterImagePolicy of its own
  // (README "The release's own policy"); these tests are about the host, not that rule.
  const own = args[0] === undefined || !COMMAND_NAMES.includes(args[0])
  const r: SpawnSyncReturns<Buffer> = spawnSync(process.execPath, [BUNDLE, ...(own ? ['--target-release', '4.19'] : []), ...args], {
    cwd: options.cwd ?? process.cwd(),
    input: options.input ?? '',
    env: options.env ?? process.env,
    timeout: options.timeout ?? 20_000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  })
  return {
    code: r.status,
    signal: r.signal,
    stdout: r.stdout?.toString('utf8') ?? '',
    stderr: r.stderr?.toString('utf8') ?? '',
    timedOut: (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT',
  }
}

/** One error line, no stack trace, no internal error. */
function assertOneLine(r: { stderr: string }, pattern: RegExp, what: string): void {
  assert.doesNotMatch(r.stderr, /\n\s+at |internal error/, `${what}: no stack trace\n${r.stderr}`)
  assert.match(r.stderr, pattern, what)
}

function git(repo: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd: repo, encoding: 'utf8' })
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`)
  return r.stdout
}

function initRepo(repo: string): void {
  git(repo, 'init', '-q', '-b', 'main')
  git(repo, 'config', 'user.email', 'test@example.com')
  git(repo, 'config', 'user.name', 'test')
  git(repo, 'config', 'commit.gpgsign', 'false')
}

/** Writes `files` (paths relative to the repository) and commits them all. */
function commitFiles(repo: string, files: Readonly<Record<string, string>>, message: string): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(repo, path)), { recursive: true })
    writeFileSync(join(repo, path), text)
  }
  git(repo, 'add', '-A')
  git(repo, 'commit', '-qm', message)
}

// --- diff -------------------------------------------------------------------

test('diff: a directory named like the base revision does not replace the base', { skip: GIT === undefined ? 'needs git' : false }, (t) => {
  const repo = tempDir(t)
  initRepo(repo)
  commitFiles(repo, { 'policies/p.yaml': one }, 'base')
  git(repo, 'branch', 'base')
  writeFileSync(join(repo, 'policies', 'p.yaml'), two)
  // The pull request adds a directory named like the base branch, holding head's policies:
  // read as a path, it would make the diff show no change.
  mkdirSync(join(repo, 'base', 'policies'), { recursive: true })
  writeFileSync(join(repo, 'base', 'policies', 'p.yaml'), two)
  git(repo, 'add', '-A')
  git(repo, 'commit', '-qm', 'head')
  const r = runBundle(['diff', '--path', 'policies', 'base', 'HEAD'], { cwd: repo })
  assert.doesNotMatch(r.stdout, /no change to node files/)
  assert.equal(r.code, 2, r.stderr)
  assertOneLine(r, /base is both a git revision and a path/, 'ambiguous name')
  // Said explicitly, each works.
  const asPath = runBundle(['diff', './base/policies', 'policies'], { cwd: repo })
  assert.equal(asPath.code, 0, asPath.stderr)
  assert.match(asPath.stdout, /no change to node files/)
  const asRevision = runBundle(['diff', '--path', 'policies', 'refs/heads/base', 'HEAD'], { cwd: repo })
  assert.equal(asRevision.code, 0, asRevision.stderr)
  assert.match(asRevision.stdout, /added {4}\/etc\/crio\/policies\/team-b\.json/)
  // A tag named like the directory: the line names refs/tags/ and the commit, and each works.
  const baseCommit = git(repo, 'rev-parse', 'base').trim()
  git(repo, 'branch', '-D', 'base')
  git(repo, 'tag', 'base', baseCommit)
  const tagged = runBundle(['diff', '--path', 'policies', 'base', 'HEAD'], { cwd: repo })
  assert.equal(tagged.code, 2, tagged.stderr)
  assertOneLine(tagged, new RegExp(`refs/tags/base for a tag\\) or the commit id ${baseCommit} for the revision`), 'ambiguous tag')
  for (const rev of ['refs/tags/base', baseCommit]) {
    const r2 = runBundle(['diff', '--path', 'policies', rev, 'HEAD'], { cwd: repo })
    assert.equal(r2.code, 0, r2.stderr)
    assert.match(r2.stdout, /added {4}\/etc\/crio\/policies\/team-b\.json/)
  }
})

test('diff: revisions resolve only to commits; paths that start with - are refused', { skip: GIT === undefined ? 'needs git' : false }, (t) => {
  const repo = tempDir(t)
  initRepo(repo)
  commitFiles(repo, { 'p.yaml': one }, 'base')
  const tree = git(repo, 'rev-parse', 'HEAD^{tree}').trim()
  const blob = git(repo, 'rev-parse', 'HEAD:p.yaml').trim()
  for (const spec of [tree, blob]) {
    const r = runBundle(['diff', '--repo', repo, spec, 'HEAD'], { cwd: tmpdir() })
    assert.equal(r.code, 2, `${spec}: ${r.stderr}`)
    assertOneLine(r, /is neither a path nor a git revision/, spec)
  }
  for (const args of [['HEAD:-p.yaml', 'HEAD'], ['--path=-x', 'HEAD', 'HEAD']]) {
    const r = runBundle(['diff', '--repo', repo, ...args], { cwd: tmpdir() })
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
    assertOneLine(r, /starts with -/, args.join(' '))
  }
})

test('diff: .gitattributes export-ignore in a pull request does not hide its policy change', { skip: GIT === undefined ? 'needs git' : false }, (t) => {
  const repo = tempDir(t)
  initRepo(repo)
  commitFiles(repo, { 'policies/p.yaml': one }, 'base')
  writeFileSync(join(repo, 'policies', 'extra.yaml'), stream(namespace('team-b'), ip('team-b', 'b', ['registry.example.net/b'])))
  writeFileSync(join(repo, '.gitattributes'), 'policies/extra.yaml export-ignore\n')
  git(repo, 'add', '-A')
  git(repo, 'commit', '-qm', 'head')
  const r = runBundle(['diff', '--repo', repo, '--path', 'policies', 'HEAD~1', 'HEAD'], { cwd: tmpdir() })
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /added {4}\/etc\/crio\/policies\/team-b\.json/)
})

test('diff: a symbolic link in a revision that leads out of the tree is refused; one inside it is read', { skip: GIT === undefined ? 'needs git' : false }, (t) => {
  const dir = tempDir(t)
  const repo = join(dir, 'repo')
  mkdirSync(repo)
  writeFileSync(join(dir, 'outside.yaml'), two)
  initRepo(repo)
  mkdirSync(join(repo, 'policies'))
  writeFileSync(join(repo, 'shared.yaml'), one)
  symlinkSync('../shared.yaml', join(repo, 'policies', 'p.yaml'))
  git(repo, 'add', '-A')
  git(repo, 'commit', '-qm', 'inside')
  const inside = runBundle(['diff', '--repo', repo, '--path', 'policies', 'HEAD', 'HEAD'], { cwd: tmpdir() })
  assert.equal(inside.code, 0, inside.stderr)
  assert.match(inside.stdout, /no change to node files/)
  rmSync(join(repo, 'policies', 'p.yaml'))
  symlinkSync(join(dir, 'outside.yaml'), join(repo, 'policies', 'p.yaml'))
  symlinkSync('../../outside.yaml', join(repo, 'policies', 'q.yaml'))
  git(repo, 'add', '-A')
  git(repo, 'commit', '-qm', 'outside')
  const out = runBundle(['diff', '--repo', repo, '--path', 'policies', 'HEAD~1', 'HEAD'], { cwd: tmpdir() })
  assert.equal(out.code, 1, out.stderr)
  assertOneLine(out, /symbolic link policies\/p\.yaml .*leads out of the tree/, 'link out')
  assert.doesNotMatch(out.stdout, /team-b/)
})

test('diff: git is never run from a relative PATH entry (nor an empty one, which means the current directory)', { skip: GIT === undefined ? 'needs git' : false }, (t) => {
  const dir = tempDir(t)
  const repo = join(dir, 'repo')
  mkdirSync(repo)
  initRepo(repo)
  commitFiles(repo, { 'p.yaml': one }, 'base')
  const canary = join(dir, 'ran')
  const fake = `#!/bin/sh\necho "$0" >> ${canary}\nexit 1\n`
  mkdirSync(join(repo, 'bin'))
  for (const p of [join(repo, 'bin', 'git'), join(repo, 'git'), join(repo, 'tar')]) {
    writeFileSync(p, fake)
    chmodSync(p, 0o755)
  }
  const r = runBundle(['diff', 'HEAD', 'HEAD'], { cwd: repo, env: { ...process.env, PATH: `bin::.:${process.env['PATH'] ?? ''}` } })
  assert.equal(existsSync(canary), false, existsSync(canary) ? readFileSync(canary, 'utf8') : '')
  assert.equal(r.code, 0, r.stderr)
})

test('diff: SIGTERM while a child runs removes the temporary directory', { skip: GIT === undefined ? 'needs git' : false }, async (t) => {
  const dir = tempDir(t)
  const repo = join(dir, 'repo')
  const tmp = join(dir, 'tmp')
  const bin = join(dir, 'bin')
  for (const d of [repo, tmp, bin]) mkdirSync(d)
  initRepo(repo)
  commitFiles(repo, { 'kustomization.yaml': 'resources: [p.yaml]\n', 'p.yaml': one }, 'base')
  const started = join(dir, 'started')
  writeFileSync(join(bin, 'kustomize'), `#!/bin/sh\ntouch ${started}\nexec sleep 30\n`)
  chmodSync(join(bin, 'kustomize'), 0o755)
  const child = spawn(process.execPath, [BUNDLE, 'diff', 'HEAD', 'HEAD'], { cwd: repo, env: { ...process.env, TMPDIR: tmp, PATH: `${bin}:${process.env['PATH'] ?? ''}` }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('exit', (code, signal) => done({ code, signal })))
  for (let i = 0; i < 200 && !existsSync(started); i++) await new Promise((r) => setTimeout(r, 50))
  assert.ok(existsSync(started), 'kustomize started')
  assert.ok(readdirSync(tmp).length > 0, 'a temporary directory exists while kustomize runs')
  child.kill('SIGTERM')
  const end = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000))])
  if (end === 'timeout') child.kill('SIGKILL')
  assert.notEqual(end, 'timeout', 'exits promptly on SIGTERM')
  assert.equal(end !== 'timeout' && end.code, 143, stderr)
  assert.deepEqual(readdirSync(tmp), [])
})

// --- discover ---------------------------------------------------------------

test('discover: a link out of the directory is not followed; a FIFO does not block; loops end', (t) => {
  const dir = tempDir(t)
  const app = join(dir, 'app')
  mkdirSync(app)
  writeFileSync(join(dir, 'outside.yaml'), 'apiVersion: config.openshift.io/v1\nkind: ClusterImagePolicy\n')
  symlinkSync('../outside.yaml', join(app, 'p.yaml'))
  symlinkSync('/dev/zero', join(app, 'zero.yaml'))
  if (MKFIFO !== undefined) spawnSync(MKFIFO, [join(app, 'fifo.yaml')])
  // Two links to the directory itself: followed by path, the walk doubles at every level.
  mkdirSync(join(app, 'loop'))
  writeFileSync(join(app, 'loop', 'kustomization.yaml'), 'resources: [a, b]\n')
  symlinkSync('.', join(app, 'loop', 'a'))
  symlinkSync('.', join(app, 'loop', 'b'))
  writeFileSync(join(app, 'kustomization.yaml'), 'resources: [fifo.yaml, zero.yaml, loop, p.yaml]\n')
  const r = runBundle(['discover', app], { timeout: 15_000 })
  assert.equal(r.timedOut, false, 'discover ends')
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stdout, '')
  assert.doesNotMatch(r.stderr, /\n\s+at |internal error/)
  // The same file inside the directory is found.
  writeFileSync(join(app, 'q.yaml'), 'apiVersion: config.openshift.io/v1\nkind: ClusterImagePolicy\n')
  writeFileSync(join(app, 'kustomization.yaml'), 'resources: [loop, p.yaml, q.yaml]\n')
  assert.equal(runBundle(['discover', app]).stdout, 'q.yaml\n')
})

test('discover: a base outside DIR is read only inside --root', (t) => {
  const dir = tempDir(t)
  mkdirSync(join(dir, 'repo', 'app'), { recursive: true })
  mkdirSync(join(dir, 'repo', 'base'))
  writeFileSync(join(dir, 'repo', 'app', 'kustomization.yaml'), 'resources: [../base]\n')
  writeFileSync(join(dir, 'repo', 'base', 'kustomization.yaml'), 'resources: [cip.yaml]\n')
  writeFileSync(join(dir, 'repo', 'base', 'cip.yaml'), 'apiVersion: config.openshift.io/v1\nkind: ClusterImagePolicy\n')
  assert.equal(runBundle(['discover', '--root', join(dir, 'repo'), join(dir, 'repo', 'app')]).stdout, '../base/cip.yaml\n')
  const confined = runBundle(['discover', '--root', join(dir, 'repo', 'app'), join(dir, 'repo', 'app')])
  assert.equal(confined.code, 0, confined.stderr)
  assert.equal(confined.stdout, '')
  assert.match(confined.stderr, /outside the root/)
  // The default root: Argo CD runs discovery in the application's path, with ARGOCD_APP_SOURCE_PATH set.
  const env = { ...process.env, ARGOCD_APP_SOURCE_PATH: 'app' }
  assert.equal(runBundle(['discover', '.'], { cwd: join(dir, 'repo', 'app'), env }).stdout, '../base/cip.yaml\n')
  // Else the nearest directory with .git, else DIR itself.
  const bare = { ...process.env }
  delete bare['ARGOCD_APP_SOURCE_PATH']
  assert.equal(runBundle(['discover', '.'], { cwd: join(dir, 'repo', 'app'), env: bare }).stdout, '')
  mkdirSync(join(dir, 'repo', '.git'))
  assert.equal(runBundle(['discover', '.'], { cwd: join(dir, 'repo', 'app'), env: bare }).stdout, '../base/cip.yaml\n')
})

// --- input files and stdin --------------------------------------------------

test('inputs: a FIFO is refused, not read (it would block forever)', { skip: MKFIFO === undefined ? 'needs mkfifo' : false }, (t) => {
  const dir = tempDir(t)
  spawnSync(MKFIFO!, [join(dir, 'fifo.yaml')])
  const named = runBundle([join(dir, 'fifo.yaml')], { timeout: 10_000 })
  assert.equal(named.timedOut, false, 'ends')
  assert.equal(named.code, 1, named.stderr)
  assertOneLine(named, /fifo\.yaml: not a regular file/, 'named FIFO')
  writeFileSync(join(dir, 'p.yaml'), one)
  const walked = runBundle([dir], { timeout: 10_000 })
  assert.equal(walked.timedOut, false, 'ends')
  assert.equal(walked.code, 1, walked.stderr)
  assertOneLine(walked, /fifo\.yaml: not a regular file/, 'FIFO in a directory')
  assert.equal(walked.stdout, '')
})

test('inputs: a directory walk stays below the directory, detects loops, and reports bad links in one line', (t) => {
  const dir = tempDir(t)
  const root = join(dir, 'root')
  mkdirSync(join(root, 'sub'), { recursive: true })
  writeFileSync(join(root, 'p.yaml'), one)
  writeFileSync(join(dir, 'secret.yaml'), 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: canary-secret-value\n')
  // Loops: followed by path they never end (or end in ELOOP).
  symlinkSync('..', join(root, 'sub', 'up'))
  symlinkSync('.', join(root, 'sub', 'self'))
  const loops = runBundle([root], { timeout: 15_000 })
  assert.equal(loops.timedOut, false)
  assert.equal(loops.code, 0, loops.stderr)
  assert.equal((loops.stdout.match(/kind: ClusterImagePolicy/g) ?? []).length, 1, 'each file once')
  // A link out of the directory.
  symlinkSync('../../secret.yaml', join(root, 'sub', 'leak.yaml'))
  const out = runBundle([root])
  assert.equal(out.code, 1, out.stderr)
  assertOneLine(out, /leak\.yaml: .*outside/, 'link out')
  assert.doesNotMatch(out.stdout, /canary-secret-value/)
  rmSync(join(root, 'sub', 'leak.yaml'))
  // Dangling links and self-loops: ENOENT and ELOOP.
  for (const [name, target] of [['dangling.yaml', 'nowhere.yaml'], ['eloop.yaml', 'eloop.yaml']] as const) {
    symlinkSync(target, join(root, name))
    const r = runBundle([root])
    assert.equal(r.code, 1, `${name}: ${r.stderr}`)
    assertOneLine(r, new RegExp(`${name.replace('.', '\\.')}: `), name)
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
    rmSync(join(root, name))
  }
  // ENOTDIR and EISDIR on named paths.
  for (const args of [[join(root, 'p.yaml', 'x.yaml')], ['--config', root, join(root, 'p.yaml')]]) {
    const r = runBundle(args)
    assert.ok(r.code === 1 || r.code === 2, `${args.join(' ')}: ${r.code} ${r.stderr}`)
    assertOneLine(r, /./, args.join(' '))
    assert.equal(r.stderr.trim().split('\n').filter((l) => !l.startsWith('Run ')).length, 1, r.stderr)
  }
})

test('inputs: --max-input-bytes bounds files and stdin, with one error line', (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'p.yaml'), one)
  const size = Buffer.byteLength(one)
  const file = runBundle(['--max-input-bytes', String(size - 1), join(dir, 'p.yaml')])
  assert.equal(file.code, 1, file.stderr)
  assertOneLine(file, /p\.yaml: input exceeds the input budget of \d+ bytes \(--max-input-bytes\)/, 'file over budget')
  assert.equal(file.stdout, '')
  assert.equal(runBundle(['--max-input-bytes', String(size), join(dir, 'p.yaml')]).code, 0)
  const stdin = runBundle(['--max-input-bytes', '1KiB'], { input: one + '#'.repeat(2048) })
  assert.equal(stdin.code, 1, stdin.stderr)
  assertOneLine(stdin, /<stdin>: input exceeds the input budget of 1024 bytes \(--max-input-bytes\)/, 'stdin over budget')
  // The budget is for all inputs together.
  writeFileSync(join(dir, 'q.yaml'), one.replace(/name: app/, 'name: app2').replace(/registry\.example\.com\/app/, 'registry.example.com/app2'))
  const both = runBundle(['--max-input-bytes', String(size + 10), join(dir, 'p.yaml'), join(dir, 'q.yaml')])
  assert.equal(both.code, 1, both.stderr)
  assertOneLine(both, /q\.yaml: input exceeds the input budget/, 'total')
  const bad = runBundle(['--max-input-bytes', 'lots', join(dir, 'p.yaml')])
  assert.equal(bad.code, 2, bad.stderr)
  assert.match(bad.stderr, /--max-input-bytes/)
  const help = runBundle(['--help'])
  assert.match(help.stdout, /--max-input-bytes/)
  assert.match(help.stdout, /--max-output-bytes/)
})

test('inputs: stdin is read in bounded chunks: the reader is asked for at most the budget', async () => {
  let asked: number | undefined
  let stdout = ''
  let stderr = ''
  const code = await (await import('../src/cli/main.ts')).main(['--max-input-bytes', '100'], {
    readStdin: async (maxBytes?: number) => {
      asked = maxBytes
      return 'x'.repeat(101)
    },
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  } as never)
  assert.equal(asked, 100)
  assert.equal(code, 1)
  assert.equal(stdout, '')
  assert.match(stderr, /input budget of 100 bytes/)
})

// --- output -----------------------------------------------------------------

test('output: 1,000 namespaces x 256 scopes with RSA-4096 keys end in the output budget line, not a RangeError', (t) => {
  const dir = tempDir(t)
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 4096 })
  const key = Buffer.from(publicKey.export({ type: 'spki', format: 'pem' }) as string).toString('base64')
  const docs: string[] = []
  const scopes = Array.from({ length: 256 }, (_, s) => `r${s}.example.com/app`)
  for (let n = 0; n < 1000; n++) docs.push(namespace(`ns-${n}`), ip(`ns-${n}`, 'p', scopes, { key }))
  writeFileSync(join(dir, 'amp.yaml'), stream(...docs))
  const r = runBundle([join(dir, 'amp.yaml')], { timeout: 120_000 })
  assert.equal(r.timedOut, false)
  assert.equal(r.code, 1, r.stderr.slice(0, 2000))
  assertOneLine(r, /^error .*exceeds the output budget of 268435456 bytes \(--max-output-bytes\)/m, 'amplification')
  assert.doesNotMatch(r.stderr, /RangeError/)
  assert.equal(r.stdout, '')
})

test('output: --max-output-bytes bounds what is printed, for the function and for render', async () => {
  const small = await runCli(['--target-release', '4.19', '--max-output-bytes', '2000'], one)
  assert.equal(small.code, 1, small.stderr)
  assert.equal(small.stdout, '')
  assertOneLine(small, /exceeds the output budget of 2000 bytes \(--max-output-bytes\)/, 'function')
  const render = await runCli(['render', '--max-output-bytes', '100'], one)
  assert.equal(render.code, 1, render.stderr)
  assert.equal(render.stdout, '')
  assertOneLine(render, /exceeds the output budget of 100 bytes/, 'render')
  assert.equal((await runCli(['--target-release', '4.19', '--max-output-bytes', '10MiB'], one)).code, 0)
})

// --- render --out -----------------------------------------------------------

test('render --out never follows a link in the output tree, and a refused run leaves the old tree intact', async (t) => {
  const dir = tempDir(t)
  const out = join(dir, 'out')
  const outside = join(dir, 'outside')
  mkdirSync(outside)
  writeFileSync(join(outside, 'canary.json'), 'canary')
  writeFileSync(join(outside, 'policy.json'), 'canary')
  const first = await runCli(['render', '--out', out], two)
  assert.equal(first.code, 0, first.stderr)
  const snapshot = () => readdirSync(out, { recursive: true, withFileTypes: false }).map(String).sort().map((p) => [p, lstatSync(join(out, p)).isFile() ? readFileSync(join(out, p), 'utf8') : ''])
  // A link where a managed directory is: written through, it would delete outside/canary.json and write there.
  rmSync(join(out, 'etc', 'crio', 'policies'), { recursive: true })
  symlinkSync(outside, join(out, 'etc', 'crio', 'policies'))
  const before = snapshot()
  const r = await runCli(['render', '--out', out], one)
  assert.equal(r.code, 1, r.stderr)
  assertOneLine(r, /etc\/crio\/policies is a symbolic link/, 'linked directory')
  assert.deepEqual(readdirSync(outside).sort(), ['canary.json', 'policy.json'])
  assert.equal(readFileSync(join(outside, 'canary.json'), 'utf8'), 'canary')
  assert.deepEqual(snapshot(), before)
  // A link where a managed file is.
  rmSync(join(out, 'etc', 'crio', 'policies'))
  mkdirSync(join(out, 'etc', 'crio', 'policies'))
  rmSync(join(out, 'etc', 'containers', 'policy.json'))
  symlinkSync(join(outside, 'policy.json'), join(out, 'etc', 'containers', 'policy.json'))
  const file = await runCli(['render', '--out', out], one)
  assert.equal(file.code, 1, file.stderr)
  assertOneLine(file, /etc\/containers\/policy\.json is a symbolic link/, 'linked file')
  assert.equal(readFileSync(join(outside, 'policy.json'), 'utf8'), 'canary')
  // --out itself a link.
  rmSync(out, { recursive: true })
  symlinkSync(outside, out)
  const self = await runCli(['render', '--out', out], one)
  assert.equal(self.code, 1, self.stderr)
  assertOneLine(self, /is a symbolic link/, '--out a link')
  assert.deepEqual(readdirSync(outside).sort(), ['canary.json', 'policy.json'])
})

test('render --out replaces the tree in one step: no temporary directory is left beside it', async (t) => {
  const dir = tempDir(t)
  const out = join(dir, 'out')
  assert.equal((await runCli(['render', '--out', out], two)).code, 0)
  mkdirSync(join(out, 'etc', 'other'))
  writeFileSync(join(out, 'etc', 'other', 'keep.txt'), 'mine')
  symlinkSync('/nonexistent', join(out, 'etc', 'other', 'link'))
  const r = await runCli(['render', '--out', out], one)
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(readdirSync(dir), ['out'])
  assert.deepEqual(readdirSync(out), ['etc'])
  assert.equal(readFileSync(join(out, 'etc', 'other', 'keep.txt'), 'utf8'), 'mine')
  assert.equal(lstatSync(join(out, 'etc', 'other', 'link')).isSymbolicLink(), true, 'links are kept as links')
  assert.equal(existsSync(join(out, 'etc', 'crio', 'policies', 'team-b.json')), false)
  assert.equal(statSync(join(out, 'etc', 'crio', 'policies', 'team-a.json')).isFile(), true)
})

// --- error lines ------------------------------------------------------------

test('error lines escape control characters in resource names, paths and messages', async (t) => {
  const line = formatIssue({
    severity: 'error',
    code: 'schema',
    message: 'bad \u001b[2J value\u0007',
    resource: { apiVersion: 'config.openshift.io/v1', kind: 'ClusterImagePolicy', name: 'a\nb\u001b]0;pwned\u0007\u009b31m\u2028' },
    path: ['spec', 'x\ny'],
    file: { path: 'dir/\u001b[31mred\n.yaml', index: 0 },
  })
  assert.equal(line.includes('\n'), false)
  assert.doesNotMatch(line, /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/)
  assert.match(line, /ClusterImagePolicy a\\nb\\x1b\]0;pwned\\x07\\x9b31m\\u2028/)
  assert.match(line, /\(dir\/\\x1b\[31mred\\n\.yaml#0\)$/)
  // Through the CLI: a file name with an escape sequence, and a bad document in it.
  const dir = tempDir(t)
  const name = join(dir, 'x\u001b[31m.yaml')
  writeFileSync(name, 'apiVersion: config.openshift.io/v1\nkind: ClusterImagePolicy\nmetadata:\n  name: "n\\e[2J"\nspec: 7\n')
  const r = runBundle([name])
  assert.equal(r.code, 1, r.stderr)
  assert.doesNotMatch(r.stderr, /\u001b/)
  assert.match(r.stderr, /\\x1b/)
})

// --- explain ----------------------------------------------------------------

test('explain --namespace must be a DNS-1123 label', async () => {
  for (const ns of ['Team_A', '../etc', 'a'.repeat(64), 'a\u001b[31m']) {
    const r = await runCli(['explain', 'registry.example.com/app:1', '--namespace', ns], one)
    assert.equal(r.code, 2, `${ns}: ${r.stderr}`)
    assertOneLine(r, /--namespace .*is not a valid namespace: (a lowercase RFC 1123 label|must be no more than 63 characters)/, ns)
    assert.doesNotMatch(r.stderr, /\u001b/)
  }
  assert.equal((await runCli(['explain', 'registry.example.com/app:1', '--namespace', 'team-a'], one)).code, 0)
})

// --- child processes and the plugin installer -------------------------------

test('build: a kustomize that never ends is stopped by the child timeout, one that prints without end by the input budget', (t) => {
  const dir = tempDir(t)
  const bin = join(dir, 'bin')
  mkdirSync(bin)
  writeFileSync(join(dir, 'kustomization.yaml'), 'resources: []\n')
  const sleep = findExecutable('sleep', process.env['PATH']) ?? '/bin/sleep'
  const yes = findExecutable('yes', process.env['PATH']) ?? '/usr/bin/yes'
  writeFileSync(join(bin, 'kustomize'), `#!/bin/sh\nexec ${sleep} 60\n`)
  chmodSync(join(bin, 'kustomize'), 0o755)
  const env = { ...process.env, PATH: bin, IMAGEPOLICY_MC_CHILD_TIMEOUT_SECONDS: '1' }
  const slow = runBundle(['build', dir], { env, timeout: 20_000 })
  assert.equal(slow.timedOut, false)
  assert.equal(slow.code, 1, slow.stderr)
  assertOneLine(slow, /timed out after 1 s/, 'timeout')
  const malformed = runBundle(['build', dir], { env: { ...env, IMAGEPOLICY_MC_CHILD_TIMEOUT_SECONDS: 'never' } })
  assert.equal(malformed.code, 1, malformed.stderr)
  assertOneLine(malformed, /IMAGEPOLICY_MC_CHILD_TIMEOUT_SECONDS: expected a whole number of seconds/, 'malformed timeout')
  writeFileSync(join(bin, 'kustomize'), `#!/bin/sh\nexec ${yes} "apiVersion: v1"\n`)
  const loud = runBundle(['build', dir, '--max-input-bytes', '1MiB'], { env, timeout: 20_000 })
  assert.equal(loud.timedOut, false)
  assert.equal(loud.code, 1, loud.stderr)
  assertOneLine(loud, /output exceeds 1048576 bytes \(--max-input-bytes\)/, 'output bound')
})

test('build: the timeout also ends what kustomize started, which holds its output pipes open', (t) => {
  // A kustomize whose own child inherited stdout/stderr: killing kustomize alone
  // left the pipes open, and build waited for the grandchild past the timeout.
  const dir = tempDir(t)
  const bin = join(dir, 'bin')
  mkdirSync(bin)
  writeFileSync(join(dir, 'kustomization.yaml'), 'resources: []\n')
  const sleep = findExecutable('sleep', process.env['PATH']) ?? '/bin/sleep'
  const pidFile = join(dir, 'grandchild.pid')
  writeFileSync(join(bin, 'kustomize'), `#!/bin/sh\n${sleep} 30 &\necho $! > ${pidFile}\n${sleep} 30\n`)
  chmodSync(join(bin, 'kustomize'), 0o755)
  const started = Date.now()
  const slow = runBundle(['build', dir], { env: { ...process.env, PATH: bin, IMAGEPOLICY_MC_CHILD_TIMEOUT_SECONDS: '1' }, timeout: 20_000 })
  assert.equal(slow.timedOut, false)
  assert.ok(Date.now() - started < 15_000, `build returned after ${Date.now() - started} ms`)
  assert.equal(slow.code, 1, slow.stderr)
  assertOneLine(slow, /timed out after 1 s/, 'timeout')
  const pid = Number(readFileSync(pidFile, 'utf8'))
  const alive = () => {
    try {
      process.kill(pid, 0)
      return true
    } catch {
      return false
    }
  }
  // Killed with the group; give init a moment to reap it.
  for (let i = 0; i < 40 && alive(); i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50)
  assert.equal(alive(), false, 'the grandchild was killed with the group')
})

test('build: kustomize is found on absolute PATH entries only, and runs with only those in its own PATH', (t) => {
  assert.equal(absolutePathEntries('bin::/usr/bin:.:/bin:'), '/usr/bin:/bin')
  const dir = tempDir(t)
  const bin = join(dir, 'bin')
  mkdirSync(bin)
  mkdirSync(join(dir, 'app', 'rel'), { recursive: true })
  writeFileSync(join(dir, 'app', 'kustomization.yaml'), 'resources: []\n')
  const seen = join(dir, 'path-seen')
  const script = `#!/bin/sh\necho "$PATH" > ${seen}\necho 'apiVersion: v1'\necho 'kind: ConfigMap'\necho 'metadata: {name: x}'\n`
  for (const p of [join(bin, 'kustomize'), join(dir, 'app', 'rel', 'kustomize'), join(dir, 'app', 'kustomize')]) {
    writeFileSync(p, p.startsWith(bin) ? script : '#!/bin/sh\nexit 3\n')
    chmodSync(p, 0o755)
  }
  const r = runBundle(['build', '.'], { cwd: join(dir, 'app'), env: { ...process.env, PATH: `rel::.:${bin}` } })
  assert.equal(r.code, 0, r.stderr)
  assert.equal(readFileSync(seen, 'utf8'), `${bin}\n`)
})

test('install-kustomize-plugin: the temporary file has no predictable name a link could redirect', async (t) => {
  const dir = tempDir(t)
  const home = join(dir, 'home')
  const target = join(home, PLUGIN_RELATIVE_PATH)
  mkdirSync(join(target, '..'), { recursive: true })
  writeFileSync(join(dir, 'canary'), 'canary')
  symlinkSync(join(dir, 'canary'), `${target}.${process.pid}.tmp`)
  const r = await runCli(['install-kustomize-plugin', '--dir', home])
  assert.equal(r.code, 0, r.stderr)
  assert.equal(readFileSync(join(dir, 'canary'), 'utf8'), 'canary')
  assert.equal(lstatSync(target).isFile(), true)
  assert.match(readFileSync(target, 'utf8'), /^#!\/bin\/sh\n/)
  assert.deepEqual(readdirSync(join(target, '..')).sort(), ['ImagePolicyRenderer', `ImagePolicyRenderer.${process.pid}.tmp`])
})

test('byte sizes for the limit flags: whole bytes, SI and binary units', async () => {
  const { parseByteSize, childTimeoutSeconds } = await import('../src/limits.ts')
  assert.equal(parseByteSize('67108864'), 67108864)
  assert.equal(parseByteSize('64MiB'), 64 * 1024 * 1024)
  assert.equal(parseByteSize('64Mi'), 64 * 1024 * 1024)
  assert.equal(parseByteSize('1GiB'), 1024 ** 3)
  assert.equal(parseByteSize('500MB'), 500e6)
  assert.equal(parseByteSize('1k'), 1000)
  for (const bad of ['', '0', '-1', '1.5MiB', 'lots', '1 TiB', '9'.repeat(20)]) assert.equal(parseByteSize(bad), undefined, bad)
  assert.equal(childTimeoutSeconds({}), 300)
  assert.equal(childTimeoutSeconds({ IMAGEPOLICY_MC_CHILD_TIMEOUT_SECONDS: '900' }), 900)
  assert.equal(childTimeoutSeconds({ IMAGEPOLICY_MC_CHILD_TIMEOUT_SECONDS: 'never' }), undefined)
  // Past what a Node.js timer holds (2^31-1 ms), the timer fired after 1 ms and every child timed out at once.
  for (const v of ['2147484', '99999999999']) assert.equal(childTimeoutSeconds({ IMAGEPOLICY_MC_CHILD_TIMEOUT_SECONDS: v }), 2147483, v)
  assert.equal(childTimeoutSeconds({ IMAGEPOLICY_MC_CHILD_TIMEOUT_SECONDS: '2147483' }), 2147483)
})
