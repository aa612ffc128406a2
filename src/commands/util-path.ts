// Commands helper: finding executables on $PATH the way exec(3)/Go's exec.LookPath do.

import { accessSync, constants, statSync } from 'node:fs'
import { delimiter, isAbsolute, join } from 'node:path'

/** The absolute path of `name` on `path` (a $PATH value), or undefined. A name with a slash is checked as is. */
export function findExecutable(name: string, path: string | undefined): string | undefined {
  const candidates = name.includes('/') ? [name] : (path ?? '').split(delimiter).filter((d) => d !== '' && isAbsolute(d)).map((d) => join(d, name))
  for (const candidate of candidates) {
    try {
      if (!statSync(candidate).isFile()) continue
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not there, or not executable: keep looking
    }
  }
  return undefined
}

/**
 * `path` (a $PATH value) without its relative and empty entries: what a child
 * process is given, so that it, too, never runs a program from the current
 * directory (the repository) by name.
 */
export function absolutePathEntries(path: string | undefined): string {
  return (path ?? '').split(delimiter).filter((d) => d !== '' && isAbsolute(d)).join(delimiter)
}
