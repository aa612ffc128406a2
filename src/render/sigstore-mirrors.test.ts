import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import type { MirrorSets, RegistrySources, ResolvedRegistries } from '../model.ts'
import { resolveRegistries } from '../resolve/registries.ts'
import { scopeIsNestedInsideScope } from '../resolve/scope-nesting.ts'
import { buildRegistriesConf, REGISTRIES_CONF_ERROR_PREFIX, registriesConfRendered, resolveRegistriesConf, type RegistryEntry } from '../resolve/registries-conf.ts'
import { sigstoreRegistryKeys as keysFromConf } from './sigstore-mirrors.ts'
import { asRecord, CONFORMANCE_DIR, loadCase, readYaml } from '../../test/shared-conformance.ts'

/** The keys for these inputs, from the registries.conf `resolve` builds for them. */
const sigstoreRegistryKeys = (scopes: readonly string[], sources: RegistrySources, resolved: ResolvedRegistries, mirrors: MirrorSets) =>
  keysFromConf(scopes, resolveRegistriesConf(sources, resolved, mirrors))

const NO_MIRRORS: MirrorSets = { imageContentSourcePolicies: [], imageDigestMirrorSets: [], imageTagMirrorSets: [] }
const NOTHING_RESOLVED: ResolvedRegistries = { warning: '' }

function idms(...entries: (readonly [string, readonly string[]])[]): MirrorSets {
  return {
    ...NO_MIRRORS,
    imageDigestMirrorSets: [{ name: 'idms', imageDigestMirrors: entries.map(([source, mirrors]) => ({ source, mirrors })) }],
  }
}

function sorted(keys: Iterable<string>): string[] {
  return [...keys].sort()
}

// The scopes of MCO's `clusterImagePolicyTestCRs()["test-cr2"]` (helpers_test.go).
const S = ['a.com/a1/a2', `a.com/a1/a2@sha256:${'0'.repeat(64)}`, '*.example.com', 'policy.scope', 'foo.example.com/ns/repo']

interface KeysCase {
  readonly name: string
  readonly scopes: readonly string[]
  readonly sources?: RegistrySources
  readonly resolved?: ResolvedRegistries
  readonly mirrors?: MirrorSets
  readonly want: readonly string[] | { readonly error: string }
}

