import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ImageMirror, MirrorSets } from '../model.ts'
import {
  buildRegistriesConf,
  editRegistriesConfig,
  findRegistry,
  type LoadedRegistry,
  loadRegistriesConf,
  pullSourcesFromReference,
  type RegistryEntry,
  refMatchingPrefix,
  validateRegistriesConfScopes,
} from './registries-conf.ts'
import { goQuote } from '../upstream/go-strconv.ts'

const NO_MIRRORS: MirrorSets = { imageContentSourcePolicies: [], imageDigestMirrorSets: [], imageTagMirrorSets: [] }
const D64 = `sha256:${'a'.repeat(64)}`

function idms(...entries: ImageMirror[]): MirrorSets {
  return { ...NO_MIRRORS, imageDigestMirrorSets: [{ name: 'd', imageDigestMirrors: entries }] }
}

function entry(scope: string, extra: Partial<RegistryEntry> = {}): RegistryEntry {
  const base = scope.startsWith('*.') ? { prefix: scope, location: '' } : { prefix: '', location: scope }
  return { ...base, insecure: false, blocked: false, mirrors: [], ...extra }
}

function digestMirror(location: string, insecure = false) {
  return { location, insecure, pullFromMirror: 'digest-only' }
}

function edited(insecure: string[] | undefined, blocked: string[] | undefined, mirrors: MirrorSets): readonly RegistryEntry[] {
  const res = editRegistriesConfig(insecure, blocked, mirrors)
  assert.ok('value' in res, JSON.stringify(res))
  return res.value
}

test('validateRegistriesConfScopes: entries first, then IDMS, ICSP and ITMS rules', () => {
  assert.equal(validateRegistriesConfScopes(['*.a/b'], ['*.c/d'], [], NO_MIRRORS), 'invalid entry for insecure registries "*.a/b"')
  assert.equal(validateRegistriesConfScopes([], ['*.c/d'], [''], NO_MIRRORS), 'invalid entry for blocked registries "*.c/d"')
  assert.equal(validateRegistriesConfScopes(undefined, undefined, [''], NO_MIRRORS), 'invalid entry for allowed registries ""')
  assert.equal(
    validateRegistriesConfScopes([], [], [], idms({ source: 'quay.io/UPPER', mirrors: ['m.io'] })),
    'invalid format for source "quay.io/UPPER"',
  )
  assert.equal(
    validateRegistriesConfScopes([], [], [], idms({ source: 'quay.io/a', mirrors: ['*.m.io'] })),
    'invalid format for mirror "*.m.io"',
  )
  assert.equal(
    validateRegistriesConfScopes([], [], [], idms({ source: 'quay.io/a', mirrors: ['quay.io/a'], mirrorSourcePolicy: 'NeverContactSource' })),
    'cannot set mirrorSourcePolicy: NeverContactSource if the source "quay.io/a" is one of the mirrors',
  )
  const conflicting: MirrorSets = {
    imageContentSourcePolicies: [{ name: 'i', repositoryDigestMirrors: [{ source: 'quay.io/a', mirrors: ['m.io/a'] }] }],
    imageDigestMirrorSets: [],
    imageTagMirrorSets: [{ name: 't', imageTagMirrors: [{ source: 'quay.io/a', mirrors: ['m.io/a'], mirrorSourcePolicy: 'NeverContactSource' }] }],
  }
  assert.equal(
    validateRegistriesConfScopes([], [], [], conflicting),
    'conflicting mirrorSourcePolicy is set for the same source "quay.io/a" in imagedigestmirrorsets, imagetagmirrorsets, or imagecontentsourcepolicies',
  )
  assert.equal(validateRegistriesConfScopes([], [], [], idms({ source: '*.example.com', mirrors: ['m.io'] })), undefined)
  // The regexps must not backtrack exponentially on near misses.
  const start = Date.now()
  assert.equal(
    validateRegistriesConfScopes([], [], [], idms({ source: `a.com/${'a'.repeat(40)}!`, mirrors: [] })),
    `invalid format for source ${goQuote(`a.com/${'a'.repeat(40)}!`)}`,
  )
  assert.ok(Date.now() - start < 1000)
})

test('buildRegistriesConf validates before editing', () => {
  assert.deepEqual(buildRegistriesConf(undefined, ['foo.*.example.com'], NO_MIRRORS), {
    error: 'invalid entry for blocked registries "foo.*.example.com"',
  })
  assert.deepEqual(buildRegistriesConf([], undefined, NO_MIRRORS), { value: [] })
})

