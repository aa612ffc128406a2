// The option table (src/option-table.ts) is the one description of the
// options: plugin.yaml's parameters, every --help text, build's environment
// names and the defaults are checked against it here.

import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { parse } from 'yaml'
import { BUILD_ENV_OPTIONS } from '../src/commands/build.ts'
import { CONFIG_OPTIONS, defaultHelp, ENV_OPTIONS, OPTION_TABLE } from '../src/option-table.ts'
import { DEFAULT_OPTIONS } from '../src/options.ts'
import { runCli } from './run-cli.ts'

interface StaticParameter {
  readonly name: string
  readonly title?: string
  readonly tooltip?: string
  readonly collectionType?: string
  readonly string?: string
  readonly array?: string[]
}

/** The parameter plugin.yaml must announce for an option, from the table alone. */
function parameterOf(o: (typeof ENV_OPTIONS)[number]): StaticParameter {
  assert.ok(o.plugin !== undefined, `${o.flag} has an env name, so it needs plugin.yaml's title and tooltip`)
  const value = o.type === 'list' ? { collectionType: 'array', array: o.default as string[] } : { string: String(o.default) }
  return { name: o.flag, title: o.plugin.title, tooltip: o.plugin.tooltip, ...value }
}

for (const path of ['plugin.yaml', 'deploy/argocd/plugin.yaml']) {
  test(`${path} announces exactly the table's Argo CD options, in order, with their defaults, titles and tooltips`, () => {
    const plugin = parse(readFileSync(path, 'utf8')) as { spec: { parameters?: { static?: StaticParameter[] } } }
    assert.deepEqual(plugin.spec.parameters?.static, ENV_OPTIONS.map(parameterOf))
  })
}

test('the table: unique flags, keys and env names; Argo CD names are the flags as Argo CD escapes them; limits are flags only', () => {
  for (const field of ['flag', 'key', 'env'] as const) {
    const values = OPTION_TABLE.flatMap((o) => (o[field] !== undefined ? [o[field]] : []))
    assert.equal(new Set(values).size, values.length, field)
  }
  for (const o of ENV_OPTIONS) assert.equal(o.env, o.flag.toUpperCase().replace(/-/g, '_'), o.flag)
  for (const o of OPTION_TABLE.filter((x) => x.type === 'bytes' || x.type === 'file')) {
    assert.equal(o.key, undefined, `${o.flag}: no functionConfig key (a repository must not set it)`)
    assert.equal(o.env, undefined, `${o.flag}: not from the environment`)
  }
  assert.deepEqual(Object.keys(DEFAULT_OPTIONS), CONFIG_OPTIONS.map((o) => o.key))
  assert.deepEqual(
    BUILD_ENV_OPTIONS.map((o) => [o.option, o.flag, o.env]),
    ENV_OPTIONS.map((o) => [o.key, o.flag, o.env]),
  )
})

test('every --help lists every option of the table with its default and allowed values', async () => {
  const helps: [string, string][] = []
  for (const args of [['--help'], ['render', '--help'], ['explain', '--help'], ['diff', '--help'], ['build', '--help'], ['check', '--help']]) {
    const out = await runCli(args)
    assert.equal(out.code, 0, args.join(' '))
    helps.push([args.join(' '), out.stdout.replace(/\s+/g, ' ')])
  }
  for (const [name, text] of helps) {
    for (const o of OPTION_TABLE) {
      assert.ok(text.includes(`--${o.flag}`) || text.includes(`--[no-]${o.flag}`), `${name}: --${o.flag}`)
      const fallback = defaultHelp(o)
      if (fallback !== undefined) assert.ok(text.includes(`[default: ${fallback}]`), `${name}: --${o.flag} [default: ${fallback}]`)
      if (o.choices !== undefined) assert.ok(text.includes(o.choices.join(', ')), `${name}: --${o.flag} choices`)
    }
  }
  const build = helps.find(([name]) => name === 'build --help')![1]
  for (const o of ENV_OPTIONS) assert.ok(build.includes(`PARAM_${o.env}`) && build.includes(`ARGOCD_ENV_${o.env}`), `build --help: ${o.env}`)
})

test('README "Options" has a row for every functionConfig option, with its flag and default', () => {
  const readme = readFileSync('README.md', 'utf8')
  for (const o of CONFIG_OPTIONS) {
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${o.key}\` | \`--${o.flag}`))
    assert.ok(row !== undefined, `README row for ${o.key}`)
    const fallback = Array.isArray(o.default) ? `[${o.default.join(', ')}]` : String(o.default)
    assert.ok(row.includes(`| \`${fallback}\` |`), `README default of ${o.key}: ${fallback}`)
  }
})
