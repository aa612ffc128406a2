// Impact: the report as text for a terminal, Markdown for a pull-request comment
// (examples/pr-diff/), or JSON for scripts. Pure; no I/O. Input text (image
// names, workload names) is escaped: control characters in text, HTML and table
// syntax in Markdown.

import { escapeControls } from '../issues.ts'
import type { Governing } from './governing.ts'
import type { DiffEntry, DiffImpact, StreamEntry, StreamImpact } from './impact.ts'

export type ImpactReport = StreamImpact | DiffImpact

/** GitHub refuses comments over 65536 characters; stay below with room for the frame. */
export const MAX_MARKDOWN_CHARS = 60000

const VERDICT: Readonly<Record<Governing['verdict'], string>> = {
  accepted: 'no signature required',
  rejected: 'rejected',
  'signature-required': 'signature required',
}

/** One line: the verdict, who governs, and the scope. */
export function requirementSummary(g: Governing | null): string {
  if (g === null) return 'cannot be evaluated (the reference cannot be read)'
  const scope = g.scope === null ? '' : `, scope ${g.scope === '' ? '"" (docker default)' : g.scope}`
  const trust = [...new Set(g.rules.flatMap((r) => (r.rootOfTrust !== null ? [r.rootOfTrust] : [])))]
  return `${VERDICT[g.verdict]}${trust.length > 0 ? ` (${trust.join(', ')})` : ''}: ${g.sources.length > 0 ? g.sources.join(', ') : '(nothing in the input)'}${scope}`
}

/** The requirement's detail lines: each rule and identity, the file. */
function requirementDetails(g: Governing): string[] {
  const lines: string[] = []
  const signing = g.rules.filter((r) => r.type !== 'insecureAcceptAnything' && r.type !== 'reject')
  for (const r of signing) {
    lines.push(`requires: ${r.rootOfTrust !== null ? `${r.rootOfTrust}: ` : ''}${r.text}`)
    if (r.identity !== null) lines.push(`identity: ${r.identity.type}: ${r.identity.text}`)
  }
  lines.push(`file:     ${g.file}${g.fileWritten ? '' : ' (not written by these MachineConfigs: the node keeps MCO\'s own, assumed to be its template)'}`)
  return lines
}

function title(e: StreamEntry | DiffEntry): string {
  const ref = e.reference ?? e.given.map((g) => (g === '' ? '(no image)' : g)).join(', ')
  const as = e.reference !== null && e.given.some((g) => g !== e.reference) ? ` (written ${e.given.join(', ')})` : ''
  return `${e.namespace}  ${ref}${as}`
}

const ONLY: Readonly<Record<DiffEntry['in'], string>> = { both: '', base: '  [only the base runs it]', head: '  [only the head runs it]' }

function entryText(e: StreamEntry | DiffEntry): string[] {
  const lines = [escapeControls(title(e) + ('in' in e ? ONLY[e.in] : ''))]
  const add = (label: string, text: string) => lines.push(`  ${label.padEnd(9)}${escapeControls(text)}`)
  const more = (text: string) => lines.push(`  ${' '.repeat(9)}${escapeControls(text)}`)
  e.uses.forEach((u, i) => (i === 0 ? add('run by:', `${u.workload} ${u.container}`) : more(`${u.workload} ${u.container}`)))
  const side = (label: string, g: Governing | null) => {
    add(label, requirementSummary(g))
    if (g !== null) for (const d of requirementDetails(g)) more(d)
  }
  if ('in' in e) {
    side('before:', e.before)
    side('after:', e.after)
  } else {
    side('now:', e.requirement)
  }
  e.risks.forEach((r, i) => (i === 0 ? add('risk:', `[${r.code}] ${r.text}`) : more(`[${r.code}] ${r.text}`)))
  e.notes.forEach((n, i) => (i === 0 ? add('note:', n) : more(n)))
  return lines
}

function headline(r: ImpactReport): string {
  const risky = r.images.filter((e) => e.risks.length > 0).length
  const n = r.images.length
  const images = `${n} image${n === 1 ? '' : 's'}`
  const risks = risky > 0 ? `, ${risky} with risks` : ''
  if (r.form === 'stream') return n === 0 ? 'no image: the input holds no workload (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob)' : `${images} run by the workloads${risks}`
  return `${n === 0 ? 'no image' : images} change${n <= 1 ? 's' : ''} requirement from ${r.base} to ${r.head}${risks} (${r.unchanged} unchanged)`
}

/** Plain text: a headline, then one block per image (namespace, then reference order). */
export function formatImpactText(r: ImpactReport): string {
  const lines = [escapeControls(headline(r))]
  for (const n of r.notes) lines.push(escapeControls(`note: ${n}`))
  for (const e of r.images) lines.push('', ...entryText(e))
  return lines.join('\n') + '\n'
}

/** Markdown table cell: one line, no table or HTML syntax from the input. */
function cell(text: string): string {
  return escapeControls(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|').replace(/`/g, '\\`').replace(/\*/g, '\\*').replace(/_/g, '\\_')
}

function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length))
  return '`'.repeat(longest + 1)
}

/**
 * Markdown for a pull-request comment: a headline, a table (one row per image)
 * and the full text report in a collapsed block, cut to GitHub's comment size.
 */
export function formatImpactMarkdown(r: ImpactReport): string {
  let out = `### Image impact\n\n${cell(headline(r))}\n\n`
  for (const n of r.notes) out += `> ${cell(n)}\n\n`
  if (r.images.length > 0) {
    out += r.form === 'diff' ? '| namespace | image | before | after | risks |\n| --- | --- | --- | --- | --- |\n' : '| namespace | image | requirement | risks |\n| --- | --- | --- | --- |\n'
    const rows: string[] = []
    for (const e of r.images) {
      const risks = e.risks.length === 0 ? '' : `⚠️ ${e.risks.map((k) => k.code).join(', ')}`
      const image = cell(e.reference ?? e.given.map((g) => (g === '' ? '(no image)' : g)).join(', ')) + ('in' in e && e.in !== 'both' ? ` (only ${e.in})` : '')
      rows.push('in' in e ? `| ${cell(e.namespace)} | ${image} | ${cell(requirementSummary(e.before))} | ${cell(requirementSummary(e.after))} | ${risks} |\n` : `| ${cell(e.namespace)} | ${image} | ${cell(requirementSummary(e.requirement))} | ${risks} |\n`)
    }
    const budget = MAX_MARKDOWN_CHARS / 2
    let used = 0
    let shown = 0
    for (const row of rows) {
      if (used + row.length > budget) break
      out += row
      used += row.length
      shown++
    }
    if (shown < rows.length) out += `\n${rows.length - shown} more image(s) not shown here (comment size limit): run imagepolicy-mc impact locally for all of them.\n`
    let details = formatImpactText(r)
    const left = MAX_MARKDOWN_CHARS - out.length - 200
    if (details.length > left) details = `${details.slice(0, Math.max(0, left))}\n… (cut at the comment size limit)\n`
    const f = fence(details)
    out += `\n<details><summary>Requirements in full (keys, identities, risks)</summary>\n\n${f}text\n${details}${f}\n\n</details>\n`
  }
  return out
}

/** JSON for scripts: the report as is (field names are the contract; see src/impact/impact.ts). */
export function formatImpactJson(r: ImpactReport): string {
  return JSON.stringify(r, null, 2) + '\n'
}
