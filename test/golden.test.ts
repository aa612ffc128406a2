// Golden fixtures: every directory under test/fixtures/golden/ is one case.
//   input.yaml      stdin (first line: a comment saying what the case proves)
//   config.yaml     optional functionConfig, passed as --config
//   args            optional extra CLI arguments, one per line
//   expected.yaml   stdout, byte for byte
//   expected.txt    `exit: N`, then stderr, byte for byte
// UPDATE=1 rewrites the expected files and marks each case skipped ("fixture
// updated"), so an update run is never reported green; CI refuses to update.

import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { runCli } from './run-cli.ts'

const ROOT = 'test/fixtures/golden'
const UPDATE = process.env['UPDATE'] === '1'
if (UPDATE && process.env['CI'] !== undefined && process.env['CI'] !== '') {
  throw new Error('refusing to update golden fixtures in CI (UPDATE=1 with CI set)')
}

const cases = existsSync(ROOT) ? readdirSync(ROOT).sort() : []

test('golden fixtures are present', () => {
  assert.ok(cases.length > 0, `no golden cases under ${ROOT}`)
})

for (const name of cases) {
  test(`golden ${name}`, async (t) => {
    const dir = join(ROOT, name)
    const input = readFileSync(join(dir, 'input.yaml'), 'utf8')
    assert.match(input, /^#/, 'input.yaml starts with a comment saying what the case proves')
    const args = existsSync(join(dir, 'args')) ? readFileSync(join(dir, 'args'), 'utf8').split('\n').filter((l) => l !== '') : []
    if (existsSync(join(dir, 'config.yaml'))) args.push('--config', join(dir, 'config.yaml'))
    const result = await runCli(args, input)
    const stdout = result.stdout
    const stderr = `exit: ${result.code}\n${result.stderr}`
    if (UPDATE) {
      writeFileSync(join(dir, 'expected.yaml'), stdout)
      writeFileSync(join(dir, 'expected.txt'), stderr)
      t.skip('fixture updated')
      return
    }
    assert.equal(stderr, readFileSync(join(dir, 'expected.txt'), 'utf8'), 'exit code and stderr')
    assert.equal(stdout, readFileSync(join(dir, 'expected.yaml'), 'utf8'), 'stdout')
  })
}
