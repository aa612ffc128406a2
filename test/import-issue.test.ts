// import's problems are Issues (src/import/import-issue.ts): the origin as the
// file, the entry as a field path, graded by --partial only at the edge.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatImportIssue, gradeImportIssues, importIssue, importNote, isGeneral, sortImportIssues } from '../src/import/import-issue.ts'
import { formatIssue, toResult } from '../src/issues.ts'

test('import issue: file, field path and the stderr wording of each entry kind', () => {
  const scope = importIssue('node/policy.json', 'signedBy', { transport: 'docker', scope: 'a.com/r' })
  assert.deepEqual([scope.code, scope.severity, scope.file, scope.path], ['import', 'error', { path: 'node/policy.json' }, ['transports', 'docker', 'a.com/r']])
  assert.equal(formatImportIssue(scope), 'node/policy.json: transport docker scope "a.com/r": signedBy')
  const def = importIssue('node/policy.json', 'another default', 'default')
  assert.deepEqual([def.path, def.scope, isGeneral(def)], [['default'], undefined, false])
  assert.equal(formatImportIssue(def), 'node/policy.json: default: another default')
  const whole = importIssue('<imported resources>', 'rendering failed')
  assert.deepEqual([whole.path, isGeneral(whole)], [[], true])
  assert.equal(formatImportIssue(whole), '<imported resources>: rendering failed')
  assert.deepEqual(importIssue('r.yaml', 'x', { transport: 'registries.d', scope: 'q.io' }).path, ['docker', 'q.io'])
  assert.deepEqual(importIssue('r.yaml', 'x', { transport: 'registries.d', scope: 'default-docker' }).path, ['default-docker'])
  // The shared edge functions read it as any Issue.
  assert.equal(formatIssue(scope), 'error transports.docker["a.com/r"]: signedBy (node/policy.json)')
  assert.deepEqual(toResult(scope)['tags'], { code: 'import' })
  const note = importNote('no scope of its own', 'ns.json')
  assert.equal(`${note.severity} ${formatImportIssue(note)}`, 'info ns.json: no scope of its own')
  assert.equal(formatImportIssue(importNote('plain')), 'plain')
})

test('import issue: --partial grades findings warnings, without it errors; sorted by file, transport, default first, scope, message', () => {
  const list = [
    importIssue('b.json', 'z', { transport: 'docker', scope: 'a' }),
    importIssue('a.json', 'y', { transport: 'docker', scope: 'b' }),
    importIssue('a.json', 'x', { transport: 'docker', scope: 'a' }),
    importIssue('a.json', 'w', 'default'),
    importIssue('a.json', 'v', { transport: 'atomic', scope: 'c' }),
  ]
  assert.deepEqual(sortImportIssues(list).map((i) => i.message), ['w', 'v', 'x', 'y', 'z'])
  assert.deepEqual(gradeImportIssues(list, true).map((i) => i.severity), Array(5).fill('warning'))
  assert.deepEqual(gradeImportIssues(list, false).map((i) => i.severity), Array(5).fill('error'))
})
