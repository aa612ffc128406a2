// Compressed file contents (issue 14): the gzip bytes are pinned; every file of
// every conformance case, wrapped with --compress=auto, always and never, reads
// back (decompressed by node:zlib, independently of the deflate that wrote it) as
// MCO's exact bytes; files that do not fit even compressed and split names past
// 253 characters are errors; the review commands show decompressed files.

import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { gunzipSync } from 'node:zlib'
import { decodeFileContents, MAX_DECOMPRESSED_FILE_BYTES, nodeFilesFromMachineConfigs, streamValues } from '../src/diff/machine-config-files.ts'
import type { NodeFile } from '../src/model.ts'
import { decodeFunctionConfig } from '../src/options.ts'
import { run, sizeIssues } from '../src/run.ts'
import { SHA256SUM_ANNOTATION } from '../src/wrap/annotations.ts'
import { crc32, GZIP_HEADER, gunzip, gzip, gzipCrc32 } from '../src/wrap/gzip.ts'
import {
  GZIP_DATA_URL_PREFIX,
  ignitionFile,
  ignitionFileSize,
  MAX_MACHINE_CONFIG_BYTES,
  serializedSize,
  wrapPoolMachineConfigs,
} from '../src/wrap/machine-config.ts'
import { caseInput, caseNames, expectedFiles, NOT_OURS, readCase, renderCase, ROOT } from './conformance-cases.ts'
import { prng } from './prng.ts'
import { runCli } from './run-cli.ts'
import { cip, imageConfig, ip, namespace, stream } from './fixtures/review/resources.ts'

type FileEntry = { path: string; contents: { compression: string; source: string } }
type MC = { metadata: { name: string; annotations: Record<string, string> }; spec: { config: { storage?: { files: FileEntry[] } } } }

const MCO_TEXT_PREFIX = 'data:text/plain;charset=utf-8;base64,'

/** A file entry's bytes on the node, decoded without our own code: base64, then node:zlib for gzip. */
function nodeBytes(entry: FileEntry): string {
  if (entry.contents.compression === 'gzip') {
    assert.ok(entry.contents.source.startsWith(GZIP_DATA_URL_PREFIX), entry.contents.source.slice(0, 40))
    return gunzipSync(Buffer.from(entry.contents.source.slice(GZIP_DATA_URL_PREFIX.length), 'base64')).toString('utf8')
  }
  assert.equal(entry.contents.compression, '')
  assert.ok(entry.contents.source.startsWith(MCO_TEXT_PREFIX))
  return Buffer.from(entry.contents.source.slice(MCO_TEXT_PREFIX.length), 'base64').toString('utf8')
}

const entries = (mcs: readonly unknown[]) => (mcs as MC[]).flatMap((mc) => mc.spec.config.storage?.files ?? [])
const options = { pool: 'worker', name: '99-worker-sigstore-imagepolicies', ignitionVersion: '3.4.0' }

test('gzip: the bytes are pinned (fixed header: no name, mtime 0, XFL 0, OS 255; fflate 0.8.3 deflate at level 6)', () => {
  const text = 'docker:\n  example.com:\n    use-sigstore-attachments: true\n  quay.io/example:\n    use-sigstore-attachments: true\n'
  const gz = gzip(Buffer.from(text, 'utf8'))
  assert.equal(
    gz.toString('hex'),
    '1f8b08000000000000ff4bc94fce4e2db2e2525048ad48cc2dc849d54bcecf057115144a8b53758b33d38b4bf28b5275134b4a1293337253f34a8aad144a8a4a53814a0a4b132bf532f3f5a13a89d205002a249fde70000000',
  )
  assert.deepEqual([...gz.subarray(0, 10)], GZIP_HEADER)
  assert.equal(gunzipSync(gz).toString('utf8'), text)
  assert.equal(gzip(new Uint8Array(0)).toString('hex'), '1f8b08000000000000ff03000000000000000000')
  assert.equal(crc32(Buffer.from('123456789')).toString(16), 'cbf43926')
})

