// `diff REV`: a git revision's tree, written into a temporary directory without
// `git archive` (which honours .gitattributes export-ignore and export-subst, so
// a pull request could hide its own change from the diff). The tree is listed
// with `git ls-tree -r -z -l` and its blobs read with `git cat-file --batch`.
// Symbolic links are recreated only when they stay inside the tree (as Argo CD
// refuses out-of-bounds links); submodules become empty directories, as in
// `git archive`. Runs git (allowed in src/commands only).

import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { InputError, UsageError } from '../cli/errors.ts'
import { isInside } from '../cli/inputs.ts'
import { runChild } from './child-process.ts'

/** What the trees of one diff may hold in total: repositories carry more than manifests. */
export const MAX_TREE_BYTES = 1024 * 1024 * 1024
/** One `cat-file --batch` call reads at most about this much. */
const BATCH_BYTES = 64 * 1024 * 1024
const LIST_BYTES = 256 * 1024 * 1024

export interface TreeEntry {
  readonly mode: string
  readonly type: string
  readonly oid: string
  readonly size: number
  readonly path: string
}

/** `git ls-tree -r -z -l` output → entries. Pure. */
export function parseLsTree(out: Buffer): TreeEntry[] {
  const entries: TreeEntry[] = []
  for (const record of out.toString('utf8').split('\0')) {
    if (record === '') continue
    const m = /^([0-7]{6}) (\w+) ([0-9a-f]+) +(-|[0-9]+)\t([\s\S]+)$/.exec(record)
    if (m === null) throw new InputError(`git ls-tree: unexpected output ${JSON.stringify(record.slice(0, 100))}`)
    entries.push({ mode: m[1]!, type: m[2]!, oid: m[3]!, size: m[4] === '-' ? 0 : Number(m[4]), path: m[5]! })
  }
  return entries
}

/** A tree path is written below the directory only when every segment is a plain name. */
function checkPath(path: string, rev: string): void {
  if (path.split('/').some((s) => s === '' || s === '.' || s === '..')) throw new InputError(`${rev}: the tree holds the path ${JSON.stringify(path)}, which would leave the directory`)
}

/** `git cat-file --batch` output for `oids`, in order. Pure. */
export function parseCatFileBatch(out: Buffer, oids: readonly string[]): Buffer[] {
  const blobs: Buffer[] = []
  let at = 0
  for (const oid of oids) {
    const eol = out.indexOf(0x0a, at)
    const header = out.subarray(at, eol === -1 ? out.length : eol).toString('utf8')
    const m = /^([0-9a-f]+) (\w+) ([0-9]+)$/.exec(header)
    if (eol === -1 || m === null || m[1] !== oid) throw new InputError(`git cat-file: unexpected output for ${oid}: ${JSON.stringify(header.slice(0, 100))}`)
    const size = Number(m[3])
    blobs.push(out.subarray(eol + 1, eol + 1 + size))
    at = eol + 1 + size + 1
  }
  return blobs
}

/**
 * Writes the tree of `commit` into `dir` (empty, ours). Returns nothing; throws
 * an InputError naming the entry for a link that leads out of the tree, a path
 * that would leave it, or a tree beyond MAX_TREE_BYTES.
 */
export async function writeGitTree(git: string, repo: string, commit: string, rev: string, dir: string): Promise<void> {
  const listed = await runChild(git, ['ls-tree', '-r', '-z', '-l', '--end-of-options', commit], { cwd: repo, maxOutputBytes: LIST_BYTES, outputFlag: 'the tree listing bound' })
  if (listed.status !== 0) throw new InputError(`git ls-tree ${commit} failed: ${listed.stderr.toString('utf8').trim()}`)
  const entries = parseLsTree(listed.stdout)
  const total = entries.reduce((n, e) => n + e.size, 0)
  if (total > MAX_TREE_BYTES) throw new InputError(`${rev}: the tree holds ${total} bytes, more than diff reads (${MAX_TREE_BYTES})`)
  for (const e of entries) checkPath(e.path, rev)

  const blobs = entries.filter((e) => e.type === 'blob')
  const contents = new Map<string, Buffer>()
  for (let i = 0; i < blobs.length; ) {
    const batch: TreeEntry[] = []
    let bytes = 0
    while (i < blobs.length && (batch.length === 0 || bytes + blobs[i]!.size <= BATCH_BYTES)) {
      bytes += blobs[i]!.size
      batch.push(blobs[i++]!)
    }
    const oids = batch.map((e) => e.oid)
    const read = await runChild(git, ['cat-file', '--batch'], { cwd: repo, input: oids.join('\n') + '\n', maxOutputBytes: bytes + batch.length * 128 + 1024, outputFlag: 'the object sizes git listed' })
    if (read.status !== 0) throw new InputError(`git cat-file --batch failed: ${read.stderr.toString('utf8').trim()}`)
    parseCatFileBatch(read.stdout, oids).forEach((b, k) => contents.set(batch[k]!.oid, b))
  }

  const links: TreeEntry[] = []
  for (const e of entries) {
    const target = join(dir, e.path)
    mkdirSync(dirname(target), { recursive: true })
    if (e.type === 'commit') {
      // A submodule: an empty directory, as git archive writes it.
      mkdirSync(target, { recursive: true })
    } else if (e.mode === '120000') {
      links.push(e)
    } else if (e.type === 'blob') {
      writeFileSync(target, contents.get(e.oid)!, { flag: 'wx', mode: e.mode === '100755' ? 0o755 : 0o644 })
    }
  }
  // Links last, so that no file above is written through one; then each is checked where it leads.
  const root = realpathSync(dir)
  for (const e of links) symlinkSync(contents.get(e.oid)!.toString('utf8'), join(dir, e.path))
  for (const e of links) {
    const link = join(dir, e.path)
    const target = contents.get(e.oid)!.toString('utf8')
    const out = () => new InputError(`${rev}: symbolic link ${e.path} -> ${target} leads out of the tree; diff follows links only inside the repository`)
    if (isAbsolute(target) || !isInside(root, resolve(dirname(join(root, e.path)), target))) throw out()
    let real: string | undefined
    try {
      real = realpathSync(link)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'ELOOP') throw new InputError(`${rev}: symbolic link ${e.path} -> ${target} is a loop`)
      // Dangling inside the tree: whoever reads it gets ENOENT.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err
    }
    if (real !== undefined && !isInside(root, real)) throw out()
  }
}

/** The path part of `REV:PATH` or `--path`: never an option to git. */
export function checkTreePath(path: string, what: string): void {
  if (path.startsWith('-')) throw new UsageError(`${what}: the path starts with -`)
}
