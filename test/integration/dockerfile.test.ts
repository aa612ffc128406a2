// The Dockerfile, read without building it: the stages, what each copies, the
// digest-pinned base image defaults, the function image's entrypoint run on the
// built bundle (the file the image copies), and the sidecar's paths matched
// against plugin.yaml and Argo CD's conventions. The images themselves are
// built by .ci/install-images.sh and run by images.test.ts.

import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { parse } from 'yaml'
import { parseStream, runProgram, tempDir } from './helpers.ts'
import { asResourceList } from '../../src/warm-up.ts'

interface Instruction {
  readonly op: string
  readonly args: string
}
interface Stage {
  readonly from: string
  readonly name: string
  readonly instructions: Instruction[]
}

/** Dockerfile → stages (comments dropped, `\` continuations joined). Enough for our own Dockerfile. */
function parseDockerfile(text: string): Stage[] {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))
  const stages: Stage[] = []
  for (const line of lines) {
    const [, op, args] = /^(\S+)\s+(.*)$/.exec(line)!
    if (op!.toUpperCase() === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args!)!
      stages.push({ from: m[1]!, name: m[2] ?? String(stages.length), instructions: [] })
    } else if (stages.length > 0) {
      stages.at(-1)!.instructions.push({ op: op!.toUpperCase(), args: args! })
    }
  }
  return stages
}

interface Copy {
  readonly from?: string
  readonly chmod?: string
  readonly chown?: string
  readonly sources: string[]
  readonly dest: string
}

function copies(stage: Stage): Copy[] {
  return stage.instructions
    .filter((i) => i.op === 'COPY')
    .map((i) => {
      const words = i.args.split(/\s+/)
      const flags = Object.fromEntries(words.filter((w) => w.startsWith('--')).map((w) => w.slice(2).split('=') as [string, string]))
      const paths = words.filter((w) => !w.startsWith('--'))
      return { ...(flags['from'] !== undefined ? { from: flags['from'] } : {}), ...(flags['chmod'] !== undefined ? { chmod: flags['chmod'] } : {}), ...(flags['chown'] !== undefined ? { chown: flags['chown'] } : {}), sources: paths.slice(0, -1), dest: paths.at(-1)! }
    })
}

function last(stage: Stage, op: string): string | undefined {
  return stage.instructions.filter((i) => i.op === op).at(-1)?.args
}

const DOCKERFILE = readFileSync('Dockerfile', 'utf8')
const STAGES = parseDockerfile(DOCKERFILE)
const stage = (name: string): Stage => {
  const s = STAGES.find((x) => x.name === name)
  assert.ok(s !== undefined, `Dockerfile has a stage named ${name}`)
  return s
}

/** Where the build stage's output lives in the repository (its WORKDIR is the repo root). */
function repoPathOfBuildOutput(imagePath: string): string {
  const workdir = last(stage('build'), 'WORKDIR')!
  assert.ok(imagePath.startsWith(`${workdir}/`), `${imagePath} is under the build stage's WORKDIR ${workdir}`)
  return imagePath.slice(workdir.length + 1)
}

test('parseDockerfile reads stages, continuations and COPY flags', () => {
  const stages = parseDockerfile('ARG X=1\nFROM a AS one\n# c\nRUN x \\\n  && y\nFROM b\nCOPY --from=one --chmod=0755 /s /d\n')
  assert.deepEqual(stages.map((s) => [s.from, s.name]), [['a', 'one'], ['b', '1']])
  assert.deepEqual(stages[0]!.instructions, [{ op: 'RUN', args: 'x    && y' }])
  assert.deepEqual(copies(stages[1]!), [{ from: 'one', chmod: '0755', sources: ['/s'], dest: '/d' }])
})

