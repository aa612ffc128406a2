// Upstream port (src/upstream/): the parts of gopkg.in/yaml.v2's encoder that shape
// sigstore-registries.yaml (key order, key quoting, long keys). Pure; no I/O.
// MCO writes that file with ghodss/yaml, which re-encodes JSON through yaml.v2 v2.4.0.

const LETTER = /^\p{L}$/u
const DIGIT = /^\p{Nd}$/u

function isLetter(cp: number): boolean {
  return cp < 0x80 ? (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) : LETTER.test(String.fromCodePoint(cp))
}

function isDigit(cp: number): boolean {
  return cp < 0x80 ? cp >= 0x30 && cp <= 0x39 : DIGIT.test(String.fromCodePoint(cp))
}

/** Go's int64 arithmetic wraps; so does this. */
function digitRunValue(runes: ArrayLike<number>, from: number, start: bigint): { value: bigint; end: number } {
  let value = start
  let i = from
  for (; i < runes.length && isDigit(runes[i]!); i++) {
    value = BigInt.asIntN(64, value * 10n + BigInt(runes[i]! - 0x30))
  }
  return { value, end: i }
}

/** Where the digit run starting at `from` ends. */
function digitRunEnd(runes: ArrayLike<number>, from: number): number {
  let i = from
  while (i < runes.length && isDigit(runes[i]!)) i++
  return i
}

/**
 * `digitRunValue` in doubles, for runs of at most this many digits: the value is
 * below 2 × 10^15 (the start is 0 or 1), exact in a double and far from int64's
 * wrap, so the comparison is the same. Keys are full of short digit runs
 * (`ns-123/app-4567`), and BigInt steps cost a sort of 20,000 keys most of its time.
 */
const EXACT_DIGITS = 15

function digitRunNumber(runes: ArrayLike<number>, from: number, end: number, start: number): number {
  let value = start
  for (let i = from; i < end; i++) value = value * 10 + (runes[i]! - 0x30)
  return value
}

/** A key's code points (what yaml.v2 compares: Go runes). */
function codePoints(s: string): number[] {
  const out: number[] = []
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        out.push((c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000)
        i++
        continue
      }
    }
    out.push(c)
  }
  return out
}

/**
 * yaml.v2's `keyList.Less` (sorter.go) on the code points of two string keys,
 * as a three-way comparison: -1 when a < b, 1 when b < a, 0 when neither. The
 * order is decided at the first code point where the keys differ (and by length
 * when one is a prefix of the other), the same place for `Less(a, b)` and
 * `Less(b, a)`, so one pass gives both answers.
 */
function compareYamlV2Runes(ar: ArrayLike<number>, br: ArrayLike<number>): -1 | 0 | 1 {
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const x = ar[i]!
    const y = br[i]!
    if (x === y) continue
    const al = isLetter(x)
    const bl = isLetter(y)
    if (al && bl) return x < y ? -1 : 1
    if (al || bl) return bl ? -1 : 1
    let start = 0
    if (x === 0x30 || y === 0x30) {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]!); j--) {
        if (ar[j] !== 0x30) {
          start = 1
          break
        }
      }
    }
    const aEnd = digitRunEnd(ar, i)
    const bEnd = digitRunEnd(br, i)
    if (aEnd - i <= EXACT_DIGITS && bEnd - i <= EXACT_DIGITS) {
      const av = digitRunNumber(ar, i, aEnd, start)
      const bv = digitRunNumber(br, i, bEnd, start)
      if (av !== bv) return av < bv ? -1 : 1
    } else {
      const av = digitRunValue(ar, i, BigInt(start)).value
      const bv = digitRunValue(br, i, BigInt(start)).value
      if (av !== bv) return av < bv ? -1 : 1
    }
    if (aEnd !== bEnd) return aEnd < bEnd ? -1 : 1
    return x < y ? -1 : 1
  }
  return ar.length === br.length ? 0 : ar.length < br.length ? -1 : 1
}

/**
 * yaml.v2's `keyList.Less` (sorter.go) for two string keys: a "natural" order in
 * which digit runs compare by value (`test2` < `test10`), a non-letter sorts
 * before a letter, and letters compare by code point. Returns true when a < b.
 */
