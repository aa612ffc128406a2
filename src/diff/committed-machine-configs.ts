// Check helper: the MachineConfigs committed in a repository (rendered earlier
// with `render --write-machineconfigs`, or a committed function output) against
// the ones the sources render now. Pure; no I/O. Every difference is a problem
// line naming the MachineConfig and where it is; the node-file diff between
// the two (decompressed, per pool) says what applying the regenerated output
// would change. A committed MachineConfig carries the SHA-256 of each of its
// node files (annotation imagepolicy-mc.openshift.io/sha256sum): a file whose
// contents no longer match it was edited by hand.

import { createHash } from 'node:crypto'
import { isDeepStrictEqual } from 'node:util'
import { isObject } from '../is-object.ts'
import { formatIssue, toFieldPath } from '../issues.ts'
import { compareBytewise } from '../upstream/go-json.ts'
import { toYaml } from '../io/write.ts'
import { SHA256SUM_ANNOTATION } from '../wrap/annotations.ts'
import { nodeFilesFromMachineConfigs } from './machine-config-files.ts'
import { diffNodeFiles, fileChanges, type NodeFileDiff } from './node-file-diff.ts'

/** One generated MachineConfig as a document: its name, its exact text and its value. */
export interface MachineConfigDocument {
  readonly name: string
  /** The document's bytes, without a leading `---` marker line, with LF line endings (a CRLF checkout reads as the LF file committed). */
  readonly text: string
  readonly value: unknown
  /** Where it is, for messages: `rendered/99-worker-sigstore-imagepolicies.yaml`, or `rendered.yaml#3`. */
  readonly where: string
}

export type CheckProblemKind = 'stale' | 'missing' | 'extra' | 'hand-edited' | 'duplicate' | 'unreadable'

export interface CheckProblem {
  readonly kind: CheckProblemKind
  /** The MachineConfig it concerns. */
  readonly name: string
  readonly where: string
  readonly message: string
}

export interface CheckReport {
  /** Sorted by MachineConfig name, then kind. */
  readonly problems: readonly CheckProblem[]
  /** Node files from the committed MachineConfigs to the rendered ones. */
  readonly diff: NodeFileDiff
}

/** `<64 hex>  <path>` lines of the sha256sum annotation, path → digest; undefined when absent or malformed. */
export function parseSha256Sum(value: unknown): Map<string, string> | undefined {
  if (!isObject(value) || !isObject(value['metadata'])) return undefined
  const annotations = value['metadata']['annotations']
  if (!isObject(annotations)) return undefined
  const text = annotations[SHA256SUM_ANNOTATION]
  if (typeof text !== 'string') return undefined
  const out = new Map<string, string>()
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{64}) {2}(\/\S.*)$/.exec(line)
    if (m === null) return undefined
    out.set(m[2]!, m[1]!)
  }
  return out
}

/** The first field path where two values differ (keys in the committed value's order first). */
export function firstDifference(a: unknown, b: unknown, path: (string | number)[] = []): (string | number)[] | undefined {
  if (isDeepStrictEqual(a, b)) return undefined
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = firstDifference(a[i], b[i], [...path, i])
      if (d !== undefined) return d
    }
    return path
  }
  if (isObject(a) && isObject(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])]) {
      const d = firstDifference(a[key], b[key], [...path, key])
      if (d !== undefined) return d
    }
    return path
  }
  return path
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

/**
 * Whether a committed MachineConfig still holds what its annotation says: each
 * node file's SHA-256, the same set of files. Problems name the file.
 */
function handEdits(doc: MachineConfigDocument): CheckProblem[] {
  const problem = (message: string): CheckProblem => ({ kind: 'hand-edited', name: doc.name, where: doc.where, message })
  const read = nodeFilesFromMachineConfigs([doc.value])
  if (read === undefined) return []
  if (read.issues.length > 0) return read.issues.map((i) => ({ kind: 'unreadable', name: doc.name, where: doc.where, message: formatIssue(i).replace(/^error /, '') }))
  const files = [...read.pools.values()].flat()
  const sums = parseSha256Sum(doc.value)
  if (sums === undefined) {
    return files.length === 0 ? [] : [problem(`annotation ${SHA256SUM_ANNOTATION} is missing or malformed: the MachineConfig was edited by hand`)]
  }
  const out: CheckProblem[] = []
  for (const f of files) {
    const sum = sums.get(f.path)
    if (sum === undefined) out.push(problem(`${f.path} is not listed in annotation ${SHA256SUM_ANNOTATION}: the file was added by hand`))
    else if (sum !== sha256(f.contents)) out.push(problem(`${f.path} does not match its sha256 in annotation ${SHA256SUM_ANNOTATION}: the file was edited by hand`))
  }
  const present = new Set(files.map((f) => f.path))
  for (const path of sums.keys()) if (!present.has(path)) out.push(problem(`${path} is listed in annotation ${SHA256SUM_ANNOTATION} but not in the MachineConfig: the file was removed by hand`))
  return out
}

