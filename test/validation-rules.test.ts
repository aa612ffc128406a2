// One table test per validation rule: valid baselines that give no issue at all,
// then one mutation per rule, each of which must produce that rule's message at
// its path (so removing the rule fails its row). Every row is checked in the three
// --validate modes: an API rule is an error in strict, a warning in warn and gone in
// ignore; a fatal problem is an error in every mode; advice is a warning unless ignored.

import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { decodePolicy } from '../src/decode/resources.ts'
import { refOf, roleOf } from '../src/io/item-kinds.ts'
import { toFieldPath, type Issue } from '../src/issues.ts'
import type { ValidateMode } from '../src/options.ts'
import { validateResources } from '../src/validate/validate-resources.ts'

/** An untyped manifest, as mutations reach into it. */
type Doc = Record<string, any>

/** A private key made for one test run, never stored. */
function throwawayPrivateKey(): string {
  return generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
}

const KEYS = 'test/fixtures/validation/keys'
const pem = (file: string): string => readFileSync(join(KEYS, file), 'utf8')
const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64')
/** Inside the fixture certificates' validity (2026-11-28 … 2126-11-04). */
const NOW = new Date('2027-06-01T00:00:00Z')

const EC = b64(pem('ec-p256.pub.pem'))
const CA = b64(pem('ca.pem'))
const V1 = 'config.openshift.io/v1'
const V1ALPHA1 = 'config.openshift.io/v1alpha1'

function clusterPolicy(spec: Doc, apiVersion = V1): Doc {
  return { apiVersion, kind: 'ClusterImagePolicy', metadata: { name: 'policy' }, spec }
}

function namespacedPolicy(spec: Doc, apiVersion = V1): Doc {
  return { apiVersion, kind: 'ImagePolicy', metadata: { name: 'policy', namespace: 'team-a' }, spec }
}

const publicKeySpec = (): Doc => ({
  scopes: ['example.com', 'localhost:5000/ns', '*.example.org', 'quay.io/ns/img:tag@sha256:' + 'a'.repeat(64)],
  policy: {
    rootOfTrust: { policyType: 'PublicKey', publicKey: { keyData: EC, rekorKeyData: b64(pem('rsa-2048.pub.pem')) } },
    signedIdentity: { matchPolicy: 'MatchRepoDigestOrExact' },
  },
})

const fulcioSpec = (): Doc => ({
  scopes: ['registry.example.com/team'],
  policy: {
    rootOfTrust: {
      policyType: 'FulcioCAWithRekor',
      fulcioCAWithRekor: {
        fulcioCAData: CA,
        rekorKeyData: b64(pem('ed25519.pub.pem')),
        fulcioSubject: { oidcIssuer: 'https://issuer.example.com', signedEmail: 'bot@example.com' },
      },
    },
    signedIdentity: { matchPolicy: 'ExactRepository', exactRepository: { repository: 'example.com/repo' } },
  },
})

const pkiSpec = (): Doc => ({
  scopes: ['example.com/pki'],
  policy: {
    rootOfTrust: {
      policyType: 'PKI',
      pki: { caRootsData: CA, caIntermediatesData: CA, pkiCertificateSubject: { email: 'a@example.com', hostname: '*.example.com' } },
    },
    signedIdentity: { matchPolicy: 'RemapIdentity', remapIdentity: { prefix: 'example.com/a', signedPrefix: 'localhost:5000/a' } },
  },
})

const image = (registrySources: Doc = { allowedRegistries: ['quay.io', '*.example.com'] }): Doc => ({
  apiVersion: V1,
  kind: 'Image',
  metadata: { name: 'cluster' },
  spec: { registrySources },
})

function validate(doc: Doc, mode: ValidateMode, now = NOW): Issue[] {
  return validateResources([{ value: doc, ref: refOf(doc)!, role: roleOf(doc) }], mode, now)
}

function lines(issues: readonly Issue[]): string[] {
  return issues.map((i) => `${i.severity} ${toFieldPath(i.path)}: ${i.message}`)
}

const BASELINES: Record<string, () => Doc> = {
  'v1 ClusterImagePolicy PublicKey': () => clusterPolicy(publicKeySpec()),
  'v1 ImagePolicy FulcioCAWithRekor': () => namespacedPolicy(fulcioSpec()),
  'v1 ClusterImagePolicy PKI': () => clusterPolicy(pkiSpec()),
  'v1alpha1 ImagePolicy PublicKey': () => namespacedPolicy(publicKeySpec(), V1ALPHA1),
  'v1alpha1 ClusterImagePolicy PKI': () => clusterPolicy(pkiSpec(), V1ALPHA1),
  'Image cluster': () => image(),
  'Image cluster with blocked, insecure and search registries': () =>
    image({ blockedRegistries: ['bad.example.com'], insecureRegistries: ['*.internal'], containerRuntimeSearchRegistries: ['quay.io'] }),
}

for (const [name, make] of Object.entries(BASELINES)) {
  test(`baseline is valid: ${name}`, () => {
    assert.deepEqual(lines(validate(make(), 'strict')), [])
  })
}

interface Row {
  readonly rule: string
  readonly base: () => Doc
  readonly mutate: (doc: Doc) => void
  readonly path: string
  readonly message: string | RegExp
  readonly level?: 'rule' | 'fatal' | 'advice'
  readonly now?: Date
}

const rootAt = 'spec.policy.rootOfTrust'
const v1cip = (): Doc => clusterPolicy(publicKeySpec())
const v1fulcio = (): Doc => namespacedPolicy(fulcioSpec())
const v1pki = (): Doc => clusterPolicy(pkiSpec())
const alphaCip = (): Doc => clusterPolicy(publicKeySpec(), V1ALPHA1)
const alphaFulcio = (): Doc => namespacedPolicy(fulcioSpec(), V1ALPHA1)
const alphaPki = (): Doc => clusterPolicy(pkiSpec(), V1ALPHA1)

