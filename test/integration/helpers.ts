// Integration-test helpers: the real tools (kubectl, kpt), temp copies of the
// examples, the built bundle as an executable on PATH, and YAML streams.

import { spawnSync } from 'node:child_process'
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join, resolve } from 'node:path'
import type { TestContext } from 'node:test'
import { parseAllDocuments } from 'yaml'
import { findExecutable } from '../../src/commands/util-path.ts'

/** The bundle `npm test` builds first (pretest); integration tests run it as users do. */
export const BUNDLE = resolve('dist/imagepolicy-mc.js')

export const IN_CI = process.env['CI'] !== undefined && process.env['CI'] !== '' && process.env['CI'] !== 'false'

const INSTALL_HINTS: Readonly<Record<string, string>> = {
  kubectl: 'install kubectl 1.27+ (kustomize v5): bash .ci/install-integration.sh, or the kubectl package of your distribution',
  kpt: 'install kpt 1.0: bash .ci/install-integration.sh, or https://kpt.dev/installation/',
  podman: 'install podman and build the images: bash .ci/install-images.sh (as root)',
}

/** The images .ci/install-images.sh builds from the Dockerfile (scripts/build-images.sh). */
export const FUNCTION_IMAGE = process.env['IMAGEPOLICY_MC_IMAGE'] ?? 'localhost/imagepolicy-mc:dev'
export const SIDECAR_IMAGE = process.env['IMAGEPOLICY_MC_ARGOCD_CMP_IMAGE'] ?? 'localhost/imagepolicy-mc-argocd-cmp:dev'

/** Debian 13's standalone kustomize 5.6, kept off PATH by .ci/install-images.sh. */
export const STANDALONE_KUSTOMIZE = process.env['IMAGEPOLICY_MC_KUSTOMIZE'] ?? '/opt/imagepolicy-mc-kustomize/bin/kustomize'

/** Missing in CI: a failure; elsewhere: a skip that says why and how to get it. */
export function missing(t: TestContext, why: string): undefined {
  if (IN_CI) throw new Error(`${why} (CI is set, so this is a failure, not a skip)`)
  t.skip(why)
  return undefined
}

/** The standalone kustomize binary, or a skip/failure naming the install script. */
export function requireStandaloneKustomize(t: TestContext): string | undefined {
  if (existsSync(STANDALONE_KUSTOMIZE)) return STANDALONE_KUSTOMIZE
  return missing(t, `standalone kustomize not found at ${STANDALONE_KUSTOMIZE} (IMAGEPOLICY_MC_KUSTOMIZE); install it: bash .ci/install-images.sh (Debian 13's kustomize 5.6)`)
}

/**
 * podman, and each image built from the current sources: the image's bundle
 * must be the one `npm test` just built, else the image is stale (a skip
 * outside CI, since the machine's container storage is shared by every checkout).
 */
export function requireImages(t: TestContext, images: readonly { ref: string; bundle: string }[]): string | undefined {
  const podman = requireTool(t, 'podman')
  if (podman === undefined) return undefined
  for (const { ref, bundle } of images) {
    const id = runProgram(podman, ['image', 'inspect', '--format', '{{.Id}}', ref])
    if (id.code !== 0) return missing(t, `image ${ref} not found; build it: bash .ci/install-images.sh (or scripts/build-images.sh --local-bases)`)
    const dir = tempDir(t, 'imagepolicy-mc-image-')
    const ctr = runProgram(podman, ['create', ref])
    if (ctr.code !== 0) throw new Error(`podman create ${ref}: ${ctr.stderr}`)
    const cp = runProgram(podman, ['cp', `${ctr.stdout.trim()}:${bundle}`, join(dir, 'bundle.js')])
    runProgram(podman, ['rm', ctr.stdout.trim()])
    if (cp.code !== 0) throw new Error(`podman cp ${ref}:${bundle}: ${cp.stderr}`)
    if (!readFileSync(join(dir, 'bundle.js')).equals(readFileSync(BUNDLE))) {
      return missing(t, `image ${ref} holds another build than dist/imagepolicy-mc.js (stale); rebuild it: scripts/build-images.sh --local-bases`)
    }
  }
  return podman
}

/**
 * The absolute path of a tool the test drives. Missing: in CI the test fails
 * (CI must have it); elsewhere the test is skipped with an install hint.
 */
export function requireTool(t: TestContext, name: string): string | undefined {
  const found = findExecutable(name, process.env['PATH'])
  if (found !== undefined) return found
  const why = `${name} not found on PATH; ${INSTALL_HINTS[name] ?? `install ${name}`}`
  if (IN_CI) throw new Error(`${why} (CI is set, so this is a failure, not a skip)`)
  t.skip(why)
  return undefined
}

