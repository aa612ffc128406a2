// Wrap stage: node files → one MachineConfig per pool (an Ignition config with
// data-URL file contents). Pure; no I/O. Owns the MachineConfig wire constants.

import type { NodeFile } from '../model.ts'
import type { CompressMode } from '../options.ts'
import { gzip } from './gzip.ts'
import { isObject } from '../is-object.ts'
import { getOrCompute } from '../memo.ts'

export const MC_API_VERSION = 'machineconfiguration.openshift.io/v1'
export const MC_KIND = 'MachineConfig'
export const MC_ROLE_LABEL = 'machineconfiguration.openshift.io/role'
/** Marks MachineConfigs we generated, so a later run replaces them instead of duplicating them. */
export const GENERATED_BY_ANNOTATION = 'imagepolicy-mc.openshift.io/generated'

/** True for a MachineConfig an earlier run of ours generated (replaced on the next run, never duplicated). */
export function isGeneratedMachineConfig(value: unknown): boolean {
  if (!isObject(value) || value['kind'] !== MC_KIND) return false
  const metadata = value['metadata']
  const annotations = isObject(metadata) ? metadata['annotations'] : undefined
  return isObject(annotations) && annotations[GENERATED_BY_ANNOTATION] === 'true'
}

const TEXT_DATA_URL_PREFIX = 'data:text/plain;charset=utf-8;base64,'

/**
 * `dataurl.EncodeBytes` as MCO calls it: Go's `http.DetectContentType` gives
 * `text/plain; charset=utf-8` for these text files, and vincent-petithory/dataurl
 * drops the space after `;`.
 */
export function dataUrl(contents: string): string {
  return `${TEXT_DATA_URL_PREFIX}${Buffer.from(contents, 'utf8').toString('base64')}`
}

/** `encode` once per file: every pool's MachineConfigs embed the same file objects. */
function oncePerFile(encode: (contents: string) => string): (file: NodeFile) => string {
  const cache = new WeakMap<NodeFile, string>()
  const encodeFile = (file: NodeFile): string => encode(file.contents)
  return (file) => getOrCompute(cache, file, encodeFile)
}

const fileDataUrl = oncePerFile(dataUrl)

/** The data URL prefix of gzip contents, as Butane writes them (no media type: the bytes are not text). */
export const GZIP_DATA_URL_PREFIX = 'data:;base64,'

/** The gzip bytes (src/wrap/gzip.ts) of a file's contents as a data URL. */
export function gzipDataUrl(contents: string): string {
  return `${GZIP_DATA_URL_PREFIX}${gzip(Buffer.from(contents, 'utf8')).toString('base64')}`
}

const fileGzipDataUrl = oncePerFile(gzipDataUrl)

/**
 * Ignition file entry as MCO's `NewIgnFileBytesOverwriting` builds it, keys in
 * the order of MCO's serialized config: mode 0644, overwrite, explicit empty
 * compression. Compressed, `compression: gzip` and the gzip bytes: Ignition
 * 3.1–3.5 take it for inline contents, and MCO decodes it wherever it reads a
 * file (`DecodeIgnitionFileContents` in pkg/controller/common/helpers.go: the
 * daemon's file writer and its on-disk check), and its merge of a pool's
 * MachineConfigs keeps each file's compression.
 */
export function ignitionFile(file: NodeFile, compressed = false): Record<string, unknown> {
  return {
    overwrite: true,
    path: file.path,
    contents: compressed ? { compression: 'gzip', source: fileGzipDataUrl(file) } : { compression: '', source: fileDataUrl(file) },
    mode: 420,
  }
}

/**
 * `serializedSize(ignitionFile(file, compressed))` without serializing the data
 * URL: it is ASCII base64 behind an ASCII prefix, which JSON writes as it is, so
 * its length is its serialized length (10,000 policies make tens of megabytes of
 * them). The uncompressed URL is not even encoded: its length follows from the
 * byte length, so sizing a file that ends up compressed costs no base64.
 */
export function ignitionFileSize(file: NodeFile, compressed = false): number {
  const urlLength = compressed
    ? fileGzipDataUrl(file).length
    : TEXT_DATA_URL_PREFIX.length + 4 * Math.ceil(Buffer.byteLength(file.contents, 'utf8') / 3)
  const entry = { overwrite: true, path: file.path, contents: { compression: compressed ? 'gzip' : '', source: '' }, mode: 420 }
  return serializedSize(entry) + urlLength
}

/** The Ignition config; like MCO, `storage` is left out when there are no files. `compressed`: the files stored gzip-compressed. */
export function ignitionConfig(files: readonly NodeFile[], version: string, compressed: ReadonlySet<NodeFile> = NONE): Record<string, unknown> {
  return files.length === 0
    ? { ignition: { version } }
    : { ignition: { version }, storage: { files: files.map((f) => ignitionFile(f, compressed.has(f))) } }
}

