// We read a stream as kustomize reads it, or refuse it (issue 13, "Silent
// weakening"): the real `kubectl kustomize` (kustomize v5, kyaml, go-yaml v3)
// builds the same bytes as a resource file of a kustomization, and whatever
// ImagePolicy or ClusterImagePolicy it sees, we render, or we exit 1. Per
// character that go-yaml reads otherwise than YAML 1.2 readers (U+2028, U+2029,
// U+0085, a byte order mark starting a later document), and as a property over a
// fixed number of seeded generated inputs. Needs kubectl (fails in CI without
// it, says so and skips elsewhere).

import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { parseAllDocuments } from 'yaml'
import { run } from '../../src/run.ts'
import { prng } from '../prng.ts'
import { runCli } from '../run-cli.ts'
import { LINE_MUTATIONS, pick, type Rand } from '../yaml-samples.ts'
import { requireTool, runProgram, tempDir } from './helpers.ts'

const KEY = Buffer.from(readFileSync('test/fixtures/validation/keys/ec-p256.pub.pem', 'utf8'), 'utf8').toString('base64')
const NOW = new Date('2026-06-01T00:00:00Z')

/** What kustomize builds from these bytes, as one resource file: its policies (`kind namespace/name`), or undefined when it fails. */
function kustomizePolicies(kubectl: string, dir: string, bytes: string): string[] | undefined {
  writeFileSync(join(dir, 'kustomization.yaml'), 'resources:\n- resources.yaml\n')
  writeFileSync(join(dir, 'resources.yaml'), bytes)
  const built = runProgram(kubectl, ['kustomize', dir], { env: { PATH: process.env['PATH'] ?? '', HOME: dir } })
  if (built.code !== 0) return undefined
  return parseAllDocuments(built.stdout).flatMap((d) => {
    const v = d.toJS() as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } } | null
    if (v === null || typeof v.kind !== 'string' || !/^(cluster)?imagepolicy$/i.test(v.kind)) return []
    if (typeof v.apiVersion !== 'string' || !/^config\.openshift\.io\//i.test(v.apiVersion)) return []
    return [label(v.kind, v.metadata?.namespace, v.metadata?.name)]
  })
}

function label(kind: unknown, namespace: unknown, name: unknown): string {
  return `${String(kind)} ${typeof namespace === 'string' && namespace !== '' ? `${namespace}/` : ''}${String(name)}`
}

/** What we make of the same bytes: exit code, stdout, stderr, and the policies we rendered. */
async function ours(bytes: string): Promise<{ code: number; stdout: string; stderr: string; policies: string[] }> {
  const cli = await runCli(['--allow-empty', '--target-release', '4.19'], bytes)
  const result = run({ inputs: [{ text: bytes }], flags: { allowEmpty: true, targetRelease: '4.19' }, now: NOW })
  assert.equal(result.exitCode, cli.code === 0 ? 0 : 1, 'run() and the CLI agree')
  return { ...cli, policies: result.exitCode === 0 ? result.policies.map((p) => label(p.kind, p.namespace, p.name)) : [] }
}

function setUp(t: TestContext): { kubectl: string; dir: string } | undefined {
  const kubectl = requireTool(t, 'kubectl')
  if (kubectl === undefined) return undefined
  return { kubectl, dir: tempDir(t, 'imagepolicy-mc-kustomize-reading-') }
}

function cip(name: string, apiVersion = 'config.openshift.io/v1', kind = 'ClusterImagePolicy'): string {
  return `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec:\n  scopes:\n  - ${name}.example.com\n  policy:\n    rootOfTrust:\n      policyType: PublicKey\n      publicKey:\n        keyData: ${KEY}\n`
}

const VISIBLE = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: visible\n'
/** A ClusterImagePolicy whose apiVersion and kind follow a comment, on the comment's line, after `c`. */
const behindComment = (c: string): string => `${VISIBLE}---\n# note${c}apiVersion: config.openshift.io/v1${c}kind: ClusterImagePolicy\n${cip('hidden').split('\n').slice(2).join('\n')}`
/** A ClusterImagePolicy (kind first) whose document starts with a byte order mark. */
const afterBom = `${VISIBLE}---\n\uFEFFkind: ClusterImagePolicy\napiVersion: config.openshift.io/v1\n${cip('hidden').split('\n').slice(2).join('\n')}`

