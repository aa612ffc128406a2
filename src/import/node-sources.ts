// Import stage: input texts → the node policy files they stand for. A text is
// a policy JSON file (policy.json, or /etc/crio/policies/<ns>.json), a
// registries.d YAML file, or YAML holding MachineConfigs or Butane configs
// whose storage.files embed them (Ignition data URLs, base64 or
// percent-encoded, gzip-compressed or not: the decoders `diff` uses). Pure; no
// I/O; never throws on bad input: what cannot be read is a problem naming the
// text and field, never a file left out.

import { isMap, isScalar, parseAllDocuments, visit, type Document } from 'yaml'
import { isObject } from '../is-object.ts'
import { decodeFileContents, MAX_DECOMPRESSED_STREAM_BYTES } from '../diff/machine-config-files.ts'
import { CRIO_POLICIES_DIR, POLICY_JSON_PATH } from '../render/policy-json.ts'
import type { Issue } from '../issues.ts'
import { compareBytewise } from '../upstream/go-json.ts'
import { importNote } from './import-issue.ts'

export const REGISTRIES_D_DIR = '/etc/containers/registries.d'

/** The name stdin goes by; policy JSON on stdin is policy.json unless a namespace is given. */
export const STDIN = '<stdin>'

export interface SourceText {
  /** The name as given (a path, or `<stdin>`). */
  readonly name: string
  readonly text: string
}

export type NodePolicyFile =
  | { readonly kind: 'cluster'; readonly origin: string; readonly text: string }
  | { readonly kind: 'namespace'; readonly namespace: string; readonly origin: string; readonly text: string }
  | { readonly kind: 'registries.d'; readonly origin: string; readonly text: string }

export interface SourcesResult {
  readonly files: readonly NodePolicyFile[]
  readonly problems: readonly string[]
  readonly notes: readonly Issue[]
}

function baseName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1)
}

/** What a node path holds for us; undefined for a path that is not a policy file. */
export function classifyNodePath(path: string): { kind: 'cluster' } | { kind: 'namespace'; namespace: string } | { kind: 'registries.d' } | undefined {
  if (path === POLICY_JSON_PATH) return { kind: 'cluster' }
  if (path.startsWith(`${CRIO_POLICIES_DIR}/`) && path.endsWith('.json') && !path.slice(CRIO_POLICIES_DIR.length + 1).includes('/')) {
    return { kind: 'namespace', namespace: path.slice(CRIO_POLICIES_DIR.length + 1, -'.json'.length) }
  }
  if (path.startsWith(`${REGISTRIES_D_DIR}/`) && /\.ya?ml$/.test(path) && !path.slice(REGISTRIES_D_DIR.length + 1).includes('/')) return { kind: 'registries.d' }
  return undefined
}

function looksLikePolicyJson(value: unknown): boolean {
  return isObject(value) && value['kind'] === undefined && ('default' in value || 'transports' in value)
}

function looksLikeRegistriesD(value: unknown): boolean {
  return isObject(value) && value['kind'] === undefined && ('docker' in value || 'default-docker' in value)
}

/**
 * The node files of the given texts. A policy JSON file named `policy.json` is
 * the cluster-wide policy; any other is a namespace file: its namespace is
 * `namespace` when given, else the file's name without `.json` when it lies in
 * a directory named `policies` (as /etc/crio/policies/NS.json does); otherwise
 * it is a problem (never a guess).
 */
