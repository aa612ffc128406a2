// The edge's error kinds, shared by the CLI (src/cli/), the input readers and
// the subcommands: each becomes stderr lines and an exit code, never a stack
// trace. A leaf: the subcommands import it, never the dispatcher (main.ts).

import { formatIssue, type Issue } from '../issues.ts'
import { DEFAULT_LIMITS, outputBudgetMessage } from '../limits.ts'

/** A usage error: exit code 2. */
export class UsageError extends Error {}

/** Input that cannot be read at all (not UTF-8, unreadable file, over a budget): exit code 1. */
export class InputError extends Error {}

/**
 * Problems already phrased as issues (a bad flag value, an Argo CD parameter,
 * a --config file that is not YAML): exit code 1, one line each, exactly as
 * the same problem in a functionConfig is reported.
 */
export class IssueError extends Error {
  readonly issues: readonly Issue[]
  constructor(issues: readonly Issue[]) {
    super(issues.map(formatIssue).join('\n'))
    this.issues = issues
  }
}

const FS_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  ELOOP: 'too many levels of symbolic links',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENAMETOOLONG: 'file name too long',
  ENXIO: 'no such device or address',
  EMFILE: 'too many open files',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
  EEXIST: 'file exists',
  ENOTEMPTY: 'directory not empty',
  EBUSY: 'resource busy',
  EXDEV: 'cross-device link',
}

/** The words for a filesystem error (`no such file or directory`), as the C library says them. */
export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code
  if (code !== undefined && FS_ERRORS[code] !== undefined) return FS_ERRORS[code]!
  return code ?? (e instanceof Error ? e.message : String(e))
}

/** True for an error from a filesystem or process call (it has an errno code), as opposed to a bug. */
export function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string'
}

/** The one line for an error that reached the edge; undefined for a bug (the caller prints it with its stack). */
export function edgeErrorLine(e: unknown): { line: string; code: 1 | 2 } | undefined {
  // One line: yargs writes some of its messages over several ("Invalid values:\n  Argument: …").
  if (e instanceof UsageError) return { line: e.message.replace(/\n\s*/g, ' '), code: 2 }
  if (e instanceof InputError) return { line: e.message, code: 1 }
  // process.cwd() (uv_cwd) fails once the shell's directory was deleted or renamed away: no path to name but the current directory.
  if (isSystemError(e) && e.syscall === 'uv_cwd') return { line: `the current directory: ${describeFsError(e)} (it was deleted or replaced; cd to it again)`, code: 1 }
  if (isSystemError(e)) return { line: `${e.path !== undefined ? `${e.path}: ` : ''}${describeFsError(e)}`, code: 1 }
  // V8's limits on one string or buffer: only an input far beyond the budgets gets here.
  if (e instanceof RangeError && /Invalid string length|Array buffer allocation failed|Invalid typed array length/.test(e.message)) {
    return { line: outputBudgetMessage(DEFAULT_LIMITS.maxOutputBytes, `the output (${e.message})`).replace(/ of \d+ bytes/, ''), code: 1 }
  }
  return undefined
}
