// End-to-end bot benchmarks (tests/bench/run): the real `wabot run` on a store linked through
// `wabot sim`, and real Baileys clients on the same simulator. `node bench_bot.mjs NAME` prints
// one line "bench NAME: ...".
//   reload-latency  100 rewrites of a 1,000-line bot under `wabot run` while a Baileys user sends it
//                   a message every 2 ms: from the file's write to the first event handled by the
//                   new generation (its log line's timestamp), p50 and p99 in ms (target p99 <=
//                   20 ms; the 10 ms debounce is included)
//   echo-rate       a Baileys user sends N texts (200; BENCH_ECHO_N) to an echo bot, each once the
//                   answer to the one before arrived: bots/echo.lua under `wabot run` against the
//                   same echo bot written for Baileys (baileys_echo_bot.mjs, its own process),
//                   texts/s and their ratio (target >= 5). Ping-pong, so the Baileys sender's own
//                   pace bounds both sides (about 1x); see issue 9's echo-rate rework.
//   bot-idle-rss    the resident memory of `wabot run bots/echo.lua`, linked and idle, against the
//                   Baileys echo bot's process (target wabot <= 12 MB)
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { BaileysClient, trustSim } from '../../interop/lib/baileys-client.mjs'
import { repoRoot } from '../../interop/lib/paths.mjs'
import { Inbox } from '../../interop/lib/sim-route.mjs'
import { startSim } from '../../interop/lib/sim.mjs'
import { newWabot } from '../../interop/lib/wabot.mjs'
import { runNamed } from './bench_main.mjs'

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const echoBot = join(repoRoot, 'bots', 'echo.lua')

async function withSetup (fn) {
  const sim = await startSim()
  trustSim(sim)
  const clients = []
  try {
    return await fn({ sim, connect: async (o) => { const c = await BaileysClient.connect(sim, o); clients.push(c); return c } })
  } finally {
    await Promise.all(clients.map((c) => c.close()))
    await sim.stop()
  }
}

// The Baileys echo bot in its own process: { jid, rss(), stop() }.
async function baileysBot (sim) {
  const proc = spawn(process.execPath, ['--expose-gc', fileURLToPath(new URL('./baileys_echo_bot.mjs', import.meta.url)), sim.url],
    { stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = createInterface({ input: proc.stdout })
  const waiters = []
  lines.on('line', (l) => { const w = waiters.shift(); if (w) w(l) })
  const next = () => new Promise((resolve) => waiters.push(resolve))
  const ready = await next()
  return {
    jid: ready.split(' ')[1],
    async rss () { proc.stdin.write('\n'); return Number((await next()).split(' ')[1]) },
    async stop () { proc.stdin.end(); await new Promise((resolve) => proc.once('exit', resolve)) }
  }
}

async function echoRate (user, botJid, n) {
  const inbox = new Inbox(user)
  for (let i = 0; i < 5; i++) { // sessions set up before timing
    await user.sock.sendMessage(botJid, { text: `warm ${i}` })
    await inbox.waitCount(botJid, i + 1, 30000)
  }
  const t0 = performance.now()
  for (let i = 0; i < n; i++) {
    await user.sock.sendMessage(botJid, { text: `e${i}` })
    await inbox.waitCount(botJid, i + 6, 30000)
  }
  return n / ((performance.now() - t0) / 1000)
}

function rssOf (pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return Number(m[1]) * 1024
}

const benches = {
  async 'echo-rate' () {
    const n = Number(process.env.BENCH_ECHO_N ?? 200)
    return withSetup(async ({ sim, connect }) => {
      const w = await newWabot(sim)
      await w.link({ phone: '15550004444', name: 'Bot' })
      const run = await w.runBot(echoBot, ['--no-reload'])
      const b = await baileysBot(sim)
      try {
        const u1 = await connect({ name: 'User one' })
        const wabot = await echoRate(u1, `${w.phone}@s.whatsapp.net`, n)
        const u2 = await connect({ name: 'User two' })
        const baileys = await echoRate(u2, b.jid, n)
        return `wabot ${wabot.toFixed(0)}/s baileys ${baileys.toFixed(0)}/s ratio ${(wabot / baileys).toFixed(1)} (${n} texts, target ratio >= 5)`
      } finally {
        await run.stop()
        await b.stop()
      }
    })
  },

  async 'bot-idle-rss' () {
    return withSetup(async ({ sim }) => {
      const w = await newWabot(sim)
      await w.link({ phone: '15550005555', name: 'Bot' })
      const run = await w.runBot(echoBot, ['--no-reload'])
      const b = await baileysBot(sim)
      try {
        await sleep(3000)
        const mb = (x) => (x / 1048576).toFixed(1)
        const wabot = rssOf(run.proc.pid)
        const baileys = await b.rss()
        return `wabot ${mb(wabot)} MB baileys ${mb(baileys)} MB ratio ${(baileys / wabot).toFixed(1)} (target wabot <= 12 MB)`
      } finally {
        await run.stop()
        await b.stop()
      }
    })
  },

  async 'reload-latency' () {
    const dir = mkdtempSync(join(tmpdir(), 'wabot-bench-reload-'))
    const botFile = join(dir, 'bot.lua')
    const version = (v) => {
      const lines = [`local V = ${v}`, 'local helpers = {}']
      for (let i = 0; i < 996; i++) lines.push(`helpers[${i}] = function(x) return x * ${i} + V end`)
      lines.push('local first = true')
      lines.push("wabot.sock.ev:on('messages.upsert', function() if first then first = false; wabot.log.info('first event in version %d', V) end end)")
      return lines.join('\n') + '\n'
    }
    const write = (v) => { writeFileSync(botFile + '.tmp', version(v)); renameSync(botFile + '.tmp', botFile) }
    write(0)
    try {
      return await withSetup(async ({ sim, connect }) => {
        const w = await newWabot(sim)
        await w.link({ phone: '15550006666', name: 'Bot' })
        const run = await w.runBot(botFile)
        const user = await connect({ name: 'User' })
        const botJid = `${w.phone}@s.whatsapp.net`
        await user.sock.sendMessage(botJid, { text: 'hello' }) // the session, before timing
        let sending = true
        const sender = (async () => {
          while (sending) {
            user.sock.sendMessage(botJid, { text: 't' }).catch(() => {})
            await sleep(2)
          }
        })()
        const ms = []
        try {
          for (let v = 1; v <= 100; v++) {
            await sleep(30)
            const from = run.stderr().length
            const t0 = performance.timeOrigin + performance.now()
            write(v)
            const m = await run.waitLog(new RegExp(`(\\d\\d):(\\d\\d):(\\d\\d)\\.(\\d{3}) info  bot: .*first event in version ${v}\\b`), { from, timeoutMs: 10000 })
            const day = Math.floor(t0 / 86400000) * 86400000
            let at = day + ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number(m[4])
            if (at < t0 - 43200000) at += 86400000 // the log line is past midnight
            ms.push(at - t0)
          }
        } finally {
          sending = false
          await sender
          await run.stop()
        }
        ms.sort((a, b) => a - b)
        const q = (p) => ms[Math.min(ms.length - 1, Math.floor(ms.length * p))]
        return `100 reloads of a 1,000-line bot under wabot run, p50 ${q(0.5).toFixed(1)} ms p99 ${q(0.99).toFixed(1)} ms max ${ms[ms.length - 1].toFixed(1)} ms (log timestamps in ms; 10 ms debounce included; target p99 <= 20 ms)`
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

await runNamed('bench_bot.mjs', benches)
