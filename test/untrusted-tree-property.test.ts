// Property test (issue 13, "Done when"): a fixed number of seeded random trees,
// built of what a hostile repository can hold (files, directories, links that
// stay inside, links that lead out, loops, dangling links, FIFOs, a pre-made
// output tree with links in it), each run through the function on the
// directory, discover, and render --out, as the built bundle. For every run:
// it ends (no FIFO blocks it), exits 0, 1 or 2, prints no stack trace, and
// nothing outside the chosen directories is read (the canaries' content never
// shows) or written (their bytes, mtimes and the directory listing stay the
// same); the input tree is not changed and no temporary directory is left.
// TREE_SEED overrides the seed to explore further.

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { test } from 'node:test'
import { findExecutable } from '../src/commands/util-path.ts'
import { cip, imageConfig, ip, namespace, stream } from './fixtures/review/resources.ts'
import { prng } from './prng.ts'

const SEED = Number(process.env['TREE_SEED'] ?? 20261204)
const CASES = 24
const BUNDLE = resolve('dist/imagepolicy-mc.js')
const MKFIFO = findExecutable('mkfifo', process.env['PATH'])
const CANARY = 'canary-7f3a9c-never-printed'

type Random = () => number

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!
}

/** A listing of everything below `dir` without following links: path, kind, link target or bytes, mtime. */
function snapshot(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name)
      const s = lstatSync(p)
      const rel = relative(dir, p)
      if (s.isSymbolicLink()) out.push(`${rel} -> ${readlinkSync(p)}`)
      else if (s.isDirectory()) {
        out.push(`${rel}/ ${s.mtimeMs}`)
        walk(p)
      } else if (s.isFile()) out.push(`${rel} ${s.mtimeMs} ${readFileSync(p, 'base64')}`)
      else out.push(`${rel} (special) ${s.mtimeMs}`)
    }
  }
  walk(dir)
  return out
}

