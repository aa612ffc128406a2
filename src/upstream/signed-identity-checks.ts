// Upstream port: the checks containers/image runs when it builds a
// `signedIdentity` (signature/policy_config.go). Pure; no I/O.

import { isAnchoredDomain, isAnchoredName, parseNormalizedNamed, startsWithDomainAndSlash } from '../upstream/docker-reference.ts'

/**
 * `newPRMExactRepository`: the repository must parse with
 * `reference.ParseNormalizedNamed`. Returns the parser's error text, or undefined.
 * Like MCO, a tag or digest is accepted (the CRD forbids it; see validation).
 */
export function dockerRepositoryError(repository: string): string | undefined {
  const parsed = parseNormalizedNamed(repository)
  return 'error' in parsed ? parsed.error : undefined
}

/**
 * `validateIdentityRemappingPrefix`: a prefix is a bare `host[:port]`, or a
 * `host/...` repository name. True when the prefix is invalid.
 */
export function remapPrefixError(prefix: string): boolean {
  return !(isAnchoredDomain(prefix) || (isAnchoredName(prefix) && startsWithDomainAndSlash(prefix)))
}
