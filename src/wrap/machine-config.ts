// Wrap stage: node files → one MachineConfig per pool (an Ignition config with
// data-URL file contents). Pure; no I/O. Owns the MachineConfig wire constants.

import type { NodeFile } from '../model.ts'

export const MC_API_VERSION = 'machineconfiguration.openshift.io/v1'
export const MC_KIND = 'MachineConfig'
export const MC_ROLE_LABEL = 'machineconfiguration.openshift.io/role'
/** Marks MachineConfigs we generated, so a later run replaces them instead of duplicating them. */
export const GENERATED_BY_ANNOTATION = 'imagepolicy-mc.openshift.io/generated'

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** True for a MachineConfig an earlier run of ours generated (replaced on the next run, never duplicated). */
export function isGeneratedMachineConfig(value: unknown): boolean {
  if (!isRecord(value) || value['kind'] !== MC_KIND) return false
  const metadata = value['metadata']
  const annotations = isRecord(metadata) ? metadata['annotations'] : undefined
  return isRecord(annotations) && annotations[GENERATED_BY_ANNOTATION] === 'true'
}

/**
 * `dataurl.EncodeBytes` as MCO calls it: Go's `http.DetectContentType` gives
 * `text/plain; charset=utf-8` for these text files, and vincent-petithory/dataurl
 * drops the space after `;`.
 */
export function dataUrl(contents: string): string {
  return `data:text/plain;charset=utf-8;base64,${Buffer.from(contents, 'utf8').toString('base64')}`
}

// Every pool's MachineConfigs embed the same files: encode each file once.
const DATA_URLS = new WeakMap<NodeFile, string>()

function fileDataUrl(file: NodeFile): string {
  let url = DATA_URLS.get(file)
  if (url === undefined) {
    url = dataUrl(file.contents)
    DATA_URLS.set(file, url)
  }
  return url
}

/**
 * Ignition file entry as MCO's `NewIgnFileBytesOverwriting` builds it, keys in
 * the order of MCO's serialized config: mode 0644, overwrite, explicit empty compression.
 */
export function ignitionFile(file: NodeFile): Record<string, unknown> {
  return {
    overwrite: true,
    path: file.path,
    contents: { compression: '', source: fileDataUrl(file) },
    mode: 420,
  }
}

/**
 * `serializedSize(ignitionFile(file))` without serializing the data URL: it is
 * ASCII base64 behind an ASCII prefix, which JSON writes as it is, so its length
 * is its serialized length (10,000 policies make tens of megabytes of them).
 */
export function ignitionFileSize(file: NodeFile): number {
  const url = fileDataUrl(file)
  return serializedSize({ ...ignitionFile(file), contents: { compression: '', source: '' } }) + url.length
}

/** The Ignition config; like MCO, `storage` is left out when there are no files. */
export function ignitionConfig(files: readonly NodeFile[], version: string): Record<string, unknown> {
  return files.length === 0
    ? { ignition: { version } }
    : { ignition: { version }, storage: { files: files.map(ignitionFile) } }
}

export interface MachineConfigOptions {
  readonly pool: string
  readonly name: string
  readonly ignitionVersion: string
  readonly annotations?: Readonly<Record<string, string>>
}

/** One MachineConfig for a pool. */
export function wrapMachineConfig(files: readonly NodeFile[], options: MachineConfigOptions): Record<string, unknown> {
  return {
    apiVersion: MC_API_VERSION,
    kind: MC_KIND,
    metadata: {
      name: options.name,
      labels: { [MC_ROLE_LABEL]: options.pool },
      annotations: { [GENERATED_BY_ANNOTATION]: 'true', ...options.annotations },
    },
    spec: { config: ignitionConfig(files, options.ignitionVersion) },
  }
}

/**
 * The largest MachineConfig we emit, serialized. The API server and etcd refuse
 * objects over about 1.5 MB; 1 MiB leaves room for what a pipeline adds
 * (labels, annotations, managed fields).
 */
export const MAX_MACHINE_CONFIG_BYTES = 1024 * 1024

