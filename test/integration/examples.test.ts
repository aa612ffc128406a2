// Every examples/*/README.md is checked: each `$ command` of its ```console
// blocks runs with bash (pipefail; stderr merged into stdout) from a fresh copy
// of the example, in order, with imagepolicy-mc on PATH and a fresh HOME, and
// must exit 0 and print exactly the lines below it (see normalizeOutput).

import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { binDir, copyTree, pathWith, requireTool, runProgram, tempDir } from './helpers.ts'
import { consoleSteps, normalizeOutput } from './readme-blocks.ts'

const EXAMPLES = 'examples'
const examples = readdirSync(EXAMPLES, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort()

test('readme-blocks: consoleSteps and normalizeOutput', () => {
  const md = 'text\n```console\n$ a | b\nout 1\n\nout 2\n$ c\n```\n```yaml\n$ not a command\n```\n```console\n$ d\n```\n'
  assert.deepEqual(consoleSteps(md), [
    { command: 'a | b', output: 'out 1\n\nout 2\n' },
    { command: 'c', output: '' },
    { command: 'd', output: '' },
  ])
  assert.throws(() => consoleSteps('```console\nstray\n```\n'), /before any command/)
  assert.equal(normalizeOutput('installed /tmp/h/x\nPackage "p": \n[PASS] "f" in 1.2s\n[PASS] "f" in 300ms\n', '/tmp/h'), 'installed ~/x\nPackage "p":\n[PASS] "f" in <time>\n[PASS] "f" in <time>\n')
})

test('every example has a README with checked commands', () => {
  assert.ok(examples.length >= 4, `examples: ${examples.join(', ')}`)
  for (const name of ['quickstart', 'kustomize-overlay', 'kpt-package', 'argocd']) assert.ok(examples.includes(name), name)
  for (const name of examples) {
    const readme = join(EXAMPLES, name, 'README.md')
    assert.ok(existsSync(readme), `${readme} exists`)
    assert.ok(consoleSteps(readFileSync(readme, 'utf8')).length > 0, `${readme} has a console block`)
  }
})

for (const name of examples) {
  const readme = join(EXAMPLES, name, 'README.md')
  if (!existsSync(readme)) continue
  test(`${readme}: the commands print what the README shows`, (t) => {
    const steps = consoleSteps(readFileSync(readme, 'utf8'))
    for (const tool of ['kubectl', 'kpt']) {
      if (steps.some((s) => new RegExp(`(^|[|;&(]\\s*)${tool}\\s`).test(s.command)) && requireTool(t, tool) === undefined) return
    }
    const root = tempDir(t)
    const dir = join(root, name)
    copyTree(join(EXAMPLES, name), dir)
    const home = join(root, 'home')
    mkdirSync(home)
    const env = { PATH: pathWith(binDir(t)), HOME: home, LC_ALL: 'C', TERM: 'dumb' }
    for (const step of steps) {
      const ran = runProgram('bash', ['-o', 'pipefail', '-c', `exec 2>&1\n${step.command}`], { cwd: dir, env })
      assert.equal(ran.code, 0, `$ ${step.command}\n${ran.stdout}`)
      assert.equal(normalizeOutput(ran.stdout, home), normalizeOutput(step.output, home), `$ ${step.command}`)
    }
  })
}
