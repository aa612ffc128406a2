// Issue 16: the same bad option value gets the same exit code and the same
// words on every path it can come from: a flag (the fast parser, yargs, the
// subcommands render, explain and diff, build's own arguments), a --config file
// (ImagePolicyRenderer spec, ConfigMap data), the functionConfig of a
// ResourceList, and Argo CD's PARAM_* and ARGOCD_ENV_* variables as build reads
// them. One table of (option × bad value), every path each may come from, one
// expected line each: `<source>: <key>: <reason>`, where only the source differs.

import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { asResourceList } from '../src/warm-up.ts'
import { runCli, type CliResult } from './run-cli.ts'

const CIP = `apiVersion: config.openshift.io/v1
kind: ClusterImagePolicy
metadata:
  name: p
spec:
  scopes: [registry.example.com]
  policy:
    rootOfTrust:
      policyType: PublicKey
      publicKey:
        keyData: LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0KTUZrd0V3WUhLb1pJemowQ0FRWUlLb1pJemowREFRY0RRZ0FFZjNqbWZQSm5DNXR5Z0o5S3hhUHM5RXVqbk9kMwpYNEtVOW0xbU90T01JM1N6K0VOYXdWOVBQWTFzb0pnbVozQm55SXE4S1pVb2Z0R1N0b1V2S2lLQ2xBPT0KLS0tLS1FTkQgUFVCTElDIEtFWS0tLS0tCg==
`

const dir = mkdtempSync(join(tmpdir(), 'imagepolicy-mc-option-paths-'))
after(() => rmSync(dir, { recursive: true, force: true }))
let files = 0
function file(text: string | Buffer): string {
  const path = join(dir, `f${files++}.yaml`)
  writeFileSync(path, text)
  return path
}
const input = file(CIP)

interface Case {
  readonly flag: string
  readonly key: string
  /** The Argo CD name, when build reads the option from the environment. */
  readonly env?: string
  /** The bad value as text (a flag, an environment variable, ConfigMap data, a string in a spec). */
  readonly value: string
  readonly reason: string
  /** Argo CD's PARAM_<NAME>= (empty) means "not set" for a string: those cases have no environment path. */
  readonly noEnv?: true
  /** A boolean flag takes its value only inline (`--strict=maybe`). */
  readonly inlineOnly?: true
}

const NO_POOLS = 'at least one pool is required (with none, no MachineConfig would be written, and Argo CD would prune the existing ones)'

const CASES: readonly Case[] = [
  { flag: 'pools', key: 'pools', env: 'POOLS', value: '', reason: NO_POOLS },
  { flag: 'pools', key: 'pools', env: 'POOLS', value: ' , ', reason: NO_POOLS },
  { flag: 'pools', key: 'pools', env: 'POOLS', value: 'Worker', reason: `invalid pool name in ["Worker"] (lower-case letters, digits and '-')` },
  { flag: 'name', key: 'name', env: 'NAME', value: '', reason: 'must be a non-empty string', noEnv: true },
  { flag: 'ignition-version', key: 'ignitionVersion', env: 'IGNITION_VERSION', value: '9.9.9', reason: 'must be one of 3.1.0, 3.2.0, 3.3.0, 3.4.0, 3.5.0' },
  { flag: 'release-image', key: 'releaseImage', env: 'RELEASE_IMAGE', value: '', reason: 'must be a non-empty image reference', noEnv: true },
  { flag: 'validate', key: 'validate', value: 'maybe', reason: 'must be one of strict, warn, ignore' },
  { flag: 'target-release', key: 'targetRelease', env: 'TARGET_RELEASE', value: '4.2x', reason: 'must be latest or an OpenShift release such as "4.21" (MAJOR.MINOR, as oc get clusterversion prints it)' },
  { flag: 'target-release', key: 'targetRelease', env: 'TARGET_RELEASE', value: '3.11', reason: 'OpenShift 3.11 has no MachineConfigs: the first release with them is 4.1' },
  { flag: 'compress', key: 'compress', env: 'COMPRESS', value: 'gzip', reason: 'must be one of auto, always, never' },
  { flag: 'strict', key: 'strict', env: 'STRICT', value: 'maybe', reason: 'must be true or false', inlineOnly: true },
  { flag: 'emit-policies', key: 'emitPolicies', env: 'EMIT_POLICIES', value: 'perhaps', reason: 'must be true or false', inlineOnly: true },
  { flag: 'allow-empty', key: 'allowEmpty', value: 'nope', reason: 'must be true or false', inlineOnly: true },
  { flag: 'without-release-policy', key: 'withoutReleasePolicy', env: 'WITHOUT_RELEASE_POLICY', value: 'sometimes', reason: 'must be true or false', inlineOnly: true },
]