const NONE: ReadonlySet<NodeFile> = new Set()

export interface MachineConfigOptions {
  readonly pool: string
  readonly name: string
  readonly ignitionVersion: string
  readonly annotations?: Readonly<Record<string, string>>
  /** When to gzip file contents (README "Size limit and compression"). Default here: `never`; the CLI's default is `auto`. */
  readonly compress?: CompressMode
}

/** One MachineConfig for a pool; `compressed`: the files stored gzip-compressed. */
export function wrapMachineConfig(files: readonly NodeFile[], options: MachineConfigOptions, compressed: ReadonlySet<NodeFile> = NONE): Record<string, unknown> {
  return {
    apiVersion: MC_API_VERSION,
    kind: MC_KIND,
    metadata: {
      name: options.name,
      labels: { [MC_ROLE_LABEL]: options.pool },
      annotations: { [GENERATED_BY_ANNOTATION]: 'true', ...options.annotations },
    },
    spec: { config: ignitionConfig(files, options.ignitionVersion, compressed) },
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

/** Kubernetes object names (a DNS-1123 subdomain) are at most this long. */
export const MAX_NAME_LENGTH = 253

interface FileCosts {
  /** Serialized size of the file entry, uncompressed and compressed. */
  readonly entry: number
  /** The entry, a comma and the file's own annotations: what the file adds to a MachineConfig, about. */
  readonly estimate: number
}

/** Annotations of runs of files (by start and length), shared by the pools of one run. */
const GROUP_ANNOTATIONS = new WeakMap<
  object,
  WeakMap<readonly NodeFile[], { readonly position: ReadonlyMap<NodeFile, number>; readonly annotations: Map<string, Readonly<Record<string, string>>> }>
>()

/** Per-file size costs, shared by the pools of one run (same files, same annotate function). */
const COSTS = new WeakMap<object, { readonly plain: WeakMap<NodeFile, FileCosts>; readonly gzip: WeakMap<NodeFile, FileCosts> }>()

export interface OversizedFile {
  readonly path: string
  /** The file's size on the node. */
  readonly bytes: number
  /** Its gzip size, when it was compressed and still did not fit. */
  readonly compressedBytes?: number
}

export interface PoolMachineConfigs {
  readonly machineConfigs: readonly Record<string, unknown>[]
  /** Files too large for any MachineConfig on their own (compressed, unless `compress` is `never`). */
  readonly oversized: readonly OversizedFile[]
  /** Names of split MachineConfigs (`<name>-N`) over MAX_NAME_LENGTH characters. */
  readonly longNames: readonly string[]
  /** The files stored gzip-compressed. */
  readonly compressed: ReadonlySet<NodeFile>
  /** The serialized size of all the pool's MachineConfigs together. */
  readonly totalBytes: number
}

/**
 * The MachineConfigs of one pool.
 *
 * Compression (`options.compress`): `never` stores every file as MCO does
 * (a text/plain data URL); `always` gzips every file; `auto` (the CLI's default)
 * keeps MCO's exact uncompressed bytes while all files fit in one MachineConfig
 * of `limit` bytes, and otherwise gzips files, largest first (by size on the
 * node; equal sizes in file order), until they do. MCO renders one
 * `rendered-<pool>-<hash>` MachineConfig holding the files of all the pool's
 * MachineConfigs, which the API server also has to accept: splitting alone does
 * not keep that one small, compression does. So when even all files compressed
 * do not fit in one object, all of them are compressed and split.
 *
 * Splitting: one MachineConfig while the files fit in `limit`, else split
 * across `<name>`, `<name>-2`, `<name>-3`… in file order (cluster files first,
 * then namespace files in name order), never one file across two objects. MCO
 * merges a pool's MachineConfigs, so where a file lands changes nothing on the
 * nodes; the split and the compression depend only on the files, so the same
 * input always gives the same bytes. `annotate` adds per-object annotations
 * (e.g. the files it holds), counted in the size.
 */
export function wrapPoolMachineConfigs(
  files: readonly NodeFile[],
  options: MachineConfigOptions,
  annotate: (files: readonly NodeFile[]) => Readonly<Record<string, string>> = () => ({}),
  limit = MAX_MACHINE_CONFIG_BYTES,
): PoolMachineConfigs {
  const nameAt = (index: number) => (index === 0 ? options.name : `${options.name}-${index + 1}`)
  // Groups are runs of `files`: their annotations are remembered by position, for
  // every pool of the run (the same files, the same annotate function). The
  // splitter asks for the same runs many times, and a run of 1,000 files has
  // 1,000 lines of sha256sum and the sources of 10,000 policies.
  let byFiles = GROUP_ANNOTATIONS.get(annotate)
  if (byFiles === undefined) {
    byFiles = new WeakMap()
    GROUP_ANNOTATIONS.set(annotate, byFiles)
  }
  let memo = byFiles.get(files)
  if (memo === undefined) {
    memo = { position: new Map(files.map((f, i) => [f, i])), annotations: new Map() }
    byFiles.set(files, memo)
  }
  const groupMemo = memo
  const annotationsOf = (group: readonly NodeFile[]): Readonly<Record<string, string>> => {
    if (group.length === 0) return annotate(group)
    const start = groupMemo.position.get(group[0]!)
    const key = `${String(start)}+${group.length}`
    let a = groupMemo.annotations.get(key)
    if (a === undefined || start === undefined || files[start + group.length - 1] !== group[group.length - 1]) {
      a = annotate(group)
      if (start !== undefined) groupMemo.annotations.set(key, a)
    }
    return a
  }
  const metadataOf = (group: readonly NodeFile[], index: number): MachineConfigOptions => ({
    ...options,
    name: nameAt(index),
    annotations: { ...options.annotations, ...annotationsOf(group) },
  })
  // Per-file numbers, shared by the pools of one run (same files, same annotate function).
  let perFile = COSTS.get(annotate)
  if (perFile === undefined) {
    perFile = { plain: new WeakMap(), gzip: new WeakMap() }
    COSTS.set(annotate, perFile)
  }
  const known = perFile
  const costsOf = (file: NodeFile, gzipped: boolean): FileCosts => {
    const cache = gzipped ? known.gzip : known.plain
    let c = cache.get(file)
    if (c === undefined) {
      const entry = ignitionFileSize(file, gzipped)
      c = { entry, estimate: entry + 1 + serializedSize(annotate([file])) }
      cache.set(file, c)
    }
    return c
  }
  const compressed = new Set<NodeFile>(options.compress === 'always' ? files : [])
  const cost = (file: NodeFile) => costsOf(file, compressed.has(file))
  /**
   * The exact serialized size, without serializing (or even encoding) the file
   * entries: the object with an empty `files` list, plus each entry and the
   * commas between.
   */
  const size = (group: readonly NodeFile[], index: number): number => {
    const mc = wrapMachineConfig([], metadataOf(group, index)) as { spec: { config: Record<string, unknown> } }
    if (group.length === 0) return serializedSize(mc)
    mc.spec.config['storage'] = { files: [] }
    return serializedSize(mc) + group.reduce((sum, f) => sum + cost(f).entry, 0) + group.length - 1
  }
  if (options.compress === 'auto' && files.length > 0) {
    let total = size(files, 0)
    if (total > limit) {
      const bySize = files
        .map((file, i) => ({ file, i, bytes: Buffer.byteLength(file.contents, 'utf8') }))
        .sort((a, b) => b.bytes - a.bytes || a.i - b.i)
      for (const { file } of bySize) {
        if (total <= limit) break
        total += costsOf(file, true).entry - costsOf(file, false).entry
        compressed.add(file)
      }
    }
  }
  // Groups are filled from a running estimate (each file's entry, a comma, its
  // annotations) and then checked exactly, once per group: linear in the number
  // of files, not quadratic.
  const groups: NodeFile[][] = []
  const oversized: OversizedFile[] = []
  let next = 0
  // All in one object when they fit exactly: the running estimate below counts
  // each file's own annotations, more than a group's (auto sized the group exactly).
  if (files.length > 0 && size(files, 0) <= limit) {
    groups.push([...files])
    next = files.length
  }
  while (next < files.length) {
    const index = groups.length
    const group: NodeFile[] = []
    let estimate = size([], index)
    while (next < files.length && (group.length === 0 || estimate + cost(files[next]!).estimate <= limit)) {
      const file = files[next++]!
      group.push(file)
      estimate += cost(file).estimate
    }
    while (group.length > 1 && size(group, index) > limit) {
      group.pop()
      next--
    }
    if (group.length === 1 && size(group, index) > limit) {
      const file = group[0]!
      const bytes = Buffer.byteLength(file.contents, 'utf8')
      oversized.push(compressed.has(file) ? { path: file.path, bytes, compressedBytes: gzippedBytes(file) } : { path: file.path, bytes })
      continue
    }
    groups.push(group)
  }
  if (groups.length === 0) groups.push([])
  const machineConfigs = groups.map((group, index) => wrapMachineConfig(group, metadataOf(group, index), compressed))
  const longNames = groups.map((_, index) => nameAt(index)).filter((n) => n.length > MAX_NAME_LENGTH)
  const totalBytes = groups.reduce((sum, group, index) => sum + size(group, index), 0)
  return { machineConfigs, oversized, longNames, compressed, totalBytes }
}

/** The gzip size of a file: its data URL's base64, decoded length. */
function gzippedBytes(file: NodeFile): number {
  const b64 = fileGzipDataUrl(file).slice(GZIP_DATA_URL_PREFIX.length)
  return (b64.length / 4) * 3 - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0)
}
