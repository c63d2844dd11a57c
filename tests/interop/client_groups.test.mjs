// A group of wabot and three Baileys clients (made with POST /admin/groups): 100 messages from
// each member, every one reaching every other member once and in order per sender. wabot
// receives under `wabot sync --follow` and sends with `wabot send` (a hundred texts in one run).
//
// Each Baileys member first says hello on its own, one after the other: Baileys clients that
// start sessions with each other at the same moment (their first group messages crossing) drop
// some of their sender-key distributions (libsignal's "Session error" lines, then retry receipts
// and resends, arriving out of order for everyone, wabot included). With the sessions made, the
// three send their hundred at once.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startSim } from './lib/sim.mjs'
import { BaileysClient, exitWhenDone, trustSim } from './lib/baileys-client.mjs'
import { newWabot } from './lib/wabot.mjs'

exitWhenDone()

const N = 100
const textOf = (m) => m.message?.conversation ?? m.message?.extendedTextMessage?.text

// The texts a Baileys client received in the group from one sender (by phone), in order.
function received (client, gid, phone) {
  const out = []
  for (const e of client.events) {
    if (e.event !== 'messages.upsert') continue
    for (const m of e.data.messages) {
      if (m.key.remoteJid === gid && !m.key.fromMe && m.message && (m.key.participant ?? '').split(/[:@]/)[0] === phone) out.push(textOf(m))
    }
  }
  return out
}

async function until (pred, ms, what) {
  const end = Date.now() + ms
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

test('group text both ways: wabot and three Baileys clients, 100 messages each', async (t) => {
  const sim = await startSim()
  trustSim(sim)
  const bs = []
  let follow
  try {
    const w = await newWabot(sim)
    await w.link({ phone: '15550606060', name: 'Wabot' })
    for (const [name, phone] of [['Ann', '15550616161'], ['Ben', '15550626262'], ['Cat', '15550636363']]) {
      bs.push(await BaileysClient.connect(sim, { name, phone }))
    }
    const { jid: gid } = await sim.admin('POST', '/admin/groups', {
      subject: 'Mixed', creator: w.phone, participants: bs.map((b) => b.phone)
    })
    await Promise.all(bs.map((b) => b.waitFor('groups.upsert', (gs) => gs.some((g) => g.id === gid), 10000, { seen: true })))

    // wabot listens while the three Baileys members each send 100, concurrently
    follow = w.spawn(['sync', '--follow', '--json', '--log', 'info'])
    await follow.waitLine((l) => l.includes('"connection":"open"'))
    for (const b of bs) {
      await b.sock.sendMessage(gid, { text: `hello from ${b.opts.name}` })
      await follow.waitLine((l) => l.includes(`hello from ${b.opts.name}`))
      for (const o of bs) if (o !== b) await o.waitFor('messages.upsert', (u) => u.messages.some((m) => textOf(m) === `hello from ${b.opts.name}`), 10000, { seen: true })
    }
    await Promise.all(bs.map(async (b) => {
      for (let i = 0; i < N; i++) await b.sock.sendMessage(gid, { text: `${b.opts.name} ${i}` })
    }))
    const got = new Map(bs.map((b) => [b.phone, []]))
    const count = () => [...got.values()].reduce((a, l) => a + l.length, 0)
    let seen = 0
    await until(() => {
      for (; seen < follow.lines.length; seen++) {
        const e = JSON.parse(follow.lines[seen])
        if (e.event !== 'messages.upsert') continue
        for (const m of e.data.messages) {
          if (m.key.remoteJid !== gid || m.key.fromMe || textOf(m)?.startsWith('hello from')) continue
          got.get(m.key.participant.split(/[:@]/)[0])?.push(textOf(m))
        }
      }
      return count() >= 3 * N
    }, 60000, `wabot to receive ${3 * N} (has ${count()})`)
    for (const b of bs) {
      assert.deepEqual(got.get(b.phone), Array.from({ length: N }, (_, i) => `${b.opts.name} ${i}`), `from ${b.opts.name}`)
    }
    await follow.stop()

    // wabot sends 100 to the group in one run; every Baileys member gets them in order
    const texts = Array.from({ length: N }, (_, i) => `Wabot ${i}`)
    const sent = await w.run(['send', '--to', gid, ...texts.flatMap((x) => ['--text', x])], { timeoutMs: 120000 })
    assert.equal(sent.code, 0, sent.stderr)
    assert.equal(sent.stdout.trim().split('\n').length, N)
    await until(() => bs.every((b) => received(b, gid, w.phone).length >= N), 60000, 'Baileys members to receive wabot\'s 100')
    for (const b of bs) assert.deepEqual(received(b, gid, w.phone), texts, `${b.opts.name} got wabot's in order`)
    // and each Baileys member got the other two's
    for (const b of bs) {
      for (const o of bs) {
        if (o === b) continue
        const got = new Set(received(b, gid, o.phone))
        for (let i = 0; i < N; i++) assert.ok(got.has(`${o.opts.name} ${i}`), `${b.opts.name} has ${o.opts.name} ${i}`)
      }
    }
    const stats = await sim.stats()
    t.diagnostic(`group messages routed: ${stats.messages.group}, deliveries ${stats.messages.deliveries}`)
  } finally {
    await follow?.stop()
    await Promise.all(bs.map((b) => b.close()))
    await sim.stop()
  }
})
