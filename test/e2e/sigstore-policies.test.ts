// End-to-end proof: the node files imagepolicy-mc renders are enforced by a
// real containers/image consumer. One cluster's worth of ClusterImagePolicy
// and ImagePolicy resources is rendered by the built CLI (a subprocess); the
// files are taken out of the emitted MachineConfig (data URLs decoded) and laid
// out as on a node; then skopeo pulls from a local registry under those files
// and every check asserts accepted, or rejected with the expected reason.
//
// Tools: skopeo with sigstore (Debian 13's 1.18), Debian's docker-registry,
// openssl; `.ci/install-e2e.sh` installs them. In CI a missing tool fails the
// suite; elsewhere the suite is skipped with a message saying how to install.
// Host names (registry.e2e.test, a.wild.e2e.test, …) reach the local registry
// through a forward proxy (harness/proxy.ts explains why not registries.conf).

import assert from 'node:assert/strict'
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { stringify } from 'yaml'
import { buildImage, sha256, tar, writeOciLayout, type Image } from './harness/oci.ts'
import { Openssl, type Cert, type KeyPair } from './harness/pki.ts'
import { killAllNow, run, stopAll } from './harness/proc.ts'
import { startProxy, type Proxy } from './harness/proxy.ts'
import { manifestDigest, pushImage, startRegistry, type Registry } from './harness/registry.ts'
import {
  ANNOTATION_BUNDLE,
  ANNOTATION_CERTIFICATE,
  ANNOTATION_CHAIN,
  ANNOTATION_SIGNATURE,
  canonicalJson,
  cosignPayload,
  pushAttachment,
  rekorBundle,
  signBase64,
  tamperBundle,
} from './harness/sigstore.ts'
import { Skopeo, debugMessages, fatalMessage, policySections, sigstoreAttachmentKeys } from './harness/skopeo.ts'
import { explain, explainShapeErrors } from './harness/explain.ts'
import { impact, impactShapeErrors, type ImpactImage } from './harness/impact.ts'
import { DATA_URL_PREFIX, POLICY_JSON, SIGSTORE_YAML, decodeDataUrl, layOut, render, type NodeRoot } from './harness/node-files.ts'
import { INSTALL_HINT, findTools, inCI, type Tools } from './harness/tools.ts'

const search = findTools()
const skipReason = search.tools === undefined && !inCI() ? `missing ${search.missing.join(', ')}; ${INSTALL_HINT}` : undefined
if (skipReason !== undefined) console.log(`e2e: skipping the skopeo proof: ${skipReason}`)

// ------------------------------------------------------------------ counting --
// The suite's own tally, printed as "N passed, N failed" at the end. A check
// that never ran because its setup failed counts as failed; checks skipped
// for missing tools (outside CI only) count as neither.
let registered = 0
let passed = 0
let failedRun = 0
const started = Date.now()
function check(name: string, fn: () => Promise<void> | void): void {
  registered++
  it(name, async () => {
    try {
      await fn()
    } catch (err) {
      failedRun++
      throw err
    }
    passed++
  })
}
after(() => {
  const notRun = registered - passed - failedRun
  const failed = failedRun + (skipReason === undefined ? notRun : 0)
  console.log(`e2e: ${((Date.now() - started) / 1000).toFixed(1)} s`)
  if (skipReason !== undefined) console.log(`e2e: SKIPPED the skopeo proof: ${skipReason}`)
  console.log(`${passed} passed, ${failed} failed`)
})

