// Benchmark (not a test): prints ratios measured side by side in one run, over
// several runs, with the median. Usage: npm run bench [-- --runs N]
//   start-up   imagepolicy-mc on a typical stream vs `node -e 0`     target ≤ 1.3×
//   scale      1,000 and 10,000 ImagePolicies, 20,000 namespace scopes: time, peak memory, MachineConfig sizes
//              target 10k < 2 s, < 500 MB, every MachineConfig < 1 MiB, t(10k)/t(1k) ≤ 12; ratio to MCO's Go renderer
//   kustomize  `kubectl kustomize` of an example with and without us  target ≤ 1.2×
//   images     image sizes, and the function image's start-up under podman (skipped without podman and the images)
import { spawnSync } from 'node:child_process'
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join, resolve } from 'node:path'
import yaml from 'js-yaml'
import { stream } from './bench-data.mjs'

const args = process.argv.slice(2)
const RUNS = Number(args[args.indexOf('--runs') + 1] ?? 0) || 15
// `--only start-up|scale|kustomize|images` runs one section.
const ONLY = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined
const section = (name) => ONLY === undefined || ONLY === name
const BIN = resolve('dist/imagepolicy-mc.js') // the portable bundle
const LAUNCHER = resolve('dist/imagepolicy-mc') // the package's bin: starts from the startup snapshot
// The generated streams have no ClusterImagePolicy openshift: a 4.19 cluster's (the release ships none before 4.21).
const RELEASE = ['--target-release', '4.19']
const work = mkdtempSync(join(tmpdir(), 'imagepolicy-mc-bench-'))
const RSS_HOOK = join(work, 'rss.cjs')
writeFileSync(RSS_HOOK, "process.on('exit', () => require('fs').writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)))\n")

/** MCO's Go renderer on 10,000 policies over 1,000 namespaces, in process, 2 cores (issue 14; README "Performance"). */
const MCO_GO_10K_MS = 1400

/**
 * The generated MachineConfigs of a stream: per pool count, the largest
 * serialized (JSON, as the API server stores it), the pool's total (what MCO's
 * rendered-<pool> MachineConfig merges), and how many files are gzip-compressed.
 */
function machineConfigStats(stdout) {
  const mcs = stdout
    .toString('utf8')
    .split(/^---\n/m)
    .filter((d) => /^kind: MachineConfig$/m.test(d))
    .map((d) => yaml.load(d))
  const sizes = mcs.map((mc) => Buffer.byteLength(JSON.stringify(mc)))
  const pools = new Map()
  mcs.forEach((mc, i) => {
    const pool = mc.metadata.labels['machineconfiguration.openshift.io/role']
    pools.set(pool, (pools.get(pool) ?? 0) + sizes[i])
  })
  const files = mcs.flatMap((mc) => mc.spec.config.storage?.files ?? [])
  if (mcs.length === 0) throw new Error('no MachineConfig in the output')
  return {
    perPool: mcs.length / pools.size,
    largest: Math.max(...sizes),
    poolTotal: Math.max(...pools.values()),
    files: files.length,
    compressed: files.filter((f) => f.contents.compression === 'gzip').length,
  }
}

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
if (section('start-up')) {
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

// Scale: the 10,000-policy cases, and the 1,000-policy ones of the same shape for
// the ratio. Each must exit 0 with every MachineConfig under 1 MiB serialized.
if (section('scale')) {
  const cases = [
    { label: '1,000 ImagePolicies / 100 namespaces', shape: { ips: 1000, namespaces: 100, cips: 5, others: 0 } },
    { label: '10,000 ImagePolicies / 1,000 namespaces', shape: { ips: 10000, namespaces: 1000, cips: 5, others: 0 } },
    { label: '1,000 IPs / 100 ns, a scope each', shape: { ips: 1000, namespaces: 100, cips: 5, others: 0, distinct: 1 } },
    { label: '10,000 IPs / 1,000 ns, a scope each', shape: { ips: 10000, namespaces: 1000, cips: 5, others: 0, distinct: 1 } },
    { label: '20,000 distinct namespace scopes', shape: { ips: 10000, namespaces: 1000, cips: 5, others: 0, distinct: 2 } },
    // What compression costs: the second case again, uncompressed (split into more objects).
    { label: '10,000 ImagePolicies, --compress=never', shape: { ips: 10000, namespaces: 1000, cips: 5, others: 0 }, args: ['--compress=never'] },
  ].map((c) => ({ ...c, input: stream(c.shape), times: [], rss: [] }))
  const runs = Math.max(3, Math.min(5, RUNS))
  for (let i = 0; i < runs; i++) {
    for (const c of cases) {
      const r = timeOnce(process.execPath, ['-r', RSS_HOOK, BIN, ...RELEASE, ...(c.args ?? [])], { input: c.input })
      c.times.push(r.ms)
      c.rss.push(r.rss)
      if (i === 0) c.stats = machineConfigStats(r.stdout)
    }
  }
  console.log(`\nscale (${runs} runs each, median; 5 ClusterImagePolicies of 2 scopes each; MachineConfigs per pool, largest, files gzip-compressed)`)
  for (const c of cases) {
    c.ms = median(c.times)
    c.mem = median(c.rss) / 1024
    const st = c.stats
    console.log(
      `  ${c.label.padEnd(42)} ${c.ms.toFixed(0).padStart(6)} ms   peak ${c.mem.toFixed(0).padStart(3)} MB   (${(c.input.length / 1e6).toFixed(1)} MB in)   ` +
        `${st.perPool} MC/pool, largest ${(st.largest / 1024).toFixed(0)} KiB, pool total ${(st.poolTotal / 1024).toFixed(0)} KiB, ${st.compressed}/${st.files} gzip`,
    )
  }
  const [c1k, c10k, c1kd, c10kd, c20k, cNever] = cases
  for (const c of [c10k, c10kd, c20k]) {
    const name = c === c10k ? '10,000 policies' : c === c10kd ? '10,000 policies, a scope each' : '20,000 namespace scopes'
    results.push([`${name}: time`, `${(c.ms / 1000).toFixed(2)} s`, '< 2 s', c.ms < 2000])
    results.push([`${name}: peak memory`, `${c.mem.toFixed(0)} MB`, '< 500 MB', c.mem < 500])
    results.push([`${name}: largest MachineConfig`, `${(c.stats.largest / 1024).toFixed(0)} KiB`, '< 1024 KiB', c.stats.largest < 1024 * 1024])
  }
  results.push(['10,000 policies: compressed / --compress=never', `${(c10k.ms / cNever.ms).toFixed(2)}×`, '(what compression costs)', true])
  results.push(['time(10,000) / time(1,000)', `${(c10k.ms / c1k.ms).toFixed(1)}`, '≤ 12', c10k.ms / c1k.ms <= 12])
  results.push(['  the same, a scope each', `${(c10kd.ms / c1kd.ms).toFixed(1)}`, '≤ 12', c10kd.ms / c1kd.ms <= 12])
  // MCO's own Go renderer, in process, 2 cores (README "Performance"; not measured here: no Go toolchain).
  results.push(['10,000 policies / MCO\'s Go renderer (1.4 s)', `${(c10k.ms / MCO_GO_10K_MS).toFixed(2)}×`, '(ours, a new process each run)', true])
  results.push(['  a scope each / MCO\'s Go renderer (1.4 s)', `${(c10kd.ms / MCO_GO_10K_MS).toFixed(2)}×`, '(ours, a new process each run)', true])
}

// Inside kustomize: the legacy exec plugin, as users run it.
if (section('kustomize')) {
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
if (section('images')) {
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