test('the build stage builds the bundle the way npm does', () => {
  const build = stage('build')
  assert.ok(build.instructions.some((i) => i.op === 'RUN' && /^npm ci\b/.test(i.args)), 'npm ci from the lock file')
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string> }
  assert.equal(pkg.scripts['build'], 'node scripts/build.mjs')
  // The portable bundle only: a startup snapshot loads only in the Node.js that built it.
  assert.ok(build.instructions.some((i) => i.op === 'RUN' && i.args === `${pkg.scripts['build']} --no-snapshot`))
  // The package's bin is the launcher; the images run the portable bundle it falls back to.
  assert.equal(pkg.bin['imagepolicy-mc'], 'dist/imagepolicy-mc')
})

test('the KRM function image runs as non-root and its entrypoint renders a ResourceList from stdin', (t) => {
  const fn = stage('krm-function')
  const user = last(fn, 'USER')!
  assert.match(user, /^[1-9]\d*(:[1-9]\d*)?$/, 'a numeric non-root user (kustomize and kpt may override it with nobody)')
  const entrypoint = JSON.parse(last(fn, 'ENTRYPOINT')!) as string[]
  const copied = copies(fn)
  // Map each image path of the entrypoint to the file on this machine.
  const argv = entrypoint.map((word) => {
    if (/\/node$/.test(word)) return process.execPath
    const c = copied.find((x) => x.dest === word)
    assert.ok(c !== undefined && c.from === 'build', `${word} is copied from the build stage`)
    return repoPathOfBuildOutput(c.sources[0]!)
  })
  assert.deepEqual(argv.slice(1), ['dist/imagepolicy-mc.js'])
  const input = [
    asResourceList(['image-cluster.yaml', 'policies.yaml'].map((f) => readFileSync(join('examples/kpt-package', f), 'utf8')).join('---\n')).trimEnd(),
    'functionConfig:',
    '  apiVersion: v1',
    '  kind: ConfigMap',
    '  metadata: {name: function-input}',
    '  data: {pools: worker, targetRelease: "4.19"}',
    '',
  ].join('\n')
  // As the container runs: no HOME, no PATH, an empty working directory, nothing but stdin.
  const out = runProgram(argv[0]!, argv.slice(1).map((p) => join(process.cwd(), p)), { cwd: tempDir(t), env: {}, input })
  assert.equal(out.code, 0, out.stderr)
  const list = parse(out.stdout) as { kind: string; items: { kind: string }[] }
  assert.equal(list.kind, 'ResourceList')
  assert.deepEqual(list.items.map((i) => i.kind), ['Image', 'ClusterImagePolicy', 'Namespace', 'ImagePolicy', 'MachineConfig'])
  assert.equal(out.stderr, '', 'no warnings on this input')
})

test('the Argo CD sidecar image matches plugin.yaml and the sidecar conventions', () => {
  const cmp = stage('argocd-cmp')
  assert.equal(last(cmp, 'USER'), '999', 'Argo CD runs plugin sidecars as uid 999')
  const copied = copies(cmp)
  const plugin = copied.find((c) => c.sources[0] === 'plugin.yaml')
  assert.equal(plugin?.dest, '/home/argocd/cmp-server/config/plugin.yaml')
  const pluginYaml = parse(readFileSync('plugin.yaml', 'utf8')) as { spec: { generate: { command: string[] }; discover: { find: { command: string[] } } } }
  // The image's PATH is the base image's: /usr/local/bin is on it in the node images.
  for (const command of [pluginYaml.spec.generate.command, pluginYaml.spec.discover.find.command]) {
    const installed = copied.find((c) => c.dest === `/usr/local/bin/${command[0]}`)
    assert.ok(installed !== undefined, `${command[0]} is installed on PATH`)
    assert.equal(installed.from, 'build')
    assert.equal(installed.chmod, '0755', 'executable (it runs without a shell, through its #! line)')
    assert.equal(repoPathOfBuildOutput(installed.sources[0]!), 'dist/imagepolicy-mc.js')
  }
  const kustomize = copied.find((c) => c.dest === '/usr/local/bin/kustomize')
  assert.ok(kustomize !== undefined, 'the standalone kustomize is on PATH, so build prefers it')
  assert.equal(stage(kustomize.from!).from, '${KUSTOMIZE_IMAGE}')
  // 5.6, as Debian 13's kustomize package that CI builds the image with.
  assert.match(DOCKERFILE, /^ARG KUSTOMIZE_IMAGE=registry\.k8s\.io\/kustomize\/kustomize:v5\.6\.\d+@sha256:[0-9a-f]{64}$/m)
  assert.match(readFileSync('dist/imagepolicy-mc.js', 'utf8'), /^#!\/usr\/bin\/env node\n/)
})

/** .dockerignore → "is this context path sent?" (last matching rule wins; a directory rule covers its contents). */
function dockerignore(text: string): (path: string) => boolean {
  const rules = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const include = l.startsWith('!')
      const pattern = (include ? l.slice(1) : l).replace(/\/$/, '')
      const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '\u0000').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]').replace(/\u0000/g, '(?:.*/)?')}(?:/.*)?$`)
      return { include, re }
    })
  return (path) => rules.reduce((sent, r) => (r.re.test(path) ? r.include : sent), true)
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
}

