// Upstream port (src/upstream/): apimachinery's DNS-1123 name checks (pkg/util/validation
// `IsDNS1123Label`, `IsDNS1123Subdomain`), written as loops rather than the
// upstream regexes so that multi-megabyte input stays linear and cannot overflow
// V8's regex backtracking stack. Used by validation (the server's messages) and
// by decode and render, which must never let a bad namespace reach a node path. Pure.

export const DNS1123_LABEL_MAX_LENGTH = 63
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253

export const DNS1123_SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
export const DNS1123_LABEL_MESSAGE =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"

function isAlnum(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
}

/** `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$` (no length limit). */
export function matchesLabel(s: string): boolean {
  if (s === '' || !isAlnum(s[0]!) || !isAlnum(s[s.length - 1]!)) return false
  for (let i = 1; i < s.length - 1; i++) if (s[i] !== '-' && !isAlnum(s[i]!)) return false
  return true
}

/** `IsDNS1123Label` as a yes/no: what Kubernetes allows as a namespace name. */
export function isDns1123Label(s: string): boolean {
  return s.length <= DNS1123_LABEL_MAX_LENGTH && matchesLabel(s)
}

/** `^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$` (no length limit). */
export function matchesSubdomain(s: string): boolean {
  let start = 0
  for (;;) {
    const dot = s.indexOf('.', start)
    if (!matchesLabel(dot < 0 ? s.slice(start) : s.slice(start, dot))) return false
    if (dot < 0) return true
    start = dot + 1
  }
}

/** `IsDNS1123Label`: the server's problems, in its order. */
export function dns1123LabelProblems(s: string): string[] {
  return [
    ...(s.length > DNS1123_LABEL_MAX_LENGTH ? [`must be no more than ${DNS1123_LABEL_MAX_LENGTH} characters`] : []),
    ...(matchesLabel(s) ? [] : [DNS1123_LABEL_MESSAGE]),
  ]
}

/** `IsDNS1123Subdomain`: the server's problems, in its order. */
export function dns1123SubdomainProblems(s: string): string[] {
  return [
    ...(s.length > DNS1123_SUBDOMAIN_MAX_LENGTH ? [`must be no more than ${DNS1123_SUBDOMAIN_MAX_LENGTH} characters`] : []),
    ...(matchesSubdomain(s) ? [] : [DNS1123_SUBDOMAIN_MESSAGE]),
  ]
}

/** `IsDNS1123Subdomain` reports nothing. */
export function isDns1123Subdomain(s: string): boolean {
  return s.length <= DNS1123_SUBDOMAIN_MAX_LENGTH && matchesSubdomain(s)
}
