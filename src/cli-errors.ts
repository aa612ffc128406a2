// The edge's two error kinds, shared by cli.ts, the input readers and the
// subcommands: each becomes one stderr line and an exit code, never a stack trace.

/** A usage error: exit code 2. */
export class UsageError extends Error {}

/** Input that cannot be read at all (not UTF-8, unreadable file, over a budget): exit code 1. */
export class InputError extends Error {}

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
