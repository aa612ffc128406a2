// Diff helper: the node files that generated MachineConfigs in a stream carry,
// per pool, merged as MCO merges a pool's MachineConfigs (sorted by name, the
// last one wins for a path). Pure; no I/O; never throws on bad input.

import { parseAllDocuments } from 'yaml'
import { isObject } from '../decode/read-fields.ts'
import type { NodeFile } from '../model.ts'
import { compareBytewise } from '../render/go-json.ts'
import { POLICY_JSON_PATH } from '../render/policy-json.ts'
import { SIGSTORE_REGISTRIES_PATH } from '../render/sigstore-registries-yaml.ts'
import { isGeneratedMachineConfig, MC_ROLE_LABEL } from '../wrap/machine-config.ts'

/** Decodes an RFC 2397 data URL (base64 or percent-encoded); undefined when it is not one. */
export function decodeDataUrl(source: string): string | undefined {
  const m = /^data:([^,]*),(.*)$/s.exec(source)
  if (m === null) return undefined
  const meta = m[1]!
  const data = m[2]!
  if (meta.endsWith(';base64')) return Buffer.from(data, 'base64').toString('utf8')
  try {
    return decodeURIComponent(data)
  } catch {
    return undefined
  }
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
export function nodeFilesFromMachineConfigs(values: readonly unknown[]): Map<string, NodeFile[]> | undefined {
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
  const pools = new Map<string, Map<string, string>>()
  for (const mc of configs.sort((a, b) => compareBytewise(a.name, b.name))) {
    const merged = pools.get(mc.pool) ?? new Map<string, string>()
    pools.set(mc.pool, merged)
    for (const f of mc.files) {
      if (!isObject(f) || typeof f['path'] !== 'string') continue
      const contents = isObject(f['contents']) ? f['contents'] : {}
      const decoded = typeof contents['source'] === 'string' ? decodeDataUrl(contents['source']) : ''
      if (decoded !== undefined) merged.set(f['path'], decoded)
    }
  }
  return new Map(
    [...pools].map(([pool, files]) => [pool, [...files].sort(([a], [b]) => compareNodePaths(a, b)).map(([path, contents]) => ({ path, contents }))]),
  )
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
