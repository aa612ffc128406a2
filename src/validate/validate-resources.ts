// Validate stage: the API server's rules for the kinds we own (structural schema,
// then CEL, as apiextensions-apiserver runs them; ObjectMeta; OpenShift admission)
// and the deeper checks the API server does not make (keys and certificates that
// really parse, namespaces safe as file names). Pure; no I/O; never throws on bad
// input: every problem comes back as an Issue.

import { issue, sortIssues, type Issue } from '../issues.ts'
import type { ResourceRef } from '../model.ts'
import type { ValidateMode } from '../options.ts'
import type { ItemRole } from '../io/item-kinds.ts'
import { policyCelFindings, type PolicyVersion } from './cel-rules.ts'
import { asFatal, checkIssue, MSG, type CheckIssue, type Path } from './check-issue.ts'
import { imageCelFindings, imageEntryCelFindings, imageEntryFindings, imageSetFindings, type ImageApiRules } from './image-rules.ts'
import { imageMetadataFindings, policyMetadataFindings } from './metadata.ts'
import { policyContentFindings } from './pem-content.ts'
import { validateImageV1, validateImageV1Since423, validatePolicyV1, validatePolicyV1alpha1 } from './schema-validators.generated.js'
import { byteFormatFindings, pruneNulls, schemaFindings, setFindings, type ObjectTree } from './structural.ts'
import { isObject } from '../is-object.ts'
import { POLICY_FIELDS, tableFields, type Field } from '../decode/policy-fields.ts'

/** One input item we own, as read. */
export interface OwnedItem {
  readonly value: Record<string, unknown>
  readonly ref: ResourceRef
  readonly role: ItemRole
}

/** At most this many issues per resource; a 10 000-item list of wrong types needs one screen, not 10 000 lines. */
export const MAX_ISSUES_PER_RESOURCE = 100

const METADATA_TREE: ObjectTree = { labels: {}, annotations: {} }

/** The objects of a table whose null fields the API server prunes (for those we read; metadata's are its own). */
function objectTree(table: Extract<Field, { type: 'object' }>): ObjectTree {
  const out: Record<string, ObjectTree> = {}
  for (const [key, field] of Object.entries(table.fields)) if (field.type === 'object') out[key] = objectTree(field)
  return out
}

/** The objects of a policy whose null fields the API server prunes. */
const POLICY_TREE: ObjectTree = { ...objectTree(POLICY_FIELDS), metadata: METADATA_TREE }

const IMAGE_TREE: ObjectTree = { metadata: METADATA_TREE, spec: { additionalTrustedCA: {}, registrySources: {} } }

const POLICY_TABLE = tableFields(POLICY_FIELDS)

/** A list, or an object the decoder reads every field of. */
function readWhole(field: Field): boolean {
  return field.type === 'strings' || (field.type === 'object' && field.partial !== true)
}

/** Where the `format: byte` fields of a policy are. */
const BYTE_FIELDS: readonly Path[] = POLICY_TABLE.filter((f) => f.field.type === 'string' && f.field.format === 'byte').map((f) => f.path)

/**
 * What the decoder reads of a policy (a wrong type there is fatal): every field in
 * and under an object it reads whole (`spec`), and the fields it reads of a
 * partial one (of metadata only name, namespace and generation; of the resource
 * not status).
 */
const POLICY_READS = {
  within: POLICY_TABLE.filter((f) => f.parent.partial === true && readWhole(f.field)).map((f) => f.path),
  at: POLICY_TABLE.filter((f) => f.parent.partial === true && !readWhole(f.field)).map((f) => f.path),
}

/** The objects the decoder cannot go on without (a missing one is fatal). */
const POLICY_NEEDED: readonly Path[] = POLICY_TABLE.filter((f) => f.field.absent === 'fatal').map((f) => f.path)

function valueAt(data: unknown, path: Path): unknown {
  let at = data
  for (const key of path) {
    if (!isObject(at) || typeof key !== 'string' || !Object.hasOwn(at, key)) return undefined
    at = at[key]
  }
  return at
}

function startsWith(path: Path, prefix: Path): boolean {
  return prefix.every((segment, i) => path[i] === segment)
}

function samePath(a: Path, b: Path): boolean {
  return a.length === b.length && startsWith(a, b)
}

/**
 * A schema issue becomes fatal (an error in every mode) when the decoder cannot
 * read past it: a wrong type where it reads a value, or a missing object it needs.
 * Such input cannot be rendered whatever `--validate` says.
 */
function withFatal(f: CheckIssue, reads: { readonly within: readonly Path[]; readonly at: readonly Path[] }, needed: readonly Path[]): CheckIssue {
  const isType = f.keyword === 'type' && (reads.within.some((p) => startsWith(f.path, p)) || reads.at.some((p) => samePath(f.path, p)))
  const isNeeded = f.keyword === 'required' && needed.some((p) => samePath(f.path, p))
  return isType || isNeeded ? asFatal(f) : f
}

