// Diff: the change in node files as text for a terminal, or as Markdown ready to
// paste into a pull request. Pure; no I/O.

import { formatIssue, type Issue } from '../issues.ts'
import { rollNote, type ChangeGroup, type NodeFileDiff } from './node-file-diff.ts'

export interface DiffReport {
  readonly base: string
  readonly head: string
  readonly diff: NodeFileDiff
  /** Warnings (and infos) of the head rendering, worth a reviewer's eye. */
  readonly headIssues: readonly Issue[]
  /** How each side was read (rendered, or decoded from its MachineConfigs). */
  readonly notes: readonly string[]
}

/** GitHub refuses comments over 65536 characters; stay below with room for the frame. */
export const MAX_MARKDOWN_CHARS = 60000

function poolsText(pools: readonly string[]): string {
  return pools.join(', ')
}

/** Plain text: a summary line per pool group, then each file's unified diff. */
export function formatDiffText(r: DiffReport): string {
  const lines: string[] = [`node files: ${r.base} -> ${r.head}`]
  for (const n of r.notes) lines.push(`note: ${n}`)
  if (r.diff.rolling.length === 0) {
    lines.push('no change to node files: no pool rolls')
    return lines.join('\n') + '\n'
  }
  let out = ''
  for (const g of r.diff.groups) {
    lines.push(`pools that would roll: ${poolsText(g.pools)} (${rollNote(g.changes)})`)
    for (const c of g.changes) lines.push(`  ${c.status.padEnd(8)} ${c.path} (+${c.added} -${c.removed})`)
  }
  out += lines.join('\n') + '\n'
  for (const g of r.diff.groups) {
    if (r.diff.groups.length > 1) out += `\n# pools ${poolsText(g.pools)}\n`
    for (const c of g.changes) out += `\n${c.diff}`
  }
  return out
}

/** A code fence longer than any backtick run in `text`. */
function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length))
  return '`'.repeat(longest + 1)
}

function groupMarkdown(g: ChangeGroup, multiple: boolean, budget: { left: number }): string {
  let out = multiple ? `#### Pools ${g.pools.map((p) => `\`${p}\``).join(', ')}\n\n` : ''
  out += '| file | change |\n| --- | --- |\n'
  for (const c of g.changes) out += `| \`${c.path}\` | ${c.status} (+${c.added} −${c.removed}) |\n`
  out += '\n'
  for (const c of g.changes) {
    const f = fence(c.diff)
    let body = c.diff
    let cut = ''
    if (body.length > budget.left) {
      body = body.slice(0, Math.max(0, budget.left))
      body = body.slice(0, body.lastIndexOf('\n') + 1)
      cut = `\n_Diff truncated to fit a pull request comment: run \`imagepolicy-mc diff\` locally for all of it._\n`
    }
    budget.left -= body.length
    out += `<details open>\n<summary><code>${c.path}</code> ${c.status}</summary>\n\n${f}diff\n${body}${f}\n${cut}</details>\n\n`
  }
  return out
}

/** Markdown for a pull request comment: pools that roll, a table of files, a collapsible diff per file, head warnings. */
export function formatDiffMarkdown(r: DiffReport): string {
  let out = `### Node files: \`${r.base}\` → \`${r.head}\`\n\n`
  for (const n of r.notes) out += `> ${n}\n`
  if (r.notes.length > 0) out += '\n'
  if (r.diff.rolling.length === 0) {
    out += 'No change to the node files: no pool rolls.\n'
  } else {
    for (const g of r.diff.groups) out += `**Pools that would roll:** ${g.pools.map((p) => `\`${p}\``).join(', ')}. ${rollNote(g.changes)}.\n\n`
    const budget = { left: MAX_MARKDOWN_CHARS }
    for (const g of r.diff.groups) out += groupMarkdown(g, r.diff.groups.length > 1, budget)
  }
  const shown = r.headIssues.filter((i) => i.severity !== 'error')
  if (shown.length > 0) {
    out += `\n**Review notes on \`${r.head}\`** (imagepolicy-mc guardrails and MCO warnings):\n\n`
    for (const i of shown) out += `- ${formatIssue(i).replaceAll('|', '\\|')}\n`
  }
  return out
}