test('gzip: seeded random inputs round-trip through node:zlib, with gzip CRC and length', () => {
  const rand = prng(14)
  for (let n = 0; n < 200; n++) {
    const length = Math.floor(rand() * (n < 150 ? 5000 : 200_000))
    const alphabet = Math.max(1, Math.floor(rand() * 256))
    const data = Buffer.alloc(length)
    for (let i = 0; i < length; i++) data[i] = rand() < 0.3 && i > 10 ? data[i - 1 - Math.floor(rand() * 10)]! : Math.floor(rand() * alphabet)
    const gz = gzip(data)
    assert.ok(gunzipSync(gz).equals(data), `input ${n} (${length} bytes)`)
    assert.equal(gz.readUInt32LE(gz.length - 8), crc32(data))
    assert.equal(gzipCrc32(data), crc32(data))
    assert.equal(gz.readUInt32LE(gz.length - 4), length)
  }
})

test('gunzip: bounded output, errors for bad data, several members as Go reads them', () => {
  const bomb = gzip(Buffer.alloc(10 * 1024 * 1024))
  assert.ok(bomb.length < 20_000, `${bomb.length} bytes expand to 10 MiB`)
  assert.deepEqual(gunzip(bomb, 1024 * 1024), { error: 'decompresses to more than 1048576 bytes' })
  assert.equal('value' in gunzip(bomb, 10 * 1024 * 1024) ? 'ok' : 'error', 'ok')
  assert.match(String((gunzip(Buffer.from('not gzip'), 1000) as { error: string }).error), /^not valid gzip data/)
  const two = Buffer.concat([gzip(Buffer.from('a')), gzip(Buffer.from('b'))])
  assert.equal((gunzip(two, 100) as { value: Buffer }).value.toString(), 'ab')
})

for (const mode of ['auto', 'always', 'never'] as const) {
  test(`conformance cases, --compress=${mode}: every emitted file decompresses to MCO's exact bytes`, () => {
    let checked = 0
    let compressed = 0
    for (const name of caseNames()) {
      const dir = join(ROOT, name)
      if (existsSync(join(dir, 'error.txt'))) continue
      const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as { orderSensitive?: boolean }
      const out = renderCase(caseInput(readCase(name)))
      if (out.files.length === 0) continue
      const want = new Map(expectedFiles(dir).filter((f) => !NOT_OURS.includes(f.path)).map((f) => [f.path, f.contents]))
      // auto at the real limit keeps MCO's bytes; with a limit just under the files' size it must compress some of them.
      const limits = mode === 'auto' ? [MAX_MACHINE_CONFIG_BYTES, serializedSize(wrapPoolMachineConfigs(out.files, options).machineConfigs[0]) - 1] : [MAX_MACHINE_CONFIG_BYTES]
      for (const limit of limits) {
        const wrapped = wrapPoolMachineConfigs(out.files, { ...options, compress: mode }, () => ({}), limit)
        assert.deepEqual(wrapped.oversized, [], name)
        const files = entries(wrapped.machineConfigs)
        assert.deepEqual(files.map((f) => f.path), out.files.map((f) => f.path), `${name}: every file once, in order`)
        for (const entry of files) {
          const bytes = nodeBytes(entry)
          // Order-sensitive cases differ from MCO's informer order only; the conformance test covers them.
          const expected = meta.orderSensitive === true ? out.files.find((f) => f.path === entry.path)!.contents : want.get(entry.path)
          assert.equal(bytes, expected, `${name} ${entry.path} (limit ${limit})`)
          if (entry.contents.compression === 'gzip') compressed++
          checked++
        }
        const gz = files.filter((f) => f.contents.compression === 'gzip').length
        if (mode === 'always') assert.equal(gz, files.length, name)
        if (mode === 'never' || limit === MAX_MACHINE_CONFIG_BYTES) assert.equal(gz, mode === 'always' ? files.length : 0, name)
        if (mode === 'auto' && limit < MAX_MACHINE_CONFIG_BYTES) assert.ok(gz > 0, `${name}: auto compressed nothing under a limit of ${limit}`)
      }
    }
    assert.ok(checked > 500, `${checked} files checked`)
    if (mode !== 'never') assert.ok(compressed > 100, `${compressed} compressed files checked`)
  })
}

