// Types of the ajv standalone validators that scripts/gen-validators.mjs writes to
// schema-validators.generated.js at build time (that file is not committed).

/** The subset of ajv's `ErrorObject` our mapping reads. */
export interface SchemaError {
  /** JSON Pointer of the value (`/spec/scopes/0`). */
  readonly instancePath: string
  readonly keyword: string
  readonly params: Readonly<Record<string, unknown>>
  readonly message?: string
}

/** An ajv validation function: true when valid; otherwise `errors` lists every problem. */
export interface SchemaValidator {
  (data: unknown): boolean
  errors?: readonly SchemaError[] | null
}

export declare const validatePolicyV1: SchemaValidator
export declare const validatePolicyV1alpha1: SchemaValidator
export declare const validateImageV1: SchemaValidator
/** The Image config with the registry-list limits of 4.23 and later. */
export declare const validateImageV1Since423: SchemaValidator