const CEL_SKIPPED = 'Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation'
const Q2_V1 =
  "Invalid value: \"string\": invalid repository or prefix in the signedIdentity. The repository or prefix must starts with 'localhost' or a valid '.' separated domain. If contains registry paths, the path component names must start with at least one letter or number, with following parts able to be separated by one period, one or two underscore and multiple dashes."
const H1_V1 =
  "Invalid value: \"string\": hostname must be a valid dns 1123 subdomain name, optionally prefixed by '*.'. It must consist only of lowercase alphanumeric characters, hyphens, periods and the optional preceding asterisk."

const ROWS: Row[] = [
  // Structural schema: required fields (blocking: CEL is skipped, with the server's note).
  { rule: 'required spec', base: v1cip, mutate: (d) => delete d['spec'], path: 'spec', message: 'Required value', level: 'fatal' },
  { rule: 'spec: null is pruned, then required', base: v1cip, mutate: (d) => (d['spec'] = null), path: 'spec', message: 'Required value', level: 'fatal' },
  { rule: 'required scopes', base: v1cip, mutate: (d) => delete d['spec'].scopes, path: 'spec.scopes', message: 'Required value' },
  { rule: 'required policy', base: v1cip, mutate: (d) => delete d['spec'].policy, path: 'spec.policy', message: 'Required value', level: 'fatal' },
  { rule: 'required rootOfTrust', base: v1cip, mutate: (d) => delete d['spec'].policy.rootOfTrust, path: rootAt, message: 'Required value' },
  { rule: 'required policyType', base: v1cip, mutate: (d) => delete d['spec'].policy.rootOfTrust.policyType, path: `${rootAt}.policyType`, message: 'Required value' },
  { rule: 'required keyData', base: v1cip, mutate: (d) => delete d['spec'].policy.rootOfTrust.publicKey.keyData, path: `${rootAt}.publicKey.keyData`, message: 'Required value' },
  { rule: 'required fulcioCAData', base: v1fulcio, mutate: (d) => delete d['spec'].policy.rootOfTrust.fulcioCAWithRekor.fulcioCAData, path: `${rootAt}.fulcioCAWithRekor.fulcioCAData`, message: 'Required value' },
  { rule: 'required fulcio rekorKeyData', base: v1fulcio, mutate: (d) => delete d['spec'].policy.rootOfTrust.fulcioCAWithRekor.rekorKeyData, path: `${rootAt}.fulcioCAWithRekor.rekorKeyData`, message: 'Required value' },
  { rule: 'required fulcioSubject', base: v1fulcio, mutate: (d) => delete d['spec'].policy.rootOfTrust.fulcioCAWithRekor.fulcioSubject, path: `${rootAt}.fulcioCAWithRekor.fulcioSubject`, message: 'Required value' },
  { rule: 'required oidcIssuer', base: v1fulcio, mutate: (d) => delete d['spec'].policy.rootOfTrust.fulcioCAWithRekor.fulcioSubject.oidcIssuer, path: `${rootAt}.fulcioCAWithRekor.fulcioSubject.oidcIssuer`, message: 'Required value' },
  { rule: 'required signedEmail', base: v1fulcio, mutate: (d) => delete d['spec'].policy.rootOfTrust.fulcioCAWithRekor.fulcioSubject.signedEmail, path: `${rootAt}.fulcioCAWithRekor.fulcioSubject.signedEmail`, message: 'Required value' },
  { rule: 'required caRootsData', base: v1pki, mutate: (d) => delete d['spec'].policy.rootOfTrust.pki.caRootsData, path: `${rootAt}.pki.caRootsData`, message: 'Required value' },
  { rule: 'required pkiCertificateSubject', base: v1pki, mutate: (d) => delete d['spec'].policy.rootOfTrust.pki.pkiCertificateSubject, path: `${rootAt}.pki.pkiCertificateSubject`, message: 'Required value' },
  { rule: 'required matchPolicy', base: v1cip, mutate: (d) => delete d['spec'].policy.signedIdentity.matchPolicy, path: 'spec.policy.signedIdentity.matchPolicy', message: 'Required value' },
  { rule: 'required repository', base: v1fulcio, mutate: (d) => delete d['spec'].policy.signedIdentity.exactRepository.repository, path: 'spec.policy.signedIdentity.exactRepository.repository', message: 'Required value' },
  { rule: 'required prefix', base: v1pki, mutate: (d) => delete d['spec'].policy.signedIdentity.remapIdentity.prefix, path: 'spec.policy.signedIdentity.remapIdentity.prefix', message: 'Required value' },
  { rule: 'required signedPrefix', base: v1pki, mutate: (d) => delete d['spec'].policy.signedIdentity.remapIdentity.signedPrefix, path: 'spec.policy.signedIdentity.remapIdentity.signedPrefix', message: 'Required value' },
  { rule: 'blocking errors skip CEL', base: v1cip, mutate: (d) => delete d['spec'].policy.rootOfTrust.policyType, path: '', message: CEL_SKIPPED },

  // Enums, types, lengths, item counts.
  { rule: 'enum policyType', base: v1cip, mutate: (d) => (d['spec'].policy.rootOfTrust.policyType = 'Keyless'), path: `${rootAt}.policyType`, message: 'Unsupported value: "Keyless": supported values: "PublicKey", "FulcioCAWithRekor", "PKI"' },
  { rule: 'enum matchPolicy', base: v1cip, mutate: (d) => (d['spec'].policy.signedIdentity.matchPolicy = 'Bogus'), path: 'spec.policy.signedIdentity.matchPolicy', message: 'Unsupported value: "Bogus": supported values: "MatchRepoDigestOrExact", "MatchRepository", "ExactRepository", "RemapIdentity"' },
  { rule: 'type of scopes', base: v1cip, mutate: (d) => (d['spec'].scopes = 5), path: 'spec.scopes', message: 'Invalid value: "integer": spec.scopes in body must be of type array: "integer"', level: 'fatal' },
  { rule: 'type of a scope', base: v1cip, mutate: (d) => (d['spec'].scopes = [true]), path: 'spec.scopes[0]', message: 'must be of type string: "boolean"', level: 'fatal' },
  { rule: 'type of rootOfTrust', base: v1cip, mutate: (d) => (d['spec'].policy.rootOfTrust = ['x']), path: rootAt, message: 'must be of type object: "array"', level: 'fatal' },
  { rule: 'type of metadata.name', base: v1cip, mutate: (d) => (d['metadata'].name = 7), path: 'metadata.name', message: 'must be of type string: "integer"', level: 'fatal' },
  { rule: 'type of a label (not read: an API rule only)', base: v1cip, mutate: (d) => (d['metadata'].labels = { a: true }), path: 'metadata.labels.a', message: 'must be of type string: "boolean"' },
  { rule: 'maxItems scopes', base: v1cip, mutate: (d) => (d['spec'].scopes = Array.from({ length: 257 }, (_, i) => `r${i}.example.com`)), path: 'spec.scopes', message: 'Too many: 257: must have at most 256 items' },
  { rule: 'maxLength scope', base: v1cip, mutate: (d) => (d['spec'].scopes = [`example.com/${'a'.repeat(510)}`]), path: 'spec.scopes[0]', message: 'Too long: may not be more than 512 bytes' },
  { rule: 'maxLength keyData', base: v1cip, mutate: (d) => (d['spec'].policy.rootOfTrust.publicKey.keyData = 'A'.repeat(8196)), path: `${rootAt}.publicKey.keyData`, message: 'Too long: may not be more than 8192 bytes' },
  { rule: 'maxLength publicKey.rekorKeyData', base: v1cip, mutate: (d) => (d['spec'].policy.rootOfTrust.publicKey.rekorKeyData = 'A'.repeat(8196)), path: `${rootAt}.publicKey.rekorKeyData`, message: 'Too long: may not be more than 8192 bytes' },
  { rule: 'maxLength fulcioCAData', base: v1fulcio, mutate: (d) => (d['spec'].policy.rootOfTrust.fulcioCAWithRekor.fulcioCAData = 'A'.repeat(8196)), path: `${rootAt}.fulcioCAWithRekor.fulcioCAData`, message: 'Too long: may not be more than 8192 bytes' },
  { rule: 'maxLength fulcio rekorKeyData', base: v1fulcio, mutate: (d) => (d['spec'].policy.rootOfTrust.fulcioCAWithRekor.rekorKeyData = 'A'.repeat(8196)), path: `${rootAt}.fulcioCAWithRekor.rekorKeyData`, message: 'Too long: may not be more than 8192 bytes' },
  { rule: 'maxLength caRootsData', base: v1pki, mutate: (d) => (d['spec'].policy.rootOfTrust.pki.caRootsData = 'A'.repeat(8196)), path: `${rootAt}.pki.caRootsData`, message: 'Too long: may not be more than 8192 bytes' },
  { rule: 'maxLength caIntermediatesData', base: v1pki, mutate: (d) => (d['spec'].policy.rootOfTrust.pki.caIntermediatesData = 'A'.repeat(8196)), path: `${rootAt}.pki.caIntermediatesData`, message: 'Too long: may not be more than 8192 bytes' },
  { rule: 'maxLength oidcIssuer (v1)', base: v1fulcio, mutate: (d) => (d['spec'].policy.rootOfTrust.fulcioCAWithRekor.fulcioSubject.oidcIssuer = `https://e.com/${'a'.repeat(2040)}`), path: `${rootAt}.fulcioCAWithRekor.fulcioSubject.oidcIssuer`, message: 'Too long: may not be more than 2048 bytes' },
  { rule: 'maxLength signedEmail (v1)', base: v1fulcio, mutate: (d) => (d['spec'].policy.rootOfTrust.fulcioCAWithRekor.fulcioSubject.signedEmail = `${'a'.repeat(320)}@e.com`), path: `${rootAt}.fulcioCAWithRekor.fulcioSubject.signedEmail`, message: 'Too long: may not be more than 320 bytes' },
  { rule: 'maxLength pki email', base: v1pki, mutate: (d) => (d['spec'].policy.rootOfTrust.pki.pkiCertificateSubject.email = `${'a'.repeat(320)}@e.com`), path: `${rootAt}.pki.pkiCertificateSubject.email`, message: 'Too long: may not be more than 320 bytes' },
  { rule: 'maxLength pki hostname', base: v1pki, mutate: (d) => (d['spec'].policy.rootOfTrust.pki.pkiCertificateSubject.hostname = `${'a.'.repeat(127)}com`), path: `${rootAt}.pki.pkiCertificateSubject.hostname`, message: 'Too long: may not be more than 253 bytes' },
  { rule: 'maxLength repository', base: v1fulcio, mutate: (d) => (d['spec'].policy.signedIdentity.exactRepository.repository = `example.com/${'a'.repeat(501)}`), path: 'spec.policy.signedIdentity.exactRepository.repository', message: 'Too long: may not be more than 512 bytes' },
  { rule: 'maxLength prefix', base: v1pki, mutate: (d) => (d['spec'].policy.signedIdentity.remapIdentity.prefix = `example.com/${'a'.repeat(501)}`), path: 'spec.policy.signedIdentity.remapIdentity.prefix', message: 'Too long: may not be more than 512 bytes' },
  { rule: 'maxLength signedPrefix', base: v1pki, mutate: (d) => (d['spec'].policy.signedIdentity.remapIdentity.signedPrefix = `example.com/${'a'.repeat(501)}`), path: 'spec.policy.signedIdentity.remapIdentity.signedPrefix', message: 'Too long: may not be more than 512 bytes' },
  { rule: 'minLength keyData (v1)', base: v1cip, mutate: (d) => (d['spec'].policy.rootOfTrust.publicKey.keyData = 'Zm9vIGJhcg=='), path: `${rootAt}.publicKey.keyData`, message: 'Invalid value: "Zm9vIGJhcg==": spec.policy.rootOfTrust.publicKey.keyData in body should be at least 68 chars long' },
  { rule: 'minLength caRootsData (v1)', base: v1pki, mutate: (d) => (d['spec'].policy.rootOfTrust.pki.caRootsData = 'Zm9vIGJhcg=='), path: `${rootAt}.pki.caRootsData`, message: 'in body should be at least 72 chars long' },
  { rule: 'minLength caIntermediatesData (v1)', base: v1pki, mutate: (d) => (d['spec'].policy.rootOfTrust.pki.caIntermediatesData = 'Zm9vIGJhcg=='), path: `${rootAt}.pki.caIntermediatesData`, message: 'in body should be at least 72 chars long' },
  { rule: 'list-type set on scopes', base: v1cip, mutate: (d) => d['spec'].scopes.push('example.com'), path: 'spec.scopes[4]', message: 'Duplicate value: "example.com"' },
  { rule: 'unknown field (strict field validation)', base: v1cip, mutate: (d) => (d['spec'].policy.rootOfTrust.FulcioCAWithRekor = {}), path: `${rootAt}.FulcioCAWithRekor`, message: 'field not declared in schema' },
  { rule: 'unknown metadata field', base: v1cip, mutate: (d) => (d['metadata'].nmae = 'x'), path: 'metadata.nmae', message: 'field not declared in schema' },

  // format: byte, on every byte field.
  ...(
    [
      [v1cip, 'publicKey', 'keyData'],
      [v1cip, 'publicKey', 'rekorKeyData'],
      [v1fulcio, 'fulcioCAWithRekor', 'fulcioCAData'],
      [v1fulcio, 'fulcioCAWithRekor', 'rekorKeyData'],
      [v1pki, 'pki', 'caRootsData'],
      [v1pki, 'pki', 'caIntermediatesData'],
    ] as const
  ).map(
    ([base, parent, field]): Row => ({
      rule: `format byte ${parent}.${field} (line breaks)`,
      base,
      mutate: (d) => {
        const value = d['spec'].policy.rootOfTrust[parent][field] as string
        d['spec'].policy.rootOfTrust[parent][field] = value.replace(/(.{64})/g, '$1\n')
      },
      path: `${rootAt}.${parent}.${field}`,
      message: `in body must be of type byte: "`,
    }),
  ),
  { rule: 'format byte: padding required', base: v1cip, mutate: (d) => (d['spec'].policy.rootOfTrust.publicKey.keyData = EC.replace(/=+$/, '')), path: `${rootAt}.publicKey.keyData`, message: 'must be of type byte' },

  // CEL: scopes.
  { rule: 'S1', base: v1cip, mutate: (d) => (d['spec'].scopes = ['registry:5000/foo']), path: 'spec.scopes[0]', message: "Invalid value: \"string\": invalid image scope format, scope must contain a fully qualified domain name or 'localhost'" },
  { rule: 'S2', base: v1cip, mutate: (d) => (d['spec'].scopes = ['*.example.com:5000']), path: 'spec.scopes[0]', message: 'Invalid value: "string": invalid image scope with wildcard, a wildcard can only be at the start of the domain and is only supported for subdomain matching, not path matching' },
  { rule: 'S3', base: v1cip, mutate: (d) => (d['spec'].scopes = ['example.com/Foo']), path: 'spec.scopes[0]', message: 'Invalid value: "string": invalid repository namespace or image specification in the image scope' },
  { rule: 'S3 short digest', base: v1cip, mutate: (d) => (d['spec'].scopes = ['example.com/foo@sha256:12dsdf']), path: 'spec.scopes[0]', message: 'invalid repository namespace or image specification in the image scope' },

  // CEL: the root-of-trust union.
  { rule: 'U1', base: v1pki, mutate: (d) => (d['spec'].policy.rootOfTrust.publicKey = { keyData: EC }), path: rootAt, message: 'Invalid value: "object": publicKey is required when policyType is PublicKey, and forbidden otherwise' },
  { rule: 'U1 pki forbidden', base: v1cip, mutate: (d) => (d['spec'].policy.rootOfTrust.pki = pkiSpec()['policy'].rootOfTrust.pki), path: rootAt, message: 'Invalid value: "object": pki is required when policyType is PKI, and forbidden otherwise' },
  { rule: 'U2', base: v1cip, mutate: (d) => delete d['spec'].policy.rootOfTrust.publicKey, path: rootAt, message: 'Invalid value: "object": publicKey is required when policyType is PublicKey, and forbidden otherwise' },
  { rule: 'U3', base: v1fulcio, mutate: (d) => (d['spec'].policy.rootOfTrust.policyType = 'PublicKey'), path: rootAt, message: 'Invalid value: "object": fulcioCAWithRekor is required when policyType is FulcioCAWithRekor, and forbidden otherwise' },

  // CEL: PEM markers.
  { rule: 'K1', base: v1cip, mutate: (d) => (d['spec'].policy.rootOfTrust.publicKey.keyData = b64(` ${pem('ec-p256.pub.pem')}`)), path: `${rootAt}.publicKey.keyData`, message: "Invalid value: \"string\": the keyData must start with base64 encoding of '-----BEGIN PUBLIC KEY-----'." },
  { rule: 'K2', base: v1cip, mutate: (d) => (d['spec'].policy.rootOfTrust.publicKey.keyData = b64(`${pem('ec-p256.pub.pem')}\n`)), path: `${rootAt}.publicKey.keyData`, message: "Invalid value: \"string\": the keyData must end with base64 encoding of '-----END PUBLIC KEY-----'." },
  { rule: 'R1 (publicKey)', base: v1cip, mutate: (d) => (d['spec'].policy.rootOfTrust.publicKey.rekorKeyData = CA), path: `${rootAt}.publicKey.rekorKeyData`, message: "the rekorKeyData must start with base64 encoding of '-----BEGIN PUBLIC KEY-----'." },
  { rule: 'R2 (publicKey)', base: v1cip, mutate: (d) => (d['spec'].policy.rootOfTrust.publicKey.rekorKeyData = b64(pem('ec-p256.pub.pem').replace(/\n$/, '\r\n'))), path: `${rootAt}.publicKey.rekorKeyData`, message: "the rekorKeyData must end with base64 encoding of '-----END PUBLIC KEY-----'." },
  { rule: 'R1 (fulcio)', base: v1fulcio, mutate: (d) => (d['spec'].policy.rootOfTrust.fulcioCAWithRekor.rekorKeyData = CA), path: `${rootAt}.fulcioCAWithRekor.rekorKeyData`, message: "the rekorKeyData must start with base64 encoding of '-----BEGIN PUBLIC KEY-----'." },
  { rule: 'R2 (fulcio)', base: v1fulcio, mutate: (d) => (d['spec'].policy.rootOfTrust.fulcioCAWithRekor.rekorKeyData = b64(`${pem('ec-p256.pub.pem')}# trailing`)), path: `${rootAt}.fulcioCAWithRekor.rekorKeyData`, message: "the rekorKeyData must end with base64 encoding of '-----END PUBLIC KEY-----'." },
  { rule: 'F1', base: v1fulcio, mutate: (d) => (d['spec'].policy.rootOfTrust.fulcioCAWithRekor.fulcioCAData = EC), path: `${rootAt}.fulcioCAWithRekor.fulcioCAData`, message: "the fulcioCAData must start with base64 encoding of '-----BEGIN CERTIFICATE-----'." },
  { rule: 'F2', base: v1fulcio, mutate: (d) => (d['spec'].policy.rootOfTrust.fulcioCAWithRekor.fulcioCAData = b64(`${pem('ca.pem')}\n\n`)), path: `${rootAt}.fulcioCAWithRekor.fulcioCAData`, message: "the fulcioCAData must end with base64 encoding of '-----END CERTIFICATE-----'." },
  { rule: 'C1 caRootsData', base: v1pki, mutate: (d) => (d['spec'].policy.rootOfTrust.pki.caRootsData = b64(`# roots\n${pem('ca.pem')}`)), path: `${rootAt}.pki.caRootsData`, message: "the caRootsData must start with base64 encoding of '-----BEGIN CERTIFICATE-----'." },
  { rule: 'C2 caRootsData', base: v1pki, mutate: (d) => (d['spec'].policy.rootOfTrust.pki.caRootsData = b64(`${pem('ca.pem')} `)), path: `${rootAt}.pki.caRootsData`, message: "the caRootsData must end with base64 encoding of '-----END CERTIFICATE-----'." },
  { rule: 'C3 caRootsData', base: v1pki, mutate: (d) => (d['spec'].policy.rootOfTrust.pki.caRootsData = b64(`${pem('ca.pem')}-----END CERTIFICATE-----\n`)), path: `${rootAt}.pki.caRootsData`, message: "caRootsData must be base64 encoding of valid PEM format data contain the same number of '-----BEGIN CERTIFICATE-----' and '-----END CERTIFICATE-----' markers." },
  { rule: 'C1 caIntermediatesData', base: v1pki, mutate: (d) => (d['spec'].policy.rootOfTrust.pki.caIntermediatesData = EC), path: `${rootAt}.pki.caIntermediatesData`, message: "the caIntermediatesData must start with base64 encoding of '-----BEGIN CERTIFICATE-----'." },
  { rule: 'C2 caIntermediatesData', base: v1pki, mutate: (d) => (d['spec'].policy.rootOfTrust.pki.caIntermediatesData = b64(pem('ca.pem').slice(0, -2))), path: `${rootAt}.pki.caIntermediatesData`, message: "the caIntermediatesData must end with base64 encoding of '-----END CERTIFICATE-----'." },
  { rule: 'C3 caIntermediatesData', base: v1pki, mutate: (d) => (d['spec'].policy.rootOfTrust.pki.caIntermediatesData = b64(`${pem('ca.pem')}-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n-----END CERTIFICATE-----`)), path: `${rootAt}.pki.caIntermediatesData`, message: "caIntermediatesData must be base64 encoding of valid PEM format data contain the same number of '-----BEGIN CERTIFICATE-----' and '-----END CERTIFICATE-----' markers." },
  { rule: 'CEL sees URL-safe base64 (kube-openapi strfmt)', base: v1cip, mutate: (d) => (d['spec'].policy.rootOfTrust.publicKey.keyData = b64(`-----BEGIN PUBLIC KEY-----\n>>>\n-----END PUBLIC KEY-----`)), path: `${rootAt}.publicKey.keyData`, message: /^Invalid value: "string": Invalid byte formatted string \S+: illegal base64 data at input byte \d+ evaluating rule: the keyData must start with/ },
  { rule: 'CEL string(bytes) needs UTF-8', base: v1cip, mutate: (d) => (d['spec'].policy.rootOfTrust.publicKey.keyData = Buffer.from([0x80, 0x81, 0x82]).toString('base64').repeat(20)), path: `${rootAt}.publicKey.keyData`, message: 'Invalid value: "string": invalid UTF-8 in bytes, cannot convert to string evaluating rule: the keyData must end with' },

  // CEL: subjects.
  { rule: 'O1', base: v1fulcio, mutate: (d) => (d['spec'].policy.rootOfTrust.fulcioCAWithRekor.fulcioSubject.oidcIssuer = 'issuer.example.com'), path: `${rootAt}.fulcioCAWithRekor.fulcioSubject.oidcIssuer`, message: 'Invalid value: "string": oidcIssuer must be a valid URL' },
  { rule: 'O1 bad port', base: v1fulcio, mutate: (d) => (d['spec'].policy.rootOfTrust.fulcioCAWithRekor.fulcioSubject.oidcIssuer = 'https://a:b:c/'), path: `${rootAt}.fulcioCAWithRekor.fulcioSubject.oidcIssuer`, message: 'oidcIssuer must be a valid URL' },
  { rule: 'E1', base: v1fulcio, mutate: (d) => (d['spec'].policy.rootOfTrust.fulcioCAWithRekor.fulcioSubject.signedEmail = 'bot at example.com'), path: `${rootAt}.fulcioCAWithRekor.fulcioSubject.signedEmail`, message: 'Invalid value: "string": invalid email address' },
  { rule: 'P1', base: v1pki, mutate: (d) => (d['spec'].policy.rootOfTrust.pki.pkiCertificateSubject = {}), path: `${rootAt}.pki.pkiCertificateSubject`, message: 'Invalid value: "object": at least one of email or hostname must be set in pkiCertificateSubject' },
  { rule: 'E2 (v1)', base: v1pki, mutate: (d) => (d['spec'].policy.rootOfTrust.pki.pkiCertificateSubject.email = '@example.com'), path: `${rootAt}.pki.pkiCertificateSubject.email`, message: 'Invalid value: "string": invalid email address' },
  { rule: 'H1 (v1)', base: v1pki, mutate: (d) => (d['spec'].policy.rootOfTrust.pki.pkiCertificateSubject.hostname = 'Example.com'), path: `${rootAt}.pki.pkiCertificateSubject.hostname`, message: H1_V1 },
  { rule: 'H1 wildcard only as a prefix', base: v1pki, mutate: (d) => (d['spec'].policy.rootOfTrust.pki.pkiCertificateSubject.hostname = 'a.*.example.com'), path: `${rootAt}.pki.pkiCertificateSubject.hostname`, message: H1_V1 },

  // CEL: signedIdentity.
  { rule: 'I1', base: v1fulcio, mutate: (d) => delete d['spec'].policy.signedIdentity.exactRepository, path: 'spec.policy.signedIdentity', message: 'Invalid value: "object": exactRepository is required when matchPolicy is ExactRepository, and forbidden otherwise' },
  { rule: 'I1 forbidden', base: v1cip, mutate: (d) => (d['spec'].policy.signedIdentity.exactRepository = { repository: 'example.com' }), path: 'spec.policy.signedIdentity', message: 'exactRepository is required when matchPolicy is ExactRepository, and forbidden otherwise' },
  { rule: 'I2', base: v1pki, mutate: (d) => delete d['spec'].policy.signedIdentity.remapIdentity, path: 'spec.policy.signedIdentity', message: 'Invalid value: "object": remapIdentity is required when matchPolicy is RemapIdentity, and forbidden otherwise' },
  { rule: 'Q1 repository', base: v1fulcio, mutate: (d) => (d['spec'].policy.signedIdentity.exactRepository.repository = 'example.com/repo:latest'), path: 'spec.policy.signedIdentity.exactRepository.repository', message: 'Invalid value: "string": invalid repository or prefix in the signedIdentity, should not include the tag or digest' },
  { rule: 'Q1 host:port quirk', base: v1pki, mutate: (d) => (d['spec'].policy.signedIdentity.remapIdentity.signedPrefix = 'example.com:5000'), path: 'spec.policy.signedIdentity.remapIdentity.signedPrefix', message: 'should not include the tag or digest' },
  { rule: 'Q2 repository', base: v1fulcio, mutate: (d) => (d['spec'].policy.signedIdentity.exactRepository.repository = 'registry/foo'), path: 'spec.policy.signedIdentity.exactRepository.repository', message: Q2_V1 },
  { rule: 'Q2 prefix', base: v1pki, mutate: (d) => (d['spec'].policy.signedIdentity.remapIdentity.prefix = 'example.com/UPPER'), path: 'spec.policy.signedIdentity.remapIdentity.prefix', message: Q2_V1 },
  { rule: 'Q2 signedPrefix', base: v1pki, mutate: (d) => (d['spec'].policy.signedIdentity.remapIdentity.signedPrefix = '*.example.com'), path: 'spec.policy.signedIdentity.remapIdentity.signedPrefix', message: Q2_V1 },

  // v1alpha1: its own messages, and no marker rules or minimum lengths on key data.
  { rule: 'E2 (v1alpha1 message)', base: alphaPki, mutate: (d) => (d['spec'].policy.rootOfTrust.pki.pkiCertificateSubject.email = 'nobody'), path: `${rootAt}.pki.pkiCertificateSubject.email`, message: 'Invalid value: "string": invalid email address in pkiCertificateSubject' },
  { rule: 'H1 (v1alpha1 message)', base: alphaPki, mutate: (d) => (d['spec'].policy.rootOfTrust.pki.pkiCertificateSubject.hostname = '-x.com'), path: `${rootAt}.pki.pkiCertificateSubject.hostname`, message: "hostname should be a valid dns 1123 subdomain name, optionally prefixed by '*.'. It should consist only of lowercase alphanumeric characters, hyphens, periods and the optional preceding asterisk." },
  { rule: 'Q2 (v1alpha1 message)', base: alphaPki, mutate: (d) => (d['spec'].policy.signedIdentity.remapIdentity.prefix = 'registry/foo'), path: 'spec.policy.signedIdentity.remapIdentity.prefix', message: /^Invalid value: "string": invalid repository or prefix in the signedIdentity$/ },
  { rule: 'C3 (v1alpha1 has it too)', base: alphaPki, mutate: (d) => (d['spec'].policy.rootOfTrust.pki.caRootsData = b64(`${pem('ca.pem')}-----END CERTIFICATE-----`)), path: `${rootAt}.pki.caRootsData`, message: 'contain the same number of' },
  { rule: 'v1alpha1 key data without markers: our content check instead', base: alphaCip, mutate: (d) => (d['spec'].policy.rootOfTrust.publicKey.keyData = 'Zm9vIGJhcg=='), path: `${rootAt}.publicKey.keyData`, message: 'the keyData holds no PEM block: expected a PEM public key' },
  { rule: 'v1alpha1 has no oidcIssuer maximum, still O1', base: alphaFulcio, mutate: (d) => (d['spec'].policy.rootOfTrust.fulcioCAWithRekor.fulcioSubject.oidcIssuer = `relative/${'a'.repeat(3000)}`), path: `${rootAt}.fulcioCAWithRekor.fulcioSubject.oidcIssuer`, message: 'Invalid value: "string": oidcIssuer must be a valid URL' },

  // metadata.
  { rule: 'name required', base: v1cip, mutate: (d) => delete d['metadata'].name, path: 'metadata.name', message: 'Required value: name or generateName is required', level: 'fatal' },
  { rule: 'name is a DNS-1123 subdomain', base: v1cip, mutate: (d) => (d['metadata'].name = 'Bad_Name'), path: 'metadata.name', message: 'Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of' },
  { rule: 'ImagePolicy namespace required', base: v1fulcio, mutate: (d) => delete d['metadata'].namespace, path: 'metadata.namespace', message: 'Required value: ImagePolicy is namespaced', level: 'fatal' },
  { rule: 'ImagePolicy namespace is a DNS-1123 label (it names a node file)', base: v1fulcio, mutate: (d) => (d['metadata'].namespace = '../x'), path: 'metadata.namespace', message: 'Invalid value: "../x": a lowercase RFC 1123 label must consist of', level: 'fatal' },
  { rule: 'ImagePolicy namespace at most 63 characters', base: v1fulcio, mutate: (d) => (d['metadata'].namespace = 'a'.repeat(64)), path: 'metadata.namespace', message: 'must be no more than 63 characters', level: 'fatal' },

  // Deeper than the API server: content.
  { rule: 'keyData garbage between valid markers', base: v1cip, mutate: (d) => (d['spec'].policy.rootOfTrust.publicKey.keyData = b64('-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEnotakey\n-----END PUBLIC KEY-----\n')), path: `${rootAt}.publicKey.keyData`, message: /^the keyData PEM block 1 is not a valid public key: / },
  { rule: 'rekorKeyData garbage', base: v1fulcio, mutate: (d) => (d['spec'].policy.rootOfTrust.fulcioCAWithRekor.rekorKeyData = b64('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----')), path: `${rootAt}.fulcioCAWithRekor.rekorKeyData`, message: 'the rekorKeyData PEM block 1 is not a valid public key' },
  { rule: 'private key in keyData', base: v1cip, mutate: (d) => (d['spec'].policy.rootOfTrust.publicKey.keyData = b64(`${pem('ec-p256.pub.pem')}${throwawayPrivateKey()}${pem('ec-p256.pub.pem')}`)), path: `${rootAt}.publicKey.keyData`, message: 'the keyData holds a PRIVATE KEY (PEM block 2)' },
  { rule: 'key on a curve Go cannot load', base: v1cip, mutate: (d) => (d['spec'].policy.rootOfTrust.publicKey.keyData = b64(pem('secp256k1.pub.pem'))), path: `${rootAt}.publicKey.keyData`, message: 'the keyData PEM block 1 is an EC key on curve secp256k1, which Go cannot load' },
  { rule: 'key that cannot verify signatures', base: v1cip, mutate: (d) => (d['spec'].policy.rootOfTrust.publicKey.keyData = b64(pem('x25519.pub.pem'))), path: `${rootAt}.publicKey.keyData`, message: 'the keyData PEM block 1 is a x25519 key: sigstore verifies with RSA, ECDSA or Ed25519 keys only' },
  { rule: 'fulcioCAData garbage between valid markers', base: v1fulcio, mutate: (d) => (d['spec'].policy.rootOfTrust.fulcioCAWithRekor.fulcioCAData = b64('-----BEGIN CERTIFICATE-----\nMIIBATA=\n-----END CERTIFICATE-----\n')), path: `${rootAt}.fulcioCAWithRekor.fulcioCAData`, message: /^the fulcioCAData certificate 1 does not parse: / },
  { rule: 'caRootsData second certificate garbage', base: v1pki, mutate: (d) => (d['spec'].policy.rootOfTrust.pki.caRootsData = b64(`${pem('ca.pem')}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`)), path: `${rootAt}.pki.caRootsData`, message: 'the caRootsData certificate 2 does not parse' },
  { rule: 'caIntermediatesData with a public key block', base: v1pki, mutate: (d) => (d['spec'].policy.rootOfTrust.pki.caIntermediatesData = b64(`${pem('ca.pem')}${pem('ec-p256.pub.pem')}${pem('ca.pem')}`)), path: `${rootAt}.pki.caIntermediatesData`, message: 'the caIntermediatesData PEM block 2 is a PUBLIC KEY: expected a CERTIFICATE' },
  { rule: 'certificate expired', base: v1fulcio, mutate: () => undefined, now: new Date('2127-01-01T00:00:00Z'), path: `${rootAt}.fulcioCAWithRekor.fulcioCAData`, message: 'the fulcioCAData certificate 1 (O=imagepolicy-mc tests, CN=Validation Test Root CA) expired on 2126-11-04T23:08:27.000Z', level: 'advice' },
  { rule: 'certificate not yet valid', base: v1pki, mutate: () => undefined, now: new Date('2026-01-01T00:00:00Z'), path: `${rootAt}.pki.caRootsData`, message: 'is not valid before 2026-11-28T23:08:27.000Z', level: 'advice' },
  { rule: 'CA field without the CA constraint', base: v1pki, mutate: (d) => (d['spec'].policy.rootOfTrust.pki.caIntermediatesData = b64(pem('leaf.pem'))), path: `${rootAt}.pki.caIntermediatesData`, message: 'is not a CA certificate (no basicConstraints CA:TRUE), so it cannot anchor a chain', level: 'advice' },

  // The Image config.
  { rule: 'Image name must be cluster', base: () => image(), mutate: (d) => (d['metadata'].name = 'clustr'), path: 'metadata.name', message: 'Invalid value: "clustr": must be cluster' },
  { rule: 'Image allowed and blocked both set', base: () => image(), mutate: (d) => (d['spec'].registrySources.blockedRegistries = []), path: 'spec.registrySources', message: 'Invalid value: "object": Only one of blockedRegistries or allowedRegistries may be set' },
  { rule: 'Image allowed entry in MCO form', base: () => image(), mutate: (d) => d['spec'].registrySources.allowedRegistries.push('*.example.com/foo'), path: 'spec.registrySources.allowedRegistries[2]', message: 'invalid entry for allowed registries "*.example.com/foo"' },
  { rule: 'Image blocked entry in MCO form', base: () => image({ blockedRegistries: ['foo.*.example.com'] }), mutate: () => undefined, path: 'spec.registrySources.blockedRegistries[0]', message: 'invalid entry for blocked registries "foo.*.example.com"' },
  { rule: 'Image insecure entry in MCO form', base: () => image({ insecureRegistries: [''] }), mutate: () => undefined, path: 'spec.registrySources.insecureRegistries[0]', message: 'invalid entry for insecure registries ""' },
  { rule: 'Image search registries: at least one', base: () => image({ containerRuntimeSearchRegistries: [] }), mutate: () => undefined, path: 'spec.registrySources.containerRuntimeSearchRegistries', message: 'Invalid value: 0: spec.registrySources.containerRuntimeSearchRegistries in body should have at least 1 items' },
  { rule: 'Image search registries: a set', base: () => image({ containerRuntimeSearchRegistries: ['quay.io', 'quay.io'] }), mutate: () => undefined, path: 'spec.registrySources.containerRuntimeSearchRegistries[1]', message: 'Duplicate value: "quay.io"' },
  { rule: 'Image unknown registrySources field', base: () => image(), mutate: (d) => (d['spec'].registrySources.allowedRegistry = ['x']), path: 'spec.registrySources.allowedRegistry', message: 'field not declared in schema' },
  { rule: 'Image cluster: a list of the wrong type cannot be read', base: () => image(), mutate: (d) => (d['spec'].registrySources.allowedRegistries = 'quay.io'), path: 'spec.registrySources.allowedRegistries', message: 'must be of type array: "string"', level: 'fatal' },
  { rule: 'Image cluster: a spec of the wrong type cannot be read', base: () => image(), mutate: (d) => (d['spec'] = 'x'), path: 'spec', message: 'must be of type object: "string"', level: 'fatal' },
  { rule: 'Image not named cluster is not read: wrong types are an API rule only', base: () => image(), mutate: (d) => ((d['metadata'].name = 'other'), (d['spec'].registrySources = 5)), path: 'spec.registrySources', message: 'must be of type object: "integer"' },
  { rule: 'Image enum imageStreamImportMode', base: () => image(), mutate: (d) => (d['spec'].imageStreamImportMode = 'Sometimes'), path: 'spec.imageStreamImportMode', message: 'Unsupported value: "Sometimes"' },
]

