// A bot that misbehaves under `wabot run` does not take the host or the connection down: a
// listener that never yields is stopped (the socket keeps being served meanwhile: receipts and
// acks flow while it spins), a listener that raises does not stop the others, and a listener
// that allocates without bound gets a memory error while the host lives on. A Baileys user
// chats with each bot through `wabot sim`.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { performance } from 'node:perf_hooks'
import { exitWhenDone } from './lib/baileys-client.mjs'
import { withBot } from './lib/bot.mjs'
import { StatusTracker } from './lib/sim-route.mjs'

exitWhenDone()

// Echoes every text as 'echo:TEXT', except the texts handled by `special` (Lua code run first
// with `m` in scope).
const echoBot = (special) => `
local sock = wabot.sock
sock.ev:on('messages.upsert', function(up)
  if up.type ~= 'notify' then return end
  for _, m in ipairs(up.messages) do
    if not m.key.fromMe and m.text then
      ${special}
      sock:sendMessage(m.chat, { text = 'echo:' .. m.text })
    end
  end
end)
`

test('a runaway listener is stopped; the socket is served while it spins and the bot keeps answering', async (t) => {
  await withBot({ source: echoBot("if m.text == 'spin' then while true do end end") }, async ({ sim, user, run, botJid, botDevice, inbox }) => {
    const before = (await sim.stats()).devices[botDevice]
    const status = new StatusTracker(user)
    await user.sock.sendMessage(botJid, { text: 'spin' })
    await new Promise((resolve) => setTimeout(resolve, 100)) // the listener is spinning now
    const t0 = performance.now()
    const a = await user.sock.sendMessage(botJid, { text: 'during' })
    await status.reached(a.key.id, 3) // the bot's client stored and acknowledged it meanwhile
    const receiptMs = performance.now() - t0
    await inbox.waitCount(botJid, 1, 5000)
    const replyMs = performance.now() - t0
    assert.deepEqual(inbox.texts(botJid), ['echo:during'])
    assert.ok(receiptMs < 500, `delivery receipt after ${receiptMs.toFixed(0)} ms while the listener spun`)
    assert.ok(replyMs > receiptMs, 'the reply waits for the runaway to be stopped')
    await run.waitLog(/stopped: ran longer than 1000 ms without yielding/)
    await user.sock.sendMessage(botJid, { text: 'after' })
    await inbox.waitCount(botJid, 2)
    const after = (await sim.stats()).devices[botDevice]
    assert.equal(after.handshakes, before.handshakes, 'no reconnection')
    assert.equal(after.connections, before.connections, 'no reconnection')
    t.diagnostic(`receipt during the spin after ${receiptMs.toFixed(0)} ms, reply after ${replyMs.toFixed(0)} ms`)
  })
})

test('a listener that raises does not stop the other listeners of the event', async () => {
  const source = `
local sock = wabot.sock
sock.ev:on('messages.upsert', function(up) error('first listener fails on ' .. up.messages[1].text) end)
sock.ev:on('messages.upsert', function(up)
  for _, m in ipairs(up.messages) do
    if up.type == 'notify' and not m.key.fromMe then sock:sendMessage(m.chat, { text = 'second:' .. m.text }) end
  end
end)
sock.ev:on('messages.upsert', function(up) local x = nil; return x.field end)
`
  await withBot({ source }, async ({ user, run, botJid, inbox }) => {
    await user.sock.sendMessage(botJid, { text: 'one' })
    await user.sock.sendMessage(botJid, { text: 'two' })
    await inbox.waitCount(botJid, 2)
    assert.deepEqual(inbox.texts(botJid), ['second:one', 'second:two'])
    await run.waitLog(/bot\.lua:3: first listener fails on one/)
    await run.waitLog(/bot\.lua:9: attempt to index a nil value/)
  })
})

test('a listener that allocates without bound gets a memory error; the host and the bot live on', async () => {
  const special = "if m.text == 'hog' then local t = {}; while true do t[#t + 1] = string.rep('x', 65536) .. #t end end"
  await withBot({ source: echoBot(special), args: ['--memory', '32'] }, async ({ user, run, botJid, inbox }) => {
    await user.sock.sendMessage(botJid, { text: 'hog' })
    await run.waitLog(/not enough memory/)
    await user.sock.sendMessage(botJid, { text: 'still there?' })
    await inbox.waitCount(botJid, 1)
    assert.deepEqual(inbox.texts(botJid), ['echo:still there?'])
    assert.equal(run.proc.exitCode, null)
  })
})

test('a message whose listener was cut short by a shutdown is delivered again (replay) at the next start; handled ones are not', async () => {
  const source = `
local sock = wabot.sock
sock.ev:on('messages.upsert', function(up)
  for _, m in ipairs(up.messages) do
    if not m.key.fromMe and m.text then
      if m.text == 'slow' and not up.replay then wabot.sleep(60000) end
      sock:sendMessage(m.chat, { text = (up.replay and 'replayed:' or 'live:') .. m.text .. ':' .. up.type })
    end
  end
end)
`
  await withBot({ source }, async ({ user, w, run, botJid, botFile, inbox }) => {
    const status = new StatusTracker(user)
    await user.sock.sendMessage(botJid, { text: 'fast' })
    await inbox.waitCount(botJid, 1)
    const slow = await user.sock.sendMessage(botJid, { text: 'slow' })
    await status.reached(slow.key.id, 3) // stored by the bot's client; its listener now sleeps
    await new Promise((resolve) => setTimeout(resolve, 200))
    assert.equal((await run.stop()).code, 0)
    const again = await w.runBot(botFile)
    try {
      await inbox.waitCount(botJid, 2)
      await user.sock.sendMessage(botJid, { text: 'after' })
      await inbox.waitCount(botJid, 3)
      await new Promise((resolve) => setTimeout(resolve, 300))
      assert.deepEqual(inbox.texts(botJid), ['live:fast:notify', 'replayed:slow:append', 'live:after:notify'])
    } finally {
      assert.equal((await again.stop()).code, 0)
    }
  })
})
