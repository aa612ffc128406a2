// Wrap stage: node files → one MachineConfig per pool (an Ignition config with
// data-URL file contents). Pure; no I/O. Owns the MachineConfig wire constants.

import type { NodeFile } from '../model.ts'

export const MC_API_VERSION = 'machineconfiguration.openshift.io/v1'
export const MC_KIND = 'MachineConfig'
export const MC_ROLE_LABEL = 'machineconfiguration.openshift.io/role'
/** Marks MachineConfigs we generated, so a later run replaces them instead of duplicating them. */
export const GENERATED_BY_ANNOTATION = 'imagepolicy-mc.openshift.io/generated'

/**
 * `dataurl.EncodeBytes` as MCO calls it: Go's `http.DetectContentType` gives
 * `text/plain; charset=utf-8` for these text files, and vincent-petithory/dataurl
 * drops the space after `;`.
 */
export function dataUrl(contents: string): string {
  return `data:text/plain;charset=utf-8;base64,${Buffer.from(contents, 'utf8').toString('base64')}`
}

/**
 * Ignition file entry as MCO's `NewIgnFileBytesOverwriting` builds it, keys in
 * the order of MCO's serialized config: mode 0644, overwrite, explicit empty compression.
 */
export function ignitionFile(file: NodeFile): Record<string, unknown> {
  return {
    overwrite: true,
    path: file.path,
    contents: { compression: '', source: dataUrl(file.contents) },
    mode: 420,
  }
}

/** The Ignition config; like MCO, `storage` is left out when there are no files. */
export function ignitionConfig(files: readonly NodeFile[], version: string): Record<string, unknown> {
  return files.length === 0
    ? { ignition: { version } }
    : { ignition: { version }, storage: { files: files.map(ignitionFile) } }
}

export interface MachineConfigOptions {
  readonly pool: string
  readonly name: string
  readonly ignitionVersion: string
  readonly annotations?: Readonly<Record<string, string>>
}

/** One MachineConfig for a pool. */
export function wrapMachineConfig(files: readonly NodeFile[], options: MachineConfigOptions): Record<string, unknown> {
  return {
    apiVersion: MC_API_VERSION,
    kind: MC_KIND,
    metadata: {
      name: options.name,
      labels: { [MC_ROLE_LABEL]: options.pool },
      annotations: { [GENERATED_BY_ANNOTATION]: 'true', ...options.annotations },
    },
    spec: { config: ignitionConfig(files, options.ignitionVersion) },
  }
}