const EXPECTED: Record<NonNullable<Row['level']>, Record<ValidateMode, Issue['severity'] | undefined>> = {
  rule: { strict: 'error', warn: 'warning', ignore: undefined },
  fatal: { strict: 'error', warn: 'error', ignore: 'error' },
  advice: { strict: 'warning', warn: 'warning', ignore: undefined },
}

function matches(i: Issue, row: Row): boolean {
  if (toFieldPath(i.path) !== row.path) return false
  return typeof row.message === 'string' ? i.message.includes(row.message) : row.message.test(i.message)
}

for (const row of ROWS) {
  test(`rule: ${row.rule}`, () => {
    const doc = row.base()
    row.mutate(doc)
    for (const mode of ['strict', 'warn', 'ignore'] as const) {
      const issues = validate(doc, mode, row.now ?? NOW)
      const hits = issues.filter((i) => matches(i, row))
      const want = EXPECTED[row.level ?? 'rule'][mode]
      if (want === undefined) {
        assert.deepEqual(lines(hits), [], `--validate=${mode} drops it`)
      } else {
        assert.ok(hits.length > 0, `--validate=${mode}: no ${JSON.stringify(String(row.message))} at ${row.path}; got:\n  ${lines(issues).join('\n  ')}`)
        for (const hit of hits) assert.equal(hit.severity, want, `--validate=${mode} severity`)
      }
    }
  })
}

