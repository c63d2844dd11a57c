// Receipts, presence and search between wabot and real Baileys through `wabot sim`:
//
//   receipts  a bot under `wabot run` reads a Baileys user's message and plays it (readMessages,
//             sendReceipts 'played'): Baileys sees status 4, then 5; the user reads and plays
//             the bot's message: the bot sees READ and PLAYED (messages.update)
//   presence  the user subscribes to the bot and the bot types, records, pauses: the user's
//             presence.update says composing, recording, available, as it says when another
//             Baileys user does the same; the bot subscribes to the user and sees the user's
//             typing the same way (presence.update in Lua)
//   search    `wabot messages search` finds a word of a text and a word of an image's caption
//             that Baileys sent (the simulator serves media), with --from and --chat
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { exitWhenDone, withSim } from './lib/baileys-client.mjs'
import { mediaTrust, StatusTracker } from './lib/sim-route.mjs'
import { withBot } from './lib/bot.mjs'
import { newWabot } from './lib/wabot.mjs'
import { canon } from './lib/kinds.mjs'

exitWhenDone()

// The probe: answers commands and logs what it sees, one "probe ..." line each (warn, so that
// `wabot run` prints it at its default level).
const PROBE = `
local sock = wabot.sock
local function log(fmt, ...) wabot.log.warn('probe ' .. fmt, ...) end
local acts = {
  ['!read'] = function(m) return sock:readMessages({ m.key }) end,
  ['!played'] = function(m) return sock:sendReceipts({ m.key }, 'played') end,
  ['!sub'] = function(m) return sock:presenceSubscribe(m.key.remoteJid) end,
  ['!type'] = function(m) return sock:sendPresenceUpdate('composing', m.chat) end,
  ['!record'] = function(m) return sock:sendPresenceUpdate('recording', m.chat) end,
  ['!pause'] = function(m) return sock:sendPresenceUpdate('paused', m.chat) end,
  ['!hello'] = function(m) local r = sock:sendMessage(m.chat, { text = 'hello from the bot' }) return r and r.key.id end,
}
sock.ev:on('messages.upsert', function(up)
  for _, m in ipairs(up.messages) do
    local act = not m.key.fromMe and acts[m.text or '']
    if act then
      local r, err = act(m)
      log('did %s %s %s', m.text, tostring(r), tostring(err))
    end
  end
end)
sock.ev:on('presence.update', function(p)
  for jid, pr in pairs(p.presences) do log('presence %s %s %s', p.id, jid, pr.lastKnownPresence) end
end)
sock.ev:on('messages.update', function(us)
  for _, u in ipairs(us) do
    if u.update.status then log('status %s %s', u.key.id, u.update.status) end
  end
end)
`

test('read and played receipts arrive as status 4 and 5, both ways', async () => {
  await withBot({ source: PROBE }, async ({ user, botJid, run }) => {
    const status = new StatusTracker(user)
    const read = await user.sock.sendMessage(botJid, { text: '!read' })
    await run.waitLog(/probe did !read true/)
    assert.equal(await status.reached(read.key.id, 4), 4)
    const played = await user.sock.sendMessage(botJid, { text: '!played' })
    await run.waitLog(/probe did !played true/)
    assert.equal(await status.reached(played.key.id, 5), 5, 'a played receipt is status 5 (PLAYED)')
    // the other way: the bot's message, read then played by the user
    await user.sock.sendMessage(botJid, { text: '!hello' })
    const [, id] = await run.waitLog(/probe did !hello (\S+)/)
    const key = { remoteJid: botJid, fromMe: false, id }
    await user.waitFor('messages.upsert', (u) => u.messages.some((m) => m.key.id === id), 10000, { seen: true })
    await user.sock.readMessages([key])
    await run.waitLog(new RegExp(`probe status ${id} READ`))
    await user.sock.sendReceipts([key], 'played')
    await run.waitLog(new RegExp(`probe status ${id} PLAYED`))
  })
})