test('auto: files are compressed largest first (equal sizes in file order), only as many as needed to fit', () => {
  const files: NodeFile[] = [
    { path: '/etc/containers/policy.json', contents: 'p'.repeat(3000) },
    { path: '/etc/containers/registries.d/sigstore-registries.yaml', contents: 's'.repeat(9000) },
    { path: '/etc/crio/policies/a.json', contents: 'a'.repeat(5000) },
    { path: '/etc/crio/policies/b.json', contents: 'b'.repeat(5000) },
  ]
  const full = serializedSize(wrapPoolMachineConfigs(files, options).machineConfigs[0])
  const gzOf = (f: NodeFile) => ignitionFileSize(f) - ignitionFileSize(f, true)
  const compressedPaths = (limit: number) => {
    const w = wrapPoolMachineConfigs(files, { ...options, compress: 'auto' }, () => ({}), limit)
    assert.equal(w.machineConfigs.length, 1)
    assert.ok(serializedSize(w.machineConfigs[0]) <= limit)
    return entries(w.machineConfigs).filter((e) => e.contents.compression === 'gzip').map((e) => e.path)
  }
  assert.deepEqual(compressedPaths(full), [])
  assert.deepEqual(compressedPaths(full - 1), ['/etc/containers/registries.d/sigstore-registries.yaml'])
  assert.deepEqual(compressedPaths(full - gzOf(files[1]!) - 1), ['/etc/containers/registries.d/sigstore-registries.yaml', '/etc/crio/policies/a.json'])
  assert.deepEqual(compressedPaths(full - gzOf(files[1]!) - gzOf(files[2]!) - 1), files.slice(1).map((f) => f.path))
  // Even all compressed, the files do not fit in one object: all compressed, then split.
  const split = wrapPoolMachineConfigs(files, { ...options, compress: 'auto' }, () => ({}), 800)
  assert.ok(split.machineConfigs.length > 1)
  assert.equal(split.compressed.size, files.length)
  for (const mc of split.machineConfigs) assert.ok(serializedSize(mc) <= 800)
  assert.deepEqual(entries(split.machineConfigs).map(nodeBytes), files.map((f) => f.contents))
})

test('the size of a compressed file entry is its exact serialized size', () => {
  for (const file of [
    { path: '/etc/containers/policy.json', contents: '{\n  "default": []\n}' },
    { path: '/etc/crio/policies/ns-ü "q".json', contents: 'ünïcödé \u2028 "x"\n'.repeat(80) },
  ]) {
    assert.equal(ignitionFileSize(file, true), serializedSize(ignitionFile(file, true)), file.path)
    assert.equal(ignitionFileSize(file, false), serializedSize(ignitionFile(file, false)), file.path)
  }
})

/** Content that deflate cannot shrink much: seeded random hex. */
function incompressible(bytes: number, seed: number): string {
  const rand = prng(seed)
  let s = ''
  while (s.length < bytes) s += Math.floor(rand() * 2 ** 32).toString(16).padStart(8, '0')
  return s.slice(0, bytes)
}