function policyStream(random: Random, n: number): string {
  const ns = `team-${n}`
  return pick(random, [
    () => stream(imageConfig(), cip(`c${n}`, [`registry${n}.example.com/app`])),
    () => stream(namespace(ns), ip(ns, `p${n}`, [`registry.example.net/${ns}`])),
    () => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${n}\n`,
    () => 'apiVersion: config.openshift.io/v1\nkind: ClusterImagePolicy\nmetadata:\n  name: broken\nspec: 7\n',
  ])()
}

interface Tree {
  readonly fifos: string[]
}

/**
 * A random tree below `root`. A hostile tree has links to `outside`, dangling
 * links, FIFOs and unreadable documents; a benign one only files, directories,
 * links inside it and loops, so that some runs get as far as writing.
 */
function buildTree(random: Random, root: string, outside: string, depth: number, tree: Tree, counter: { n: number }, hostile: boolean): string[] {
  const names: string[] = []
  const files: string[] = []
  const count = 1 + Math.floor(random() * 4)
  for (let i = 0; i < count; i++) {
    const n = counter.n++
    const kind = hostile ? random() : random() * 0.68
    let name: string
    if (kind < 0.35 || (kind < 0.62 && files.length === 0 && depth >= 3)) {
      name = `f${n}.yaml`
      writeFileSync(join(root, name), hostile ? policyStream(random, n) : policyStream(random, n).replace(/spec: 7\n/, ''))
      files.push(name)
    } else if (kind < 0.55 && depth < 3) {
      name = `d${n}`
      mkdirSync(join(root, name))
      const inner = buildTree(random, join(root, name), outside, depth + 1, tree, counter, hostile)
      writeFileSync(join(root, name, 'kustomization.yaml'), `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${inner.map((e) => `- ${e}`).join('\n')}\n`)
    } else if (kind < 0.62) {
      // A link to a directory is named like one, so that a benign walk reads no kustomization as a resource.
      const target = files.length > 0 && random() < 0.6 ? pick(random, files) : pick(random, ['.', '..'])
      name = target.endsWith('.yaml') ? `in${n}.yaml` : `in${n}`
      symlinkSync(target, join(root, name))
    } else if (kind < 0.68) {
      name = `loop${n}`
      symlinkSync(pick(random, ['.', '..', `loop${n}`]), join(root, name))
    } else if (kind < 0.76) {
      name = `out${n}.yaml`
      symlinkSync(pick(random, [join(outside, 'canary.yaml'), relative(root, join(outside, 'canary.yaml')), join(outside, 'dir'), '/dev/zero']), join(root, name))
    } else if (kind < 0.82) {
      name = `dangling${n}.yaml`
      symlinkSync(`nowhere-${n}.yaml`, join(root, name))
    } else if (kind < 0.88 && MKFIFO !== undefined) {
      name = `fifo${n}.yaml`
      tree.fifos.push(join(root, name))
    } else {
      name = `g${n}.json`
      writeFileSync(join(root, name), pick(random, ['{}', '[', '\u0000\u00ff', `{"kind": "ImagePolicy", "apiVersion": "config.openshift.io/v1", "metadata": {"name": "x\\u001b[2J"}}`]))
    }
    names.push(name)
  }
  return names
}

/** A pre-made output tree: sometimes plain, sometimes with links to the outside where render writes or deletes. */
function buildOut(random: Random, out: string, outside: string): void {
  const choice = random()
  if (choice < 0.3) return
  mkdirSync(join(out, 'etc', 'containers'), { recursive: true })
  mkdirSync(join(out, 'etc', 'crio'), { recursive: true })
  if (choice < 0.5) symlinkSync(join(outside, 'dir'), join(out, 'etc', 'crio', 'policies'))
  else if (choice < 0.65) symlinkSync(join(outside, 'canary.yaml'), join(out, 'etc', 'containers', 'policy.json'))
  else if (choice < 0.8) symlinkSync(outside, join(out, 'etc', 'containers', 'registries.d'))
  else {
    mkdirSync(join(out, 'etc', 'crio', 'policies'))
    writeFileSync(join(out, 'etc', 'crio', 'policies', 'old.json'), '{}')
    symlinkSync(join(outside, 'dir'), join(out, 'etc', 'other'))
  }
}

test(`random hostile trees (seed ${SEED}, ${CASES} cases): no hang, no stack trace, exit 0/1/2, nothing read or written outside`, (t) => {
  const random = prng(SEED)
  let succeeded = 0
  for (let c = 0; c < CASES; c++) {
    const dir = mkdtempSync(join(tmpdir(), 'imagepolicy-mc-tree-'))
    try {
      const root = join(dir, 'root')
      const outside = join(dir, 'outside')
      const out = join(dir, 'out')
      mkdirSync(root)
      mkdirSync(join(outside, 'dir'), { recursive: true })
      const canary = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${CANARY}\n`
      writeFileSync(join(outside, 'canary.yaml'), canary)
      writeFileSync(join(outside, 'dir', 'canary.json'), `{"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "${CANARY}"}}`)
      writeFileSync(join(outside, 'dir', 'kustomization.yaml'), 'resources: [canary.json]\n')
      const tree: Tree = { fifos: [] }
      const hostile = random() < 0.6
      const entries = buildTree(random, root, outside, 0, tree, { n: 0 }, hostile)
      writeFileSync(join(root, 'kustomization.yaml'), `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${[...entries, '../outside/dir', join(outside, 'canary.yaml')].map((e) => `- ${e}`).join('\n')}\n`)
      if (tree.fifos.length > 0) assert.equal(spawnSync(MKFIFO!, tree.fifos).status, 0)
      mkdirSync(out)
      buildOut(random, out, outside)
      const outsideBefore = snapshot(outside)
      const rootBefore = snapshot(root)
      const runs: [string, string[]][] = [
        // Release 4.19 ships no policy of its own, so a tree without one can succeed.
        ['function', ['--target-release', '4.19', root]],
        ['discover', ['discover', root, '--root', root]],
        ['render --out', ['render', '--target-release', '4.19', root, '--out', out]],
      ]
      for (const [what, args] of runs) {
        const label = `case ${c} (seed ${SEED}), ${what}`
        const r = spawnSync(process.execPath, [BUNDLE, ...args], { cwd: dir, input: '', timeout: 15_000, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 })
        const stdout = r.stdout?.toString('utf8') ?? ''
        const stderr = r.stderr?.toString('utf8') ?? ''
        assert.notEqual((r.error as NodeJS.ErrnoException | undefined)?.code, 'ETIMEDOUT', `${label}: timed out\n${snapshot(root).join('\n')}`)
        assert.ok(r.status === 0 || r.status === 1 || r.status === 2, `${label}: exit ${r.status} ${r.signal}\n${stderr}`)
        assert.doesNotMatch(stderr, /\n\s+at |internal error|RangeError/, `${label}: stack trace\n${stderr}`)
        assert.doesNotMatch(stderr, /\u001b/, `${label}: raw escape on stderr`)
        assert.equal(stdout.includes(CANARY) || stderr.includes(CANARY), false, `${label}: read outside\n${stdout}${stderr}`)
        if (what === 'discover') assert.equal(r.status, 0, `${label}: discover exits 0\n${stderr}`)
        if (r.status === 0 && what !== 'discover') succeeded++
        assert.deepEqual(snapshot(outside), outsideBefore, `${label}: wrote outside`)
        assert.deepEqual(snapshot(root), rootBefore, `${label}: changed the input tree`)
        assert.deepEqual(readdirSync(dir).sort(), ['out', 'outside', 'root'], `${label}: left something beside the directories`)
        assert.deepEqual(readdirSync(out).filter((n) => n.startsWith('.')), [], `${label}: left a temporary directory in the output`)
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  // The generator must also make trees that are read and rendered, or the property says little.
  t.diagnostic(`${succeeded} of ${CASES * 2} function and render runs succeeded`)
  assert.ok(succeeded > 0, 'some runs succeed')
})
