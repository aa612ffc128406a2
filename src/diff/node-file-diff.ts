// Diff: the change in node files between two renderings, per file, and the
// pools that would roll. Pure; no I/O.

import type { NodeFile } from '../model.ts'
import { compareBytewise } from '../upstream/go-json.ts'
import { compareNodePaths } from './machine-config-files.ts'
import { splitLines, unifiedDiff } from './unified-diff.ts'

export type FileStatus = 'added' | 'removed' | 'modified'

export interface FileChange {
  readonly path: string
  readonly status: FileStatus
  /** Unified diff of the decoded contents (`a/<path>`, `b/<path>`, `/dev/null`). */
  readonly diff: string
  readonly added: number
  readonly removed: number
}

/** Pools whose files change the same way. */
export interface ChangeGroup {
  readonly pools: readonly string[]
  readonly changes: readonly FileChange[]
}

export interface NodeFileDiff {
  /** Pools whose merged files change: MCO updates their nodes. */
  readonly rolling: readonly string[]
  /** Changes grouped by pool (normally one group: every pool gets the same files). */
  readonly groups: readonly ChangeGroup[]
}

/**
 * What nodes do when these files change: MCO's default node disruption policy
 * (`pkg/apihelpers` in openshift/machine-config-operator) reloads CRI-O for
 * /etc/containers/policy.json, /etc/containers/registries.d and /etc/crio/policies,
 * so nodes are updated one at a time without a drain or a reboot. Older MCO
 * releases (the fixed list in `calculatePostConfigChangeActionFromMCDiffs`) knew
 * policy.json and registries.d but not /etc/crio/policies, and rebooted for it.
 */
export function rollNote(changes: readonly FileChange[]): string {
  const base = 'MCO updates their nodes one at a time; its default node disruption policy reloads CRI-O for these files (no drain, no reboot)'
  return changes.some((c) => c.path.startsWith('/etc/crio/policies/'))
    ? `${base}; MCO releases whose default policy does not list /etc/crio/policies reboot each node for a namespace file change`
    : base
}

function countLines(diff: string, sign: '+' | '-'): number {
  return splitLines(diff).filter((l) => l.startsWith(sign) && !l.startsWith(`${sign}${sign}${sign} `)).length
}

/** The per-file changes from `base` to `head` (paths in MCO's order). */
export function fileChanges(base: readonly NodeFile[], head: readonly NodeFile[]): FileChange[] {
  const from = new Map(base.map((f) => [f.path, f.contents]))
  const to = new Map(head.map((f) => [f.path, f.contents]))
  const paths = [...new Set([...from.keys(), ...to.keys()])].sort(compareNodePaths)
  const out: FileChange[] = []
  for (const path of paths) {
    const a = from.get(path)
    const b = to.get(path)
    if (a === b) continue
    const status: FileStatus = a === undefined ? 'added' : b === undefined ? 'removed' : 'modified'
    const diff = unifiedDiff(a ?? '', b ?? '', { fromName: a === undefined ? '/dev/null' : `a${path}`, toName: b === undefined ? '/dev/null' : `b${path}` })
    out.push({ path, status, diff, added: countLines(diff, '+'), removed: countLines(diff, '-') })
  }
  return out
}

/** Compares two renderings, each pool → its files (a pool absent on one side has no files there). */
export function diffNodeFiles(base: ReadonlyMap<string, readonly NodeFile[]>, head: ReadonlyMap<string, readonly NodeFile[]>): NodeFileDiff {
  const pools = [...new Set([...base.keys(), ...head.keys()])].sort(compareBytewise)
  const groups = new Map<string, { pools: string[]; changes: FileChange[] }>()
  for (const pool of pools) {
    const changes = fileChanges(base.get(pool) ?? [], head.get(pool) ?? [])
    if (changes.length === 0) continue
    const key = JSON.stringify(changes)
    const group = groups.get(key)
    if (group === undefined) groups.set(key, { pools: [pool], changes })
    else group.pools.push(pool)
  }
  return { rolling: [...groups.values()].flatMap((g) => g.pools).sort(compareBytewise), groups: [...groups.values()] }
}