test('editRegistriesConfig: mirror sets of one source are merged in preference order', () => {
  const regs = edited(undefined, undefined, idms({ source: 'q.io/a', mirrors: ['b.io', 'c.io'] }, { source: 'q.io/a', mirrors: ['a.io', 'b.io'] }))
  assert.deepEqual(regs, [entry('q.io/a', { mirrors: [digestMirror('a.io'), digestMirror('b.io'), digestMirror('c.io')] })])
})

test('editRegistriesConfig: loops are broken in bytewise order; the source stays when not last', () => {
  const loop = edited(undefined, undefined, idms({ source: 'q.io/a', mirrors: ['y.io', 'x.io'] }, { source: 'q.io/a', mirrors: ['x.io', 'y.io'] }))
  assert.deepEqual(loop[0]?.mirrors.map((m) => m.location), ['q.io/a', 'x.io', 'y.io'])
  const sourceInside = edited(undefined, undefined, idms({ source: 'q.io/a', mirrors: ['m.io', 'q.io/a', 'n.io'] }))
  assert.deepEqual(sourceInside[0]?.mirrors.map((m) => m.location), ['m.io', 'q.io/a', 'n.io'])
})

test('editRegistriesConfig: sources are sorted; sets without a real mirror are ignored', () => {
  const regs = edited(
    undefined,
    undefined,
    idms(
      { source: 'z.io', mirrors: ['mz.io'] },
      { source: 'a.io', mirrors: ['a.io'], mirrorSourcePolicy: 'NeverContactSource' },
      { source: 'b.io', mirrors: [] },
      { source: 'm.io', mirrors: ['mm.io'], mirrorSourcePolicy: 'NeverContactSource' },
    ),
  )
  assert.deepEqual(regs, [entry('m.io', { blocked: true, mirrors: [digestMirror('mm.io')] }), entry('z.io', { mirrors: [digestMirror('mz.io')] })])
})

test('editRegistriesConfig: insecure and blocked flags propagate to nested scopes and mirrors', () => {
  const regs = edited(['*.insecure.com', 'mirror.insecure.io'], ['*.blocked.insecure.com', 'b.io'], idms({ source: 'b.io/x', mirrors: ['mirror.insecure.io/x'] }))
  assert.deepEqual(regs, [
    entry('b.io/x', { blocked: true, mirrors: [digestMirror('mirror.insecure.io/x', true)] }),
    entry('*.blocked.insecure.com', { insecure: true, blocked: true }),
    entry('b.io', { blocked: true }),
    entry('*.insecure.com', { insecure: true }),
    entry('mirror.insecure.io', { insecure: true }),
  ])
})

test('editRegistriesConfig: nested registries without mirrors inherit all the parent mirrors, path-adjusted', () => {
  const mirrors: MirrorSets = {
    ...idms({ source: 'q.io', mirrors: ['m.io/q'] }),
    imageTagMirrorSets: [{ name: 't', imageTagMirrors: [{ source: 'q.io', mirrors: ['t.io/q'] }] }],
  }
  const regs = edited(['q.io/ns/insecure'], undefined, mirrors)
  assert.deepEqual(regs, [
    entry('q.io', { mirrors: [digestMirror('m.io/q'), { location: 't.io/q', insecure: false, pullFromMirror: 'tag-only' }] }),
    // Gets every mirror of q.io (digest and tag), because it has none of its own.
    entry('q.io/ns/insecure', {
      insecure: true,
      mirrors: [digestMirror('m.io/q/ns/insecure'), { location: 't.io/q/ns/insecure', insecure: false, pullFromMirror: 'tag-only' }],
    }),
  ])
})

test('editRegistriesConfig: a mirror-less registry inside a wildcard mirror source is an internal error', () => {
  assert.deepEqual(editRegistriesConfig(undefined, ['a.example.com'], idms({ source: '*.example.com', mirrors: ['m.io'] })), {
    error: 'internal error: mirrorsAdjustedForNestedScope for a wildcard scope "*.example.com"',
  })
})

test('loadRegistriesConf: trims, fills prefixes, drops duplicate prefixes, sorts', () => {
  const res = loadRegistriesConf([entry('z.io'), entry('a.io/'), entry('*.w.io'), entry('a.io')])
  assert.deepEqual(res, {
    value: [
      { ...entry('*.w.io') },
      { ...entry('a.io'), prefix: 'a.io' },
      { ...entry('z.io'), prefix: 'z.io' },
    ],
  })
})