// ------------------------------------------------------------- helper tests --
// The hand-written formats the proof rests on, checked without the tools.
describe('harness', () => {
  check('tar: a ustar archive that GNU tar lists and extracts byte for byte', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imagepolicy-mc-e2e-tar-'))
    try {
      writeFileSync(join(dir, 'a.tar'), tar([{ name: 'e2e.txt', contents: 'hello\n' }, { name: 'b', contents: Buffer.alloc(600, 1) }]))
      const listed = await run('tar', ['-tvf', join(dir, 'a.tar')], { env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' } })
      assert.equal(listed.code, 0, listed.stderr)
      assert.match(listed.stdout, /^-rw-r--r-- 0\/0 +6 1970-01-01 00:00 e2e\.txt\n-rw-r--r-- 0\/0 +600 1970-01-01 00:00 b\n$/)
      assert.equal((await run('tar', ['-xf', join(dir, 'a.tar'), '-C', dir])).code, 0)
      assert.equal(readFileSync(join(dir, 'e2e.txt'), 'utf8'), 'hello\n')
      assert.deepEqual(readFileSync(join(dir, 'b')), Buffer.alloc(600, 1))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
  check('images: distinct text gives distinct, stable digests', () => {
    assert.equal(buildImage('x').digest, buildImage('x').digest)
    assert.notEqual(buildImage('x').digest, buildImage('y').digest)
    assert.equal(buildImage('x').digest, sha256(buildImage('x').manifest))
  })
  check('canonical JSON (RFC 8785) sorts keys and keeps ECMAScript number and string forms', () => {
    assert.equal(canonicalJson({ logIndex: 7, body: 'a/b+c=', integratedTime: 1700000000, logID: 'ff' }), '{"body":"a/b+c=","integratedTime":1700000000,"logID":"ff","logIndex":7}')
    assert.equal(canonicalJson({ b: [1, { d: null, c: '\u00e9"' }], a: true }), '{"a":true,"b":[1,{"c":"\u00e9\\"","d":null}]}')
  })
  check('data URLs: MCO form decodes; other forms are refused', () => {
    assert.equal(decodeDataUrl(`${DATA_URL_PREFIX}${Buffer.from('{}\n').toString('base64')}`), '{}\n')
    assert.throws(() => decodeDataUrl('data:,%7B%7D'), /not an MCO data URL/)
    assert.throws(() => decodeDataUrl(`${DATA_URL_PREFIX}e30`), /canonical padded base64/)
    assert.throws(() => decodeDataUrl(`${DATA_URL_PREFIX}//79`), /not UTF-8/)
  })
  check('skopeo --debug: the policy section and registries.d keys are read from the logrus lines', () => {
    const line = (msg: string): string => `time="2026-01-01T00:00:00Z" level=debug msg=${JSON.stringify(msg)}\n`
    const specific = line(' Using transport "docker" specific policy section "*.wild.e2e.test"')
    const full = line(' Using transport "docker" policy section "r.e2e.test/a/b:v1"')
    const empty = line(' Using transport "docker" policy section ""')
    const byDefault = line(' Using default policy section')
    assert.deepEqual(policySections(`${line('GET http://r/v2/')}${specific}${full}${empty}${byDefault}`), ['*.wild.e2e.test', 'r.e2e.test/a/b:v1', '', null])
    assert.throws(() => policySections(line(' Using transport "docker" some new wording "x"')), /unexpected policy-section debug line/)
    const keys = `${line(' Lookaside configuration: using "docker" namespace r.e2e.test/a')}${line(' Sigstore attachments: using "docker" namespace r.e2e.test/a@sha256:00')}${line(' Sigstore attachments: using "default-docker" configuration')}`
    assert.deepEqual(sigstoreAttachmentKeys(keys), ['r.e2e.test/a@sha256:00', 'default-docker'])
    assert.deepEqual(debugMessages(`${line('a "quoted" \\ text')}time="x" level=info msg="not debug"\n`), ['a "quoted" \\ text'])
  })
  check('explain JSON: documents outside the contract are refused', () => {
    const good = { file: '/etc/containers/policy.json', scope: null, reference: 'r/a:v1', verdict: 'accepted', sigstoreAttachments: { enabled: false, key: null }, searched: [], lostScopes: [] }
    assert.deepEqual(explainShapeErrors(good), [])
    assert.deepEqual(explainShapeErrors({ ...good, scope: 3, verdict: 'maybe', lostScopes: [{ scope: 'x' }] }),
      ['.scope is neither a string nor null', '.verdict is not accepted|rejected|signature-required', '.lostScopes is not a list of {policy, scope}'])
    assert.deepEqual(explainShapeErrors([]), ['not a JSON object'])
  })
  check('impact JSON: documents outside the contract are refused', () => {
    const good = { form: 'stream', images: [{ namespace: 'n', reference: 'r/a:v1', requirement: { file: '/etc/containers/policy.json', scope: null, verdict: 'accepted', sigstoreAttachments: false }, risks: [] }] }
    assert.deepEqual(impactShapeErrors(good), [])
    assert.deepEqual(impactShapeErrors({ form: 'diff', images: [] }), ['not a stream-form impact document ({form: "stream", images: [...]})'])
    assert.deepEqual(impactShapeErrors({ form: 'stream', images: [{ namespace: 'n', reference: 'r', requirement: { file: 1 }, risks: [] }] }), ['.images[0].requirement is not {file, scope, verdict, sigstoreAttachments}'])
  })
  check('skopeo messages: the logrus fatal line is unquoted', () => {
    const stderr = 'time="2026-01-01T00:00:00Z" level=fatal msg="Source image rejected: Signature for identity \\"a/b:v1\\" is not accepted"\n'
    assert.equal(fatalMessage(stderr), 'Source image rejected: Signature for identity "a/b:v1" is not accepted')
  })
})

// ---------------------------------------------------------------- the proof --

const R = 'registry.e2e.test'
const WILD = 'a.wild.e2e.test'
const BARE_WILD = 'wild.e2e.test'
/** Host names the proxy resolves to the local registry. */
const HOSTS = [R, WILD, BARE_WILD]
const OIDC_ISSUER = 'https://oidc.e2e.test'
const FULCIO_EMAIL = 'builder@e2e.test'
const PKI_EMAIL = 'signer@e2e.test'
const PKI_HOST = 'signer.e2e.test'

const NOSIG = 'A signature was required, but no signature exists'
const BADSIG = 'cryptographic signature verification failed'
const SET_FAILED = 'cryptographic signature verification of Rekor SET failed'
const NO_BUNDLE = 'missing dev.sigstore.cosign/bundle annotation'

interface Keys {
  readonly skopeoPub: string
  readonly alice: KeyPair
  readonly mallory: KeyPair
  readonly rekor: KeyPair
  readonly root1: Cert
  readonly int1: Cert
  readonly leaf1: Cert
  readonly root2: Cert
  readonly int2: Cert
  readonly leaf2: Cert
  readonly fulcioRoot: Cert
  readonly fulcioInt: Cert
  readonly fulcioLeaf: Cert
  readonly fulcioLeafOtherEmail: Cert
  readonly fulcioLeafOtherIssuer: Cert
}

interface World {
  readonly work: string
  readonly tools: Tools
  registry?: Registry
  proxy?: Proxy
  skopeo?: Skopeo
  node?: NodeRoot
  emptyRegistriesD?: string
  renderStderr?: string
  /** The rendered input (policies.yaml), also given to `explain`. */
  input?: string
  /** ref (host/path:tag) → manifest digest */
  readonly digests: Map<string, string>
}

let world: World | undefined

function w(): World & { registry: Registry; proxy: Proxy; skopeo: Skopeo; node: NodeRoot; emptyRegistriesD: string } {
  if (world?.registry === undefined || world.proxy === undefined || world.skopeo === undefined || world.node === undefined || world.emptyRegistriesD === undefined) {
    throw new Error('setup did not complete (see the first failure)')
  }
  return world as World & { registry: Registry; proxy: Proxy; skopeo: Skopeo; node: NodeRoot; emptyRegistriesD: string }
}

// Stop what we started even if the run is interrupted: kill every child by
// PID, then remove the scratch directory (retrying while killed writers die).
function emergencyCleanup(): void {
  killAllNow()
  if (world === undefined || process.env['E2E_KEEP'] === '1') return
  try {
    rmSync(world.work, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 })
  } catch (err) {
    process.stderr.write(`e2e: could not remove ${world.work}: ${String(err)}\n`)
  }
}
process.once('exit', emergencyCleanup)
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    try {
      emergencyCleanup()
    } finally {
      process.exit(130)
    }
  })
}

/** Makes `dir` (and the tree under it) owned by the unprivileged tool user, when running as root. */
function giveAway(dir: string, tools: Tools): void {
  if (tools.uid === undefined) return
  const walk = (path: string): void => {
    chownSync(path, tools.uid as number, tools.uid as number)
    if (statSync(path).isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry))
  }
  walk(dir)
}

// ------------------------------------------------------- resources (input) --
const b64 = (pem: string): string => Buffer.from(pem, 'utf8').toString('base64')
type RootOfTrust = Record<string, unknown>
const publicKey = (key: string, rekor?: string): RootOfTrust => ({
  policyType: 'PublicKey',
  publicKey: { keyData: b64(key), ...(rekor === undefined ? {} : { rekorKeyData: b64(rekor) }) },
})
const pki = (roots: Cert, subject: { email?: string; hostname?: string }, intermediates?: Cert): RootOfTrust => ({
  policyType: 'PKI',
  pki: {
    caRootsData: b64(roots.pem),
    ...(intermediates === undefined ? {} : { caIntermediatesData: b64(intermediates.pem) }),
    pkiCertificateSubject: subject,
  },
})
const fulcio = (ca: Cert, rekor: string, oidcIssuer: string, signedEmail: string): RootOfTrust => ({
  policyType: 'FulcioCAWithRekor',
  fulcioCAWithRekor: { fulcioCAData: b64(ca.pem), rekorKeyData: b64(rekor), fulcioSubject: { oidcIssuer, signedEmail } },
})
function policy(kind: 'ClusterImagePolicy' | 'ImagePolicy', name: string, scopes: string[], rootOfTrust: RootOfTrust, signedIdentity?: Record<string, unknown>, namespace?: string): Record<string, unknown> {
  return {
    apiVersion: 'config.openshift.io/v1',
    kind,
    metadata: namespace === undefined ? { name } : { name, namespace },
    spec: { scopes, policy: { rootOfTrust, ...(signedIdentity === undefined ? {} : { signedIdentity }) } },
  }
}
const cip = (name: string, scopes: string[], rot: RootOfTrust, id?: Record<string, unknown>) => policy('ClusterImagePolicy', name, scopes, rot, id)
const ip = (namespace: string, name: string, scopes: string[], rot: RootOfTrust) => policy('ImagePolicy', name, scopes, rot, undefined, namespace)

// ------------------------------------------------------------------- setup --
/** host/path[:tag] → path (the repository inside the one local registry). */
function repoPath(ref: string): string {
  const slash = ref.indexOf('/')
  return ref.slice(slash + 1).replace(/:[^/]*$/, '')
}

