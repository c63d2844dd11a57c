// `wabot sim` under faults, with real Baileys 7.0.0-rc14 clients that reconnect as Baileys'
// README does: a socket closed by the admin API, stream errors 515 and 503, a second login of
// the same device (the first gets 440), and a restart of `wabot sim --state DIR` in the middle of
// a conversation. Nothing may be lost: every message arrives once, in order, including those
// queued for an offline device across the restart, 1:1 and in a group.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { startSim } from './lib/sim.mjs'
import { BaileysClient, exitWhenDone, trustSim, withSim } from './lib/baileys-client.mjs'
import { Inbox, statsWhen } from './lib/sim-route.mjs'

exitWhenDone()

const range = (prefix, n) => Array.from({ length: n }, (_, i) => `${prefix} ${i}`)
const reopened = (c) => c.waitFor('connection.update', (u) => u.connection === 'open', 15000)

// Baileys commits a message's Signal state before it emits the message and sends the receipt, so
// a socket cut while it is in the middle of one loses that message on the client (the server's
// copy, delivered again, no longer decrypts). Faults are therefore injected when the receiver has
// everything sent so far and the server holds nothing unacknowledged for it; what is sent during
// the outage and the reconnection is the server's to keep.
test('close, 515 and 503 on the receiver mid-conversation, then a second login (440): nothing lost', async (t) => {
  await withSim({}, async ({ sim, connect }) => {
    const [a, b] = await Promise.all([connect({ name: 'Alice' }), connect({ name: 'Bob' })])
    let inbox = new Inbox(b)
    const got = []
    const fault = (body) => sim.admin('POST', '/admin/fault', { device: b.jid, ...body })
    const expected = []
    const send = async (prefix, n) => {
      for (const text of range(prefix, n)) {
        await a.sock.sendMessage(b.userJid, { text })
        expected.push(text)
      }
    }
    const quiet = async () => {
      await inbox.waitCount(a.userJid, expected.length - got.length)
      await statsWhen(sim, (s) => s.devices[b.jid].queued === 0)
    }
    const t0 = performance.now()
    await send('first', 10)
    for (const body of [{ action: 'close' }, { action: 'stream-error', code: 515 }, { action: 'stream-error', code: 503 }]) {
      await quiet()
      const back = reopened(b)
      await fault(body)
      await send(body.code ? `after ${body.code}` : 'after close', 10) // during the outage and the reconnection
      await back
    }
    await send('last', 5)
    await quiet()
    assert.deepEqual(b.closes, [515, 428, 515, 503])
    // the same device logs in from a second socket: the first one is told 440 and stops
    got.push(...inbox.texts(a.userJid))
    b.opts.reconnect = false // as an application would, once replaced
    const replaced = b.waitForClose()
    const twin = await connect({ authDir: b.authDir, reconnect: false })
    assert.equal(await replaced, 440)
    inbox = new Inbox(twin)
    await send('to the twin', 5)
    await quiet()
    await new Promise((resolve) => setTimeout(resolve, 300)) // anything extra would show up now
    got.push(...inbox.texts(a.userJid))
    assert.equal(got.length, expected.length, 'no message twice')
    assert.deepEqual([...got].sort(), [...expected].sort(), 'every message')
    const inOrder = got.every((text, i) => text === expected[i])
    const stats = await sim.stats()
    assert.deepEqual(stats.faults, { close: 1, stream_error: 2 })
    t.diagnostic(`${expected.length} messages across 3 faults and a replaced login in ${(performance.now() - t0).toFixed(0)} ms ` +
      `(${inOrder ? 'in sending order' : 'Baileys processed some live messages before the offline batch'}); ` +
      `delivered live ${stats.delivered.live.message}, offline ${stats.delivered.offline?.message ?? 0}`)
  })
})

test('a restart of wabot sim --state in the middle: clients reconnect and go on', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'wabot-sim-restart-'))
  const clients = []
  let sim = await startSim({ state: dir })
  try {
    trustSim(sim)
    const [a, b, c] = await Promise.all(['Alice', 'Bob', 'Carol'].map((name) => BaileysClient.connect(sim, { name })))
    clients.push(a, b, c)
    const inB = new Inbox(b)
    // the first message of a pair goes alone: Baileys handles a sender's first live message
    // (it learns the LID mapping) slower than the next, which could overtake it
    const before = range('before', 10)
    await a.sock.sendMessage(b.userJid, { text: before[0] })
    await inB.waitCount(a.userJid, 1)
    for (const text of before.slice(1)) await a.sock.sendMessage(b.userJid, { text })
    await inB.waitCount(a.userJid, 10)
    // a group of the three, with one message everyone has
    const group = await a.sock.groupCreate('across', [b.userJid, c.userJid])
    const inC0 = new Inbox(c)
    await a.sock.sendMessage(group.id, { text: 'group before' })
    await Promise.all([inB.waitCount(group.id, 1), inC0.waitCount(group.id, 1)])
    // Carol goes away; what Alice sends her waits in the queue, across the restart
    await c.close()
    for (const text of range('queued', 10)) await a.sock.sendMessage(c.userJid, { text })
    await a.sock.sendMessage(group.id, { text: 'group queued' })
    await inB.waitCount(group.id, 2)
    // the restart comes when the online clients have what was sent (see the note above)
    await statsWhen(sim, (s) => s.devices[c.jid].queued === 11 && s.devices[b.jid].queued === 0 &&
      s.devices[a.jid].queued === 0)
    const back = [reopened(a), reopened(b)]
    const t0 = performance.now()
    await sim.stop()
    sim = await startSim({ state: dir, port: sim.port })
    await Promise.all(back)
    const downMs = performance.now() - t0
    assert.equal((await sim.stats()).devices[c.jid].queued, 11)
    for (const text of range('after', 10)) await a.sock.sendMessage(b.userJid, { text })
    for (const text of range('late', 5)) await a.sock.sendMessage(c.userJid, { text })
    await a.sock.sendMessage(group.id, { text: 'group after' }) // the group came back from the state
    await inB.waitCount(a.userJid, 20)
    assert.deepEqual(inB.texts(a.userJid), [...range('before', 10), ...range('after', 10)])
    assert.deepEqual((await inB.waitCount(group.id, 3)).map((e) => e.text), ['group before', 'group queued', 'group after'])
    const c2 = await BaileysClient.connect(sim, { authDir: c.authDir, name: 'Carol' })
    clients.push(c2)
    const inC = new Inbox(c2)
    await inC.waitCount(a.userJid, 15)
    await inC.waitCount(group.id, 2)
    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.deepEqual(inC.texts(a.userJid), [...range('queued', 10), ...range('late', 5)])
    assert.deepEqual(inC.texts(group.id), ['group queued', 'group after'])
    const stats = await statsWhen(sim, (s) => s.devices[c.jid].queued === 0)
    assert.equal(stats.delivered.offline.message, 17)
    t.diagnostic(`restart to both clients open again: ${downMs.toFixed(0)} ms (reconnect attempts: ` +
      `Alice ${a.sockets - 1}, Bob ${b.sockets - 1})`)
  } finally {
    await Promise.all(clients.map((x) => x.close()))
    await sim.stop()
    await rm(dir, { recursive: true, force: true })
  }
})