const KEYS_CASES: readonly KeysCase[] = [
  { name: 'no registries.conf: keys are the scopes', scopes: S, want: S },
  {
    // MCO TestGenerateSigstoreRegistriesConfig: mirror sets unrelated to the scopes.
    name: 'unrelated ICSP, IDMS and ITMS',
    scopes: S,
    mirrors: {
      imageContentSourcePolicies: [{ name: 'i', repositoryDigestMirrors: [{ source: 'x.com/x1/x2', mirrors: ['x-x1-x2.mirror/x1/x2'] }] }],
      imageDigestMirrorSets: [{ name: 'd', imageDigestMirrors: [{ source: 'y.com/y1/y2', mirrors: ['y-y1-y2.mirror/y1/y2'] }] }],
      imageTagMirrorSets: [{ name: 't', imageTagMirrors: [{ source: 'z.com/z1/z2', mirrors: ['z-z1-z2.mirror/z1/z2'] }] }],
    },
    want: S,
  },
  {
    name: 'mirrors of the scope and of registries nested in it',
    scopes: S,
    mirrors: idms(
      ['a.com/a1/a2', ['a-a1-a2.mirror/a1/a2']],
      ['a.com/a1/a2/a3', ['a-a1-a2-a3.mirror/m1/m2/m3']],
      ['a.com/a1/a2/a3-1', ['a-a1-a2-a3-1.mirror/m1/m2/m3']],
      ['x.com/x1/x2', ['x-x1-x2.mirror/m1/m2']],
    ),
    want: [
      ...S,
      'a-a1-a2.mirror/a1/a2',
      'a.com/a1/a2/a3',
      'a-a1-a2-a3.mirror/m1/m2/m3',
      'a.com/a1/a2/a3-1',
      'a-a1-a2-a3-1.mirror/m1/m2/m3',
    ],
  },
  {
    name: 'longest matching parent wins and its mirror gets the remaining path',
    scopes: S,
    mirrors: idms(['a.com', ['a.mirror']], ['a.com/a1', ['a-a1.mirror/a1']], ['x.com/x1/x2', ['x-x1-x2.mirror/x1/x2']]),
    want: [...S, 'a-a1.mirror/a1/a2'],
  },
  {
    name: 'wildcard source equal to the wildcard scope: only mirrors, matched. path dropped',
    scopes: S,
    mirrors: idms(['*.example.com', ['our.mirror/example']]),
    want: [...S, 'our.mirror/example', 'our.mirror/example/ns/repo'],
  },
  {
    name: 'wildcard sources nested in a wildcard scope',
    scopes: S,
    mirrors: idms(
      ['a.example.com', ['a-example.mirror']],
      ['*.x.example.com', ['matched.example.mirror', 'star-x.example.mirror']],
      ['*.scope', ['start-scope.mirror']],
      ['x/x1/x2', ['x-x1-x2.mirror/x1/x2']],
    ),
    want: [...S, 'a.example.com', 'a-example.mirror', 'matched.example.mirror', 'star-x.example.mirror', 'start-scope.mirror'],
  },
  {
    name: 'blocked registry nested in a scope adds its own name even without mirrors',
    scopes: ['example.com'],
    resolved: { registriesBlocked: ['example.com/bad'], policyBlocked: ['example.com/bad'], warning: '' },
    want: ['example.com', 'example.com/bad'],
  },
  {
    name: 'explicit empty insecureRegistries renders registries.conf (no extra keys here)',
    scopes: ['example.com'],
    sources: { insecureRegistries: [] },
    want: ['example.com'],
  },
  {
    name: 'digest-only mirrors are found through the dummy digest reference, tag-only through the dummy tag',
    scopes: ['quay.io/org'],
    mirrors: {
      ...NO_MIRRORS,
      imageDigestMirrorSets: [{ name: 'd', imageDigestMirrors: [{ source: 'quay.io/org', mirrors: ['digest.mirror/org'] }] }],
      imageTagMirrorSets: [{ name: 't', imageTagMirrors: [{ source: 'quay.io/org', mirrors: ['tag.mirror/org'] }] }],
    },
    want: ['quay.io/org', 'digest.mirror/org', 'tag.mirror/org'],
  },
  {
    name: 'tag and digest scopes are looked up by their repository',
    scopes: ['quay.io/org/app:v1', `quay.io/org/app@sha256:${'1'.repeat(64)}`],
    mirrors: idms(['quay.io/org', ['mirror.io/org']]),
    want: ['quay.io/org/app:v1', `quay.io/org/app@sha256:${'1'.repeat(64)}`, 'mirror.io/org/app', 'quay.io/org/app'],
  },
  {
    // sysregistriesv2 refMatchingPrefix lets `example.com` match `example.com:5000`.
    name: 'a registry prefix matches the same host with a port',
    scopes: ['example.com:5000'],
    mirrors: idms(['example.com', ['mirror.io']]),
    want: ['example.com:5000', 'mirror.io:5000'],
  },
  {
    name: 'port quirk with a mirror path: the rewritten reference does not parse',
    scopes: ['example.com:5000'],
    mirrors: idms(['example.com', ['mirror.io/x']]),
    want: {
      error:
        'error adding clusterimagepolicy scope example.com:5000 relevant mirrors: error getting digest sources for scope example.com:5000/a: rewriting reference: invalid reference format',
    },
  },
  {
    name: 'scope with an upper-case path does not parse once a registry matches',
    scopes: ['example.com/UPPER'],
    mirrors: idms(['example.com', ['mirror.io']]),
    want: {
      error:
        'error adding clusterimagepolicy scope example.com/UPPER relevant mirrors: error parsing scope example.com/UPPER: repository name must be lowercase',
    },
  },
  {
    name: 'unparseable scope is harmless when no registry matches it',
    scopes: ['example.com/UPPER'],
    mirrors: idms(['other.com', ['mirror.io']]),
    want: ['example.com/UPPER'],
  },
  {
    name: 'blocked entry with a tag inside the scope: its own prefix does not match the trimmed reference',
    scopes: ['example.com'],
    resolved: { registriesBlocked: ['example.com/repo:tag'], policyBlocked: ['example.com/repo:tag'], warning: '' },
    want: {
      error: `error adding clusterimagepolicy scope example.com relevant mirrors: error getting digest sources for scope example.com/repo:tag: invalid prefix 'example.com/repo:tag' for reference 'example.com/repo@sha256:${'a'.repeat(64)}'`,
    },
  },
  {
    name: 'registries.conf errors come first',
    scopes: ['example.com'],
    resolved: { registriesBlocked: ['foo.*.example.com'], policyBlocked: ['foo.*.example.com'], warning: '' },
    want: { error: 'invalid entry for blocked registries "foo.*.example.com"' },
  },
  {
    name: 'duplicate scopes are reported once',
    scopes: ['a.com', 'a.com'],
    want: ['a.com'],
  },
]

