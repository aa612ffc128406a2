// Command `discover`: Argo CD's plugin discovery (`discover.find.command`). Prints
// the first file holding an ImagePolicy or ClusterImagePolicy that the
// kustomization in DIR pulls in, or nothing; Argo CD takes non-empty output as a
// match. Reads files (allowed in src/commands only); never runs kustomize, so it
// stays cheap: Argo CD runs discovery on every manifest generation.

import { lstatSync, realpathSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { parse } from 'yaml'
import type { Streams } from '../cli/context.ts'
import { InputBudget, isInside, readRegularFile } from '../cli/inputs.ts'
import { escapeControls } from '../issues.ts'
import { DEFAULT_MAX_INPUT_BYTES } from '../limits.ts'

export const DISCOVER_USAGE = `imagepolicy-mc discover [DIR] [--root ROOT]

Prints the first file that holds an ImagePolicy or ClusterImagePolicy and that
the kustomization in DIR (default: .) includes, directly or through local bases
and components; prints nothing when there is none. Exits 0 either way (Argo CD
reads a non-zero exit as a broken plugin). Remote bases are not followed.

Every file read must be, by its real path, inside ROOT: links and ../ entries
that lead out of it are skipped with a warning on stderr; only regular files are
read, each directory once. ROOT defaults to the repository root: DIR with
$ARGOCD_APP_SOURCE_PATH taken off its end (as Argo CD runs discovery in the
application's path), else the nearest directory above DIR that holds .git, else DIR.

  --root ROOT   the directory no read may leave`

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
  /** Who a directory is (device and inode), so that a directory reached by two paths is walked once. */
  readonly identity?: (path: string) => string | undefined
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
  const key = fs.identity?.(dir) ?? dir
  if (seen.has(key)) return undefined
  seen.add(key)
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

/** The small files discovery reads: kustomizations and the resources they list. */
const MAX_FILE_BYTES = DEFAULT_MAX_INPUT_BYTES

/**
 * The filesystem as discovery sees it: confined to `root` (a real path) by real
 * path, regular files only (opened non-blocking: a FIFO is not waited on), each
 * read bounded. What is refused is reported once on stderr and reads as absent.
 */
export function confinedFs(root: string, warn: (message: string) => void): DiscoverFs {
  const warned = new Set<string>()
  const once = (path: string, why: string) => {
    if (warned.has(path)) return
    warned.add(path)
    warn(`${path}: ${why}`)
  }
  const inside = (path: string): string | undefined => {
    let real: string
    try {
      real = realpathSync(path)
    } catch {
      return undefined
    }
    if (isInside(root, real)) return real
    once(path, `outside the root ${root} (by its real path ${real}): not read`)
    return undefined
  }
  return {
    readText: (path) => {
      const real = inside(path)
      if (real === undefined) return undefined
      try {
        if (!lstatSync(real).isFile()) {
          if (!lstatSync(real).isDirectory()) once(path, 'not a regular file: not read')
          return undefined
        }
        return readRegularFile(real, new InputBudget(MAX_FILE_BYTES), path).toString('utf8')
      } catch (e) {
        once(path, `${(e as Error).message.replace(`${path}: `, '')}: not read`)
        return undefined
      }
    },
    isDirectory: (path) => {
      const real = inside(path)
      try {
        return real !== undefined && statSync(real).isDirectory()
      } catch {
        return false
      }
    },
    identity: (path) => {
      try {
        const stat = statSync(path)
        return `${stat.dev}:${stat.ino}`
      } catch {
        return undefined
      }
    },
  }
}

function hasGit(dir: string): boolean {
  try {
    lstatSync(join(dir, '.git'))
    return true
  } catch {
    return false
  }
}

/** The default root (see DISCOVER_USAGE). */
export function defaultRoot(dir: string, env: Readonly<Record<string, string | undefined>>): string {
  const real = realpathSync(dir)
  const source = env['ARGOCD_APP_SOURCE_PATH']?.replace(/^\.?\/+|\/+$/g, '')
  if (source !== undefined && source !== '' && source !== '.') {
    const suffix = `/${source}`
    if (real.endsWith(suffix)) return real.slice(0, -suffix.length) || '/'
  }
  for (let d = real; ; d = dirname(d)) {
    if (hasGit(d)) return d
    if (dirname(d) === d) break
  }
  return real
}

export async function discover(argv: readonly string[], streams: Streams): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    streams.stdout.write(DISCOVER_USAGE + '\n')
    return 0
  }
  const words: string[] = []
  let rootFlag: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--root' && i + 1 < argv.length) rootFlag = argv[++i]!
    else if (a.startsWith('--root=')) rootFlag = a.slice('--root='.length)
    else words.push(a)
  }
  if (words.length > 1 || (words[0] ?? '').startsWith('-') || rootFlag === '') {
    streams.stderr.write(`imagepolicy-mc discover: expected at most one directory and --root ROOT\n${DISCOVER_USAGE}\n`)
    return 2
  }
  const dir = words[0] ?? '.'
  const warn = (message: string) => streams.stderr.write(`imagepolicy-mc discover: warning: ${escapeControls(message)}\n`)
  let root: string
  try {
    root = rootFlag !== undefined ? realpathSync(rootFlag) : defaultRoot(dir, process.env)
  } catch {
    // No such directory: nothing to discover (Argo CD reads a non-zero exit as a broken plugin).
    warn(`cannot read ${rootFlag ?? dir}`)
    return 0
  }
  const found = findPolicyFile(dir, confinedFs(root, warn))
  if (found !== undefined) streams.stdout.write(relative(resolve(dir), resolve(found)) + '\n')
  return 0
}