test('a file that does not fit even compressed: an error naming the file, its compressed size and the limit', () => {
  const files: NodeFile[] = [
    { path: '/etc/containers/policy.json', contents: '{}' },
    { path: '/etc/containers/registries.d/sigstore-registries.yaml', contents: incompressible(4000, 1) },
  ]
  const wrapped = wrapPoolMachineConfigs(files, { ...options, compress: 'auto' }, () => ({}), 2000)
  assert.equal(wrapped.oversized.length, 1)
  const gz = wrapped.oversized[0]!.compressedBytes!
  assert.ok(gz > 1500 && gz < 4000, `${gz} bytes compressed`)
  assert.equal(gz, gzip(Buffer.from(files[1]!.contents)).length)
  const pools = { ...runOptions(), pools: ['worker'] }
  // run() words it with the real limit: the splitter's result for the test limit says which file and how large.
  assert.deepEqual(
    sizeIssues([{ pool: 'worker', wrapped }], pools).map((i) => i.message),
    [
      `node file /etc/containers/registries.d/sigstore-registries.yaml (4000 bytes, ${gz} bytes gzip-compressed) does not fit in one MachineConfig even compressed: the limit is 1048576 bytes serialized, and a file is never split`,
    ],
  )
  // Once per file, whichever pools it did not fit in.
  assert.equal(sizeIssues([{ pool: 'master', wrapped }, { pool: 'worker', wrapped }], pools).filter((i) => i.severity === 'error').length, 1)
  const never = wrapPoolMachineConfigs(files, { ...options, compress: 'never' }, () => ({}), 2000)
  assert.deepEqual(never.oversized, [{ path: '/etc/containers/registries.d/sigstore-registries.yaml', bytes: 4000 }])
  assert.match(sizeIssues([{ pool: 'worker', wrapped: never }], { ...pools, compress: 'never' })[0]!.message, /\(4000 bytes\) does not fit in one MachineConfig uncompressed \(--compress=never; auto or always would gzip it\)/)
})

function runOptions() {
  return run({ inputs: [{ text: '' }], flags: { allowEmpty: true } }).options
}

test('split names over 253 characters are an error (one per pool), never a silently shortened name', () => {
  const name = `99-worker-${'x'.repeat(241)}` // 251 characters: valid alone, "-2" still fits, "-10" does not
  assert.equal(name.length, 251)
  const files: NodeFile[] = Array.from({ length: 12 }, (_, i) => ({ path: `/etc/crio/policies/ns-${String(i).padStart(2, '0')}.json`, contents: incompressible(3000, i) }))
  const wrapped = wrapPoolMachineConfigs(files, { ...options, name, compress: 'never' }, () => ({}), 5000)
  assert.equal(wrapped.machineConfigs.length, 12)
  assert.deepEqual(wrapped.longNames, [`${name}-10`, `${name}-11`, `${name}-12`])
  const issues = sizeIssues([{ pool: 'worker', wrapped }], { ...runOptions(), name, pools: ['worker'], compress: 'never' })
  assert.deepEqual(
    issues.map((i) => `${i.severity} ${i.code} ${i.message}`),
    [
      `warning size the node files take 12 MachineConfigs in pool worker, ${wrapped.totalBytes} bytes together (uncompressed): MCO merges a pool's MachineConfigs into one rendered MachineConfig that also holds MCO's own files, and the API server and etcd refuse objects over about 1.5 MB; every namespace file repeats the cluster-wide policy (CRI-O's design), so fewer namespaces with ImagePolicies or smaller ClusterImagePolicies shrink them, and --compress=auto would gzip them`,
      `error config name: the files of pool worker are split across MachineConfigs named ${name}, …-2, …; ${JSON.stringify(`${name}-10`)} is 254 characters, over the 253 a Kubernetes name allows: choose a shorter name`,
    ],
  )
  assert.equal(wrapped.totalBytes, wrapped.machineConfigs.reduce((n, mc) => n + serializedSize(mc), 0))
  const short = wrapPoolMachineConfigs(files, { ...options, compress: 'never' }, () => ({}), 5000)
  assert.deepEqual(short.longNames, [])
})

const machineConfigsOf = (text: string) => streamValues(text).filter((v) => (v as { kind?: unknown }).kind === 'MachineConfig') as MC[]

const base = stream(imageConfig(), cip('app', ['registry.example.com/app']), namespace('team-a'), ip('team-a', 'a', ['registry.example.net/a']))

