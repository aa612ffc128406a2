// Impact helper: the container images the workloads of a resource stream run,
// with the namespace each runs in. Pure; no I/O; never throws on bad input.
//
// Where a pod spec sits follows the Kubernetes API: a Pod's `spec`; the
// `spec.template.spec` of a Deployment, StatefulSet, DaemonSet, ReplicaSet,
// ReplicationController and Job; a CronJob's `spec.jobTemplate.spec.template.spec`.
// Every pod spec has `containers`, `initContainers` and `ephemeralContainers`.

import { isObject } from '../is-object.ts'

/** The pod-spec lists that name images, in the order a pod starts them. */
export const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const
export type ContainerList = (typeof CONTAINER_LISTS)[number]

/** Workload kinds by API group (`''` is core), and where their pod spec is. */
const WORKLOADS: Readonly<Record<string, { readonly group: string; readonly podSpec: readonly string[] }>> = {
  Pod: { group: '', podSpec: ['spec'] },
  ReplicationController: { group: '', podSpec: ['spec', 'template', 'spec'] },
  Deployment: { group: 'apps', podSpec: ['spec', 'template', 'spec'] },
  StatefulSet: { group: 'apps', podSpec: ['spec', 'template', 'spec'] },
  DaemonSet: { group: 'apps', podSpec: ['spec', 'template', 'spec'] },
  ReplicaSet: { group: 'apps', podSpec: ['spec', 'template', 'spec'] },
  Job: { group: 'batch', podSpec: ['spec', 'template', 'spec'] },
  CronJob: { group: 'batch', podSpec: ['spec', 'jobTemplate', 'spec', 'template', 'spec'] },
}

export const WORKLOAD_KINDS: readonly string[] = Object.keys(WORKLOADS)

/** One container of one workload. */
export interface WorkloadImage {
  readonly kind: string
  readonly name: string
  /** `metadata.namespace`; undefined when the workload names none. */
  readonly namespace?: string
  readonly list: ContainerList
  /** The container's name ('' when it has none). */
  readonly container: string
  /** The field, e.g. `spec.template.spec.containers[0].image`. */
  readonly path: string
  /** `image` as written; undefined when it is missing or not a string. */
  readonly image?: string
  /** Why there is no image to evaluate, when `image` is undefined and the reason is not just its absence. */
  readonly problem?: string
}

function groupOf(apiVersion: unknown): string | undefined {
  if (typeof apiVersion !== 'string') return undefined
  const slash = apiVersion.indexOf('/')
  return slash === -1 ? '' : apiVersion.slice(0, slash)
}

/** The images of the workloads among `resources` (a List's items already flattened), in input order. */
export function workloadImages(resources: readonly unknown[]): WorkloadImage[] {
  const out: WorkloadImage[] = []
  for (const value of resources) {
    if (!isObject(value) || typeof value['kind'] !== 'string') continue
    const workload = WORKLOADS[value['kind']]
    if (workload === undefined || groupOf(value['apiVersion']) !== workload.group) continue
    const metadata = isObject(value['metadata']) ? value['metadata'] : {}
    const name = typeof metadata['name'] === 'string' ? metadata['name'] : ''
    const namespace = typeof metadata['namespace'] === 'string' && metadata['namespace'] !== '' ? metadata['namespace'] : undefined
    let spec: unknown = value
    for (const key of workload.podSpec) spec = isObject(spec) ? spec[key] : undefined
    if (!isObject(spec)) continue
    for (const list of CONTAINER_LISTS) {
      const containers = spec[list]
      if (containers === undefined || containers === null) continue
      const where = { kind: value['kind'] as string, name, ...(namespace !== undefined ? { namespace } : {}), list }
      // Never skipped silently: the API server refuses such a workload, and a report that left it
      // out would read as "nothing to verify" (reported as invalid-reference, as an unreadable image is).
      if (!Array.isArray(containers)) {
        out.push({ ...where, container: '', path: `${workload.podSpec.join('.')}.${list}`, problem: `${list} is not a list (${typeName(containers)})` })
        continue
      }
      containers.forEach((c: unknown, i) => {
        const container = isObject(c) ? c : {}
        const image = container['image']
        out.push({
          ...where,
          container: typeof container['name'] === 'string' ? container['name'] : '',
          path: `${workload.podSpec.join('.')}.${list}[${i}].image`,
          ...(typeof image === 'string' ? { image } : image !== undefined && image !== null ? { problem: `the image is not a string (${typeName(image)})` } : {}),
        })
      })
    }
  }
  return out
}

function typeName(v: unknown): string {
  return Array.isArray(v) ? 'a sequence' : isObject(v) ? 'a mapping' : `a ${typeof v}`
}
