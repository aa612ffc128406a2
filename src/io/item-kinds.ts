// Read stage: what an input item is to us, from its apiVersion and kind, and
// its `{apiVersion, kind, name, namespace}`. The reader asks this of each
// document's header to decide how much of it to parse; the later stages ask it
// of whole values. Pure.

import { isObject } from '../is-object.ts'
import type { ResourceRef } from '../model.ts'

export const CONFIG_GROUP = 'config.openshift.io'
export const OPERATOR_GROUP = 'operator.openshift.io'

/** What an item is to us. */
export type ItemRole = 'policy' | 'image' | 'mirror-set' | 'other'

function groupOf(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/')
  return slash === -1 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) }
}

/** Classifies an item by apiVersion and kind. */
export function roleOf(value: unknown): ItemRole {
  if (!isObject(value)) return 'other'
  const apiVersion = value['apiVersion']
  const kind = value['kind']
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return 'other'
  const { group, version } = groupOf(apiVersion)
  if (group === CONFIG_GROUP && (version === 'v1' || version === 'v1alpha1') && (kind === 'ImagePolicy' || kind === 'ClusterImagePolicy')) {
    return 'policy'
  }
  if (group === CONFIG_GROUP && version === 'v1' && kind === 'Image') return 'image'
  if (group === CONFIG_GROUP && version === 'v1' && (kind === 'ImageDigestMirrorSet' || kind === 'ImageTagMirrorSet')) return 'mirror-set'
  if (group === OPERATOR_GROUP && version === 'v1alpha1' && kind === 'ImageContentSourcePolicy') return 'mirror-set'
  return 'other'
}

/** The kinds we read, by group, and the versions we read them in. */
export const SERVED_KINDS: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  [CONFIG_GROUP]: {
    ImagePolicy: ['v1', 'v1alpha1'],
    ClusterImagePolicy: ['v1', 'v1alpha1'],
    Image: ['v1'],
    ImageDigestMirrorSet: ['v1'],
    ImageTagMirrorSet: ['v1'],
  },
  [OPERATOR_GROUP]: { ImageContentSourcePolicy: ['v1alpha1'] },
}

/** `{apiVersion, kind, name, namespace}` of an item, as far as it has them. */
export function refOf(value: unknown): ResourceRef | undefined {
  if (!isObject(value)) return undefined
  const metadata = isObject(value['metadata']) ? value['metadata'] : {}
  const str = (v: unknown): string => (typeof v === 'string' ? v : '')
  const namespace = metadata['namespace']
  return {
    apiVersion: str(value['apiVersion']),
    kind: str(value['kind']),
    name: str(metadata['name']),
    ...(typeof namespace === 'string' && namespace !== '' ? { namespace } : {}),
  }
}
