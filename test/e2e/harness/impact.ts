// E2E harness: `imagepolicy-mc impact --target-release 4.19 --format json <input> <workloads>` run
// as a subprocess (the built CLI, as a user would), its JSON document checked
// against the fields the suite compares with skopeo.

import { isObj, runCliJson } from './cli-json.ts'

/** The fields of one `impact --format json` image entry the suite compares with skopeo. */
export interface ImpactImage {
  readonly namespace: string
  readonly reference: string | null
  readonly requirement: {
    readonly file: string
    readonly scope: string | null
    readonly verdict: 'accepted' | 'rejected' | 'signature-required'
    readonly sigstoreAttachments: boolean
  } | null
  readonly risks: readonly { readonly code: string }[]
}

/** Checks the document's shape; returns the problems (empty when it fits the contract). */
export function impactShapeErrors(doc: unknown): string[] {
  if (!isObj(doc) || doc['form'] !== 'stream' || !Array.isArray(doc['images'])) return ['not a stream-form impact document ({form: "stream", images: [...]})']
  const errors: string[] = []
  doc['images'].forEach((e: unknown, i) => {
    const r = isObj(e) ? e['requirement'] : undefined
    if (!isObj(e) || typeof e['namespace'] !== 'string' || !(typeof e['reference'] === 'string' || e['reference'] === null) || !Array.isArray(e['risks'])) {
      errors.push(`.images[${i}] lacks namespace, reference or risks`)
    } else if (r !== null && !(isObj(r) && typeof r['file'] === 'string' && (r['scope'] === null || typeof r['scope'] === 'string') && ['accepted', 'rejected', 'signature-required'].includes(r['verdict'] as string) && typeof r['sigstoreAttachments'] === 'boolean')) {
      errors.push(`.images[${i}].requirement is not {file, scope, verdict, sigstoreAttachments}`)
    }
  })
  return errors
}

/** Runs impact on the suite's input plus a workloads file; throws unless it exits 0 with a document that fits the contract. */
export async function impact(inputFile: string, workloadsFile: string): Promise<{ readonly images: readonly ImpactImage[]; readonly command: string }> {
  const args = ['impact', '--target-release', '4.19', '--format', 'json', inputFile, workloadsFile]
  const { doc, command } = await runCliJson(args, impactShapeErrors)
  return { images: (doc as { images: ImpactImage[] }).images, command }
}
