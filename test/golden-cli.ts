// Golden CLI cases, shared by the subcommands' tests: every directory
// test/fixtures/<prefix>*/ holds
//   args          the CLI arguments, one per line (paths from the repository root)
//   input.yaml    optional stdin (first line: a comment saying what the case proves)
//   expected.out  stdout, byte for byte
//   expected.txt  `exit: N`, then stderr, byte for byte
// UPDATE=1 rewrites the expected files and marks each case skipped ("fixture
// updated"), so an update run is never reported green; CI refuses to update.

import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { runCli } from './run-cli.ts'

const ROOT = 'test/fixtures'
const UPDATE = process.env['UPDATE'] === '1'
if (UPDATE && process.env['CI'] !== undefined && process.env['CI'] !== '') {
  throw new Error('refusing to update golden fixtures in CI (UPDATE=1 with CI set)')
}

/** Registers one test per `test/fixtures/<prefix>*` case, and one that at least `minimum` are there. */
export function goldenCliCases(prefix: string, minimum: number): void {
  const cases = readdirSync(ROOT).filter((d) => d.startsWith(prefix) && existsSync(join(ROOT, d, 'args'))).sort()
  test(`${prefix}* golden fixtures are present`, () => {
    assert.ok(cases.length >= minimum, `expected at least ${minimum} ${prefix}* cases under ${ROOT}, found ${cases.join(', ')}`)
  })
  for (const name of cases) {
    test(`golden ${name}`, async (t) => {
      const dir = join(ROOT, name)
      const args = readFileSync(join(dir, 'args'), 'utf8').split('\n').filter((l) => l !== '')
      const stdin = existsSync(join(dir, 'input.yaml')) && !args.includes(join(dir, 'input.yaml')) ? readFileSync(join(dir, 'input.yaml'), 'utf8') : ''
      if (stdin !== '') assert.match(stdin, /^#/, 'input.yaml starts with a comment saying what the case proves')
      const result = await runCli(args, stdin)
      const stderr = `exit: ${result.code}\n${result.stderr}`
      if (UPDATE) {
        writeFileSync(join(dir, 'expected.out'), result.stdout)
        writeFileSync(join(dir, 'expected.txt'), stderr)
        t.skip('fixture updated')
        return
      }
      assert.equal(stderr, readFileSync(join(dir, 'expected.txt'), 'utf8'), 'exit code and stderr')
      assert.equal(result.stdout, readFileSync(join(dir, 'expected.out'), 'utf8'), 'stdout')
    })
  }
}
