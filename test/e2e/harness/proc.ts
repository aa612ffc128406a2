// E2E harness: running subprocesses. Every process the suite starts goes
// through here and is recorded by PID until it exits, so a run never leaves
// one behind: short commands are awaited with a timeout, long-running ones
// (the registry) are stopped by stopAll() when the suite ends, and
// killAllNow() kills whatever is still running if the suite is interrupted.

import { spawn, type ChildProcess } from 'node:child_process'

export interface RunResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv
  readonly cwd?: string
  readonly input?: string
  /** Default: 60 000 ms; the process is killed (SIGKILL) when it runs longer. */
  readonly timeoutMs?: number
}

/** Runs a command to completion; never throws for a non-zero exit (the caller asserts). */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    track(child)
    const timeoutMs = options.timeoutMs ?? 60_000
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    child.stdout.on('data', (b: Buffer) => stdout.push(b))
    child.stderr.on('data', (b: Buffer) => stderr.push(b))
    child.on('error', (err) => {
      clearTimeout(timer)
      reject(new Error(`cannot run ${command}: ${err.message}`))
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const err = Buffer.concat(stderr).toString('utf8')
      resolve({
        code: code ?? 128,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: signal === null ? err : `${err}\n(killed by ${signal}${signal === 'SIGKILL' ? ` after ${timeoutMs} ms` : ''})`,
      })
    })
    // A process that exits without reading stdin makes the write fail with
    // EPIPE; that is not an error of the command, so it must not escape.
    child.stdin.on('error', () => {})
    child.stdin.end(options.input ?? '')
  })
}

/** Like run(), but throws with the command's stderr when it exits non-zero. */
export async function runOk(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await run(command, args, options)
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`)
  }
  return result
}

/** Every child still running, by PID. */
const running = new Map<number, ChildProcess>()
const background = new Set<ChildProcess>()

function track(child: ChildProcess): void {
  if (child.pid === undefined) return
  const pid = child.pid
  running.set(pid, child)
  child.once('exit', () => {
    running.delete(pid)
    background.delete(child)
  })
}

/** Starts a long-running process and records its PID for stopAll(). */
export function startBackground(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; log: (chunk: Buffer) => void }): ChildProcess {
  const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout?.on('data', options.log)
  child.stderr?.on('data', options.log)
  track(child)
  if (child.pid !== undefined) background.add(child)
  return child
}

/** Stops one background process by PID: SIGTERM, then SIGKILL after graceMs. */
export async function stop(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  process.kill(child.pid, 'SIGTERM')
  const timer = setTimeout(() => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL')
  }, graceMs)
  await exited
  clearTimeout(timer)
}

/** Stops every background process still running (awaitable). */
export async function stopAll(): Promise<void> {
  await Promise.all([...background].map((child) => stop(child)))
}

/** Synchronous last resort (signals, process 'exit'): SIGKILL every PID still recorded. */
export function killAllNow(): void {
  for (const pid of running.keys()) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
  running.clear()
  background.clear()
}
