// Wrap stage helper: annotations that tell reviewers what a MachineConfig holds. Pure.

import type { NodeFile, PolicyResource } from '../model.ts'

/** Annotations for a MachineConfig holding `files`, rendered from `policies`. */
export function machineConfigAnnotations(files: readonly NodeFile[], policies: readonly PolicyResource[]): Record<string, string> {
  void files
  void policies
  return {}
}
