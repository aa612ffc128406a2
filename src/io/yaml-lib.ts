// Read/write stage helper: the `yaml` package, loaded on first use. Plain
// streams (what kustomize and Argo CD pipe through us on every build) and
// ResourceLists as kpt and kustomize write them are read with js-yaml and written
// from source text, so they never pay for loading it; other ResourceLists,
// documents with anchors, and the review commands do.

import type * as Yaml from 'yaml'

// The bundle's banner defines `require` (createRequire); esbuild turns a
// require() of a bundled package into a lazy, synchronous initializer.
declare const require: (id: string) => unknown

let lib: typeof Yaml | undefined

export function yamlLib(): typeof Yaml {
  lib ??= require('yaml') as typeof Yaml
  return lib
}