test('typing, recording and paused: seen by Baileys as from Baileys, and by the bot', async () => {
  await withBot({ source: PROBE }, async ({ sim, user, botJid, run }) => {
    // the reference: another Baileys user typing to this one
    const other = await (await import('./lib/baileys-client.mjs')).BaileysClient.connect(sim, { name: 'Other', markOnline: true })
    try {
      await user.sock.presenceSubscribe(other.userJid)
      await user.sock.presenceSubscribe(botJid)
      await user.waitFor('presence.update', (p) => p.id === botJid, 10000, { seen: true })
      const seen = async (from, act, doIt) => {
        const got = user.waitFor('presence.update', (p) => p.id === from && p.presences[from]?.lastKnownPresence === act, 10000)
        await doIt()
        return got
      }
      for (const [cmd, type, expect] of [['!type', 'composing', 'composing'], ['!record', 'recording', 'recording'], ['!pause', 'paused', 'available']]) {
        const ref = await seen(other.userJid, expect, () => other.sock.sendPresenceUpdate(type, user.userJid))
        const bot = await seen(botJid, expect, () => user.sock.sendMessage(botJid, { text: cmd }))
        assert.deepEqual(canon(bot.presences[botJid]), canon(ref.presences[other.userJid]), `${type}: the same presence.update`)
        assert.deepEqual(Object.keys(bot), Object.keys(ref))
      }
      // the bot subscribes to the user, then sees its typing
      await user.sock.sendMessage(botJid, { text: '!sub' })
      await run.waitLog(/probe did !sub true/)
      for (const [type, expect] of [['composing', 'composing'], ['recording', 'recording'], ['paused', 'available']]) {
        await user.sock.sendPresenceUpdate(type, botJid)
        await run.waitLog(new RegExp(`probe presence ${user.userJid} ${user.userJid} ${expect}`))
      }
    } finally {
      await other.close()
    }
  })
})

test('search finds a word of a text and of an image caption Baileys sent', async () => {
  await withSim({}, async ({ sim, connect }) => {
    const trust = await mediaTrust(sim)
    const w = await newWabot(sim)
    await w.link({ phone: '15550740740', name: 'Wabot' })
    const bee = await connect({ name: 'Bee', socket: { fetchAgent: trust.fetchAgent } })
    const cee = await connect({ name: 'Cee' })
    const to = w.phone + '@s.whatsapp.net'
    const text = await bee.sock.sendMessage(to, { text: 'meet me at the harbour café' })
    const image = await bee.sock.sendMessage(to, { image: randomBytes(4096), mimetype: 'image/jpeg', jpegThumbnail: randomBytes(32).toString('base64'), caption: 'a picture of the sunset' })
    const other = await cee.sock.sendMessage(to, { text: 'another sunset, elsewhere' })
    for (let i = 0; i < 50; i++) {
      const s = await sim.stats()
      if ((s.messages?.direct ?? 0) >= 3) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    assert.equal((await w.run(['sync', '--json'])).code, 0)
    const search = async (...args) => {
      const r = await w.run(['messages', 'search', ...args, '--json'])
      assert.equal(r.code, 0, r.stderr)
      return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l))
    }
    assert.deepEqual((await search('harbour')).map((m) => m.key.id), [text.key.id])
    assert.deepEqual((await search('cafe')).map((m) => m.key.id), [text.key.id], 'accents folded')
    const sunsets = await search('sunset')
    assert.deepEqual(sunsets.map((m) => m.key.id), [other.key.id, image.key.id], 'newest first')
    assert.equal(sunsets[1].message.imageMessage.caption, 'a picture of the sunset')
    assert.deepEqual((await search('sunset', '--from', bee.userJid)).map((m) => m.key.id), [image.key.id])
    assert.deepEqual((await search('sun*', '--chat', cee.userJid)).map((m) => m.key.id), [other.key.id])
    assert.deepEqual(await search('moon'), [])
    const plain = await w.run(['messages', 'search', 'sunset'])
    assert.match(plain.stdout, /\[image\] a picture of the sunset/)
  })
})