async function publish(reg: Registry, ref: string, image: Image, tags: readonly string[] = ['v1']): Promise<string> {
  await pushImage(reg.host, repoPath(ref), image, tags)
  const digest = await manifestDigest(reg.host, repoPath(ref), tags[0] ?? 'v1')
  assert.equal(digest, image.digest)
  for (const tag of tags) world?.digests.set(`${ref}:${tag}`, digest)
  return digest
}

interface SignOptions {
  /** The signed identity; default: <ref>:v1, as containers/image signs. */
  readonly identity?: string
  /** A public-key signature by this key … */
  readonly key?: KeyPair
  /** … or a certificate signature: the leaf (its key signs), with the chain annotation. */
  readonly cert?: Cert
  readonly chain?: readonly Cert[]
  /** Rekor bundle: valid, tampered, or none. */
  readonly rekor?: 'valid' | 'tampered'
  /** The log's integration time (Unix seconds). Default: now, inside the certificates' validity. */
  readonly integratedTime?: number
}

async function publishSigned(reg: Registry, keys: Keys, ref: string, text: string, options: SignOptions, tags: readonly string[] = ['v1']): Promise<string> {
  const digest = await publish(reg, ref, buildImage(text), tags)
  const payload = cosignPayload(options.identity ?? `${ref}:v1`, digest)
  const signer = options.cert?.key ?? options.key
  if (signer === undefined) throw new Error('publishSigned: no key')
  const signature = signBase64(signer.privatePem, payload)
  const annotations: Record<string, string> = { [ANNOTATION_SIGNATURE]: signature }
  if (options.cert !== undefined) annotations[ANNOTATION_CERTIFICATE] = options.cert.pem
  if (options.chain !== undefined) annotations[ANNOTATION_CHAIN] = options.chain.map((c) => c.pem).join('')
  if (options.rekor !== undefined) {
    const bundle = rekorBundle({
      rekorPrivateKeyPem: keys.rekor.privatePem,
      signerPem: options.cert?.pem ?? signer.publicPem,
      signatureBase64: signature,
      payload,
      integratedTime: options.integratedTime ?? Math.floor(Date.now() / 1000),
      logIndex: 4242,
    })
    annotations[ANNOTATION_BUNDLE] = options.rekor === 'valid' ? bundle : tamperBundle(bundle)
  }
  await pushAttachment(reg.host, repoPath(ref), digest, [{ payload, annotations }])
  return digest
}

async function makeKeys(tools: Tools, work: string, skopeo: Skopeo): Promise<Keys> {
  const dir = join(work, 'keys')
  mkdirSync(dir)
  const ssl = new Openssl(tools.openssl, dir)
  // skopeo's own key pair (an ENCRYPTED COSIGN PRIVATE KEY), in the skopeo user's home.
  const skopeoKeys = join(work, 'skopeo', 'keys')
  mkdirSync(skopeoKeys, { mode: 0o700 })
  writeFileSync(join(skopeoKeys, 'passphrase'), 'imagepolicy-mc-e2e')
  giveAway(skopeoKeys, tools)
  await skopeo.runOk(['generate-sigstore-key', '--output-prefix', join(skopeoKeys, 'skopeo'), '--passphrase-file', join(skopeoKeys, 'passphrase')])
  assert.match(readFileSync(join(skopeoKeys, 'skopeo.private'), 'utf8'), /^-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----/)
  const [alice, mallory, rekor] = await Promise.all([ssl.key('alice'), ssl.key('mallory'), ssl.key('rekor')])
  // BYOPKI: root → intermediate → leaf with an email and a DNS SAN; a second,
  // untrusted hierarchy with the same names.
  const root1 = await ssl.rootCa('root1', '/O=imagepolicy-mc e2e/CN=E2E Root CA')
  const int1 = await ssl.intermediateCa('int1', root1, '/O=imagepolicy-mc e2e/CN=E2E Intermediate CA')
  const leaf1 = await ssl.codeSigningLeaf('leaf1', int1, '/O=imagepolicy-mc e2e/CN=signer', `email:${PKI_EMAIL},DNS:${PKI_HOST}`)
  const root2 = await ssl.rootCa('root2', '/O=imagepolicy-mc e2e/CN=E2E Root CA')
  const int2 = await ssl.intermediateCa('int2', root2, '/O=imagepolicy-mc e2e/CN=E2E Intermediate CA')
  const leaf2 = await ssl.codeSigningLeaf('leaf2', int2, '/O=imagepolicy-mc e2e/CN=signer', `email:${PKI_EMAIL},DNS:${PKI_HOST}`)
  // A stand-in for Fulcio: root → intermediate → short-lived leaves.
  const fulcioRoot = await ssl.rootCa('fulcio-root', '/O=sigstore.e2e.test/CN=e2e fulcio root')
  const fulcioInt = await ssl.intermediateCa('fulcio-int', fulcioRoot, '/O=sigstore.e2e.test/CN=e2e fulcio intermediate')
  const fulcioLeaf = await ssl.fulcioLeaf('fulcio-leaf', fulcioInt, FULCIO_EMAIL, OIDC_ISSUER)
  const fulcioLeafOtherEmail = await ssl.fulcioLeaf('fulcio-leaf-other-email', fulcioInt, 'intruder@e2e.test', OIDC_ISSUER)
  const fulcioLeafOtherIssuer = await ssl.fulcioLeaf('fulcio-leaf-other-issuer', fulcioInt, FULCIO_EMAIL, 'https://other-oidc.e2e.test')
  return {
    skopeoPub: readFileSync(join(skopeoKeys, 'skopeo.pub'), 'utf8'),
    alice, mallory, rekor, root1, int1, leaf1, root2, int2, leaf2,
    fulcioRoot, fulcioInt, fulcioLeaf, fulcioLeafOtherEmail, fulcioLeafOtherIssuer,
  }
}

