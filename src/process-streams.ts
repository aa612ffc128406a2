// The process edge: fd 0/1/2 → main() → exit code. bin.ts (the portable bundle)
// and snapshot.ts (the startup-snapshot bundle) both start here.
//
// stdin, stdout and stderr are read and written with synchronous fs calls on
// the file descriptors, not through process.stdin/stdout: creating those stream
// objects loads Node's stream and tty machinery, a measurable share of a cold
// start (README "Performance"). The streams are still used when the
// descriptors are non-blocking (EAGAIN), where a synchronous call cannot wait.

import { readFileSync, writeSync } from 'node:fs'
import { main, type Streams } from './cli.ts'

async function readStdinStream(): Promise<Uint8Array> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** All of stdin: one blocking read to the end, or the stream when fd 0 is non-blocking. */
export async function readStdin(): Promise<Uint8Array> {
  try {
    return readFileSync(0)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return readStdinStream()
    throw e
  }
}

/** A writer on a file descriptor, falling back to the process stream on EAGAIN. */
export function fdWriter(fd: 1 | 2, stream: () => NodeJS.WritableStream): { write(s: string): boolean } {
  let fallback: NodeJS.WritableStream | undefined
  return {
    write(s: string): boolean {
      if (fallback !== undefined) return fallback.write(s)
      const bytes = Buffer.from(s, 'utf8')
      let offset = 0
      while (offset < bytes.length) {
        try {
          offset += writeSync(fd, bytes, offset)
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code
          // The reader went away (`| head`): what it did not read is not ours to keep.
          if (code === 'EPIPE') return false
          if (code !== 'EAGAIN') throw e
          fallback = stream()
          return fallback.write(bytes.subarray(offset))
        }
      }
      return true
    },
  }
}

/** Runs the CLI on this process's arguments and descriptors and sets its exit code. */
export function startProcess(): void {
  const streams: Streams = {
    readStdin,
    stdout: fdWriter(1, () => process.stdout),
    stderr: fdWriter(2, () => process.stderr),
  }
  main(process.argv.slice(2), streams).then(
    (code) => {
      process.exitCode = code
    },
    (error: unknown) => {
      // A broken invariant, never bad input: print it with its stack.
      streams.stderr.write(`imagepolicy-mc: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
      process.exitCode = 1
    },
  )
}
