import assert from 'node:assert/strict'
import { test } from 'node:test'
import { goQuote, goQuoteList } from './go-strconv.ts'

test('goQuote matches strconv.Quote', () => {
  assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"')
  assert.equal(goQuote('tab\there\n'), '"tab\\there\\n"')
  assert.equal(goQuote('\u0001\u007f'), '"\\x01\\x7f"')
  assert.equal(goQuote('é\u2028\u00a0'), '"é\\u2028\\u00a0"')
  assert.equal(goQuoteList(['a', 'b']), '["a" "b"]')
})
