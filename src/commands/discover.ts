// Command `discover`: Argo CD's plugin discovery (`discover.find.command`). Prints
// the first file holding an ImagePolicy or ClusterImagePolicy that the
// kustomization in DIR pulls in, or nothing; Argo CD takes non-empty output as a
// match. Reads files (allowed in src/commands only); never runs kustomize, so it
// stays cheap: Argo CD runs discovery on every manifest generation.

import { readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { parse } from 'yaml'
import type { Streams } from '../cli.ts'

export const DISCOVER_USAGE = `imagepolicy-mc discover [DIR]

Prints the first file that holds an ImagePolicy or ClusterImagePolicy and that
the kustomization in DIR (default: .) includes, directly or through local bases
and components; prints nothing when there is none. Exits 0 either way (Argo CD
reads a non-zero exit as a broken plugin). Remote bases are not followed.`

/** The names kustomize accepts for a kustomization file, in its order (api/konfig/general.go). */
export const KUSTOMIZATION_FILE_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const

/** The entries of a kustomization that pull in resources. */
const RESOURCE_FIELDS = ['resources', 'bases', 'components'] as const

const POLICY_KIND = /^kind:[ \t]*["']?(?:Cluster)?ImagePolicy["']?[ \t]*(?:#.*)?$/m
const OPENSHIFT_CONFIG = /^apiVersion:[ \t]*["']?config\.openshift\.io\//m
const REMOTE = /^[a-z][a-z0-9+.-]*:\/\/|^git@|^github\.com\/|\?ref=/i

/** What discovery needs from the filesystem (injected, so the walk is testable without files). */
export interface DiscoverFs {
  readonly readText: (path: string) => string | undefined
  readonly isDirectory: (path: string) => boolean
}

/** The kustomization file in `dir`, if any. */
export function kustomizationFile(dir: string, fs: DiscoverFs): string | undefined {
  for (const name of KUSTOMIZATION_FILE_NAMES) {
    const path = join(dir, name)
    if (fs.readText(path) !== undefined) return path
  }
  return undefined
}

/**
 * The first policy file the kustomization in `dir` includes (depth-first, in
 * listing order), or undefined. Never throws on bad input: unreadable or
 * invalid kustomizations are skipped.
 */
export function findPolicyFile(dir: string, fs: DiscoverFs, seen: Set<string> = new Set()): string | undefined {
  if (seen.has(dir)) return undefined
  seen.add(dir)
  const file = kustomizationFile(dir, fs)
  if (file === undefined) return undefined
  let kustomization: unknown
  try {
    kustomization = parse(fs.readText(file) ?? '')
  } catch {
    return undefined
  }
  if (typeof kustomization !== 'object' || kustomization === null) return undefined
  for (const field of RESOURCE_FIELDS) {
    const entries = (kustomization as Record<string, unknown>)[field]
    if (!Array.isArray(entries)) continue
    for (const entry of entries) {
      if (typeof entry !== 'string' || REMOTE.test(entry)) continue
      const path = join(dir, entry)
      if (fs.isDirectory(path)) {
        const found = findPolicyFile(path, fs, seen)
        if (found !== undefined) return found
      } else {
        const text = fs.readText(path)
        if (text !== undefined && POLICY_KIND.test(text) && OPENSHIFT_CONFIG.test(text)) return path
      }
    }
  }
  return undefined
}

const NODE_FS: DiscoverFs = {
  readText: (path) => {
    try {
      return readFileSync(path, 'utf8')
    } catch {
      return undefined
    }
  },
  isDirectory: (path) => {
    try {
      return statSync(path).isDirectory()
    } catch {
      return false
    }
  },
}

export async function discover(argv: readonly string[], streams: Streams): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    streams.stdout.write(DISCOVER_USAGE + '\n')
    return 0
  }
  if (argv.length > 1 || (argv[0] ?? '').startsWith('-')) {
    streams.stderr.write(`imagepolicy-mc discover: expected at most one directory\n${DISCOVER_USAGE}\n`)
    return 2
  }
  const dir = argv[0] ?? '.'
  const found = findPolicyFile(dir, NODE_FS)
  if (found !== undefined) streams.stdout.write(relative(dir, found) + '\n')
  return 0
}
