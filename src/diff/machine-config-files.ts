// Diff helper: the node files that generated MachineConfigs in a stream carry,
// per pool, merged as MCO merges a pool's MachineConfigs (sorted by name, the
// last one wins for a path), gzip-compressed contents decompressed as MCO's
// `DecodeIgnitionFileContents` does. Pure; no I/O; never throws on bad input: a
// file it cannot read is an issue, never a file left out (a diff that silently
// lost a file would tell a reviewer it was removed).

import { parseAllDocuments } from 'yaml'
import { isObject } from '../is-object.ts'
import { issue, type Issue } from '../issues.ts'
import type { NodeFile } from '../model.ts'
import { goDecodeBase64Once } from '../upstream/go-base64.ts'
import { compareBytewise } from '../upstream/go-json.ts'
import { POLICY_JSON_PATH } from '../render/policy-json.ts'
import { SIGSTORE_REGISTRIES_PATH } from '../render/sigstore-registries-yaml.ts'
import { gunzip } from '../wrap/gzip.ts'
import { isGeneratedMachineConfig, MC_API_VERSION, MC_KIND, MC_ROLE_LABEL } from '../wrap/machine-config.ts'

/**
 * Bounds on what compressed files may expand to, per file and per stream. The
 * stream comes from a repository (untrusted); deflate expands up to about 1,000
 * times, so 1 MiB of MachineConfig could otherwise ask for a gigabyte. Our own
 * largest files are far below: 20,000 scopes make a 1.5 MB sigstore-registries.yaml.
 */
export const MAX_DECOMPRESSED_FILE_BYTES = 64 * 1024 * 1024
export const MAX_DECOMPRESSED_STREAM_BYTES = 256 * 1024 * 1024

/** Decodes an RFC 2397 data URL (base64 or percent-encoded); undefined when it is not one, or its data cannot be decoded. */
export function decodeDataUrl(source: string): string | undefined {
  const read = decodeDataUrlBytes(source)
  return read === undefined || 'error' in read ? undefined : read.bytes.toString('utf8')
}

/**
 * The bytes of an RFC 2397 data URL (base64 or percent-encoded); undefined
 * when it is not one; an error when its data cannot be decoded. Base64 is read
 * as Ignition reads it (vincent-petithory/dataurl: Go's
 * `base64.StdEncoding.DecodeString`): the standard alphabet, `=` padding
 * required, line breaks skipped, anything else an error. Node's lenient
 * `Buffer.from(data, 'base64')` would skip junk and stop at a stray `=`, so a
 * corrupt source would read as other, or fewer, bytes than a node refuses.
 */
export function decodeDataUrlBytes(source: string): { bytes: Buffer } | { error: string } | undefined {
  const m = /^data:([^,]*),(.*)$/s.exec(source)
  if (m === null) return undefined
  const meta = m[1]!
  const data = m[2]!
  if (meta.endsWith(';base64')) {
    const decoded = goDecodeBase64Once(data)
    return 'error' in decoded ? { error: `invalid base64 in data URL: ${decoded.error}` } : { bytes: decoded.bytes }
  }
  try {
    return { bytes: Buffer.from(decodeURIComponent(data), 'utf8') }
  } catch {
    return { error: 'invalid percent-encoding in data URL' }
  }
}

/**
 * The contents of one Ignition file entry: `contents.source` decoded, then
 * gunzipped when `contents.compression` is `gzip` (MCO accepts `""`, `gzip` or
 * none; anything else is its "unsupported compression type").
 */
export function decodeFileContents(contents: Readonly<Record<string, unknown>>, budget: number): { value: string; bytes: number } | { error: string } {
  const source = contents['source']
  if (source === undefined || source === null) return { value: '', bytes: 0 }
  if (typeof source !== 'string') return { error: 'contents.source is not a string' }
  const read = decodeDataUrlBytes(source)
  if (read === undefined) return { error: 'contents.source is not a data URL' }
  if ('error' in read) return { error: `contents.source: ${read.error}` }
  const data = read.bytes
  const compression = contents['compression'] ?? ''
  if (compression === '') return { value: data.toString('utf8'), bytes: data.length }
  if (compression !== 'gzip') return { error: `unsupported compression type ${JSON.stringify(compression)}` }
  const out = gunzip(data, Math.min(MAX_DECOMPRESSED_FILE_BYTES, budget))
  if ('error' in out) {
    return {
      error:
        out.error.startsWith('decompresses to more than') && budget < MAX_DECOMPRESSED_FILE_BYTES
          ? `gzip contents: the files of this stream decompress to more than ${MAX_DECOMPRESSED_STREAM_BYTES} bytes`
          : `gzip contents: ${out.error}`,
    }
  }
  return { value: out.value.toString('utf8'), bytes: out.value.length }
}

