// Media benchmarks (tests/bench/run): the real `wabot run` with a media bot and the same bot
// written for Baileys (baileys_media_bot.mjs, its own process), on one `wabot sim` in one run.
// `node bench_media.mjs NAME` prints one line "bench NAME: ...".
//
//   media-upload    a Baileys user asks the bot "up"; the bot sends a 10 MB file (from its path)
//                   as a document: encrypted, uploaded to the simulator's media host, sent. Timed
//                   from the ask to the document's arrival at the user; the median of 5 rounds,
//                   as MB/s (target ratio >= 3)
//   media-download  the user has sent the bot a 10 MB document; on "down" the bot downloads it,
//                   decrypts and verifies it into a file and answers "down ok". The same timing.
//
// Each line also gives a text round through the same bot (the messages around a transfer:
// the user's Baileys sending and receiving, the simulator, the bot's messaging) and the
// transfer alone: the round minus the text round, with its ratio. What the sides do is not
// quite the same: Baileys' downloadMediaMessage checks neither the MAC nor fileEncSha256 nor
// fileSha256 and does not fsync; wabot does all four before the file is renamed into place.
//
// Both lines also give the wabot bot's peak RSS growth over the 10 MB rounds (VmHWM after them
// minus VmHWM after a 1 KB warm-up round: target <= 2 MB), and the Baileys bot's for comparison.
// The simulator, the user and the messages around the transfer are the same for both sides.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { randomBytes } from 'node:crypto'
import { BaileysClient, trustSim } from '../../interop/lib/baileys-client.mjs'
import { mediaTrust } from '../../interop/lib/sim-route.mjs'
import { startSim } from '../../interop/lib/sim.mjs'
import { newWabot } from '../../interop/lib/wabot.mjs'
import { runNamed } from './bench_main.mjs'

const SIZE = Number(process.env.BENCH_MEDIA_MB ?? 10) * 1024 * 1024
const ROUNDS = Number(process.env.BENCH_MEDIA_ROUNDS ?? 9)

// The wabot side: the same behaviour as baileys_media_bot.mjs, in Lua.
const luaBot = (file, out) => `
local sock = wabot.sock
local last
sock.ev:on('messages.upsert', function(up)
  if up.type ~= 'notify' then return end
  for _, m in ipairs(up.messages) do
    if not m.key.fromMe and m.message then
      if m.message.documentMessage then
        last = m
        sock:sendMessage(m.chat, { text = 'got' })
      elseif m.text == 'up' then
        assert(sock:sendMessage(m.chat, { document = { url = ${JSON.stringify(file)} },
          mimetype = 'application/octet-stream', fileName = 'bench.bin' }))
      elseif m.text == 'ping' then -- the text round
        sock:sendMessage(m.chat, { text = 'pong' })
      elseif m.text == 'down' then
        assert(sock:downloadMedia(last, ${JSON.stringify(out)}))
        sock:sendMessage(m.chat, { text = 'down ok' })
      end
    end
  end
end)
`

function hwmKiB (pid) {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1])
}