/** Pushes every image of the proof, signed or not (in parallel), and returns the resources that govern them. */
async function publishAll(world: World, reg: Registry, skopeo: Skopeo, keys: Keys): Promise<Record<string, unknown>[]> {
  const { alice, mallory } = keys
  const jobs: Promise<unknown>[] = []
  const sign = (ref: string, options: SignOptions, tags?: readonly string[]): void => {
    jobs.push(publishSigned(reg, keys, ref, ref, options, tags))
  }
  const unsigned = (ref: string): string => {
    const image = buildImage(ref)
    jobs.push(publish(reg, ref, image))
    return image.digest
  }

  // PublicKey: signed by skopeo itself (copy --sign-by-sigstore-private-key), unsigned, wrong key.
  const oci = join(world.work, 'oci')
  writeOciLayout(oci, buildImage(`${R}/publickey/signed`), 'v1')
  const skopeoKeys = join(world.work, 'skopeo', 'keys')
  const pushRd = join(world.work, 'push-registries.d')
  mkdirSync(pushRd)
  writeFileSync(join(pushRd, 'push.yaml'), 'default-docker:\n  use-sigstore-attachments: true\n')
  writeFileSync(join(world.work, 'push-policy.json'), '{"default":[{"type":"insecureAcceptAnything"}]}')
  jobs.push(
    skopeo
      .runOk(['--policy', join(world.work, 'push-policy.json'), '--registries.d', pushRd, 'copy', '--quiet',
        '--dest-tls-verify=false', '--sign-by-sigstore-private-key', join(skopeoKeys, 'skopeo.private'),
        '--sign-passphrase-file', join(skopeoKeys, 'passphrase'), `oci:${oci}:v1`, `docker://${R}/publickey/signed:v1`])
      .then(async () => world.digests.set(`${R}/publickey/signed:v1`, await manifestDigest(reg.host, 'publickey/signed', 'v1'))),
  )
  unsigned(`${R}/publickey/unsigned`)
  sign(`${R}/publickey-wrong-key/app`, { key: mallory })

  // matchPolicy: each with a positive and a negative case (identity is what differs).
  sign(`${R}/match/digest-or-exact/app`, { key: alice }, ['v1', 'v2'])
  sign(`${R}/match/repository/app`, { key: alice }, ['v1', 'v2'])
  sign(`${R}/match/repository/other`, { key: alice, identity: `${R}/match/repository/app:v1` })
  sign(`${R}/match/exact-repository/app`, { key: alice, identity: 'prod.e2e.test/released/app:v1' })
  sign(`${R}/match/exact-repository/other`, { key: alice })
  sign(`${R}/match/remap/app`, { key: alice, identity: 'prod.e2e.test/released/app:v1' })
  sign(`${R}/match/remap/other`, { key: alice })

  // PKI: certificate + chain annotations (intermediate, root).
  const chain1 = [keys.int1, keys.root1]
  for (const repo of ['email', 'hostname', 'wrong-email', 'wrong-hostname']) sign(`${R}/pki/${repo}/app`, { cert: keys.leaf1, chain: chain1 })
  sign(`${R}/pki/intermediates/app`, { cert: keys.leaf1 })
  sign(`${R}/pki/wrong-root/app`, { cert: keys.leaf2, chain: [keys.int2, keys.root2] })

  // FulcioCAWithRekor and PublicKey with Rekor.
  const fulcioChain = [keys.fulcioInt, keys.fulcioRoot]
  sign(`${R}/fulcio/signed`, { cert: keys.fulcioLeaf, chain: fulcioChain, rekor: 'valid' })
  sign(`${R}/fulcio/no-bundle`, { cert: keys.fulcioLeaf, chain: fulcioChain })
  sign(`${R}/fulcio/tampered-bundle`, { cert: keys.fulcioLeaf, chain: fulcioChain, rekor: 'tampered' })
  sign(`${R}/fulcio/other-email`, { cert: keys.fulcioLeafOtherEmail, chain: fulcioChain, rekor: 'valid' })
  sign(`${R}/fulcio/other-issuer`, { cert: keys.fulcioLeafOtherIssuer, chain: fulcioChain, rekor: 'valid' })
  // Logged two days before the certificates were issued: invalid at that time.
  sign(`${R}/fulcio/logged-before-issue`, { cert: keys.fulcioLeaf, chain: fulcioChain, rekor: 'valid', integratedTime: Math.floor(Date.now() / 1000) - 2 * 86400 })
  sign(`${R}/publickey-rekor/signed`, { key: alice, rekor: 'valid' })
  sign(`${R}/publickey-rekor/no-bundle`, { key: alice })
  sign(`${R}/publickey-rekor/tampered-bundle`, { key: alice, rekor: 'tampered' })

  // Namespaces.
  sign(`${R}/ns/shared/app`, { key: alice })
  unsigned(`${R}/ns/shared/unsigned`)
  sign(`${R}/ns/cluster-owned/team-a/app`, { key: alice })
  sign(`${R}/ns/cluster-owned/team-a/cluster-signed`, { key: mallory })
  sign(`${R}/ns/tagged/app`, { key: alice })

  // Wildcard and digest scopes.
  sign(`${WILD}/wild/signed`, { key: alice })
  unsigned(`${WILD}/wild/unsigned`)
  sign(`${R}/pinned/signed`, { key: alice })
  const pinnedSigned = buildImage(`${R}/pinned/signed`).digest
  const pinnedUnsigned = unsigned(`${R}/pinned/unsigned`)
  await Promise.all(jobs)

  const pk = (key: KeyPair) => publicKey(key.publicPem)
  return [
    cip('e2e-publickey', [`${R}/publickey`], publicKey(keys.skopeoPub)),
    cip('e2e-publickey-wrong-key', [`${R}/publickey-wrong-key`], pk(alice)),
    cip('e2e-match-digest-or-exact', [`${R}/match/digest-or-exact`], pk(alice), { matchPolicy: 'MatchRepoDigestOrExact' }),
    cip('e2e-match-repository', [`${R}/match/repository`], pk(alice), { matchPolicy: 'MatchRepository' }),
    cip('e2e-exact-repository', [`${R}/match/exact-repository`], pk(alice), {
      matchPolicy: 'ExactRepository',
      exactRepository: { repository: 'prod.e2e.test/released/app' },
    }),
    cip('e2e-remap-identity', [`${R}/match/remap`], pk(alice), {
      matchPolicy: 'RemapIdentity',
      remapIdentity: { prefix: `${R}/match/remap`, signedPrefix: 'prod.e2e.test/released' },
    }),
    cip('e2e-pki-email', [`${R}/pki/email`], pki(keys.root1, { email: PKI_EMAIL })),
    cip('e2e-pki-hostname', [`${R}/pki/hostname`], pki(keys.root1, { hostname: PKI_HOST })),
    cip('e2e-pki-intermediates', [`${R}/pki/intermediates`], pki(keys.root1, { email: PKI_EMAIL }, keys.int1)),
    cip('e2e-pki-wrong-email', [`${R}/pki/wrong-email`], pki(keys.root1, { email: 'someone-else@e2e.test' })),
    cip('e2e-pki-wrong-hostname', [`${R}/pki/wrong-hostname`], pki(keys.root1, { hostname: 'other.e2e.test' })),
    cip('e2e-pki-wrong-root', [`${R}/pki/wrong-root`], pki(keys.root1, { email: PKI_EMAIL })),
    cip('e2e-fulcio', [`${R}/fulcio`], fulcio(keys.fulcioRoot, keys.rekor.publicPem, OIDC_ISSUER, FULCIO_EMAIL)),
    cip('e2e-publickey-rekor', [`${R}/publickey-rekor`], publicKey(alice.publicPem, keys.rekor.publicPem)),
    cip('e2e-cluster-owned', [`${R}/ns/cluster-owned`], pk(mallory)),
    cip('e2e-tagged-repository', [`${R}/ns/tagged/app`], pk(mallory)),
    cip('e2e-wildcard', [`*.wild.e2e.test`], pk(alice)),
    cip('e2e-pinned', [`${R}/pinned/signed@${pinnedSigned}`, `${R}/pinned/unsigned@${pinnedUnsigned}`], pk(alice)),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-b' } },
    ip('team-a', 'shared', [`${R}/ns/shared`], pk(alice)),
    ip('team-b', 'shared', [`${R}/ns/shared`], pk(mallory)),
    ip('team-a', 'nested-in-cluster-scope', [`${R}/ns/cluster-owned/team-a`], pk(alice)),
    ip('team-a', 'tagged', [`${R}/ns/tagged/app:v1`], pk(alice)),
  ]
}

