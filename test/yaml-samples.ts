// Test helper: YAML texts for the tests that check a line scan against the full
// parse (header-scan.test.ts, resource-list-scan.test.ts): every fixture and
// example, the benchmark's typical stream, seeded generated documents, and
// helpers to edit texts line by line.

import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) return yamlFiles(path)
      return /\.ya?ml$/.test(name) ? [path] : []
    })
}

export const CORPUS = [...yamlFiles('test/fixtures'), ...yamlFiles('examples')].map((path) => ({ path, text: readFileSync(path, 'utf8') }))

/** The benchmark's generator (scripts/bench-data.mjs), for its typical stream. */
const benchData = (await import(pathToFileURL('scripts/bench-data.mjs').href)) as {
  stream: (shape: { ips: number; namespaces: number; cips: number; others: number }) => string
}
export const TYPICAL = benchData.stream({ ips: 20, namespaces: 10, cips: 4, others: 200 })

// ---------------------------------------------------------------------------
// Generated documents: header fields in every position and presentation, with
// look-alikes of them in nested nodes, comments and block scalars.

export type Rand = () => number
export const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!

export function shuffled<T>(r: Rand, xs: readonly T[]): T[] {
  const out = [...xs]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

/** Header values, including words that are not strings unquoted. */
const WORDS = ['v1', 'apps/v1', 'config.openshift.io/v1', 'team-a', 'web-1', 'Namespace', 'ConfigMap', 'Deployment', 'Secret', 'ImagePolicy', 'MachineConfig', 'PodList', '2024-05-01', '1.0.0', 'a.b_c', 'yes', 'on', 'No', '~', 'null', 'true', '0644', '123', '1e3', '0x1f', '.5', '-1']

function scalar(r: Rand, word: string): string {
  const roll = r()
  if (roll < 0.55) return word
  if (roll < 0.7) return `'${word}'`
  if (roll < 0.85) return `"${word}"`
  if (roll < 0.95) return `${word} # a comment`
  return `${word}   `
}

function comment(r: Rand, indent: string): string[] {
  const roll = r()
  if (roll < 0.1) return [`${indent}# a comment: kind: Secret "`]
  if (roll < 0.15) return ['# at column 0']
  if (roll < 0.2) return ['']
  return []
}

/** A nested node (lines, without the key's line) at `indent` spaces. */
function nested(r: Rand, indent: number, depth: number): string[] {
  const pad = ' '.repeat(indent)
  const lines: string[] = []
  // Distinct keys: a repeated one would make the document invalid.
  const keys = shuffled(r, ['name', 'namespace', 'kind', 'apiVersion', 'app', 'image', 'items', 'script']).slice(0, 1 + Math.floor(r() * 4))
  for (const key of keys) {
    lines.push(...comment(r, pad))
    const roll = r()
    if (roll < 0.35 || depth > 2) lines.push(`${pad}${key}: ${scalar(r, pick(r, WORDS))}`)
    else if (roll < 0.5) lines.push(`${pad}${key}:`, ...nested(r, indent + 2, depth + 1))
    else if (roll < 0.65) {
      // A sequence, at the key's column or indented.
      const at = r() < 0.5 ? pad : `${pad}  `
      lines.push(`${pad}${key}:`)
      for (let j = 0; j < 1 + Math.floor(r() * 3); j++) {
        lines.push(`${at}- ${key}: ${scalar(r, pick(r, WORDS))}`, `${at}  ${key === 'kind' ? 'apiVersion' : 'kind'}: ${pick(r, WORDS)}`)
      }
    } else if (roll < 0.8) {
      const header = pick(r, ['|', '|-', '>', '>+', '|2'])
      lines.push(`${pad}${key}: ${header}`)
      const body = header === '|2' ? `${pad}  ` : `${pad}    `
      lines.push(`${body}kind: Secret`, `${body}echo "it's [ {`, '', `${body}  name: "x`)
    } else if (roll < 0.9) {
      lines.push(`${pad}${key}: ${pick(r, ['{}', '[]', '[a, "b, c", \'d\']', '{kind: Secret, name: "x"}'])}`)
    } else {
      lines.push(`${pad}${key}: "a quoted \\"value\\" with # and : in it"`)
    }
  }
  return lines
}

function metadataLines(r: Rand): string[] {
  const indent = r() < 0.8 ? '  ' : '    '
  const children: string[][] = []
  if (r() < 0.85) children.push([`${indent}name: ${scalar(r, pick(r, WORDS))}`])
  if (r() < 0.5) children.push([`${indent}namespace: ${scalar(r, pick(r, WORDS))}`])
  if (r() < 0.5) children.push([`${indent}labels:`, `${indent}  name: look-alike`, `${indent}  app: web`])
  if (r() < 0.4) children.push([`${indent}annotations:`, `${indent}  note: "namespace: look-alike"`, `${indent}  script: |`, `${indent}    name: "x`, `${indent}    kind: Secret`])
  if (r() < 0.3) children.push([`${indent}finalizers:`, `${indent}- kubernetes`])
  if (r() < 0.3) children.push([`${indent}ownerReferences:`, `${indent}- apiVersion: v1`, `${indent}  kind: ReplicaSet`, `${indent}  name: owner`])
  if (r() < 0.3) children.push([`${indent}generateName: web-`])
  if (r() < 0.2) children.push([`${indent}creationTimestamp: "2024-05-01T10:00:00Z"`])
  if (children.length === 0) children.push([`${indent}uid: "1"`])
  return ['metadata:', ...shuffled(r, children).flatMap((c) => [...comment(r, indent), ...c])]
}

export function generatedDocument(r: Rand): string {
  const entries: string[][] = []
  if (r() < 0.97) entries.push([`apiVersion: ${scalar(r, pick(r, WORDS))}`])
  if (r() < 0.97) entries.push([`kind: ${scalar(r, pick(r, WORDS))}`])
  if (r() < 0.9) entries.push(metadataLines(r))
  for (const key of ['spec', 'data', 'status', 'rules']) {
    const roll = r()
    if (roll < 0.4) entries.push([`${key}:`, ...nested(r, 2, 0)])
    else if (roll < 0.55) entries.push([`${key}:`, `- name: ${pick(r, WORDS)}`, '  kind: Secret', `- ${pick(r, WORDS)}`, '- |', '  kind: "x'])
    else if (roll < 0.65) entries.push([`${key}: ${pick(r, ['{}', '[]', 'x', '"quoted"', '{a: [1, 2]}'])}`])
    else if (roll < 0.7) entries.push([`${key}: |`, '  kind: Secret', "  it's ["])
  }
  const head = pick(r, [[], [], ['---'], ['--- # marker'], ['# head comment', '---']])
  const lines = [...head, ...shuffled(r, entries).flatMap((e) => [...comment(r, ''), ...e])]
  const eol = r() < 0.15 ? '\r\n' : '\n'
  return lines.join(eol) + (r() < 0.95 ? eol : '')
}

/** Lines with their line breaks kept, so CRLF documents stay CRLF. */
export const linesOf = (text: string): string[] => text.split(/(?<=\n)/)
export const eolOf = (line: string): string => (line.endsWith('\r\n') ? '\r\n' : line.endsWith('\n') ? '\n' : '')
export const bare = (line: string): string => line.replace(/\r?\n$/, '')

/** A seeded mutation of a YAML text, for the scans' property tests. */
export interface Mutation {
  readonly name: string
  /** The mutated text, or undefined when the mutation does not apply. */
  readonly apply: (text: string, r: Rand) => string | undefined
  /** Whether the scan must bail on the result (it changes a line the scan reads). */
  readonly mustBail: boolean
}

/** Mutations of any line, which a scan may survive: it must bail or agree. */
export const LINE_MUTATIONS: readonly Mutation[] = [
  {
    name: 'a line re-indented',
    mustBail: false,
    apply: (t, r) => {
      const lines = linesOf(t)
      const i = Math.floor(r() * lines.length)
      lines[i] = ' '.repeat(Math.floor(r() * 6)) + lines[i]!.trimStart()
      return lines.join('')
    },
  },
  {
    name: 'a line dropped',
    mustBail: false,
    apply: (t, r) => {
      const lines = linesOf(t)
      lines.splice(Math.floor(r() * lines.length), 1)
      return lines.join('')
    },
  },
  {
    name: 'a line repeated elsewhere',
    mustBail: false,
    apply: (t, r) => {
      const lines = linesOf(t).map((l) => (l.endsWith('\n') ? l : `${l}\n`))
      lines.splice(Math.floor(r() * (lines.length + 1)), 0, pick(r, lines))
      return lines.join('')
    },
  },
]
