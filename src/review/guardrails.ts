// Review stage: warnings about policies that are valid but probably not what the
// author meant (turned into errors by --strict). Pure; no I/O.

import type { Issue } from '../issues.ts'
import type { NodeFile, PolicyResource, ResourceRef } from '../model.ts'
import type { Options } from '../options.ts'
import type { ScopeConflict } from '../resolve/scopes.ts'

export interface ReviewContext {
  /** Every input item, parsed (others' kinds included, e.g. Namespaces). */
  readonly values: readonly unknown[]
  readonly policies: readonly PolicyResource[]
  /** The Image `cluster` config, when the stream has one. */
  readonly image?: ResourceRef
  readonly files: readonly NodeFile[]
  readonly conflicts: readonly ScopeConflict[]
  readonly options: Options
}

/** Guardrail warnings for a successful rendering. */
export function reviewIssues(context: ReviewContext): Issue[] {
  void context
  return []
}
