// The release's own ClusterImagePolicy `openshift` (src/review/release-policy.ts):
// for a target release that ships it, writing policy.json without it is an error
// that says how to add it or opt out; the opt-out is explicit; the policy in the
// input is rendered as any other and not warned about as a reserved name; and
// the options reach the check through every path (flags, --config, the
// functionConfig as ImagePolicyRenderer and as ConfigMap, the Argo CD env).

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { BUILD_ENV_OPTIONS, envFlags, readEnvOptions } from '../src/commands/build.ts'
import { fastFunctionArgs } from '../src/cli/flags.ts'
import { formatIssue, type Issue } from '../src/issues.ts'
import { decodeFunctionConfig, DEFAULT_OPTIONS } from '../src/options.ts'
import { parseTargetRelease, releasePolicyShipping, RELEASE_POLICY_MESSAGES } from '../src/review/release-policy.ts'
import { run } from '../src/run.ts'
import { cip, imageConfig, RELEASE_KEY, stream } from './fixtures/review/resources.ts'
import { runCli } from './run-cli.ts'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

type Flags = Parameters<typeof run>[0]['flags']

/** A team policy: the stream writes policy.json. */
const TEAM = cip('team', ['registry.example.com/team'])
/** A stand-in for the release's own policy (an example key, not Red Hat's). */
const RELEASE_POLICY = cip('openshift', ['quay.io/openshift-release-dev/ocp-release', 'quay.io/openshift-release-dev/ocp-v4.0-art-dev'], { key: RELEASE_KEY })

function render(text: string, flags: Flags = {}, reviewOnly = false) {
  return run({ inputs: [{ text }], flags, reviewOnly })
}

const releaseIssues = (issues: readonly Issue[]) => issues.filter((i) => i.code === 'release-policy')
const reserved = (issues: readonly Issue[]) => issues.filter((i) => /reserved by OpenShift/.test(i.message))

test('targetRelease: latest, MAJOR.MINOR and ClusterVersion versions; which releases ship the policy', () => {
  assert.equal(parseTargetRelease('latest'), 'latest')
  assert.deepEqual(parseTargetRelease('4.21'), { major: 4, minor: 21 })
  assert.deepEqual(parseTargetRelease('4.21.3'), { major: 4, minor: 21 })
  assert.deepEqual(parseTargetRelease('4.22.0-rc.1'), { major: 4, minor: 22 })
  for (const bad of ['', '4', '4.x', 'v4.21', '4.21.', '4.21 ', 'newest']) assert.ok('error' in (parseTargetRelease(bad) as object), bad)
  assert.match((parseTargetRelease('3.11') as { error: string }).error, /no MachineConfigs/)
  const table = ['4.1', '4.16', '4.19', '4.20', '4.20.5', '4.21', '4.22', '5.0', 'latest'].map((t) => `${t}=${releasePolicyShipping(t)}`)
  assert.deepEqual(table, ['4.1=never', '4.16=never', '4.19=never', '4.20=tech-preview', '4.20.5=tech-preview', '4.21=always', '4.22=always', '5.0=always', 'latest=always'])
})

test('default target (latest): policy.json without ClusterImagePolicy openshift is an error, nothing on stdout', () => {
  const result = render(stream(imageConfig(), TEAM))
  assert.equal(result.exitCode, 1)
  assert.equal(result.output, '')
  const errors = result.issues.filter((i) => i.severity === 'error')
  assert.deepEqual(errors.map((i) => i.code), ['release-policy'])
  assert.equal(errors[0]!.message, RELEASE_POLICY_MESSAGES.missing('latest', 'always'))
  const line = formatIssue(errors[0]!)
  // One line, saying what is lost and both ways out.
  assert.ok(!line.includes('\n'))
  assert.match(line, /^error \/etc\/containers\/policy\.json is written without ClusterImagePolicy "openshift", the release's own policy \(Red Hat's signatures for quay\.io\/openshift-release-dev\/ocp-release and ocp-v4\.0-art-dev\): /)
  assert.match(line, /: OpenShift ships it from 4\.21 \(targetRelease is not set, so the newest release is assumed\), and this MachineConfig replaces MCO's policy\.json, which holds it/)
  assert.match(line, /the nodes would stop verifying the release images/)
  assert.match(line, /oc get clusterimagepolicy openshift -o yaml, then delete status and metadata\.managedFields/)
  assert.match(line, /--target-release 4\.19/)
  assert.match(line, /withoutReleasePolicy: true \(--without-release-policy\)/)
})