// The Baileys bot: { jid, hwm() (KiB), stop() }.
async function baileysBot (sim, file, out) {
  const proc = spawn(process.execPath, [fileURLToPath(new URL('./baileys_media_bot.mjs', import.meta.url)), sim.url, file, out],
    { stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = createInterface({ input: proc.stdout })
  const waiters = []
  lines.on('line', (l) => { const w = waiters.shift(); if (w) w(l) })
  const next = () => new Promise((resolve) => waiters.push(resolve))
  const ready = await next()
  return {
    jid: ready.split(' ')[1],
    async hwm () { proc.stdin.write('\n'); return Number((await next()).split(' ')[2]) },
    async stop () { proc.stdin.end(); await new Promise((resolve) => proc.once('exit', resolve)) }
  }
}

// One round: the user says `ask` and waits for the bot's answer that `done` recognizes; ms.
async function round (user, botJid, ask, done) {
  const got = user.waitFor('messages.upsert', (u) => u.messages.some((m) => !m.key.fromMe && m.key.remoteJid === botJid && done(m)), 120000)
  const t0 = performance.now()
  await user.sock.sendMessage(botJid, { text: ask })
  await got
  return performance.now() - t0
}

const isDoc = (m) => !!m.message?.documentMessage
const isText = (t) => (m) => (m.message?.extendedTextMessage?.text ?? m.message?.conversation) === t

async function bench (kind) {
  const dir = mkdtempSync(join(tmpdir(), 'wabot-bench-media-'))
  const sim = await startSim()
  trustSim(sim)
  const trust = await mediaTrust(sim)
  const clients = []
  try {
    const big = randomBytes(SIZE)
    const small = randomBytes(1024)
    const ca = join(dir, 'media-ca.pem')
    writeFileSync(ca, sim.info.mediaCert)
    const user = await BaileysClient.connect(sim, { name: 'User', socket: { fetchAgent: trust.fetchAgent } })
    clients.push(user)
    // the file the bots send on "up": 1 KB for the warm-up round, then the 10 MB one
    const sending = join(dir, 'send.bin')
    writeFileSync(sending, small)
    const w = await newWabot(sim)
    await w.link({ phone: '15550007777', name: 'Bot' })
    const botFile = join(dir, 'bot.lua')
    writeFileSync(botFile, luaBot(sending, join(dir, 'wabot-out.bin')))
    const run = await w.runBot(botFile, ['--no-reload', '--media-ca', ca])
    const b = await baileysBot(sim, sending, join(dir, 'baileys-out.bin'))
    try {
      const wjid = `${w.phone}@s.whatsapp.net`
      const sides = {}
      for (const [name, jid, hwm] of [['wabot', wjid, async () => hwmKiB(run.proc.pid)], ['baileys', b.jid, () => b.hwm()]]) {
        writeFileSync(sending, small)
        const r = await measureWith(kind, user, jid, hwm, small, big, () => writeFileSync(sending, big))
        sides[name] = r
      }
      const mbs = (r) => (SIZE / 1048576) / (r.ms / 1000)
      const mib = (k) => (k / 1024).toFixed(1)
      const alone = (r) => r.ms - r.textMs
      return `wabot ${mbs(sides.wabot).toFixed(0)} MB/s baileys ${mbs(sides.baileys).toFixed(0)} MB/s ratio ${(mbs(sides.wabot) / mbs(sides.baileys)).toFixed(1)}` +
        ` (${SIZE / 1048576} MB, median of ${ROUNDS}: wabot ${sides.wabot.ms.toFixed(0)} ms, baileys ${sides.baileys.ms.toFixed(0)} ms;` +
        ` a text round through the same bot: wabot ${sides.wabot.textMs.toFixed(0)} ms, baileys ${sides.baileys.textMs.toFixed(0)} ms;` +
        ` the transfer alone (round minus text round): wabot ${alone(sides.wabot).toFixed(0)} ms, baileys ${alone(sides.baileys).toFixed(0)} ms, ratio ${(alone(sides.baileys) / alone(sides.wabot)).toFixed(1)};` +
        ` peak RSS growth wabot ${mib(sides.wabot.growthKiB)} MB, baileys ${mib(sides.baileys.growthKiB)} MB; targets ratio >= 3, wabot growth <= 2 MB)`
    } finally {
      await run.stop()
      await b.stop()
    }
  } finally {
    await Promise.all(clients.map((c) => c.close()))
    await sim.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

// The rounds of kind ('up' or 'down') against one bot, after a warm-up round on 1 KB (TLS,
// libraries, the first media_conn), each after a text round ("ping", answered "pong") through
// the same bot: the medians (ms) of both and the bot's peak RSS growth (KiB). The text round is
// what the messages around a transfer cost (the user's Baileys sending and receiving, the
// simulator, the bot's own messaging), so the round minus it is the transfer's own time.
async function measureWith (kind, user, botJid, hwm, small, big, switchToBig) {
  const done = kind === 'up' ? isDoc : isText('down ok')
  const sendDoc = async (data) => {
    const got = user.waitFor('messages.upsert', (u) => u.messages.some((m) => m.key.remoteJid === botJid && isText('got')(m)), 120000)
    await user.sock.sendMessage(botJid, { document: data, mimetype: 'application/octet-stream', fileName: 'bench.bin' })
    await got
  }
  if (kind === 'down') await sendDoc(small)
  await round(user, botJid, kind, done) // warm-up on 1 KB
  const before = await hwm()
  if (kind === 'down') await sendDoc(big)
  else switchToBig()
  const ms = []
  const texts = []
  for (let i = 0; i < ROUNDS; i++) {
    texts.push(await round(user, botJid, 'ping', isText('pong')))
    ms.push(await round(user, botJid, kind, done))
  }
  const after = await hwm()
  if (process.env.BENCH_VERBOSE) console.error(`rounds ${ms.map((x) => x.toFixed(1)).join(' ')}; text rounds ${texts.map((x) => x.toFixed(1)).join(' ')}`)
  return { ms: median(ms), textMs: median(texts), growthKiB: after - before }
}

function median (xs) {
  const s = [...xs].sort((a, c) => a - c)
  return s[Math.floor(s.length / 2)]
}

const benches = { 'media-upload': () => bench('up'), 'media-download': () => bench('down') }
await runNamed('bench_media.mjs', benches)
