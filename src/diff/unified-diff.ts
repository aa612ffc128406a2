// Diff helper: a line diff (Myers' O(ND) algorithm) and its unified-diff text, as
// `diff -u`/`git diff` print it. Pure; no I/O. Written here rather than taken from
// a package: it is small, and the output format is part of what we promise.

/** One line of a file, with its terminator: `"a\n"`, or `"a"` for a last line without newline. */
export type Line = string

/** Splits text into lines that keep their `\n`, so that "no newline at end of file" is a difference. */
export function splitLines(text: string): Line[] {
  if (text === '') return []
  const out: Line[] = []
  let start = 0
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', start)) {
    out.push(text.slice(start, i + 1))
    start = i + 1
  }
  if (start < text.length) out.push(text.slice(start))
  return out
}

export type EditOp = 'equal' | 'delete' | 'insert'

export interface Edit {
  readonly op: EditOp
  /** Index in the old lines (for equal and delete), else the position it sits before. */
  readonly a: number
  /** Index in the new lines (for equal and insert), else the position it sits before. */
  readonly b: number
}

/**
 * Above this many differences the diff becomes one replacement of the differing
 * middle: the trace of Myers' algorithm grows with the square of the distance.
 */
export const MAX_EDIT_DISTANCE = 4000

/**
 * The shortest edit script from `a` to `b` (Myers 1986, "An O(ND) Difference
 * Algorithm"), after trimming the common prefix and suffix. Deletions come before
 * insertions at the same place, as in GNU diff.
 */
export function diffLines(a: readonly Line[], b: readonly Line[]): Edit[] {
  let prefix = 0
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++
  let suffix = 0
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++
  const out: Edit[] = []
  for (let i = 0; i < prefix; i++) out.push({ op: 'equal', a: i, b: i })
  out.push(...middle(a, b, prefix, a.length - suffix, prefix, b.length - suffix))
  for (let i = suffix; i > 0; i--) out.push({ op: 'equal', a: a.length - i, b: b.length - i })
  return out
}

/** Myers on a[a0..a1) and b[b0..b1), keeping each round's furthest points for the backtrack. */
function middle(a: readonly Line[], b: readonly Line[], a0: number, a1: number, b0: number, b1: number): Edit[] {
  const n = a1 - a0
  const m = b1 - b0
  const replaceAll = (): Edit[] => [
    ...Array.from({ length: n }, (_, i): Edit => ({ op: 'delete', a: a0 + i, b: b0 })),
    ...Array.from({ length: m }, (_, j): Edit => ({ op: 'insert', a: a1, b: b0 + j })),
  ]
  if (n === 0 || m === 0) return replaceAll()
  const max = Math.min(n + m, MAX_EDIT_DISTANCE)
  const offset = max + 1
  const v = new Int32Array(2 * max + 3)
  const down = (w: Int32Array, k: number, d: number) => k === -d || (k !== d && w[offset + k - 1]! < w[offset + k + 1]!)
  // trace[d] is v as it was when round d started (the furthest points after d - 1 edits).
  const trace: Int32Array[] = []
  let found = -1
  for (let d = 0; d <= max && found === -1; d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2))
    for (let k = -d; k <= d; k += 2) {
      let x = down(v, k, d) ? v[offset + k + 1]! : v[offset + k - 1]! + 1
      let y = x - k
      while (x < n && y < m && a[a0 + x] === b[b0 + y]) {
        x++
        y++
      }
      v[offset + k] = x
      if (x >= n && y >= m) {
        found = d
        break
      }
    }
  }
  if (found === -1) return replaceAll()
  const edits: Edit[] = []
  let x = n
  let y = m
  for (let d = found; d >= 0; d--) {
    // The snapshot holds k = -d-1 .. d+1; re-base it so that index `offset + k` works.
    const saved = trace[d]!
    const w = new Int32Array(2 * max + 3)
    w.set(saved, offset - d - 1)
    const k = x - y
    const prevK = down(w, k, d) ? k + 1 : k - 1
    const prevX = d === 0 ? 0 : w[offset + prevK]!
    const prevY = d === 0 ? 0 : prevX - prevK
    while (x > prevX && y > prevY) {
      x--
      y--
      edits.push({ op: 'equal', a: a0 + x, b: b0 + y })
    }
    if (d === 0) break
    if (x === prevX) edits.push({ op: 'insert', a: a0 + x, b: b0 + prevY })
    else edits.push({ op: 'delete', a: a0 + prevX, b: b0 + y })
    x = prevX
    y = prevY
  }
  edits.reverse()
  return deletionsFirst(edits)
}

/** Within each run of changes, deletions first, then insertions (GNU diff's order; any order gives the same result). */
function deletionsFirst(edits: readonly Edit[]): Edit[] {
  const out: Edit[] = []
  let i = 0
  while (i < edits.length) {
    if (edits[i]!.op === 'equal') {
      out.push(edits[i++]!)
      continue
    }
    const run: Edit[] = []
    while (i < edits.length && edits[i]!.op !== 'equal') run.push(edits[i++]!)
    out.push(...run.filter((e) => e.op === 'delete'), ...run.filter((e) => e.op === 'insert'))
  }
  return out
}

export interface UnifiedDiffOptions {
  /** Header names, e.g. `a/etc/containers/policy.json`, or `/dev/null` for an added or removed file. */
  readonly fromName: string
  readonly toName: string
  /** Lines of context around each change. Default: 3. */
  readonly context?: number
}

/** GNU's range: `start,count`, `start` alone for one line, and the line before for an empty range. */
function range(start: number, count: number): string {
  if (count === 1) return `${start + 1}`
  return `${count === 0 ? start : start + 1},${count}`
}

function emit(prefix: string, line: Line): string {
  return line.endsWith('\n') ? `${prefix}${line}` : `${prefix}${line}\n\\ No newline at end of file\n`
}

/** The unified diff of two texts (`diff -u` layout); '' when they are equal. */
export function unifiedDiff(from: string, to: string, options: UnifiedDiffOptions): string {
  if (from === to) return ''
  const a = splitLines(from)
  const b = splitLines(to)
  const edits = diffLines(a, b)
  const context = options.context ?? 3
  let out = `--- ${options.fromName}\n+++ ${options.toName}\n`
  const changes = edits.map((e, i) => (e.op === 'equal' ? -1 : i)).filter((i) => i !== -1)
  let h = 0
  while (h < changes.length) {
    // Grow the hunk while the next change is within 2 * context equal lines.
    let end = h
    while (end + 1 < changes.length && changes[end + 1]! - changes[end]! <= 2 * context + 1) end++
    const first = Math.max(0, changes[h]! - context)
    const last = Math.min(edits.length - 1, changes[end]! + context)
    const hunk = edits.slice(first, last + 1)
    const aStart = hunk[0]!.a
    const bStart = hunk[0]!.b
    const aCount = hunk.filter((e) => e.op !== 'insert').length
    const bCount = hunk.filter((e) => e.op !== 'delete').length
    out += `@@ -${range(aStart, aCount)} +${range(bStart, bCount)} @@\n`
    for (const e of hunk) {
      if (e.op === 'equal') out += emit(' ', a[e.a]!)
      else if (e.op === 'delete') out += emit('-', a[e.a]!)
      else out += emit('+', b[e.b]!)
    }
    h = end + 1
  }
  return out
}
