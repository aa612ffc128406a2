// `render --write-machineconfigs DIR` and what `check` reads back: one file per
// generated MachineConfig, `DIR/<name>.yaml`, holding exactly the document the
// function prints for it, and `DIR/kustomization.yaml` listing them, so that
// `kubectl apply -k DIR`, Flux and `kubectl kustomize DIR` apply only these.
// DIR belongs to imagepolicy-mc: a file there that is not one of ours (a
// MachineConfig we generated, in the file named for it, or our kustomization
// file) is an error, never overwritten or deleted. DIR is often inside the
// repository, so its content is untrusted: a link there is never followed, and
// the new directory is built beside DIR and swapped in with renames, so a
// failed run leaves the old one as it was. Touches the filesystem (src/commands only).

import { chmodSync, closeSync, constants, fstatSync, lstatSync, mkdirSync, mkdtempSync, openSync, readSync, realpathSync, renameSync, rmSync, writeFileSync, type Stats } from 'node:fs'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { describeFsError, InputError } from '../cli/errors.ts'
import { decodeUtf8, sortedEntries, type InputBudget } from '../cli/inputs.ts'
import type { MachineConfigDocument } from '../diff/committed-machine-configs.ts'
import { readDocument, splitDocuments } from '../io/read.ts'
import { isGeneratedMachineConfig } from '../wrap/machine-config.ts'
import { removeOnSignal } from './cleanup.ts'

/** The first line of the kustomization file we write: how a later run knows the file is ours. */
export const KUSTOMIZATION_HEADER = '# Written by imagepolicy-mc render --write-machineconfigs: regenerate it, do not edit it.'
export const KUSTOMIZATION_FILE = 'kustomization.yaml'

/** A name we write a file for: a DNS-1123 subdomain (what the API server accepts as a MachineConfig name), so never a path. */
const FILE_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/

/** The kustomization file for these MachineConfigs (their files, by name). */
export function kustomizationText(names: readonly string[]): string {
  return `${KUSTOMIZATION_HEADER}
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
${names.map((n) => `- ${n}.yaml\n`).join('')}`
}

/** The document's text without its leading `---` marker line (the file holds one document). */
function withoutMarker(text: string): string {
  const m = /^---[ \t]*\r?\n/.exec(text)
  return m === null ? text : text.slice(m[0].length)
}

/**
 * Text with LF line endings. The files DIR holds are LF whatever the input's
 * line endings (the function's stream output follows its input's, src/io/write.ts):
 * what is committed must not depend on the platform or on how the sources were
 * checked out, and kustomize's output is LF anyway. A committed file read back
 * with CRLF (Git's core.autocrlf or core.eol=crlf on checkout) reads as the LF
 * file it was committed as; YAML reads line breaks in scalars as LF either way,
 * so the values, and the node files, are the same.
 */
export function withLf(text: string): string {
  return text.replaceAll('\r\n', '\n')
}

function nameOf(value: unknown): string {
  const metadata = (value as { metadata?: { name?: unknown } }).metadata
  return typeof metadata?.name === 'string' ? metadata.name : ''
}

/**
 * The generated MachineConfigs of a YAML stream, each with its exact text (LF line endings: `withLf`);
 * `where` says where each is (for messages). Documents that cannot be read are
 * returned as `unreadable` (their first error), so that nothing is skipped silently.
 */
export function generatedDocuments(text: string, where: (name: string, index: number) => string, path?: string): { documents: MachineConfigDocument[]; others: number; unreadable: string[] } {
  const documents: MachineConfigDocument[] = []
  const unreadable: string[] = []
  let others = 0
  splitDocuments(text).forEach((chunk, index) => {
    const read = readDocument(chunk, { ...(path !== undefined ? { path } : {}), index })
    if (read.issues.length > 0) {
      unreadable.push(read.issues[0]!.message)
      return
    }
    if (read.value === undefined || read.value === null) return
    if (!isGeneratedMachineConfig(read.value)) {
      others++
      return
    }
    const name = nameOf(read.value)
    documents.push({ name, text: withLf(withoutMarker(chunk)), value: read.value, where: where(name, index) })
  })
  return { documents, others, unreadable }
}

function lstatOrUndefined(path: string, shown: string): Stats | undefined {
  try {
    return lstatSync(path)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new InputError(`${shown}: ${describeFsError(e)}`)
  }
}