// ------------------------------------------------------------------ checks --
type Where = 'cluster' | 'team-a' | 'team-b'
type Expect = { accept: true } | { reject: string }
const accepted: Expect = { accept: true }
const rejected = (reason: string): Expect => ({ reject: reason })

function policyFile(node: NodeRoot, where: Where): string {
  return where === 'cluster' ? node.policy : node.namespacePolicy(where)
}
const label = (where: Where): string => (where === 'cluster' ? 'policy.json' : `crio/policies/${where}.json`)

/** A pull by tag (host/path:tag), or by the digest that host/path:tag had when pushed. */
type Ref = string | { readonly digestOf: string }
const byDigest = (refTag: string): Ref => ({ digestOf: refTag })
const untagged = (refTag: string): string => refTag.replace(/:[^/:]*$/, '')
function shownRef(ref: Ref): string {
  return typeof ref === 'string' ? ref : `${untagged(ref.digestOf)}@<digest of ${ref.digestOf.slice(untagged(ref.digestOf).length + 1)}>`
}
function resolveRef(ref: Ref): string {
  if (typeof ref === 'string') return ref
  const digest = world?.digests.get(ref.digestOf)
  if (digest === undefined) throw new Error(`no digest recorded for ${ref.digestOf}`)
  return `${untagged(ref.digestOf)}@${digest}`
}

/** One pull under the rendered files, asserting the outcome and, for a rejection, the reason. */
function pull(ref: Ref, where: Where, expect: Expect, options: { registriesD?: 'rendered' | 'empty'; note?: string } = {}): void {
  const shown = shownRef(ref)
  const outcome = 'accept' in expect ? 'accepted' : `rejected: ${expect.reject}`
  const rd = options.registriesD === 'empty' ? ', empty registries.d' : ''
  check(`${shown} under ${label(where)}${rd} → ${outcome}${options.note === undefined ? '' : ` (${options.note})`}`, async () => {
    const { skopeo, node, emptyRegistriesD } = w()
    const reference = resolveRef(ref)
    const result = await skopeo.pull(reference, policyFile(node, where), options.registriesD === 'empty' ? emptyRegistriesD : node.registriesD)
    if ('accept' in expect) {
      assert.ok(result.accepted, `expected ${reference} to be accepted; skopeo said: ${result.message}`)
    } else {
      assert.ok(!result.accepted, `expected ${reference} to be rejected (${expect.reject}), but skopeo accepted it`)
      // "Source image rejected:" is the policy's verdict (not, say, a network error).
      assert.ok(result.message.startsWith('Source image rejected: ') && result.message.includes(expect.reject),
        `expected "Source image rejected: …${expect.reject}…"; skopeo said: ${result.message}`)
    }
  })
}

// ------------------------------------------------ explain agrees with skopeo --
// `imagepolicy-mc explain` says which file and which scope containers/image
// uses for an image; skopeo --debug says which it did use. Each check runs
// explain on the same input and namespace, pulls with --debug under the file
// the suite uses for that case, and compares.

interface AgreeOptions {
  /**
   * The section skopeo must use, so the case covers what it claims (a digest
   * scope as byDigest(...)); null: the policy's `default`.
   */
  readonly scope: Ref | null
  /** explain's --namespace; default: `where` (no --namespace for policy.json). */
  readonly namespace?: string
  /** The ImagePolicy scopes explain must report as lost to a cluster scope (default: none). */
  readonly lost?: readonly string[]
  readonly note: string
}

let explainRuns = 0
function agrees(ref: Ref, where: Where, options: AgreeOptions): void {
  const nsShown = options.namespace ?? (where === 'cluster' ? '(none)' : where)
  check(`explain ${shownRef(ref)} -n ${nsShown} = skopeo under ${label(where)} (${options.note})`, async () => {
    const { skopeo, node } = w()
    const input = world?.input
    if (input === undefined) throw new Error('setup did not complete (no input)')
    const reference = resolveRef(ref)
    const namespace = options.namespace ?? (where === 'cluster' ? undefined : where)
    const suiteFile = policyFile(node, where)
    const [{ explained: e, command }, pulled] = await Promise.all([
      explain(input, reference, namespace),
      skopeo.pull(reference, suiteFile, node.registriesD, { debug: true }),
    ])
    const log = join(w().work, 'explain', `${++explainRuns}.log`)
    mkdirSync(join(w().work, 'explain'), { recursive: true })
    writeFileSync(log, `${command}\n${JSON.stringify(e, null, 2)}\n--- skopeo --debug (${pulled.accepted ? 'accepted' : pulled.message}) ---\n${pulled.raw.stderr}`)
    const sections = policySections(pulled.raw.stderr)
    const keys = sigstoreAttachmentKeys(pulled.raw.stderr)
    const show = (v: string | null | undefined): string => (v === undefined ? '(nothing)' : v === null ? 'the default policy section' : JSON.stringify(v))
    const caseText = `image ${reference}, --namespace ${namespace ?? '(none)'}, input policies.yaml of this suite (${command})`

    // The file: the one the suite gives skopeo for this case.
    assert.equal(resolve(join(node.root, e.file)), resolve(suiteFile),
      `DISAGREEMENT (file) for ${caseText}: explain says ${e.file}, the suite (and CRI-O) use ${suiteFile.slice(node.root.length)}`)
    assert.equal(e.reference, reference, `explain normalized ${reference} to ${e.reference}`)

    // The scope: skopeo evaluated the policy (once per image; all evaluations agree) …
    assert.ok(sections.length > 0, `skopeo --debug named no policy section for ${reference} (${pulled.message || 'accepted'}); debug log in ${log} (kept with E2E_KEEP=1)`)
    assert.equal(new Set(sections).size, 1, `skopeo used several policy sections for ${reference}: ${sections.map(show).join(', ')}`)
    const used = sections[0] ?? null
    assert.equal(e.scope, used,
      `DISAGREEMENT (scope) for ${caseText}: explain says ${show(e.scope)}, skopeo used ${show(used)}; debug log in ${log} (kept with E2E_KEEP=1)`)
    // … and the section is the one this case is about.
    const expected = options.scope === null ? null : resolveRef(options.scope)
    assert.equal(used, expected, `case setup: expected skopeo to use ${show(expected)} for ${reference}, it used ${show(used)}`)

    // The namespace's own scope that MCO dropped is not what skopeo used.
    assert.deepEqual(e.lostScopes.map((l) => l.scope), options.lost ?? [], `explain's lostScopes for ${reference} in ${namespace ?? '(none)'}`)
    for (const l of e.lostScopes) assert.notEqual(l.scope, used, `explain reports ${l.scope} as lost, but skopeo used it`)

    // The verdict, where skopeo's outcome follows from it alone.
    if (e.verdict === 'accepted') assert.ok(pulled.accepted, `explain says accepted; skopeo: ${pulled.message}`)
    if (e.verdict === 'rejected') assert.ok(!pulled.accepted && pulled.message.startsWith('Source image rejected: '), `explain says rejected; skopeo: ${pulled.message || 'accepted'}`)

    // registries.d: whether skopeo looked for attachments (it reads signatures
    // to evaluate a signature requirement, and to copy them once accepted) …
    const looked = debugMessages(pulled.raw.stderr).some((m) => m.startsWith('Looking for sigstore attachments in '))
    if (pulled.accepted || e.verdict === 'signature-required') {
      assert.equal(looked, e.sigstoreAttachments.enabled,
        `DISAGREEMENT (registries.d) for ${caseText}: explain says sigstore attachments are ${e.sigstoreAttachments.enabled ? '' : 'not '}read, skopeo ${looked ? 'looked' : 'did not look'} for them; debug log in ${log} (kept with E2E_KEEP=1)`)
    }
    // … and the key that decided it: the last one skopeo's lookup logged (every
    // key MCO writes sets use-sigstore-attachments, so each lookup logs one).
    const decided = keys.length === 0 ? null : (keys[keys.length - 1] as string)
    assert.equal(decided, e.sigstoreAttachments.key,
      `DISAGREEMENT (registries.d key) for ${caseText}: explain says ${show(e.sigstoreAttachments.key)}, skopeo used ${show(decided)}; debug log in ${log} (kept with E2E_KEEP=1)`)
  })
}

