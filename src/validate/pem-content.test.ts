import assert from 'node:assert/strict'
import { test } from 'node:test'
import { pemBlocks } from './pem-content.ts'

test('pemBlocks finds blocks in order, skips text between them, and flags an unterminated one', () => {
  const a = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'
  const b = '-----BEGIN PUBLIC KEY-----\nBBBB\n-----END PUBLIC KEY-----'
  assert.deepEqual(pemBlocks(`# comment\n${a}\nbetween\n${b}\n`), [
    { type: 'CERTIFICATE', text: a },
    { type: 'PUBLIC KEY', text: b },
  ])
  assert.deepEqual(pemBlocks(`${a}${a}`).length, 2, 'markers may touch')
  assert.deepEqual(pemBlocks('-----BEGIN CERTIFICATE-----\nAAAA\n'), [{ type: '', text: '-----BEGIN CERTIFICATE-----\nAAAA\n' }])
  assert.deepEqual(pemBlocks('no pem here'), [])
})
