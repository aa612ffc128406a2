// Benchmark (not a test): prints ratios measured side by side in one run, over
// several runs, with the median. Usage: npm run bench [-- --runs N]
//   start-up   imagepolicy-mc on a typical stream vs `node -e 0`     target ≤ 1.3×
//   scale      1,000 and 10,000 ImagePolicies: time and peak memory  target 10k < 2 s, < 500 MB, t(10k)/t(1k) ≤ 12
//   kustomize  `kubectl kustomize` of an example with and without us  target ≤ 1.2×
//   images     image sizes, and the function image's start-up under podman (skipped without podman and the images)
import { spawnSync } from 'node:child_process'
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join, resolve } from 'node:path'
import { stream } from './bench-data.mjs'

const args = process.argv.slice(2)
const RUNS = Number(args[args.indexOf('--runs') + 1] ?? 0) || 15
const BIN = resolve('dist/imagepolicy-mc.js') // the portable bundle
const LAUNCHER = resolve('dist/imagepolicy-mc') // the package's bin: starts from the startup snapshot
// The generated streams have no ClusterImagePolicy openshift: a 4.19 cluster's (the release ships none before 4.21).
const RELEASE = ['--target-release', '4.19']
const work = mkdtempSync(join(tmpdir(), 'imagepolicy-mc-bench-'))
const RSS_HOOK = join(work, 'rss.cjs')
writeFileSync(RSS_HOOK, "process.on('exit', () => require('fs').writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)))\n")

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

