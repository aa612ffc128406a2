// Upstream port (src/upstream/): the Kubernetes CEL `isURL(string)` (k8s.io/apiserver
// pkg/cel/library/urls.go), which is true iff Go's `net/url.ParseRequestURI`
// succeeds. Ported from Go's net/url (parse, getScheme, parseAuthority, parseHost,
// unescape, shouldEscape). Pure; linear time; never throws.
// Characters at or above U+0080 stand for Go's non-ASCII UTF-8 bytes, which
// net/url accepts everywhere it accepts them.

import { isIPv6 } from 'node:net'

function isAlpha(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9'
}

function isHex(c: string | undefined): boolean {
  return c !== undefined && (isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
}

/** `stringContainsCTLByte`: bytes below 0x20 and DEL. */
function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i)
    if (code < 0x20 || code === 0x7f) return true
  }
  return false
}

/** `getScheme`: the scheme and the rest, or an error for a leading colon. */
function splitScheme(raw: string): { scheme: string; rest: string } | undefined {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!
    if (isAlpha(c)) continue
    if (isDigit(c) || c === '+' || c === '-' || c === '.') {
      if (i === 0) return { scheme: '', rest: raw }
      continue
    }
    if (c === ':') return i === 0 ? undefined : { scheme: raw.slice(0, i), rest: raw.slice(i + 1) }
    return { scheme: '', rest: raw }
  }
  return { scheme: '', rest: raw }
}

type Mode = 'path' | 'host' | 'zone' | 'userPassword'

/** `shouldEscape` for the modes `unescape` consults (host and zone). */
function hostCharNeedsEscape(c: string): boolean {
  if (isAlpha(c) || isDigit(c)) return false
  if ("!$&'()*+,;=:[]<>\"".includes(c)) return false
  if ('-_.~'.includes(c)) return false
  return true
}

/** `unescape(s, mode)` succeeds. */
function unescapes(s: string, mode: Mode): boolean {
  for (let i = 0; i < s.length; ) {
    const c = s[i]!
    if (c === '%') {
      if (!isHex(s[i + 1]) || !isHex(s[i + 2])) return false
      // In the host, %-encoding is only for non-ASCII bytes, and %25 (RFC 6874).
      if (mode === 'host' && parseInt(s[i + 1]!, 16) < 8 && s.slice(i, i + 3) !== '%25') return false
      if (mode === 'zone') {
        const v = parseInt(s.slice(i + 1, i + 3), 16)
        if (s.slice(i, i + 3) !== '%25' && v !== 0x20 && hostCharNeedsEscape(String.fromCharCode(v))) return false
      }
      i += 3
      continue
    }
    if ((mode === 'host' || mode === 'zone') && c.charCodeAt(0) < 0x80 && hostCharNeedsEscape(c)) return false
    i++
  }
  return true
}

/** `validOptionalPort`. */
function validOptionalPort(port: string): boolean {
  if (port === '') return true
  if (port[0] !== ':') return false
  for (let i = 1; i < port.length; i++) if (!isDigit(port[i]!)) return false
  return true
}

/** `parseHost` succeeds. */
function validHost(host: string): boolean {
  if (host.startsWith('[')) {
    const close = host.lastIndexOf(']')
    if (close < 0) return false
    if (!validOptionalPort(host.slice(close + 1))) return false
    const zone = host.slice(0, close).indexOf('%25')
    // Go 1.24.8/1.25.2 and later (CVE-2025-47912): the brackets must hold an IPv6 address.
    if (!isIPv6(host.slice(1, zone >= 0 ? zone : close))) return false
    if (zone >= 0) {
      return unescapes(host.slice(0, zone), 'host') && unescapes(host.slice(zone, close), 'zone') && unescapes(host.slice(close), 'host')
    }
  } else {
    const colon = host.lastIndexOf(':')
    if (colon !== -1 && !validOptionalPort(host.slice(colon))) return false
  }
  return unescapes(host, 'host')
}

const USERINFO_EXTRA = "-._:~!$&'()*+,;=%@"

/** `parseAuthority` succeeds. */
function validAuthority(authority: string): boolean {
  const at = authority.lastIndexOf('@')
  if (!validHost(at < 0 ? authority : authority.slice(at + 1))) return false
  if (at < 0) return true
  const userinfo = authority.slice(0, at)
  for (const c of userinfo) {
    if (!(isAlpha(c) || isDigit(c) || USERINFO_EXTRA.includes(c))) return false
  }
  const colon = userinfo.indexOf(':')
  return colon < 0
    ? unescapes(userinfo, 'userPassword')
    : unescapes(userinfo.slice(0, colon), 'userPassword') && unescapes(userinfo.slice(colon + 1), 'userPassword')
}

/** True iff Go's `url.ParseRequestURI(s)` returns no error. */
export function isRequestURI(s: string): boolean {
  if (hasControl(s)) return false
  if (s === '') return false
  if (s === '*') return true
  const split = splitScheme(s)
  if (split === undefined) return false
  const { scheme } = split
  let rest = split.rest
  if (rest.endsWith('?') && rest.indexOf('?') === rest.length - 1) {
    rest = rest.slice(0, -1)
  } else {
    const q = rest.indexOf('?')
    if (q >= 0) rest = rest.slice(0, q)
  }
  if (!rest.startsWith('/')) {
    // A rootless path after a scheme is opaque; without a scheme it is not a request URI.
    return scheme !== ''
  }
  if (scheme !== '' && rest.startsWith('//')) {
    let authority = rest.slice(2)
    rest = ''
    const slash = authority.indexOf('/')
    if (slash >= 0) {
      rest = authority.slice(slash)
      authority = authority.slice(0, slash)
    }
    if (!validAuthority(authority)) return false
  }
  return unescapes(rest, 'path')
}
