import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  type DockerReference,
  isAnchoredDomain,
  isAnchoredName,
  parseNamed,
  parseNormalizedNamed,
  parseReference,
  type ReferenceResult,
  referenceName,
  referenceString,
  startsWithDomainAndSlash,
  trimNamed,
  validateDigest,
  withDigest,
  withTag,
} from './docker-reference.ts'

const D64 = `sha256:${'a'.repeat(64)}`

interface ParseCase {
  readonly name: string
  readonly input: string
  readonly want: DockerReference | { readonly error: string }
}

function check(got: ReferenceResult, want: ParseCase['want']): void {
  if ('error' in want) assert.deepEqual(got, { error: want.error })
  else assert.deepEqual(got, { value: want })
}

const PARSE_CASES: readonly ParseCase[] = [
  { name: 'domain, path, tag and digest', input: `quay.io/org/repo:v1@${D64}`, want: { domain: 'quay.io', path: 'org/repo', tag: 'v1', digest: D64 } },
  { name: 'no domain is kept as is', input: 'busybox', want: { domain: '', path: 'busybox' } },
  { name: 'Parse takes any first component as the domain', input: 'org/repo', want: { domain: 'org', path: 'repo' } },
  { name: 'domain with port', input: 'example.com:5000/a', want: { domain: 'example.com:5000', path: 'a' } },
  { name: 'upper-case domain is fine', input: 'Registry.Example.COM/app', want: { domain: 'Registry.Example.COM', path: 'app' } },
  { name: 'repeated dashes and double underscore', input: 'a.com/e--f/c__d', want: { domain: 'a.com', path: 'e--f/c__d' } },
  { name: 'empty', input: '', want: { error: 'repository name must have at least one component' } },
  { name: 'upper-case path', input: 'example.com/UPPER', want: { error: 'repository name must be lowercase' } },
  { name: 'garbage', input: 'Not A Reference', want: { error: 'invalid reference format' } },
  { name: 'a tag cannot hold a slash', input: 'mirror.io/x:5000/a', want: { error: 'invalid reference format' } },
  { name: 'trailing slash', input: 'a.com/', want: { error: 'invalid reference format' } },
  { name: 'name over 255 characters', input: `a.com/${'x'.repeat(250)}`, want: { error: 'repository name must not be more than 255 characters' } },
  { name: 'digest of the wrong length', input: `a.com/r@sha256:${'a'.repeat(63)}`, want: { error: 'invalid checksum digest length' } },
  { name: 'upper-case digest hex', input: `a.com/r@sha256:${'A'.repeat(64)}`, want: { error: 'invalid checksum digest format' } },
  { name: 'unknown digest algorithm', input: `a.com/r@md5:${'a'.repeat(32)}`, want: { error: 'unsupported digest algorithm' } },
]

for (const c of PARSE_CASES) {
  test(`parseReference: ${c.name}`, () => check(parseReference(c.input), c.want))
}

const NORMALIZED_CASES: readonly ParseCase[] = [
  { name: 'familiar name', input: 'busybox', want: { domain: 'docker.io', path: 'library/busybox' } },
  { name: 'familiar org/repo', input: 'org/repo:v1', want: { domain: 'docker.io', path: 'org/repo', tag: 'v1' } },
  { name: 'legacy index.docker.io', input: 'index.docker.io/foo', want: { domain: 'docker.io', path: 'library/foo' } },
  { name: 'localhost is a domain', input: 'localhost/x', want: { domain: 'localhost', path: 'x' } },
  {
    name: 'upper case in the path',
    input: 'example.com/UPPER',
    want: { error: 'invalid reference format: repository name must be lowercase' },
  },
  {
    name: '64 hex characters',
    input: 'a'.repeat(64),
    want: { error: `invalid repository name (${'a'.repeat(64)}), cannot specify 64-byte hexadecimal strings` },
  },
]

