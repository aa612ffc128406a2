// E2E harness: finding the external tools (skopeo with sigstore support, a
// CNCF distribution registry, openssl) and deciding what to do without them:
// in CI (CI set) a missing tool fails the suite; elsewhere the suite is skipped
// with a message saying how to install it.

import { spawnSync } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { join } from 'node:path'

/** Where .ci/install-e2e.sh puts the tools. Default: /opt/imagepolicy-mc-e2e. */
export const TOOLS_DIR = process.env['IMAGEPOLICY_MC_E2E_TOOLS'] ?? '/opt/imagepolicy-mc-e2e'
export const INSTALL_HINT = 'install them with `sudo bash .ci/install-e2e.sh` (Debian 12/13; see the README, "End-to-end proof")'

export interface Tools {
  readonly skopeo: string
  readonly registry: string
  readonly openssl: string
  /** Prefix that runs a command as an unprivileged user (setpriv, as root), or []. */
  readonly asUser: readonly string[]
  /** UID/GID the prefix switches to, or undefined when not running as root. */
  readonly uid: number | undefined
  readonly versions: readonly string[]
}

export interface ToolSearch {
  readonly tools: Tools | undefined
  readonly missing: readonly string[]
}

const NOBODY = 65534

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    if (dir !== '' && executable(join(dir, name))) return join(dir, name)
  }
  return undefined
}

function output(command: string, args: readonly string[]): { ok: boolean; text: string } {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 30_000 })
  return { ok: r.status === 0, text: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n')[0] ?? '' }
}

/**
 * Looks for the tools: $IMAGEPOLICY_MC_E2E_TOOLS/bin first, then PATH.
 * A skopeo without `generate-sigstore-key` (Debian 12's 1.9.3, which has
 * sigstore patched out) does not count. Never throws.
 */
export function findTools(): ToolSearch {
  const missing: string[] = []
  const versions: string[] = []

  let skopeo: string | undefined
  for (const candidate of [join(TOOLS_DIR, 'bin', 'skopeo'), onPath('skopeo')]) {
    if (candidate === undefined || !executable(candidate)) continue
    if (!output(candidate, ['generate-sigstore-key', '--help']).ok) continue
    skopeo = candidate
    versions.push(`${output(candidate, ['--version']).text} (${candidate})`)
    break
  }
  if (skopeo === undefined) missing.push('skopeo with sigstore support (containers/image 5.34+, e.g. Debian 13 skopeo 1.18)')

  let registry: string | undefined
  for (const candidate of [join(TOOLS_DIR, 'bin', 'docker-registry'), onPath('docker-registry'), onPath('registry')]) {
    if (candidate === undefined || !executable(candidate)) continue
    const v = output(candidate, ['--version'])
    if (!v.ok) continue
    registry = candidate
    versions.push(`${v.text.replace(/^\S*\/usr\/bin\//, '')} (${candidate})`)
    break
  }
  if (registry === undefined) missing.push('docker-registry (CNCF distribution)')

  const openssl = onPath('openssl')
  if (openssl === undefined) missing.push('openssl')
  else versions.push(output(openssl, ['version']).text)

  const root = process.getuid?.() === 0
  let asUser: string[] = []
  if (root) {
    const setpriv = onPath('setpriv')
    if (setpriv === undefined) missing.push('setpriv (util-linux), to run skopeo unprivileged')
    else asUser = [setpriv, `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups']
  }

  if (skopeo === undefined || registry === undefined || openssl === undefined || missing.length > 0) {
    return { tools: undefined, missing }
  }
  return { tools: { skopeo, registry, openssl, asUser, uid: root ? NOBODY : undefined, versions }, missing }
}

/** True when running in CI (the CI variable is set and not empty or "false"). */
export function inCI(): boolean {
  const ci = process.env['CI']
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0'
}