test('a named release that ships it: the error names the release; 4.20 names TechPreviewNoUpgrade and the Default way out', () => {
  const on421 = render(stream(imageConfig(), TEAM), { targetRelease: '4.21' })
  assert.equal(on421.exitCode, 1)
  assert.match(releaseIssues(on421.issues)[0]!.message, /: OpenShift 4\.21 ships it, and this MachineConfig replaces/)
  assert.doesNotMatch(releaseIssues(on421.issues)[0]!.message, /--target-release 4\.19/)
  const on420 = render(stream(imageConfig(), TEAM), { targetRelease: '4.20' })
  assert.equal(on420.exitCode, 1)
  const message = releaseIssues(on420.issues)[0]!.message
  assert.match(message, /OpenShift 4\.20 ships it with the TechPreviewNoUpgrade feature set/)
  assert.match(message, /on a cluster with the Default feature set, which has no such policy, set withoutReleasePolicy: true \(--without-release-policy\)$/)
})

test('a release that does not ship it (4.19 and earlier): no error, and the policy name stays reserved', () => {
  for (const targetRelease of ['4.16', '4.19', '4.19.12']) {
    const result = render(stream(imageConfig(), TEAM), { targetRelease })
    assert.equal(result.exitCode, 0, targetRelease)
    assert.deepEqual(releaseIssues(result.issues), [], targetRelease)
  }
  const withIt = render(stream(imageConfig(), RELEASE_POLICY), { targetRelease: '4.19' })
  assert.equal(withIt.exitCode, 0)
  assert.deepEqual(reserved(withIt.issues).map((i) => `${i.severity} ${i.resource?.name}`), ['warning openshift'])
})

test('ClusterImagePolicy openshift in the input: rendered as any other, no reserved-name warning, exit 0', () => {
  for (const targetRelease of ['latest', '4.20', '4.21']) {
    const result = render(stream(imageConfig(), RELEASE_POLICY, TEAM), { targetRelease })
    assert.equal(result.exitCode, 0, `${targetRelease}: ${result.issues.map(formatIssue).join('\n')}`)
    assert.deepEqual(releaseIssues(result.issues), [], targetRelease)
    assert.deepEqual(reserved(result.issues), [], targetRelease)
    const policyJson = JSON.parse(result.files.find((f) => f.path === '/etc/containers/policy.json')!.contents) as { transports: { docker: Record<string, unknown> } }
    assert.deepEqual(Object.keys(policyJson.transports.docker), [
      'quay.io/openshift-release-dev/ocp-release',
      'quay.io/openshift-release-dev/ocp-v4.0-art-dev',
      'registry.example.com/team',
    ])
  }
  // It alone is enough to write policy.json and needs nothing else.
  assert.equal(render(stream(imageConfig(), RELEASE_POLICY)).exitCode, 0)
})

test('other names starting with openshift are still reserved, on every target', () => {
  for (const targetRelease of ['latest', '4.19', '4.21']) {
    const result = render(stream(imageConfig(), RELEASE_POLICY, cip('openshift-extra', ['registry.example.org'])), { targetRelease })
    assert.deepEqual(reserved(result.issues).map((i) => i.resource?.name), targetRelease === '4.19' ? ['openshift', 'openshift-extra'] : ['openshift-extra'], targetRelease)
  }
})

test('a ClusterImagePolicy openshift without the release scope is not the release policy: an error on its scopes (a warning when dropped on purpose)', () => {
  // Behaviour change (issue 13, fail closed): this used to be a warning with exit 0.
  const result = render(stream(imageConfig(), cip('openshift', ['registry.example.com/other'])))
  assert.equal(result.exitCode, 1)
  assert.equal(result.output, '')
  assert.deepEqual(releaseIssues(result.issues).map((i) => `${i.severity} ${i.resource?.name} ${i.path.join('.')}`), ['error openshift spec.scopes'])
  assert.match(releaseIssues(result.issues)[0]!.message, /always holds the scope quay\.io\/openshift-release-dev\/ocp-release; this one does not, so the nodes would stop verifying the release images/)
  const dropped = render(stream(imageConfig(), cip('openshift', ['registry.example.com/other'])), { withoutReleasePolicy: true })
  assert.equal(dropped.exitCode, 0)
  assert.deepEqual(releaseIssues(dropped.issues).map((i) => `${i.severity} ${i.path.join('.')}`), ['warning metadata.name', 'warning spec.scopes'])
})

