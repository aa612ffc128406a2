// Builds what the package runs (README "Performance"):
//   dist/imagepolicy-mc.js    the portable bundle: every dependency in one ESM file, any Node.js 20+
//   dist/imagepolicy-mc.cjs   the same program as a script, for the startup snapshot
//   dist/imagepolicy-mc.blob  a V8 startup snapshot of it, taken after a warm-up run on the examples
//   dist/imagepolicy-mc       the launcher (package bin): the snapshot when this Node.js built it, else the bundle
// `--no-snapshot` builds the portable bundle only.
import { spawnSync } from 'node:child_process'
import { chmodSync, rmSync, writeFileSync } from 'node:fs'
import { build } from 'esbuild'
import { generateValidators } from './gen-validators.mjs'

const snapshot = !process.argv.includes('--no-snapshot')

// The schema validators are compiled here, ahead of time, so start-up never runs ajv.
generateValidators()

const common = { bundle: true, platform: 'node', target: 'node20', legalComments: 'none', logLevel: 'warning' }
await build({
  ...common,
  entryPoints: ['src/bin.ts'],
  outfile: 'dist/imagepolicy-mc.js',
  format: 'esm',
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
})

const BLOB = 'dist/imagepolicy-mc.blob'
rmSync(BLOB, { force: true })
if (snapshot) {
  // A user-land snapshot must be a single script (no ESM, no require of files).
  // yargs (ESM) calls createRequire(import.meta.url), which a script must define.
  // Whitespace and syntax are minified (names are kept, for stack traces): the
  // source text lives in the snapshot's heap, and every megabyte of heap costs
  // about 5 ms to deserialize at each start.
  await build({
    ...common,
    entryPoints: ['src/snapshot.ts'],
    outfile: 'dist/imagepolicy-mc.cjs',
    format: 'cjs',
    minifyWhitespace: true,
    minifySyntax: true,
    define: { 'import.meta.url': '__importMetaUrl' },
    banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  })
  // The warm-up runs the function on the examples (as streams and as ResourceLists):
  // the code paths every build and sync takes are compiled into the snapshot.
  const warmUp = ['examples/quickstart/policies.yaml', 'examples/kpt-package/policies.yaml', 'examples/kpt-package/image-cluster.yaml']
  const r = spawnSync(process.execPath, ['--snapshot-blob', BLOB, '--build-snapshot', 'dist/imagepolicy-mc.cjs', ...warmUp], { stdio: 'inherit' })
  if (r.status !== 0) throw new Error(`building the startup snapshot failed (exit ${r.status})`)
}
writeFileSync('dist/imagepolicy-mc', launcher(process.execPath))
chmodSync('dist/imagepolicy-mc', 0o755)

/** The launcher script; `node` is the Node.js that built the snapshot. */
function launcher(node) {
  const quoted = `'${node.replaceAll("'", `'\\''`)}'`
  return `#!/bin/sh
# imagepolicy-mc launcher, written by \`npm run build\` (scripts/build.mjs).
# Starts Node.js from the startup snapshot beside it (imagepolicy-mc.blob: the
# program's heap and compiled code after a warm-up run), which saves a large part
# of a cold start (README "Performance"). A snapshot loads only in the Node.js
# binary that built it, with no extra V8 options, so it is used only when that
# binary is still there and was not replaced since the snapshot was built (its
# ctime: package managers keep a file's mtime from the package, so an upgrade in
# place can leave it older than the snapshot), and NODE_OPTIONS is empty;
# otherwise the portable bundle runs on the \`node\` in PATH.
self=$0
while [ -L "$self" ]; do
  link=$(readlink "$self")
  case $link in /*) self=$link ;; *) self=\${self%/*}/$link ;; esac
done
case $self in */*) dir=\${self%/*} ;; *) dir=. ;; esac
node=${quoted}
if [ -z "\${NODE_OPTIONS-}" ] && [ -x "$node" ] && [ -f "$dir/imagepolicy-mc.blob" ] && [ -z "$(find "$node" -cnewer "$dir/imagepolicy-mc.blob" 2>/dev/null)" ]; then
  exec "$node" --snapshot-blob "$dir/imagepolicy-mc.blob" "$dir/imagepolicy-mc.js" "$@"
fi
exec node "$dir/imagepolicy-mc.js" "$@"
`
}