test('run --compress=always: gzip entries that decompress to the rendered files; sha256sum annotations are of the decompressed bytes', () => {
  const plain = run({ inputs: [{ text: base }], flags: { targetRelease: '4.19', emitPolicies: false } })
  const gz = run({ inputs: [{ text: base }], flags: { targetRelease: '4.19', emitPolicies: false, compress: 'always' } })
  assert.equal(plain.exitCode, 0)
  assert.equal(gz.exitCode, 0, JSON.stringify(gz.issues))
  assert.doesNotMatch(plain.output, /compression: gzip/)
  const mcs = machineConfigsOf(gz.output)
  assert.equal(mcs.length, 2)
  for (const mc of mcs) {
    const files = mc.spec.config.storage!.files
    assert.deepEqual(files.map((f) => f.contents.compression), files.map(() => 'gzip'))
    assert.deepEqual(files.map((f) => ({ path: f.path, contents: nodeBytes(f) })), gz.files)
    assert.equal(
      mc.metadata.annotations[SHA256SUM_ANNOTATION],
      files.map((f) => `${createHash('sha256').update(nodeBytes(f), 'utf8').digest('hex')}  ${f.path}`).join('\n'),
    )
  }
  // The same annotations as uncompressed: they describe the node's files, not the encoding.
  const annotations = (out: string) => machineConfigsOf(out).map((mc) => mc.metadata.annotations)
  assert.deepEqual(annotations(gz.output), annotations(plain.output))
  assert.equal(run({ inputs: [{ text: base }], flags: { targetRelease: '4.19', emitPolicies: false, compress: 'always' } }).output, gz.output, 'deterministic')
})

test('--compress in every option path: flags (fast path and yargs), functionConfig spec and ConfigMap data; bad values name the choices', async () => {
  // The fast parser takes these; a camel-case flag sends the arguments through yargs.
  for (const args of [['--compress=always'], ['--compress', 'always'], ['--allowEmpty', '--compress', 'always']]) {
    const out = await runCli(['--target-release', '4.19', '--no-emit-policies', ...args], base)
    assert.equal(out.code, 0, out.stderr)
    assert.match(out.stdout, /compression: gzip/, args.join(' '))
  }
  // A bad value is refused as in a functionConfig (exit 1, the same words: issue 16), no longer by yargs' choices (exit 2).
  const bad = await runCli(['--compress=gzip'], base)
  assert.equal(bad.code, 1)
  assert.match(bad.stderr, /^error --compress: compress: must be one of auto, always, never$/m)
  assert.deepEqual(decodeFunctionConfig({ apiVersion: 'imagepolicy-mc/v1alpha1', kind: 'ImagePolicyRenderer', spec: { compress: 'never' } }).value, { compress: 'never' })
  assert.deepEqual(decodeFunctionConfig({ kind: 'ConfigMap', data: { compress: 'always' } }).value, { compress: 'always' })
  assert.match(decodeFunctionConfig({ kind: 'ConfigMap', data: { compress: 'yes' } }).issues[0]!.message, /compress: must be one of auto, always, never/)
})

