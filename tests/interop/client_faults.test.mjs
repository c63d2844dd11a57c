// What wabot's client does when the connection goes wrong, with Baileys on the other side
// through `wabot sim`: a stalled socket noticed within the keepalive deadline and reconnected;
// 515 and 503 answered with an immediate reconnect; 401 (the phone removed the device) and 440
// (another process logged in as it) ending `wabot sync --follow` with their exit codes; and
// messages that do not decrypt: wabot's retry receipt answered by Baileys' resend (surfaced
// once), and Baileys' retry receipt answered from wabot's stored copy.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { cpSync } from 'node:fs'
import { join } from 'node:path'
import { startSim } from './lib/sim.mjs'
import { BaileysClient, exitWhenDone, trustSim } from './lib/baileys-client.mjs'
import { Wabot, newWabot } from './lib/wabot.mjs'
import { statsWhen } from './lib/sim-route.mjs'

exitWhenDone()

const textOf = (m) => m.message?.conversation ?? m.message?.extendedTextMessage?.text
const events = (p, name) => p.lines.map((l) => JSON.parse(l)).filter((e) => e.event === name)
const closes = (p) => events(p, 'connection.update').filter((e) => e.data.connection === 'close').map((e) => e.data.lastDisconnect.statusCode)
const opens = (p) => events(p, 'connection.update').filter((e) => e.data.connection === 'open').length

async function until (pred, ms, what) {
  const end = Date.now() + ms
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

test('wabot notices a stalled socket within the keepalive deadline and reconnects; 515, 503', async (t) => {
  const sim = await startSim()
  trustSim(sim)
  let follow
  try {
    const w = await newWabot(sim)
    await w.link({ phone: '15550707070', name: 'Wabot' })
    follow = w.spawn(['sync', '--follow', '--json'])
    await until(() => opens(follow) === 1, 10000, 'open')
    for (const [code, n] of [[515, 2], [503, 3]]) {
      const t0 = Date.now()
      await sim.admin('POST', '/admin/fault', { device: w.jid, action: 'stream-error', code })
      await until(() => opens(follow) === n, 5000, `open again after ${code}`)
      assert.ok(Date.now() - t0 < 2000, `back ${Date.now() - t0} ms after ${code}`)
      assert.equal(closes(follow).at(-1), code)
    }
    const t0 = Date.now()
    await sim.admin('POST', '/admin/fault', { device: w.jid, action: 'stall', seconds: 0 })
    await until(() => closes(follow).length === 3, 40000, 'the stall noticed')
    const noticed = Date.now() - t0
    assert.equal(closes(follow).at(-1), 408)
    assert.ok(noticed <= 32000, `noticed after ${noticed} ms`)
    await until(() => opens(follow) === 4, 10000, 'open after the stall')
    t.diagnostic(`stall noticed after ${noticed} ms; reconnected after ${Date.now() - t0} ms`)
  } finally {
    await follow?.stop()
    await sim.stop()
  }
})

test('401 and 440 stop wabot sync --follow with their exit codes', async () => {
  const sim = await startSim()
  trustSim(sim)
  const procs = []
  try {
    const w = await newWabot(sim)
    await w.link({ phone: '15550717171' })
    // a copy of the store holds the same device: logging in from it replaces the first
    const copy = new Wabot(sim)
    await copy.init()
    cpSync(join(w.dir, 'store'), join(copy.dir, 'store'), { recursive: true })
    const first = w.spawn(['sync', '--follow', '--json'])
    procs.push(first)
    await first.waitLine((l) => l.includes('"connection":"open"'))
    const second = copy.spawn(['sync', '--follow', '--json'])
    procs.push(second)
    const { code } = await first.exited
    assert.equal(code, 5, first.stderr())
    assert.match(first.stderr(), /another instance logged in as this device/)
    await second.waitLine((l) => l.includes('"connection":"open"'))
    // the phone removes the device: 401, exit 4, and the store says so
    await sim.admin('POST', '/admin/mock-phone/unlink', { device: w.jid })
    const r = await second.exited
    assert.equal(r.code, 4, second.stderr())
    assert.match(second.stderr(), /logged out/)
    const st = await copy.status()
    assert.equal(st.state, 'logged out')
    assert.equal(st.code, 4)
  } finally {
    for (const p of procs) await p.stop()
    await sim.stop()
  }
})

test('messages that do not decrypt: retry receipts both ways, each message surfaced once', async (t) => {
  const sim = await startSim()
  trustSim(sim)
  let bee
  let follow
  try {
    const w = await newWabot(sim)
    await w.link({ phone: '15550727272', name: 'Wabot' })
    bee = await BaileysClient.connect(sim, { name: 'Bee', phone: '15550737373' })
    follow = w.spawn(['sync', '--follow', '--json'])
    await until(() => opens(follow) === 1, 10000, 'open')
    await bee.sock.sendMessage(w.phone + '@s.whatsapp.net', { text: 'before' })
    await follow.waitLine((l) => l.includes('before'))

    // the next message to wabot is damaged on the way: wabot asks again, Baileys resends
    await sim.admin('POST', '/admin/fault', { device: w.jid, action: 'corrupt' })
    await bee.sock.sendMessage(w.phone + '@s.whatsapp.net', { text: 'damaged once' })
    await follow.waitLine((l) => l.includes('damaged once'))
    await bee.sock.sendMessage(w.phone + '@s.whatsapp.net', { text: 'after' })
    await follow.waitLine((l) => l.includes('"after"'))
    const texts = events(follow, 'messages.upsert').flatMap((e) => e.data.messages.map(textOf))
    assert.deepEqual(texts.filter((x) => x === 'damaged once'), ['damaged once'], 'surfaced once')
    let stats = await sim.stats()
    assert.equal(stats.faults.corrupted, 1)
    assert.ok(stats.receipts.routed.retry >= 1, JSON.stringify(stats.receipts))
    await follow.stop()

    // the next message to Baileys is damaged: its retry receipt waits for wabot's next
    // connection, which answers from the stored copy
    await sim.admin('POST', '/admin/fault', { device: bee.jid, action: 'corrupt' })
    const sent = await w.run(['send', '--to', bee.phone, '--text', 'resent by wabot'])
    assert.equal(sent.code, 0, sent.stderr)
    await statsWhen(sim, (s) => (s.receipts?.routed?.retry ?? 0) >= 2)
    const sync = await w.run(['sync', '--json'])
    assert.equal(sync.code, 0, sync.stderr)
    const got = await bee.waitFor('messages.upsert', (u) => u.messages.some((m) => textOf(m) === 'resent by wabot'), 10000, { seen: true })
    assert.equal(textOf(got.messages.find((m) => textOf(m) === 'resent by wabot')), 'resent by wabot')
    const count = bee.events.filter((e) => e.event === 'messages.upsert')
      .flatMap((e) => e.data.messages).filter((m) => textOf(m) === 'resent by wabot').length
    assert.equal(count, 1)
    stats = await sim.stats()
    t.diagnostic(`retry receipts routed: ${stats.receipts.routed.retry}`)
  } finally {
    await follow?.stop()
    await bee?.close()
    await sim.stop()
  }
})
