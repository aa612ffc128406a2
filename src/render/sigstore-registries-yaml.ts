// Render stage: /etc/containers/registries.d/sigstore-registries.yaml. Pure; no I/O.

import { sortYamlV2Keys, yamlV2Key } from '../upstream/yaml-v2.ts'

export const SIGSTORE_REGISTRIES_PATH = '/etc/containers/registries.d/sigstore-registries.yaml'

/**
 * MCO's `generateSigstoreRegistriesdConfig` output (helpers.go; mco-rendering.md §4):
 * `docker:` mapping each key to `use-sigstore-attachments: true`, written by
 * ghodss/yaml (yaml.v2): two-space indent, natural key order, no `---`, one
 * final newline. Keys are deduplicated here (they are Go map keys in MCO).
 */
export function renderSigstoreRegistriesYaml(keys: Iterable<string>): string {
  const lines = ['docker:']
  for (const key of sortYamlV2Keys([...new Set(keys)])) {
    const { text, simple } = yamlV2Key(key)
    if (simple) {
      lines.push(`  ${text}:`, '    use-sigstore-attachments: true')
    } else {
      lines.push(`  ? ${text}`, '  : use-sigstore-attachments: true')
    }
  }
  return lines.join('\n') + '\n'
}

/**
 * The keys each sigstore-registries.yaml the renderer wrote holds, keyed by the
 * file object (a side map, as `renderedPolicy`): explain reads these instead of
 * parsing the YAML back (test/rendered-policy.test.ts checks they are what
 * parsing gives).
 */
const renderedKeys = new WeakMap<object, readonly string[]>()

export function recordSigstoreKeys(file: object, keys: Iterable<string>): void {
  renderedKeys.set(file, [...new Set(keys)])
}

/** The `docker:` keys `file` was rendered with (each `use-sigstore-attachments: true`); undefined for a file not rendered here. */
export function renderedSigstoreKeys(file: object): readonly string[] | undefined {
  return renderedKeys.get(file)
}
