import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import type { ImageMirror, MirrorSets, RegistrySources, ResolvedRegistries } from '../model.ts'
import { ERR_ALLOWED_AND_BLOCKED, payloadRepository, policyRegistriesErrors, resolveRegistries } from './registries.ts'
import { asRecord, CONFORMANCE_DIR, loadCase } from '../../test/shared-conformance.ts'

const RELEASE = `quay.io/openshift-release-dev/ocp-release@sha256:${'1'.repeat(64)}`
const PAYLOAD = 'quay.io/openshift-release-dev/ocp-release'
const NO_MIRRORS: MirrorSets = { imageContentSourcePolicies: [], imageDigestMirrorSets: [], imageTagMirrorSets: [] }
const DROPPED = (regs: string) => `error adding ${regs} to blocked registries, cannot block the repository being used by the payload`

function idms(...entries: ImageMirror[]): MirrorSets {
  return { ...NO_MIRRORS, imageDigestMirrorSets: [{ name: 'd', imageDigestMirrors: entries }] }
}

const PAYLOAD_MIRROR = idms({ source: PAYLOAD, mirrors: ['mirror.corp/ocp/release'] })

interface ResolveCase {
  readonly name: string
  readonly releaseImage?: string
  readonly sources: RegistrySources
  readonly mirrors?: MirrorSets
  readonly want: ResolvedRegistries | { readonly error: string }
}

const CASES: readonly ResolveCase[] = [
  { name: 'empty release image', releaseImage: '', sources: {}, want: { error: 'error parsing reference of release image' } },
  { name: 'garbage release image', releaseImage: 'Not A Reference', sources: {}, want: { error: 'error parsing reference of release image' } },
  { name: 'non-canonical release image', releaseImage: 'ocp-release:4.1', sources: {}, want: { error: 'error parsing reference of release image' } },
  { name: 'nothing configured: all nil', sources: {}, want: { warning: '' } },
  { name: 'empty lists stay nil', sources: { allowedRegistries: [], blockedRegistries: [] }, want: { warning: '' } },
  { name: 'allowed passes through', sources: { allowedRegistries: ['a.io', 'b.io'] }, want: { allowed: ['a.io', 'b.io'], warning: '' } },
  {
    name: 'blocked registries without the payload',
    sources: { blockedRegistries: ['block.com', '*.blocked.io'] },
    want: { registriesBlocked: ['block.com', '*.blocked.io'], policyBlocked: ['block.com', '*.blocked.io'], warning: '' },
  },
  {
    name: 'payload registry blocked without mirror: dropped with a warning',
    sources: { blockedRegistries: ['quay.io', 'block.com', PAYLOAD] },
    want: { registriesBlocked: ['block.com'], policyBlocked: ['block.com'], warning: DROPPED(`["quay.io" "${PAYLOAD}"]`) },
  },
  {
    name: 'payload registry blocked with a mirror: kept, payload repository allowed',
    sources: { blockedRegistries: ['quay.io', 'block.com'] },
    mirrors: PAYLOAD_MIRROR,
    want: { registriesBlocked: ['quay.io', 'block.com'], policyBlocked: ['quay.io', 'block.com'], allowed: [PAYLOAD], warning: '' },
  },
  {
    name: 'payload repository itself blocked with a mirror: not policy-blocked; allowed once per entry',
    sources: { blockedRegistries: [PAYLOAD, 'quay.io'], allowedRegistries: ['x.io'] },
    mirrors: PAYLOAD_MIRROR,
    want: { registriesBlocked: [PAYLOAD, 'quay.io'], policyBlocked: ['quay.io'], allowed: [PAYLOAD, PAYLOAD, 'x.io'], warning: '' },
  },
  {
    name: 'ICSP mirrors count',
    sources: { blockedRegistries: ['quay.io'] },
    mirrors: { ...NO_MIRRORS, imageContentSourcePolicies: [{ name: 'i', repositoryDigestMirrors: [{ source: 'quay.io', mirrors: ['m.io'] }] }] },
    want: { registriesBlocked: ['quay.io'], policyBlocked: ['quay.io'], allowed: [PAYLOAD], warning: '' },
  },
  {
    name: 'ITMS mirrors do not count',
    releaseImage: `${PAYLOAD}:4.99`,
    sources: { blockedRegistries: ['quay.io'] },
    mirrors: { ...NO_MIRRORS, imageTagMirrorSets: [{ name: 't', imageTagMirrors: [{ source: 'quay.io', mirrors: ['m.io'] }] }] },
    want: { warning: DROPPED('["quay.io"]') },
  },
  {
    name: 'a tagged release image cannot use digest-only mirrors',
    releaseImage: `${PAYLOAD}:4.99`,
    sources: { blockedRegistries: ['quay.io'] },
    mirrors: PAYLOAD_MIRROR,
    want: { warning: DROPPED('["quay.io"]') },
  },
  {
    name: 'a mirror that is itself blocked is not usable',
    sources: { blockedRegistries: ['quay.io', 'mirror.corp'] },
    mirrors: PAYLOAD_MIRROR,
    want: { registriesBlocked: ['mirror.corp'], policyBlocked: ['mirror.corp'], warning: DROPPED('["quay.io"]') },
  },
  {
    name: 'wildcard blocked entry containing a payload registry with a port',
    releaseImage: `registry.example.com:8443/ocp/release@sha256:${'c'.repeat(64)}`,
    sources: { blockedRegistries: ['*.example.com'] },
    want: { warning: DROPPED('["*.example.com"]') },
  },
  {
    name: 'a failing mirror check is logged by MCO, which then carries on with nil lists',
    sources: { blockedRegistries: ['quay.io', 'block.com'] },
    mirrors: idms({ source: '*.io', mirrors: ['m.com'] }),
    want: { warning: 'internal error: mirrorsAdjustedForNestedScope for a wildcard scope "*.io"' },
  },
]