for (const c of NORMALIZED_CASES) {
  test(`parseNormalizedNamed: ${c.name}`, () => check(parseNormalizedNamed(c.input), c.want))
}

const NAMED_CASES: readonly ParseCase[] = [
  { name: 'canonical with digest', input: `quay.io/a/b@${D64}`, want: { domain: 'quay.io', path: 'a/b', digest: D64 } },
  { name: 'canonical with tag', input: 'release-reg.io/image/release:latest', want: { domain: 'release-reg.io', path: 'image/release', tag: 'latest' } },
  { name: 'familiar name is not canonical', input: 'busybox', want: { error: 'repository name must be canonical' } },
  { name: 'docker.io without library/', input: 'docker.io/busybox', want: { error: 'repository name must be canonical' } },
  { name: 'empty release image', input: '', want: { error: 'invalid reference format' } },
  { name: 'spaces', input: 'Not A Reference', want: { error: 'invalid reference format: repository name must be lowercase' } },
]

for (const c of NAMED_CASES) {
  test(`parseNamed: ${c.name}`, () => check(parseNamed(c.input), c.want))
}

test('referenceName / referenceString / trimNamed', () => {
  const ref: DockerReference = { domain: 'quay.io', path: 'a/b', tag: 't', digest: D64 }
  assert.equal(referenceName(ref), 'quay.io/a/b')
  assert.equal(referenceString(ref), `quay.io/a/b:t@${D64}`)
  assert.deepEqual(trimNamed(ref), { domain: 'quay.io', path: 'a/b' })
  assert.equal(referenceName({ domain: '', path: 'busybox' }), 'busybox')
})

test('withTag / withDigest keep the other part and validate theirs', () => {
  const repo: DockerReference = { domain: 'a.com', path: 'r' }
  assert.deepEqual(withTag({ ...repo, digest: D64 }, 'aaa'), { value: { ...repo, tag: 'aaa', digest: D64 } })
  assert.deepEqual(withDigest({ ...repo, tag: 'x' }, D64), { value: { ...repo, tag: 'x', digest: D64 } })
  assert.deepEqual(withTag(repo, '-bad'), { error: 'invalid tag format' })
  assert.deepEqual(withTag(repo, 'x'.repeat(129)), { error: 'invalid tag format' })
  assert.deepEqual(withDigest(repo, 'sha256:abc'), { error: 'invalid digest format' })
})

test('validateDigest follows go-digest', () => {
  assert.equal(validateDigest(D64), undefined)
  assert.equal(validateDigest(`sha512:${'0'.repeat(128)}`), undefined)
  assert.equal(validateDigest('sha256'), 'invalid checksum digest format')
  assert.equal(validateDigest('sha256:'), 'invalid checksum digest format')
  assert.equal(validateDigest(`SHA256:${'a'.repeat(64)}`), 'invalid checksum digest format')
  assert.equal(validateDigest(`foo:${'a'.repeat(64)}`), 'unsupported digest algorithm')
})

test('domain and name matchers (for RemapIdentity prefixes)', () => {
  assert.equal(isAnchoredDomain('example.com:443'), true)
  assert.equal(isAnchoredDomain('example.com/ns'), false)
  assert.equal(isAnchoredName('example.com/ns/repo'), true)
  assert.equal(isAnchoredName('example.com/ns:tag'), false)
  assert.equal(startsWithDomainAndSlash('example.com/ns'), true)
  assert.equal(startsWithDomainAndSlash('example.com'), false)
})

test('near-miss inputs do not backtrack exponentially', () => {
  const start = Date.now()
  for (const input of [
    `a.com/${'a'.repeat(40)}!`,
    `a.com/${'a-'.repeat(30)}!`,
    `${'a'.repeat(3000)}!`,
    `a.com/${'ab/'.repeat(80)}UPPER`,
  ]) {
    assert.ok('error' in parseReference(input))
    assert.ok('error' in parseNormalizedNamed(input))
  }
  assert.ok(Date.now() - start < 2000, 'parsing took too long')
})