const CHARACTERS: readonly { name: string; bytes: string; want: RegExp }[] = [
  { name: 'U+2028 LINE SEPARATOR', bytes: behindComment('\u2028'), want: /^error U\+2028 \(LINE SEPARATOR\) at line 6, column 7: .*line break/m },
  { name: 'U+2029 PARAGRAPH SEPARATOR', bytes: behindComment('\u2029'), want: /^error U\+2029 \(PARAGRAPH SEPARATOR\) at line 6, column 7: .*line break/m },
  { name: 'U+0085 NEXT LINE', bytes: behindComment('\u0085'), want: /^error U\+0085 \(NEXT LINE\) at line 6, column 7: .*line break/m },
  { name: 'a byte order mark starting a later document', bytes: afterBom, want: /^error U\+FEFF \(BYTE ORDER MARK\) at line 6, column 1: /m },
]

for (const c of CHARACTERS) {
  test(`${c.name}: kustomize sees a ClusterImagePolicy there; we refuse the stream, naming the character`, async (t) => {
    const s = setUp(t)
    if (s === undefined) return
    // The hazard is real: kustomize reads the policy that the character hides from a YAML 1.2 reader.
    assert.deepEqual(kustomizePolicies(s.kubectl, s.dir, c.bytes), ['ClusterImagePolicy hidden'])
    const out = await ours(c.bytes)
    assert.equal(out.code, 1, out.stderr)
    assert.equal(out.stdout, '')
    assert.match(out.stderr, c.want)
    assert.equal(out.stderr.split('\n').filter((l) => l.startsWith('error ')).length, 1, out.stderr)
  })
}

test('a byte order mark that starts the input is read as kustomize reads it', async (t) => {
  const s = setUp(t)
  if (s === undefined) return
  const bytes = `\uFEFF${cip('first')}`
  assert.deepEqual(kustomizePolicies(s.kubectl, s.dir, bytes), ['ClusterImagePolicy first'])
  const out = await ours(bytes)
  assert.equal(out.code, 0, out.stderr)
  assert.deepEqual(out.policies, ['ClusterImagePolicy first'])
})

// ---------------------------------------------------------------------------
// The property, over seeded generated inputs.

const SEED = Number(process.env['KUSTOMIZE_PROPERTY_SEED'] ?? 20261205)
/** Fixed: what is covered is the same on every machine (and kubectl takes about 0.1 s a run). */
const INPUTS = Number(process.env['KUSTOMIZE_PROPERTY_INPUTS'] ?? 48)

function ip(name: string): string {
  return cip(name).replace('kind: ClusterImagePolicy', 'kind: ImagePolicy').replace('metadata:\n', 'metadata:\n  namespace: team-a\n')
}

const OTHERS = [
  'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n',
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: team-a\ndata:\n  mode: "0644"\n  script: |\n    echo "kind: ClusterImagePolicy"\n',
  'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: team-a\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n      - name: web\n        image: registry.example.com/web:1\n        args: ["--port", "8080"]\n',
  'apiVersion: policy.sigstore.dev/v1beta1\nkind: ClusterImagePolicy\nmetadata:\n  name: sigstore\nspec:\n  images:\n  - glob: "**"\n',
]

const API_VERSIONS = ['config.openshift.io/v1', 'config.openshift.io/v1alpha1', 'config.openshift.io/v2', 'config.openshift.io/v1beta1', 'Config.openshift.io/v1', '"config.openshift.io/v1"', "'config.openshift.io/v1alpha1'", 'v1']
const KINDS = ['ClusterImagePolicy', 'clusterimagepolicy', 'ClusterImagepolicy', '"ClusterImagePolicy"']
const ODD = ['\u2028', '\u2029', '\u0085', '\uFEFF', '\t', '#', ': ', '- ', '[', '{', '"', "'", '&a ', '*a', '!!str ', '|', '\r', '\n', '\n  ', '% ', '---\n', '...\n']

