// E2E harness: run the built CLI (dist/imagepolicy-mc.js) as a subprocess,
// take the node files out of the MachineConfigs it emits (decoding the
// data URLs exactly as Ignition would) and lay them out under a directory the
// way a node has them: <root>/etc/containers/policy.json,
// <root>/etc/containers/registries.d/, <root>/etc/crio/policies/<ns>.json.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseAllDocuments } from 'yaml'
import { run } from './proc.ts'

/** The data-URL prefix MCO writes (Go's DetectContentType + vincent-petithory/dataurl). */
export const DATA_URL_PREFIX = 'data:text/plain;charset=utf-8;base64,'
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

export const POLICY_JSON = '/etc/containers/policy.json'
export const REGISTRIES_D = '/etc/containers/registries.d'
export const SIGSTORE_YAML = '/etc/containers/registries.d/sigstore-registries.yaml'
export const CRIO_POLICIES = '/etc/crio/policies'

/** The repository root: the nearest directory above this bundle holding package.json and dist/. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'scripts', 'build-tests.mjs'))) return dir
    const parent = dirname(dir)
    if (parent === dir) return process.cwd()
    dir = parent
  }
}

/** Decodes one Ignition `contents.source`; throws unless it is MCO's exact data-URL form. */
export function decodeDataUrl(source: string): string {
  if (!source.startsWith(DATA_URL_PREFIX)) throw new Error(`not an MCO data URL: ${source.slice(0, 60)}`)
  const b64 = source.slice(DATA_URL_PREFIX.length)
  if (!BASE64.test(b64)) throw new Error('data URL payload is not canonical padded base64')
  const bytes = Buffer.from(b64, 'base64')
  if (bytes.toString('base64') !== b64) throw new Error('data URL payload does not round-trip')
  const text = bytes.toString('utf8')
  if (!Buffer.from(text, 'utf8').equals(bytes)) throw new Error('data URL payload is not UTF-8')
  return text
}

export interface MachineConfigFiles {
  readonly name: string
  readonly pool: string
  /** path → decoded contents, in the MachineConfig's order */
  readonly files: ReadonlyMap<string, { contents: string; mode: number | undefined }>
}

export interface RenderResult {
  readonly machineConfigs: readonly MachineConfigFiles[]
  readonly stdout: string
  readonly stderr: string
}

type Obj = Record<string, unknown>
function obj(value: unknown, what: string): Obj {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${what} is not an object`)
  return value as Obj
}

/** The built CLI: $IMAGEPOLICY_MC_BIN, else dist/imagepolicy-mc.js in the repository. */
export function cliBin(): string {
  return process.env['IMAGEPOLICY_MC_BIN'] ?? join(repoRoot(), 'dist', 'imagepolicy-mc.js')
}

/**
 * Runs `node dist/imagepolicy-mc.js --target-release 4.19 [args] <inputFile>`; throws unless it exits 0.
 * 4.19: the suite's policy.json is used as it is, for a release that ships no ClusterImagePolicy of its own.
 */
export async function render(inputFile: string, args: readonly string[] = []): Promise<RenderResult> {
  const result = await run(process.execPath, [cliBin(), '--target-release', '4.19', ...args, inputFile])
  if (result.code !== 0) throw new Error(`imagepolicy-mc exited ${result.code}:\n${result.stderr}`)
  const machineConfigs: MachineConfigFiles[] = []
  for (const doc of parseAllDocuments(result.stdout)) {
    if (doc.errors.length > 0) throw new Error(`output is not YAML: ${doc.errors[0]?.message}`)
    const item = doc.toJS() as unknown
    if (item === null || typeof item !== 'object') continue
    const o = item as Obj
    if (o['kind'] !== 'MachineConfig') continue
    const metadata = obj(o['metadata'], 'MachineConfig metadata')
    const labels = obj(metadata['labels'] ?? {}, 'labels')
    const config = obj(obj(o['spec'], 'spec')['config'], 'spec.config')
    const storage = config['storage'] === undefined ? {} : obj(config['storage'], 'spec.config.storage')
    const files = new Map<string, { contents: string; mode: number | undefined }>()
    for (const entry of (storage['files'] ?? []) as unknown[]) {
      const file = obj(entry, 'storage.files[]')
      const path = file['path']
      const source = obj(file['contents'], 'contents')['source']
      if (typeof path !== 'string' || typeof source !== 'string') throw new Error('storage.files[] without path or contents.source')
      if (files.has(path)) throw new Error(`${path} appears twice in one MachineConfig`)
      files.set(path, { contents: decodeDataUrl(source), mode: typeof file['mode'] === 'number' ? file['mode'] : undefined })
    }
    machineConfigs.push({
      name: String(metadata['name']),
      pool: String(labels['machineconfiguration.openshift.io/role']),
      files,
    })
  }
  return { machineConfigs, stdout: result.stdout, stderr: result.stderr }
}

export interface NodeRoot {
  readonly root: string
  /** /etc/containers/policy.json on disk */
  readonly policy: string
  /** /etc/containers/registries.d on disk */
  readonly registriesD: string
  /** /etc/crio/policies/<ns>.json on disk */
  readonly namespacePolicy: (namespace: string) => string
  readonly paths: readonly string[]
}

/** Writes the files of one MachineConfig under `root`, as the node would have them. */
export function layOut(root: string, mc: MachineConfigFiles): NodeRoot {
  for (const [path, file] of mc.files) {
    if (!path.startsWith('/') || path.includes('..')) throw new Error(`unexpected node path ${path}`)
    const target = join(root, path)
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(target, file.contents, { mode: file.mode ?? 0o644 })
  }
  mkdirSync(join(root, REGISTRIES_D), { recursive: true })
  return {
    root: resolve(root),
    policy: join(root, POLICY_JSON),
    registriesD: join(root, REGISTRIES_D),
    namespacePolicy: (namespace) => join(root, CRIO_POLICIES, `${namespace}.json`),
    paths: [...mc.files.keys()],
  }
}
