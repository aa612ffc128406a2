// The edge, full argument parsing: yargs, for help, messages and everything the
// fast path in flags.ts leaves to it; the options and their help come from the
// option table. Loaded only when needed (main.ts, build).

import yargs from 'yargs'
import { escapeControls } from '../issues.ts'
import type { Streams } from './context.ts'
import { IssueError, UsageError } from './errors.ts'
import { inlineBooleanValues, toFunctionArgs, withTableOptions, type FunctionArgs } from './flags.ts'
import { reportIssueError } from './run-function.ts'

const USAGE = `imagepolicy-mc [PATH...] [options]

Render OpenShift ImagePolicy and ClusterImagePolicy resources into MachineConfigs,
byte for byte as the Machine Config Operator would render the node files.

Reads a resource stream from stdin (or from the files and directories given) and
writes every input item followed by one MachineConfig per pool. A KRM
ResourceList in gives a ResourceList out (kpt, kustomize --enable-exec).

Commands (each has --help):
  imagepolicy-mc render [PATH...] [--out DIR]     the node files, as a node holds them
  imagepolicy-mc explain IMAGE [--namespace NS]   which policy applies to an image, in words
  imagepolicy-mc diff BASE HEAD                   the change in node files between two trees or revisions
  imagepolicy-mc impact [PATH...] | BASE HEAD     which workload images a policy (change) verifies, rejects or frees
  imagepolicy-mc check SOURCES RENDERED           exit 1 unless the committed MachineConfigs are current (Flux, kubectl)
  imagepolicy-mc render --write-machineconfigs DIR  the MachineConfigs, one file each, to commit
  imagepolicy-mc import [FILE...] [--partial]     hand-written policy.json / MachineConfigs -> the policy resources
  imagepolicy-mc build [DIR]                      kustomize, then the function (Argo CD generate)
  imagepolicy-mc discover [DIR]                   Argo CD discovery
  imagepolicy-mc install-kustomize-plugin         install the kustomize exec plugin`

/**
 * Parses the function's arguments; a number is the exit code when parsing ended
 * the run (help, usage error, a bad option value). `command` names the caller
 * in messages (`imagepolicy-mc build` parses its options here too).
 */
export async function parseFunctionArgs(argv: readonly string[], streams: Streams, command = 'imagepolicy-mc'): Promise<FunctionArgs | number> {
  let help = ''
  let parsed
  try {
    parsed = await withTableOptions(yargs([...argv]).scriptName('imagepolicy-mc').usage(USAGE))
      .strictOptions()
      .help()
      .version(false)
      .exitProcess(false)
      .fail((msg, err) => {
        throw new UsageError(msg ?? err?.message ?? 'invalid arguments')
      })
      .wrap(100)
      .parseAsync(argv as string[], {}, (_err, _argv, output) => {
        help = output
      })
  } catch (e) {
    if (e instanceof UsageError) {
      streams.stderr.write(`${command}: ${escapeControls(e.message)}\nRun ${command} --help for usage.\n`)
      return 2
    }
    throw e
  }
  if (parsed['help'] === true) {
    streams.stdout.write(help.endsWith('\n') ? help : `${help}\n`)
    return 0
  }
  try {
    return toFunctionArgs({ ...parsed, ...inlineBooleanValues(argv) }, parsed._.map(String))
  } catch (e) {
    if (e instanceof IssueError) return reportIssueError(e, streams)
    if (!(e instanceof UsageError)) throw e
    streams.stderr.write(`${command}: ${escapeControls(e.message)}\nRun ${command} --help for usage.\n`)
    return 2
  }
}
