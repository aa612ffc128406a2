// The process edge: fd 0/1/2 → main() → exit code. bin.ts (the portable bundle)
// and snapshot.ts (the startup-snapshot bundle) both start here.
//
// stdin, stdout and stderr are read and written with synchronous fs calls on
// the file descriptors, not through process.stdin/stdout: creating those stream
// objects loads Node's stream and tty machinery, a measurable share of a cold
// start (README "Performance"). The streams are still used when the
// descriptors are non-blocking (EAGAIN), where a synchronous call cannot wait.

import { readSync, writeSync } from 'node:fs'
import type { Streams } from './context.ts'
import { edgeErrorLine } from './errors.ts'
import { main } from './main.ts'
import { escapeControls } from '../issues.ts'

const CHUNK = 256 * 1024

async function readStdinStream(chunks: Buffer[], total: number, maxBytes: number): Promise<Uint8Array> {
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer)
    total += (chunk as Buffer).length
    // One byte past the budget is enough for the caller to report it: stop reading.
    if (total > maxBytes) {
      process.stdin.destroy()
      break
    }
  }
  return Buffer.concat(chunks)
}

/**
 * stdin to its end, or to just past `maxBytes`: blocking reads in chunks, or the
 * stream when fd 0 is non-blocking. Never more than one chunk past the bound in memory.
 */
export async function readStdin(maxBytes: number = Number.MAX_SAFE_INTEGER): Promise<Uint8Array> {
  const chunks: Buffer[] = []
  let total = 0
  for (;;) {
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK, maxBytes + 1 - total))
    let n: number
    try {
      n = readSync(0, buffer, 0, buffer.length, null)
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code === 'EAGAIN') return readStdinStream(chunks, total, maxBytes)
      // A closed or absent stdin reads as empty, as `readFileSync(0)` of /dev/null would.
      if (code === 'EOF' || code === 'EBADF') break
      throw e
    }
    if (n === 0) break
    chunks.push(buffer.subarray(0, n))
    total += n
    if (total > maxBytes) break
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total)
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
      // A system error (a file, a child process) or V8's size limit is one line
      // like any input error; anything else is a broken invariant, never bad
      // input: print it with its stack.
      const edge = edgeErrorLine(error)
      if (edge !== undefined) {
        streams.stderr.write(`imagepolicy-mc: ${escapeControls(edge.line)}\n`)
        process.exitCode = edge.code
        return
      }
      streams.stderr.write(`imagepolicy-mc: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
      process.exitCode = 1
    },
  )
}