/** A regular file's text, never through a link (O_NOFOLLOW) and never a FIFO or device, within the budget. */
export function readOwnFile(path: string, shown: string, budget: InputBudget): string {
  let fd: number
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY)
  } catch (e) {
    throw new InputError(`${shown}: ${(e as NodeJS.ErrnoException).code === 'ELOOP' ? 'is a symbolic link: never followed' : describeFsError(e)}`)
  }
  try {
    if (!fstatSync(fd).isFile()) throw new InputError(`${shown}: not a regular file`)
    const chunks: Buffer[] = []
    for (;;) {
      const chunk = Buffer.alloc(Math.min(256 * 1024, budget.remaining + 1))
      const n = readSync(fd, chunk, 0, chunk.length, null)
      if (n === 0) break
      budget.take(shown, n)
      chunks.push(chunk.subarray(0, n))
    }
    return decodeUtf8(Buffer.concat(chunks), shown)
  } finally {
    closeSync(fd)
  }
}

/** What a MachineConfig directory holds: our MachineConfigs and kustomization file, and every other entry with the reason it is not ours. */
export interface MachineConfigDir {
  readonly exists: boolean
  readonly machineConfigs: readonly MachineConfigDocument[]
  /** Our kustomization file's text, when present. */
  readonly kustomization?: string
  /** `<shown path>: <reason>`, one per entry that is not ours. */
  readonly foreign: readonly string[]
}

/**
 * Reads DIR as `render --write-machineconfigs` left it. DIR itself must not be
 * a link (never followed: give the directory it points to); each entry is
 * looked at with lstat, read only when it is a regular file.
 */
export function readMachineConfigDir(dir: string, budget: InputBudget): MachineConfigDir {
  const root = resolve(dir)
  const stat = lstatOrUndefined(root, dir)
  if (stat === undefined) return { exists: false, machineConfigs: [], foreign: [] }
  if (stat.isSymbolicLink()) throw new InputError(`${dir} is a symbolic link: links in the MachineConfig directory are never followed; give the directory it points to`)
  if (!stat.isDirectory()) throw new InputError(`${dir}: not a directory`)
  const machineConfigs: MachineConfigDocument[] = []
  const foreign: string[] = []
  let kustomization: string | undefined
  const names = sortedEntries(root, dir)
  for (const name of names) {
    const shown = join(dir, name)
    const entry = lstatSync(join(root, name))
    if (entry.isSymbolicLink()) {
      foreign.push(`${shown}: a symbolic link: links in the MachineConfig directory are never followed`)
      continue
    }
    if (!entry.isFile()) {
      foreign.push(`${shown}: ${entry.isDirectory() ? 'a directory' : 'not a regular file'}: the MachineConfig directory holds only the files imagepolicy-mc writes`)
      continue
    }
    if (!name.endsWith('.yaml')) {
      foreign.push(`${shown}: not a file imagepolicy-mc writes (it writes <MachineConfig name>.yaml and ${KUSTOMIZATION_FILE})`)
      continue
    }
    const text = readOwnFile(join(root, name), shown, budget)
    if (name === KUSTOMIZATION_FILE) {
      const lf = withLf(text)
      if (lf.split('\n')[0] === KUSTOMIZATION_HEADER) kustomization = lf
      else foreign.push(`${shown}: not the kustomization file imagepolicy-mc writes (its first line is not "${KUSTOMIZATION_HEADER}")`)
      continue
    }
    const read = generatedDocuments(text, () => shown, shown)
    if (read.unreadable.length > 0) {
      foreign.push(`${shown}: ${read.unreadable[0]}`)
    } else if (read.documents.length !== 1 || read.others > 0) {
      foreign.push(`${shown}: ${read.documents.length === 0 ? 'holds no MachineConfig imagepolicy-mc generated (annotation imagepolicy-mc.openshift.io/generated: "true")' : 'holds more than one document: imagepolicy-mc writes one MachineConfig per file'}`)
    } else if (`${read.documents[0]!.name}.yaml` !== name) {
      foreign.push(`${shown}: holds MachineConfig ${read.documents[0]!.name}, which imagepolicy-mc writes to ${read.documents[0]!.name}.yaml`)
    } else {
      machineConfigs.push(read.documents[0]!)
    }
  }
  return { exists: true, machineConfigs, ...(kustomization !== undefined ? { kustomization } : {}), foreign }
}

