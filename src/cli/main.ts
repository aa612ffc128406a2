// The edge: argv and streams → the function or a subcommand → exit code.
// process-streams.ts hands it the process's streams; only src/cli/ and
// src/commands/ touch the filesystem. The subcommands never import this module
// (they import the leaves beside it: context, errors, flags, inputs,
// main-args, run-function), so nothing calls back into the dispatcher.

import type { Streams } from './context.ts'
import { fastFunctionArgs, type FunctionArgs } from './flags.ts'
import { runFunction } from './run-function.ts'

/**
 * Subcommands: `imagepolicy-mc <command> ...`. Each lives in src/commands/ and
 * gets the remaining arguments and the same streams. Without a known command
 * the arguments are the function's own (render the stream, append MachineConfigs).
 * The table (src/commands/index.ts) and yargs are loaded only when used: the
 * function's own path, which kustomize and Argo CD run on every build, starts
 * without them (README "Performance").
 */
export const COMMAND_NAMES: readonly string[] = ['build', 'discover', 'install-kustomize-plugin', 'render', 'explain', 'diff', 'impact', 'check', 'import']

export async function main(argv: readonly string[], streams: Streams): Promise<number> {
  if (argv[0] !== undefined && COMMAND_NAMES.includes(argv[0])) {
    const { COMMANDS } = await import('../commands/index.ts')
    return COMMANDS[argv[0]]!(argv.slice(1), streams)
  }
  let args: FunctionArgs | number | undefined = fastFunctionArgs(argv)
  if (args === undefined) {
    const { parseFunctionArgs } = await import('./main-args.ts')
    args = await parseFunctionArgs(argv, streams)
    if (typeof args === 'number') return args
  }
  return runFunction(args, streams)
}