/** A fresh temp directory, removed when the test ends. */
export function tempDir(t: TestContext, prefix = 'imagepolicy-mc-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A directory holding `imagepolicy-mc`: the bundle copied with mode 0755, as npm and the Dockerfile install it. */
export function binDir(t: TestContext): string {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build (npm test does)`)
  const dir = join(tempDir(t, 'imagepolicy-mc-bin-'))
  copyFileSync(BUNDLE, join(dir, 'imagepolicy-mc'))
  chmodSync(join(dir, 'imagepolicy-mc'), 0o755)
  return dir
}

/**
 * What a tool test starts from: the tool's path (see `requireTool`), a copy of
 * an example named `as` in a fresh temp root, and the env to run it with (our
 * bin dir first on PATH, a HOME of its own).
 */
export function exampleFor(t: TestContext, tool: string, example: string, as: string): { tool: string; root: string; dir: string; env: { PATH: string; HOME: string } } | undefined {
  const found = requireTool(t, tool)
  if (found === undefined) return undefined
  const root = tempDir(t)
  const dir = join(root, as)
  copyTree(example, dir)
  return { tool: found, root, dir, env: { PATH: pathWith(binDir(t)), HOME: join(root, 'home') } }
}

/**
 * Copies a tree with files at mode 0644 and directories at 0755, as Argo CD
 * hands a repository to a plugin (no exec bits survive).
 */
export function copyTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true, mode: 0o755 })
  chmodSync(to, 0o755)
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const src = join(from, entry.name)
    const dst = join(to, entry.name)
    if (entry.isDirectory()) copyTree(src, dst)
    else if (entry.isFile()) {
      copyFileSync(src, dst)
      chmodSync(dst, 0o644)
    }
  }
}

/** Every file under a directory, relative path → content (for "left unchanged" checks). */
export function snapshotTree(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {}
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`
    if (entry.isDirectory()) Object.assign(out, snapshotTree(dir, rel))
    else out[rel] = readFileSync(join(dir, rel), 'utf8')
  }
  return out
}

export interface Ran {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs a program directly (no shell), like Argo CD and kustomize do. */
export function runProgram(file: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Ran {
  const result = spawnSync(file, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    input: options.input ?? '',
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  })
  if (result.error !== undefined) throw result.error
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

/** PATH with our bin dir first, then Node.js and the tools the tests use, then the system's. */
export function pathWith(bin: string): string {
  const tools = ['kubectl', 'kpt'].map((t) => findExecutable(t, process.env['PATH'])).filter((p) => p !== undefined)
  const dirs = [bin, dirname(process.execPath), ...tools.map((p) => dirname(p)), '/usr/local/bin', '/usr/bin', '/bin']
  return [...new Set(dirs)].join(delimiter)
}

/** A plain YAML stream as values (empty documents dropped). */
export function parseStream(text: string): Record<string, unknown>[] {
  return parseAllDocuments(text, { version: '1.1' })
    .flatMap((d) => {
      if (d.errors.length > 0) throw new Error(`invalid YAML: ${d.errors[0]!.message}`)
      return [d.toJS() as unknown]
    })
    .filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null)
}

export function kindOf(o: Record<string, unknown>): string {
  return String(o['kind'])
}

export function nameOf(o: Record<string, unknown>): string {
  const m = o['metadata'] as Record<string, unknown> | undefined
  return `${m?.['namespace'] !== undefined ? `${String(m['namespace'])}/` : ''}${String(m?.['name'])}`
}

/** The MachineConfigs of a stream, by name. */
export function machineConfigs(objects: readonly Record<string, unknown>[]): Map<string, Record<string, unknown>> {
  return new Map(objects.filter((o) => kindOf(o) === 'MachineConfig').map((o) => [nameOf(o), o]))
}

/** The node files of a MachineConfig: path → decoded contents. */
export function nodeFiles(machineConfig: Record<string, unknown>): Map<string, string> {
  const files = ((((machineConfig['spec'] as Record<string, unknown>)['config'] as Record<string, unknown>)['storage'] as Record<string, unknown> | undefined)?.['files'] ?? []) as Record<string, unknown>[]
  const out = new Map<string, string>()
  for (const f of files) {
    const source = String((f['contents'] as Record<string, unknown>)['source'])
    const comma = source.indexOf(',')
    const data = source.slice(comma + 1)
    out.set(String(f['path']), source.slice(0, comma).endsWith(';base64') ? Buffer.from(data, 'base64').toString('utf8') : decodeURIComponent(data))
  }
  return out
}

/** Strips the annotations orchestrators add (kustomize, kpt) so that outputs compare by content. */
export function withoutOrchestratorAnnotations(o: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(o)
  const m = copy['metadata'] as Record<string, unknown> | undefined
  const annotations = m?.['annotations'] as Record<string, string> | undefined
  if (m !== undefined && annotations !== undefined) {
    for (const key of Object.keys(annotations)) {
      if (/^(internal\.)?config\.kubernetes\.io\/(path|index|id|seqindent|annotations-migration-resource-id)$|^config\.k8s\.io\/id$|^kustomize\.config\.k8s\.io\//.test(key)) delete annotations[key]
    }
    if (Object.keys(annotations).length === 0) delete m['annotations']
  }
  return copy
}

/** `kind name` of what examples/kustomize-overlay's prod overlay builds, the transformer included. */
export const OVERLAY_OBJECTS: readonly string[] = [
  'Namespace team-a',
  'Namespace team-b',
  'ClusterImagePolicy prod-mirror',
  'ClusterImagePolicy release-payload',
  'Image cluster',
  'ImagePolicy team-a/team-a-images',
  'ImagePolicy team-b/team-b-images',
  'MachineConfig 99-infra-sigstore-imagepolicies',
  'MachineConfig 99-master-sigstore-imagepolicies',
  'MachineConfig 99-worker-sigstore-imagepolicies',
]

/** `kind name` of what examples/argocd's Application generates through the plugin. */
export const ARGOCD_EXAMPLE_OBJECTS: readonly string[] = [
  'Namespace payments',
  'ClusterImagePolicy release-payload',
  'Image cluster',
  'ImagePolicy payments/payments-images',
  'MachineConfig 99-master-image-signatures',
  'MachineConfig 99-worker-image-signatures',
]

/** `kind name` of each object, as the lists above write them. */
export function kindsAndNames(objects: readonly Record<string, unknown>[]): string[] {
  return objects.map((o) => `${kindOf(o)} ${nameOf(o)}`)
}
