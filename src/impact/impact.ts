// Impact: every image the workloads of a stream run, with the requirement that
// governs it on the nodes, and the risky cases flagged; in diff form, only the
// images whose requirement changes. Pure; no I/O; never throws on bad input.
// The result is also the `--format json` document.

import { parseImageReference, type ImageReference } from '../explain/policy-lookup.ts'
import { compareBytewise } from '../upstream/go-json.ts'
import { governingEvaluator, requirementKey, type Governing, type PolicySide } from './governing.ts'
import { CONTAINER_LISTS, type WorkloadImage } from './workload-images.ts'

/** Where a workload names no namespace, kubectl (and `oc`) apply it to this one unless told otherwise. */
export const KUBECTL_DEFAULT_NAMESPACE = 'default'

export type RiskCode = 'invalid-reference' | 'newly-rejected' | 'no-longer-verified' | 'tag-needs-exact-identity' | 'no-sigstore-attachments' | 'openshift-namespace-captured' | 'scope-dropped-for-nesting' | 'namespace-assumed'

export interface Risk {
  readonly code: RiskCode
  readonly text: string
}

/** One workload container that runs the image. */
export interface ImageUse {
  readonly workload: string
  readonly container: string
  readonly path: string
}

interface EntryBase {
  readonly namespace: string
  /** The image as the workloads write it (several spellings can name one image). */
  readonly given: readonly string[]
  /** containers/image's policy identity (`name:tag` or `name@digest`); null when the reference cannot be read. */
  readonly reference: string | null
  readonly uses: readonly ImageUse[]
  readonly notes: readonly string[]
  readonly risks: readonly Risk[]
}

export interface StreamEntry extends EntryBase {
  /** null when the reference cannot be read. */
  readonly requirement: Governing | null
}

export interface DiffEntry extends EntryBase {
  /** Which side's workloads run it (`both`, or only `base` / `head`). */
  readonly in: 'both' | 'base' | 'head'
  readonly before: Governing | null
  readonly after: Governing | null
}

export interface StreamImpact {
  readonly form: 'stream'
  readonly images: readonly StreamEntry[]
  /** Workloads without metadata.namespace were evaluated in this namespace. */
  readonly defaultNamespace: string
  /** How the input was read (rendered, or decoded from its MachineConfigs). */
  readonly notes: readonly string[]
}

export interface DiffImpact {
  readonly form: 'diff'
  readonly base: string
  readonly head: string
  readonly images: readonly DiffEntry[]
  /** Images whose requirement does not change. */
  readonly unchanged: number
  readonly defaultNamespace: string
  readonly notes: readonly string[]
}

interface Group {
  readonly namespace: string
  /** Some workload running it names no namespace (set while grouping). */
  namespaceAssumed: boolean
  readonly given: Set<string>
  readonly image: ImageReference | undefined
  readonly error: string | undefined
  readonly uses: { readonly use: ImageUse; readonly side: 'base' | 'head'; readonly order: readonly [string, string, number, string] }[]
}

function workloadName(w: WorkloadImage): string {
  return `${w.kind} ${w.namespace !== undefined ? `${w.namespace}/` : ''}${w.name}`
}

