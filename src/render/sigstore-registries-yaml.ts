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