// ------------------------------------------------- impact agrees with skopeo --
// `imagepolicy-mc impact` lists the images of workloads with the file, scope
// and verdict that govern them. The suite writes a workloads file (one
// Deployment per namespace, running a sample of the images: signed, unsigned,
// other registries), runs impact once on the rendered input plus that file,
// and for each sample pulls with skopeo --debug under the node file impact
// names, comparing impact's scope and verdict with skopeo's evaluation.

/** team-c has no ImagePolicy: its pods use policy.json. */
type ImpactNamespace = 'team-a' | 'team-b' | 'team-c'
interface ImpactSample {
  readonly namespace: ImpactNamespace
  readonly ref: Ref
  /** The section skopeo must use (null: the policy's default), so the sample covers what it claims. */
  readonly scope: Ref | null
  /** skopeo's outcome for the sample: accepted, or rejected with this reason. */
  readonly expect: Expect
  /** Risk codes impact must flag (exactly these). */
  readonly risks?: readonly string[]
  readonly note: string
}

const IMPACT_SAMPLES: readonly ImpactSample[] = [
  { namespace: 'team-c', ref: `${R}/publickey/signed:v1`, scope: `${R}/publickey`, expect: accepted, risks: ['tag-needs-exact-identity'], note: 'signed, cluster scope' },
  { namespace: 'team-c', ref: `${R}/publickey/unsigned:v1`, scope: `${R}/publickey`, expect: rejected(NOSIG), risks: ['tag-needs-exact-identity'], note: 'unsigned' },
  { namespace: 'team-c', ref: `${BARE_WILD}/wild/unsigned:v1`, scope: null, expect: accepted, note: 'another registry: no scope, no signature required' },
  { namespace: 'team-c', ref: `${WILD}/wild/signed:v1`, scope: '*.wild.e2e.test', expect: accepted, risks: ['tag-needs-exact-identity'], note: 'wildcard scope' },
  { namespace: 'team-c', ref: byDigest(`${R}/pinned/signed:v1`), scope: byDigest(`${R}/pinned/signed:v1`), expect: accepted, note: 'digest scope, by digest' },
  { namespace: 'team-c', ref: `${R}/match/repository/app:v2`, scope: `${R}/match/repository`, expect: accepted, note: 'MatchRepository: a tag pull is not flagged' },
  { namespace: 'team-a', ref: `${R}/ns/shared/app:v1`, scope: `${R}/ns/shared`, expect: accepted, risks: ['tag-needs-exact-identity'], note: "team-a's file" },
  { namespace: 'team-b', ref: `${R}/ns/shared/app:v1`, scope: `${R}/ns/shared`, expect: rejected(BADSIG), risks: ['tag-needs-exact-identity'], note: "team-b's file, team-b's key" },
  { namespace: 'team-a', ref: `${R}/ns/cluster-owned/team-a/app:v1`, scope: `${R}/ns/cluster-owned`, expect: rejected(BADSIG), risks: ['tag-needs-exact-identity', 'scope-dropped-for-nesting'], note: "team-a's scope dropped for nesting" },
  { namespace: 'team-a', ref: `${R}/ns/tagged/app:v1`, scope: `${R}/ns/tagged/app:v1`, expect: accepted, risks: ['tag-needs-exact-identity'], note: 'tag scope in team-a' },
  { namespace: 'team-b', ref: `${R}/ns/tagged/app:v1`, scope: `${R}/ns/tagged/app`, expect: rejected(BADSIG), risks: ['tag-needs-exact-identity'], note: "the cluster scope in team-b's file" },
]

let impactRun: Promise<{ readonly images: readonly ImpactImage[]; readonly command: string }> | undefined
/** Writes the workloads (once the digests are known) and runs impact once for all samples. */
function impactReport(): Promise<{ readonly images: readonly ImpactImage[]; readonly command: string }> {
  impactRun ??= (async () => {
    const input = world?.input
    if (input === undefined) throw new Error('setup did not complete (no input)')
    const namespaces = [...new Set(IMPACT_SAMPLES.map((s) => s.namespace))]
    const docs = namespaces.map((ns) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'sample', namespace: ns },
      spec: { template: { spec: { containers: IMPACT_SAMPLES.filter((s) => s.namespace === ns).map((s, i) => ({ name: `c${i}`, image: resolveRef(s.ref) })) } } },
    }))
    const file = join(w().work, 'workloads.yaml')
    writeFileSync(file, docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n'))
    return impact(input, file)
  })()
  return impactRun
}

function impactAgrees(sample: ImpactSample): void {
  const outcome = 'accept' in sample.expect ? 'accepted' : 'rejected'
  check(`impact ${shownRef(sample.ref)} in ${sample.namespace} = skopeo (${sample.note}; ${outcome})`, async () => {
    const { skopeo, node } = w()
    const reference = resolveRef(sample.ref)
    const { images, command } = await impactReport()
    const entry = images.find((e) => e.namespace === sample.namespace && e.reference === reference)
    assert.ok(entry?.requirement != null, `${command} lists no evaluated ${reference} in ${sample.namespace}`)
    const g = entry.requirement!
    // The file: CRI-O's choice for the namespace, as the suite lays the files out.
    const suiteFile = sample.namespace === 'team-c' ? node.policy : node.namespacePolicy(sample.namespace)
    assert.equal(resolve(join(node.root, g.file)), resolve(suiteFile), `DISAGREEMENT (file) for ${reference} in ${sample.namespace}: impact says ${g.file}`)
    const pulled = await skopeo.pull(reference, suiteFile, node.registriesD, { debug: true })
    const sections = policySections(pulled.raw.stderr)
    const show = (v: string | null | undefined): string => (v === undefined ? '(nothing)' : v === null ? 'the default policy section' : JSON.stringify(v))
    assert.ok(sections.length > 0, `skopeo --debug named no policy section for ${reference} (${pulled.message || 'accepted'})`)
    assert.equal(new Set(sections).size, 1, `skopeo used several policy sections for ${reference}: ${sections.map(show).join(', ')}`)
    const used = sections[0] ?? null
    assert.equal(g.scope, used, `DISAGREEMENT (scope) for ${reference} in ${sample.namespace}: impact says ${show(g.scope)}, skopeo used ${show(used)} (${command})`)
    const expected = sample.scope === null ? null : resolveRef(sample.scope)
    assert.equal(used, expected, `case setup: expected skopeo to use ${show(expected)} for ${reference}, it used ${show(used)}`)
    // The verdict: "no signature required" pulls; "rejected" is refused by policy; "signature required" is what skopeo checked.
    if (g.verdict === 'accepted') assert.ok(pulled.accepted, `DISAGREEMENT (verdict): impact says no signature required; skopeo: ${pulled.message}`)
    if (g.verdict === 'rejected') assert.ok(!pulled.accepted && pulled.message.startsWith('Source image rejected: '), `DISAGREEMENT (verdict): impact says rejected; skopeo: ${pulled.message || 'accepted'}`)
    if (g.verdict === 'signature-required') {
      assert.ok(pulled.accepted || pulled.message.startsWith('Source image rejected: '), `impact says a signature is required; skopeo failed otherwise: ${pulled.message}`)
      assert.ok(g.sigstoreAttachments, `impact says sigstore attachments are not read for ${reference}, yet the rendered registries.d covers the suite's scopes`)
    }
    if ('accept' in sample.expect) assert.ok(pulled.accepted, `expected ${reference} to be accepted; skopeo said: ${pulled.message}`)
    else assert.ok(!pulled.accepted && pulled.message.includes(sample.expect.reject), `expected a rejection (${sample.expect.reject}); skopeo said: ${pulled.message || 'accepted'}`)
    assert.deepEqual(entry.risks.map((r) => r.code), sample.risks ?? [], `impact's risks for ${reference} in ${sample.namespace}`)
  })
}

