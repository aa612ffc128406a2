// Upstream port (src/upstream/): docker image reference parsing, ported from containers/image
// `docker/reference` (reference.go, normalize.go, regexp.go; v5.35.0 as vendored by MCO)
// and the digest checks of opencontainers/go-digest. Pure; no I/O; never throws.

/**
 * A parsed reference. `domain` is `''` when the name has no domain part (Go's
 * `repository{domain: ""}`); `tag` / `digest` are absent when not present.
 */
export interface DockerReference {
  readonly domain: string
  readonly path: string
  readonly tag?: string
  readonly digest?: string
}

export type ReferenceResult = { readonly value: DockerReference } | { readonly error: string }

// Error texts of docker/reference (reference.go `Err*`) and go-digest.
export const ERR_REFERENCE_INVALID_FORMAT = 'invalid reference format'
export const ERR_TAG_INVALID_FORMAT = 'invalid tag format'
export const ERR_DIGEST_INVALID_FORMAT = 'invalid digest format'
export const ERR_NAME_CONTAINS_UPPERCASE = 'repository name must be lowercase'
export const ERR_NAME_EMPTY = 'repository name must have at least one component'
export const ERR_NAME_TOO_LONG = 'repository name must not be more than 255 characters'
export const ERR_NAME_NOT_CANONICAL = 'repository name must be canonical'
export const ERR_CHECKSUM_DIGEST_INVALID_FORMAT = 'invalid checksum digest format'
export const ERR_CHECKSUM_DIGEST_INVALID_LENGTH = 'invalid checksum digest length'
export const ERR_CHECKSUM_DIGEST_UNSUPPORTED = 'unsupported digest algorithm'

/** `reference.NameTotalLengthMax`. */
export const NAME_TOTAL_LENGTH_MAX = 255

// Grammar of docker/reference regexp.go. One deliberate textual difference: the
// separator is `[-]+` where Go writes `[-]*`. Both accept the same strings (an empty
// separator only joins two alphanumeric runs, which `[a-z0-9]+` already covers) and
// yield the same captures, but `[-]*` makes JavaScript's backtracking engine
// exponential on near-misses; Go's RE2 engine does not backtrack.
const ALPHA_NUMERIC = '[a-z0-9]+'
const SEPARATOR = '(?:[._]|__|[-]+)'
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
const TAG = '[\\w][\\w.-]{0,127}'
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}'
const NAME_COMPONENT = `${ALPHA_NUMERIC}(?:${SEPARATOR}${ALPHA_NUMERIC})*`

