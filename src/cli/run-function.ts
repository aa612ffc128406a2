// The function itself, at the edge: read the inputs, run(), write stdout and
// one stderr line per issue. main.ts calls it with the parsed flags, and so
// does `build` with kustomize's output as stdin (no second pass through argv).

import { escapeControls, formatIssue } from '../issues.ts'
import type { InputText } from '../io/read.ts'
import { DEFAULT_LIMITS } from '../limits.ts'
import { run } from '../run.ts'
import type { Streams } from './context.ts'
import { edgeErrorLine, IssueError } from './errors.ts'
import type { FunctionArgs } from './flags.ts'
import { InputBudget, readFunctionConfig, readInputFiles, readStdinText } from './inputs.ts'

/** Writes problems already phrased as issues, one line each; exit code 1. */
export function reportIssueError(e: IssueError, streams: Streams): 1 {
  for (const i of e.issues) streams.stderr.write(formatIssue(i) + '\n')
  return 1
}

export async function runFunction(args: FunctionArgs, streams: Streams): Promise<number> {
  const { flags } = args
  const limits = args.limits ?? DEFAULT_LIMITS
  const budget = new InputBudget(limits.maxInputBytes)
  let inputs: InputText[]
  let functionConfig: unknown
  let result
  try {
    const paths = args.paths
    if (paths.length > 0) {
      inputs = readInputFiles(paths, budget)
    } else {
      inputs = [{ text: await readStdinText(streams, budget) }]
    }
    if (args.config !== undefined) functionConfig = readFunctionConfig(args.config, budget)
    result = run({ inputs, ...(functionConfig !== undefined ? { functionConfig } : {}), flags, maxOutputBytes: limits.maxOutputBytes })
  } catch (e) {
    if (e instanceof IssueError) return reportIssueError(e, streams)
    const edge = edgeErrorLine(e)
    if (edge === undefined) throw e
    streams.stderr.write(`imagepolicy-mc: ${escapeControls(edge.line)}\n`)
    return edge.code
  }
  for (const i of result.issues) streams.stderr.write(formatIssue(i) + '\n')
  streams.stdout.write(result.output)
  return result.exitCode
}