for (const c of KEYS_CASES) {
  test(`sigstoreRegistryKeys: ${c.name}`, () => {
    const got = sigstoreRegistryKeys(c.scopes, c.sources ?? {}, c.resolved ?? NOTHING_RESOLVED, c.mirrors ?? NO_MIRRORS)
    if ('error' in c.want) {
      assert.deepEqual(got, { error: c.want.error })
    } else {
      assert.ok('keys' in got, JSON.stringify(got))
      assert.deepEqual(sorted(got.keys), sorted(new Set(c.want)))
    }
  })
}

test('registriesConfRendered: nil vs empty lists and mirror set objects', () => {
  assert.equal(registriesConfRendered({}, NOTHING_RESOLVED, NO_MIRRORS), false)
  assert.equal(registriesConfRendered({ blockedRegistries: [], allowedRegistries: ['a.io'] }, NOTHING_RESOLVED, NO_MIRRORS), false)
  assert.equal(registriesConfRendered({ insecureRegistries: [] }, NOTHING_RESOLVED, NO_MIRRORS), true)
  assert.equal(registriesConfRendered({}, { registriesBlocked: ['b.io'], warning: '' }, NO_MIRRORS), true)
  const emptyItms: MirrorSets = { ...NO_MIRRORS, imageTagMirrorSets: [{ name: 'empty', imageTagMirrors: [] }] }
  assert.equal(registriesConfRendered({}, NOTHING_RESOLVED, emptyItms), true)
})

// ---------------------------------------------------------------------------
// Conformance: every case of ../shared/conformance (MCO's own output).

const SYNC_PREFIX = 'could not Create/Update MachineConfig: '

/** The `[[registry]]` tables of MCO's registries.conf (BurntSushi/toml output). */
function parseRegistriesToml(text: string): RegistryEntry[] {
  type Mutable = { prefix: string; location: string; insecure: boolean; blocked: boolean; mirrors: Record<string, unknown>[] }
  const regs: Mutable[] = []
  let table: Record<string, unknown> | undefined
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '[[registry]]') {
      const reg: Mutable = { prefix: '', location: '', insecure: false, blocked: false, mirrors: [] }
      regs.push(reg)
      table = reg as unknown as Record<string, unknown>
    } else if (line === '[[registry.mirror]]') {
      const mirror = { location: '', insecure: false, pullFromMirror: '' }
      regs[regs.length - 1]?.mirrors.push(mirror)
      table = mirror
    } else if (table !== undefined && line.includes(' = ')) {
      const [key = '', value = ''] = line.split(/ = (.*)/)
      const field = key === 'pull-from-mirror' ? 'pullFromMirror' : key
      table[field] = JSON.parse(value) as unknown
    }
  }
  return regs as unknown as RegistryEntry[]
}

