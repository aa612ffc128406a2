// `imagepolicy-mc check SOURCES RENDERED` and `render --write-machineconfigs DIR`
// (issue 18 part 2): each outcome with its exit code and the lines a user sees;
// the written files by name and byte; the committed output as untrusted input.

import assert from 'node:assert/strict'
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { optionArguments, regenerateCommand, shellWord } from '../src/commands/check.ts'
import { cutToBudget } from '../src/commands/render.ts'
import { KUSTOMIZATION_HEADER } from '../src/commands/machine-config-dir.ts'
import { runCli } from './run-cli.ts'
import { cip, imageConfig, ip, KEY, namespace, RELEASE_KEY, stream } from './fixtures/review/resources.ts'

const UPDATE = process.env['UPDATE'] === '1'
if (UPDATE && process.env['CI'] !== undefined && process.env['CI'] !== '') throw new Error('refusing to update golden fixtures in CI (UPDATE=1 with CI set)')

const SOURCES = stream(imageConfig({ blockedRegistries: ['bad.example.com'] }), cip('app', ['registry.example.com/app']), namespace('team-a'), ip('team-a', 'a', ['registry.example.net/a']))
const CHANGED = stream(imageConfig({ blockedRegistries: ['worse.example.com'] }), cip('app', ['registry.example.com/app']), namespace('team-a'), ip('team-a', 'a', ['registry.example.net/a']))
const OPTS = ['--target-release', '4.19']
const MASTER = '99-master-sigstore-imagepolicies'
const WORKER = '99-worker-sigstore-imagepolicies'

function temp(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'imagepolicy-mc-check-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A repository with sources.yaml and rendered/ written by render --write-machineconfigs. */
async function repo(t: TestContext, sources = SOURCES, extra: readonly string[] = []): Promise<{ dir: string; src: string; out: string }> {
  const dir = temp(t)
  const src = join(dir, 'sources.yaml')
  const out = join(dir, 'rendered')
  writeFileSync(src, sources)
  const wrote = await runCli(['render', '--write-machineconfigs', out, src, ...OPTS, ...extra])
  assert.equal(wrote.code, 0, wrote.stderr)
  return { dir, src, out }
}

function check(src: string, rendered: string, extra: readonly string[] = []) {
  return runCli(['check', src, rendered, ...OPTS, ...extra])
}

/** The generated MachineConfig documents of the function's stream output, by name. */
function streamDocuments(output: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const chunk of output.split(/^---\n/m)) {
    const name = /^kind: MachineConfig\nmetadata:\n(?:  .*\n)*?  name: (\S+)\n/m.exec(chunk)?.[1]
    if (name !== undefined && chunk.includes('imagepolicy-mc.openshift.io/generated: "true"')) out.set(name, chunk)
  }
  return out
}

test('write-machineconfigs: one <name>.yaml per MachineConfig, the bytes of the function output documents, and the kustomization listing them', async (t) => {
  const { out, src } = await repo(t)
  assert.deepEqual(readdirSync(out).sort(), [`${MASTER}.yaml`, `${WORKER}.yaml`, 'kustomization.yaml'])
  const fn = await runCli([src, ...OPTS])
  assert.equal(fn.code, 0, fn.stderr)
  const docs = streamDocuments(fn.stdout)
  assert.deepEqual([...docs.keys()], [MASTER, WORKER])
  for (const [name, text] of docs) assert.equal(readFileSync(join(out, `${name}.yaml`), 'utf8'), text, name)
  assert.equal(readFileSync(join(out, 'kustomization.yaml'), 'utf8'), `${KUSTOMIZATION_HEADER}\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- ${MASTER}.yaml\n- ${WORKER}.yaml\n`)
  assert.equal(lstatSync(out).mode & 0o777, 0o755)
})

test('write-machineconfigs golden: names and bytes of test/fixtures/write-machineconfigs (UPDATE=1 rewrites)', async (t) => {
  const fixture = join('test', 'fixtures', 'write-machineconfigs')
  const dir = temp(t)
  const out = join(dir, 'out')
  const ran = await runCli(['render', '--write-machineconfigs', out, join(fixture, 'input.yaml'), '--target-release', '4.19', '--pools', 'infra,worker', '--name', '50-{pool}-signatures'])
  assert.equal(ran.code, 0, ran.stderr)
  const expected = join(fixture, 'expected')
  if (UPDATE) {
    rmSync(expected, { recursive: true, force: true })
    mkdirSync(expected, { recursive: true })
    for (const f of readdirSync(out)) writeFileSync(join(expected, f), readFileSync(join(out, f)))
    t.skip('fixture updated (UPDATE=1)')
    return
  }
  assert.deepEqual(readdirSync(out).sort(), readdirSync(expected).sort())
  assert.deepEqual(readdirSync(out).sort(), ['50-infra-signatures.yaml', '50-worker-signatures.yaml', 'kustomization.yaml'])
  for (const f of readdirSync(expected)) assert.equal(readFileSync(join(out, f), 'utf8'), readFileSync(join(expected, f), 'utf8'), f)
  assert.equal(ran.stdout, ['50-infra-signatures.yaml', '50-worker-signatures.yaml', 'kustomization.yaml'].map((f) => `wrote ${join(out, f)}\n`).join(''))
})

