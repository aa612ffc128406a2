// Upstream port (src/upstream/): Go's `strconv.Quote` (strconv/quote.go `Quote`,
// `appendQuotedWith`, `appendEscapedRune`), which is what `%q` and `%#v` print for a
// string in the error messages MCO returns. Pure; no I/O.

const GO_SHORT_ESCAPES: Readonly<Record<number, string>> = {
  7: '\\a',
  8: '\\b',
  9: '\\t',
  10: '\\n',
  11: '\\v',
  12: '\\f',
  13: '\\r',
}

/**
 * Go's `strconv.Quote` (what `%q` and `%#v` print for a string): `\"` and `\\`
 * escaped, printable runes kept, others as `\n`, `\x1f`, `\u2028`, `\U0001f600`.
 */
export function goQuote(s: string): string {
  let out = '"'
  for (const ch of s) {
    const r = ch.codePointAt(0) ?? 0
    if (ch === '"' || ch === '\\') {
      out += `\\${ch}`
    } else if (r === 0x20 || !/[\p{C}\p{Z}]/u.test(ch)) {
      out += ch
    } else {
      const esc = GO_SHORT_ESCAPES[r]
      if (esc !== undefined) out += esc
      else if (r < 0x20 || r === 0x7f) out += `\\x${r.toString(16).padStart(2, '0')}`
      else if (r >= 0xd800 && r <= 0xdfff) out += '\\ufffd' // lone surrogate: Go sees invalid UTF-8
      else if (r < 0x10000) out += `\\u${r.toString(16).padStart(4, '0')}`
      else out += `\\U${r.toString(16).padStart(8, '0')}`
    }
  }
  return `${out}"`
}

/** Go's `%q` of a `[]string`: `["a" "b"]`. */
export function goQuoteList(items: readonly string[]): string {
  return `[${items.map(goQuote).join(' ')}]`
}
