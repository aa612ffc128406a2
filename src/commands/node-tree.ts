// `render --out DIR`: the node tree below DIR (DIR/etc/...). DIR is often inside
// the repository under review, so its content is untrusted: a link anywhere in
// the tree is never followed (a link where we would write or delete is an
// error; other links are kept as links), and the new tree is built in a
// temporary directory beside DIR/etc and renamed into place, so that a failed
// run leaves the old tree as it was. Touches the filesystem (src/commands only).

import { constants, copyFileSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync, type Stats } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { describeFsError, InputError } from '../cli/errors.ts'
import type { NodeFile } from '../model.ts'
import { CRIO_POLICIES_DIR, POLICY_JSON_PATH } from '../render/policy-json.ts'
import { SIGSTORE_REGISTRIES_PATH } from '../render/sigstore-registries-yaml.ts'
import { removeOnSignal } from './cleanup.ts'

/** The directories our files live in, below DIR: each must be a real directory when present. */
const MANAGED_DIRS = ['etc', ...new Set([POLICY_JSON_PATH, SIGSTORE_REGISTRIES_PATH, `${CRIO_POLICIES_DIR}/x`].flatMap((p) => ancestors(p.slice(1))))]

function ancestors(path: string): string[] {
  const parts = path.split('/').slice(0, -1)
  return parts.map((_, i) => parts.slice(0, i + 1).join('/')).filter((p) => p !== 'etc')
}

/** Is `rel` (below DIR, no leading slash) a file render writes or removes? */
function isManagedFile(rel: string): boolean {
  const crio = CRIO_POLICIES_DIR.slice(1)
  return rel === POLICY_JSON_PATH.slice(1) || rel === SIGSTORE_REGISTRIES_PATH.slice(1) || (dirname(rel) === crio && rel.endsWith('.json'))
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new InputError(`${path}: ${describeFsError(e)}`)
  }
}

function fsCall<T>(what: string, body: () => T): T {
  try {
    return body()
  } catch (e) {
    if (e instanceof InputError) throw e
    throw new InputError(`${what}: ${describeFsError(e)}`)
  }
}

/**
 * Copies the old tree into the new one without following links: directories are
 * made, links are copied as links, regular files as files; the files render
 * manages are left out (they are written afresh). Any other kind of entry is an error.
 */
function copyKept(from: string, to: string, rel: string, shown: string, removed: string[]): void {
  for (const name of fsCall(join(shown, rel), () => readdirSync(join(from, rel)).sort())) {
    const r = rel === '' ? name : `${rel}/${name}`
    const source = join(from, r)
    const stat = lstatSync(source)
    const managedDir = MANAGED_DIRS.includes(`etc/${r}`)
    if (isManagedFile(`etc/${r}`)) {
      if (!stat.isFile()) throw new InputError(`${join(shown, r)} ${stat.isSymbolicLink() ? 'is a symbolic link' : 'is not a regular file'}: render --out never follows links or replaces other kinds of file in the output tree; remove it`)
      removed.push(`/etc/${r}`)
      continue
    }
    if (managedDir && !stat.isDirectory()) {
      throw new InputError(`${join(shown, r)} ${stat.isSymbolicLink() ? 'is a symbolic link' : 'is not a directory'}: render --out never follows links in the output tree; remove it`)
    }
    const target = join(to, r)
    if (stat.isDirectory()) {
      fsCall(join(shown, r), () => mkdirSync(target, { mode: (stat.mode & 0o7777) | 0o700 }))
      copyKept(from, to, r, shown, removed)
    } else if (stat.isSymbolicLink()) {
      fsCall(join(shown, r), () => symlinkSync(readlinkSync(source), target))
    } else if (stat.isFile()) {
      fsCall(join(shown, r), () => copyFileSync(source, target, constants.COPYFILE_EXCL))
    } else {
      throw new InputError(`${join(shown, r)}: not a regular file, directory or link: render --out keeps only those in the output tree`)
    }
  }
}

