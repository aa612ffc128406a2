// The pipeline's import direction (README "Development"; issue 16): a module may
// import its own stage or an earlier one, never a later one, and the subcommands
// never import the CLI that dispatches them. Issue 16's redesign removed the last
// back edge: KNOWN_BACK_EDGES is empty, and any import against the direction
// fails this test (move the shared code to the earlier stage or src/upstream/).

import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'
import { test } from 'node:test'

const SRC = 'src'

/** Stage order: read → decode → validate → resolve → render → wrap → write, then review, the join, the edge. */
const STAGES: readonly [string, number][] = [
  // Faithful ports of the Go code we mirror: a leaf every stage may use (it imports nothing of ours, below).
  ['upstream/', 0],
  // Shared vocabulary every stage may use.
  ['issues.ts', 0],
  ['is-object.ts', 0],
  ['memo.ts', 0],
  ['model.ts', 0],
  ['limits.ts', 0],
  ['options.ts', 0],
  ['option-table.ts', 0],
  ['target-release.ts', 0],
  ['io/', 1],
  ['decode/', 2],
  ['validate/', 3],
  ['resolve/', 4],
  ['render/', 5],
  ['wrap/', 6],
  // The writing half of io/ comes after wrap.
  ['io/write.ts', 7],
  ['io/emit-yaml.ts', 7],
  ['io/flow-to-block.ts', 7],
  ['review/', 8],
  ['explain/', 8],
  ['diff/', 8],
  ['impact/', 8],
  ['run.ts', 9],
  // import: the inverse of render, proven by run() (so beside it).
  ['import/', 9],
]
/** Everything else (cli/, bin, commands/, the snapshot) is the edge. */
const EDGE = 10

function stageOf(path: string): number {
  let best: [string, number] | undefined
  for (const entry of STAGES) {
    const [prefix] = entry
    if ((path === prefix || (prefix.endsWith('/') && path.startsWith(prefix))) && (best === undefined || prefix.length > best[0].length)) best = entry
  }
  return best?.[1] ?? EDGE
}

/**
 * The CLI that dispatches the subcommands and owns the process: a subcommand
 * importing these would call back into its caller. The leaves beside them in
 * cli/ (context, errors, flags, inputs, main-args, run-function) are what the
 * subcommands share with the function, and import nothing of these.
 */
const CLI_FILES = new Set(['cli/main.ts', 'cli/process-streams.ts'])

/** Back edges tolerated, `from -> to`: none (issue 16). A listed edge that does not exist fails too. */
const KNOWN_BACK_EDGES: readonly string[] = []

function sources(dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) out.push(...sources(path))
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(path)
  }
  return out
}

