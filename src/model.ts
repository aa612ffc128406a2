// Internal types shared by the pipeline stages (decode → resolve → render → wrap).
// Types only; no logic. Input manifests are decoded into these at the edge, so
// later stages never look at raw YAML.

/** Identifies one input resource, as KRM results and error lines name it. */
export interface ResourceRef {
  readonly apiVersion: string
  readonly kind: string
  readonly name: string
  readonly namespace?: string
}

/** `spec.policy.rootOfTrust.publicKey` (byte fields stay base64 text, as written). */
export interface PublicKeyRoot {
  readonly keyData?: string
  readonly rekorKeyData?: string
}

export interface FulcioCAWithRekorRoot {
  readonly fulcioCAData?: string
  readonly rekorKeyData?: string
  readonly fulcioSubject?: {
    readonly oidcIssuer?: string
    readonly signedEmail?: string
  }
}

export interface PKIRoot {
  readonly caRootsData?: string
  readonly caIntermediatesData?: string
  readonly pkiCertificateSubject?: {
    readonly email?: string
    readonly hostname?: string
  }
}

/** `spec.policy` of ImagePolicy / ClusterImagePolicy (`ImageSigstoreVerificationPolicy`). */
export interface SigstorePolicy {
  readonly rootOfTrust: {
    readonly policyType: string
    readonly publicKey?: PublicKeyRoot
    readonly fulcioCAWithRekor?: FulcioCAWithRekorRoot
    readonly pki?: PKIRoot
  }
  readonly signedIdentity?: {
    readonly matchPolicy: string
    readonly exactRepository?: { readonly repository: string }
    readonly remapIdentity?: { readonly prefix: string; readonly signedPrefix: string }
  }
}

/** One ClusterImagePolicy or ImagePolicy, decoded. `namespace` is set for ImagePolicy only. */
export interface PolicyResource {
  readonly ref: ResourceRef
  readonly kind: 'ClusterImagePolicy' | 'ImagePolicy'
  readonly name: string
  readonly namespace?: string
  readonly generation: number
  readonly scopes: readonly string[]
  readonly policy: SigstorePolicy
}

/**
 * `image.config.openshift.io/cluster` `spec.registrySources`.
 * `undefined` is Go's nil and `[]` an empty non-nil slice: MCO tells them apart
 * (a non-nil `insecureRegistries` renders registries.conf).
 */
export interface RegistrySources {
  readonly allowedRegistries?: readonly string[]
  readonly blockedRegistries?: readonly string[]
  readonly insecureRegistries?: readonly string[]
  readonly containerRuntimeSearchRegistries?: readonly string[]
}

/** One source → mirrors entry of an ICSP, IDMS or ITMS. */
export interface ImageMirror {
  readonly source: string
  readonly mirrors: readonly string[]
  /** IDMS/ITMS only: `AllowContactingSource` (default) or `NeverContactSource`. */
  readonly mirrorSourcePolicy?: string
}

/** The mirror sets of the stream, each in input order. */
export interface MirrorSets {
  readonly imageContentSourcePolicies: readonly { readonly name: string; readonly repositoryDigestMirrors: readonly ImageMirror[] }[]
  readonly imageDigestMirrorSets: readonly { readonly name: string; readonly imageDigestMirrors: readonly ImageMirror[] }[]
  readonly imageTagMirrorSets: readonly { readonly name: string; readonly imageTagMirrors: readonly ImageMirror[] }[]
}

/** Result of MCO's `getValidBlockedAndAllowedRegistries`; `undefined` = Go nil. */
export interface ResolvedRegistries {
  /** Blocked entries that go into registries.conf (payload protection applied). */
  readonly registriesBlocked?: readonly string[]
  /** Blocked entries that go into policy.json as `reject`. */
  readonly policyBlocked?: readonly string[]
  readonly allowed?: readonly string[]
  /** MCO's non-fatal log line, e.g. payload repository dropped from the blocked list. */
  readonly warning: string
}

/** A file as it lands on a node. */
export interface NodeFile {
  readonly path: string
  readonly contents: string
}