test('review: render --out, explain and diff show decompressed files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'imagepolicy-mc-compression-test-'))
  try {
    writeFileSync(join(dir, 'base.yaml'), base)
    const plain = run({ inputs: [{ text: base }], flags: { targetRelease: '4.19' } })
    const out = await runCli(['render', '--target-release', '4.19', '--compress=always', '--out', join(dir, 'out'), join(dir, 'base.yaml')])
    assert.equal(out.code, 0, out.stderr)
    for (const f of plain.files) assert.equal(readFileSync(join(dir, 'out', f.path), 'utf8'), f.contents, f.path)
    const explain = await runCli(['explain', '--target-release', '4.19', '--compress=always', '-n', 'team-a', 'registry.example.net/a/app:1', join(dir, 'base.yaml')])
    assert.equal(explain.code, 0, explain.stderr)
    assert.match(explain.stdout, /\/etc\/crio\/policies\/team-a\.json/)
    // diff: a stream of compressed MachineConfigs (as kustomize with the transformer gives) against the plain input.
    const gz = run({ inputs: [{ text: base }], flags: { targetRelease: '4.19', emitPolicies: false, compress: 'always' } })
    writeFileSync(join(dir, 'rendered.yaml'), gz.output)
    const read = nodeFilesFromMachineConfigs(streamValues(gz.output))!
    assert.deepEqual(read.issues, [])
    assert.deepEqual(read.pools.get('worker'), plain.files)
    const diff = await runCli(['diff', '--target-release', '4.19', join(dir, 'base.yaml'), join(dir, 'rendered.yaml')])
    assert.equal(diff.code, 0, diff.stderr)
    assert.match(diff.stdout, /no change to node files: no pool rolls/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('diff: compressed MachineConfigs from a repository are bounded and checked; a file it cannot read fails the side', async () => {
  const gz = run({ inputs: [{ text: base }], flags: { targetRelease: '4.19', emitPolicies: false, compress: 'always', pools: ['worker'] } })
  const source = (data: Buffer) => `${GZIP_DATA_URL_PREFIX}${data.toString('base64')}`
  const withFile = (contents: Record<string, unknown>) => gz.output.replace(/source: data:;base64,[A-Za-z0-9+/=]+/, `source: ${JSON.stringify(contents['source'])}`).replace(/compression: gzip/, `compression: ${JSON.stringify(contents['compression'])}`)
  const bomb = gzip(Buffer.alloc(MAX_DECOMPRESSED_FILE_BYTES + 1))
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ compression: 'gzip', source: source(bomb) }, /\/etc\/containers\/policy\.json: gzip contents: decompresses to more than 67108864 bytes/],
    [{ compression: 'gzip', source: source(Buffer.from('not gzip at all')) }, /gzip contents: not valid gzip data/],
    [{ compression: 'gzip', source: source(gzip(Buffer.from('x')).subarray(0, 15)) }, /gzip contents: not valid gzip data/],
    [{ compression: 'zstd', source: source(Buffer.from('x')) }, /unsupported compression type "zstd"/],
    // Base64 as Ignition reads it (Go's StdEncoding): junk after valid gzip, or a stray '=', is an error, never the gzip read as far as Node's lenient decoder gets.
    [{ compression: 'gzip', source: `${source(gzip(Buffer.from('{"default":[]}')))}!!` }, /\/etc\/containers\/policy\.json: contents\.source: invalid base64 in data URL: illegal base64 data at input byte/],
    [{ compression: 'gzip', source: source(gzip(Buffer.from('{"default":[]}'))).replace(/(base64,.{8})/, '$1=') }, /contents\.source: invalid base64 in data URL: illegal base64 data at input byte 8/],
    [{ compression: '', source: 'data:text/plain;charset=utf-8;base64,e30' }, /contents\.source: invalid base64 in data URL: illegal base64 data at input byte 0/],
  ]
  for (const [contents, message] of cases) {
    const text = withFile(contents)
    const read = nodeFilesFromMachineConfigs(streamValues(text))!
    assert.equal(read.issues.length, 1, text.slice(0, 200))
    assert.match(read.issues[0]!.message, message)
    assert.equal(read.issues[0]!.resource?.kind, 'MachineConfig')
    assert.deepEqual(read.issues[0]!.path, ['spec', 'config', 'storage', 'files', 0, 'contents'])
  }
  assert.deepEqual(decodeFileContents({ compression: 'gzip', source: source(gzip(Buffer.from('ok'))) }, 1), { error: 'gzip contents: the files of this stream decompress to more than 268435456 bytes' })
  const dir = mkdtempSync(join(tmpdir(), 'imagepolicy-mc-compression-test-'))
  try {
    writeFileSync(join(dir, 'base.yaml'), base)
    writeFileSync(join(dir, 'bomb.yaml'), withFile({ compression: 'gzip', source: source(bomb) }))
    const out = await runCli(['diff', '--target-release', '4.19', join(dir, 'base.yaml'), join(dir, 'bomb.yaml')])
    assert.equal(out.code, 1)
    assert.equal(out.stdout, '')
    assert.match(out.stderr, /head: error MachineConfig 99-worker-sigstore-imagepolicies spec\.config\.storage\.files\[0\]\.contents: \/etc\/containers\/policy\.json: gzip contents: decompresses to more than/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
