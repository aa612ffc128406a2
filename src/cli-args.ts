// The edge, full argument parsing: yargs, for help, messages and everything the
// fast path in cli.ts leaves to it. Loaded only when needed.

import yargs from 'yargs'
import { toFunctionArgs, UsageError, type FunctionArgs, type Streams } from './cli.ts'
import { COMPRESS_MODES, DEFAULT_OPTIONS, IGNITION_VERSIONS, VALIDATE_MODES } from './options.ts'
import { DEFAULT_LIMITS, MIB } from './limits.ts'
import { escapeControls } from './issues.ts'

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
  imagepolicy-mc build [DIR]                      kustomize, then the function (Argo CD generate)
  imagepolicy-mc discover [DIR]                   Argo CD discovery
  imagepolicy-mc install-kustomize-plugin         install the kustomize exec plugin`

/** Parses the function's arguments; a number is the exit code when parsing ended the run (help, usage error). */
export async function parseFunctionArgs(argv: readonly string[], streams: Streams): Promise<FunctionArgs | number> {
  let help = ''
  let parsed
  try {
    parsed = await yargs([...argv])
      .scriptName('imagepolicy-mc')
      .usage(USAGE)
      .option('config', { type: 'string', describe: 'read a functionConfig (ImagePolicyRenderer or ConfigMap) from FILE' })
      .option('pools', { type: 'string', describe: `comma-separated pools, one MachineConfig each; at least one [default: ${DEFAULT_OPTIONS.pools.join(',')}]` })
      .option('name', { type: 'string', describe: `MachineConfig name; {pool} is replaced [default: ${DEFAULT_OPTIONS.name}]` })
      .option('ignition-version', { type: 'string', choices: IGNITION_VERSIONS, describe: `Ignition spec version [default: ${DEFAULT_OPTIONS.ignitionVersion}]` })
      .option('release-image', { type: 'string', describe: `release image or repository MCO never blocks [default: ${DEFAULT_OPTIONS.releaseImage}]` })
      .option('emit-policies', { type: 'boolean', describe: 'keep ImagePolicy/ClusterImagePolicy items in the output [default: true]' })
      .option('validate', { type: 'string', choices: VALIDATE_MODES, describe: 'CRD rule checking, as kubectl --validate [default: strict]' })
      .option('strict', { type: 'boolean', describe: 'warnings fail the run (exit 1) [default: false]' })
      .option('allow-empty', { type: 'boolean', describe: 'accept an input with no resources [default: false]' })
      .option('target-release', { type: 'string', describe: `the cluster's OpenShift release (4.19, 4.21, ...); from 4.21 the input must hold its ClusterImagePolicy openshift [default: ${DEFAULT_OPTIONS.targetRelease}, the newest]` })
      .option('without-release-policy', { type: 'boolean', describe: 'write policy.json without the release\'s ClusterImagePolicy openshift: nodes stop verifying release images [default: false]' })
      .option('max-input-bytes', { type: 'string', describe: `what all inputs together may hold, e.g. 128MiB [default: ${DEFAULT_LIMITS.maxInputBytes / MIB}MiB]` })
      .option('max-output-bytes', { type: 'string', describe: `what one run may print, e.g. 1GiB [default: ${DEFAULT_LIMITS.maxOutputBytes / MIB}MiB]` })
      .option('compress', { type: 'string', choices: COMPRESS_MODES, describe: `gzip node files: auto (only when they would not fit in one MachineConfig), always, never [default: ${DEFAULT_OPTIONS.compress}]` })
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
      streams.stderr.write(`imagepolicy-mc: ${escapeControls(e.message)}\nRun imagepolicy-mc --help for usage.\n`)
      return 2
    }
    throw e
  }
  if (parsed['help'] === true) {
    streams.stdout.write(help.endsWith('\n') ? help : `${help}\n`)
    return 0
  }
  try {
    return toFunctionArgs(parsed, parsed._.map(String))
  } catch (e) {
    if (!(e instanceof UsageError)) throw e
    streams.stderr.write(`imagepolicy-mc: ${escapeControls(e.message)}\nRun imagepolicy-mc --help for usage.\n`)
    return 2
  }
}
