// The `targetRelease` option's values: `latest` or an OpenShift release. Shared
// vocabulary (stage 0): the option table reads it, src/review/release-policy.ts
// decides from it what the release ships. Pure.

/** `targetRelease` when no release is named: the newest, which ships the policy. */
export const LATEST_RELEASE = 'latest'

const VERSION = /^(\d{1,3})\.(\d{1,3})(?:\.\d{1,5}(?:-[0-9A-Za-z.-]{1,64})?)?$/

/**
 * Reads a `targetRelease` value: `latest`, `MAJOR.MINOR` or a ClusterVersion
 * version (`4.21.3`, `4.21.0-rc.1`). Returns the reason when it is not one.
 */
export function parseTargetRelease(text: string): { major: number; minor: number } | typeof LATEST_RELEASE | { error: string } {
  if (text === LATEST_RELEASE) return LATEST_RELEASE
  const m = VERSION.exec(text)
  if (m === null) return { error: `must be ${LATEST_RELEASE} or an OpenShift release such as "4.21" (MAJOR.MINOR, as oc get clusterversion prints it)` }
  const major = Number(m[1])
  const minor = Number(m[2])
  if (major < 4) return { error: `OpenShift ${major}.${minor} has no MachineConfigs: the first release with them is 4.1` }
  return { major, minor }
}
