// The container images, built from the Dockerfile by .ci/install-images.sh
// (scripts/build-images.sh), run as their users run them:
//   * the KRM function image through kpt with the podman runtime
//     (KPT_FN_RUNTIME=podman), network off: `kpt fn eval --image` and a
//     `kpt fn render` pipeline with an `image:` step, on the kpt package
//     example, whose result must be byte for byte the exec path's;
//   * the Argo CD sidecar image as Argo CD runs it: uid 999, read-only root
//     filesystem, no network, its own /tmp, the var-files and plugins volumes,
//     /var/run/argocd/argocd-cmp-server as the entrypoint (an emulation, see
//     argocd-cmp-server.ts: no argocd binary here) running plugin.yaml's
//     discover and generate commands in the application's directory with the
//     env Argo CD sets.
// Needs podman and the images (fails in CI without them, skips elsewhere, also
// when the images hold another build than dist/, since the machine's container
// storage is shared by every checkout).

import assert from 'node:assert/strict'
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { buildSync } from 'esbuild'
import { parse } from 'yaml'
import { asResourceList } from '../../src/warm-up.ts'
import type { Application } from './argocd-env.ts'
import { ARGOCD_EXAMPLE_OBJECTS, BUNDLE, copyTree, exampleFor, FUNCTION_IMAGE, kindsAndNames, machineConfigs, parseStream, requireImages, runProgram, SIDECAR_IMAGE, snapshotTree, tempDir } from './helpers.ts'

const KPT_EXAMPLE = 'examples/kpt-package'
const ARGO_REPO = 'examples/argocd'

function functionImage(t: TestContext): string | undefined {
  return requireImages(t, [{ ref: FUNCTION_IMAGE, bundle: '/app/imagepolicy-mc.js' }])
}

function imageConfig(podman: string, ref: string): { User: string; Entrypoint: string[]; WorkingDir: string } {
  const out = runProgram(podman, ['image', 'inspect', '--format', '{{json .Config}}', ref])
  assert.equal(out.code, 0, out.stderr)
  return JSON.parse(out.stdout) as { User: string; Entrypoint: string[]; WorkingDir: string }
}

/** A file out of an image. */
function fileOf(t: TestContext, podman: string, ref: string, path: string): Buffer {
  const dir = tempDir(t)
  const ctr = runProgram(podman, ['create', ref]).stdout.trim()
  const cp = runProgram(podman, ['cp', `${ctr}:${path}`, join(dir, 'f')])
  runProgram(podman, ['rm', ctr])
  assert.equal(cp.code, 0, cp.stderr)
  return readFileSync(join(dir, 'f'))
}

/**
 * A `podman` first on PATH that logs each command line and runs the real one,
 * so a test can check how kpt starts the container.
 */