describe('skopeo enforces the rendered node files', { skip: skipReason ?? false }, () => {
  before(async () => {
    if (search.tools === undefined) {
      throw new Error(`e2e tools missing in CI: ${search.missing.join(', ')}; ${INSTALL_HINT}`)
    }
    const tools = search.tools
    const work = mkdtempSync(join(tmpdir(), 'imagepolicy-mc-e2e-'))
    world = { work, tools, digests: new Map() }
    chmodSync(work, 0o755) // the unprivileged tool user reads keys, layouts and policies here
    for (const d of ['registry', 'skopeo']) mkdirSync(join(work, d), { mode: 0o755 })
    giveAway(join(work, 'registry'), tools)
    giveAway(join(work, 'skopeo'), tools)

    const registry = await startRegistry({ binary: tools.registry, asUser: tools.asUser, storageDir: join(work, 'registry'), configDir: work })
    world.registry = registry
    const proxy = await startProxy(HOSTS, registry.host)
    world.proxy = proxy
    writeFileSync(join(work, 'registries.conf'), '# empty: the suite must not read the machine\'s registries.conf\n')
    const skopeo = new Skopeo({ binary: tools.skopeo, asUser: tools.asUser, home: join(work, 'skopeo'), registriesConf: join(work, 'registries.conf'), proxyUrl: proxy.url })
    giveAway(join(work, 'skopeo'), tools)
    world.skopeo = skopeo
    console.log(`e2e: ${tools.versions.join('; ')}`)
    console.log(`e2e: registry pid ${registry.pid} on ${registry.host}; ${HOSTS.join(', ')} via proxy ${proxy.url}; scratch ${work}`)

    const phases: string[] = []
    let t = Date.now()
    const phase = (name: string): void => {
      phases.push(`${name} ${((Date.now() - t) / 1000).toFixed(1)} s`)
      t = Date.now()
    }
    const keys = await makeKeys(tools, work, skopeo)
    phase('keys and certificates')
    const resources = await publishAll(world, registry, skopeo, keys)
    phase('images and signatures')

    // Render with the built CLI, as a user would, and lay out the worker pool's files.
    const input = join(work, 'policies.yaml')
    writeFileSync(input, `# imagepolicy-mc e2e: the policies the pulls below are checked against\n${resources.map((r) => stringify(r, { lineWidth: 0 })).join('---\n')}`)
    const rendered = await render(input)
    world.input = input
    world.renderStderr = rendered.stderr
    writeFileSync(join(work, 'rendered.yaml'), rendered.stdout)
    const worker = rendered.machineConfigs.find((mc) => mc.pool === 'worker')
    const master = rendered.machineConfigs.find((mc) => mc.pool === 'master')
    assert.ok(worker !== undefined && master !== undefined, `expected MachineConfigs for master and worker, got ${rendered.machineConfigs.map((m) => m.name).join(', ')}`)
    assert.deepEqual([...master.files.entries()], [...worker.files.entries()], 'master and worker carry the same node files')
    world.node = layOut(join(work, 'node'), worker)
    world.emptyRegistriesD = join(work, 'empty-registries.d')
    mkdirSync(world.emptyRegistriesD)
    phase('render')
    console.log(`e2e: setup: ${phases.join(', ')}; node files: ${world.node.paths.join(', ')}`)
  })

  after(async () => {
    await world?.proxy?.close()
    await stopAll()
    if (world !== undefined) {
      if (process.env['E2E_KEEP'] === '1') console.log(`e2e: kept ${world.work} (E2E_KEEP=1)`)
      else rmSync(world.work, { recursive: true, force: true })
    }
  })

  describe('rendered MachineConfig', () => {
    check('carries exactly the node files MCO writes, as data URLs', () => {
      assert.deepEqual(w().node.paths, [POLICY_JSON, SIGSTORE_YAML, '/etc/crio/policies/team-a.json', '/etc/crio/policies/team-b.json'])
    })
    check('reports the namespace scope nested in a cluster scope, as MCO does', () => {
      assert.match(world?.renderStderr ?? '', /team-a\/nested-in-cluster-scope.*conflicting scope\(s\) \["registry\.e2e\.test\/ns\/cluster-owned\/team-a"\]/)
    })
  })

  describe('PublicKey', () => {
    pull(`${R}/publickey/signed:v1`, 'cluster', accepted, { note: 'signed by skopeo copy --sign-by-sigstore-private-key' })
    pull(`${R}/publickey/unsigned:v1`, 'cluster', rejected(NOSIG))
    pull(`${R}/publickey-wrong-key/app:v1`, 'cluster', rejected(BADSIG), { note: 'signed by another key' })
  })

  describe('sigstore-registries.yaml', () => {
    pull(`${R}/publickey/signed:v1`, 'cluster', rejected(NOSIG), { registriesD: 'empty', note: 'attachments are not looked up' })
    pull(`${R}/publickey/signed:v1`, 'cluster', accepted, { note: 'with the rendered registries.d' })
  })

  describe('matchPolicy', () => {
    const doe = `${R}/match/digest-or-exact/app`
    pull(`${doe}:v1`, 'cluster', accepted, { note: 'MatchRepoDigestOrExact, tag pull' })
    pull(byDigest(`${doe}:v1`), 'cluster', accepted, { note: 'MatchRepoDigestOrExact, digest pull' })
    pull(`${doe}:v2`, 'cluster', rejected(`Signature for identity "${doe}:v1" is not accepted`), { note: 'MatchRepoDigestOrExact, other tag' })
    pull(`${R}/match/repository/app:v2`, 'cluster', accepted, { note: 'MatchRepository, other tag of the signed repository' })
    pull(`${R}/match/repository/other:v1`, 'cluster', rejected(`Signature for identity "${R}/match/repository/app:v1" is not accepted`), { note: 'MatchRepository, signature names another repository' })
    pull(`${R}/match/exact-repository/app:v1`, 'cluster', accepted, { note: 'ExactRepository, signed as prod.e2e.test/released/app' })
    pull(`${R}/match/exact-repository/other:v1`, 'cluster', rejected(`Signature for identity "${R}/match/exact-repository/other:v1" is not accepted`), { note: 'ExactRepository, signed under its own name' })
    pull(`${R}/match/remap/app:v1`, 'cluster', accepted, { note: 'RemapIdentity, signed as prod.e2e.test/released/app:v1' })
    pull(`${R}/match/remap/other:v1`, 'cluster', rejected(`Signature for identity "${R}/match/remap/other:v1" is not accepted`), { note: 'RemapIdentity, signed under the unmapped name' })
  })

  describe('PKI (BYOPKI)', () => {
    pull(`${R}/pki/email/app:v1`, 'cluster', accepted, { note: 'leaf email SAN, chain annotation' })
    pull(`${R}/pki/hostname/app:v1`, 'cluster', accepted, { note: 'leaf DNS SAN, chain annotation' })
    pull(`${R}/pki/intermediates/app:v1`, 'cluster', accepted, { note: 'no chain annotation, caIntermediatesData' })
    pull(`${R}/pki/wrong-email/app:v1`, 'cluster', rejected('Required email "someone-else@e2e.test" not found'))
    pull(`${R}/pki/wrong-hostname/app:v1`, 'cluster', rejected('Unexpected subject hostname'))
    pull(`${R}/pki/wrong-root/app:v1`, 'cluster', rejected('certificate signed by unknown authority'))
  })

  describe('FulcioCAWithRekor', () => {
    pull(`${R}/fulcio/signed:v1`, 'cluster', accepted, { note: 'Fulcio-like leaf, valid Rekor SET' })
    pull(`${R}/fulcio/no-bundle:v1`, 'cluster', rejected(NO_BUNDLE))
    pull(`${R}/fulcio/tampered-bundle:v1`, 'cluster', rejected(SET_FAILED))
    pull(`${R}/fulcio/other-email:v1`, 'cluster', rejected(`Required email "${FULCIO_EMAIL}" not found (got ["intruder@e2e.test"])`))
    pull(`${R}/fulcio/other-issuer:v1`, 'cluster', rejected('Unexpected Fulcio OIDC issuer'))
    pull(`${R}/fulcio/logged-before-issue:v1`, 'cluster', rejected('certificate has expired or is not yet valid'), { note: 'the certificate is checked at the Rekor integration time' })
  })

  describe('PublicKey with Rekor', () => {
    pull(`${R}/publickey-rekor/signed:v1`, 'cluster', accepted)
    pull(`${R}/publickey-rekor/no-bundle:v1`, 'cluster', rejected(NO_BUNDLE))
    pull(`${R}/publickey-rekor/tampered-bundle:v1`, 'cluster', rejected(SET_FAILED))
  })

  describe('namespaces', () => {
    const shared = `${R}/ns/shared/app:v1`
    pull(shared, 'team-a', accepted, { note: "team-a's key" })
    pull(shared, 'team-b', rejected(BADSIG), { note: "team-b's key" })
    pull(shared, 'cluster', accepted, { note: 'no cluster policy for the scope: the default insecureAcceptAnything' })
    pull(`${R}/ns/shared/unsigned:v1`, 'team-a', rejected(NOSIG))
    pull(`${R}/ns/cluster-owned/team-a/app:v1`, 'team-a', rejected(BADSIG), { note: 'nested scope: the cluster policy governs' })
    pull(`${R}/ns/cluster-owned/team-a/cluster-signed:v1`, 'team-a', accepted, { note: 'nested scope: signed with the cluster key' })
    pull(`${R}/ns/cluster-owned/team-a/app:v1`, 'cluster', rejected(BADSIG))
    const tagged = `${R}/ns/tagged/app:v1`
    pull(tagged, 'team-a', accepted, { note: "team-a's tag scope beside a cluster repository scope (not nested, as in MCO)" })
    pull(tagged, 'team-b', rejected(BADSIG), { note: 'the cluster repository scope' })
    pull(tagged, 'cluster', rejected(BADSIG), { note: 'the cluster repository scope' })
  })

  describe('wildcard and digest scopes', () => {
    pull(`${WILD}/wild/signed:v1`, 'cluster', accepted, { note: '*.wild.e2e.test, also in registries.d' })
    pull(`${WILD}/wild/unsigned:v1`, 'cluster', rejected(NOSIG), { note: '*.wild.e2e.test' })
    pull(`${BARE_WILD}/wild/unsigned:v1`, 'cluster', accepted, { note: '*.wild.e2e.test does not match wild.e2e.test itself' })
    pull(byDigest(`${R}/pinned/signed:v1`), 'cluster', accepted, { note: 'scope with a digest, also in registries.d' })
    pull(byDigest(`${R}/pinned/unsigned:v1`), 'cluster', rejected(NOSIG), { note: 'scope with a digest' })
    pull(`${R}/pinned/unsigned:v1`, 'cluster', accepted, { note: 'a digest scope does not govern a tag pull' })
  })

  describe('explain agrees with skopeo on file, scope and registries.d key', () => {
    agrees(`${R}/ns/tagged/app:v1`, 'cluster', { scope: `${R}/ns/tagged/app`, note: 'exact-repository scope' })
    agrees(`${R}/match/exact-repository/app:v1`, 'cluster', { scope: `${R}/match/exact-repository`, note: 'namespace scope in policy.json' })
    agrees(`${R}/ns/shared/app:v1`, 'team-a', { scope: `${R}/ns/shared`, note: "namespace scope in team-a's file" })
    agrees(`${R}/ns/shared/app:v1`, 'team-b', { scope: `${R}/ns/shared`, note: "the same scope in team-b's file" })
    agrees(`${WILD}/wild/signed:v1`, 'cluster', { scope: '*.wild.e2e.test', note: 'wildcard scope' })
    agrees(`${BARE_WILD}/wild/unsigned:v1`, 'cluster', { scope: null, note: 'the wildcard does not match its own domain: default' })
    agrees(byDigest(`${R}/pinned/signed:v1`), 'cluster', { scope: byDigest(`${R}/pinned/signed:v1`), note: 'digest scope' })
    agrees(`${R}/pinned/unsigned:v1`, 'cluster', { scope: null, note: 'a tag pull beside a digest scope: default' })
    agrees(`${R}/ns/shared/app:v1`, 'cluster', { scope: null, note: 'no scope matches: default' })
    agrees(`${R}/ns/shared/app:v1`, 'cluster', { namespace: 'team-c', scope: null, note: 'a namespace without its own file falls back to policy.json' })
    agrees(`${R}/ns/cluster-owned/team-a/app:v1`, 'team-a', {
      scope: `${R}/ns/cluster-owned`,
      lost: [`${R}/ns/cluster-owned/team-a`],
      note: "team-a's scope lost to the cluster scope",
    })
    agrees(`${R}/ns/tagged/app:v1`, 'team-a', { scope: `${R}/ns/tagged/app:v1`, note: 'tag scope' })
    agrees(`${R}/ns/tagged/app:v1`, 'team-b', { scope: `${R}/ns/tagged/app`, note: "the cluster scope in team-b's file" })
  })

  describe('impact agrees with skopeo on file, scope and verdict for a sample of workload images', () => {
    for (const sample of IMPACT_SAMPLES) impactAgrees(sample)
  })
})
