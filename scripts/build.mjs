// Bundles the CLI into one file, dist/imagepolicy-mc.js (the package's bin).
// One bundle keeps start-up to a single module load (see README "Performance").
import { build } from 'esbuild'
import { generateValidators } from './gen-validators.mjs'

// The schema validators are compiled here, ahead of time, so start-up never runs ajv.
generateValidators()

await build({
  entryPoints: ['src/bin.ts'],
  outfile: 'dist/imagepolicy-mc.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  legalComments: 'none',
  logLevel: 'warning',
})
