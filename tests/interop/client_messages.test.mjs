// wabot's client and Baileys exchange 1:1 messages through `wabot sim`: the backlog wabot finds
// at `wabot sync` (offline, `append`), live messages under `wabot sync --follow`, messages
// `wabot send` makes (plain, quoting, mentioning) as Baileys sees them, the first of each
// direction a pkmsg and the next a msg (read in the simulator's stanza log), and receipts both
// ways (delivered, then read: status 3 and 4).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startSim } from './lib/sim.mjs'
import { BaileysClient, exitWhenDone, trustSim } from './lib/baileys-client.mjs'
import { newWabot } from './lib/wabot.mjs'
import { statsWhen } from './lib/sim-route.mjs'

exitWhenDone()

const textOf = (m) => m.message?.conversation ?? m.message?.extendedTextMessage?.text

// The highest status Baileys reported for its message id: in messages.update, or in the upsert
// its event buffer merged the update into (when both fell in one buffered window).
function statusOf (client, id) {
  let status = 0
  for (const e of client.events) {
    if (e.event === 'messages.update') {
      for (const u of e.data) if (u.key.id === id && u.update.status > status) status = u.update.status
    } else if (e.event === 'messages.upsert') {
      for (const m of e.data.messages) if (m.key.id === id && (m.status ?? 0) > status) status = m.status
    }
  }
  return status
}