/**
 * Writes `files` below `dir` and removes the managed files (policy.json,
 * sigstore-registries.yaml, /etc/crio/policies/*.json) no longer rendered, so
 * DIR/etc is exactly what a node would hold; anything else in DIR/etc is kept.
 * Returns the paths written and removed (below `dir`, as given).
 */
export function writeNodeTree(dir: string, files: readonly NodeFile[]): { written: string[]; removed: string[] } {
  const root = resolve(dir)
  // Check every target before touching anything.
  for (const f of files) {
    const rel = relative(root, resolve(root, `.${f.path}`))
    // A namespace is a DNS label, but nothing upstream of us guarantees it: never write outside DIR/etc.
    if (rel.startsWith('..') || !rel.startsWith(`etc${sep}`)) throw new InputError(`refusing to write ${f.path} outside ${dir}/etc`)
  }
  let stat = lstatOrUndefined(root)
  if (stat === undefined) {
    fsCall(dir, () => mkdirSync(root, { recursive: true }))
    stat = lstatSync(root)
  }
  if (stat.isSymbolicLink()) throw new InputError(`${dir} is a symbolic link: render --out never follows links; give the directory it points to`)
  if (!stat.isDirectory()) throw new InputError(`${dir}: not a directory`)
  const etc = join(root, 'etc')
  const old = lstatOrUndefined(etc)
  if (old !== undefined && !old.isDirectory()) {
    throw new InputError(`${join(dir, 'etc')} ${old.isSymbolicLink() ? 'is a symbolic link' : 'is not a directory'}: render --out never follows links in the output tree; remove it`)
  }

  if (old !== undefined) {
    // DIR/etc is swapped by renaming: a shell inside it would be left in a deleted directory.
    let rel: string | undefined
    try {
      rel = relative(realpathSync(etc), realpathSync('.'))
    } catch {
      rel = undefined
    }
    if (rel !== undefined && !rel.startsWith('..') && !rel.startsWith('/')) {
      throw new InputError(`${join(dir, 'etc')} ${rel === '' ? 'is' : 'holds'} the current directory: render --out replaces DIR/etc by renaming a new tree over it, which would leave the shell in a deleted directory; run it from outside ${join(dir, 'etc')}`)
    }
  }
  const fresh = fsCall(dir, () => mkdtempSync(join(root, '.etc.imagepolicy-mc-new-')))
  // This function is synchronous: with the handlers installed, SIGINT/SIGTERM wait until it returns.
  const forget = removeOnSignal(fresh)
  const removed: string[] = []
  try {
    if (old !== undefined) copyKept(etc, fresh, '', join(dir, 'etc'), removed)
    for (const f of files) {
      const target = join(fresh, f.path.slice('/etc/'.length))
      fsCall(join(dir, f.path), () => {
        mkdirSync(dirname(target), { recursive: true })
        // 'wx': a new file, never through a link (the new tree is ours alone).
        writeFileSync(target, f.contents, { flag: 'wx', mode: 0o644 })
      })
    }
    if (old === undefined) {
      fsCall(join(dir, 'etc'), () => renameSync(fresh, etc))
    } else {
      // Two renames: the old tree aside, the new one in; the old one is put back if the second fails.
      const aside = fsCall(dir, () => mkdtempSync(join(root, '.etc.imagepolicy-mc-old-')))
      fsCall(join(dir, 'etc'), () => renameSync(etc, aside))
      try {
        renameSync(fresh, etc)
      } catch (e) {
        renameSync(aside, etc)
        throw new InputError(`${join(dir, 'etc')}: ${describeFsError(e)}`)
      }
      // rmSync removes links, never what they point to.
      rmSync(aside, { recursive: true, force: true })
    }
  } finally {
    rmSync(fresh, { recursive: true, force: true })
    forget()
  }
  const kept = new Set(files.map((f) => f.path))
  return {
    written: files.map((f) => join(dir, f.path)),
    removed: removed.filter((p) => !kept.has(p)).sort().map((p) => join(dir, p)),
  }
}
