// Child processes of the subcommands (git, kustomize, kubectl): found on PATH by
// absolute entries only (util-path.ts), given a timeout and an output bound, and
// killed on SIGINT/SIGTERM (cleanup.ts). Asynchronous, so that a signal is
// handled while the child runs. Touches processes (src/commands only).

import { spawn } from 'node:child_process'
import { InputError } from '../cli/errors.ts'
import { childTimeoutSeconds } from '../limits.ts'
import { killOnSignal } from './cleanup.ts'
import { absolutePathEntries } from './util-path.ts'

export interface ChildResult {
  readonly status: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: Buffer
  /** At most the first MiB of it. */
  readonly stderr: Buffer
}

const MAX_STDERR = 1024 * 1024

export interface ChildOptions {
  readonly cwd?: string
  readonly input?: Buffer | string
  /** stdout beyond this kills the child and fails the run. */
  readonly maxOutputBytes: number
  /** The flag a user raises `maxOutputBytes` with, for the error line. */
  readonly outputFlag?: string
  readonly timeoutSeconds?: number
}

/** The command line as shown in messages. */
export function shownCommand(file: string, args: readonly string[]): string {
  return [file, ...args].join(' ')
}

/**
 * Runs `file` (an absolute path) with `args`, no shell. Resolves with its exit
 * status and output; rejects with an InputError (one line) when it cannot be
 * started, runs past the timeout or prints more than the bound.
 */
export function runChild(file: string, args: readonly string[], options: ChildOptions): Promise<ChildResult> {
  const shown = shownCommand(file, args)
  const timeout = options.timeoutSeconds ?? childTimeoutSeconds(process.env)
  if (timeout === undefined) {
    return Promise.reject(new InputError(`IMAGEPOLICY_MC_CHILD_TIMEOUT_SECONDS: expected a whole number of seconds, got ${JSON.stringify(process.env['IMAGEPOLICY_MC_CHILD_TIMEOUT_SECONDS'])}`))
  }
  return new Promise((resolvePromise, reject) => {
    // The child's own PATH lookups (git's helpers, kustomize's plugins) skip relative entries too.
    const env = { ...process.env, PATH: absolutePathEntries(process.env['PATH']) }
    // In a process group of its own (detached), so that a timeout or a signal
    // kills what the child started too (kustomize's plugins, git's helpers).
    const child = spawn(file, [...args], { cwd: options.cwd, env, detached: true, stdio: [options.input !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'] })
    const group = {
      kill(signal: NodeJS.Signals) {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, signal)
        } catch {
          child.kill(signal)
        }
      },
    }
    const forget = killOnSignal(group)
    const out: Buffer[] = []
    const err: Buffer[] = []
    let outBytes = 0
    let errBytes = 0
    let failure: InputError | undefined
    const fail = (message: string) => {
      if (failure !== undefined) return
      failure = new InputError(message)
      group.kill('SIGKILL')
      // A process that inherited the pipes and escaped the group would keep them
      // open, and 'close' would wait for it: stop reading instead.
      child.stdout!.destroy()
      child.stderr!.destroy()
    }
    const timer = setTimeout(() => fail(`${shown}: timed out after ${timeout} s (IMAGEPOLICY_MC_CHILD_TIMEOUT_SECONDS)`), timeout * 1000)
    child.stdout!.on('data', (chunk: Buffer) => {
      if (failure !== undefined) return
      outBytes += chunk.length
      if (outBytes > options.maxOutputBytes) fail(`${shown}: output exceeds ${options.maxOutputBytes} bytes (${options.outputFlag ?? '--max-input-bytes'})`)
      else out.push(chunk)
    })
    child.stderr!.on('data', (chunk: Buffer) => {
      if (errBytes < MAX_STDERR) err.push(chunk.subarray(0, MAX_STDERR - errBytes))
      errBytes += chunk.length
    })
    child.on('error', (e) => {
      if (child.pid === undefined) {
        // Never started: no 'close' follows.
        clearTimeout(timer)
        forget()
        reject(new InputError(`${shown}: ${e.message}`))
        return
      }
      fail(`${shown}: ${e.message}`)
    })
    if (options.input !== undefined) {
      child.stdin!.on('error', () => {
        // The child exited without reading all of it: its status says why.
      })
      child.stdin!.end(options.input)
    }
    child.on('close', (status, signal) => {
      clearTimeout(timer)
      forget()
      if (failure !== undefined) reject(failure)
      else resolvePromise({ status, signal, stdout: Buffer.concat(out, outBytes), stderr: Buffer.concat(err) })
    })
  })
}
