#!/usr/bin/env node
// Shipped as dist/imagepolicy-mc-snapshot.mjs (scripts/build.mjs copies it).
// The launcher (dist/imagepolicy-mc) runs it, with the Node.js that will load
// the snapshot, when its cache has no startup snapshot for that Node.js and
// this installation (README "Performance"):
//
//   node dist/imagepolicy-mc-snapshot.mjs <blob path in the cache>
//
// It builds the snapshot from dist/imagepolicy-mc.cjs with a warm-up run on
// dist/warm-up/*.yaml, checks it (it must load in this Node.js and give the
// portable bundle's stdout, stderr and exit code on each warm-up input and on
// --help), and only then moves it into place, atomically, so a launcher never
// sees a partial or unchecked file. Exit 1 (and nothing in place) otherwise.
// Snapshots in the cache untouched for 30 days are removed.

import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const blob = process.argv[2]
if (blob === undefined || !blob.endsWith('.blob')) {
  process.stderr.write('usage: node imagepolicy-mc-snapshot.mjs <cache dir>/<key>.blob\n')
  process.exit(2)
}
const bundle = join(here, 'imagepolicy-mc.js')
const warmUpDir = join(here, 'warm-up')
const warmUp = readdirSync(warmUpDir).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(warmUpDir, f))
const tmp = `${blob}.${process.pid}.tmp`

try {
  const built = spawnSync(process.execPath, ['--snapshot-blob', tmp, '--build-snapshot', join(here, 'imagepolicy-mc.cjs'), ...warmUp], { stdio: ['ignore', 'ignore', 'inherit'] })
  if (built.status !== 0) throw new Error(`node --build-snapshot exited with ${built.status ?? built.signal}`)
  // The warm-up inputs are the examples, which are for OpenShift 4.19 (src/warm-up.ts).
  const runs = [[['--help'], ''], ...warmUp.map((f) => [['--target-release', '4.19'], readFileSync(f, 'utf8')])]
  for (const [args, input] of runs) {
    const fast = spawnSync(process.execPath, ['--snapshot-blob', tmp, bundle, ...args], { input, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } })
    const portable = spawnSync(process.execPath, [bundle, ...args], { input, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } })
    if (fast.status !== portable.status || fast.stdout !== portable.stdout || fast.stderr !== portable.stderr) {
      throw new Error(`the snapshot does not run as the portable bundle does (${args.join(' ') || 'warm-up input'}): exit ${fast.status} vs ${portable.status}${fast.stderr ? `; ${fast.stderr.trim().split('\n')[0]}` : ''}`)
    }
  }
  renameSync(tmp, blob)
} catch (e) {
  rmSync(tmp, { force: true })
  process.stderr.write(`imagepolicy-mc: no startup snapshot (${e instanceof Error ? e.message : String(e)}); the portable bundle runs instead\n`)
  process.exitCode = 1
}

// Housekeeping: snapshots of other installations or Node.js binaries, unused for a month.
const cache = dirname(blob)
const month = Date.now() - 30 * 24 * 3600 * 1000
for (const f of readdirSync(cache)) {
  const p = join(cache, f)
  if (p === blob || !/\.blob(\.failed)?$/.test(f)) continue
  try {
    if (statSync(p).mtimeMs < month) rmSync(p, { force: true })
  } catch {
    // raced with another launcher: nothing to do
  }
}
