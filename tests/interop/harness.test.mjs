// The harness itself: the helper process carries arbitrary bytes both ways unchanged.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { Helper, b64 } from './lib/helper.mjs'

test('helper echoes bytes of every length unchanged', async () => {
  const h = new Helper()
  try {
    for (const n of [0, 1, 2, 3, 255, 65536, 1 << 20]) {
      const data = randomBytes(n)
      const r = await h.call('echo', { data })
      assert.deepEqual(b64(r.data), data)
    }
  } finally { await h.close() }
})

test('helper reports unknown ops as errors, not crashes', async () => {
  const h = new Helper()
  try {
    await assert.rejects(h.call('no-such-op'), /unknown op/)
    const r = await h.call('echo', { data: Buffer.from('still alive') })
    assert.equal(b64(r.data).toString(), 'still alive')
  } finally { await h.close() }
})
