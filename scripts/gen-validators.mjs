// Build step: compiles our structural schemas for ImagePolicy/ClusterImagePolicy
// (v1 and v1alpha1) and the Image config into ajv standalone code, so the CLI
// never compiles a schema at start-up. Run by scripts/build.mjs before bundling;
// also runnable alone: `node scripts/gen-validators.mjs`.
//
// The schemas are our own, written from shared/docs/openshift-api.md §3 (v1 field
// tree), §4 (v1alpha1 deltas) and §8 (Image), not copied from the CRDs. They hold
// only what JSON Schema says well: types, required, enum, min/max length, max
// items, closed objects (unknown fields). Everything Kubernetes-specific is
// hand-written in src/validate/: `format: byte` (its regex overflows V8's
// backtracking stack on multi-megabyte strings), `x-kubernetes-list-type: set`,
// null pruning, and every x-kubernetes-validations (CEL) rule.
//
// The output, src/validate/schema-validators.generated.js, is not committed
// (.gitignore); its types are in schema-validators.generated.d.ts, which is.

import Ajv from 'ajv'
import standaloneCode from 'ajv/dist/standalone/index.js'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
export const OUTPUT = join(ROOT, 'src', 'validate', 'schema-validators.generated.js')

const string = (extra = {}) => ({ type: 'string', ...extra })
const object = (properties, required = [], extra = {}) => ({
  type: 'object',
  properties,
  ...(required.length > 0 ? { required } : {}),
  additionalProperties: false,
  ...extra,
})
const array = (items, extra = {}) => ({ type: 'array', items, ...extra })
/** Any JSON value: fields we accept but do not look into. */
const any = {}

/**
 * ObjectMeta as far as a manifest author writes it. Field names are closed so a
 * typo (`metadata.nmae`) is an unknown field, as with kubectl's strict field
 * validation; the values of fields we never read are left to the API server.
 */
const METADATA = object({
  name: string(),
  generateName: string(),
  namespace: string(),
  selfLink: string(),
  uid: string(),
  resourceVersion: string(),
  generation: { type: 'integer' },
  creationTimestamp: any,
  deletionTimestamp: any,
  deletionGracePeriodSeconds: { type: 'integer' },
  labels: { type: 'object', additionalProperties: string() },
  annotations: { type: 'object', additionalProperties: string() },
  ownerReferences: array({ type: 'object' }),
  finalizers: array(string()),
  managedFields: array({ type: 'object' }),
})

/** A `format: byte` field: base64 text; the format itself is checked by hand. */
const bytes = (extra) => string({ maxLength: 8192, ...extra })

/**
 * `spec` of both policy kinds (identical schemas, openshift-api.md §2–§4).
 * v1alpha1 lacks the minimum lengths of keyData/caRootsData/caIntermediatesData
 * and the maximum lengths of oidcIssuer/signedEmail.
 */
function policySpec(version) {
  const v1 = version === 'v1'
  const repository = string({ maxLength: 512 })
  return object(
    {
      scopes: array(string({ maxLength: 512 }), { maxItems: 256 }),
      policy: object(
        {
          rootOfTrust: object(
            {
              policyType: string({ enum: ['PublicKey', 'FulcioCAWithRekor', 'PKI'] }),
              publicKey: object({ keyData: bytes(v1 ? { minLength: 68 } : {}), rekorKeyData: bytes() }, ['keyData']),
              fulcioCAWithRekor: object(
                {
                  fulcioCAData: bytes(),
                  rekorKeyData: bytes(),
                  fulcioSubject: object(
                    {
                      oidcIssuer: string(v1 ? { maxLength: 2048 } : {}),
                      signedEmail: string(v1 ? { maxLength: 320 } : {}),
                    },
                    ['oidcIssuer', 'signedEmail'],
                  ),
                },
                ['fulcioCAData', 'fulcioSubject', 'rekorKeyData'],
              ),
              pki: object(
                {
                  caRootsData: bytes(v1 ? { minLength: 72 } : {}),
                  caIntermediatesData: bytes(v1 ? { minLength: 72 } : {}),
                  pkiCertificateSubject: object({ email: string({ maxLength: 320 }), hostname: string({ maxLength: 253 }) }),
                },
                ['caRootsData', 'pkiCertificateSubject'],
              ),
            },
            ['policyType'],
          ),
          signedIdentity: object(
            {
              matchPolicy: string({ enum: ['MatchRepoDigestOrExact', 'MatchRepository', 'ExactRepository', 'RemapIdentity'] }),
              exactRepository: object({ repository }, ['repository']),
              remapIdentity: object({ prefix: repository, signedPrefix: repository }, ['prefix', 'signedPrefix']),
            },
            ['matchPolicy'],
          ),
        },
        ['rootOfTrust'],
      ),
    },
    ['policy', 'scopes'],
  )
}