/** Serialized size: JSON, as the API server stores it, and YAML-ish text are within a few bytes of each other; we take JSON. */
export function serializedSize(object: unknown): number {
  return Buffer.byteLength(JSON.stringify(object), 'utf8')
}

/** Per-file size costs, shared by the pools of one run (same files, same annotate function). */
const COSTS = new WeakMap<object, WeakMap<NodeFile, { readonly entry: number; readonly estimate: number }>>()

export interface PoolMachineConfigs {
  readonly machineConfigs: readonly Record<string, unknown>[]
  /** Files too large for any MachineConfig on their own. */
  readonly oversized: readonly { readonly path: string; readonly bytes: number }[]
}

/**
 * The MachineConfigs of one pool: one while the files fit in
 * `MAX_MACHINE_CONFIG_BYTES`, else split across `<name>`, `<name>-2`, `<name>-3`…
 * in file order (cluster files first, then namespace files in name order), never
 * one file across two objects. MCO merges a pool's MachineConfigs, so where a
 * file lands changes nothing on the nodes; the split depends only on the files,
 * so the same input always gives the same split. `annotate` adds per-object
 * annotations (e.g. the files it holds), counted in the size.
 */
export function wrapPoolMachineConfigs(
  files: readonly NodeFile[],
  options: MachineConfigOptions,
  annotate: (files: readonly NodeFile[]) => Readonly<Record<string, string>> = () => ({}),
  limit = MAX_MACHINE_CONFIG_BYTES,
): PoolMachineConfigs {
  const build = (group: readonly NodeFile[], index: number) =>
    wrapMachineConfig(group, {
      ...options,
      name: index === 0 ? options.name : `${options.name}-${index + 1}`,
      annotations: { ...options.annotations, ...annotate(group) },
    })
  // Per-file numbers, shared by the pools of one run (same files, same annotate function).
  let perFile = COSTS.get(annotate)
  if (perFile === undefined) {
    perFile = new WeakMap()
    COSTS.set(annotate, perFile)
  }
  const known = perFile
  const costsOf = (file: NodeFile): { readonly entry: number; readonly estimate: number } => {
    let c = known.get(file)
    if (c === undefined) {
      const entry = ignitionFileSize(file)
      c = { entry, estimate: entry + 1 + serializedSize(annotate([file])) }
      known.set(file, c)
    }
    return c
  }
  /**
   * The exact serialized size, without serializing the file entries again: the
   * object with an empty `files` list, plus each entry and the commas between.
   */
  const size = (group: readonly NodeFile[], index: number): number => {
    const mc = build(group, index) as { spec: { config: { storage?: { files: unknown[] } } } }
    const storage = mc.spec.config.storage
    if (storage === undefined) return serializedSize(mc)
    const entries = storage.files
    storage.files = []
    const bare = serializedSize(mc)
    storage.files = entries
    return bare + group.reduce((sum, f) => sum + costsOf(f).entry, 0) + group.length - 1
  }
  // Groups are filled from a running estimate (each file's entry, a comma, its
  // annotations) and then checked exactly, once per group: linear in the number
  // of files, not quadratic.
  const groups: NodeFile[][] = []
  const oversized: { path: string; bytes: number }[] = []
  const pending = [...files]
  while (pending.length > 0) {
    const index = groups.length
    const group: NodeFile[] = []
    let estimate = size([], index)
    while (pending.length > 0 && (group.length === 0 || estimate + costsOf(pending[0]!).estimate <= limit)) {
      const file = pending.shift()!
      group.push(file)
      estimate += costsOf(file).estimate
    }
    while (group.length > 1 && size(group, index) > limit) pending.unshift(group.pop()!)
    if (group.length === 1 && size(group, index) > limit) {
      const [file] = group
      oversized.push({ path: file!.path, bytes: Buffer.byteLength(file!.contents, 'utf8') })
      continue
    }
    groups.push(group)
  }
  if (groups.length === 0) groups.push([])
  return { machineConfigs: groups.map(build), oversized }
}