/** Runs a command once; returns wall ms and peak RSS (KB) of the node process. */
function timeOnce(cmd, argv, { input, env, cwd } = {}) {
  const rssFile = join(work, 'rss')
  rmSync(rssFile, { force: true })
  const start = process.hrtime.bigint()
  const r = spawnSync(cmd, argv, {
    input,
    cwd,
    env: { ...process.env, ...env, BENCH_RSS_FILE: rssFile },
    maxBuffer: 1 << 30,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status}): ${r.stderr}`)
  let rss = NaN // only where the -r hook can run (not through the launcher: NODE_OPTIONS turns the snapshot off)
  try {
    rss = Number(readFileSync(rssFile, 'utf8'))
  } catch {}
  return { ms, rss, stdout: r.stdout }
}

/** Interleaves the commands run by run so that machine noise hits them alike. */
function compare(label, variants) {
  const times = variants.map(() => [])
  const rss = variants.map(() => [])
  for (let i = 0; i < RUNS; i++) {
    variants.forEach((v, j) => {
      const r = timeOnce(v.cmd, v.argv, v.opts)
      times[j].push(r.ms)
      rss[j].push(r.rss)
    })
  }
  const med = times.map(median)
  console.log(`\n${label} (${RUNS} runs each, median)`)
  variants.forEach((v, j) => {
    const peak = Number.isNaN(median(rss[j])) ? '' : `   peak ${(median(rss[j]) / 1024).toFixed(0).padStart(4)} MB`
    console.log(`  ${v.name.padEnd(42)} ${med[j].toFixed(1).padStart(8)} ms${peak}`)
  })
  return { med, rss: rss.map(median) }
}

console.log(`imagepolicy-mc benchmark — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`)
const results = []

// An empty user-land snapshot: what starting from any snapshot costs over `node -e 0`.
const EMPTY_BLOB = join(work, 'empty.blob')
writeFileSync(join(work, 'empty-snapshot.cjs'), "require('node:v8').startupSnapshot.setDeserializeMainFunction(() => {})\n")
spawnSync(process.execPath, ['--snapshot-blob', EMPTY_BLOB, '--build-snapshot', join(work, 'empty-snapshot.cjs')], { stdio: 'inherit' })

// Start-up: a typical repository.
const typical = stream({ ips: 20, namespaces: 10, cips: 4, others: 200 })
// The same resources as kpt sends them: one ResourceList, items at column 0.
const typicalList = `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n${typical
  .split(/^---\n/m)
  .filter((d) => d.trim() !== '')
  .map((d) => d.trimEnd().split('\n').map((l, i) => (i === 0 ? `- ${l}` : `  ${l}`)).join('\n'))
  .join('\n')}\n`
// The launcher builds its startup snapshot at its first run on a machine (into
// ~/.cache/imagepolicy-mc): do that before anything is timed.
spawnSync(LAUNCHER, ['--help'], { stdio: 'ignore' })
{
  const { med } = compare('start-up: typical stream (20 ImagePolicies / 10 namespaces, 4 ClusterImagePolicies, 200 other resources)', [
    { name: 'node -e 0', cmd: process.execPath, argv: ['-r', RSS_HOOK, '-e', '0'] },
    { name: 'imagepolicy-mc < typical (launcher, snapshot)', cmd: LAUNCHER, argv: RELEASE, opts: { input: typical } },
    { name: 'node dist/imagepolicy-mc.js < typical', cmd: process.execPath, argv: ['-r', RSS_HOOK, BIN, ...RELEASE], opts: { input: typical } },
    { name: 'imagepolicy-mc < typical as a ResourceList', cmd: LAUNCHER, argv: RELEASE, opts: { input: typicalList } },
    // The floors under the first line: Node.js started from any user-land snapshot,
    // and ours on an empty input (the snapshot's heap, no work).
    { name: 'node from an empty startup snapshot', cmd: process.execPath, argv: ['--snapshot-blob', EMPTY_BLOB] },
    { name: 'imagepolicy-mc --allow-empty < /dev/null', cmd: LAUNCHER, argv: ['--allow-empty'], opts: { input: '' } },
  ])
  const ratio = med[1] / med[0]
  results.push(['start-up ratio vs node -e 0', ratio.toFixed(2) + '×', '≤ 1.3×', ratio <= 1.3])
  results.push(['  the portable bundle, without the snapshot', (med[2] / med[0]).toFixed(2) + '×', '(for comparison)', true])
  results.push(['  the same as a ResourceList (kpt)', (med[3] / med[0]).toFixed(2) + '×', '(for comparison)', true])
  results.push(['  any user-land snapshot', (med[4] / med[0]).toFixed(2) + '×', '(Node.js)', true])
  results.push(['  ours, on an empty input', (med[5] / med[0]).toFixed(2) + '×', '(our snapshot, no work)', true])
}

// Scale.
{
  const s1k = stream({ ips: 1000, namespaces: 100, cips: 5, others: 0 })
  const s10k = stream({ ips: 10000, namespaces: 1000, cips: 5, others: 0 })
  const saved = RUNS
  const runs = Math.max(3, Math.min(5, saved))
  const t1 = []
  const t10 = []
  const r10 = []
  for (let i = 0; i < runs; i++) {
    t1.push(timeOnce(process.execPath, ['-r', RSS_HOOK, BIN, ...RELEASE], { input: s1k }).ms)
    const r = timeOnce(process.execPath, ['-r', RSS_HOOK, BIN, ...RELEASE], { input: s10k })
    t10.push(r.ms)
    r10.push(r.rss)
  }
  const m1 = median(t1)
  const m10 = median(t10)
  const mem = median(r10) / 1024
  console.log(`\nscale (${runs} runs each, median)`)
  console.log(`  1,000 ImagePolicies / 100 namespaces    ${m1.toFixed(0).padStart(8)} ms   (${(s1k.length / 1e6).toFixed(1)} MB in)`)
  console.log(`  10,000 ImagePolicies / 1,000 namespaces ${m10.toFixed(0).padStart(8)} ms   peak ${mem.toFixed(0)} MB   (${(s10k.length / 1e6).toFixed(1)} MB in)`)
  results.push(['10,000 policies: time', `${(m10 / 1000).toFixed(2)} s`, '< 2 s', m10 < 2000])
  results.push(['10,000 policies: peak memory', `${mem.toFixed(0)} MB`, '< 500 MB', mem < 500])
  results.push(['time(10,000) / time(1,000)', `${(m10 / m1).toFixed(1)}`, '≤ 12', m10 / m1 <= 12])
}

// Inside kustomize: the legacy exec plugin, as users run it.
{
  const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' })
  if (kubectl.status !== 0) {
    console.log('\nkustomize: kubectl not found, skipped (install kubectl to measure)')
  } else {
    const plugins = join(work, 'plugins')
    const exe = join(plugins, 'imagepolicy-mc/v1alpha1/imagepolicyrenderer/ImagePolicyRenderer')
    mkdirSync(join(exe, '..'), { recursive: true })
    // As install-kustomize-plugin writes it: the launcher.
    writeFileSync(exe, `#!/bin/sh\nexec "${LAUNCHER}" --config "$1"\n`)
    chmodSync(exe, 0o755)
    const plain = join(work, 'kustomize-plain')
    const withFn = join(work, 'kustomize-fn')
    for (const dir of [plain, withFn]) {
      mkdirSync(dir, { recursive: true })
      writeFileSync(join(dir, 'resources.yaml'), typical)
    }
    writeFileSync(join(plain, 'kustomization.yaml'), 'resources:\n- resources.yaml\n')
    writeFileSync(join(withFn, 'kustomization.yaml'), 'resources:\n- resources.yaml\ntransformers:\n- renderer.yaml\n')
    writeFileSync(join(withFn, 'renderer.yaml'), 'apiVersion: imagepolicy-mc/v1alpha1\nkind: ImagePolicyRenderer\nmetadata:\n  name: render\nspec:\n  targetRelease: "4.19"\n')
    // The same transformer served by `cat`: what kustomize itself spends on any exec
    // plugin (writing the resources out, reading them back), whatever the plugin does.
    const noopPlugins = join(work, 'noop-plugins')
    const noop = join(noopPlugins, 'imagepolicy-mc/v1alpha1/imagepolicyrenderer/ImagePolicyRenderer')
    mkdirSync(join(noop, '..'), { recursive: true })
    writeFileSync(noop, '#!/bin/sh\nexec cat\n')
    chmodSync(noop, 0o755)
    // The least any Node.js plugin can cost: node copying stdin to stdout.
    const nodeCatPlugins = join(work, 'node-cat-plugins')
    const nodeCat = join(nodeCatPlugins, 'imagepolicy-mc/v1alpha1/imagepolicyrenderer/ImagePolicyRenderer')
    mkdirSync(join(nodeCat, '..'), { recursive: true })
    writeFileSync(nodeCat, `#!/bin/sh\nexec "${process.execPath}" -e "process.stdout.write(require('fs').readFileSync(0))"\n`)
    chmodSync(nodeCat, 0o755)
    const { med } = compare('kustomize: kubectl kustomize of the typical stream', [
      { name: 'kubectl kustomize', cmd: 'kubectl', argv: ['kustomize', plain] },
      { name: 'kubectl kustomize + no-op plugin (cat)', cmd: 'kubectl', argv: ['kustomize', '--enable-alpha-plugins', withFn], opts: { env: { KUSTOMIZE_PLUGIN_HOME: noopPlugins } } },
      { name: 'kubectl kustomize + node copying stdin', cmd: 'kubectl', argv: ['kustomize', '--enable-alpha-plugins', withFn], opts: { env: { KUSTOMIZE_PLUGIN_HOME: nodeCatPlugins } } },
      { name: 'kubectl kustomize + imagepolicy-mc', cmd: 'kubectl', argv: ['kustomize', '--enable-alpha-plugins', withFn], opts: { env: { KUSTOMIZE_PLUGIN_HOME: plugins } } },
    ])
    const ratio = med[3] / med[0]
    results.push(['kustomize with the function / without', ratio.toFixed(2) + '×', '≤ 1.2×', ratio <= 1.2])
    results.push(['  any exec plugin, even cat', (med[1] / med[0]).toFixed(2) + '×', '(kustomize\'s own cost)', true])
    results.push(['  any Node.js plugin (node copying stdin)', (med[2] / med[0]).toFixed(2) + '×', '(the floor for a Node.js function)', true])
    results.push(['  imagepolicy-mc over node copying stdin', (med[3] / med[2]).toFixed(2) + '×', '(ours)', true])
  }
}