export function yamlV2Less(a: string, b: string): boolean {
  return compareYamlV2Runes(codePoints(a), codePoints(b)) < 0
}

/**
 * Sorts keys as yaml.v2 emits a map (a stable sort with `yamlV2Less`). Each
 * key is split into code points once, not at every comparison: 20,000 scopes
 * make about 300,000 comparisons.
 */
export function sortYamlV2Keys(keys: readonly string[]): string[] {
  const decorated = keys.map((key) => ({ key, runes: codePoints(key) }))
  decorated.sort((a, b) => compareYamlV2Runes(a.runes, b.runes))
  return decorated.map((d) => d.key)
}

const BOOL_NULL_FLOAT = new Set([
  '~', 'null', 'Null', 'NULL',
  'y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'true', 'True', 'TRUE',
  'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF', 'false', 'False', 'FALSE',
  '.nan', '.NaN', '.NAN',
  '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF',
  '<<',
])
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/
const GO_FLOAT = /^[-+]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|0[xX](?:[0-9a-fA-F]+(?:\.[0-9a-fA-F]*)?|\.[0-9a-fA-F]+)[pP][-+]?[0-9]+|inf|infinity|nan)$/i
const GO_INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/
const TIMESTAMP = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:([Tt ])(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$/

function isGoTimestamp(s: string): boolean {
  // yaml.v2 parseTimestamp tries time.Parse with "2006-1-2T15:4:5.999999999Z07:00",
  // the same with a lower-case t, "2006-1-2 15:4:5.999999999" and "2006-1-2".
  const m = TIMESTAMP.exec(s)
  if (m === null) return false
  const [, year, month, day, sep, hour, minute, second, zone] = m
  const y = Number(year)
  const mo = Number(month)
  const d = Number(day)
  if (mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) return false
  if (sep === undefined) return true
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return false
  // With a space separator Go's layout has no zone; with T/t the zone is required.
  return sep === ' ' ? zone === undefined : zone !== undefined
}

/**
 * yaml.v2 `resolve("", s)` ≠ `!!str`: the plain scalar would read back as
 * null, bool, int, float or timestamp, so the encoder double-quotes it.
 */
function resolvesToNonString(s: string): boolean {
  if (s === '') return true
  if (BOOL_NULL_FLOAT.has(s)) return true
  const first = s[0]!
  if (first === '.') return GO_FLOAT.test(s)
  if (first === '+' || first === '-' || (first >= '0' && first <= '9')) {
    if (isGoTimestamp(s)) return true
    const plain = s.replaceAll('_', '')
    if (GO_INT.test(plain)) return true
    if (YAML_STYLE_FLOAT.test(plain)) return true
  }
  return false
}

export interface ScalarAnalysis {
  readonly blockPlainAllowed: boolean
  readonly singleQuotedAllowed: boolean
  readonly multiline: boolean
}

const isBlankOrEnd = (c: string | undefined): boolean => c === undefined || c === ' ' || c === '\t' || c === '\n' || c === '\r'
const isBreak = (c: string | undefined): boolean => c === '\n' || c === '\r' || c === '\u0085' || c === '\u2028' || c === '\u2029'

function isPrintable(c: string): boolean {
  const cp = c.codePointAt(0)!
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    cp === 0x85 ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  )
}