/**
 * A whole ImagePolicy/ClusterImagePolicy (its field tree is also the decoder's
 * table, src/decode/policy-fields.ts; test/policy-fields.test.ts checks they agree).
 * `status` is accepted as anything: with
 * the status subresource the API server drops it on create (PrepareForCreate), so
 * it is never validated through the main endpoint.
 */
export const policy = (version) =>
  object({ apiVersion: string(), kind: string(), metadata: METADATA, spec: policySpec(version), status: any }, ['spec'])

/**
 * `images.config.openshift.io` (openshift-api.md §8). Up to 4.22 the registry
 * lists have no item limits; since 4.23/5.0 (openshift/api `9dd6a39`, in the CRD
 * of `2a3d739` copied to shared/reference/crds/image/) each list has at most 1024
 * items of 1 to 256 characters. The list-type set of
 * containerRuntimeSearchRegistries and the CEL rules are hand-written
 * (src/validate/image-rules.ts).
 */
const image = (since423) => {
  const entries = since423 ? array(string({ minLength: 1, maxLength: 256 }), { maxItems: 1024 }) : array(string())
  return object(
    {
      apiVersion: string(),
      kind: string(),
      metadata: METADATA,
      spec: object({
        additionalTrustedCA: object({ name: string() }, ['name']),
        allowedRegistriesForImport: array(object({ domainName: string(), insecure: { type: 'boolean' } })),
        externalRegistryHostnames: array(string()),
        imageStreamImportMode: string({ enum: ['', 'Legacy', 'PreserveOriginal'] }),
        registrySources: object({
          allowedRegistries: entries,
          blockedRegistries: entries,
          insecureRegistries: entries,
          containerRuntimeSearchRegistries: array(string(), { minItems: 1 }),
        }),
      }),
      status: any,
    },
    ['spec'],
  )
}

// A standalone replacement for ajv's runtime helper, so the generated module has no
// imports at all. It counts code points, as Kubernetes counts maxLength in runes.
const UCS2LENGTH = `function ucs2length(str) {
  let length = str.length;
  for (let i = 0; i < str.length - 1; i++) {
    const c = str.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = str.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { length--; i++; }
    }
  }
  return length;
}`

/** Generates the module text. */
export function generateValidatorsSource() {
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    code: { source: true, esm: true, optimize: true },
    schemas: [
      { $id: 'policy-v1', ...policy('v1') },
      { $id: 'policy-v1alpha1', ...policy('v1alpha1') },
      { $id: 'image-v1', ...image(false) },
      { $id: 'image-v1-4.23', ...image(true) },
    ],
  })
  let code = standaloneCode(ajv, {
    validatePolicyV1: 'policy-v1',
    validatePolicyV1alpha1: 'policy-v1alpha1',
    validateImageV1: 'image-v1',
    validateImageV1Since423: 'image-v1-4.23',
  })
  code = code.replace(/const (\w+) = require\("ajv\/dist\/runtime\/ucs2length"\)\.default;/g, `const $1 = ucs2length;`)
  if (code.includes('require(')) throw new Error('gen-validators: the generated code still requires a runtime module')
  return `// GENERATED by scripts/gen-validators.mjs at build time; do not edit, do not commit.\n${UCS2LENGTH}\n${code}`
}

/** Writes the generated module; returns its path. */
export function generateValidators() {
  mkdirSync(dirname(OUTPUT), { recursive: true })
  writeFileSync(OUTPUT, generateValidatorsSource())
  return OUTPUT
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  generateValidators()
}
