// The example bots (bots/*.lua) run by `wabot run` on a linked wabot device, with a real Baileys
// user chatting with them through `wabot sim`: what the user sees is what a WhatsApp user of the
// bot would see (texts, quoted replies, reminders that come back later).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { exitWhenDone, withSim } from './lib/baileys-client.mjs'
import { Inbox } from './lib/sim-route.mjs'
import { withBot } from './lib/bot.mjs'
import { repoRoot } from './lib/paths.mjs'
import { newWabot } from './lib/wabot.mjs'

exitWhenDone()

const bot = (name) => join(repoRoot, 'bots', name)

const withExample = (name, fn) => withBot({ file: bot(name) }, fn)

test('echo.lua answers each text with the same text, quoting it', async () => {
  await withExample('echo.lua', async ({ user, botJid, inbox }) => {
    const sent = await user.sock.sendMessage(botJid, { text: 'hello bot' })
    const [reply] = await inbox.waitCount(botJid, 1)
    assert.equal(reply.text, 'hello bot')
    const ev = user.events.find((e) => e.event === 'messages.upsert' && e.data.messages[0].key.id === reply.id)
    const ctx = ev.data.messages[0].message.extendedTextMessage.contextInfo
    assert.equal(ctx.stanzaId, sent.key.id, 'the reply quotes the message')
    assert.equal(ctx.participant, user.userJid)
    assert.equal(ctx.quotedMessage.extendedTextMessage.text, 'hello bot')
    for (const t of ['two', 'three']) await user.sock.sendMessage(botJid, { text: t })
    await inbox.waitCount(botJid, 3)
    assert.deepEqual(inbox.texts(botJid), ['hello bot', 'two', 'three'])
  })
})

test('echo.lua answers in a group, quoting the member who wrote', async () => {
  await withExample('echo.lua', async ({ sim, user, w, inbox }) => {
    const { jid: group } = await sim.admin('POST', '/admin/groups',
      { subject: 'echo friends', creator: user.phone, participants: [w.phone] })
    await user.waitFor('groups.upsert', (gs) => gs.some((g) => g.id === group), 10000, { seen: true }).catch(() => {})
    const sent = await user.sock.sendMessage(group, { text: 'hello group' })
    const [reply] = await inbox.waitCount(group, 1)
    assert.equal(reply.text, 'hello group')
    assert.equal(reply.from, w.jid.replace(/:\d+@/, '@'), 'from the bot')
    const ev = user.events.find((e) => e.event === 'messages.upsert' && e.data.messages[0].key.id === reply.id)
    const ctx = ev.data.messages[0].message.extendedTextMessage.contextInfo
    assert.equal(ctx.stanzaId, sent.key.id)
    assert.equal(ctx.participant, user.userJid)
  })
})

test('group_welcome.lua greets members a Baileys admin adds, by mention, and nobody else', async () => {
  await withExample('group_welcome.lua', async ({ user, botJid, connect }) => {
    const newcomer = await connect({ name: 'Newcomer' })
    const inNew = new Inbox(newcomer)
    const inUser = new Inbox(user)
    const meta = await user.sock.groupCreate('welcome club', [botJid])
    const [added] = await user.sock.groupParticipantsUpdate(meta.id, [newcomer.userJid], 'add')
    assert.equal(added.status, '200')
    const [welcome] = await inNew.waitCount(meta.id, 1)
    assert.equal(welcome.text, `Welcome, @${newcomer.phone}!`)
    assert.equal(welcome.from, botJid)
    const ev = newcomer.events.find((e) => e.event === 'messages.upsert' && e.data.messages[0].key.id === welcome.id)
    assert.deepEqual(ev.data.messages[0].message.extendedTextMessage.contextInfo.mentionedJid, [newcomer.userJid])
    await inUser.waitCount(meta.id, 1)
    // promotions and removals get no greeting
    await user.sock.groupParticipantsUpdate(meta.id, [newcomer.userJid], 'promote')
    await user.sock.groupParticipantsUpdate(meta.id, [newcomer.userJid], 'remove')
    await new Promise((resolve) => setTimeout(resolve, 500))
    assert.equal(inUser.texts(meta.id).length, 1)
  })
})

test('commands.lua routes !ping, !help, !time and unknown commands', async () => {
  await withExample('commands.lua', async ({ user, botJid, inbox }) => {
    await user.sock.sendMessage(botJid, { text: '!ping' })
    await inbox.waitCount(botJid, 1)
    await user.sock.sendMessage(botJid, { text: '!help' })
    await inbox.waitCount(botJid, 2)
    await user.sock.sendMessage(botJid, { text: '!time' })
    await inbox.waitCount(botJid, 3)
    await user.sock.sendMessage(botJid, { text: '!nope' })
    await user.sock.sendMessage(botJid, { text: 'not a command' })
    await inbox.waitCount(botJid, 4)
    const [ping, help, time, nope] = inbox.texts(botJid)
    assert.equal(ping, 'pong')
    assert.match(help, /!help - this list/)
    assert.match(help, /!ping - answers pong/)
    assert.match(time, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/)
    assert.equal(nope, 'unknown command !nope; try !help')
    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.equal(inbox.texts(botJid).length, 4, 'plain text gets no answer')
  })
})

test('reminder.lua answers later, and keeps reminders across a restart (kv)', async () => {
  await withSim({}, async ({ sim, connect }) => {
    const w = await newWabot(sim)
    await w.link({ phone: '15550008888', name: 'Bot' })
    const botJid = `${w.phone}@s.whatsapp.net`
    let run = await w.runBot(bot('reminder.lua'))
    const user = await connect({ name: 'User' })
    const inbox = new Inbox(user)
    await user.sock.sendMessage(botJid, { text: '!remind 1s tea' })
    await inbox.waitCount(botJid, 1)
    assert.equal(inbox.texts(botJid)[0], 'OK, in 1s.')
    await inbox.waitCount(botJid, 2, 5000)
    assert.equal(inbox.texts(botJid)[1], '⏰ tea')
    // one that falls due while the bot is stopped is sent when it starts again
    await user.sock.sendMessage(botJid, { text: '!remind 2s coffee' })
    await inbox.waitCount(botJid, 3)
    assert.equal((await run.stop()).code, 0)
    await new Promise((resolve) => setTimeout(resolve, 2500))
    run = await w.runBot(bot('reminder.lua'))
    await inbox.waitCount(botJid, 4, 8000)
    assert.equal(inbox.texts(botJid)[3], '⏰ coffee')
    assert.equal((await run.stop()).code, 0)
  })
})
