// The echo bot written for Baileys, as a process of its own (the Baileys side of the echo-rate
// and bot-idle-rss benches in bench_bot.mjs): `node baileys_echo_bot.mjs SIM_URL ROOT_KEY_HEX`
// links a new account on the simulator, prints "ready JID" once open, answers every text with
// the same text (as bots/echo.lua does) and prints "rss BYTES" on each line it reads from stdin.
import { createInterface } from 'node:readline'
import { BaileysClient, trustSim } from '../../interop/lib/baileys-client.mjs'
import { startSimAt } from './sim_at.mjs'

const sim = await startSimAt(process.argv[2])
trustSim(sim)
const bot = await BaileysClient.connect(sim, { name: 'Baileys bot' })
bot.sock.ev.on('messages.upsert', async (up) => {
  if (up.type !== 'notify') return
  for (const m of up.messages) {
    const text = m.message?.extendedTextMessage?.text ?? m.message?.conversation
    if (!m.key.fromMe && text) await bot.send(m.key.remoteJid, { text }, { quoted: m })
  }
})
console.log(`ready ${bot.userJid}`)
createInterface({ input: process.stdin }).on('line', () => {
  globalThis.gc?.()
  console.log(`rss ${process.memoryUsage().rss}`)
}).on('close', async () => { await bot.close(); process.exit(0) })
