// Entry point of the portable bundle (dist/imagepolicy-mc.js): any Node.js 20+.
// The launcher (dist/imagepolicy-mc) starts snapshot.ts instead when it can.

import { startProcess } from './cli/process-streams.ts'

startProcess()