/** Groups containers by (namespace, normalized reference); unreadable references by their text. */
function groupImages(sides: readonly { readonly side: 'base' | 'head'; readonly images: readonly WorkloadImage[] }[], defaultNamespace: string): Group[] {
  const groups = new Map<string, Group>()
  for (const { side, images } of sides) {
    for (const w of images) {
      const namespace = w.namespace ?? defaultNamespace
      const text = w.image ?? ''
      const parsed = w.image === undefined ? { error: w.problem ?? 'the container has no image (a string)' } : parseImageReference(text)
      const key = `${namespace}\u0000${'value' in parsed ? parsed.value.identity : `\u0001${text}\u0001${w.problem ?? ''}`}`
      let g = groups.get(key)
      if (g === undefined) {
        g = { namespace, namespaceAssumed: false, given: new Set(), image: 'value' in parsed ? parsed.value : undefined, error: 'error' in parsed ? parsed.error : undefined, uses: [] }
        groups.set(key, g)
      }
      if (w.namespace === undefined) g.namespaceAssumed = true
      g.given.add(text)
      g.uses.push({
        use: { workload: workloadName(w), container: `${w.list}[${w.container}]`, path: w.path },
        side,
        order: [w.kind, w.name, CONTAINER_LISTS.indexOf(w.list), w.container],
      })
    }
  }
  return [...groups.values()].sort((a, b) => compareBytewise(a.namespace, b.namespace) || compareBytewise(a.image?.identity ?? `\u0000${[...a.given][0]}`, b.image?.identity ?? `\u0000${[...b.given][0]}`))
}

function uniqueUses(g: Group, sides: readonly ('base' | 'head')[]): ImageUse[] {
  const seen = new Map<string, { use: ImageUse; order: readonly [string, string, number, string] }>()
  for (const u of g.uses) {
    if (!sides.includes(u.side)) continue
    const key = `${u.use.workload}\u0000${u.use.path}`
    if (!seen.has(key)) seen.set(key, u)
  }
  return [...seen.values()]
    .sort((a, b) => compareBytewise(a.order[0], b.order[0]) || compareBytewise(a.order[1], b.order[1]) || a.order[2] - b.order[2] || compareBytewise(a.use.path, b.use.path))
    .map((u) => u.use)
}

function isOpenShiftNamespace(namespace: string): boolean {
  return namespace === 'openshift' || namespace.startsWith('openshift-')
}

const EXACT_FOR_TAGS = new Set(['matchRepoDigestOrExact', 'matchExact', 'remapIdentity'])

/**
 * The risks of running `image` in `namespace` under `g`. `before` is the
 * requirement before the change (diff form), for "newly captured".
 */
function risksOf(group: Group, g: Governing | null, before: Governing | null | undefined): Risk[] {
  const risks: Risk[] = []
  const image = group.image
  if (image === undefined || g === null) {
    risks.push({ code: 'invalid-reference', text: `${group.error ?? 'the image cannot be read'}: CRI-O cannot pull it` })
    return risks
  }
  if (g.verdict === 'rejected' && before !== undefined && before !== null && before.verdict !== 'rejected') {
    risks.push({ code: 'newly-rejected', text: `every pull of ${image.identity} is refused after the change (${g.sources.join(', ')}): pods that run it stop starting` })
  }
  if (g.verdict === 'accepted' && before !== undefined && before !== null && before.verdict === 'signature-required') {
    risks.push({ code: 'no-longer-verified', text: `${image.identity} was pulled only with a valid signature and is accepted without one after the change (${g.sources.join(', ')})` })
  }
  if (group.namespaceAssumed) {
    risks.push({ code: 'namespace-assumed', text: `a workload names no metadata.namespace: evaluated for namespace ${group.namespace} (give the namespace Argo CD or kubectl applies it to with --namespace)` })
  }
  const ref = image.reference
  if (ref.digest === undefined) {
    const exact = g.rules.filter((r) => r.type === 'sigstoreSigned' && r.identity !== null && EXACT_FOR_TAGS.has(r.identity.type))
    if (exact.length > 0) {
      risks.push({
        code: 'tag-needs-exact-identity',
        text: `pulled by tag (${image.identity}) under ${[...new Set(exact.map((r) => r.identity!.type))].join(', ')}: a signature must name exactly this tag; cosign signs the image by digest and names only the repository, so its signatures are refused for a tag pull: pin the image by digest, or use matchPolicy MatchRepository`,
      })
    }
  }
  if (g.verdict === 'signature-required' && !g.sigstoreAttachments) {
    risks.push({ code: 'no-sigstore-attachments', text: `a signature is required but sigstore attachments are not read for ${image.identity} (no use-sigstore-attachments: true on its search path): CRI-O finds no signature and the pull fails` })
  }
  if (isOpenShiftNamespace(group.namespace) && g.verdict !== 'accepted' && (before === undefined || before === null || before.verdict === 'accepted')) {
    risks.push({
      code: 'openshift-namespace-captured',
      text: `${before === undefined ? '' : 'newly '}${g.verdict === 'rejected' ? 'rejected' : 'captured by a signature requirement'} in the platform namespace ${group.namespace}: a platform pod that cannot pull can break the cluster; check that the image is signed as required (release images are signed by Red Hat)`,
    })
  }
  for (const d of g.droppedScopes) {
    risks.push({
      code: 'scope-dropped-for-nesting',
      text: `${d.policy} scope ${d.scope} was dropped: it equals or nests inside the cluster scope ${d.clusterScopes.length > 0 ? d.clusterScopes.join(', ') : '(none in the input)'}, so the namespace's own policy does not govern this image (MCO lets the cluster policy win)`,
    })
  }
  return risks
}