/** What generated MachineConfigs in a stream hold, or the files that could not be read. */
export interface MachineConfigFiles {
  /** Pool → node files. */
  readonly pools: Map<string, NodeFile[]>
  /** Files that could not be decoded (each an error naming the MachineConfig and field). */
  readonly issues: readonly Issue[]
}

/** MCO's file order: policy.json, sigstore-registries.yaml, then the rest by path (namespace files by name). */
export function compareNodePaths(a: string, b: string): number {
  const rank = (p: string) => (p === POLICY_JSON_PATH ? 0 : p === SIGSTORE_REGISTRIES_PATH ? 1 : 2)
  return rank(a) - rank(b) || compareBytewise(a, b)
}

/**
 * Pool → node files of the MachineConfigs we generated (annotation
 * `imagepolicy-mc.openshift.io/generated: "true"`), or undefined when the stream
 * has none.
 */
export function nodeFilesFromMachineConfigs(values: readonly unknown[]): MachineConfigFiles | undefined {
  const configs: { name: string; pool: string; files: unknown[] }[] = []
  for (const value of values) {
    if (!isObject(value) || !isGeneratedMachineConfig(value)) continue
    const metadata = isObject(value['metadata']) ? value['metadata'] : {}
    const labels = isObject(metadata['labels']) ? metadata['labels'] : {}
    const spec = isObject(value['spec']) ? value['spec'] : {}
    const config = isObject(spec['config']) ? spec['config'] : {}
    const storage = isObject(config['storage']) ? config['storage'] : {}
    configs.push({
      name: typeof metadata['name'] === 'string' ? metadata['name'] : '',
      pool: typeof labels[MC_ROLE_LABEL] === 'string' ? labels[MC_ROLE_LABEL] : '',
      files: Array.isArray(storage['files']) ? storage['files'] : [],
    })
  }
  if (configs.length === 0) return undefined
  const issues: Issue[] = []
  let budget = MAX_DECOMPRESSED_STREAM_BYTES
  const pools = new Map<string, Map<string, string>>()
  for (const mc of configs.sort((a, b) => compareBytewise(a.name, b.name))) {
    const merged = pools.get(mc.pool) ?? new Map<string, string>()
    pools.set(mc.pool, merged)
    mc.files.forEach((f, i) => {
      if (!isObject(f) || typeof f['path'] !== 'string') return
      const decoded = decodeFileContents(isObject(f['contents']) ? f['contents'] : {}, budget)
      if ('error' in decoded) {
        const resource = { apiVersion: MC_API_VERSION, kind: MC_KIND, name: mc.name }
        issues.push(issue('error', 'input', `${f['path']}: ${decoded.error}`, { resource, path: ['spec', 'config', 'storage', 'files', i, 'contents'] }))
        return
      }
      budget -= decoded.bytes
      merged.set(f['path'], decoded.value)
    })
  }
  return {
    pools: new Map(
      [...pools].map(([pool, files]) => [pool, [...files].sort(([a], [b]) => compareNodePaths(a, b)).map(([path, contents]) => ({ path, contents }))]),
    ),
    issues,
  }
}

/**
 * The resources of a YAML text, as far as they can be read: documents, with a
 * ResourceList or a List standing for its items. Unreadable documents are
 * skipped (the renderer reports them when it reads the same text).
 */
export function streamValues(text: string): unknown[] {
  const out: unknown[] = []
  for (const doc of parseAllDocuments(text, { version: '1.1' })) {
    if (doc.errors.length > 0) continue
    let value: unknown
    try {
      value = doc.toJS({ maxAliasCount: 100 })
    } catch {
      continue
    }
    if (isObject(value) && (value['kind'] === 'ResourceList' || value['kind'] === 'List') && Array.isArray(value['items'])) out.push(...value['items'])
    else if (value !== null && value !== undefined) out.push(value)
  }
  return out
}