/** Source of `reference.DomainRegexp` (unanchored): `host[.host...][:port]`. */
export const DOMAIN_PATTERN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`
/** Source of `reference.NameRegexp` (unanchored): `[domain/]component[/component...]`. */
export const NAME_PATTERN = `(?:${DOMAIN_PATTERN}/)?${NAME_COMPONENT}(?:/${NAME_COMPONENT})*`

const ANCHORED_NAME_RE = new RegExp(`^(?:(${DOMAIN_PATTERN})/)?(${NAME_COMPONENT}(?:/${NAME_COMPONENT})*)$`)
const REFERENCE_RE = new RegExp(`^(${NAME_PATTERN})(?::(${TAG}))?(?:@(${DIGEST}))?$`)
const ANCHORED_TAG_RE = new RegExp(`^${TAG}$`)
const ANCHORED_DIGEST_RE = new RegExp(`^${DIGEST}$`)
const ANCHORED_IDENTIFIER_RE = /^[a-f0-9]{64}$/
const ANCHORED_DOMAIN_RE = new RegExp(`^${DOMAIN_PATTERN}$`)
const DOMAIN_SLASH_PREFIX_RE = new RegExp(`^${DOMAIN_PATTERN}/`)
const ANCHORED_NAME_ONLY_RE = new RegExp(`^${NAME_PATTERN}$`)

// go-digest: algorithms linked into MCO, with their byte sizes, and `DigestRegexpAnchored`.
const DIGEST_SIZES: ReadonlyMap<string, number> = new Map([
  ['sha256', 32],
  ['sha384', 48],
  ['sha512', 64],
])
const GO_DIGEST_ANCHORED_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/
const HEX_LOWER_RE = /^[a-f0-9]*$/

/** `^DomainRegexp$`: the whole string is a bare `domain[:port]`. */
export function isAnchoredDomain(s: string): boolean {
  return ANCHORED_DOMAIN_RE.test(s)
}

/** `^NameRegexp$`: the whole string is a (possibly unnormalized) repository name. */
export function isAnchoredName(s: string): boolean {
  return ANCHORED_NAME_ONLY_RE.test(s)
}

/** `^DomainRegexp/`: the string starts with an explicit domain followed by `/`. */
export function startsWithDomainAndSlash(s: string): boolean {
  return DOMAIN_SLASH_PREFIX_RE.test(s)
}

/** `Named.Name()`: `domain/path`, or just `path` without a domain. */
export function referenceName(ref: DockerReference): string {
  return ref.domain === '' ? ref.path : `${ref.domain}/${ref.path}`
}

/** `Reference.String()`: `name[:tag][@digest]`. */
export function referenceString(ref: DockerReference): string {
  let s = referenceName(ref)
  if (ref.tag !== undefined) s += `:${ref.tag}`
  if (ref.digest !== undefined) s += `@${ref.digest}`
  return s
}

/**
 * go-digest `Digest.Validate` (via `digest.Parse`): returns the error text, or
 * `undefined` for a valid digest of an available algorithm (sha256/384/512).
 */
export function validateDigest(d: string): string | undefined {
  const i = d.indexOf(':')
  if (i <= 0 || i + 1 === d.length) return ERR_CHECKSUM_DIGEST_INVALID_FORMAT
  const size = DIGEST_SIZES.get(d.slice(0, i))
  const encoded = d.slice(i + 1)
  if (size === undefined) {
    return GO_DIGEST_ANCHORED_RE.test(d) ? ERR_CHECKSUM_DIGEST_UNSUPPORTED : ERR_CHECKSUM_DIGEST_INVALID_FORMAT
  }
  if (encoded.length !== size * 2) return ERR_CHECKSUM_DIGEST_INVALID_LENGTH
  return HEX_LOWER_RE.test(encoded) ? undefined : ERR_CHECKSUM_DIGEST_INVALID_FORMAT
}

function makeReference(domain: string, path: string, tag: string | undefined, digest: string | undefined): DockerReference {
  return {
    domain,
    path,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
  }
}

/**
 * `reference.Parse`: the full grammar, no normalization (a name without domain keeps
 * an empty `domain`). Errors are Go's texts.
 */
export function parseReference(s: string): ReferenceResult {
  const m = REFERENCE_RE.exec(s)
  if (m === null) {
    if (s === '') return { error: ERR_NAME_EMPTY }
    // Go lowercases with strings.ToLower; identical for the ASCII grammar.
    if (REFERENCE_RE.test(s.toLowerCase())) return { error: ERR_NAME_CONTAINS_UPPERCASE }
    return { error: ERR_REFERENCE_INVALID_FORMAT }
  }
  const name = m[1] ?? ''
  if (name.length > NAME_TOTAL_LENGTH_MAX) return { error: ERR_NAME_TOO_LONG }
  const nameMatch = ANCHORED_NAME_RE.exec(name)
  const domain = nameMatch === null ? '' : (nameMatch[1] ?? '')
  const path = nameMatch === null ? name : (nameMatch[2] ?? '')
  const tag = m[2] === undefined || m[2] === '' ? undefined : m[2]
  let digest: string | undefined
  if (m[3] !== undefined && m[3] !== '') {
    const err = validateDigest(m[3])
    if (err !== undefined) return { error: err }
    digest = m[3]
  }
  return { value: makeReference(domain, path, tag, digest) }
}

/** normalize.go `splitDockerDomain`: implicit `docker.io` and `library/`. */
function splitDockerDomain(name: string): readonly [string, string] {
  const i = name.indexOf('/')
  let domain: string
  let remainder: string
  if (i === -1 || (!/[.:]/.test(name.slice(0, i)) && name.slice(0, i) !== 'localhost')) {
    domain = 'docker.io'
    remainder = name
  } else {
    domain = name.slice(0, i)
    remainder = name.slice(i + 1)
  }
  if (domain === 'index.docker.io') domain = 'docker.io'
  if (domain === 'docker.io' && !remainder.includes('/')) remainder = `library/${remainder}`
  return [domain, remainder]
}

/**
 * `reference.ParseNormalizedNamed`: familiar names are expanded (`busybox` →
 * `docker.io/library/busybox`). Used e.g. by containers/image `NewPRMExactRepository`.
 */
export function parseNormalizedNamed(s: string): ReferenceResult {
  if (ANCHORED_IDENTIFIER_RE.test(s)) {
    return { error: `invalid repository name (${s}), cannot specify 64-byte hexadecimal strings` }
  }
  const [domain, remainder] = splitDockerDomain(s)
  const tagSep = remainder.indexOf(':')
  const remoteName = tagSep > -1 ? remainder.slice(0, tagSep) : remainder
  if (remoteName.toLowerCase() !== remoteName) {
    return { error: 'invalid reference format: repository name must be lowercase' }
  }
  return parseReference(`${domain}/${remainder}`)
}

/**
 * `reference.ParseNamed`: `ParseNormalizedNamed`, and the input must already be in
 * canonical (fully qualified) form, else `repository name must be canonical`.
 */
export function parseNamed(s: string): ReferenceResult {
  const named = parseNormalizedNamed(s)
  if ('error' in named) return named
  if (referenceString(named.value) !== s) return { error: ERR_NAME_NOT_CANONICAL }
  return named
}

/** `reference.TrimNamed`: the repository name only, without tag and digest. */
export function trimNamed(ref: DockerReference): DockerReference {
  return { domain: ref.domain, path: ref.path }
}

/** `reference.WithTag`: keeps an existing digest. */
export function withTag(ref: DockerReference, tag: string): ReferenceResult {
  if (!ANCHORED_TAG_RE.test(tag)) return { error: ERR_TAG_INVALID_FORMAT }
  return { value: makeReference(ref.domain, ref.path, tag, ref.digest) }
}

/** `reference.WithDigest`: keeps an existing tag. */
export function withDigest(ref: DockerReference, digest: string): ReferenceResult {
  if (!ANCHORED_DIGEST_RE.test(digest)) return { error: ERR_DIGEST_INVALID_FORMAT }
  return { value: makeReference(ref.domain, ref.path, ref.tag, digest) }
}
