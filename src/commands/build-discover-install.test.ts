// Unit tests for `build`, `discover` and `install-kustomize-plugin`: their pure parts, and usage errors through main().

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { runCli } from '../../test/run-cli.ts'
import { BUILD_ENV_OPTIONS, envFlags, kustomizeCommand, readEnvOptions, splitBuildArgs } from './build.ts'
import { findPolicyFile, type DiscoverFs } from './discover.ts'
import { kustomizePluginHome, kustomizePluginScript, PLUGIN_RELATIVE_PATH, pluginCommand, shellQuote } from './install-kustomize-plugin.ts'
import { findExecutable } from './util-path.ts'

function withTempDir(body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'imagepolicy-mc-unit-'))
  try {
    body(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

test('kustomizePluginHome follows konfig.DefaultAbsPluginHome', () => {
  const cases: { name: string; env: Record<string, string>; existing: string[]; want: string }[] = [
    { name: 'KUSTOMIZE_PLUGIN_HOME that exists', env: { KUSTOMIZE_PLUGIN_HOME: '/k', XDG_CONFIG_HOME: '/x', HOME: '/h' }, existing: ['/k', '/x/kustomize/plugin'], want: '/k' },
    { name: 'nothing exists: the first one set is created', env: { KUSTOMIZE_PLUGIN_HOME: '/k', HOME: '/h' }, existing: [], want: '/k' },
    { name: 'XDG_CONFIG_HOME', env: { XDG_CONFIG_HOME: '/x', HOME: '/h' }, existing: [], want: '/x/kustomize/plugin' },
    { name: 'default of XDG_CONFIG_HOME', env: { HOME: '/h' }, existing: [], want: '/h/.config/kustomize/plugin' },
    { name: 'an existing later candidate wins over a missing earlier one', env: { KUSTOMIZE_PLUGIN_HOME: '/k', HOME: '/h' }, existing: ['/h/kustomize/plugin'], want: '/h/kustomize/plugin' },
    { name: 'empty variables count as unset', env: { KUSTOMIZE_PLUGIN_HOME: '', XDG_CONFIG_HOME: '', HOME: '/h' }, existing: [], want: '/h/.config/kustomize/plugin' },
  ]
  for (const c of cases) assert.equal(kustomizePluginHome(c.env, (d) => c.existing.includes(d)).dir, c.want, c.name)
  assert.equal(PLUGIN_RELATIVE_PATH, 'imagepolicy-mc/v1alpha1/imagepolicyrenderer/ImagePolicyRenderer')
})

test('the plugin script passes the config file and any further arguments, quoting paths for sh', () => {
  assert.equal(shellQuote("it's"), `'it'\\''s'`)
  withTempDir((dir) => {
    const script = join(dir, 'ImagePolicyRenderer')
    // /bin/echo stands in for node, so the script prints the command line it builds.
    writeFileSync(script, kustomizePluginScript(['/bin/echo', "/opt/a b/it's.js"]), { mode: 0o755 })
    const out = spawnSync(script, ['/tmp/kust-plugin-config-1', '--pools', 'worker'], { encoding: 'utf8' })
    assert.equal(out.stdout, "/opt/a b/it's.js --config /tmp/kust-plugin-config-1 --pools worker\n")
  })
})

test('the plugin runs the launcher when the build made the snapshot script beside the bundle, else node and the bundle', () => {
  const both = (paths: string[]) => (p: string) => paths.includes(p)
  assert.deepEqual(pluginCommand('/usr/bin/node', '/opt/x/dist/imagepolicy-mc.js', both(['/opt/x/dist/imagepolicy-mc', '/opt/x/dist/imagepolicy-mc.cjs'])), ['/opt/x/dist/imagepolicy-mc'])
  assert.deepEqual(pluginCommand('/usr/bin/node', '/opt/x/dist/imagepolicy-mc.js', both(['/opt/x/dist/imagepolicy-mc'])), ['/usr/bin/node', '/opt/x/dist/imagepolicy-mc.js'])
  assert.deepEqual(pluginCommand('/usr/bin/node', '/opt/x/dist/imagepolicy-mc.js', both([])), ['/usr/bin/node', '/opt/x/dist/imagepolicy-mc.js'])
})

test('readEnvOptions: parameters win over ARGOCD_ENV_, arrays come as _<i>, errors name the variable', () => {
  assert.deepEqual(readEnvOptions({}), { value: {}, errors: [] })
  assert.deepEqual(
    readEnvOptions({ PARAM_POOLS_0: 'a', PARAM_POOLS_1: 'b', ARGOCD_ENV_POOLS: 'x', ARGOCD_ENV_NAME: '50-{pool}', PARAM_STRICT: 'true', ARGOCD_ENV_EMIT_POLICIES: 'false' }),
    { value: { pools: ['a', 'b'], name: '50-{pool}', strict: true, emitPolicies: false }, errors: [] },
  )
  assert.deepEqual(readEnvOptions({ ARGOCD_ENV_POOLS: 'master, infra', PARAM_NAME: '  ' }).value, { pools: ['master', 'infra'] })
  const bad = readEnvOptions({ PARAM_STRICT: 'maybe', ARGOCD_ENV_IGNITION_VERSION: '2.2.0', PARAM_POOLS_0: 'Bad_Pool' })
  assert.deepEqual(bad.value, {})
  assert.equal(bad.errors.length, 3)
  assert.match(bad.errors.join('\n'), /PARAM_STRICT: strict: must be true or false/)
  assert.match(bad.errors.join('\n'), /ARGOCD_ENV_IGNITION_VERSION: ignitionVersion: must be one of/)
  assert.match(bad.errors.join('\n'), /PARAM_POOLS_0: pools: invalid pool name/)
  assert.deepEqual(BUILD_ENV_OPTIONS.map((o) => o.env), ['POOLS', 'NAME', 'IGNITION_VERSION', 'RELEASE_IMAGE', 'EMIT_POLICIES', 'STRICT', 'TARGET_RELEASE', 'WITHOUT_RELEASE_POLICY', 'COMPRESS'])
  assert.deepEqual(readEnvOptions({ PARAM_COMPRESS: 'always', ARGOCD_ENV_COMPRESS: 'never' }).value, { compress: 'always' })
  assert.match(readEnvOptions({ ARGOCD_ENV_COMPRESS: 'gzip' }).errors.join('\n'), /ARGOCD_ENV_COMPRESS: compress: must be one of auto, always, never/)
})

test('envFlags: flags for env options, unless the command line sets them', () => {
  const options = { pools: ['a', 'b'], ignitionVersion: '3.2.0', strict: false, emitPolicies: true }
  assert.deepEqual(envFlags(options, []), ['--pools=a,b', '--ignition-version=3.2.0', '--emit-policies', '--no-strict'])
  assert.deepEqual(envFlags(options, ['--pools', 'c', '--ignitionVersion=3.4.0', '--strict']), ['--emit-policies'])
})

test('splitBuildArgs: one directory, options with their values', () => {
  assert.deepEqual(splitBuildArgs([]), { dir: '.', rest: [] })
  assert.deepEqual(splitBuildArgs(['--pools', 'worker', 'overlays/prod', '--strict']), { dir: 'overlays/prod', rest: ['--pools', 'worker', '--strict'] })
  assert.deepEqual(splitBuildArgs(['d', '--name=x']), { dir: 'd', rest: ['--name=x'] })
  assert.deepEqual(splitBuildArgs(['a', 'b']), { error: 'unexpected argument "b": build takes one directory' })
})

test('kustomizeCommand prefers the standalone kustomize, else kubectl', () => {
  withTempDir((dir) => {
    const a = join(dir, 'a')
    const b = join(dir, 'b')
    mkdirSync(a)
    mkdirSync(b)
    const exe = (path: string) => {
      writeFileSync(path, '#!/bin/sh\n')
      chmodSync(path, 0o755)
    }
    exe(join(a, 'kubectl'))
    assert.deepEqual(kustomizeCommand('.', a), { file: join(a, 'kubectl'), args: ['kustomize', '.'] })
    exe(join(b, 'kustomize'))
    assert.deepEqual(kustomizeCommand('d', `${a}:${b}`), { file: join(b, 'kustomize'), args: ['build', 'd'] })
    writeFileSync(join(a, 'kustomize'), 'not executable')
    assert.equal(findExecutable('kustomize', a), undefined)
    assert.equal(kustomizeCommand('.', join(dir, 'none')), undefined)
    assert.equal(findExecutable('kustomize', 'relative/dir'), undefined, 'relative PATH entries are ignored')
  })
})

function memoryFs(files: Record<string, string>): DiscoverFs {
  return {
    readText: (p) => files[p],
    isDirectory: (p) => Object.keys(files).some((f) => f.startsWith(`${p}/`)),
  }
}

test('findPolicyFile follows local resources, bases and components, in order, and skips remote ones', () => {
  const policy = 'apiVersion: config.openshift.io/v1\nkind: ImagePolicy\n'
  const cases: { name: string; files: Record<string, string>; want: string | undefined }[] = [
    { name: 'no kustomization', files: { 'app/p.yaml': policy }, want: undefined },
    { name: 'a listed file', files: { 'app/kustomization.yaml': 'resources: [cm.yaml, p.yaml]', 'app/cm.yaml': 'kind: ConfigMap', 'app/p.yaml': policy }, want: 'app/p.yaml' },
    { name: 'an unlisted file does not count', files: { 'app/kustomization.yaml': 'resources: [cm.yaml]', 'app/cm.yaml': 'kind: ConfigMap', 'app/p.yaml': policy }, want: undefined },
    { name: 'through a base outside the app', files: { 'app/Kustomization': 'resources:\n- ../base\n', 'base/kustomization.yml': 'components: [c]', 'base/c/kustomization.yaml': 'resources: [cip.yaml]', 'base/c/cip.yaml': `# x\napiVersion: "config.openshift.io/v1"\nkind: ClusterImagePolicy # c\n` }, want: 'base/c/cip.yaml' },
    { name: 'remote bases are not fetched', files: { 'app/kustomization.yaml': 'resources:\n- https://github.com/x/y//base?ref=v1\n- github.com/x/y/base\n' }, want: undefined },
    { name: 'another group is not ours', files: { 'app/kustomization.yaml': 'resources: [p.yaml]', 'app/p.yaml': 'apiVersion: example.com/v1\nkind: ImagePolicy\n' }, want: undefined },
    { name: 'cycles end', files: { 'app/kustomization.yaml': 'resources: [../b]', 'b/kustomization.yaml': 'resources: [../app]' }, want: undefined },
    { name: 'invalid YAML is skipped', files: { 'app/kustomization.yaml': 'resources: [' }, want: undefined },
  ]
  for (const c of cases) assert.equal(findPolicyFile('app', memoryFs(c.files)), c.want, c.name)
})

test('subcommand usage errors exit 2', async () => {
  const cases: { args: string[]; stderr: RegExp }[] = [
    { args: ['build', 'a', 'b'], stderr: /unexpected argument "b"/ },
    { args: ['build', 'no/such/dir'], stderr: /no\/such\/dir: not a directory/ },
    { args: ['discover', 'a', 'b'], stderr: /expected at most one directory/ },
    { args: ['install-kustomize-plugin', '--bogus'], stderr: /unexpected argument "--bogus"/ },
    { args: ['install-kustomize-plugin', '--dir='], stderr: /--dir must not be empty/ },
  ]
  for (const c of cases) {
    const r = await runCli(c.args)
    assert.equal(r.code, 2, c.args.join(' '))
    assert.equal(r.stdout, '')
    assert.match(r.stderr, c.stderr)
  }
  for (const command of ['build', 'discover', 'install-kustomize-plugin']) {
    const r = await runCli([command, '--help'])
    assert.equal(r.code, 0)
    assert.match(r.stdout, new RegExp(`^imagepolicy-mc ${command} `))
  }
})

test('discover prints nothing and exits 0 for a directory without a kustomization', async () => {
  const r = await runCli(['discover', 'src'])
  assert.deepEqual(r, { code: 0, stdout: '', stderr: '' })
})