function caseNames(): string[] {
  return readdirSync(join(CONFORMANCE_DIR, 'cases'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort()
}

test('conformance: registries, registries.conf presence and sigstore keys match MCO', (t) => {
  if (!existsSync(CONFORMANCE_DIR)) {
    t.skip('../shared/conformance not present')
    return
  }
  const names = caseNames()
  assert.ok(names.length > 0, 'no conformance cases found')
  const failures: string[] = []
  const counts = { resolve: 0, rendered: 0, registriesConf: 0, keys: 0, keyErrors: 0 }
  for (const name of names) {
    const fail = (what: string, got: unknown, want: unknown): void => {
      failures.push(`${name}: ${what}\n  got:  ${JSON.stringify(got)}\n  want: ${JSON.stringify(want)}`)
    }
    const c = loadCase(join(CONFORMANCE_DIR, 'cases', `${name}.yaml`))
    const dir = join(CONFORMANCE_DIR, 'expected', name)
    const meta = asRecord(JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')))
    const errorPath = join(dir, 'error.txt')
    const wantError = existsSync(errorPath) ? readFileSync(errorPath, 'utf8') : undefined
    const stage = meta['errorStage']

    const resolved = resolveRegistries(c.releaseImage, c.sources, c.mirrors)
    counts.resolve++
    if (stage === 'getValidBlockedAndAllowedRegistries') {
      if (!('error' in resolved) || resolved.error !== wantError) fail('resolveRegistries error', resolved, wantError)
      continue
    }
    if ('error' in resolved) {
      fail('resolveRegistries', resolved, meta['computedRegistries'])
      continue
    }
    const cr = asRecord(meta['computedRegistries'])
    const want = {
      registriesBlocked: cr['registriesBlocked'] ?? undefined,
      policyBlocked: cr['policyBlocked'] ?? undefined,
      allowed: cr['allowed'] ?? undefined,
      warning: cr['warning'],
    }
    const got = {
      registriesBlocked: resolved.value.registriesBlocked,
      policyBlocked: resolved.value.policyBlocked,
      allowed: resolved.value.allowed,
      warning: resolved.value.warning,
    }
    if (JSON.stringify(got) !== JSON.stringify(want)) fail('computedRegistries', got, want)

    const rendered = registriesConfRendered(c.sources, resolved.value, c.mirrors)
    if (typeof meta['registriesConfPresent'] === 'boolean') {
      counts.rendered++
      if (rendered !== meta['registriesConfPresent']) fail('registriesConfPresent', rendered, meta['registriesConfPresent'])
    }

    // The [[registry]] list, against the registries.conf MCO wrote.
    const confPath = join(dir, 'etc', 'containers', 'registries.conf')
    const confErrorPrefix = SYNC_PREFIX + REGISTRIES_CONF_ERROR_PREFIX
    if (existsSync(confPath) || wantError?.startsWith(confErrorPrefix) === true) {
      counts.registriesConf++
      const conf = buildRegistriesConf(c.sources.insecureRegistries, resolved.value.registriesBlocked, c.mirrors)
      if (wantError !== undefined) {
        if (!('error' in conf) || confErrorPrefix + conf.error !== wantError) fail('registries.conf error', conf, wantError)
      } else if ('error' in conf) {
        fail('registries.conf', conf, 'no error')
      } else {
        const wantRegs = parseRegistriesToml(readFileSync(confPath, 'utf8'))
        if (JSON.stringify(conf.value) !== JSON.stringify(wantRegs)) fail('registries.conf [[registry]]', conf.value, wantRegs)
      }
    }

    const cip = c.cipScopes
    const scopes = [...cip, ...c.ipScopes.filter((s) => !cip.some((cs) => scopeIsNestedInsideScope(s, cs)))]
    const yamlPath = join(dir, 'etc', 'containers', 'registries.d', 'sigstore-registries.yaml')
    const policyStage =
      wantError !== undefined &&
      (!wantError.startsWith(SYNC_PREFIX) ||
        wantError.startsWith(`${SYNC_PREFIX}could not update policy json with new changes: `) ||
        wantError.startsWith(`${SYNC_PREFIX}could not update namespace policy JSON from imagepolicy: `))
    if (existsSync(yamlPath)) {
      counts.keys++
      const keys = sigstoreRegistryKeys(scopes, c.sources, resolved.value, c.mirrors)
      const wantKeys = sorted(Object.keys(asRecord(asRecord(readYaml(yamlPath))['docker'])))
      if (!('keys' in keys)) fail('sigstore keys', keys, wantKeys)
      else if (JSON.stringify(sorted(keys.keys)) !== JSON.stringify(wantKeys)) fail('sigstore keys', sorted(keys.keys), wantKeys)
    } else if (wantError !== undefined && !policyStage) {
      // Failed in registriesConfigIgnition at the registries.conf or mirror stage.
      counts.keyErrors++
      const keys = sigstoreRegistryKeys(scopes, c.sources, resolved.value, c.mirrors)
      const confFailed = wantError.startsWith(confErrorPrefix)
      const wrapped = 'error' in keys ? (confFailed ? confErrorPrefix : SYNC_PREFIX) + keys.error : undefined
      if (wrapped !== wantError) fail('sigstore keys error', keys, wantError)
    } else if (wantError === undefined && scopes.length > 0) {
      fail('sigstore-registries.yaml missing although there are scopes', scopes, 'a file')
    }
  }
  t.diagnostic(
    `${names.length} cases: resolveRegistries ${counts.resolve}, registriesConfPresent ${counts.rendered}, ` +
      `registries.conf ${counts.registriesConf}, sigstore keys ${counts.keys}, mirror-stage errors ${counts.keyErrors}; ` +
      `${failures.length} failures`,
  )
  assert.deepEqual(failures, [])
})
