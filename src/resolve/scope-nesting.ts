// Resolve stage helper: containers' scope nesting rule. Pure; no I/O.

/**
 * Port of `ScopeIsNestedInsideScope(subScope, superScope)` from
 * openshift/runtime-utils `pkg/registries/registries.go` (mco-rendering.md §2).
 * Quirks kept on purpose: only `/` is a path boundary (so `a.com/r:tag` is not
 * nested in `a.com/r`), and a `*.` super scope compares the host part only up to
 * the first `:` when there is one (so `foo.example.com/r:tag` escapes
 * `*.example.com`, while `foo.example.com:5000/x` does not).
 */
export function scopeIsNestedInsideScope(subScope: string, superScope: string): boolean {
  if (subScope === superScope) return true
  if (
    subScope.length > superScope.length &&
    subScope.startsWith(superScope) &&
    subScope[superScope.length] === '/'
  ) {
    return true
  }
  if (superScope.startsWith('*.')) {
    const suffix = superScope.slice(1)
    const colon = subScope.indexOf(':')
    if (colon !== -1) {
      const beforeColon = subScope.slice(0, colon)
      return beforeColon.endsWith(suffix) && !beforeColon.includes('/')
    }
    const slash = subScope.indexOf('/')
    const host = slash === -1 ? subScope : subScope.slice(0, slash)
    return host.endsWith(suffix)
  }
  return false
}
