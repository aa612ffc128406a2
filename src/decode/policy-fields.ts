// Decode stage: the one field table of ImagePolicy and ClusterImagePolicy (the
// v1 field tree of shared/docs/openshift-api.md §3; v1alpha1 has the same tree).
// The decoder reads `spec.policy` by walking it (decodeSigstorePolicy), and the
// validate stage derives from it which objects the API server prunes nulls in,
// where the `format: byte` fields are, and which schema errors are fatal (a wrong
// type where we read a value, a missing object we need). The structural schema
// (scripts/gen-validators.mjs) holds the same tree with the CRD's limits;
// test/policy-fields.test.ts checks the two agree. Pure.

import type { SigstorePolicy } from '../model.ts'
import type { FieldReader, Path } from './read-fields.ts'

/**
 * What the decoder does when a field is absent (or null, Go nil): `omit` leaves it
 * out; `empty` gives the Go zero value (`''`, or the object with its own fields
 * decoded from nothing); `fatal` ends the decode with an error: the resource
 * cannot be rendered without it, whatever `--validate` says.
 */
export type Absent = 'omit' | 'empty' | 'fatal'

export type Field =
  | { readonly type: 'string'; readonly absent: Absent; readonly format?: 'byte' }
  | { readonly type: 'integer'; readonly absent: Absent }
  | { readonly type: 'strings'; readonly absent: Absent }
  /** `partial`: the decoder reads only the fields listed; the schema has more (ObjectMeta). */
  | { readonly type: 'object'; readonly absent: Absent; readonly fields: Readonly<Record<string, Field>>; readonly partial?: true }

type ObjectField = Extract<Field, { type: 'object' }>

const string = (absent: Absent = 'omit'): Field => ({ type: 'string', absent })
const bytes = (): Field => ({ type: 'string', absent: 'omit', format: 'byte' })
const object = (fields: Record<string, Field>, absent: Absent = 'omit'): ObjectField => ({ type: 'object', absent, fields })

/** `spec.policy`: MCO's `SigstorePolicy` as the renderer reads it, fields in the order they are decoded. */
const SIGSTORE_POLICY = object(
  {
    rootOfTrust: object(
      {
        policyType: string('empty'),
        publicKey: object({ keyData: bytes(), rekorKeyData: bytes() }),
        fulcioCAWithRekor: object({
          fulcioCAData: bytes(),
          rekorKeyData: bytes(),
          fulcioSubject: object({ oidcIssuer: string(), signedEmail: string() }),
        }),
        pki: object({
          caRootsData: bytes(),
          caIntermediatesData: bytes(),
          pkiCertificateSubject: object({ email: string(), hostname: string() }),
        }),
      },
      'empty',
    ),
    signedIdentity: object({
      matchPolicy: string('empty'),
      exactRepository: object({ repository: string('empty') }),
      remapIdentity: object({ prefix: string('empty'), signedPrefix: string('empty') }),
    }),
  },
  'fatal',
)

/** A whole ImagePolicy or ClusterImagePolicy, as far as we read it (`status` never). */
export const POLICY_FIELDS: ObjectField = {
  type: 'object',
  absent: 'fatal',
  partial: true,
  fields: {
    apiVersion: string(),
    kind: string(),
    metadata: { type: 'object', absent: 'omit', partial: true, fields: { name: string(), namespace: string(), generation: { type: 'integer', absent: 'omit' } } },
    spec: object({ scopes: { type: 'strings', absent: 'empty' }, policy: SIGSTORE_POLICY }, 'fatal'),
  },
}

/** Every field of the table with its path, parents before children, in table order. */
export function tableFields(table: ObjectField = POLICY_FIELDS, at: Path = []): { readonly path: Path; readonly field: Field; readonly parent: ObjectField }[] {
  const out: { path: Path; field: Field; parent: ObjectField }[] = []
  for (const [key, field] of Object.entries(table.fields)) {
    const path = [...at, key]
    out.push({ path, field, parent: table })
    if (field.type === 'object') out.push(...tableFields(field, path))
  }
  return out
}

/** One step of the decode walk, its path computed once (not per policy: the 20,000-scope case decodes thousands). */
interface Step {
  readonly key: string
  readonly path: Path
  readonly absent: Absent
  /** Set for an object field: its own steps. */
  readonly steps?: readonly Step[]
}

function stepsOf(table: ObjectField, at: Path): Step[] {
  return Object.entries(table.fields).map(([key, field]): Step => {
    const path = [...at, key]
    if (field.type === 'object') return { key, path, absent: field.absent, steps: stepsOf(field, path) }
    if (field.type !== 'string') throw new Error(`policy-fields: ${path.join('.')}: the spec.policy walk reads strings and objects only`)
    return { key, path, absent: field.absent }
  })
}

const POLICY_AT: Path = ['spec', 'policy']
const POLICY_STEPS = stepsOf(SIGSTORE_POLICY, POLICY_AT)

function decodeObject(r: FieldReader, obj: Record<string, unknown>, steps: readonly Step[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const step of steps) {
    const v = obj[step.key]
    if (step.steps === undefined) {
      const s = r.string(v, step.path)
      if (s !== undefined) out[step.key] = s
      else if (step.absent === 'empty') out[step.key] = ''
    } else {
      const child = r.object(v, step.path)
      if (child !== undefined) out[step.key] = decodeObject(r, child, step.steps)
      else if (step.absent === 'empty') out[step.key] = decodeObject(r, {}, step.steps)
    }
  }
  return out
}

/**
 * `spec.policy` (already read as an object) decoded by the table: each wrong type
 * an issue in `r`, absent fields omitted or zero as the table says.
 */
export function decodeSigstorePolicy(r: FieldReader, policy: Record<string, unknown>): SigstorePolicy {
  return decodeObject(r, policy, POLICY_STEPS) as unknown as SigstorePolicy
}