export function nodePolicyFiles(texts: readonly SourceText[], namespace?: string): SourcesResult {
  const problems: string[] = []
  const notes: Issue[] = []
  const direct: NodePolicyFile[] = []
  const embedded: { config: string; pool: string; index: number; path: string; origin: string; text: string }[] = []
  let budget = MAX_DECOMPRESSED_STREAM_BYTES
  for (const { name, text } of texts) {
    const trimmed = text.trimStart()
    if (trimmed.startsWith('{')) {
      let json: unknown
      try {
        json = JSON.parse(text)
      } catch {
        json = undefined
      }
      if (looksLikePolicyJson(json)) {
        if (baseName(name) === 'policy.json' || (name === STDIN && namespace === undefined)) {
          direct.push({ kind: 'cluster', origin: name, text })
        } else {
          const inPolicies = /(^|\/)policies\/[^/]+\.json$/.test(name)
          const ns = namespace ?? (inPolicies ? baseName(name).slice(0, -'.json'.length) : undefined)
          if (ns === undefined) problems.push(`${name}: a policy JSON file not named policy.json: give --namespace NS if it is /etc/crio/policies/NS.json, or name it policy.json if it is the cluster-wide policy`)
          else direct.push({ kind: 'namespace', namespace: ns, origin: name, text })
        }
        continue
      }
    }
    let docs
    try {
      docs = parseAllDocuments(text, { version: '1.1', uniqueKeys: false })
    } catch (e) {
      problems.push(`${name}: not YAML: ${e instanceof Error ? e.message : String(e)}`)
      continue
    }
    const list = Array.isArray(docs) ? docs : [docs]
    list.forEach((doc, index) => {
      const where = list.length > 1 ? `${name} (document ${index + 1})` : name
      if (doc.errors.length > 0) {
        problems.push(`${where}: not YAML: ${doc.errors[0]!.message.split('\n')[0]}`)
        return
      }
      const dup = duplicateMapKey(doc)
      if (dup !== undefined) {
        problems.push(`${where}: the key ${JSON.stringify(dup)} appears twice in one mapping (YAML and containers/image refuse it)`)
        return
      }
      let value: unknown
      try {
        value = doc.toJS({ maxAliasCount: 100 })
      } catch (e) {
        problems.push(`${where}: ${e instanceof Error ? e.message : String(e)}`)
        return
      }
      if (value === null || value === undefined) return
      const items = isObject(value) && (value['kind'] === 'List' || value['kind'] === 'ResourceList') && Array.isArray(value['items']) ? (value['items'] as unknown[]) : [value]
      for (const item of items) {
        if (looksLikeRegistriesD(item)) {
          direct.push({ kind: 'registries.d', origin: where, text: list.length > 1 || items.length > 1 ? doc.toString() : text })
          continue
        }
        if (looksLikePolicyJson(item)) {
          problems.push(`${where}: a policy in YAML: give policy.json as the JSON file it is on the node`)
          continue
        }
        const config = configOf(item)
        if (config === undefined) {
          problems.push(`${where}: ${describeItem(item)}: not a policy.json (which has a "default"), registries.d file, MachineConfig or Butane config`)
          continue
        }
        const files = config.files
        files.forEach((f, i) => {
          const at = `${config.label} storage.files[${i}]`
          if (!isObject(f) || typeof f['path'] !== 'string') {
            problems.push(`${where}: ${at}: no path`)
            return
          }
          const path = f['path']
          if (classifyNodePath(path) === undefined) return
          const contents = isObject(f['contents']) ? f['contents'] : {}
          if (typeof contents['local'] === 'string') {
            problems.push(`${where}: ${at} (${path}): contents.local ${JSON.stringify(contents['local'])} is a file beside the Butane config: give that file itself (as ${baseName(path)})`)
            return
          }
          let data: string
          if (typeof contents['inline'] === 'string') {
            data = contents['inline']
          } else {
            const source = contents['source']
            if (typeof source === 'string' && !source.startsWith('data:')) {
              problems.push(`${where}: ${at} (${path}): contents.source is not a data URL (${source.split(':')[0]}:...): a node would fetch it; give the file itself`)
              return
            }
            const decoded = decodeFileContents(contents, budget)
            if ('error' in decoded) {
              problems.push(`${where}: ${at} (${path}): ${decoded.error}`)
              return
            }
            budget -= decoded.bytes
            data = decoded.value
          }
          if (isObject(f['append']) || Array.isArray(f['append'])) {
            problems.push(`${where}: ${at} (${path}): append is not read (the node file would be the original plus the appended parts)`)
            return
          }
          embedded.push({ config: config.name, pool: config.pool, index: i, path, origin: `${where}: ${config.label} ${path}`, text: data })
        })
      }
    })
  }

  // MCO merges a pool's MachineConfigs in name order, the last one winning a path;
  // every pool must end with the same file, since the import prints one policy for all.
  const byPath = new Map<string, Map<string, (typeof embedded)[number]>>()
  for (const e of [...embedded].sort((a, b) => compareBytewise(a.config, b.config) || a.index - b.index)) {
    const pools = byPath.get(e.path) ?? new Map<string, (typeof embedded)[number]>()
    byPath.set(e.path, pools)
    const earlier = pools.get(e.pool)
    if (earlier !== undefined && earlier.text !== e.text) notes.push(importNote(`${e.origin} replaces ${earlier.origin} on pool ${e.pool || '(no role)'} (MCO merges in name order)`, e.path))
    pools.set(e.pool, e)
  }
  for (const [path, pools] of [...byPath].sort(([a], [b]) => compareBytewise(a, b))) {
    const versions = [...pools.values()]
    if (new Set(versions.map((v) => v.text)).size > 1) {
      problems.push(`${path}: the pools get different files (${versions.map((v) => `${v.pool || '(no role)'} from ${v.origin}`).join('; ')}): ClusterImagePolicies apply to every pool alike`)
      continue
    }
    const kind = classifyNodePath(path)!
    const origin = versions.map((v) => v.origin).sort(compareBytewise)[0]!
    if (kind.kind === 'namespace') direct.push({ kind: 'namespace', namespace: kind.namespace, origin, text: versions[0]!.text })
    else direct.push({ kind: kind.kind, origin, text: versions[0]!.text })
  }

  // One file per node path: the same file given twice is fine, two different ones are not.
  const out: NodePolicyFile[] = []
  const seen = new Map<string, NodePolicyFile>()
  for (const f of direct) {
    const key = f.kind === 'cluster' ? 'cluster' : f.kind === 'namespace' ? `ns/${f.namespace}` : `r/${f.origin}`
    const earlier = seen.get(key)
    if (earlier === undefined) {
      seen.set(key, f)
      out.push(f)
    } else if (earlier.text !== f.text) {
      problems.push(`${f.origin}: ${f.kind === 'cluster' ? POLICY_JSON_PATH : f.kind === 'namespace' ? `${CRIO_POLICIES_DIR}/${f.namespace}.json` : 'registries.d file'} is also given by ${earlier.origin}, with different contents`)
    }
  }
  return { files: out, problems, notes }
}

