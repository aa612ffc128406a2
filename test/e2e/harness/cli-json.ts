// E2E harness: one imagepolicy-mc subcommand run as a subprocess (the built CLI,
// as a user would) whose stdout is a JSON document checked against a contract;
// shared by the explain and impact harnesses.

import { cliBin } from './node-files.ts'
import { run, type RunResult } from './proc.ts'

export type Obj = Record<string, unknown>
export const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v)

/** Runs `imagepolicy-mc ARGS`; throws unless it exits 0 with JSON that `shapeErrors` finds no fault in. */
export async function runCliJson(args: readonly string[], shapeErrors: (doc: unknown) => string[]): Promise<{ readonly doc: unknown; readonly command: string; readonly raw: RunResult }> {
  const command = `imagepolicy-mc ${args.join(' ')}`
  const raw = await run(process.execPath, [cliBin(), ...args])
  if (raw.code !== 0) throw new Error(`${command} exited ${raw.code}:\n${raw.stderr}`)
  let doc: unknown
  try {
    doc = JSON.parse(raw.stdout)
  } catch (err) {
    throw new Error(`${command}: stdout is not JSON (${String(err)}):\n${raw.stdout.slice(0, 500)}`)
  }
  const errors = shapeErrors(doc)
  if (errors.length > 0) throw new Error(`${command}: the JSON does not fit the contract: ${errors.join('; ')}\n${raw.stdout.slice(0, 2000)}`)
  return { doc, command, raw }
}