/** yaml.v2 `yaml_emitter_analyze_scalar`, for a scalar in block context (unicode on). */
export function analyzeScalar(s: string): ScalarAnalysis {
  if (s === '') return { blockPlainAllowed: false, singleQuotedAllowed: true, multiline: false }
  let blockIndicators = s.startsWith('---') || s.startsWith('...')
  let specialCharacters = false
  let lineBreaks = false
  let leadingSpace = false
  let leadingBreak = false
  let trailingSpace = false
  let trailingBreak = false
  let breakSpace = false
  let spaceBreak = false
  let previousSpace = false
  let previousBreak = false
  let precededByWhitespace = true
  const chars = [...s]
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!
    const followedByWhitespace = isBlankOrEnd(chars[i + 1])
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) blockIndicators = true
      if ((c === '?' || c === ':' || c === '-') && followedByWhitespace) blockIndicators = true
    } else {
      if (c === ':' && followedByWhitespace) blockIndicators = true
      if (c === '#' && precededByWhitespace) blockIndicators = true
    }
    if (!isPrintable(c)) specialCharacters = true
    if (isBreak(c)) lineBreaks = true
    if (c === ' ') {
      if (i === 0) leadingSpace = true
      if (i === chars.length - 1) trailingSpace = true
      if (previousBreak) breakSpace = true
      previousSpace = true
      previousBreak = false
    } else if (isBreak(c)) {
      if (i === 0) leadingBreak = true
      if (i === chars.length - 1) trailingBreak = true
      if (previousSpace) spaceBreak = true
      previousSpace = false
      previousBreak = true
    } else {
      previousSpace = false
      previousBreak = false
    }
    precededByWhitespace = c === ' ' || c === '\t' || isBreak(c)
  }
  let blockPlainAllowed = true
  let singleQuotedAllowed = true
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlainAllowed = false
  if (breakSpace) {
    blockPlainAllowed = false
    singleQuotedAllowed = false
  }
  if (spaceBreak || specialCharacters) {
    blockPlainAllowed = false
    singleQuotedAllowed = false
  }
  if (lineBreaks) blockPlainAllowed = false
  if (blockIndicators) blockPlainAllowed = false
  return { blockPlainAllowed, singleQuotedAllowed, multiline: lineBreaks }
}

function doubleQuote(s: string): string {
  let out = '"'
  for (const c of s) {
    const cp = c.codePointAt(0)!
    if (c === '"' || c === '\\') out += '\\' + c
    else if (isPrintable(c) && !isBreak(c) && cp !== 0xfeff) out += c
    else {
      const short: Record<number, string> = {
        0x00: '0', 0x07: 'a', 0x08: 'b', 0x09: 't', 0x0a: 'n', 0x0b: 'v', 0x0c: 'f', 0x0d: 'r',
        0x1b: 'e', 0x85: 'N', 0xa0: '_', 0x2028: 'L', 0x2029: 'P',
      }
      const code = short[cp]
      if (code !== undefined) out += '\\' + code
      else if (cp <= 0xff) out += '\\x' + cp.toString(16).toUpperCase().padStart(2, '0')
      else if (cp <= 0xffff) out += '\\u' + cp.toString(16).toUpperCase().padStart(4, '0')
      else out += '\\U' + cp.toString(16).toUpperCase().padStart(8, '0')
    }
  }
  return out + '"'
}

/**
 * Keys that `analyzeScalar` passes as they are: a letter or digit first (no
 * indicator, no `---`/`...`), then only letters, digits and `.`, `_`, `/`, `-`
 * (no space, break, `:` or `#`; all printable). Most scopes are such keys, and
 * the full analysis walks every character of 20,000 of them.
 */
export const PLAIN_SAFE = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/
export const PLAIN_SAFE_ANALYSIS: ScalarAnalysis = { blockPlainAllowed: true, singleQuotedAllowed: true, multiline: false }

/**
 * A string map key as yaml.v2 writes it: plain where the emitter allows, single
 * quotes when a plain scalar is not allowed (e.g. a leading `*`), double quotes
 * when the plain text would read back as another type (`"1.5"`) or single
 * quotes are not possible. `simple` is false when yaml.v2 needs the `? key`
 * form: keys longer than 128 bytes (`yaml_emitter_check_simple_key`) or multi-line.
 */
export function yamlV2Key(key: string): { readonly text: string; readonly simple: boolean } {
  const analysis = PLAIN_SAFE.test(key) ? PLAIN_SAFE_ANALYSIS : analyzeScalar(key)
  const simple = Buffer.byteLength(key, 'utf8') <= 128 && !analysis.multiline
  let style: 'plain' | 'single' | 'double' = resolvesToNonString(key) || BASE60_FLOAT.test(key) ? 'double' : 'plain'
  if (key.includes('\n')) style = 'double'
  if (style === 'plain' && !analysis.blockPlainAllowed) style = 'single'
  if (style === 'single' && !analysis.singleQuotedAllowed) style = 'double'
  const text = style === 'plain' ? key : style === 'single' ? `'${key.replaceAll("'", "''")}'` : doubleQuote(key)
  return { text, simple }
}
