// A bot run by `wabot run` on a linked wabot store, with a Baileys user to chat with it, all on
// one `wabot sim` (for bots.test.mjs, bot_safety.test.mjs, bot_storm.test.mjs and the benches).
//
//   await withBot({ file: 'bots/echo.lua' }, async ({ sim, user, run, botJid, inbox }) => { ... })
//   await withBot({ source: 'wabot.sock.ev:on(...)' , args: ['--budget', '500'] }, ...)
//   source: the bot's text, written to bot.lua in a temporary directory (ctx.botFile, to rewrite)
//   ctx.connect(opts): another Baileys client on the same simulator
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import assert from 'node:assert/strict'
import { withSim } from './baileys-client.mjs'
import { Inbox } from './sim-route.mjs'
import { newWabot } from './wabot.mjs'

let phones = 0

export async function withBot ({ file, source, args = [], phone, env }, fn) {
  const dir = source !== undefined ? mkdtempSync(join(tmpdir(), 'wabot-bot-')) : null
  const botFile = dir ? join(dir, 'bot.lua') : file
  if (dir) writeFileSync(botFile, source)
  try {
    return await withSim({}, async ({ sim, connect }) => {
      const w = await newWabot(sim)
      await w.link({ phone: phone ?? `1555000${String(9000 + phones++).padStart(4, '0')}`, name: 'Bot' })
      const handshakesBeforeRun = (await sim.stats()).devices?.[w.jid]?.handshakes ?? 0
      const run = await w.runBot(botFile, args, { env })
      try {
        const user = await connect({ name: 'User' })
        const botJid = `${w.phone}@s.whatsapp.net`
        return await fn({ sim, user, w, run, botJid, botDevice: w.jid, botFile, inbox: new Inbox(user), handshakesBeforeRun, connect })
      } finally {
        const { code } = await run.stop()
        assert.equal(code, 0, `wabot run exited ${code}:\n${run.stderr()}`)
      }
    })
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true })
  }
}
