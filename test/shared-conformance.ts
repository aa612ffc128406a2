// Test helper: the raw conformance cases in ../shared/conformance (cases/*.yaml,
// expected/<case>/), read as MCO's test harness wrote them, every scalar a string.
// Shared by the resolve and render unit tests that replay them.

import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parse } from 'yaml'
import type { ImageMirror, MirrorSets, RegistrySources } from '../src/model.ts'

export const CONFORMANCE_DIR = resolve(process.cwd(), '..', 'shared', 'conformance')
export const DEFAULT_RELEASE_IMAGE = `quay.io/openshift-release-dev/ocp-release@sha256:${'1'.repeat(64)}`

/** Reads YAML with every scalar as a string, so scopes like `1.5` or `0o12` stay text. */
export function readYaml(path: string): unknown {
  return parse(readFileSync(path, 'utf8'), { schema: 'failsafe' })
}

export function asRecord(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {}
}

export function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : []
}

export function stringList(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.map(String) : undefined
}

export function mirrorList(v: unknown): ImageMirror[] {
  return asList(v).map((e) => {
    const r = asRecord(e)
    const policy = r['mirrorSourcePolicy']
    return {
      source: String(r['source'] ?? ''),
      mirrors: stringList(r['mirrors']) ?? [],
      ...(typeof policy === 'string' ? { mirrorSourcePolicy: policy } : {}),
    }
  })
}

export interface ConformanceCase {
  readonly releaseImage: string
  readonly sources: RegistrySources
  readonly mirrors: MirrorSets
  readonly cipScopes: readonly string[]
  readonly ipScopes: readonly string[]
}

export function loadCase(path: string): ConformanceCase {
  const doc = asRecord(readYaml(path))
  const sources: RegistrySources = {}
  const s = sources as Record<string, string[]>
  for (const key of ['allowedRegistries', 'blockedRegistries', 'insecureRegistries', 'containerRuntimeSearchRegistries']) {
    const list = stringList(doc[key])
    if (list !== undefined) s[key] = list
  }
  const spec = (o: unknown): Record<string, unknown> => asRecord(asRecord(o)['spec'])
  const name = (o: unknown): string => String(asRecord(asRecord(o)['metadata'])['name'] ?? '')
  const scopes = (key: string): string[] => asList(doc[key]).flatMap((p) => stringList(spec(p)['scopes']) ?? [])
  return {
    releaseImage: typeof doc['releaseImage'] === 'string' ? doc['releaseImage'] : DEFAULT_RELEASE_IMAGE,
    sources,
    mirrors: {
      imageContentSourcePolicies: asList(doc['imageContentSourcePolicies']).map((o) => ({
        name: name(o),
        repositoryDigestMirrors: mirrorList(spec(o)['repositoryDigestMirrors']),
      })),
      imageDigestMirrorSets: asList(doc['imageDigestMirrorSets']).map((o) => ({
        name: name(o),
        imageDigestMirrors: mirrorList(spec(o)['imageDigestMirrors']),
      })),
      imageTagMirrorSets: asList(doc['imageTagMirrorSets']).map((o) => ({
        name: name(o),
        imageTagMirrors: mirrorList(spec(o)['imageTagMirrors']),
      })),
    },
    cipScopes: scopes('clusterImagePolicies'),
    ipScopes: scopes('imagePolicies'),
  }
}
