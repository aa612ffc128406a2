// Entry point of the bundle: hands the process streams to main() and sets the exit code.

import { main } from './cli.ts'

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

main(process.argv.slice(2), { readStdin, stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    // A broken invariant, never bad input: print it with its stack.
    process.stderr.write(`imagepolicy-mc: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exitCode = 1
  },
)