function document(r: Rand, i: number): string {
  const roll = r()
  if (roll < 0.3) return cip(`cip-${i}`, pick(r, API_VERSIONS.slice(0, 2)))
  if (roll < 0.45) return ip(`ip-${i}`)
  if (roll < 0.55) return cip(`odd-${i}`, pick(r, API_VERSIONS), pick(r, KINDS))
  if (roll < 0.65) {
    const inner = cip(`listed-${i}`).trimEnd().split('\n').map((l, j) => (j === 0 ? `- ${l}` : `  ${l}`)).join('\n')
    return `apiVersion: v1\nkind: List\nitems:\n${inner}\n`
  }
  if (roll < 0.7) return `apiVersion: machineconfiguration.openshift.io/v1\nkind: MachineConfig\nmetadata:\n  name: ${pick(r, ['99-worker-sigstore-imagepolicies', '99-master-sigstore-imagepolicies', '99-worker-handwritten'])}\n  annotations:\n    imagepolicy-mc.openshift.io/generated: "true"\nspec: {}\n`
  return pick(r, OTHERS)
}

function mutate(text: string, r: Rand): string {
  const roll = r()
  if (roll < 0.35) {
    const at = Math.floor(r() * (text.length + 1))
    return text.slice(0, at) + pick(r, ODD) + text.slice(at)
  }
  if (roll < 0.5) {
    // An odd character where it hides or makes a line: after a comment, at the start of a line.
    const lines = text.split('\n')
    const at = Math.floor(r() * lines.length)
    lines[at] = pick(r, [`# x${pick(r, ODD.slice(0, 4))}${lines[at]}`, `${pick(r, ODD.slice(0, 4))}${lines[at]}`])
    return lines.join('\n')
  }
  if (roll < 0.6) return text.replace(/\n/g, '\r\n')
  return pick(r, LINE_MUTATIONS).apply(text, r) ?? text
}

function generated(r: Rand): string {
  const n = 1 + Math.floor(r() * 4)
  const docs = Array.from({ length: n }, (_, i) => document(r, i))
  let text = docs.join(pick(r, ['---\n', '--- # next\n', '\n---\n']))
  const rounds = Math.floor(r() * 3)
  for (let k = 0; k < rounds; k++) text = mutate(text, r)
  return text
}

test(`property (seed ${SEED}, ${INPUTS} inputs): exit 0 implies stdout parses and every policy kustomize sees is rendered; no stack trace`, async (t) => {
  const s = setUp(t)
  if (s === undefined) return
  const r = prng(SEED)
  const outcomes = { rendered: 0, refused: 0, kustomizeFailed: 0 }
  for (let i = 0; i < INPUTS; i++) {
    const bytes = generated(r)
    const where = `input ${i}:\n${JSON.stringify(bytes)}`
    const out = await ours(bytes)
    assert.ok(out.code === 0 || out.code === 1, `${where}\nexit ${out.code}`)
    assert.doesNotMatch(out.stderr, /^\s+at /m, `${where}\na stack trace`)
    if (out.code === 0) {
      const broken = parseAllDocuments(out.stdout).find((d) => d.errors.length > 0)
      assert.equal(broken, undefined, `${where}\nexit 0, but stdout does not parse: ${broken?.errors[0]?.message}`)
    }
    const seen = kustomizePolicies(s.kubectl, s.dir, bytes)
    if (seen === undefined) outcomes.kustomizeFailed++
    if (out.code === 1) {
      outcomes.refused++
      continue
    }
    outcomes.rendered++
    for (const policy of seen ?? []) assert.ok(out.policies.includes(policy), `${where}\nkustomize sees ${policy}; we exit 0 without rendering it (we rendered ${JSON.stringify(out.policies)})`)
  }
  t.diagnostic(JSON.stringify(outcomes))
  // The sample exercises both outcomes, and kustomize accepting what we render.
  assert.ok(outcomes.rendered >= 5 && outcomes.refused >= 5, JSON.stringify(outcomes))
})
