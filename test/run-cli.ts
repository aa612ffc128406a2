// Test helper: runs the CLI in-process with injected streams.

import { main } from '../src/cli/main.ts'

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export async function runCli(args: readonly string[], stdin: Uint8Array | string = ''): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  const code = await main(args, {
    readStdin: async () => stdin,
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  })
  return { code, stdout, stderr }
}