interface EmbeddedConfig {
  readonly name: string
  readonly pool: string
  readonly label: string
  readonly files: readonly unknown[]
}

/** The storage.files of a MachineConfig (spec.config) or a Butane config (storage at the top). */
function configOf(item: unknown): EmbeddedConfig | undefined {
  if (!isObject(item)) return undefined
  const metadata = isObject(item['metadata']) ? item['metadata'] : {}
  const labels = isObject(metadata['labels']) ? metadata['labels'] : {}
  const name = typeof metadata['name'] === 'string' ? metadata['name'] : ''
  const pool = typeof labels['machineconfiguration.openshift.io/role'] === 'string' ? labels['machineconfiguration.openshift.io/role'] : ''
  if (item['kind'] === 'MachineConfig' && typeof item['apiVersion'] === 'string' && item['apiVersion'].startsWith('machineconfiguration.openshift.io/')) {
    const spec = isObject(item['spec']) ? item['spec'] : {}
    const config = isObject(spec['config']) ? spec['config'] : {}
    const storage = isObject(config['storage']) ? config['storage'] : {}
    return { name, pool, label: `MachineConfig/${name}`, files: Array.isArray(storage['files']) ? storage['files'] : [] }
  }
  if (typeof item['variant'] === 'string' && typeof item['version'] === 'string' && item['kind'] === undefined) {
    const storage = isObject(item['storage']) ? item['storage'] : {}
    return { name, pool, label: `Butane ${item['variant']} ${name !== '' ? name : '(unnamed)'}`, files: Array.isArray(storage['files']) ? storage['files'] : [] }
  }
  return undefined
}

/**
 * A key that appears twice in one mapping, or undefined: the yaml package's
 * own check (uniqueKeys) compares every pair, quadratic in a 20,000-key
 * registries.d file; this keeps a set per mapping.
 */
export function duplicateMapKey(doc: Document): string | undefined {
  let found: string | undefined
  visit(doc, {
    Map(_, map) {
      if (!isMap(map)) return undefined
      const keys = new Set<string>()
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key)
        if (keys.has(key)) {
          found = key
          return visit.BREAK
        }
        keys.add(key)
      }
      return undefined
    },
  })
  return found
}

/** What an unrecognized item is, in a user's words (a missing field is named, not shown as "?"). */
function describeItem(item: unknown): string {
  if (Array.isArray(item)) return 'a sequence'
  if (!isObject(item)) return `a ${typeof item} scalar`
  const { apiVersion, kind } = item
  if (apiVersion === undefined && kind === undefined) return 'a mapping without "default", "apiVersion" or "kind"'
  return `${apiVersion === undefined ? '(no apiVersion)' : String(apiVersion)} ${kind === undefined ? '(no kind)' : String(kind)}`
}