// Container images (built by .ci/install-images.sh): their sizes, and the
// function image run as kpt runs it, against the same container running only
// `node -e 0` (the floor: podman's own start plus Node.js) and the bundle on the host.
{
  const FN = process.env.IMAGEPOLICY_MC_IMAGE ?? 'localhost/imagepolicy-mc:dev'
  const CMP = process.env.IMAGEPOLICY_MC_ARGOCD_CMP_IMAGE ?? 'localhost/imagepolicy-mc-argocd-cmp:dev'
  const size = (ref) => {
    const r = spawnSync('podman', ['image', 'inspect', '--format', '{{.Size}}', ref], { encoding: 'utf8' })
    return r.status === 0 ? Number(r.stdout.trim()) : undefined
  }
  const podman = spawnSync('podman', ['--version'], { encoding: 'utf8' })
  const missing = podman.status === 0 ? [FN, CMP].filter((ref) => size(ref) === undefined) : []
  if (podman.status !== 0) {
    console.log('\nimages: SKIPPED, podman not found (bash .ci/install-images.sh installs it and builds the images)')
  } else if (missing.length > 0) {
    console.log(`\nimages: SKIPPED, ${missing.join(' and ')} not built (bash .ci/install-images.sh, or scripts/build-images.sh --local-bases)`)
  } else {
    console.log('\nimages (podman image inspect, uncompressed)')
    const bases = spawnSync('podman', ['images', '--format', '{{.Repository}}:{{.Tag}}', 'localhost/imagepolicy-mc-base/*'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l !== '').sort()
    for (const ref of [FN, CMP, ...bases]) console.log(`  ${ref.padEnd(58)} ${(size(ref) / 1e6).toFixed(0).padStart(5)} MB`)
    const run = ['run', '--rm', '-i', '--network', 'none', '--read-only', '--user', 'nobody']
    const runs = Math.min(RUNS, 10)
    const { med } = (() => {
      const times = [[], [], []]
      const variants = [
        { cmd: 'podman', argv: [...run, FN, ...RELEASE], opts: { input: typicalList } },
        { cmd: 'podman', argv: [...run, '--entrypoint', '/nodejs/bin/node', FN, '-e', '0'] },
        { cmd: process.execPath, argv: [BIN, ...RELEASE], opts: { input: typicalList } },
      ]
      for (let i = 0; i < runs; i++) variants.forEach((v, j) => times[j].push(timeOnce(v.cmd, v.argv, v.opts).ms))
      return { med: times.map(median) }
    })()
    console.log(`\nimage start-up: the typical stream as a ResourceList (${runs} runs each, median)`)
    console.log(`  ${'podman run --network none <function image>'.padEnd(46)} ${med[0].toFixed(1).padStart(8)} ms`)
    console.log(`  ${'podman run <the same image> node -e 0'.padEnd(46)} ${med[1].toFixed(1).padStart(8)} ms`)
    console.log(`  ${'node dist/imagepolicy-mc.js (no container)'.padEnd(46)} ${med[2].toFixed(1).padStart(8)} ms`)
    results.push(['image start-up (podman run, typical ResourceList)', `${med[0].toFixed(0)} ms`, '(for information)', true])
    results.push(['  over the same container running node -e 0', (med[0] / med[1]).toFixed(2) + '×', '(ours inside the container)', true])
    results.push(['  over the bundle without a container', (med[0] / med[2]).toFixed(2) + '×', "(podman's own cost)", true])
    results.push(['function image size', `${(size(FN) / 1e6).toFixed(0)} MB`, '(uncompressed)', true])
    results.push(['Argo CD sidecar image size', `${(size(CMP) / 1e6).toFixed(0)} MB`, '(uncompressed)', true])
  }
}

console.log('\nsummary')
for (const [what, got, target, ok] of results) {
  const info = target.startsWith('(')
  console.log(`  ${info ? '       ' : ok ? 'met    ' : 'NOT MET'} ${what.padEnd(44)} ${got.padStart(9)}   ${info ? target : `target ${target}`}`)
}
rmSync(work, { recursive: true, force: true })
