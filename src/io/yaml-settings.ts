// Read/write stage helper: every YAML setting in one place, with the reason for each.

import type { DocumentOptions, ParseOptions, SchemaOptions, Tags, ToStringOptions } from 'yaml'

const TIMESTAMP_TAG = 'tag:yaml.org,2002:timestamp'

/**
 * The YAML 1.1 tags, less the two that Kubernetes' reader does not have.
 * sigs.k8s.io/yaml decodes with go-yaml v2 into `interface{}`, which
 * - keeps an untagged timestamp as its source string ("for backward compatibility
 *   reasons we set it as a string", go-yaml v2 decode.go), so
 *   `creationTimestamp: 2024-05-01T10:00:00Z` is the string it was written as;
 * - has no base-60 numbers ("Base 60 floats are a bad idea, were dropped in
 *   YAML 1.2, and are purposefully unsupported here", resolve.go), so `12:30` is
 *   a string, not 750.
 * Everything else (octal `0644`, `yes`/`no`/`on`/`off`, `~`, `<<` merge keys,
 * `!!binary`) follows YAML 1.1, as it does for the API server.
 */
function kubernetesTags(tags: Tags): Tags {
  const dropped = new Set<unknown>(['timestamp', 'intTime', 'floatTime'])
  return tags.filter((t) => (typeof t === 'string' ? !dropped.has(t) : t.tag !== TIMESTAMP_TAG && !('format' in t && t.format === 'TIME')))
}

/** How we read input documents. */
export const PARSE_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  // Kubernetes decodes manifests with sigs.k8s.io/yaml (go-yaml v2, YAML 1.1 rules):
  // `0644` is 420 and `yes` is true there, so we read with the same rules.
  version: '1.1',
  customTags: kubernetesTags,
  // Duplicate keys are an error for the API server's strict decoding; report them.
  uniqueKeys: true,
  // Each node keeps its CST token: the ResourceList writer finds the `-` of every
  // item through it, to cut and insert items without re-serializing the rest.
  keepSourceTokens: true,
  // No line counter: messages stay on one line (we add file and index), and
  // parsing is faster without one.
  prettyErrors: false,
  // Warnings stay in doc.warnings; the default level would also print them with
  // process.emitWarning (e.g. for a collection used as a map key).
  logLevel: 'error',
}

/** `toJS` limit on alias expansion: an alias bomb fails fast instead of expanding into gigabytes. */
export const MAX_ALIAS_COUNT = 100

/** How we write YAML. */
export const STRINGIFY_OPTIONS: ToStringOptions = {
  // Never fold long lines: data URLs and keys must stay on one line (cdk8s does the same).
  lineWidth: 0,
  minContentWidth: 0,
  // `- item` directly under its key, as kubectl and kustomize write lists.
  indentSeq: false,
}
