// The edge, reading inputs: which files a path stands for, their bytes within
// the input budget, as text (UTF-8 only), stdin and the --config file. The repository is untrusted (README "Security model"):
// a directory walk never leaves the directory (by real path), never visits a
// directory twice (device and inode, so link loops end and walks stay linear),
// and reads regular files only (a FIFO or a device would block or never end).

import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync, realpathSync, statSync, type Stats } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { parseOne, type InputText } from '../io/read.ts'
import { inputBudgetMessage } from '../limits.ts'
import type { Streams } from './context.ts'
import { describeFsError, InputError, IssueError, UsageError } from './errors.ts'

/** What all inputs of one run may add up to (`--max-input-bytes`). */
export class InputBudget {
  used = 0
  readonly limit: number
  constructor(limit: number) {
    this.limit = limit
  }
  get remaining(): number {
    return Math.max(0, this.limit - this.used)
  }
  /** Counts `bytes` read from `name`; over the budget, the error line for it. */
  take(name: string, bytes: number): void {
    if (this.used + bytes > this.limit) throw new InputError(inputBudgetMessage(name, this.limit))
    this.used += bytes
  }
}

const YAML_FILE = /\.(ya?ml|json)$/i
const CHUNK = 256 * 1024

/** True when `path` (a real path) is `root` or below it. */
export function isInside(root: string, path: string): boolean {
  const r = relative(root, path)
  return r === '' || (r !== '..' && !r.startsWith(`..${sep}`) && !r.startsWith(sep))
}

/**
 * The bytes of a regular file, counted against the budget. Opened non-blocking,
 * so that a FIFO is refused instead of waited on; read in chunks up to the budget
 * (the size a file claims is not trusted: /proc files claim 0).
 */
export function readRegularFile(path: string, budget: InputBudget, shown: string = path): Buffer {
  let fd: number
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY)
  } catch (e) {
    throw new InputError(`${shown}: ${describeFsError(e)}`)
  }
  try {
    let stat: Stats
    try {
      stat = fstatSync(fd)
    } catch (e) {
      throw new InputError(`${shown}: ${describeFsError(e)}`)
    }
    if (!stat.isFile()) throw new InputError(`${shown}: not a regular file`)
    const limit = budget.remaining
    if (stat.size > limit) budget.take(shown, stat.size)
    const chunks: Buffer[] = []
    let total = 0
    for (;;) {
      // Never more than one byte past the budget: enough to know it is exceeded.
      const buffer = Buffer.allocUnsafe(Math.min(limit + 1 - total, total === 0 ? stat.size + 1 : CHUNK))
      let n: number
      try {
        n = readSync(fd, buffer, 0, buffer.length, null)
      } catch (e) {
        throw new InputError(`${shown}: ${describeFsError(e)}`)
      }
      if (n === 0) break
      chunks.push(n === buffer.length ? buffer : buffer.subarray(0, n))
      total += n
      if (total > limit) budget.take(shown, total)
    }
    budget.take(shown, total)
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total)
  } finally {
    closeSync(fd)
  }
}

function identity(stat: Stats): string {
  return `${stat.dev}:${stat.ino}`
}

/** The names in directory `path`, sorted; a failure is an input error naming `shown`. */
export function sortedEntries(path: string, shown: string): string[] {
  try {
    return readdirSync(path).sort()
  } catch (e) {
    throw new InputError(`${shown}: ${describeFsError(e)}`)
  }
}