/** Everything about one ImagePolicy or ClusterImagePolicy. */
export function policyFindings(value: Record<string, unknown>, version: PolicyVersion, kind: string, mode: ValidateMode, now: Date): CheckIssue[] {
  const data = pruneNulls(value, POLICY_TREE) as Record<string, unknown>
  const schema = schemaFindings(version === 'v1' ? validatePolicyV1 : validatePolicyV1alpha1, data)
  const structural = [
    ...schema.map((f) => withFatal(f, POLICY_READS, POLICY_NEEDED)),
    ...BYTE_FIELDS.flatMap((path) => byteFormatFindings(valueAt(data, path), path)),
    ...setFindings(valueAt(data, ['spec', 'scopes']), ['spec', 'scopes']),
  ]
  const out = [...structural, ...policyMetadataFindings(data, kind)]
  if (structural.some((f) => f.blocking === true)) return [...out, checkIssue('rule', 'schema', [], MSG.celSkipped)]
  const spec = data['spec']
  if (!isObject(spec)) return out
  out.push(...policyCelFindings(spec, version))
  if (mode !== 'ignore') {
    const flagged = (path: Path): boolean => out.some((f) => samePath(f.path, path))
    out.push(...policyContentFindings(spec, now, flagged))
  }
  return out
}

/**
 * Everything about one Image config. `rules` picks the CRD revision: the registry
 * list limits and the per-entry hostname rule exist since 4.23 (openshift-api.md §8).
 */
export function imageFindings(value: Record<string, unknown>, rules: ImageApiRules): CheckIssue[] {
  const data = pruneNulls(value, IMAGE_TREE) as Record<string, unknown>
  const metadata = data['metadata']
  const isCluster = isObject(metadata) && metadata['name'] === 'cluster'
  // Only the Image named cluster is decoded, so only its registry lists must have the right types.
  const reads = isCluster ? { within: [['spec', 'registrySources']], at: [['spec'], ['metadata']] } : { within: [], at: [] }
  const structural = [...schemaFindings(rules === 'since-4.23' ? validateImageV1Since423 : validateImageV1, data).map((f) => withFatal(f, reads, [])), ...imageSetFindings(data)]
  const out = [...structural, ...imageMetadataFindings(data)]
  if (structural.some((f) => f.blocking === true)) return [...out, checkIssue('rule', 'schema', [], MSG.celSkipped)]
  out.push(...imageCelFindings(data), ...imageEntryCelFindings(data, rules))
  // MCO's own entry check, for the entries the API rules let through (one line per bad entry).
  if (isCluster) out.push(...imageEntryFindings(data).filter((f) => !out.some((o) => samePath(o.path, f.path))))
  return out
}

/** The severity `--validate` gives a check issue, or undefined when the mode drops it. */
function severityOf(level: CheckIssue['level'], mode: ValidateMode): Issue['severity'] | undefined {
  if (level === 'fatal') return 'error'
  if (mode === 'ignore') return undefined
  if (level === 'advice') return 'warning'
  return mode === 'strict' ? 'error' : 'warning'
}

/** A resource's check issues as `--validate` grades them, named for the resource, at most MAX_ISSUES_PER_RESOURCE. */
function gradeIssues(checked: readonly CheckIssue[], ref: ResourceRef, mode: ValidateMode): Issue[] {
  const issues: Issue[] = []
  for (const c of checked) {
    const severity = severityOf(c.level, mode)
    if (severity !== undefined) issues.push(issue(severity, c.code, c.message, { resource: ref, path: c.path }))
  }
  if (issues.length <= MAX_ISSUES_PER_RESOURCE) return issues
  const sorted = sortIssues(issues)
  const kept = sorted.slice(0, MAX_ISSUES_PER_RESOURCE)
  const worst = sorted[0]!.severity
  return [...kept, issue(worst, 'schema', `${issues.length - kept.length} more problems not shown`, { resource: ref })]
}

/**
 * Validates the items we own. `mode` is `--validate`: `strict` reports API rule
 * violations and unusable keys as errors, `warn` as warnings, `ignore` skips them.
 * Whatever the mode, input we cannot read or render safely (a wrong type where we
 * read a value, a missing name, an ImagePolicy namespace that is not a DNS-1123
 * label) is an error. `now` dates certificate validity checks; `imageRules` picks the
 * Image CRD's revision. Never throws.
 */
export function validateResources(items: readonly OwnedItem[], mode: ValidateMode, now: Date, imageRules: ImageApiRules = 'through-4.22'): Issue[] {
  const issues: Issue[] = []
  for (const item of items) {
    let checked: CheckIssue[]
    try {
      if (item.role === 'policy') {
        const version: PolicyVersion = item.ref.apiVersion.endsWith('/v1alpha1') ? 'v1alpha1' : 'v1'
        checked = policyFindings(item.value, version, item.ref.kind, mode, now)
      } else if (item.role === 'image') {
        checked = imageFindings(item.value, imageRules)
      } else {
        continue
      }
    } catch (e) {
      // A bug of ours must not look like a crash on the user's input; it still fails the run.
      checked = [checkIssue('fatal', 'schema', [], `internal validation failure: ${e instanceof Error ? e.message : String(e)}`)]
    }
    issues.push(...gradeIssues(checked, item.ref, mode))
  }
  return issues
}
