// E2E harness: `imagepolicy-mc explain IMAGE [-n NS] --output json <input>`
// run as a subprocess (the built CLI, as a user would), its JSON document
// checked field by field against the contract the suite relies on.

import { isObj, runCliJson } from './cli-json.ts'
import type { RunResult } from './proc.ts'

/** The fields of `explain --output json` the suite compares with skopeo. */
export interface Explained {
  /** Node path of the policy file CRI-O reads for the pod. */
  readonly file: string
  /** The matched `transports.docker` key; null when the policy's `default` applied. */
  readonly scope: string | null
  /** containers/image's policy identity: `name:tag` or `name@digest`. */
  readonly reference: string
  readonly verdict: 'accepted' | 'rejected' | 'signature-required'
  readonly sigstoreAttachments: { readonly enabled: boolean; readonly key: string | null }
  readonly searched: readonly string[]
  readonly lostScopes: readonly { readonly policy: string; readonly scope: string }[]
}

export interface ExplainRun {
  readonly explained: Explained
  /** The command line, for failure messages. */
  readonly command: string
  readonly raw: RunResult
}


/** Checks the document's shape; returns the problems (empty when it fits the contract). */
export function explainShapeErrors(doc: unknown): string[] {
  if (!isObj(doc)) return ['not a JSON object']
  const errors: string[] = []
  const want = (ok: boolean, what: string): void => {
    if (!ok) errors.push(what)
  }
  want(typeof doc['file'] === 'string' && doc['file'].startsWith('/'), '.file is not an absolute path')
  want(doc['scope'] === null || typeof doc['scope'] === 'string', '.scope is neither a string nor null')
  want(typeof doc['reference'] === 'string', '.reference is not a string')
  want(['accepted', 'rejected', 'signature-required'].includes(doc['verdict'] as string), '.verdict is not accepted|rejected|signature-required')
  const sa = doc['sigstoreAttachments']
  want(isObj(sa) && typeof sa['enabled'] === 'boolean' && (sa['key'] === null || typeof sa['key'] === 'string'), '.sigstoreAttachments is not {enabled: boolean, key: string|null}')
  want(Array.isArray(doc['searched']) && doc['searched'].every((s) => typeof s === 'string'), '.searched is not a list of strings')
  want(Array.isArray(doc['lostScopes']) && doc['lostScopes'].every((l) => isObj(l) && typeof l['policy'] === 'string' && typeof l['scope'] === 'string'), '.lostScopes is not a list of {policy, scope}')
  return errors
}

/**
 * Runs explain on the same input the suite rendered. `namespace` undefined:
 * no --namespace (the cluster-wide policy.json). Throws unless it exits 0 with
 * a document that fits the contract.
 */
export async function explain(inputFile: string, image: string, namespace: string | undefined): Promise<ExplainRun> {
  const args = ['explain', image, ...(namespace === undefined ? [] : ['--namespace', namespace]), '--output', 'json', inputFile]
  const { doc, command, raw } = await runCliJson(args, explainShapeErrors)
  return { explained: doc as Explained, command, raw }
}