test('check: current output exits 0 and says so', async (t) => {
  const { src, out } = await repo(t)
  const ran = await check(src, out)
  assert.equal(ran.code, 0, ran.stderr)
  assert.equal(ran.stdout, `imagepolicy-mc check: ${out} is current (2 MachineConfigs: ${MASTER}, ${WORKER})\n`)
})

test('check: stale output exits 1, one line per MachineConfig and node file, the decompressed diff, the command that regenerates it', async (t) => {
  const { src, out } = await repo(t)
  writeFileSync(src, CHANGED)
  const ran = await check(src, out)
  assert.equal(ran.code, 1)
  const lines = ran.stderr.split('\n').filter((l) => l.startsWith('imagepolicy-mc check:'))
  assert.deepEqual(lines, [
    ...[MASTER, WORKER].flatMap((n) => [
      `imagepolicy-mc check: ${out}/${n}.yaml: MachineConfig ${n}: stale: /etc/containers/policy.json differs from what the sources render`,
      `imagepolicy-mc check: ${out}/${n}.yaml: MachineConfig ${n}: stale: /etc/crio/policies/team-a.json differs from what the sources render`,
    ]),
    `imagepolicy-mc check: ${out} is not current; regenerate it with: imagepolicy-mc render --write-machineconfigs ${out} ${src} --target-release 4.19`,
  ])
  assert.match(ran.stdout, /^node files: .*rendered \(committed\) -> .*sources\.yaml \(rendered now\)\npools that would roll: master, worker /)
  assert.match(ran.stdout, /^-      "bad\.example\.com": \[$/m)
  assert.match(ran.stdout, /^\+      "worse\.example\.com": \[$/m)
  // The command it prints does regenerate it.
  assert.equal((await runCli(['render', '--write-machineconfigs', out, src, '--target-release', '4.19'])).code, 0)
  assert.equal((await check(src, out)).code, 0)
})

test('check: compressed output is compared decompressed; a changed option is stale with the field that differs', async (t) => {
  const { src, out } = await repo(t, SOURCES, ['--compress', 'always'])
  assert.equal((await check(src, out, ['--compress', 'always'])).code, 0)
  writeFileSync(src, CHANGED)
  const stale = await check(src, out, ['--compress', 'always'])
  assert.equal(stale.code, 1)
  assert.match(stale.stdout, /^\+      "worse\.example\.com": \[$/m)
  writeFileSync(src, SOURCES)
  const option = await check(src, out)
  assert.equal(option.code, 1)
  assert.match(option.stderr, new RegExp(`^imagepolicy-mc check: ${out}/${MASTER}\\.yaml: MachineConfig ${MASTER}: stale: its node files are current, but spec\\.config\\.storage\\.files\\[0\\]\\.contents\\.compression differs from what the sources render with these options$`, 'm'))
  assert.equal(option.stdout, '', 'no node file differs')
})

test('check: a missing MachineConfig exits 1 and names it; so does a missing RENDERED', async (t) => {
  const { src, out } = await repo(t)
  rmSync(join(out, `${WORKER}.yaml`))
  const ran = await check(src, out)
  assert.equal(ran.code, 1)
  assert.match(ran.stderr, new RegExp(`^imagepolicy-mc check: ${out}/${WORKER}\\.yaml: MachineConfig ${WORKER}: missing: the sources render this MachineConfig, but it is not committed$`, 'm'))
  assert.match(ran.stdout, /^pools that would roll: worker /m)
  assert.match(ran.stdout, /^  added    \/etc\/containers\/policy\.json /m)
  const none = await check(src, join(out, 'nothing'))
  assert.equal(none.code, 1)
  assert.match(none.stderr, new RegExp(`^imagepolicy-mc check: ${out}/nothing: missing: no such directory$`, 'm'))
  assert.match(none.stderr, new RegExp(`MachineConfig ${MASTER}: missing: `))
})

test('check: an extra MachineConfig (no longer rendered) exits 1 and names it', async (t) => {
  const { src, out } = await repo(t, SOURCES, ['--pools', 'master,worker,infra'])
  const ran = await check(src, out)
  assert.equal(ran.code, 1)
  const infra = '99-infra-sigstore-imagepolicies'
  assert.match(ran.stderr, new RegExp(`^imagepolicy-mc check: ${out}/${infra}\\.yaml: MachineConfig ${infra}: extra: the sources no longer render this MachineConfig: remove it \\(applied, it would stay on the cluster\\)$`, 'm'))
  assert.match(ran.stderr, new RegExp(`^imagepolicy-mc check: ${out}/kustomization\\.yaml: stale: does not list exactly the MachineConfigs rendered \\(${MASTER}, ${WORKER}\\)$`, 'm'))
  assert.match(ran.stdout, /^pools that would roll: infra /m)
  // Regenerating removes it.
  const again = await runCli(['render', '--write-machineconfigs', out, src, ...OPTS])
  assert.match(again.stdout, new RegExp(`^removed ${out}/${infra}\\.yaml$`, 'm'))
  assert.equal(existsSync(join(out, `${infra}.yaml`)), false)
  assert.equal((await check(src, out)).code, 0)
})

/** The file with one node file's data URL replaced by `edit` of its decoded text, the annotations left as they were. */
function editNodeFile(path: string, edit: (text: string) => string): void {
  const text = readFileSync(path, 'utf8')
  const m = /data:text\/plain;charset=utf-8;base64,([A-Za-z0-9+/=]+)/.exec(text)!
  const changed = Buffer.from(edit(Buffer.from(m[1]!, 'base64').toString('utf8')), 'utf8').toString('base64')
  writeFileSync(path, text.replace(m[1]!, changed))
}

test('check: a hand-edited node file (its sha256 annotation no longer matches) exits 1 and names the MachineConfig and file', async (t) => {
  const { src, out } = await repo(t)
  editNodeFile(join(out, `${WORKER}.yaml`), (s) => s.replace('"reject"', '"insecureAcceptAnything"'))
  const ran = await check(src, out)
  assert.equal(ran.code, 1)
  const lines = ran.stderr.split('\n').filter((l) => l.includes('MachineConfig'))
  assert.deepEqual(lines, [
    `imagepolicy-mc check: ${out}/${WORKER}.yaml: MachineConfig ${WORKER}: hand-edited: /etc/containers/policy.json does not match its sha256 in annotation imagepolicy-mc.openshift.io/sha256sum: the file was edited by hand`,
  ])
  assert.match(ran.stdout, /^pools that would roll: worker /m)
  assert.match(ran.stdout, /^-          "type": "insecureAcceptAnything"$/m)
})

test('check: a hand-edited MachineConfig (annotated ours, text we do not write) exits 1', async (t) => {
  const { src, out } = await repo(t)
  const path = join(out, `${MASTER}.yaml`)
  writeFileSync(path, readFileSync(path, 'utf8').replace('kind: MachineConfig\n', 'kind: MachineConfig # reviewed\n'))
  const comment = await check(src, out)
  assert.equal(comment.code, 1)
  assert.match(comment.stderr, new RegExp(`^imagepolicy-mc check: ${out}/${MASTER}\\.yaml: MachineConfig ${MASTER}: hand-edited: its text is not what imagepolicy-mc writes for its contents \\(reformatted, commented or changed by hand\\)$`, 'm'))
  // An edited annotation: its file list no longer matches the files.
  const { src: src2, out: out2 } = await repo(t)
  const path2 = join(out2, `${MASTER}.yaml`)
  writeFileSync(path2, readFileSync(path2, 'utf8').replace(/^ {6}[0-9a-f]{64} {2}\/etc\/crio\/policies\/team-a\.json$/m, '      0000000000000000000000000000000000000000000000000000000000000000  /etc/crio/policies/team-a.json'))
  const sum = await check(src2, out2)
  assert.equal(sum.code, 1)
  assert.match(sum.stderr, new RegExp(`MachineConfig ${MASTER}: hand-edited: /etc/crio/policies/team-a\\.json does not match its sha256 in annotation`))
})

test('check: RENDERED as a file holding the function output; its other documents are not compared', async (t) => {
  const dir = temp(t)
  const src = join(dir, 'sources.yaml')
  writeFileSync(src, SOURCES)
  const fn = await runCli([src, ...OPTS])
  const file = join(dir, 'rendered.yaml')
  writeFileSync(file, fn.stdout)
  const ok = await check(src, file)
  assert.equal(ok.code, 0, ok.stderr)
  assert.equal(ok.stdout, `imagepolicy-mc check: ${file} is current (2 MachineConfigs: ${MASTER}, ${WORKER})\n`)
  writeFileSync(src, CHANGED)
  const stale = await check(src, file)
  assert.equal(stale.code, 1)
  assert.match(stale.stderr, new RegExp(`^imagepolicy-mc check: ${file}#\\d+: MachineConfig ${MASTER}: stale: /etc/containers/policy\\.json differs from what the sources render$`, 'm'))
  assert.match(stale.stderr, new RegExp(`regenerate it with: imagepolicy-mc ${src} --target-release 4\\.19 > ${file}\\.new && mv ${file}\\.new ${file}$`, 'm'))
})

test('check: options come from the option table (usage errors exit 2, a bad value is the table\'s line)', async (t) => {
  const { src, out } = await repo(t)
  const one = await runCli(['check', src])
  assert.equal(one.code, 2)
  assert.match(one.stderr, /^imagepolicy-mc check: expected SOURCES and RENDERED, got 1 argument\(s\)\nRun imagepolicy-mc check --help for usage\.\n$/)
  const bad = await runCli(['check', src, out, '--compress', 'sometimes'])
  assert.equal(bad.code, 1)
  assert.match(bad.stderr, /--compress: compress: must be one of auto, always, never/)
  const failed = await runCli(['check', src, out])
  assert.equal(failed.code, 1, 'latest needs the release policy: rendering fails, nothing is compared')
  assert.match(failed.stderr, /imagepolicy-mc check: rendering .* failed: nothing compared\n$/)
})

test('check: RENDERED that is a symbolic link is refused, never followed', async (t) => {
  const { dir, src, out } = await repo(t)
  const link = join(dir, 'link')
  symlinkSync(out, link)
  const ran = await check(src, link)
  assert.equal(ran.code, 1)
  assert.equal(ran.stderr.split('\n').filter((l) => l.startsWith('imagepolicy-mc')).join('\n'), `imagepolicy-mc check: ${link} is a symbolic link: check never follows links to the committed output; give the path it points to`)
  assert.equal(ran.stdout, '')
})

test('check: a link inside RENDERED (to a file outside) is a problem, never read', async (t) => {
  const { dir, src, out } = await repo(t)
  const secret = join(dir, 'secret.yaml')
  writeFileSync(secret, 'password: hunter2\n')
  symlinkSync(secret, join(out, 'z.yaml'))
  const ran = await check(src, out)
  assert.equal(ran.code, 1)
  assert.match(ran.stderr, new RegExp(`^imagepolicy-mc check: ${out}/z\\.yaml: a symbolic link: links in the MachineConfig directory are never followed \\(render --write-machineconfigs refuses a directory holding it\\)$`, 'm'))
  assert.ok(!ran.stdout.includes('hunter2') && !ran.stderr.includes('hunter2'))
  // A generated MachineConfig's file replaced by a link to a copy of it elsewhere: not read either.
  const copy = join(dir, 'copy.yaml')
  writeFileSync(copy, readFileSync(join(out, `${MASTER}.yaml`)))
  rmSync(join(out, `${MASTER}.yaml`))
  symlinkSync(copy, join(out, `${MASTER}.yaml`))
  const linked = await check(src, out)
  assert.equal(linked.code, 1)
  assert.match(linked.stderr, new RegExp(`${out}/${MASTER}\\.yaml: a symbolic link: links in the MachineConfig directory are never followed`))
  assert.match(linked.stderr, new RegExp(`MachineConfig ${MASTER}: missing: `))
})

test('write-machineconfigs: a foreign file in DIR is an error, and DIR is left as it was', async (t) => {
  const { src, out } = await repo(t)
  const before = Object.fromEntries(readdirSync(out).map((f) => [f, readFileSync(join(out, f), 'utf8')]))
  writeFileSync(join(out, 'notes.txt'), 'mine')
  writeFileSync(join(out, 'extra-mc.yaml'), 'apiVersion: machineconfiguration.openshift.io/v1\nkind: MachineConfig\nmetadata:\n  name: extra-mc\n')
  writeFileSync(src, CHANGED)
  const ran = await runCli(['render', '--write-machineconfigs', out, src, ...OPTS])
  assert.equal(ran.code, 1)
  assert.equal(
    ran.stderr.split('\n').filter((l) => !l.startsWith('warning')).join('\n'),
    [
      `imagepolicy-mc render: ${out} holds files imagepolicy-mc did not write; it owns the directory and neither overwrites nor deletes them: move them elsewhere`,
      `${out}/extra-mc.yaml: holds no MachineConfig imagepolicy-mc generated (annotation imagepolicy-mc.openshift.io/generated: "true")`,
      `${out}/notes.txt: not a file imagepolicy-mc writes (it writes <MachineConfig name>.yaml and kustomization.yaml)`,
      '',
    ].join('\n'),
  )
  for (const [f, text] of Object.entries(before)) assert.equal(readFileSync(join(out, f), 'utf8'), text, f)
  assert.equal(readFileSync(join(out, 'notes.txt'), 'utf8'), 'mine')
  assert.deepEqual(readdirSync(join(out, '..')).filter((f) => f.includes('imagepolicy-mc-')), [], 'no temporary directory left')
  // check reports the same files.
  const checked = await check(src, out)
  assert.equal(checked.code, 1)
  assert.match(checked.stderr, new RegExp(`^imagepolicy-mc check: ${out}/notes\\.txt: not a file imagepolicy-mc writes`, 'm'))
})

test('write-machineconfigs: DIR a symbolic link, or holding one, is refused; the link and its target are untouched', async (t) => {
  const { dir, src, out } = await repo(t)
  const link = join(dir, 'link')
  symlinkSync(out, link)
  const viaLink = await runCli(['render', '--write-machineconfigs', link, src, ...OPTS])
  assert.equal(viaLink.code, 1)
  assert.match(viaLink.stderr, new RegExp(`^imagepolicy-mc render: ${link} is a symbolic link: links in the MachineConfig directory are never followed; give the directory it points to$`, 'm'))
  assert.ok(lstatSync(link).isSymbolicLink())
  const outside = join(dir, 'outside.yaml')
  writeFileSync(outside, 'keep: me\n')
  symlinkSync(outside, join(out, `${'99-infra-sigstore-imagepolicies'}.yaml`))
  const inside = await runCli(['render', '--write-machineconfigs', out, src, ...OPTS, '--pools', 'master,worker,infra'])
  assert.equal(inside.code, 1)
  assert.match(inside.stderr, /99-infra-sigstore-imagepolicies\.yaml: a symbolic link: links in the MachineConfig directory are never followed$/m)
  assert.equal(readFileSync(outside, 'utf8'), 'keep: me\n')
  assert.ok(lstatSync(join(out, '99-infra-sigstore-imagepolicies.yaml')).isSymbolicLink())
})

test('write-machineconfigs: usage: not with --out, not empty; a failed rendering writes nothing', async (t) => {
  const dir = temp(t)
  const src = join(dir, 'sources.yaml')
  writeFileSync(src, SOURCES)
  const both = await runCli(['render', '--write-machineconfigs', join(dir, 'a'), '--out', join(dir, 'b'), src, ...OPTS])
  assert.equal(both.code, 2)
  assert.match(both.stderr, /--out and --write-machineconfigs write different things: give one of them/)
  const failed = await runCli(['render', '--write-machineconfigs', join(dir, 'a'), src])
  assert.equal(failed.code, 1)
  assert.match(failed.stderr, /without ClusterImagePolicy "openshift", the release.s own policy/)
  assert.equal(existsSync(join(dir, 'a')), false)
})

test('check and render --help describe the commands', async () => {
  const help = await runCli(['check', '--help'])
  assert.equal(help.code, 0)
  assert.match(help.stdout, /^imagepolicy-mc check SOURCES RENDERED \[options\]\n/)
  assert.match(help.stdout, /--target-release R/)
  const render = await runCli(['render', '--help'])
  assert.match(render.stdout, /--write-machineconfigs DIR/)
})

test('the regenerate command quotes for a shell and keeps the options as given', () => {
  assert.equal(shellWord('a b'), "'a b'")
  assert.equal(shellWord("it's"), `'it'\\''s'`)
  assert.equal(shellWord('--name=99-{pool}-x'), "'--name=99-{pool}-x'")
  assert.deepEqual(optionArguments(['src', '--pools', 'a,b', 'out', '--strict', '--name=x']), ['--pools', 'a,b', '--strict', '--name=x'])
  assert.equal(regenerateCommand('s', 'my out', true, ['--pools', 'a']), "imagepolicy-mc render --write-machineconfigs 'my out' s --pools a")
  assert.equal(regenerateCommand('s.yaml', 'o.yaml', false, []), 'imagepolicy-mc s.yaml > o.yaml.new && mv o.yaml.new o.yaml')
  // The kustomize flags: --kustomize-arg takes a value as a word of its own too; a file of function output gets no kustomize flags.
  assert.deepEqual(optionArguments(['s', '--kustomize-arg', 'x', 'o', '--enable-alpha-plugins', '--kustomize-arg=--y=z']), ['--kustomize-arg', 'x', '--enable-alpha-plugins', '--kustomize-arg=--y=z'])
  assert.equal(regenerateCommand('s.yaml', 'o.yaml', false, ['--pools', 'a', '--enable-alpha-plugins', '--kustomize-arg', 'x'], ['--enable-alpha-plugins', 'x']), 'imagepolicy-mc s.yaml --pools a > o.yaml.new && mv o.yaml.new o.yaml')
})

test('check: committed output past --max-input-bytes, or a FIFO, is refused with one line, never read whole or waited on', async (t) => {
  const { dir, src, out } = await repo(t)
  writeFileSync(join(out, `${MASTER}.yaml`), readFileSync(join(out, `${MASTER}.yaml`), 'utf8') + `# ${'x'.repeat(200_000)}\n`)
  const big = await check(src, out, ['--max-input-bytes', '100000'])
  assert.equal(big.code, 1)
  assert.match(big.stderr, new RegExp(`^imagepolicy-mc check: ${out}/${MASTER}\\.yaml: input exceeds the input budget of 100000 bytes \\(--max-input-bytes\\)`, 'm'))
  const fifo = join(dir, 'rendered.yaml')
  const made = spawnSync('mkfifo', [fifo])
  if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr}`)
  const ran = await check(src, fifo)
  assert.equal(ran.code, 1)
  assert.match(ran.stderr, new RegExp(`^imagepolicy-mc check: ${fifo}: not a regular file or directory$`, 'm'))
})

test('check: the kustomization file, hand-edited or missing, is a problem of its own', async (t) => {
  const { src, out } = await repo(t)
  const k = join(out, 'kustomization.yaml')
  writeFileSync(k, readFileSync(k, 'utf8') + 'namePrefix: x-\n')
  const edited = await check(src, out)
  assert.equal(edited.code, 1)
  assert.deepEqual(edited.stderr.split('\n').filter((l) => l.startsWith('imagepolicy-mc check:')).slice(0, 1), [`imagepolicy-mc check: ${k}: hand-edited: lists the MachineConfigs rendered, but its text is not what imagepolicy-mc writes`])
  rmSync(k)
  const missing = await check(src, out)
  assert.equal(missing.code, 1)
  assert.match(missing.stderr, new RegExp(`^imagepolicy-mc check: ${k}: missing: it lists the MachineConfig files for kubectl apply -k and Flux$`, 'm'))
  assert.equal(missing.stdout, '', 'no node file differs')
})

test('check: a MachineConfig twice in a RENDERED file is a problem naming both places', async (t) => {
  const dir = temp(t)
  const src = join(dir, 'sources.yaml')
  writeFileSync(src, SOURCES)
  const fn = await runCli([src, ...OPTS])
  const worker = streamDocuments(fn.stdout).get(WORKER)!
  const file = join(dir, 'rendered.yaml')
  writeFileSync(file, `${fn.stdout}---\n${worker}`)
  const ran = await check(src, file)
  assert.equal(ran.code, 1)
  assert.match(ran.stderr, new RegExp(`^imagepolicy-mc check: ${file}#\\d+: MachineConfig ${WORKER}: duplicate: a second MachineConfig of this name \\(the first is in ${file}#\\d+\\): remove one$`, 'm'))
})

test('CRLF: sources with CRLF line endings write the same LF files as LF sources; check reads CRLF checkouts (git core.autocrlf) of them as the LF files committed', async (t) => {
  const crlf = (s: string) => s.replaceAll('\n', '\r\n')
  const lf = await repo(t)
  const dos = await repo(t, crlf(SOURCES))
  // The function's stream output follows its input's line endings; the files do not.
  const fn = await runCli([dos.src, ...OPTS])
  assert.equal(fn.code, 0, fn.stderr)
  assert.match(fn.stdout, /^kind: MachineConfig\r$/m)
  for (const f of readdirSync(lf.out)) {
    const text = readFileSync(join(dos.out, f), 'utf8')
    assert.ok(!text.includes('\r'), `${f}: LF only`)
    assert.equal(text, readFileSync(join(lf.out, f), 'utf8'), f)
  }
  // Each side, with CRLF or LF sources, is current, in either line ending.
  for (const src of [lf.src, dos.src]) {
    const ran = await check(src, dos.out)
    assert.equal(ran.code, 0, ran.stderr)
  }
  for (const f of readdirSync(lf.out)) writeFileSync(join(lf.out, f), crlf(readFileSync(join(lf.out, f), 'utf8')))
  for (const src of [lf.src, dos.src]) {
    const ran = await check(src, lf.out)
    assert.equal(ran.code, 0, ran.stderr)
    assert.match(ran.stdout, /is current \(2 MachineConfigs/)
  }
  // A RENDERED file of the CRLF stream output is current for either sources, and so is its LF form.
  const file = join(dos.dir, 'rendered.yaml')
  for (const text of [fn.stdout, fn.stdout.replaceAll('\r\n', '\n')]) {
    writeFileSync(file, text)
    for (const src of [lf.src, dos.src]) assert.equal((await check(src, file)).code, 0)
  }
  // A change that is more than line endings is still seen in a CRLF checkout.
  const mc = join(lf.out, `${WORKER}.yaml`)
  writeFileSync(mc, readFileSync(mc, 'utf8').replace('\r\nmetadata:\r\n', '\r\nmetadata: # edited\r\n'))
  const edited = await check(lf.src, lf.out)
  assert.equal(edited.code, 1)
  assert.match(edited.stderr, new RegExp(`^imagepolicy-mc check: ${lf.out}/${WORKER}\\.yaml: MachineConfig ${WORKER}: hand-edited: its text is not what imagepolicy-mc writes`, 'm'))
})

test('check: the node-file diff on stdout is bounded by --max-output-bytes, cut after a whole line, and stderr says so', async (t) => {
  // The rendering fits the budget (the node files once, for one pool), but the
  // diff holds the committed files as well as the rendered ones: every scope
  // and key changed, so nearly every line is there twice.
  const scopes = (name: string, from: number) => Array.from({ length: 200 }, (_, i) => `registry.example.com/${name}-${from + i}`)
  const sources = (name: string, key: string) => stream(cip('a', scopes(name, 0), { key }), cip('b', scopes(name, 200), { key }), namespace('team-a'))
  const opts = ['--compress', 'always', '--no-emit-policies', '--pools', 'worker']
  const { src, out } = await repo(t, sources('app', KEY), opts)
  writeFileSync(src, sources('svc', RELEASE_KEY))
  const full = await check(src, out, opts)
  assert.equal(full.code, 1, full.stderr)
  const bytes = Buffer.byteLength(full.stdout)
  assert.match(full.stdout, /^-      "registry\.example\.com\/app-399": \[$/m)
  assert.match(full.stdout, /^\+      "registry\.example\.com\/svc-399": \[$/m)
  assert.doesNotMatch(full.stderr, /is cut/)
  const limit = Math.ceil(bytes * 0.6)
  const cut = await check(src, out, [...opts, '--max-output-bytes', String(limit)])
  assert.equal(cut.code, 1, cut.stderr)
  assert.ok(Buffer.byteLength(cut.stdout) <= limit)
  assert.ok(cut.stdout.endsWith('\n') && full.stdout.startsWith(cut.stdout), 'the head of the diff, whole lines')
  assert.ok(Buffer.byteLength(cut.stdout) > limit - 400, 'cut at the last line that fits')
  const lines = cut.stderr.split('\n').filter((l) => l.startsWith('imagepolicy-mc check:'))
  assert.equal(lines.at(-2), `imagepolicy-mc check: the node-file diff on stdout is cut after ${Buffer.byteLength(cut.stdout)} of its ${bytes} bytes (the output budget of ${limit} bytes, --max-output-bytes); raise it with --max-output-bytes to see all of it`)
  assert.match(lines.at(-1)!, new RegExp(`regenerate it with: imagepolicy-mc render --write-machineconfigs \\S+ \\S+ --target-release 4\\.19 ${opts.join(' ')} --max-output-bytes ${limit}$`))
  // Whatever is cut, the problem lines are all there.
  assert.deepEqual(lines.filter((l) => / stale: /.test(l)), [`imagepolicy-mc check: ${out}/99-worker-sigstore-imagepolicies.yaml: MachineConfig 99-worker-sigstore-imagepolicies: stale: /etc/containers/policy.json differs from what the sources render`, `imagepolicy-mc check: ${out}/99-worker-sigstore-imagepolicies.yaml: MachineConfig 99-worker-sigstore-imagepolicies: stale: /etc/containers/registries.d/sigstore-registries.yaml differs from what the sources render`])
})

test('cutToBudget: whole lines within the byte limit, never half a character', () => {
  assert.deepEqual(cutToBudget('ab\ncd\n', 6), { text: 'ab\ncd\n', cut: false, bytes: 6 })
  assert.deepEqual(cutToBudget('ab\ncd\n', 5), { text: 'ab\n', cut: true, bytes: 6 })
  assert.deepEqual(cutToBudget('é\né\n', 5), { text: 'é\n', cut: true, bytes: 6 })
  assert.deepEqual(cutToBudget('abc', 2), { text: '', cut: true, bytes: 3 })
})

test('check: RENDERED a file: each line names the MachineConfig and its document (stale, missing, extra, hand-edited); the diff escapes control characters', async (t) => {
  const dir = temp(t)
  const src = join(dir, 'sources.yaml')
  writeFileSync(src, SOURCES)
  const fn = await runCli([src, ...OPTS, '--pools', 'infra,worker'])
  assert.equal(fn.code, 0, fn.stderr)
  const file = join(dir, 'rendered.yaml')
  writeFileSync(file, fn.stdout)
  // infra is extra, master missing; then worker edited by hand, with an escape sequence in the file.
  const text = readFileSync(file, 'utf8')
  const worker = text.indexOf(`name: ${WORKER}`)
  const m = /data:text\/plain;charset=utf-8;base64,([A-Za-z0-9+/=]+)/.exec(text.slice(worker))!
  const edited = Buffer.from(Buffer.from(m[1]!, 'base64').toString('utf8').replace('"reject"', '"\u001b[2J"'), 'utf8').toString('base64')
  writeFileSync(file, text.slice(0, worker) + text.slice(worker).replace(m[1]!, edited))
  const ran = await check(src, file)
  assert.equal(ran.code, 1)
  const lines = ran.stderr.split('\n').filter((l) => l.startsWith('imagepolicy-mc check:'))
  const docs = fn.stdout.replace(/^---\n/, '').split(/^---\n/m)
  const index = (name: string) => docs.findIndex((d) => d.includes(`  name: ${name}\n`) && d.startsWith('apiVersion: machineconfiguration'))
  assert.deepEqual(lines, [
    `imagepolicy-mc check: ${file}#${index('99-infra-sigstore-imagepolicies')}: MachineConfig 99-infra-sigstore-imagepolicies: extra: the sources no longer render this MachineConfig: remove it (applied, it would stay on the cluster)`,
    `imagepolicy-mc check: ${file}: MachineConfig ${MASTER}: missing: the sources render this MachineConfig, but it is not committed`,
    `imagepolicy-mc check: ${file}#${index(WORKER)}: MachineConfig ${WORKER}: hand-edited: /etc/containers/policy.json does not match its sha256 in annotation imagepolicy-mc.openshift.io/sha256sum: the file was edited by hand`,
    `imagepolicy-mc check: ${file} is not current; regenerate it with: imagepolicy-mc ${src} --target-release 4.19 > ${file}.new && mv ${file}.new ${file}`,
  ])
  assert.doesNotMatch(ran.stdout, /\u001b/)
  assert.match(ran.stdout, /^-          "type": "\\x1b\[2J"$/m)
})

test('check: SOURCES and RENDERED the wrong way round, RENDERED among the sources, or a source given as RENDERED: said so, and no command that would overwrite a source', async (t) => {
  const { dir, src, out } = await repo(t)
  const swapped = await runCli(['check', out, src, ...OPTS])
  assert.equal(swapped.code, 2)
  assert.equal(swapped.stderr, `imagepolicy-mc check: ${out} is a directory render --write-machineconfigs wrote (its kustomization.yaml says so): give SOURCES first, then RENDERED\nRun imagepolicy-mc check --help for usage.\n`)
  const same = await check(src, src)
  assert.equal(same.code, 2)
  assert.match(same.stderr, new RegExp(`^imagepolicy-mc check: ${src} is SOURCES itself: keep the committed output outside the sources$`, 'm'))
  // A directory of YAML sources reads every file in it: output there would be read as a source.
  const yamlDir = join(dir, 'manifests')
  mkdirSync(yamlDir)
  writeFileSync(join(yamlDir, 'sources.yaml'), SOURCES)
  const inside = await check(yamlDir, join(yamlDir, 'rendered.yaml'))
  assert.equal(inside.code, 2)
  assert.match(inside.stderr, new RegExp(`^imagepolicy-mc check: ${yamlDir}/rendered\\.yaml is inside ${yamlDir}, whose YAML files are all sources: keep the committed output outside the sources$`, 'm'))
  // A source file as RENDERED (say, of a kustomization that lists it): not output, and never a command writing over it.
  const other = join(dir, 'other.yaml')
  writeFileSync(other, stream(namespace('team-b'), namespace('team-c')))
  const notOutput = await check(src, other)
  assert.equal(notOutput.code, 1)
  const lines = notOutput.stderr.split('\n').filter((l) => l.startsWith('imagepolicy-mc check:'))
  assert.equal(lines[0], `imagepolicy-mc check: ${other}: holds 2 documents and no MachineConfig imagepolicy-mc generated: it is not imagepolicy-mc's output (a source?)`)
  assert.equal(lines.at(-1), `imagepolicy-mc check: ${other} is not current, and not imagepolicy-mc's output: give the committed output as RENDERED (no command is printed that would overwrite this file)`)
  assert.doesNotMatch(notOutput.stderr, /regenerate it with/)
})

test('write-machineconfigs: DIR inside a directory of YAML sources (read back as a source on the next run) is a usage error; beside it is fine', async (t) => {
  const dir = temp(t)
  const yamlDir = join(dir, 'manifests')
  mkdirSync(yamlDir)
  writeFileSync(join(yamlDir, 'sources.yaml'), SOURCES)
  const inside = await runCli(['render', '--write-machineconfigs', join(yamlDir, 'rendered'), yamlDir, ...OPTS])
  assert.equal(inside.code, 2)
  assert.equal(inside.stderr, `imagepolicy-mc render: ${yamlDir}/rendered is inside ${yamlDir}, whose YAML files are all sources: keep the committed output outside the sources\nRun imagepolicy-mc render --help for usage.\n`)
  assert.ok(!existsSync(join(yamlDir, 'rendered')))
  const beside = await runCli(['render', '--write-machineconfigs', join(dir, 'rendered'), yamlDir, ...OPTS])
  assert.equal(beside.code, 0, beside.stderr)
})

test('write-machineconfigs: DIR that is (or holds) the current directory is refused, naming it; the directory is left as it was (review item 1)', async (t) => {
  const { dir, src, out } = await repo(t)
  const before = readdirSync(out).sort()
  const inode = lstatSync(out).ino
  const cwd = process.cwd()
  try {
    process.chdir(out)
    // Before the fix: rc 0, and DIR swapped by renaming, the shell's cwd a deleted directory.
    const r = await runCli(['render', '--write-machineconfigs', '.', src, ...OPTS])
    assert.equal(r.code, 2, r.stderr)
    assert.match(r.stderr, /\. \(.*rendered\) is the current directory: render --write-machineconfigs replaces DIR by renaming/)
    assert.equal(r.stdout, '')
    assert.equal(lstatSync('.').ino, inode, 'the current directory is still DIR')
    assert.deepEqual(readdirSync('.').sort(), before)
    process.chdir(dir)
    mkdirSync(join(dir, 'deep'))
    process.chdir(join(dir, 'deep'))
    const holds = await runCli(['render', '--write-machineconfigs', dir, src, ...OPTS])
    assert.equal(holds.code, 2, holds.stderr)
    assert.match(holds.stderr, /holds the current directory/)
  } finally {
    process.chdir(cwd)
  }
  assert.equal(lstatSync(out).ino, inode)
})

test('check: RENDERED holding a file imagepolicy-mc did not write: the advice moves it first, since the command alone is refused (review item 7)', async (t) => {
  const { src, out } = await repo(t)
  writeFileSync(join(out, 'README.md'), 'hi\n')
  const r = await check(src, out)
  assert.equal(r.code, 1)
  const last = r.stderr.trimEnd().split('\n').at(-1)!
  assert.equal(last, `imagepolicy-mc check: ${out} is not current; move the files imagepolicy-mc did not write (above) out of ${out}, then regenerate it with: imagepolicy-mc render --write-machineconfigs ${out} ${src} --target-release 4.19`)
  // What the advice says works: the command is refused while the file is there, and succeeds once it is moved.
  assert.equal((await runCli(['render', '--write-machineconfigs', out, src, ...OPTS])).code, 1)
  rmSync(join(out, 'README.md'))
  assert.equal((await runCli(['render', '--write-machineconfigs', out, src, ...OPTS])).code, 0)
})