async function statusReaches (client, id, status, timeoutMs = 10000) {
  const end = Date.now() + timeoutMs
  while (statusOf(client, id) < status) {
    if (Date.now() > end) throw new Error(`message ${id} never reached status ${status} (at ${statusOf(client, id)})`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
const upserts = (lines) => lines.map((l) => JSON.parse(l)).filter((e) => e.event === 'messages.upsert')

// The enc type each <message> stanza one device sent carried for the device `to`, in order,
// from the stanza log (a Signal session stays pkmsg until the other side answers once).
function encTypesTo (log, from, to) {
  return readFileSync(log, 'utf8').split('\n')
    .filter((l) => l.includes(` C> ${from} <message `))
    .map((l) => new RegExp(`<to jid="${to}"><enc [^>]*type="(pkmsg|msg)"`).exec(l)?.[1])
    .filter(Boolean)
}

test('1:1 text both ways between wabot and Baileys, with backlog, receipts, quotes', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'wabot-msg-'))
  const log = join(dir, 'stanzas.log')
  const sim = await startSim({ stanzaLog: log })
  trustSim(sim)
  let bee
  let follow
  try {
    const w = await newWabot(sim)
    await w.link({ phone: '15550303030', name: 'Wabot' })
    bee = await BaileysClient.connect(sim, { name: 'Bee', phone: '15550404040' })

    // Baileys writes while wabot is away: the backlog, in order, as append, once
    const away = []
    for (let i = 0; i < 5; i++) away.push((await bee.sock.sendMessage(w.phone + '@s.whatsapp.net', { text: `away ${i}` })).key.id)
    await statsWhen(sim, (s) => (s.messages?.direct ?? 0) >= 5) /* all five queued for wabot */
    const sync = await w.run(['sync', '--json'])
    assert.equal(sync.code, 0, sync.stderr)
    const backlog = upserts(sync.stdout.trim().split('\n')).filter((e) => !e.data.messages[0].key.fromMe)
    const texts = backlog.flatMap((e) => e.data.messages.map(textOf))
    assert.deepEqual(texts, ['away 0', 'away 1', 'away 2', 'away 3', 'away 4'])
    assert.ok(backlog.every((e) => e.data.type === 'append'))
    const first = backlog[0].data.messages[0]
    assert.equal(first.key.remoteJid, bee.userJid)
    assert.equal(first.pushName, 'Bee')
    assert.equal(first.key.fromMe, false)
    // Baileys hears wabot's delivery receipts for them (status 3)
    for (const id of away) await statusReaches(bee, id, 3)
    const again = await w.run(['sync', '--json'])
    assert.equal(upserts(again.stdout.trim().split('\n').filter(Boolean)).length, 0, 'nothing twice')

    // wabot sends: Baileys shows it as it shows another Baileys' text
    const sent = await w.run(['send', '--to', bee.phone, '--text', 'hi bee'])
    assert.equal(sent.code, 0, sent.stderr)
    const id = sent.stdout.trim()
    assert.match(id, /^3EB0[0-9A-F]{18}$/)
    const got = await bee.waitFor('messages.upsert', (u) => u.messages.some((m) => m.key.id === id), 10000, { seen: true })
    const m = got.messages.find((x) => x.key.id === id)
    assert.equal(textOf(m), 'hi bee')
    assert.equal(m.key.remoteJid, w.phone + '@s.whatsapp.net')
    assert.equal(got.type, 'notify')

    // a reply quoting Baileys' first message, mentioning Bee
    const reply = await w.run(['send', '--to', bee.phone, '--text', 'quoting you', '--reply-to', first.key.id, '--mention', bee.phone])
    assert.equal(reply.code, 0, reply.stderr)
    const rid = reply.stdout.trim()
    const gotReply = await bee.waitFor('messages.upsert', (u) => u.messages.some((x) => x.key.id === rid), 10000, { seen: true })
    const ctx = gotReply.messages.find((x) => x.key.id === rid).message.extendedTextMessage.contextInfo
    assert.equal(ctx.stanzaId, first.key.id)
    assert.equal(ctx.participant, bee.userJid)
    assert.equal(textOf({ message: ctx.quotedMessage }), 'away 0')
    assert.deepEqual(ctx.mentionedJid, [bee.userJid])

    // live: wabot sync --follow prints Baileys' messages as they come (notify), and the
    // receipts of wabot's own messages as Baileys reads them
    follow = w.spawn(['sync', '--follow', '--json'])
    await follow.waitLine((l) => l.includes('"connection":"open"'))
    await bee.sock.sendMessage(w.phone + '@s.whatsapp.net', { text: 'live one' })
    const live = JSON.parse(await follow.waitLine((l) => l.includes('live one')))
    assert.equal(live.data.type, 'notify')
    await bee.sock.readMessages([{ remoteJid: w.phone + '@s.whatsapp.net', id, fromMe: false }])
    const read = JSON.parse(await follow.waitLine((l) => l.includes('"messages.update"') && l.includes(id) && l.includes('"status":4')))
    assert.equal(read.data[0].key.fromMe, true)
    await follow.stop()

    // Baileys started: pkmsg until wabot answered, msg after; wabot's answers were msg
    assert.deepEqual(encTypesTo(log, bee.jid, w.jid), ['pkmsg', 'pkmsg', 'pkmsg', 'pkmsg', 'pkmsg', 'msg'])
    assert.deepEqual(encTypesTo(log, w.jid, bee.jid), ['msg', 'msg'])
    // wabot starts with another Baileys user: pkmsg, then msg once it answered
    const cee = await BaileysClient.connect(sim, { name: 'Cee', phone: '15550505050' })
    try {
      const s1 = await w.run(['send', '--to', cee.phone, '--text', 'first contact'])
      assert.equal(s1.code, 0, s1.stderr)
      await cee.waitFor('messages.upsert', (u) => u.messages.some((x) => textOf(x) === 'first contact'), 10000, { seen: true })
      const before = (await sim.stats()).messages.direct
      await cee.sock.sendMessage(w.phone + '@s.whatsapp.net', { text: 'answer' })
      await statsWhen(sim, (s) => s.messages.direct > before)
      const s2 = await w.run(['sync', '--json'])
      assert.ok(s2.stdout.includes('answer'))
      const s3 = await w.run(['send', '--to', cee.phone, '--text', 'second'])
      assert.equal(s3.code, 0, s3.stderr)
      await cee.waitFor('messages.upsert', (u) => u.messages.some((x) => textOf(x) === 'second'), 10000, { seen: true })
      assert.deepEqual(encTypesTo(log, w.jid, cee.jid), ['pkmsg', 'msg'])
      assert.deepEqual(encTypesTo(log, cee.jid, w.jid), ['msg'])
    } finally {
      await cee.close()
    }

    // the store has them all, once
    const list = await w.run(['messages', 'list', '--json'])
    const rows = list.stdout.trim().split('\n').map((l) => JSON.parse(l))
    const ids = rows.map((r) => r.key.id)
    assert.equal(new Set(ids).size, ids.length)
    assert.equal(rows.filter((r) => !r.key.fromMe).length, 7)
    t.diagnostic(`stored: ${rows.length} messages`)
  } finally {
    await follow?.stop()
    await bee?.close()
    await sim.stop()
  }
})
