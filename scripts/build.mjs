// Builds what the package runs (README "Performance"); nothing in dist/ depends
// on this machine, so `npm pack` ships it as it is:
//   dist/imagepolicy-mc.js           the portable bundle: every dependency in one ESM file, any Node.js 20+
//   dist/imagepolicy-mc.cjs          the same program as a script, for a V8 startup snapshot
//   dist/imagepolicy-mc-snapshot.mjs builds and checks that snapshot for the Node.js that runs it (scripts/snapshot-cache.mjs)
//   dist/warm-up/*.yaml              what the snapshot's warm-up run reads (copies of the examples)
//   dist/imagepolicy-mc              the launcher (package bin): the snapshot from the user's cache, else the bundle
// The snapshot itself is built on the user's machine, at the launcher's first
// run, into a cache directory; a snapshot loads only in the Node.js binary that built it.
// `--no-snapshot` builds the portable bundle only (the container images run that).
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'
import { generateValidators } from './gen-validators.mjs'

const snapshot = !process.argv.includes('--no-snapshot')

// The schema validators are compiled here, ahead of time, so start-up never runs ajv.
generateValidators()

const common = { bundle: true, platform: 'node', target: 'node20', legalComments: 'none', logLevel: 'warning' }
const bundled = await build({
  ...common,
  entryPoints: ['src/bin.ts'],
  outfile: 'dist/imagepolicy-mc.js',
  format: 'esm',
  metafile: true,
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
})

// The bundle inlines third-party code (legalComments: 'none' keeps it small), so
// the licences of every package it holds ship beside it, in a file of their own:
// each package once, by name, with its LICENSE file as the package has it.
writeFileSync('dist/THIRD-PARTY-LICENSES.txt', thirdPartyLicenses(Object.keys(bundled.metafile.inputs)))

function thirdPartyLicenses(inputs) {
  const packages = new Set()
  for (const input of inputs) {
    const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)
    if (m !== null) packages.add(m[1])
  }
  const sections = [...packages].sort().map((name) => {
    const dir = join('node_modules', name)
    const { version, license } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)([-.][a-z0-9]+)?(\.(md|txt))?$/i.test(f))
    if (file === undefined) throw new Error(`build: ${name} is bundled but has no LICENSE file to ship`)
    return `${name} ${version} (${license})\n\n${readFileSync(join(dir, file), 'utf8').trim()}\n`
  })
  return `Third-party software bundled into dist/imagepolicy-mc.js and dist/imagepolicy-mc.cjs\n\n${sections.join(`\n${'-'.repeat(72)}\n\n`)}`
}

// Left by earlier builds, which built the snapshot into dist/.
rmSync('dist/imagepolicy-mc.blob', { force: true })
rmSync('dist/warm-up', { recursive: true, force: true })
rmSync('dist/imagepolicy-mc.cjs', { force: true })
rmSync('dist/imagepolicy-mc-snapshot.mjs', { force: true })
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
  mkdirSync('dist/warm-up')
  for (const [from, to] of [['examples/quickstart/policies.yaml', 'quickstart.yaml'], ['examples/kpt-package/policies.yaml', 'kpt-package-policies.yaml'], ['examples/kpt-package/image-cluster.yaml', 'kpt-package-image-cluster.yaml']]) {
    copyFileSync(from, `dist/warm-up/${to}`)
  }
  copyFileSync('scripts/snapshot-cache.mjs', 'dist/imagepolicy-mc-snapshot.mjs')
}
const { version } = JSON.parse(readFileSync('package.json', 'utf8'))
writeFileSync('dist/imagepolicy-mc', launcher(version))
chmodSync('dist/imagepolicy-mc', 0o755)

/** The launcher script: POSIX sh, with nothing of this machine in it. */
function launcher(version) {
  if (!/^[0-9A-Za-z.+-]+$/.test(version)) throw new Error(`package version ${version} is not file-name safe`)
  return `#!/bin/sh
# imagepolicy-mc launcher (the package's bin), written by \`npm run build\`
# (scripts/build.mjs). It starts Node.js from a V8 startup snapshot (the
# program's heap and compiled code after a warm-up run), which saves a large
# part of a cold start (README "Performance"). A snapshot loads only in the
# Node.js binary that built it, with no extra V8 options, so it is built on this
# machine, at the first run, into a cache directory
# (\$IMAGEPOLICY_MC_CACHE_DIR, else \$XDG_CACHE_HOME/imagepolicy-mc, else
# ~/.cache/imagepolicy-mc), named after this version, the \`node\` in PATH
# (device, inode, size, ctime: a package manager keeps a binary's mtime, not
# its ctime) and this installation's imagepolicy-mc.cjs (the same). The builder
# checks the snapshot against the portable bundle before it puts it in place.
# Otherwise (no cache it can write, a failed build, NODE_OPTIONS set,
# IMAGEPOLICY_MC_SNAPSHOT=off, no stat(1)) the portable bundle runs: the same
# output, only slower.
self=$0
while [ -L "$self" ]; do
  link=$(readlink "$self")
  case $link in /*) self=$link ;; *) self=\${self%/*}/$link ;; esac
done
case $self in */*) dir=\${self%/*} ;; *) dir=. ;; esac
# node from the absolute entries of PATH only, as Go's exec.LookPath does: a
# relative entry (., an empty one) would run a node the repository planted.
node=
ifs=$IFS
IFS=:
for entry in $PATH; do
  case $entry in /*) if [ -f "$entry/node" ] && [ -x "$entry/node" ]; then node=$entry/node; break; fi ;; esac
done
IFS=$ifs
if [ -z "$node" ]; then echo "imagepolicy-mc: node (Node.js 20 or later) is not on an absolute entry of PATH" >&2; exit 127; fi
if [ -z "\${NODE_OPTIONS-}" ] && [ "\${IMAGEPOLICY_MC_SNAPSHOT-}" != off ] && [ -f "$dir/imagepolicy-mc.cjs" ] &&
  id=$(stat -L -c %d.%i.%s.%Z "$node" "$dir/imagepolicy-mc.cjs" 2>/dev/null); then
  nl='
'
  cache=\${IMAGEPOLICY_MC_CACHE_DIR:-\${XDG_CACHE_HOME:-\${HOME:-/nonexistent}/.cache}/imagepolicy-mc}
  blob=$cache/${version}-\${id%%"$nl"*}-\${id#*"$nl"}.blob
  if [ ! -f "$blob" ] && [ ! -e "$blob.failed" ] && mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ]; then
    if ! "$node" "$dir/imagepolicy-mc-snapshot.mjs" "$blob" </dev/null >/dev/null 2>"$blob.log"; then
      mv -f "$blob.log" "$blob.failed" 2>/dev/null
    fi
    rm -f "$blob.log"
  fi
  if [ -f "$blob" ]; then exec "$node" --snapshot-blob "$blob" "$dir/imagepolicy-mc.js" "$@"; fi
fi
exec "$node" "$dir/imagepolicy-mc.js" "$@"
`
}