for (const c of CASES) {
  test(`resolveRegistries: ${c.name}`, () => {
    const got = resolveRegistries(c.releaseImage ?? RELEASE, c.sources, c.mirrors ?? NO_MIRRORS)
    assert.deepEqual(got, 'error' in c.want ? { error: c.want.error } : { value: c.want })
  })
}

test('payloadRepository drops tag and digest', () => {
  assert.deepEqual(payloadRepository(RELEASE), { value: PAYLOAD })
  assert.deepEqual(payloadRepository('release-reg.io/image/release:latest'), { value: 'release-reg.io/image/release' })
  assert.deepEqual(payloadRepository(''), { error: 'error parsing reference of release image' })
})

test('policyRegistriesErrors: allowed and blocked together, then invalid entries', () => {
  const r = (allowed?: string[], policyBlocked?: string[]): ResolvedRegistries => ({
    ...(allowed === undefined ? {} : { allowed }),
    ...(policyBlocked === undefined ? {} : { policyBlocked }),
    warning: '',
  })
  assert.deepEqual(policyRegistriesErrors(RELEASE, r(['a.io'], ['b.io']), false), [ERR_ALLOWED_AND_BLOCKED])
  assert.deepEqual(policyRegistriesErrors(RELEASE, r([PAYLOAD], ['b.io']), false), [])
  assert.deepEqual(policyRegistriesErrors(RELEASE, r([PAYLOAD, PAYLOAD], ['b.io']), false), [ERR_ALLOWED_AND_BLOCKED])
  assert.deepEqual(policyRegistriesErrors(RELEASE, r(['a.io', ''], undefined), false), ['invalid entry for allowed registries ""'])
  assert.deepEqual(policyRegistriesErrors(RELEASE, r(['*.a.io/x'], ['foo.*.b']), true), [
    ERR_ALLOWED_AND_BLOCKED,
    'invalid entry for blocked registries "foo.*.b"',
    'invalid entry for allowed registries "*.a.io/x"',
  ])
  assert.deepEqual(policyRegistriesErrors(RELEASE, r(), true), [])
})

// ---------------------------------------------------------------------------
// Conformance: computedRegistries of every case in ../shared/conformance.

test('conformance: resolveRegistries matches computedRegistries / error.txt', (t) => {
  if (!existsSync(CONFORMANCE_DIR)) {
    t.skip('../shared/conformance not present')
    return
  }
  const names = readdirSync(join(CONFORMANCE_DIR, 'cases')).filter((f) => f.endsWith('.yaml'))
  assert.ok(names.length > 0, 'no conformance cases found')
  const failures: string[] = []
  for (const file of names) {
    const name = file.slice(0, -'.yaml'.length)
    const { releaseImage, sources, mirrors } = loadCase(join(CONFORMANCE_DIR, 'cases', file))
    const dir = join(CONFORMANCE_DIR, 'expected', name)
    const meta = asRecord(JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')))
    const got = resolveRegistries(releaseImage, sources, mirrors)
    if (meta['errorStage'] === 'getValidBlockedAndAllowedRegistries') {
      const want = readFileSync(join(dir, 'error.txt'), 'utf8')
      if (!('error' in got) || got.error !== want) failures.push(`${name}: got ${JSON.stringify(got)}, want error ${want}`)
      continue
    }
    const cr = asRecord(meta['computedRegistries'])
    const want = JSON.stringify([cr['registriesBlocked'] ?? null, cr['policyBlocked'] ?? null, cr['allowed'] ?? null, cr['warning']])
    const gotText =
      'error' in got
        ? JSON.stringify(got)
        : JSON.stringify([got.value.registriesBlocked ?? null, got.value.policyBlocked ?? null, got.value.allowed ?? null, got.value.warning])
    if (gotText !== want) failures.push(`${name}: got ${gotText}, want ${want}`)
  }
  t.diagnostic(`${names.length} cases, ${failures.length} failures`)
  assert.deepEqual(failures, [])
})
