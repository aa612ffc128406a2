// Argo CD config-management plugin (v2 sidecar), emulated from what
// argocd-cmp-server does (docs: shared/docs/krm-and-argocd.md §3): read
// plugin.yaml, unpack the repository with files at 0644, run the discover and
// generate commands directly (no shell) in the application's directory with the
// sidecar's env plus ARGOCD_APP_*, ARGOCD_ENV_* and PARAM_*, and take stdout as
// the manifests. Needs kubectl (the sidecar image has standalone kustomize).

import assert from 'node:assert/strict'
import { readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { parse } from 'yaml'
import { BUILD_ENV_OPTIONS } from '../../src/commands/build.ts'
import { DEFAULT_OPTIONS } from '../../src/options.ts'
import { argoEscape, argoParameterEnv, commandEnv, type AppParameter, type Application, type Command, type PluginYaml } from './argocd-env.ts'
import { ARGOCD_EXAMPLE_OBJECTS, binDir, BUNDLE, copyTree, kindsAndNames, machineConfigs, parseStream, pathWith, requireTool, runProgram, tempDir, type Ran } from './helpers.ts'

const REPO = 'examples/argocd'

const PLUGIN = parse(readFileSync('plugin.yaml', 'utf8')) as PluginYaml
const APPLICATION = parse(readFileSync(join(REPO, 'application.yaml'), 'utf8')) as Application

/** Runs a plugin.yaml command as argocd-cmp-server does: exec(command[0], command[1:] + args), no shell. */
function runCommand(c: Command, cwd: string, env: Record<string, string>): Ran {
  const [file, ...rest] = c.command
  return runProgram(file!, [...rest, ...(c.args ?? [])], { cwd, env })
}

function setUp(t: Parameters<typeof requireTool>[0], app: Application = APPLICATION) {
  if (requireTool(t, 'kubectl') === undefined) return undefined
  // The repository, unpacked into the cmp-server's work dir with files at 0644.
  const workdir = join(tempDir(t), '_cmp_server', 'a1b2c3')
  copyTree(REPO, workdir)
  const appDir = join(workdir, app.spec.source.path)
  const sidecar = { PATH: pathWith(binDir(t)), HOME: join(workdir, '..', 'home'), TMPDIR: join(workdir, '..') }
  const env = commandEnv(sidecar, app)
  return {
    workdir,
    appDir,
    env,
    discover: (dir = appDir) => runCommand(PLUGIN.spec.discover!.find as Command, dir, env),
    generate: (dir = appDir) => runCommand(PLUGIN.spec.generate, dir, env),
  }
}

function withParameters(parameters: AppParameter[]): Application {
  return { ...APPLICATION, spec: { ...APPLICATION.spec, source: { ...APPLICATION.spec.source, plugin: { ...APPLICATION.spec.source.plugin, parameters } } } }
}

test('argoEscape and argoParameterEnv follow Argo CD', () => {
  assert.equal(argoEscape('ignition-version'), 'IGNITION_VERSION')
  assert.equal(argoEscape('a.b/c'), 'A_B_C')
  assert.deepEqual(argoParameterEnv([{ name: 'pools', array: ['a', 'b'] }, { name: 'strict', string: 'true' }, { name: 'm', map: { 'k-1': 'v' } }]), {
    ARGOCD_APP_PARAMETERS: '[{"name":"pools","array":["a","b"]},{"name":"strict","string":"true"},{"name":"m","map":{"k-1":"v"}}]',
    PARAM_POOLS_0: 'a',
    PARAM_POOLS_1: 'b',
    PARAM_STRICT: 'true',
    PARAM_M_K_1: 'v',
  })
})

test('plugin.yaml is a valid v2 plugin whose commands need no shell', () => {
  assert.equal(PLUGIN.apiVersion, 'argoproj.io/v1alpha1')
  assert.equal(PLUGIN.kind, 'ConfigManagementPlugin')
  assert.equal(PLUGIN.metadata.name, 'imagepolicy-mc')
  // The Application names the plugin; with spec.version it would have to be "<name>-<version>".
  assert.equal(APPLICATION.spec.source.plugin.name, PLUGIN.spec.version === undefined ? PLUGIN.metadata.name : `${PLUGIN.metadata.name}-${PLUGIN.spec.version}`)
  assert.deepEqual(PLUGIN.spec.generate.command, ['imagepolicy-mc', 'build', '.'])
  assert.deepEqual(PLUGIN.spec.discover?.find?.command, ['imagepolicy-mc', 'discover', '.'])
  for (const c of [PLUGIN.spec.generate, PLUGIN.spec.discover!.find as Command]) {
    assert.ok(!['sh', 'bash', '/bin/sh', '/bin/bash'].includes(c.command[0]!), 'no shell, so no pipe can hide a failure')
  }
  assert.notEqual(PLUGIN.spec.preserveFileMode, true, 'works with 0644 files')
})

test('plugin.yaml announces exactly the options build reads, with imagepolicy-mc defaults', () => {
  const params = PLUGIN.spec.parameters?.static ?? []
  assert.deepEqual(params.map((p) => p.name), BUILD_ENV_OPTIONS.map((o) => o.parameter))
  for (const o of BUILD_ENV_OPTIONS) {
    const p = params.find((x) => x.name === o.parameter)!
    assert.equal(argoEscape(p.name), o.env, `${p.name} arrives as PARAM_${o.env}`)
    const fallback = DEFAULT_OPTIONS[o.option]
    if (o.type === 'array') {
      assert.equal(p.collectionType, 'array')
      assert.deepEqual(p.array, fallback)
    } else {
      assert.equal(p.string, String(fallback), p.name)
    }
  }
})

test('discover matches the application and nothing else', (t) => {
  const s = setUp(t)
  if (s === undefined) return
  assert.equal(statSync(join(s.appDir, 'policies.yaml')).mode & 0o777, 0o644)
  const found = s.discover()
  assert.equal(found.code, 0, found.stderr)
  assert.equal(found.stdout, 'policies.yaml\n')

  const other = join(s.workdir, 'other-app')
  mkdirSync(other)
  writeFileSync(join(other, 'kustomization.yaml'), 'resources:\n- configmap.yaml\n')
  writeFileSync(join(other, 'configmap.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n')
  const none = s.discover(other)
  assert.equal(none.code, 0, none.stderr)
  assert.equal(none.stdout, '', 'empty stdout: no match')
})

test('generate prints the manifests: the resources and one MachineConfig per pool parameter', (t) => {
  const s = setUp(t)
  if (s === undefined) return
  assert.equal(s.env['PARAM_POOLS_0'], 'master')
  assert.equal(s.env['ARGOCD_ENV_NAME'], '99-{pool}-image-signatures')
  const generated = s.generate()
  assert.equal(generated.code, 0, generated.stderr)
  const objects = parseStream(generated.stdout)
  assert.deepEqual(kindsAndNames(objects), ARGOCD_EXAMPLE_OBJECTS)
  // The same MachineConfigs as the CLI renders from the same files and options.
  const direct = runProgram(process.execPath, [BUNDLE, '--pools', 'master,worker', '--name', '99-{pool}-image-signatures', '--strict', '--target-release', '4.19', 'image-cluster.yaml', 'policies.yaml'], { cwd: s.appDir })
  assert.equal(direct.code, 0, direct.stderr)
  assert.deepEqual(machineConfigs(objects), machineConfigs(parseStream(direct.stdout)))
})

test('generate fails with nothing on stdout when a policy is broken', (t) => {
  const s = setUp(t)
  if (s === undefined) return
  const file = join(s.appDir, 'policies.yaml')
  writeFileSync(file, readFileSync(file, 'utf8').replace('policyType: PublicKey\n      publicKey:', 'policyType: PublicKey\n      publicKeys:'))
  const generated = s.generate()
  assert.notEqual(generated.code, 0)
  assert.equal(generated.stdout, '')
  assert.match(generated.stderr, /^error ClusterImagePolicy release-payload /m)
})

test('generate fails with nothing on stdout when kustomize fails', (t) => {
  const s = setUp(t)
  if (s === undefined) return
  writeFileSync(join(s.appDir, 'kustomization.yaml'), 'resources:\n- policies.yaml\n- missing.yaml\n')
  const generated = s.generate()
  assert.notEqual(generated.code, 0)
  assert.equal(generated.stdout, '')
  assert.match(generated.stderr, /missing\.yaml/)
  assert.match(generated.stderr, /imagepolicy-mc build: .* failed \(exit status \d+\)/)
})

test('generate fails on a bad parameter and names it', (t) => {
  const s = setUp(t, withParameters([{ name: 'ignition-version', string: '9.9.9' }]))
  if (s === undefined) return
  const generated = s.generate()
  assert.equal(generated.code, 1)
  assert.equal(generated.stdout, '')
  assert.match(generated.stderr, /PARAM_IGNITION_VERSION: ignitionVersion: must be one of 3\.1\.0, 3\.2\.0, 3\.3\.0, 3\.4\.0, 3\.5\.0/)
})

test('a warning fails generate when the strict parameter is set', (t) => {
  const s = setUp(t, withParameters([{ name: 'strict', string: 'true' }]))
  if (s === undefined) return
  // An ImagePolicy scope nested in a cluster scope: MCO's conflict warning.
  const file = join(s.appDir, 'policies.yaml')
  writeFileSync(file, readFileSync(file, 'utf8').replace('  - registry.example.com/payments\n', '  - registry.example.com/payments\n  - quay.io/openshift-release-dev/ocp-release/payments\n'))
  const strict = s.generate()
  assert.equal(strict.code, 1)
  assert.equal(strict.stdout, '')
  assert.match(strict.stderr, /^warning ImagePolicy payments\/payments-images spec\.scopes\[1\]: /m)
})
