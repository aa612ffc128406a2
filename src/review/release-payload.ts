// Review guardrail: the rendered policies must not reject, or demand signatures
// for, the OpenShift release images unless a policy was written for them.
// Pure; no I/O.
//
// Why: CRI-O checks every pull against these files, the release payload and its
// component images included. A host scope (`quay.io`), a wildcard (`*.io`), an
// allowedRegistries list that forgets quay.io/openshift-release-dev, or a blocked
// entry makes upgrades and new nodes fail to pull the payload. MCO protects the
// payload repository only from blockedRegistries (mco-rendering.md §6).

import { issue, type Issue } from '../issues.ts'
import type { ResourceRef } from '../model.ts'
import { lookupRequirements, parseImageReference, type ImageReference } from '../explain/policy-lookup.ts'
import { parseNormalizedNamed, referenceName } from '../upstream/docker-reference.ts'
import { scopeIsNestedInsideScope } from '../resolve/scope-nesting.ts'
import type { PolicyFile, ScopeOwner } from './file-scopes.ts'

/** Where OpenShift publishes its releases: the release images and the component images they reference. */
export const OPENSHIFT_RELEASE_REPOSITORIES = ['quay.io/openshift-release-dev/ocp-release', 'quay.io/openshift-release-dev/ocp-v4.0-art-dev'] as const

/** Release images are pulled by digest; this stands for "some digest" (no scope names it). */
const ANY_DIGEST = `sha256:${'0'.repeat(64)}`

/** Namespaces whose pods pull release component images; their files are checked too. */
const PLATFORM_NAMESPACE = /^(openshift|kube)(-|$)/

/** The references to check: each release repository by digest, and the configured release image as given. */
export function releaseReferences(releaseImage: string): ImageReference[] {
  const texts: string[] = OPENSHIFT_RELEASE_REPOSITORIES.map((r) => `${r}@${ANY_DIGEST}`)
  const configured = parseNormalizedNamed(releaseImage)
  if (!('error' in configured)) {
    const repo = referenceName(configured.value)
    texts.push(`${repo}@${configured.value.digest ?? ANY_DIGEST}`)
    if (configured.value.tag !== undefined && configured.value.digest === undefined) texts.push(`${repo}:${configured.value.tag}`)
  }
  const out = new Map<string, ImageReference>()
  for (const text of texts) {
    const ref = parseImageReference(text)
    if ('value' in ref) out.set(ref.value.identity, ref.value)
  }
  return [...out.values()]
}

/**
 * A scope written for a release repository: equal to or inside the repository,
 * or inside its parent namespace when that is more than a bare host
 * (`quay.io/openshift-release-dev` is; `quay.io` is not).
 */
export function writtenFor(scope: string, repository: string): boolean {
  if (scopeIsNestedInsideScope(scope, repository)) return true
  const parent = repository.slice(0, repository.lastIndexOf('/'))
  return parent.includes('/') && scopeIsNestedInsideScope(scope, parent)
}

/** One warning in the making: a release repository the files reject or demand signatures for, with where. */
interface ReleaseHit {
  readonly resource?: ResourceRef
  readonly path: readonly (string | number)[]
  readonly cause: 'scope' | 'default' | 'blocked'
  readonly scope: string
  readonly repositories: Set<string>
  readonly files: Set<string>
}

function list(items: Iterable<string>): string {
  return [...items].sort().join(', ')
}

/** The files the release check reads: policy.json and the platform namespaces' files (their pods pull release images). */
export function releaseChecksFile(namespace: string | undefined): boolean {
  return namespace === undefined || PLATFORM_NAMESPACE.test(namespace)
}

/** Guardrail warnings for release images that the rendered files would reject or require signatures for. */
export function releasePayloadIssues(files: readonly PolicyFile[], releaseImage: string, image: ResourceRef | undefined): Issue[] {
  const findings = new Map<string, ReleaseHit>()
  const note = (key: string, make: () => Omit<ReleaseHit, 'repositories' | 'files'>, repository: string, file: string) => {
    let f = findings.get(key)
    if (f === undefined) {
      f = { ...make(), repositories: new Set(), files: new Set() }
      findings.set(key, f)
    }
    f.repositories.add(repository)
    f.files.add(file)
  }
  for (const file of files) {
    if (!releaseChecksFile(file.namespace)) continue
    for (const ref of releaseReferences(releaseImage)) {
      const match = lookupRequirements(file.policy, ref)
      if (match.requirements.length > 0 && match.requirements.every((r) => r['type'] === 'insecureAcceptAnything')) continue
      const repository = referenceName(ref.reference)
      if (match.scope === undefined || match.scope === '') {
        const at = ['spec', 'registrySources', 'allowedRegistries']
        note('default', () => ({ ...(image !== undefined ? { resource: image } : {}), path: image !== undefined ? at : [], cause: 'default', scope: '' }), repository, file.path)
        continue
      }
      const scope = match.scope
      const owners: readonly ScopeOwner[] = file.owners.get(scope) ?? []
      const policyOwners = owners.filter((o) => o.kind === 'policy')
      if (policyOwners.length === 0) {
        const blocked = owners.find((o) => o.kind === 'blocked')
        const at = blocked !== undefined ? ['spec', 'registrySources', 'blockedRegistries', blocked.index] : []
        note(`blocked\u0000${scope}`, () => ({ ...(image !== undefined ? { resource: image } : {}), path: image !== undefined ? at : [], cause: 'blocked', scope }), repository, file.path)
        continue
      }
      if (writtenFor(scope, repository)) continue
      for (const o of policyOwners) {
        if (o.kind !== 'policy') continue
        const key = `scope\u0000${o.policy.ref.kind}\u0000${o.policy.ref.namespace ?? ''}\u0000${o.policy.name}\u0000${o.index}`
        note(key, () => ({ resource: o.policy.ref, path: ['spec', 'scopes', o.index], cause: 'scope', scope }), repository, file.path)
      }
    }
  }
  const upgrade = 'so upgrades and new nodes would fail to pull the release payload'
  return [...findings.values()].map((f) => {
    const what = `the OpenShift release images (${list(f.repositories)}) in ${list(f.files)}`
    switch (f.cause) {
      case 'default':
        return issue(
          'warning',
          'guardrail',
          `allowedRegistries does not cover ${what}: the policy default rejects them, ${upgrade}; add quay.io/openshift-release-dev (and the release image's repository) to allowedRegistries`,
          { resource: f.resource, path: f.path },
        )
      case 'blocked':
        return issue('warning', 'guardrail', `the blocked registry ${f.scope} rejects ${what}, ${upgrade}; remove it or narrow it`, { resource: f.resource, path: f.path })
      case 'scope':
        return issue(
          'warning',
          'guardrail',
          `scope ${f.scope} captures ${what}: nodes would pull them only with a signature this policy accepts, ${upgrade} unless the payload is signed that way; narrow the scope, or add a policy written for quay.io/openshift-release-dev (e.g. with Red Hat's release key)`,
          { resource: f.resource, path: f.path },
        )
    }
  })
}