test('every base image is a build argument whose default is pinned by digest', () => {
  const args = new Map([...DOCKERFILE.matchAll(/^ARG (\w+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]))
  const froms = STAGES.map((s) => s.from).filter((f) => f.startsWith('${'))
  assert.deepEqual(froms.sort(), ['${BUILD_IMAGE}', '${DISTROLESS_NODE_IMAGE}', '${KUSTOMIZE_IMAGE}', '${NODE_IMAGE}'])
  for (const f of froms) {
    const value = args.get(f.slice(2, -1))
    assert.match(value ?? '', /^[a-z0-9.-]+\.[a-z]+\/[a-z0-9./_-]+:[\w.-]+@sha256:[0-9a-f]{64}$/, `${f} defaults to a registry image pinned by digest`)
  }
  assert.ok(STAGES.every((s) => s.from.startsWith('${') || STAGES.some((x) => x.name === s.from)), 'no base image outside the build arguments')
})

test('.dockerignore sends what the build copies and nothing else', () => {
  const sent = dockerignore(readFileSync('.dockerignore', 'utf8'))
  assert.ok(sent('package.json') && sent('src/cli/main.ts') && sent('scripts/build.mjs') && sent('plugin.yaml'))
  for (const out of ['node_modules/yaml/package.json', 'dist/imagepolicy-mc.js', '.git/HEAD', 'test/golden.test.ts', 'examples/quickstart/policies.yaml', 'src/upstream/go-json.test.ts']) {
    assert.ok(!sent(out), `${out} stays out of the context`)
  }
  for (const s of STAGES) {
    for (const c of copies(s).filter((x) => x.from === undefined)) {
      for (const source of c.sources) {
        const paths = source.endsWith('/') ? files(source).filter((f) => !f.endsWith('.test.ts')) : [source]
        assert.ok(paths.length > 0, source)
        for (const p of paths) assert.ok(sent(p), `${p} (COPY ${source} in stage ${s.name}) is in the build context`)
      }
    }
  }
  // Every module the bundle is built from is sent (tests are not).
  for (const f of files('src')) assert.equal(sent(f), !f.endsWith('.test.ts'), f)
})

test('the Dockerfile copies from stages that exist and builds nothing at run time', () => {
  const names = new Set(STAGES.map((s) => s.name))
  for (const s of STAGES) for (const c of copies(s)) if (c.from !== undefined) assert.ok(names.has(c.from), `COPY --from=${c.from}`)
  for (const name of ['krm-function', 'argocd-cmp']) {
    const s = stage(name)
    assert.ok(!s.instructions.some((i) => i.op === 'RUN' && /\b(npm|curl|wget)\b/.test(i.args)), `${name} downloads nothing`)
  }
  assert.ok(parseStream(readFileSync('plugin.yaml', 'utf8')).length === 1)
})
