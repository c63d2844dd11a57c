// The media bench bot written for Baileys, as a process of its own (the Baileys side of
// media-upload and media-download in bench_media.mjs):
//   node baileys_media_bot.mjs SIM_URL FILE OUT
// links a new account on the simulator, prints "ready JID" once open, and then, as the wabot side
// (bench_media.mjs's Lua bot) does: a document it receives is kept (answer "got"); "ping" is
// answered "pong" (the bench's text round); "up" sends
// FILE as a document (from its path, as Baileys streams it); "down" downloads the kept document
// to OUT as a stream (answer "down ok"). Each line read from stdin prints "mem RSS_BYTES HWM_KIB".
import { createWriteStream, readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { pipeline } from 'node:stream/promises'
import { downloadMediaMessage } from '../../interop/node_modules/@whiskeysockets/baileys/lib/index.js'
import { BaileysClient, trustSim } from '../../interop/lib/baileys-client.mjs'
import { mediaTrust } from '../../interop/lib/sim-route.mjs'
import { startSimAt } from './sim_at.mjs'

const [url, file, out] = process.argv.slice(2)
const sim = await startSimAt(url)
trustSim(sim)
const trust = await mediaTrust(sim)
const bot = await BaileysClient.connect(sim, { name: 'Baileys media bot', socket: { fetchAgent: trust.fetchAgent } })
let last
bot.sock.ev.on('messages.upsert', async (up) => {
  if (up.type !== 'notify') return
  for (const m of up.messages) {
    if (m.key.fromMe || !m.message) continue
    const jid = m.key.remoteJid
    const text = m.message.extendedTextMessage?.text ?? m.message.conversation
    if (m.message.documentMessage) {
      last = m
      await bot.sock.sendMessage(jid, { text: 'got' })
    } else if (text === 'ping') {
      await bot.sock.sendMessage(jid, { text: 'pong' })
    } else if (text === 'up') {
      await bot.sock.sendMessage(jid, { document: { url: file }, mimetype: 'application/octet-stream', fileName: 'bench.bin' })
    } else if (text === 'down') {
      const stream = await downloadMediaMessage(last, 'stream', { options: { dispatcher: trust.dispatcher } })
      await pipeline(stream, createWriteStream(out))
      await bot.sock.sendMessage(jid, { text: 'down ok' })
    }
  }
})
console.log(`ready ${bot.userJid}`)
createInterface({ input: process.stdin }).on('line', () => {
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]
  console.log(`mem ${process.memoryUsage().rss} ${hwm}`)
}).on('close', async () => { await bot.close(); process.exit(0) })