test('every issue names its resource, and a resource reports at most 100 issues', () => {
  const doc = clusterPolicy({ ...publicKeySpec(), scopes: Array.from({ length: 300 }, () => 7) })
  const issues = validate(doc, 'strict')
  assert.equal(issues.length, 101)
  assert.match(issues[100]!.message, /^\d+ more problems not shown$/)
  for (const i of issues) assert.deepEqual(i.resource, { apiVersion: V1, kind: 'ClusterImagePolicy', name: 'policy' })
})

test('mirror sets and other kinds are not validated here', () => {
  const idms = { apiVersion: V1, kind: 'ImageDigestMirrorSet', metadata: { name: 'm' }, spec: 5 }
  assert.deepEqual(validateResources([{ value: idms, ref: refOf(idms)!, role: 'mirror-set' }], 'strict', NOW), [])
})

test('decode refuses an unsafe namespace too, should anything reach it without validation', () => {
  const doc = namespacedPolicy(publicKeySpec())
  doc['metadata'].namespace = '../x'
  const decoded = decodePolicy(doc)
  assert.equal(decoded.policy, undefined)
  assert.deepEqual(decoded.issues.map((i) => `${toFieldPath(i.path)}: ${i.message}`), ['metadata.namespace: Invalid value: "../x": not a DNS-1123 label'])
})
