// Upstream port (src/upstream/): the scope and pattern checks registries.conf entries
// must pass: openshift/runtime-utils `IsValidRegistriesConfScope` and MCO helpers.go
// `sourceRegex` / `mirrorRegex` (the IDMS/ITMS CRD patterns). Pure; no I/O.

/**
 * runtime-utils `IsValidRegistriesConfScope`: non-empty, and a `*` is only allowed as
 * a leading `*.` with none of `/@:*` after it.
 */
export function isValidRegistriesConfScope(scope: string): boolean {
  if (scope === '') return false
  if (!scope.includes('*')) return true
  return scope.startsWith('*.') && !/[/@:*]/.test(scope.slice(2))
}

// MCO helpers.go `sourceRegex` / `mirrorRegex` (the IDMS/ITMS CRD patterns, kept for
// ICSP). `[-]*` is written `[-]+` here: same language, no exponential backtracking.
const HOST_PART =
  '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))+)?(?::[0-9]+)?'
const PATH_PART = '(?:(?:/[a-z0-9]+(?:(?:(?:[._]|__|[-]+)[a-z0-9]+)+)?)+)?'
const SOURCE_RE = new RegExp(
  `^\\*(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))+$|^(${HOST_PART})${PATH_PART}$`,
)
const MIRROR_RE = new RegExp(`^(${HOST_PART})${PATH_PART}$`)

/**
 * Whether `s` matches MCO's `sourceRegex`, which is also the Image CRD's per-entry
 * rule on registrySources since 4.23 (the same pattern, character for character,
 * apart from the `[-]+` above).
 */
export function matchesSourcePattern(s: string): boolean {
  return SOURCE_RE.test(s)
}

/** Whether `s` matches MCO's `mirrorRegex` (helpers.go), the IDMS/ITMS CRD pattern for a mirror. */
export function matchesMirrorPattern(s: string): boolean {
  return MIRROR_RE.test(s)
}