/** The YAML files below `dir`, sorted, confined to `root` (a real path). */
function walk(dir: string, root: string, seen: Set<string>, out: string[]): void {
  const names = sortedEntries(dir, dir)
  for (const name of names) {
    if (name.startsWith('.')) continue
    const path = join(dir, name)
    const yaml = YAML_FILE.test(name)
    let stat: Stats
    try {
      stat = lstatSync(path)
    } catch (e) {
      throw new InputError(`${path}: ${describeFsError(e)}`)
    }
    if (stat.isSymbolicLink()) {
      let real: string
      try {
        real = realpathSync(path)
        stat = statSync(real)
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code
        throw new InputError(`${path}: ${code === 'ENOENT' ? 'dangling symbolic link' : `symbolic link: ${describeFsError(e)}`}`)
      }
      if (!isInside(root, real)) {
        // Not input either way; only what would be read is refused.
        if (!stat.isDirectory() && !yaml) continue
        throw new InputError(`${path}: symbolic link to ${real}, outside ${root}: links are followed only inside the directory`)
      }
    }
    if (stat.isDirectory()) {
      const id = identity(stat)
      if (seen.has(id)) continue
      seen.add(id)
      walk(path, root, seen, out)
    } else if (yaml) {
      if (!stat.isFile()) throw new InputError(`${path}: not a regular file`)
      out.push(path)
    }
  }
}

/**
 * Files named on the command line; a directory contributes its `.yaml`, `.yml`
 * and `.json` files, sorted, recursively, skipping dot entries. A named path is
 * the user's choice and is followed; inside a directory, links are followed
 * only to places inside it (by real path), each directory is visited once, and
 * a YAML-named entry that is not a regular file, a dangling link or a link loop
 * is an error. With `confineTo`, links may lead anywhere below it instead (a
 * revision's tree in `diff`).
 */
export function collectFiles(paths: readonly string[], confineTo?: string): string[] {
  const out: string[] = []
  let within: string | undefined
  if (confineTo !== undefined) {
    try {
      within = realpathSync(confineTo)
    } catch (e) {
      throw new UsageError(`cannot read ${confineTo}: ${describeFsError(e)}`)
    }
  }
  for (const path of paths) {
    let stat: Stats
    try {
      stat = statSync(path)
    } catch (e) {
      throw new UsageError(`cannot read ${path}: ${describeFsError(e)}`)
    }
    if (stat.isDirectory()) {
      let root: string
      try {
        root = realpathSync(path)
      } catch (e) {
        throw new UsageError(`cannot read ${path}: ${describeFsError(e)}`)
      }
      if (within !== undefined && !isInside(within, root)) throw new InputError(`${path}: outside ${confineTo}`)
      walk(path, within ?? root, new Set([identity(stat)]), out)
    } else {
      out.push(path)
    }
  }
  return out
}

/** Kubernetes manifests are UTF-8; anything else is refused rather than silently mangled. */
export function decodeUtf8(bytes: Uint8Array, name: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch {
    throw new InputError(`${name}: input is not valid UTF-8`)
  }
}

/** The files the paths stand for, read within the budget. */
export function readInputFiles(paths: readonly string[], budget: InputBudget): InputText[] {
  return collectFiles(paths).map((path) => ({ path, text: decodeUtf8(readRegularFile(path, budget), path) }))
}

/** All of stdin within the budget, as text. */
export async function readStdinText(streams: Streams, budget: InputBudget): Promise<string> {
  const stdin = await streams.readStdin(budget.remaining)
  const bytes = typeof stdin === 'string' ? Buffer.byteLength(stdin) : stdin.length
  if (bytes > budget.remaining) throw new InputError(inputBudgetMessage('<stdin>', budget.limit))
  budget.take('<stdin>', bytes)
  return typeof stdin === 'string' ? stdin : decodeUtf8(stdin, '<stdin>')
}

/** A `--config FILE`, read within the budget; unreadable is a usage error, over the budget or not UTF-8 an input error. */
export function readConfigText(path: string, budget: InputBudget): string {
  let bytes: Buffer
  try {
    bytes = readRegularFile(path, budget)
  } catch (e) {
    if (e instanceof InputError && e.message.includes('(--max-input-bytes)')) throw e
    throw new UsageError(`cannot read --config ${path}${e instanceof InputError ? `: ${e.message.slice(path.length + 2)}` : ''}`)
  }
  return decodeUtf8(bytes, path)
}

/** A `--config FILE` as a document, within the budget; a file that is not one YAML document is an IssueError. */
export function readFunctionConfig(path: string, budget: InputBudget): unknown {
  const doc = parseOne(readConfigText(path, budget), { path, index: 0 })
  if (doc.issues.length > 0) throw new IssueError(doc.issues)
  return doc.value
}
