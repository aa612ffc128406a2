// Read/write stage helper: every YAML setting in one place, with the reason for each.

import type { DocumentOptions, ParseOptions, SchemaOptions, ToStringOptions } from 'yaml'

/** How we read input documents. */
export const PARSE_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  // Kubernetes decodes manifests with sigs.k8s.io/yaml (go-yaml, YAML 1.1 rules):
  // `0644` is 420 and `yes` is true there, so we read with the same rules.
  version: '1.1',
  // Duplicate keys are an error for the API server's strict decoding; report them.
  uniqueKeys: true,
  // Keep comments so that ResourceList items come back with them (kpt relies on it too).
  keepSourceTokens: false,
  // An alias bomb must fail fast instead of expanding into gigabytes.
  prettyErrors: false,
}

/** `toJS` limit on alias expansion (yaml's own guard against billion-laughs input). */
export const MAX_ALIAS_COUNT = 100

/** How we write YAML. */
export const STRINGIFY_OPTIONS: ToStringOptions = {
  // Never fold long lines: data URLs and keys must stay on one line (cdk8s does the same).
  lineWidth: 0,
  minContentWidth: 0,
  // `- item` directly under its key, as kubectl and kustomize write lists.
  indentSeq: false,
}
