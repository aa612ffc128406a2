// Upstream port (src/upstream/): Go's `[]byte` JSON round trip for key material. Pure; no I/O.

const STD_ALPHABET = /^[A-Za-z0-9+/]*$/

/**
 * Decodes base64 text the way Go's `encoding/json` fills a `[]byte` field
 * (`base64.StdEncoding`, not strict): `\r` and `\n` are skipped anywhere,
 * padding is required, and non-zero trailing bits are ignored.
 * Returns the bytes, or Go's error text (`illegal base64 data at input byte N`).
 * The bytes are shared between calls with the same text: never modify them.
 */
export function goDecodeBase64(text: string): { readonly bytes: Buffer } | { readonly error: string } {
  // Large repositories repeat the same few keys across thousands of policies.
  const hit = DECODED.get(text)
  if (hit !== undefined) return hit
  const result = decode(text)
  if (DECODED.size >= DECODED_LIMIT) DECODED.clear()
  DECODED.set(text, result)
  return result
}

const DECODED = new Map<string, { readonly bytes: Buffer } | { readonly error: string }>()
const DECODED_LIMIT = 4096

/**
 * `goDecodeBase64` without its cache, for large one-off texts (an Ignition data
 * URL's payload: vincent-petithory/dataurl decodes it with
 * `base64.StdEncoding.DecodeString`, so the same rules and error text).
 */
export function goDecodeBase64Once(text: string): { readonly bytes: Buffer } | { readonly error: string } {
  return decode(text)
}

function decode(text: string): { readonly bytes: Buffer } | { readonly error: string } {
  // Positions in Go's message count the original text, newlines included.
  let clean = ''
  const positions: number[] = []
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '\r' || c === '\n') continue
    clean += c
    positions.push(i)
  }
  const at = (i: number): string => `illegal base64 data at input byte ${positions[i] ?? text.length}`
  const firstPad = clean.indexOf('=')
  const body = firstPad === -1 ? clean : clean.slice(0, firstPad)
  if (!STD_ALPHABET.test(body)) {
    const bad = [...body].findIndex((c) => !/[A-Za-z0-9+/]/.test(c))
    return { error: at(bad) }
  }
  if (firstPad !== -1) {
    const padding = clean.slice(firstPad)
    const needed = (4 - (body.length % 4)) % 4
    if (body.length % 4 < 2 || padding !== '='.repeat(needed)) return { error: at(firstPad) }
  } else if (clean.length % 4 !== 0) {
    // Go reports the start of the incomplete quantum.
    return { error: at(clean.length - (clean.length % 4)) }
  }
  return { bytes: Buffer.from(body, 'base64') }
}

/** Go's `[]byte` JSON encoding: standard base64 with `=` padding. */
export function goEncodeBase64(bytes: Buffer): string {
  return bytes.toString('base64')
}