/** Every image of the stream's workloads with its requirement. */
export function streamImpact(images: readonly WorkloadImage[], side: PolicySide, defaultNamespace = KUBECTL_DEFAULT_NAMESPACE, notes: readonly string[] = []): StreamImpact {
  const evaluate = governingEvaluator(side)
  const entries = groupImages([{ side: 'head', images }], defaultNamespace).map((g): StreamEntry => {
    const requirement = g.image !== undefined ? evaluate(g.namespace, g.image) : null
    return {
      namespace: g.namespace,
      given: [...g.given].sort(compareBytewise),
      reference: g.image?.identity ?? null,
      uses: uniqueUses(g, ['head']),
      notes: g.image?.notes ?? [],
      requirement,
      risks: risksOf(g, requirement, undefined),
    }
  })
  return { form: 'stream', images: entries, defaultNamespace, notes }
}

/**
 * The images of both sides' workloads, each evaluated under both sides'
 * policies; only those whose requirement changes are listed. An image only one
 * side runs is still evaluated under both: a reviewer sees what the change of
 * policy does to it.
 */
export function diffImpact(
  base: { readonly label: string; readonly images: readonly WorkloadImage[]; readonly side: PolicySide },
  head: { readonly label: string; readonly images: readonly WorkloadImage[]; readonly side: PolicySide },
  defaultNamespace = KUBECTL_DEFAULT_NAMESPACE,
  notes: readonly string[] = [],
): DiffImpact {
  const before = governingEvaluator(base.side)
  const after = governingEvaluator(head.side)
  let unchanged = 0
  const entries: DiffEntry[] = []
  for (const g of groupImages([{ side: 'base', images: base.images }, { side: 'head', images: head.images }], defaultNamespace)) {
    const b = g.image !== undefined ? before(g.namespace, g.image) : null
    const a = g.image !== undefined ? after(g.namespace, g.image) : null
    if (b !== null && a !== null && requirementKey(b) === requirementKey(a)) {
      unchanged++
      continue
    }
    const sides = new Set(g.uses.map((u) => u.side))
    const where = sides.size === 2 ? 'both' : sides.has('base') ? 'base' : 'head'
    if (g.image === undefined && where === 'base') {
      // An unreadable reference only the base had: nothing about it changes.
      unchanged++
      continue
    }
    entries.push({
      namespace: g.namespace,
      given: [...g.given].sort(compareBytewise),
      reference: g.image?.identity ?? null,
      uses: uniqueUses(g, where === 'base' ? ['base'] : ['head']),
      notes: g.image?.notes ?? [],
      in: where,
      before: b,
      after: a,
      risks: risksOf(g, a, b),
    })
  }
  return { form: 'diff', base: base.label, head: head.label, images: entries, unchanged, defaultNamespace, notes }
}