test('loadRegistriesConf: errors', () => {
  const at = 'loading registries configuration "/tmp/regtemp": '
  assert.deepEqual(loadRegistriesConf([entry('')]), { error: `${at}invalid condition: both location and prefix are unset` })
  assert.deepEqual(loadRegistriesConf([entry('https://q.io')]), {
    error: `${at}invalid location 'https://q.io': URI schemes are not supported`,
  })
  assert.deepEqual(loadRegistriesConf([entry('*.q.io/x')]), {
    error: `${at}Wildcarded prefix should be in the format: *.example.com. Current prefix "*.q.io/x" is incorrectly formatted`,
  })
  assert.deepEqual(loadRegistriesConf([entry('q.io/', { blocked: true }), entry('q.io')]), {
    error: `${at}registry 'q.io' is defined multiple times with conflicting 'blocked' setting`,
  })
})

test('refMatchingPrefix', () => {
  assert.equal(refMatchingPrefix('example.com', 'example.com'), 11)
  assert.equal(refMatchingPrefix('example.com:5000/a', 'example.com'), 11)
  assert.equal(refMatchingPrefix('example.com/a@x', 'example.com/a'), 13)
  assert.equal(refMatchingPrefix('example.community', 'example.com'), -1)
  assert.equal(refMatchingPrefix('a.example.com/x', '*.example.com'), 13)
  assert.equal(refMatchingPrefix('x/a.example.com', '*.example.com'), -1)
  // Only the first occurrence of the suffix is tried.
  assert.equal(refMatchingPrefix('a.example.com.example.com', '*.example.com'), -1)
})

test('findRegistry: longest prefix wins, wildcards by their own length', () => {
  const loaded = loadRegistriesConf([entry('q.io'), entry('q.io/ns'), entry('*.q.io')])
  assert.ok('value' in loaded)
  const find = (ref: string) => findRegistry(loaded.value, ref)?.prefix
  assert.equal(find('q.io/ns/repo'), 'q.io/ns')
  assert.equal(find('q.io/other'), 'q.io')
  assert.equal(find('a.q.io/x'), '*.q.io')
  assert.equal(find('other.io'), undefined)
})

test('pullSourcesFromReference: digest-only and tag-only mirrors, then the registry itself', () => {
  const reg: LoadedRegistry = {
    prefix: 'q.io/ns',
    location: 'q.io/ns',
    insecure: false,
    blocked: false,
    mirrors: [digestMirror('d.io/x'), { location: 't.io', insecure: false, pullFromMirror: 'tag-only' }],
  }
  const names = (ref: string) => {
    const parsed = pullSourcesFromReference(reg, ref.includes('@') ? { domain: 'q.io', path: 'ns/r', digest: D64 } : { domain: 'q.io', path: 'ns/r', tag: ref })
    assert.ok('value' in parsed)
    return parsed.value.map((s) => `${s.reference.domain}/${s.reference.path}`)
  }
  assert.deepEqual(names('@'), ['d.io/x/r', 'q.io/ns/r'])
  assert.deepEqual(names('v1'), ['t.io/r', 'q.io/ns/r'])
})

test('pullSourcesFromReference: a wildcard registry keeps the reference; errors are upstream texts', () => {
  const wild: LoadedRegistry = { prefix: '*.q.io', location: '', insecure: false, blocked: false, mirrors: [digestMirror('m.io')] }
  const res = pullSourcesFromReference(wild, { domain: 'a.q.io', path: 'r', digest: D64 })
  assert.deepEqual(res, {
    value: [
      { endpoint: { location: 'm.io', pullFromMirror: 'digest-only' }, reference: { domain: 'm.io', path: 'r', digest: D64 } },
      { endpoint: { location: '', pullFromMirror: '' }, reference: { domain: 'a.q.io', path: 'r', digest: D64 } },
    ],
  })
  const plain: LoadedRegistry = { prefix: 'q.io/r:t', location: 'q.io/r:t', insecure: false, blocked: false, mirrors: [] }
  assert.deepEqual(pullSourcesFromReference(plain, { domain: 'q.io', path: 'r', tag: 'aaa' }), {
    error: "invalid prefix 'q.io/r:t' for reference 'q.io/r:aaa'",
  })
  const shortName: LoadedRegistry = { prefix: 'q.io', location: 'q.io', insecure: false, blocked: false, mirrors: [digestMirror('mirror')] }
  assert.deepEqual(pullSourcesFromReference(shortName, { domain: 'q.io', path: 'r', digest: D64 }), {
    error: 'rewriting reference: repository name must be canonical',
  })
})
