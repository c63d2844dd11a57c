// The reload storm: a Baileys user sends 2,000 messages to a bot run by `wabot run` while bot.lua
// is rewritten 30 times (5 of the rewrites broken: a syntax error, a top level that raises).
// Every message is answered exactly once, by a generation that had loaded, and the simulator
// counts exactly one Noise handshake for the bot's device during the run: reloads never touch the
// connection.
//
// Pace: full speed (each message sent as soon as Baileys has sent the one before, so messages and
// answers cross), through BaileysClient.send, which keeps Baileys from racing its own decryption
// (see lib/baileys-client.mjs: without it Baileys breaks its Signal sessions at this pace, even
// Baileys to Baileys). STORM_PACE=ping-pong sends each message once the answer to the one before
// has arrived.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync, renameSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { exitWhenDone } from './lib/baileys-client.mjs'
import { withBot } from './lib/bot.mjs'

exitWhenDone()

const N = Number(process.env.STORM_MESSAGES ?? 2000)
const REWRITES = 30
const BROKEN = new Set([4, 10, 16, 22, 28])
const FULL_SPEED = process.env.STORM_PACE !== 'ping-pong'

const version = (v) => BROKEN.has(v)
  ? (v % 2 ? `local x = = ${v} -- a syntax error\n` : `error('version ${v} refuses to load')\n`)
  : `-- version ${v}
local sock = wabot.sock
sock.ev:on('messages.upsert', function(up)
  if up.type ~= 'notify' then return end
  for _, m in ipairs(up.messages) do
    if not m.key.fromMe and m.text then
      sock:sendMessage(m.chat, { text = m.text .. ' v${v} g' .. wabot.generation() })
    end
  end
end)
`

test(`reload storm: ${N} messages, ${REWRITES} rewrites (${BROKEN.size} broken), each answered once, one handshake`, async (t) => {
  await withBot({ source: version(0) }, async ({ sim, user, run, botJid, botDevice, botFile, handshakesBeforeRun }) => {
    const before = (await sim.stats()).devices[botDevice]
    const replies = new Map()
    let dup = 0
    user.on('messages.upsert', (u) => {
      for (const m of u.messages) {
        const text = m.message?.extendedTextMessage?.text ?? m.message?.conversation
        if (m.key.fromMe || m.key.remoteJid !== botJid || !text) continue
        const k = text.split(' ')[0]
        if (replies.has(k)) dup++
        replies.set(k, text)
      }
    })
    const waitFor = async (pred, ms, what) => {
      const end = Date.now() + ms
      while (!pred()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
        await new Promise((resolve) => setTimeout(resolve, 1))
      }
    }
    const write = (v) => { // as editors save: a new file renamed over the old
      writeFileSync(botFile + '.tmp', version(v))
      renameSync(botFile + '.tmp', botFile)
    }
    const t0 = performance.now()
    let v = 0
    for (let i = 0; i < N; i++) {
      await user.send(botJid, { text: `m${i}` })
      if (!FULL_SPEED) await waitFor(() => replies.has(`m${i}`), 20000, `the answer to m${i}`)
      if (v < REWRITES && i >= ((v + 1) * N) / (REWRITES + 1)) write(++v)
    }
    const sentMs = performance.now() - t0
    const end = Date.now() + 120000
    while (replies.size < N && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 50))
    const doneMs = performance.now() - t0
    await new Promise((resolve) => setTimeout(resolve, 500)) // a duplicate would show up now
    const missing = []
    for (let i = 0; i < N; i++) if (!replies.has(`m${i}`)) missing.push(i)
    assert.deepEqual(missing.slice(0, 20), [], `${missing.length} unanswered`)
    assert.equal(dup, 0, 'no message answered twice')
    const versions = new Set([...replies.values()].map((r) => r.split(' ')[1]))
    for (const b of BROKEN) assert.ok(!versions.has(`v${b}`), `broken version ${b} never answered`)
    assert.ok(versions.size >= REWRITES - BROKEN.size, `answers came from ${versions.size} versions`)
    const loads = run.stderr().match(/generation \d+ loaded/g) ?? []
    const failed = run.stderr().match(/reload failed, generation \d+ keeps running/g) ?? []
    assert.equal(failed.length, BROKEN.size, 'every broken rewrite refused')
    assert.ok(loads.length >= REWRITES - BROKEN.size, `${loads.length} generations loaded`)
    const after = (await sim.stats()).devices[botDevice]
    assert.equal(after.handshakes - before.handshakes, 0, 'no handshake during the storm')
    assert.equal(after.handshakes - handshakesBeforeRun, 1, 'exactly one handshake in the run: its login')
    assert.equal(after.connections, before.connections)
    t.diagnostic(`${FULL_SPEED ? 'full speed' : 'ping-pong'}: ${N} messages sent in ${(sentMs / 1000).toFixed(1)} s (${(N / sentMs * 1000).toFixed(0)}/s), ` +
      `all answered after ${(doneMs / 1000).toFixed(1)} s; ${loads.length} generations loaded, ${failed.length} reloads refused; ` +
      `handshakes of the bot's device in the run: ${after.handshakes - handshakesBeforeRun}`)
  })
})
