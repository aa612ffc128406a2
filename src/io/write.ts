// Write stage: items + generated resources + issues → output text, in the shape
// the input came in. Pure; no I/O.

import { isMap, isSeq, type Document } from 'yaml'
import { stringify } from 'yaml'
import { toResult, type Issue } from '../issues.ts'
import type { StreamDocument } from './read.ts'
import { STRINGIFY_OPTIONS } from './yaml-settings.ts'

/** Serializes one generated resource as a block-style YAML document body. */
export function toYaml(value: unknown): string {
  return stringify(value, { ...STRINGIFY_OPTIONS, version: '1.1' })
}

/**
 * A plain stream: the kept documents exactly as they were read, then each
 * generated resource as its own document. Documents keep their own markers;
 * we add `---` only where one is needed.
 */
export function writeStream(kept: readonly StreamDocument[], generated: readonly unknown[]): string {
  let out = ''
  for (const doc of kept) {
    if (out !== '' && !/^(\uFEFF)?---(?:[ \t]|\r?$)/m.test(firstLine(doc.text)) && !endsWithDocumentEnd(out)) out += '---\n'
    out += doc.text
    if (!out.endsWith('\n')) out += '\n'
  }
  for (const value of generated) {
    if (out !== '') out += '---\n'
    out += toYaml(value)
  }
  return out
}

function firstLine(text: string): string {
  // The first line that is not a comment, directive or blank decides whether the document has its own `---`.
  for (const line of text.split('\n')) {
    const l = line.replace(/^\uFEFF/, '').replace(/\r$/, '')
    if (l === '' || l.startsWith('#') || l.startsWith('%')) continue
    return l
  }
  return ''
}

function endsWithDocumentEnd(text: string): boolean {
  return /(^|\n)\.\.\.[ \t]*\r?\n$/.test(text)
}

/**
 * A ResourceList: the input document edited in place (items we drop removed,
 * generated items appended, `results` set), so the items we pass through keep
 * their comments and scalar forms.
 */
export function writeResourceList(
  document: Document,
  keep: (index: number) => boolean,
  generated: readonly unknown[],
  issues: readonly Issue[],
): string {
  const doc = document.clone()
  const root = doc.contents
  if (!isMap(root)) throw new Error('invariant: ResourceList document is not a map')
  const items = doc.get('items')
  if (isSeq(items)) {
    items.items = items.items.filter((_, i) => keep(i))
    for (const value of generated) items.items.push(doc.createNode(value))
  } else {
    doc.set('items', doc.createNode([...generated]))
  }
  if (issues.length > 0) doc.set('results', doc.createNode(issues.map(toResult)))
  else doc.delete('results')
  return doc.toString(STRINGIFY_OPTIONS)
}