test('the explicit opt-out: exit 0 with an info line saying what is lost; --strict does not fail on it', () => {
  const result = render(stream(imageConfig(), TEAM), { withoutReleasePolicy: true, strict: true })
  assert.equal(result.exitCode, 0)
  assert.deepEqual(releaseIssues(result.issues).map((i) => i.severity), ['info'])
  assert.match(releaseIssues(result.issues)[0]!.message, /^withoutReleasePolicy: \/etc\/containers\/policy\.json is written without ClusterImagePolicy "openshift", the release's own policy .*, as asked: .*its nodes no longer verify the release images$/)
  // With the policy in the input the opt-out is unused: a warning, so that it does not linger.
  const unused = render(stream(imageConfig(), RELEASE_POLICY, TEAM), { withoutReleasePolicy: true })
  assert.equal(unused.exitCode, 0)
  assert.deepEqual(releaseIssues(unused.issues).map((i) => `${i.severity} ${i.resource?.name} ${i.path.join('.')}`), ['warning openshift metadata.name'])
  assert.equal(render(stream(imageConfig(), RELEASE_POLICY, TEAM), { withoutReleasePolicy: true, strict: true }).exitCode, 1)
})

test('no policy.json written (no policies, no registry settings): nothing to check', () => {
  const result = render(stream(imageConfig()))
  assert.equal(result.exitCode, 0)
  assert.deepEqual(result.files, [])
  assert.deepEqual(releaseIssues(result.issues), [])
})

test('review (render, diff, explain): the missing policy is a warning, since nothing is applied', () => {
  const result = render(stream(imageConfig(), TEAM), {}, true)
  assert.equal(result.exitCode, 0)
  assert.deepEqual(releaseIssues(result.issues).map((i) => i.severity), ['warning'])
  assert.match(releaseIssues(result.issues)[0]!.message, /is rendered without ClusterImagePolicy "openshift", the release's own policy .*these files differ from the nodes'/)
})

test('option path: flags, on the fast path and through yargs', async () => {
  assert.deepEqual(fastFunctionArgs(['--target-release', '4.19', '--without-release-policy'])?.flags, { targetRelease: '4.19', withoutReleasePolicy: true })
  assert.deepEqual(fastFunctionArgs(['--target-release=4.21', '--no-without-release-policy'])?.flags, { targetRelease: '4.21', withoutReleasePolicy: false })
  const input = stream(imageConfig(), TEAM)
  const failed = await runCli([], input)
  assert.equal(failed.code, 1)
  assert.equal(failed.stdout, '')
  assert.match(failed.stderr, /^error \/etc\/containers\/policy\.json is written without ClusterImagePolicy "openshift", the release's own policy/m)
  assert.equal((await runCli(['--target-release', '4.19'], input)).code, 0)
  assert.equal((await runCli(['--without-release-policy'], input)).code, 0)
  // `-s` is not on the fast path: yargs reads the same flags.
  assert.equal(fastFunctionArgs(['--target-release', '4.19', '-s']), undefined)
  const viaYargs = await runCli(['--target-release', '4.19', '--validate', 'strict', '--strict', '--pools=worker', '--name', '99-{pool}-x-imagepolicies', '--emit-policies', '--allow-empty', '--release-image', 'quay.io/openshift-release-dev/ocp-release', '--ignition-version', '3.4.0', '--no-without-release-policy', '--help'], '')
  assert.equal(viaYargs.code, 0)
  assert.match(viaYargs.stdout, /--target-release/)
  assert.match(viaYargs.stdout, /--without-release-policy/)
  const bad = await runCli(['--target-release', '4.2x'], input)
  assert.equal(bad.code, 1)
  assert.match(bad.stderr, /targetRelease: must be latest or an OpenShift release such as "4\.21"/)
})

test('option path: --config FILE (ImagePolicyRenderer spec) and ConfigMap data', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'imagepolicy-mc-release-policy-'))
  try {
    const renderer = join(dir, 'renderer.yaml')
    writeFileSync(renderer, 'apiVersion: imagepolicy-mc/v1alpha1\nkind: ImagePolicyRenderer\nmetadata:\n  name: r\nspec:\n  targetRelease: "4.19"\n')
    const input = stream(imageConfig(), TEAM)
    assert.equal((await runCli(['--config', renderer], input)).code, 0)
    // A flag wins over --config.
    assert.equal((await runCli(['--config', renderer, '--target-release', '4.21'], input)).code, 1)
    const configMap = join(dir, 'configmap.yaml')
    writeFileSync(configMap, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r\ndata:\n  withoutReleasePolicy: "true"\n')
    assert.equal((await runCli(['--config', configMap], input)).code, 0)
    // YAML reads an unquoted 4.20 as 4.2: refused, not guessed.
    const unquoted = join(dir, 'unquoted.yaml')
    writeFileSync(unquoted, 'apiVersion: imagepolicy-mc/v1alpha1\nkind: ImagePolicyRenderer\nmetadata:\n  name: r\nspec:\n  targetRelease: 4.20\n')
    const refused = await runCli(['--config', unquoted], input)
    assert.equal(refused.code, 1)
    assert.match(refused.stderr, /targetRelease: must be a string such as "4\.21" \(quote it: YAML reads 4\.20 as the number 4\.2\)/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('option path: functionConfig inside a ResourceList, as ImagePolicyRenderer and as ConfigMap (kpt fn eval -- key=value)', () => {
  const items = `  - ${imageConfig().split('\n').join('\n    ')}\n  - ${TEAM.split('\n').join('\n    ')}\n`
  const list = (functionConfig: string) => `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n${items}functionConfig:\n${functionConfig}`
  const none = run({ inputs: [{ text: list('  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: c\n  data: {}\n') }] })
  assert.equal(none.exitCode, 1)
  assert.match(none.output, /policy\.json is written without ClusterImagePolicy/, 'the ResourceList carries the error as a result')
  const spec = run({ inputs: [{ text: list('  apiVersion: imagepolicy-mc/v1alpha1\n  kind: ImagePolicyRenderer\n  metadata:\n    name: r\n  spec:\n    targetRelease: "4.19"\n') }] })
  assert.equal(spec.exitCode, 0, spec.issues.map(formatIssue).join('\n'))
  const data = run({ inputs: [{ text: list('  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: c\n  data:\n    targetRelease: "4.21"\n    withoutReleasePolicy: "true"\n') }] })
  assert.equal(data.exitCode, 0, data.issues.map(formatIssue).join('\n'))
  assert.deepEqual(releaseIssues(data.issues).map((i) => i.severity), ['info'])
  assert.deepEqual(decodeFunctionConfig({ apiVersion: 'v1', kind: 'ConfigMap', data: { targetRelease: '4.20', withoutReleasePolicy: 'yes' } }), {
    value: { targetRelease: '4.20', withoutReleasePolicy: true },
    issues: [],
  })
})

test('option path: Argo CD parameters and env entries (PARAM_*, ARGOCD_ENV_*) become flags', () => {
  assert.deepEqual(
    BUILD_ENV_OPTIONS.filter((o) => o.option === 'targetRelease' || o.option === 'withoutReleasePolicy').map((o) => `${o.parameter} ${o.env} ${o.type}`),
    ['target-release TARGET_RELEASE string', 'without-release-policy WITHOUT_RELEASE_POLICY boolean'],
  )
  const fromParams = readEnvOptions({ PARAM_TARGET_RELEASE: '4.19', ARGOCD_ENV_TARGET_RELEASE: '4.21', PARAM_WITHOUT_RELEASE_POLICY: 'true' })
  assert.deepEqual(fromParams, { value: { targetRelease: '4.19', withoutReleasePolicy: true }, errors: [] })
  assert.deepEqual(readEnvOptions({ ARGOCD_ENV_TARGET_RELEASE: '4.21.4' }).value, { targetRelease: '4.21.4' })
  assert.deepEqual(envFlags(fromParams.value, []), ['--target-release=4.19', '--without-release-policy'])
  assert.deepEqual(envFlags({ withoutReleasePolicy: false }, []), ['--no-without-release-policy'])
  assert.deepEqual(envFlags(fromParams.value, ['--target-release', '4.21']), ['--without-release-policy'], 'a flag wins')
  const bad = readEnvOptions({ PARAM_TARGET_RELEASE: 'four', ARGOCD_ENV_WITHOUT_RELEASE_POLICY: 'maybe' })
  assert.deepEqual(bad.errors, [
    'error PARAM_TARGET_RELEASE: targetRelease: must be latest or an OpenShift release such as "4.21" (MAJOR.MINOR, as oc get clusterversion prints it)',
    'error ARGOCD_ENV_WITHOUT_RELEASE_POLICY: withoutReleasePolicy: must be true or false',
  ])
  // The env flags are what the function itself reads.
  assert.deepEqual(fastFunctionArgs(envFlags(fromParams.value, []))?.flags, { targetRelease: '4.19', withoutReleasePolicy: true })
  assert.equal(DEFAULT_OPTIONS.targetRelease, 'latest')
  assert.equal(DEFAULT_OPTIONS.withoutReleasePolicy, false)
})
