// `wabot sim` against real Baileys 7.0.0-rc14: linking and logging in (the simulator's first
// scenario). Three clients link by QR and a fourth by pairing code, all at once; each must
// reach `open` with every request answered (Baileys logs "timed out waiting for message" for an
// IQ left unanswered, and `open` would then take 60 s more).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startSim } from './lib/sim.mjs'
import { BaileysClient, exitWhenDone, trustSim } from './lib/baileys-client.mjs'

exitWhenDone()

const OPEN_BUDGET_MS = 10000 // generous for CI; a client normally opens in under a second

test('three Baileys clients link by QR and one by pairing code, each reaches open', async (t) => {
  const sim = await startSim()
  trustSim(sim)
  const clients = []
  try {
    const started = [
      BaileysClient.connect(sim, { name: 'Alice' }),
      BaileysClient.connect(sim, { name: 'Bob', phone: '15550002222' }),
      BaileysClient.connect(sim, { name: 'Carol' }),
      BaileysClient.connect(sim, { name: 'Dave', pairing: 'code', phone: '15550004444' })
    ]
    const results = await Promise.allSettled(started)
    for (const r of results) if (r.status === 'fulfilled') clients.push(r.value)
    for (const r of results) if (r.status === 'rejected') throw r.reason
    const [alice, bob, carol, dave] = clients
    assert.equal(bob.phone, '15550002222')
    assert.equal(dave.phone, '15550004444')
    assert.equal(new Set(clients.map((c) => c.jid)).size, 4, 'four distinct devices')
    for (const c of clients) {
      assert.match(c.jid, /^\d+:1@s\.whatsapp\.net$/)
      assert.deepEqual(c.closes, [515], 'one restart after linking, nothing else')
      assert.deepEqual(c.unansweredRequests(), [])
      assert.ok(c.timeToOpenMs < OPEN_BUDGET_MS, `${c.opts.name} opened after ${c.timeToOpenMs} ms`)
      assert.match(c.sock.user.lid, /^\d+:1@lid$/)
      assert.equal(c.sock.user.name, c.opts.name)
    }
    const stats = await sim.stats()
    assert.equal(stats.pairings.ok, 4)
    assert.equal(stats.logins.ok, 4)
    assert.equal(stats.iqs.unknown?.total ?? 0, 0)
    t.diagnostic('time to open (ms, from the first connect, pairing included): ' +
      clients.map((c) => `${c.opts.name} ${c.timeToOpenMs.toFixed(0)} (login->open ${c.loginToOpenMs.toFixed(0)})`).join(', '))
    t.diagnostic(`stats: ${JSON.stringify(stats)}`)
  } finally {
    await Promise.all(clients.map((c) => c.close()))
    await sim.stop()
  }
})