interface Path {
  readonly name: string
  /** The source the line names. */
  readonly source: (c: Case) => string
  readonly applies: (c: Case) => boolean
  readonly run: (c: Case) => Promise<CliResult>
}

/** The other flags a run needs, unless the case sets that flag itself. */
const base = (c: Case) => (c.flag === 'target-release' ? [] : ['--target-release', '4.19'])
const flagArgs = (c: Case) => (c.inlineOnly === true ? [`--${c.flag}=${c.value}`] : [`--${c.flag}`, c.value])
const flagPath = (name: string, args: (c: Case) => string[]): Path => ({ name, source: (c) => `--${c.flag}`, applies: () => true, run: (c) => runCli(args(c), CIP) })
const spec = (c: Case) => `apiVersion: imagepolicy-mc/v1alpha1\nkind: ImagePolicyRenderer\nmetadata:\n  name: r\nspec:\n  ${c.flag === 'target-release' ? '' : 'targetRelease: "4.19"\n  '}${c.key}: ${JSON.stringify(c.value)}\n`
const configMap = (c: Case) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r\ndata:\n  ${c.flag === 'target-release' ? '' : 'targetRelease: "4.19"\n  '}${c.key}: ${JSON.stringify(c.value)}\n`
const indent = (text: string) => text.trimEnd().split('\n').map((l) => `  ${l}`).join('\n')

async function withEnv(env: Record<string, string>, body: () => Promise<CliResult>): Promise<CliResult> {
  const saved = Object.keys(env).map((k) => [k, process.env[k]] as const)
  Object.assign(process.env, env)
  try {
    return await body()
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
}

const PATHS: readonly Path[] = [
  flagPath('flag (fast parser)', (c) => [...base(c), ...flagArgs(c)]),
  // A camel-case flag is not on the fast path: yargs reads the arguments.
  flagPath('flag (yargs)', (c) => [...base(c), ...(c.flag === 'allow-empty' ? ['--emitPolicies'] : ['--allowEmpty']), ...flagArgs(c)]),
  flagPath('render flag', (c) => ['render', ...base(c), ...flagArgs(c)]),
  flagPath('explain flag', (c) => ['explain', ...base(c), ...flagArgs(c), 'registry.example.com/app:1']),
  flagPath('diff flag', (c) => ['diff', ...base(c), ...flagArgs(c), input, input]),
  flagPath('build flag', (c) => ['build', dir, ...base(c), ...flagArgs(c)]),
  flagPath('check flag', (c) => ['check', ...base(c), ...flagArgs(c), input, join(dir, 'rendered')]),
  { name: '--config ImagePolicyRenderer', source: () => 'ImagePolicyRenderer spec', applies: () => true, run: (c) => runCli(['--config', file(spec(c))], CIP) },
  { name: '--config ConfigMap', source: () => 'functionConfig ConfigMap data', applies: () => true, run: (c) => runCli(['--config', file(configMap(c))], CIP) },
  { name: 'render --config', source: () => 'ImagePolicyRenderer spec', applies: () => true, run: (c) => runCli(['render', '--config', file(spec(c))], CIP) },
  { name: 'check --config', source: () => 'ImagePolicyRenderer spec', applies: () => true, run: (c) => runCli(['check', '--config', file(spec(c)), input, join(dir, 'rendered')]) },
  { name: 'ResourceList functionConfig', source: () => 'ImagePolicyRenderer spec', applies: () => true, run: (c) => runCli([], `${asResourceList(CIP)}functionConfig:\n${indent(spec(c))}\n`) },
  { name: 'ResourceList ConfigMap', source: () => 'functionConfig ConfigMap data', applies: () => true, run: (c) => runCli([], `${asResourceList(CIP)}functionConfig:\n${indent(configMap(c))}\n`) },
  {
    name: 'Argo CD parameter',
    source: (c) => `PARAM_${c.env}`,
    applies: (c) => c.env !== undefined && c.noEnv !== true,
    run: (c) => withEnv({ [`PARAM_${c.env}`]: c.value, ...(c.flag === 'target-release' ? {} : { PARAM_TARGET_RELEASE: '4.19' }) }, () => runCli(['build', dir])),
  },
  {
    name: 'Argo CD env entry',
    source: (c) => `ARGOCD_ENV_${c.env}`,
    applies: (c) => c.env !== undefined && c.noEnv !== true,
    run: (c) => withEnv({ [`ARGOCD_ENV_${c.env}`]: c.value }, () => runCli(['build', dir, ...base(c)])),
  },
]

for (const c of CASES) {
  test(`${c.key} = ${JSON.stringify(c.value)}: exit 1 and "<source>: ${c.key}: ${c.reason}" on every path`, async () => {
    const seen: string[] = []
    for (const path of PATHS.filter((p) => p.applies(c))) {
      const out = await path.run(c)
      const want = `error ${path.source(c)}: ${c.key}: ${c.reason}`
      const about = out.stderr.split('\n').filter((l) => l.includes(`: ${c.key}: `))
      assert.deepEqual({ code: out.code, lines: about }, { code: 1, lines: [want] }, `${path.name}: stderr:\n${out.stderr}`)
      assert.ok(!/kind: MachineConfig\n/.test(out.stdout), `${path.name}: no MachineConfig`)
      if (!path.name.startsWith('ResourceList')) assert.equal(out.stdout, '', `${path.name}: nothing on stdout`)
      seen.push(path.name)
    }
    assert.ok(seen.length >= (c.env !== undefined && c.noEnv !== true ? 13 : 11), seen.join(', '))
  })
}

// The flag-only options: a usage error (exit 2) on every flag path, and no
// functionConfig key at all (a repository must not raise its own limits).
test('--max-input-bytes and --max-output-bytes: a bad value is a usage error with the same words on every flag path; no functionConfig sets them', async () => {
  for (const flag of ['max-input-bytes', 'max-output-bytes']) {
    const reason = `--${flag}: expected a number of bytes such as 67108864, 64MiB or 1GiB, got "lots"`
    const runs: [string, string[], string][] = [
      ['fast parser', [`--${flag}`, 'lots', '--target-release', '4.19'], 'imagepolicy-mc'],
      ['yargs', [`--${flag}`, 'lots', '--allowEmpty'], 'imagepolicy-mc'],
      ['render', ['render', `--${flag}=lots`], 'imagepolicy-mc render'],
      ['explain', ['explain', `--${flag}=lots`, 'registry.example.com/app:1'], 'imagepolicy-mc explain'],
      ['diff', ['diff', `--${flag}=lots`, input, input], 'imagepolicy-mc diff'],
      ['build', ['build', dir, `--${flag}=lots`], 'imagepolicy-mc build'],
      ['check', ['check', `--${flag}=lots`, input, join(dir, 'rendered')], 'imagepolicy-mc check'],
    ]
    for (const [name, args, prefix] of runs) {
      const out = await runCli(args, CIP)
      assert.equal(out.code, 2, `${flag} ${name}: ${out.stderr}`)
      assert.equal(out.stdout, '')
      assert.equal(out.stderr.split('\n')[0], `${prefix}: ${reason}`, `${flag} ${name}`)
    }
  }
  for (const key of ['maxInputBytes', 'maxOutputBytes', 'max-input-bytes']) {
    const out = await runCli(['--config', file(`apiVersion: imagepolicy-mc/v1alpha1\nkind: ImagePolicyRenderer\nspec:\n  ${key}: 1GiB\n`)], CIP)
    assert.equal(out.code, 1)
    assert.match(out.stderr, new RegExp(`^error ImagePolicyRenderer spec: ${key}: unknown option \\(known: pools, name, `, 'm'))
  }
})

test('a --config file that is not UTF-8, or not YAML: exit 1 and the same line on every path', async () => {
  const notUtf8 = file(Buffer.from('apiVersion: imagepolicy-mc/v1alpha1\nkind: ImagePolicyRenderer\nspec:\n  name: "\xff"\n', 'latin1'))
  const notYaml = file('apiVersion: imagepolicy-mc/v1alpha1\nkind: ImagePolicyRenderer\nspec: [\n')
  const paths: [string, (config: string) => string[], string][] = [
    ['fast parser', (config) => ['--target-release', '4.19', '--config', config], 'imagepolicy-mc: '],
    ['yargs', (config) => ['--allowEmpty', '--config', config], 'imagepolicy-mc: '],
    ['render', (config) => ['render', '--config', config], 'imagepolicy-mc render: '],
    ['explain', (config) => ['explain', '--config', config, 'registry.example.com/app:1'], 'imagepolicy-mc explain: '],
    ['diff', (config) => ['diff', '--config', config, input, input], 'imagepolicy-mc diff: '],
    ['check', (config) => ['check', '--config', config, input, join(dir, 'rendered')], 'imagepolicy-mc check: '],
  ]
  const yamlLines = new Set<string>()
  for (const [name, args, prefix] of paths) {
    const bad = await runCli(args(notUtf8), CIP)
    assert.deepEqual({ code: bad.code, stdout: bad.stdout, stderr: bad.stderr }, { code: 1, stdout: '', stderr: `${prefix}${notUtf8}: input is not valid UTF-8\n` }, name)
    const broken = await runCli(args(notYaml), CIP)
    assert.equal(broken.code, 1, `${name}: ${broken.stderr}`)
    assert.equal(broken.stdout, '', name)
    assert.match(broken.stderr, /^error /, name)
    yamlLines.add(broken.stderr)
  }
  assert.equal(yamlLines.size, 1, [...yamlLines].join('\n'))
})