function loggingPodman(t: TestContext, podman: string): { dir: string; calls: () => string[] } {
  const dir = tempDir(t, 'imagepolicy-mc-podman-')
  const log = join(dir, 'calls.log')
  writeFileSync(join(dir, 'podman'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec '${podman}' "$@"\n`, { mode: 0o755 })
  return { dir, calls: () => readFileSync(log, 'utf8').split('\n').filter((l) => l !== '') }
}

/** Two copies of the kpt package example, one run with --exec, one with the image, and the env for each. */
function kptPair(t: TestContext) {
  const podman = functionImage(t)
  if (podman === undefined) return undefined
  const exec = exampleFor(t, 'kpt', KPT_EXAMPLE, 'kpt-package')
  const image = exampleFor(t, 'kpt', KPT_EXAMPLE, 'kpt-package')
  if (exec === undefined || image === undefined) return undefined
  const logged = loggingPodman(t, podman)
  const imageEnv = { ...image.env, PATH: `${logged.dir}:${image.env.PATH}`, KPT_FN_RUNTIME: 'podman' }
  return {
    podman,
    calls: logged.calls,
    exec: { dir: exec.dir, kpt: (args: string[]) => runProgram(exec.tool, args, { cwd: exec.dir, env: exec.env }) },
    image: { dir: image.dir, kpt: (args: string[]) => runProgram(image.tool, args, { cwd: image.dir, env: imageEnv }) },
  }
}

/** kpt started the function's container with the network off, the image never pulled. */
function assertNetworkOff(calls: string[]): void {
  const runs = calls.filter((c) => c.startsWith('run ') && c.includes(FUNCTION_IMAGE))
  assert.ok(runs.length > 0, `kpt ran the image with podman: ${calls.join(' | ')}`)
  for (const r of runs) assert.match(r, /--network none/, r)
  assert.ok(!calls.some((c) => c.startsWith('pull ')), 'nothing pulled')
}

test('the function image runs as non-root with a read-only root filesystem and no network, and prints what the bundle prints', (t) => {
  const podman = functionImage(t)
  if (podman === undefined) return
  const config = imageConfig(podman, FUNCTION_IMAGE)
  assert.equal(config.User, '65532:65532')
  assert.deepEqual(config.Entrypoint, ['/nodejs/bin/node', '/app/imagepolicy-mc.js'])
  const stream = ['image-cluster.yaml', 'policies.yaml'].map((f) => readFileSync(join(KPT_EXAMPLE, f), 'utf8')).join('---\n')
  const broken = stream.replace(/ +publicKey:\n +keyData: .*\n/, '')
  // The example is for OpenShift 4.19 (whose release ships no ClusterImagePolicy of its own).
  const args = ['--target-release', '4.19']
  for (const [name, input, code] of [['ResourceList', asResourceList(stream), 0], ['stream', stream, 0], ['broken policy', asResourceList(broken), 1]] as const) {
    // As kpt and kustomize run container functions (kyaml's container runtime): --user nobody, no network.
    const inImage = runProgram(podman, ['run', '--rm', '-i', '--network', 'none', '--read-only', '--user', 'nobody', '--security-opt', 'no-new-privileges', FUNCTION_IMAGE, ...args], { input })
    const direct = runProgram(process.execPath, [BUNDLE, ...args], { input, env: {} })
    assert.equal(inImage.code, code, `${name}: ${inImage.stderr}`)
    assert.deepEqual(inImage, direct, name)
  }
})

test('kpt fn eval --image with the podman runtime, network off, writes the same package as --exec', (t) => {
  const s = kptPair(t)
  if (s === undefined) return
  const viaExec = s.exec.kpt(['fn', 'eval', '--exec', 'imagepolicy-mc', '--fn-config', 'imagepolicy-renderer.yaml'])
  assert.equal(viaExec.code, 0, viaExec.stderr)
  const viaImage = s.image.kpt(['fn', 'eval', '--image', FUNCTION_IMAGE, '--image-pull-policy', 'never', '--fn-config', 'imagepolicy-renderer.yaml'])
  assert.equal(viaImage.code, 0, viaImage.stderr)
  assert.match(viaImage.stderr, new RegExp(`\\[PASS\\] "${FUNCTION_IMAGE}"`))
  const tree = snapshotTree(s.image.dir)
  assert.deepEqual(tree, snapshotTree(s.exec.dir))
  assert.ok(Object.values(tree).some((text) => /^kind: MachineConfig$/m.test(text)), 'MachineConfigs were written')
  assertNetworkOff(s.calls())
})

test('kpt fn render with an image: pipeline step writes the same package as the exec: step', (t) => {
  const s = kptPair(t)
  if (s === undefined) return
  const kptfile = join(s.image.dir, 'Kptfile')
  const original = readFileSync(kptfile, 'utf8')
  assert.match(original, /^ {2}- exec: imagepolicy-mc$/m)
  writeFileSync(kptfile, original.replace(/^ {2}- exec: imagepolicy-mc$/m, `  - image: ${FUNCTION_IMAGE}`))
  const viaExec = s.exec.kpt(['fn', 'render', '--allow-exec'])
  assert.equal(viaExec.code, 0, viaExec.stderr)
  const viaImage = s.image.kpt(['fn', 'render', '--image-pull-policy', 'never'])
  assert.equal(viaImage.code, 0, viaImage.stderr)
  const a = snapshotTree(s.exec.dir)
  const b = snapshotTree(s.image.dir)
  assert.equal(b['Kptfile'], a['Kptfile']!.replace(/^ {2}- exec: imagepolicy-mc$/m, `  - image: ${FUNCTION_IMAGE}`))
  delete a['Kptfile']
  delete b['Kptfile']
  assert.deepEqual(b, a)
  assert.ok(Object.keys(b).length > Object.keys(snapshotTree(KPT_EXAMPLE)).length - 1, 'render added files')
  assertNetworkOff(s.calls())
})

test('a broken policy fails kpt fn eval --image with an error result and leaves the package unchanged', (t) => {
  const s = kptPair(t)
  if (s === undefined) return
  const file = join(s.image.dir, 'policies.yaml')
  writeFileSync(file, readFileSync(file, 'utf8').replace(/ +publicKey:\n +keyData: .*\n/g, ''))
  const before = snapshotTree(s.image.dir)
  const out = s.image.kpt(['fn', 'eval', '--image', FUNCTION_IMAGE, '--image-pull-policy', 'never', '--fn-config', 'imagepolicy-renderer.yaml'])
  assert.equal(out.code, 1, out.stderr)
  assert.match(out.stderr, /\[error\] config\.openshift\.io\/v1\/ImagePolicy\/team-a\/team-a-images spec\.policy\.rootOfTrust\S*: .*publicKey/)
  assert.match(out.stderr, /Exit code: 1/)
  assert.deepEqual(snapshotTree(s.image.dir), before)
})

// ----------------------------------------------------------------- Argo CD --

const APPLICATION = parse(readFileSync(join(ARGO_REPO, 'application.yaml'), 'utf8')) as Application

interface Ran {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}
interface CmpRun {
  readonly socket: string
  readonly user: number
  readonly workdir: string
  readonly appDir: string
  readonly discover?: Ran
  readonly generate: Ran
}

/** The emulated argocd-cmp-server, bundled for the image's Node.js. */
function cmpServer(dir: string): void {
  buildSync({
    entryPoints: ['test/integration/argocd-cmp-server.ts'],
    outfile: join(dir, 'argocd-cmp-server'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    banner: { js: '#!/usr/bin/env node' },
    logLevel: 'warning',
  })
  chmodSync(join(dir, 'argocd-cmp-server'), 0o755)
}

/**
 * Runs the sidecar image as the repo-server pod does (deploy/argocd/repo-server-sidecar.yaml):
 * uid 999, read-only root filesystem, no network, emptyDirs for var-files
 * (holding the cmp-server), plugins and /tmp, then hands it one request.
 */
function runSidecar(t: TestContext, podman: string, edit?: (repo: string) => void): { ran: Ran; cmp?: CmpRun } {
  const root = tempDir(t, 'imagepolicy-mc-pod-')
  chmodSync(root, 0o755)
  const varFiles = join(root, 'var-files')
  const plugins = join(root, 'plugins')
  const repo = join(root, 'repo')
  mkdirSync(varFiles, { mode: 0o755 })
  mkdirSync(plugins)
  chmodSync(plugins, 0o777) // an emptyDir is world-writable
  cmpServer(varFiles)
  copyTree(ARGO_REPO, repo)
  edit?.(repo)
  const ran = runProgram(podman, [
    'run', '--rm', '-i', '--network', 'none', '--read-only', '--user', '999',
    '--security-opt', 'no-new-privileges', '--cap-drop', 'ALL',
    '--tmpfs', '/tmp:rw,mode=1777',
    '-v', `${varFiles}:/var/run/argocd`,
    '-v', `${plugins}:/home/argocd/cmp-server/plugins`,
    '-v', `${repo}:/var/run/cmp-request/repo:ro`,
    SIDECAR_IMAGE,
  ], { input: JSON.stringify({ application: APPLICATION, repo: '/var/run/cmp-request/repo' }) })
  return ran.code === 0 ? { ran, cmp: JSON.parse(ran.stdout) as CmpRun } : { ran }
}

function sidecarImage(t: TestContext): string | undefined {
  return requireImages(t, [{ ref: SIDECAR_IMAGE, bundle: '/usr/local/bin/imagepolicy-mc' }])
}

test('the sidecar image is laid out as Argo CD requires: uid 999, the cmp-server entrypoint, plugin.yaml in place', (t) => {
  const podman = sidecarImage(t)
  if (podman === undefined) return
  const config = imageConfig(podman, SIDECAR_IMAGE)
  assert.equal(config.User, '999')
  assert.deepEqual(config.Entrypoint, ['/var/run/argocd/argocd-cmp-server'])
  assert.equal(fileOf(t, podman, SIDECAR_IMAGE, '/home/argocd/cmp-server/config/plugin.yaml').toString('utf8'), readFileSync('plugin.yaml', 'utf8'))
  // Standalone kustomize on PATH (imagepolicy-mc build prefers it), and no kubectl.
  const which = runProgram(podman, ['run', '--rm', '--network', 'none', '--read-only', '--entrypoint', '/bin/sh', SIDECAR_IMAGE, '-c', 'command -v kustomize; command -v imagepolicy-mc; command -v kubectl || echo no-kubectl'])
  assert.equal(which.code, 0, which.stderr)
  assert.deepEqual(which.stdout.trim().split('\n'), ['/usr/local/bin/kustomize', '/usr/local/bin/imagepolicy-mc', 'no-kubectl'])
})

test('the sidecar image runs discover and generate as argocd-cmp-server does, with the Application\'s parameters', (t) => {
  const podman = sidecarImage(t)
  if (podman === undefined) return
  const { ran, cmp } = runSidecar(t, podman)
  assert.equal(ran.code, 0, ran.stderr)
  assert.equal(cmp!.user, 999)
  assert.equal(cmp!.socket, '/home/argocd/cmp-server/plugins/imagepolicy-mc.sock')
  assert.match(cmp!.workdir, /^\/tmp\/_cmp_server\/[^/]+$/)
  assert.equal(cmp!.appDir, `${cmp!.workdir}/${APPLICATION.spec.source.path}`)
  assert.deepEqual(cmp!.discover, { code: 0, stdout: 'policies.yaml\n', stderr: '' })
  assert.equal(cmp!.generate.code, 0, cmp!.generate.stderr)
  const objects = parseStream(cmp!.generate.stdout)
  assert.deepEqual(kindsAndNames(objects), ARGOCD_EXAMPLE_OBJECTS)
  // PARAM_POOLS_*, PARAM_STRICT, PARAM_TARGET_RELEASE and ARGOCD_ENV_NAME reached it: the CLI with the same options renders the same.
  const appDir = join(ARGO_REPO, APPLICATION.spec.source.path)
  const direct = runProgram(process.execPath, [BUNDLE, '--pools', 'master,worker', '--name', '99-{pool}-image-signatures', '--strict', '--target-release', '4.19', 'image-cluster.yaml', 'policies.yaml'], { cwd: appDir })
  assert.equal(direct.code, 0, direct.stderr)
  assert.deepEqual(machineConfigs(objects), machineConfigs(parseStream(direct.stdout)))
})

test('in the sidecar image, a broken policy or a failing kustomize fails generate with nothing on stdout', (t) => {
  const podman = sidecarImage(t)
  if (podman === undefined) return
  const policies = (repo: string) => join(repo, APPLICATION.spec.source.path, 'policies.yaml')
  const broken = runSidecar(t, podman, (repo) => writeFileSync(policies(repo), readFileSync(policies(repo), 'utf8').replace('policyType: PublicKey\n      publicKey:', 'policyType: PublicKey\n      publicKeys:')))
  assert.equal(broken.ran.code, 0, broken.ran.stderr)
  assert.equal(broken.cmp!.generate.code, 1)
  assert.equal(broken.cmp!.generate.stdout, '')
  assert.match(broken.cmp!.generate.stderr, /^error ClusterImagePolicy release-payload /m)
  const missing = runSidecar(t, podman, (repo) => writeFileSync(join(repo, APPLICATION.spec.source.path, 'kustomization.yaml'), 'resources:\n- policies.yaml\n- missing.yaml\n'))
  assert.notEqual(missing.cmp!.generate.code, 0)
  assert.equal(missing.cmp!.generate.stdout, '')
  assert.match(missing.cmp!.generate.stderr, /missing\.yaml/)
  assert.match(missing.cmp!.generate.stderr, /imagepolicy-mc build: \/usr\/local\/bin\/kustomize build \. failed \(exit status \d+\)/)
})