/** Relative imports of a module (static `import … from`, `export … from` and dynamic `import()`), as paths under src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const out: string[] = []
  for (const m of text.matchAll(/^(?:import|export)\b[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]|\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/gm)) {
    const spec = m[1] ?? m[2]!
    out.push(relative(SRC, normalize(join(dirname(file), spec))))
  }
  return out
}

function backEdges(): string[] {
  const edges = new Set<string>()
  for (const file of sources(SRC)) {
    const from = relative(SRC, file)
    for (const to of importsOf(file)) {
      // The generated validators are data of the validate stage.
      if (to.endsWith('.generated.js')) continue
      const later = stageOf(to) > stageOf(from)
      const intoCli = from.startsWith('commands/') && CLI_FILES.has(to)
      if (later || intoCli) edges.add(`${from} -> ${to}`)
    }
  }
  return [...edges].sort()
}

test('the import scan sees the imports it must judge', () => {
  const all = sources(SRC).flatMap(importsOf)
  assert.ok(all.length > 200, `only ${all.length} relative imports found`)
  assert.ok(all.includes('run.ts'), 'cli/run-function.ts imports run.ts')
  assert.equal(stageOf('io/read.ts'), 1)
  assert.equal(stageOf('io/write.ts'), 7)
  assert.equal(stageOf('commands/diff.ts'), EDGE)
  assert.equal(stageOf('upstream/go-json.ts'), 0)
})

test('no module imports a later stage, or the CLI from a subcommand, beyond the listed back edges', () => {
  const found = backEdges()
  const added = found.filter((e) => !KNOWN_BACK_EDGES.includes(e))
  const gone = KNOWN_BACK_EDGES.filter((e) => !found.includes(e))
  assert.deepEqual(added, [], 'new back edges: move the shared code to an earlier stage (or src/upstream/) instead')
  assert.deepEqual(gone, [], 'back edges that no longer exist: take them off KNOWN_BACK_EDGES')
})

test('src/upstream/ is a leaf: its modules import only each other and Node built-ins', () => {
  const files = sources(join(SRC, 'upstream')).map((f) => relative(SRC, f))
  // The ports named in issue 16: if they moved out, this would pass vacuously.
  for (const f of ['docker-reference.ts', 'go-json.ts', 'go-base64.ts', 'go-strconv.ts', 'go-url.ts', 'dns1123.ts', 'registries-patterns.ts', 'yaml-v2.ts']) {
    assert.ok(files.includes(`upstream/${f}`), `upstream/${f} exists`)
  }
  const outside = files.flatMap((from) => importsOf(join(SRC, from)).filter((to) => !to.startsWith('upstream/')).map((to) => `${from} -> ${to}`))
  assert.deepEqual(outside, [], 'src/upstream/ ports Go code and imports nothing of the project')
  // Nor any package: only node: built-ins (a bare specifier would be a dependency of ours).
  const packages = files.flatMap((from) =>
    [...readFileSync(join(SRC, from), 'utf8').matchAll(/^(?:import|export)\b[^'"]*?from\s+['"]([^'".][^'"]*)['"]/gm)]
      .map((m) => m[1]!)
      .filter((spec) => !spec.startsWith('node:'))
      .map((spec) => `${from} -> ${spec}`),
  )
  assert.deepEqual(packages, [])
})

test('no circle between the CLI and the subcommands: the files they share import neither the dispatcher nor a subcommand', () => {
  // The rule above names files: if they moved, it would pass vacuously.
  for (const f of CLI_FILES) assert.ok(statSync(join(SRC, f)).isFile(), `${f} (CLI_FILES) exists`)
  const shared = sources(join(SRC, 'cli')).map((f) => relative(SRC, f)).filter((f) => !CLI_FILES.has(f))
  assert.ok(shared.length >= 5, shared.join(', '))
  const circle = shared.flatMap((from) => importsOf(join(SRC, from)).filter((to) => CLI_FILES.has(to) || to.startsWith('commands/')).map((to) => `${from} -> ${to}`))
  assert.deepEqual(circle, [])
  // Nor does build re-enter the dispatcher through argv strings.
  assert.doesNotMatch(readFileSync(join(SRC, 'commands', 'build.ts'), 'utf8'), /\bmain\(/)
})

test('README "Architecture" has one row per folder of src/, and names the stage folders this test orders', () => {
  const readme = readFileSync('README.md', 'utf8')
  const start = readme.indexOf('\n## Architecture\n')
  assert.ok(start !== -1, 'README has an "Architecture" section')
  const end = readme.indexOf('\n## ', start + 1)
  const section = readme.slice(start, end === -1 ? undefined : end)
  const rows = new Set([...section.matchAll(/^\| `src\/([a-z-]+)\/` \|/gm)].map((m) => `${m[1]!}/`))
  const folders = readdirSync(SRC).filter((name) => statSync(join(SRC, name)).isDirectory()).map((name) => `${name}/`).sort()
  assert.ok(folders.length >= 10, folders.join(', '))
  assert.deepEqual([...rows].sort(), folders, 'one row per src/ folder, and no row for a folder that is gone')
  // Every folder this test gives a stage is one of them (a renamed folder would leave its imports unjudged).
  for (const [prefix] of STAGES) if (prefix.endsWith('/')) assert.ok(folders.includes(prefix), `STAGES names ${prefix}, not a folder of src/`)
  // And the root files of stage 0 are named in the section.
  for (const [prefix, stage] of STAGES) if (!prefix.includes('/') && stage === 0) assert.ok(section.includes(`\`${prefix}\``), `README "Architecture" names ${prefix}`)
})
