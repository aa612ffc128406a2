// Test helper: the conformance cases (test/fixtures/conformance, imported from
// ../shared/conformance by scripts/import-conformance.mjs) as renderer inputs and
// MCO's expected node files. Shared by conformance.test.ts and compression.test.ts.

import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { decodeImage, decodeMirrorSet, decodePolicy, emptyMirrorSets } from '../src/decode/resources.ts'
import type { NodeFile, PolicyResource, RegistrySources } from '../src/model.ts'
import type { Issue } from '../src/issues.ts'
import { renderNodeFiles } from '../src/render/node-files.ts'
import { resolve, type ResolveInput } from '../src/resolve/resolve.ts'
import type { ScopeConflict } from '../src/resolve/scopes.ts'
import { parse } from 'yaml'

export const ROOT = 'test/fixtures/conformance'
export const DEFAULT_RELEASE_IMAGE = `quay.io/openshift-release-dev/ocp-release@sha256:${'1'.repeat(64)}`
/** Node files MCO writes that are not ours to write (README "Where we differ from MCO"). */
export const NOT_OURS = ['/etc/containers/registries.conf', '/etc/containers/registries.conf.d/01-image-searchRegistries.conf']

export interface Case {
  releaseImage?: string
  allowedRegistries?: string[]
  blockedRegistries?: string[]
  insecureRegistries?: string[]
  containerRuntimeSearchRegistries?: string[]
  clusterImagePolicies?: Record<string, unknown>[]
  imagePolicies?: Record<string, unknown>[]
  imageDigestMirrorSets?: Record<string, unknown>[]
  imageTagMirrorSets?: Record<string, unknown>[]
  imageContentSourcePolicies?: Record<string, unknown>[]
}

/** Builds the renderer's input from a conformance case, as MCO's test replayed it. */
export function caseInput(c: Case): ResolveInput {
  const policies: PolicyResource[] = []
  for (const manifest of [...(c.clusterImagePolicies ?? []), ...(c.imagePolicies ?? [])]) {
    const decoded = decodePolicy(manifest)
    assert.deepEqual(decoded.issues, [], 'case input decodes')
    policies.push(decoded.policy!)
  }
  const registrySources: Record<string, unknown> = {}
  for (const key of ['allowedRegistries', 'blockedRegistries', 'insecureRegistries', 'containerRuntimeSearchRegistries'] as const) {
    if (c[key] !== undefined) registrySources[key] = c[key]
  }
  const sources: RegistrySources = decodeImage({ spec: { registrySources } }).sources
  const mirrors = emptyMirrorSets()
  for (const m of [...(c.imageContentSourcePolicies ?? []), ...(c.imageDigestMirrorSets ?? []), ...(c.imageTagMirrorSets ?? [])]) {
    assert.deepEqual(decodeMirrorSet(m, mirrors), [])
  }
  return { policies, sources, mirrors, releaseImage: c.releaseImage ?? DEFAULT_RELEASE_IMAGE, ordered: false }
}

export function expectedFiles(dir: string): NodeFile[] {
  const files: NodeFile[] = []
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const path = `${rel}/${entry.name}`
      if (entry.isDirectory()) walk(path)
      else files.push({ path: path.replace(/^etc/, '/etc'), contents: readFileSync(join(dir, path), 'utf8') })
    }
  }
  if (existsSync(join(dir, 'etc'))) walk('etc')
  return files
}

/** The case names, sorted. */
export function caseNames(): string[] {
  return existsSync(ROOT) ? readdirSync(ROOT).sort() : []
}

export function readCase(name: string): Case {
  return parse(readFileSync(join(ROOT, name, 'case.yaml'), 'utf8')) as Case
}

/** `resolve`, then `renderNodeFiles` when it resolved (as run joins them): the files, and every issue of both. */
export function renderCase(input: ResolveInput): { readonly files: readonly NodeFile[]; readonly problems: readonly Issue[]; readonly conflicts: readonly ScopeConflict[] } {
  const resolved = resolve(input)
  if (resolved.value === undefined) return { files: [], problems: resolved.issues, conflicts: resolved.conflicts }
  const rendered = renderNodeFiles(resolved.value)
  return { files: rendered.files, problems: [...resolved.issues, ...rendered.issues], conflicts: resolved.conflicts }
}
