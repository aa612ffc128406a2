// Upstream port (src/upstream/): Go `encoding/json` output, byte for byte. Pure; no I/O.

/**
 * A value as Go would marshal it. Plain objects stand for Go structs: their keys
 * are written in insertion order (build them in the struct's field order and
 * leave out `omitempty` fields). A `Map` stands for a Go map: its keys are
 * written sorted bytewise, as `encoding/json` sorts map keys.
 */
export type GoValue =
  | string
  | number
  | boolean
  | null
  | readonly GoValue[]
  | ReadonlyMap<string, GoValue>
  | { readonly [field: string]: GoValue }

/** Orders strings by Unicode code point, which is UTF-8 byte order (Go's `<` on strings). */
export function compareBytewise(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    // UTF-16 order differs from code-point order only when one side is a surrogate
    // (U+D800–U+DFFF encodes code points above U+FFFF, which sort after U+E000–U+FFFF).
    const xs = x >= 0xd800 && x <= 0xdfff
    const ys = y >= 0xd800 && y <= 0xdfff
    if (xs !== ys) return xs ? 1 : -1
    return x - y
  }
  return a.length - b.length
}

const GO_EXTRA_ESCAPES: Readonly<Record<string, string>> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
}

/**
 * What either escaping touches: control characters, `"` and `\`, Go's HTML-safe
 * set, and anything outside printable ASCII (U+2028/U+2029, lone surrogates).
 * Scopes and base64 keys have none of it, and namespace files quote 40,000 of them.
 */
const NEEDS_ESCAPE = /[^\x20-\x7e]|["\\<>&]/

/**
 * A JSON string literal as Go writes it: JSON.stringify's escapes (Go 1.22+ uses
 * the same short forms and lower-case `\u00xx`), plus Go's HTML-safe escaping of
 * `<`, `>`, `&` and of U+2028/U+2029 (`encoding/json` `appendString`). Not
 * `strconv.Quote` (go-strconv.ts `goQuote`), which error messages use: that one
 * keeps `<>&`, escapes DEL and non-printable runes such as U+00A0, and writes
 * `\x01` where JSON writes `\u0001`; both are faithful, to different Go functions.
 */
export function goJSONString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => GO_EXTRA_ESCAPES[c] ?? c)
}

function isGoMap(v: GoValue): v is ReadonlyMap<string, GoValue> {
  return v instanceof Map
}

/**
 * `json.MarshalIndent(v, "", "  ")`: two-space indent, `"key": value`, no
 * trailing newline. `indent` renders the value as if nested at that depth (for
 * splicing pre-rendered parts into a larger document).
 */
export function goMarshalIndent(value: GoValue, indent = ''): string {
  const out: string[] = []
  write(value, indent)
  return out.join('')

  function write(v: GoValue, indent: string): void {
    if (v === null) {
      out.push('null')
    } else if (typeof v === 'string') {
      out.push(goJSONString(v))
    } else if (typeof v === 'number' || typeof v === 'boolean') {
      out.push(String(v))
    } else if (Array.isArray(v)) {
      const items = v as readonly GoValue[]
      if (items.length === 0) {
        out.push('[]')
        return
      }
      const inner = indent + '  '
      out.push('[')
      items.forEach((item, i) => {
        out.push(i === 0 ? '\n' : ',\n', inner)
        write(item, inner)
      })
      out.push('\n', indent, ']')
    } else {
      const entries: [string, GoValue][] = isGoMap(v)
        ? [...v.entries()].sort((a, b) => compareBytewise(a[0], b[0]))
        : Object.entries(v as { readonly [field: string]: GoValue })
      if (entries.length === 0) {
        out.push('{}')
        return
      }
      const inner = indent + '  '
      out.push('{')
      entries.forEach(([key, item], i) => {
        out.push(i === 0 ? '\n' : ',\n', inner, goJSONString(key), ': ')
        write(item, inner)
      })
      out.push('\n', indent, '}')
    }
  }
}
