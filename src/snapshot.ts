// Entry point of the startup-snapshot bundle (dist/imagepolicy-mc.cjs), which
// the launcher's first run on a machine turns into a snapshot in its cache
// (dist/imagepolicy-mc-snapshot.mjs, from scripts/snapshot-cache.mjs) with
//   node --snapshot-blob <cache>/<key>.blob --build-snapshot dist/imagepolicy-mc.cjs dist/warm-up/*.yaml
// and which the launcher (dist/imagepolicy-mc) then starts with
//   node --snapshot-blob <cache>/<key>.blob dist/imagepolicy-mc.js <args>
// (the bundle path keeps process.argv as the portable bundle has it). Run as a
// plain script, it is the function like bin.ts.

import { readFileSync } from 'node:fs'
import { startupSnapshot } from 'node:v8'
import { startProcess } from './cli/process-streams.ts'
import { warmUp } from './warm-up.ts'

if (startupSnapshot.isBuildingSnapshot()) {
  startupSnapshot.setDeserializeMainFunction(startProcess)
  const files = process.argv.slice(2)
  // The snapshot is taken once the event loop is empty, after this has run.
  // A rejection fails the build (Node exits non-zero on an unhandled rejection).
  void warmUp(files.map((f) => readFileSync(f, 'utf8'))).then((codes) => {
    if (codes.some((c) => c !== 0)) throw new Error(`warm-up input failed (exit codes ${codes.join(', ')}): ${files.join(' ')}`)
  })
} else {
  startProcess()
}
