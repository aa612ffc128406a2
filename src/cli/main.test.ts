import assert from 'node:assert/strict'
import { test } from 'node:test'
import { COMMAND_NAMES } from './main.ts'
import { fastFunctionArgs } from './flags.ts'
import { COMMANDS } from '../commands/index.ts'

test('the lazy command list names exactly the command table', () => {
  assert.deepEqual([...COMMAND_NAMES].sort(), Object.keys(COMMANDS).sort())
})

test('the fast argument path reads the common invocations', () => {
  assert.deepEqual(fastFunctionArgs([]), { paths: [], flags: {} })
  assert.deepEqual(fastFunctionArgs(['--config', 'c.yaml']), { paths: [], config: 'c.yaml', flags: {} })
  assert.deepEqual(fastFunctionArgs(['a.yaml', '--pools=worker,infra', '--no-emit-policies', '--strict', '--validate', 'warn', 'dir']), {
    paths: ['a.yaml', 'dir'],
    flags: { pools: ['worker', 'infra'], validate: 'warn', emitPolicies: false, strict: true },
  })
})

test('anything unusual goes to the full parser (undefined here)', () => {
  for (const argv of [['--help'], ['-h'], ['--pool', 'x'], ['--ignition-version', '9.9.9'], ['--validate=maybe'], ['--config'], ['--strict=yes'], ['--name', 'a', '--name', 'b'], ['--no-config']]) {
    assert.equal(fastFunctionArgs(argv), undefined, argv.join(' '))
  }
})

test('the main --help names every command', async () => {
  let out = ''
  const { parseFunctionArgs } = await import('./main-args.ts')
  const code = await parseFunctionArgs(['--help'], { stdout: { write: (s: string) => { out += s; return true } }, stderr: { write: () => true } } as never)
  assert.equal(code, 0)
  for (const name of COMMAND_NAMES) assert.match(out, new RegExp(`^\\s*imagepolicy-mc ${name}\\b`, 'm'), name)
})
