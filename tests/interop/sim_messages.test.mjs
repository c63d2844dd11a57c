// `wabot sim` routing 1:1 messages between real Baileys 7.0.0-rc14 clients: text both ways
// (pkmsg, then msg), delivery and read receipts back to the sender, the offline queue (50
// messages to a client that went away, each received exactly once after it logs in again), and
// device-list notifications (a contact's newly linked device is included by the sender).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { performance } from 'node:perf_hooks'
import { exitWhenDone, withSim } from './lib/baileys-client.mjs'
import { Inbox, StatusTracker, statsWhen } from './lib/sim-route.mjs'

exitWhenDone()

test('1:1 text both ways; delivery then read receipts reach the sender', async (t) => {
  await withSim({}, async ({ sim, connect }) => {
    const [a, b] = await Promise.all([connect({ name: 'Alice' }), connect({ name: 'Bob' })])
    const inA = new Inbox(a)
    const inB = new Inbox(b)
    const status = new StatusTracker(a)
    const hi = await a.sock.sendMessage(b.userJid, { text: 'hi' })
    const [got] = await inB.waitCount(a.userJid, 1)
    assert.equal(got.text, 'hi')
    assert.equal(b.events.find((e) => e.event === 'messages.upsert' && e.data.messages[0].key.id === hi.key.id).data.messages[0].pushName, 'Alice')
    assert.equal(await status.reached(hi.key.id, 3), 3, 'delivery receipt (status 3)')
    const readKey = b.events.find((e) => e.event === 'messages.upsert' && e.data.messages[0].key.id === hi.key.id).data.messages[0].key
    await b.sock.readMessages([readKey])
    assert.equal(await status.reached(hi.key.id, 4), 4, 'read receipt (status 4)')
    // the reply goes over the session B made from A's pkmsg: a plain msg
    await b.sock.sendMessage(a.userJid, { text: 'hello back' })
    assert.deepEqual(inA.texts(b.userJid).length ? inA.texts(b.userJid) : (await inA.waitCount(b.userJid, 1)).map((e) => e.text), ['hello back'])
    const t0 = performance.now()
    const N = 50
    for (let i = 0; i < N; i++) await a.sock.sendMessage(b.userJid, { text: `n${i}` })
    await inB.waitCount(a.userJid, N + 1)
    const rate = N / ((performance.now() - t0) / 1000)
    assert.deepEqual(inB.texts(a.userJid), ['hi', ...Array.from({ length: N }, (_, i) => `n${i}`)])
    const stats = await statsWhen(sim, (s) => s.receipts.routed.delivery >= N + 2)
    assert.equal(stats.messages.in, N + 2)
    assert.equal(stats.messages.deliveries, N + 2)
    assert.equal(stats.receipts.routed.read, 1)
    assert.ok(stats.receipts.routed.delivery >= N + 2)
    // Every message also went to both phones (device 0, listed by usync and with a bundle, as on
    // WhatsApp); the simulated phones never read, and nothing else was dropped.
    assert.deepEqual(stats.route?.dropped, { phone: 2 * (N + 2) })
    for (const c of [a, b]) assert.deepEqual(c.unansweredRequests(), [])
    t.diagnostic(`time to open: ${a.timeToOpenMs.toFixed(0)} / ${b.timeToOpenMs.toFixed(0)} ms; ${N} messages one after another at ${rate.toFixed(0)}/s`)
  })
})

test('a client that went away gets the 50 messages sent meanwhile, each exactly once', async (t) => {
  await withSim({}, async ({ sim, connect }) => {
    const [a, b] = await Promise.all([connect({ name: 'Alice' }), connect({ name: 'Bob' })])
    const inB = new Inbox(b)
    await a.sock.sendMessage(b.userJid, { text: 'before' })
    await inB.waitCount(a.userJid, 1)
    await b.close()
    const N = 50
    for (let i = 0; i < N; i++) await a.sock.sendMessage(b.userJid, { text: `offline ${i}` })
    let stats = await statsWhen(sim, (s) => s.messages.in === N + 1)
    assert.equal(stats.queued.message, N)
    assert.equal(stats.devices[b.jid].queued, N)
    const t0 = performance.now()
    const b2 = await connect({ authDir: b.authDir, name: 'Bob' })
    const inB2 = new Inbox(b2)
    const got = await inB2.waitCount(a.userJid, N)
    const ms = performance.now() - t0
    await new Promise((resolve) => setTimeout(resolve, 300)) // anything extra would show up now
    assert.deepEqual(inB2.texts(a.userJid), Array.from({ length: N }, (_, i) => `offline ${i}`))
    assert.ok(got.every((e) => e.type === 'append'), 'offline deliveries are appended')
    assert.deepEqual(b2.closes, [])
    stats = await statsWhen(sim, (s) => s.devices[b.jid].queued === 0)
    assert.equal(stats.delivered.offline.message, N)
    assert.equal(stats.devices[b.jid].queued, 0, 'every message acked by its receipt')
    t.diagnostic(`reconnect to all ${N} received: ${ms.toFixed(0)} ms (open after ${b2.timeToOpenMs.toFixed(0)} ms)`)
  })
})

test('a contact links a second device, then loses it: the sender hears of both', async (t) => {
  await withSim({}, async ({ sim, connect }) => {
    const [a, b] = await Promise.all([connect({ name: 'Alice' }), connect({ name: 'Bob' })])
    const inB = new Inbox(b)
    await a.sock.sendMessage(b.userJid, { text: 'one' }) // A now has B's device list cached
    await inB.waitCount(a.userJid, 1)
    const b2 = await connect({ name: 'Bob', phone: b.phone })
    assert.match(b2.jid, new RegExp(`^${b.phone}:2@s\\.whatsapp\\.net$`))
    const inB2 = new Inbox(b2)
    // A acked the devices notification (and B's first device got one about its sibling)
    const stats = await statsWhen(sim, (s) => (s.acked?.notification ?? 0) >= 2)
    assert.equal(stats.device_lists?.notified?.add, 2)
    await a.sock.sendMessage(b.userJid, { text: 'two' })
    await inB2.waitCount(a.userJid, 1)
    await inB.waitCount(a.userJid, 2)
    assert.deepEqual(inB2.texts(a.userJid), ['two'])
    assert.deepEqual(inB.texts(a.userJid), ['one', 'two'])
    // the phone unlinks it again: A hears of that too and leaves it out
    b2.opts.reconnect = false
    await sim.admin('POST', '/admin/mock-phone/unlink', { device: b2.jid })
    await statsWhen(sim, (s) => (s.acked?.notification ?? 0) >= 4) // A and B handled the removal
    await a.sock.sendMessage(b.userJid, { text: 'three' })
    await inB.waitCount(a.userJid, 3)
    const after = await sim.stats()
    assert.equal(after.device_lists.notified.remove, 2)
    assert.equal(after.route?.dropped?.unknown_device ?? 0, 0, 'A did not encrypt for the removed device')
    t.diagnostic(`second device open after ${b2.timeToOpenMs.toFixed(0)} ms`)
  })
})
