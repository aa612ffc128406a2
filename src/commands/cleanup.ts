// What a subcommand leaves on the host if it is interrupted: temporary
// directories and running child processes. On SIGINT or SIGTERM the handlers
// installed here (on first use, so the function's own path never installs
// them) kill the children, remove the directories and exit 130 or 143, as a
// shell reports a death by that signal.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const directories = new Set<string>()
const children = new Set<{ kill(signal: NodeJS.Signals): unknown }>()
let installed = false

function onSignal(signal: NodeJS.Signals, code: number): void {
  for (const child of children) {
    try {
      child.kill('SIGKILL')
    } catch {
      // already gone
    }
  }
  for (const dir of directories) rmSync(dir, { recursive: true, force: true })
  process.stderr.write(`imagepolicy-mc: interrupted (${signal}); temporary files removed\n`)
  process.exit(code)
}

function install(): void {
  if (installed) return
  installed = true
  process.on('SIGINT', () => onSignal('SIGINT', 130))
  process.on('SIGTERM', () => onSignal('SIGTERM', 143))
}

/** Registers `dir` for removal on SIGINT/SIGTERM; returns the function that unregisters it. */
export function removeOnSignal(dir: string): () => void {
  install()
  directories.add(dir)
  return () => directories.delete(dir)
}

/** A fresh temporary directory (mkdtemp: a name nobody could predict or plant) that is removed on SIGINT/SIGTERM. */
export function makeTempDir(prefix: string): { readonly dir: string; readonly remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const forget = removeOnSignal(dir)
  return {
    dir,
    remove: () => {
      rmSync(dir, { recursive: true, force: true })
      forget()
    },
  }
}

/** Registers a running child to be killed on SIGINT/SIGTERM; returns the function that unregisters it. */
export function killOnSignal(child: { kill(signal: NodeJS.Signals): unknown }): () => void {
  install()
  children.add(child)
  return () => children.delete(child)
}