/**
 * Why DIR cannot be swapped in by renaming: it is the current directory or
 * holds it (the shell would be left in a deleted directory, where `ls` shows
 * nothing and the next command fails). Undefined when it can.
 */
export function currentDirectoryRefusal(dir: string): string | undefined {
  let cwd: string
  let target: string
  try {
    cwd = realpathSync('.')
    target = realpathSync(dir)
  } catch {
    return undefined
  }
  const rel = relative(target, cwd)
  if (rel.startsWith('..') || rel.startsWith('/')) return undefined
  return `${dir} (${target}) ${rel === '' ? 'is' : 'holds'} the current directory: render --write-machineconfigs replaces DIR by renaming a new directory over it, which would leave the shell in a deleted directory; run it from outside DIR (e.g. cd ${dirname(target)} and give DIR as ${basename(target)})`
}

/**
 * Writes the MachineConfigs (documents as the function prints them) to DIR,
 * one `<name>.yaml` each, and the kustomization file listing them; removes the
 * ones of an earlier run that are no longer rendered. Refuses (InputError, one
 * line per entry) when DIR holds anything that is not ours. Returns the paths
 * written and removed, below `dir` as given.
 */
export function writeMachineConfigDir(dir: string, documents: readonly MachineConfigDocument[], budget: InputBudget): { written: string[]; removed: string[] } {
  for (const d of documents) {
    if (!FILE_NAME.test(d.name) || d.name.length > 253) throw new InputError(`MachineConfig ${JSON.stringify(d.name)}: not a valid MachineConfig name (a DNS-1123 subdomain), so not a file name imagepolicy-mc writes`)
  }
  const refusal = currentDirectoryRefusal(dir)
  if (refusal !== undefined) throw new InputError(refusal)
  const root = resolve(dir)
  const old = readMachineConfigDir(dir, budget)
  if (old.foreign.length > 0) {
    throw new InputError(`${dir} holds files imagepolicy-mc did not write; it owns the directory and neither overwrites nor deletes them: move them elsewhere\n${old.foreign.join('\n')}`)
  }
  const parent = dirname(root)
  try {
    mkdirSync(parent, { recursive: true })
  } catch (e) {
    throw new InputError(`${dirname(dir)}: ${describeFsError(e)}`)
  }
  let fresh: string
  try {
    fresh = mkdtempSync(join(parent, `.${basename(root)}.imagepolicy-mc-new-`))
  } catch (e) {
    // The temporary name is ours, not the user's: name DIR and the directory it is built in.
    throw new InputError(`${dir}: cannot create the new directory beside it in ${dirname(dir)}: ${describeFsError(e)}`)
  }
  // Synchronous: with the handlers installed, SIGINT/SIGTERM wait until this returns.
  const forget = removeOnSignal(fresh)
  try {
    const names = documents.map((d) => d.name)
    for (const d of documents) writeFileSync(join(fresh, `${d.name}.yaml`), d.text, { flag: 'wx', mode: 0o644 })
    writeFileSync(join(fresh, KUSTOMIZATION_FILE), kustomizationText(names), { flag: 'wx', mode: 0o644 })
    chmodSync(fresh, old.exists ? lstatSync(root).mode & 0o7777 : 0o755)
    if (!old.exists) {
      renameSync(fresh, root)
    } else {
      // Two renames: the old directory aside, the new one in; the old one is put back if the second fails.
      const aside = mkdtempSync(join(parent, `.${basename(root)}.imagepolicy-mc-old-`))
      renameSync(root, aside)
      try {
        renameSync(fresh, root)
      } catch (e) {
        renameSync(aside, root)
        throw new InputError(`${dir}: ${describeFsError(e)}`)
      }
      // rmSync removes links, never what they point to (and the old directory held none: read above).
      rmSync(aside, { recursive: true, force: true })
    }
  } catch (e) {
    if (e instanceof InputError) throw e
    throw new InputError(`${dir}: ${describeFsError(e)}`)
  } finally {
    rmSync(fresh, { recursive: true, force: true })
    forget()
  }
  const kept = new Set(documents.map((d) => d.name))
  return {
    written: [...documents.map((d) => join(dir, `${d.name}.yaml`)), join(dir, KUSTOMIZATION_FILE)],
    removed: old.machineConfigs.filter((d) => !kept.has(d.name)).map((d) => join(dir, `${d.name}.yaml`)),
  }
}