function nodeFilesOf(doc: MachineConfigDocument): ReturnType<typeof nodeFilesFromMachineConfigs> {
  return nodeFilesFromMachineConfigs([doc.value])
}

/**
 * Compares the committed generated MachineConfigs with the rendered ones, by
 * name. A committed one that is byte for byte the rendered one is current.
 * Otherwise it is hand-edited when its node files disagree with its own sha256
 * annotation, or when its text is not what we write for its values (so no run
 * of ours wrote it); stale when it is a MachineConfig we could have written
 * but the sources (or options) now render another; missing; extra; or its
 * name is there twice.
 */
export function compareMachineConfigs(rendered: readonly MachineConfigDocument[], committed: readonly MachineConfigDocument[]): CheckReport {
  const problems: CheckProblem[] = []
  const byName = new Map<string, MachineConfigDocument>()
  for (const doc of committed) {
    const first = byName.get(doc.name)
    if (first !== undefined) {
      problems.push({ kind: 'duplicate', name: doc.name, where: doc.where, message: `a second MachineConfig of this name (the first is in ${first.where}): remove one` })
      continue
    }
    byName.set(doc.name, doc)
  }
  const want = new Map(rendered.map((d) => [d.name, d]))
  for (const doc of byName.values()) {
    const edits = handEdits(doc)
    problems.push(...edits)
    const expected = want.get(doc.name)
    if (expected === undefined) {
      problems.push({ kind: 'extra', name: doc.name, where: doc.where, message: 'the sources no longer render this MachineConfig: remove it (applied, it would stay on the cluster)' })
      continue
    }
    if (doc.text === expected.text || edits.length > 0) continue
    // Text we did not write (reformatted, commented, keys moved) is a hand edit even where its values are current.
    if (toYaml(doc.value) !== doc.text) {
      problems.push({ kind: 'hand-edited', name: doc.name, where: doc.where, message: 'its text is not what imagepolicy-mc writes for its contents (reformatted, commented or changed by hand)' })
      continue
    }
    const mine = nodeFilesOf(doc)
    const theirs = nodeFilesOf(expected)
    const changes = fileChanges([...(mine?.pools.values() ?? [])].flat(), [...(theirs?.pools.values() ?? [])].flat())
    if (changes.length > 0) {
      for (const c of changes) {
        const how = c.status === 'modified' ? 'differs from what the sources render' : c.status === 'added' ? 'is rendered by the sources but missing here' : 'is here but no longer rendered by the sources'
        problems.push({ kind: 'stale', name: doc.name, where: doc.where, message: `${c.path} ${how}` })
      }
      continue
    }
    const at = firstDifference(doc.value, expected.value) ?? []
    problems.push({
      kind: 'stale',
      name: doc.name,
      where: doc.where,
      message: `its node files are current, but ${at.length > 0 ? toFieldPath(at) : 'the document'} differs from what the sources render with these options`,
    })
  }
  for (const doc of rendered) {
    if (!byName.has(doc.name)) problems.push({ kind: 'missing', name: doc.name, where: doc.where, message: 'the sources render this MachineConfig, but it is not committed' })
  }
  problems.sort((a, b) => compareBytewise(a.name, b.name) || compareBytewise(a.where, b.where))
  const pools = (docs: Iterable<MachineConfigDocument>) => nodeFilesFromMachineConfigs([...docs].map((d) => d.value))?.pools ?? new Map()
  return { problems, diff: diffNodeFiles(pools(byName.values()), pools(rendered)) }
}

/** One line per problem: `<where>: MachineConfig <name>: <kind>: <message>`. */
export function formatCheckProblem(p: CheckProblem): string {
  return `${p.where}: MachineConfig ${p.name}: ${p.kind}: ${p.message}`
}
