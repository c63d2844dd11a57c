// End-to-end bot benchmarks (tests/bench/run): the real `wabot run` on a store linked through
// `wabot sim`, and real Baileys clients on the same simulator. `node bench_bot.mjs NAME` prints
// one line "bench NAME: ...".
//   reload-latency  100 rewrites of a 1,000-line bot under `wabot run` while a Baileys user (a
//                   process of its own, baileys_sender.mjs) sends it a message every 5 ms (200
//                   a second: a busy bot; at every 2 ms the Baileys process alone kept one of two
//                   cores busy, and the line measured the machine's contention more than wabot):
//                   from the file's write (a new file renamed over the old, as editors save) to
//                   the first event handled by the new generation (its log line's timestamp),
//                   p50, p99 (nearest rank: the 99th of the 100 sorted) and max in ms (target p99
//                   <= 20 ms); and its three parts: the bench writing the temporary file, from its rename to wabot's
//                   "generation N loaded" line (the watcher and the load: wabot's own latency),
//                   and from there to the first event (waiting for the stream's next message).
//                   BENCH_VERBOSE=1 prints each reload's parts and the load time wabot logged.
//   echo-rate       how fast a bot answers a burst: bots/echo.lua under `wabot run` against the
//                   same echo bot written for Baileys (baileys_echo_bot.mjs, its own process), the
//                   same texts from the same K Baileys users (4; BENCH_ECHO_SENDERS), each a process
//                   of its own (baileys_sender.mjs), N texts each (250; BENCH_ECHO_N). Per bot: the
//                   sessions are warmed up (3 ping-pong texts per sender), the bot is stopped
//                   (SIGSTOP), the senders send their texts (the server accepts them and writes
//                   them to the bot's socket) and go offline; the bot is continued (SIGCONT) and
//                   timed until the server has accepted its echo to every text (the simulator's
//                   count of the bot's <message> stanzas, polled every 10 ms). Then the senders come
//                   online and must receive and decrypt every echo exactly once (untimed; a missing
//                   or doubled echo fails the bench). Texts/s and their ratio (target >= 5), and the
//                   CPU time per text of each bot and of the simulator over the timed part
//                   (/proc/PID/stat). Why held: Baileys users sending live are the bottleneck on a
//                   small machine (a Baileys sender spends about what the Baileys bot spends per
//                   text, and they share the cores), so a live line measured the senders; held,
//                   only the bot and the simulator run while the clock runs. Held rather than
//                   queued while the bot is offline: both libraries hand offline messages to the
//                   bot as 'append', which echo bots do not answer, and a connect would time the
//                   login too.
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

// Resolves once proc has exited; one that has not within 10 s is killed (a Baileys socket can
// take long to close, and the bench's line must not wait for it).
function ended (proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10000)
    proc.once('exit', () => { clearTimeout(timer); resolve() })
  })
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
    pid: proc.pid,
    jid: ready.split(' ')[1],
    async rss () { proc.stdin.write('\n'); return Number((await next()).split(' ')[1]) },
    async stop () { proc.stdin.end(); await ended(proc) }
  }
}

// K Baileys senders, each a process of its own (baileys_sender.mjs): [{ jid, ask(command) }],
// stop() ends them all.
async function senders (sim, k) {
  const script = fileURLToPath(new URL('./baileys_sender.mjs', import.meta.url))
  const procs = []
  const one = async (i) => {
    const proc = spawn(process.execPath, [script, sim.url, `sender${i}`], { stdio: ['pipe', 'pipe', 'inherit'] })
    procs.push(proc)
    const lines = createInterface({ input: proc.stdout })
    const waiters = []
    let gone = null
    lines.on('line', (l) => waiters.shift()?.resolve(JSON.parse(l)))
    proc.once('exit', (code) => {
      gone = new Error(`sender${i} exited (${code})`)
      for (const w of waiters.splice(0)) w.reject(gone)
    })
    const next = () => new Promise((resolve, reject) => gone ? reject(gone) : waiters.push({ resolve, reject }))
    const ready = await next()
    return {
      pid: proc.pid,
      jid: ready.ready,
      async ask (c) {
        const p = next()
        proc.stdin.write(JSON.stringify(c) + '\n')
        const r = await p
        if (r.error) throw new Error(`sender${i}: ${r.error}`)
        return r
      }
    }
  }
  const list = []
  for (let i = 0; i < k; i++) list.push(await one(i)) // linking one at a time: the phone scans in turn
  list.stop = () => Promise.all(procs.map((p) => { p.stdin.end(); return ended(p) }))
  return list
}

const verbose = (...a) => { if (process.env.BENCH_VERBOSE) console.error(new Date().toISOString(), ...a) }

// <message> stanzas the simulator has accepted from the devices of these users (phone numbers).
async function messagesFrom (sim, phones) {
  const devices = (await sim.stats()).devices ?? {}
  let n = 0
  for (const [jid, d] of Object.entries(devices)) if (phones.includes(jid.split(/[:@]/)[0])) n += d.messages ?? 0
  return n
}

async function untilStat (what, pred, timeoutMs) {
  const end = performance.now() + timeoutMs
  while (!(await pred())) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

// One bot's echo rate (bot: { pid, phone, jid }): the senders' sessions with it warmed up, the bot
// stopped (SIGSTOP), every sender's n texts sent and accepted by the server (so they reach the
// bot's socket, not its process), the senders offline; then the bot continued (SIGCONT) and timed
// until the server has accepted its echo to every text (its <message> stanzas, counted by the
// simulator, polled every 10 ms). The senders then come online and must receive and decrypt every
// echo, once (untimed). Returns { rate, cpuMs } (texts/s; CPU ms per text of each group of pids).
async function echoRate (sim, ss, bot, n, tag, pids) {
  verbose(`${tag}: warming up`)
  await Promise.all(ss.map((s) => s.ask({ cmd: 'warm', to: bot.jid, n: 3 })))
  const total = ss.length * n
  const senderPhones = ss.map((s) => s.jid.split('@')[0])
  const m0 = await messagesFrom(sim, [bot.phone])
  process.kill(bot.pid, 'SIGSTOP')
  let t0, t1, cpu0, cpu1
  try {
    verbose(`${tag}: queueing`)
    const s0 = await messagesFrom(sim, senderPhones)
    await Promise.all(ss.map((s) => s.ask({ cmd: 'queue', to: bot.jid, n, tag })))
    await untilStat('the texts at the server', async () => await messagesFrom(sim, senderPhones) >= s0 + total, 60000)
    await Promise.all(ss.map((s) => s.ask({ cmd: 'offline' })))
    await untilStat('the senders offline', async () => {
      const devices = (await sim.stats()).devices ?? {}
      return !Object.entries(devices).some(([jid, d]) => senderPhones.includes(jid.split(/[:@]/)[0]) && d.online)
    }, 20000)
    if (await messagesFrom(sim, [bot.phone]) !== m0) throw new Error(`${tag}: the bot sent while stopped`)
    verbose(`${tag}: go`)
    cpu0 = cpuOf(pids)
    t0 = performance.now()
  } finally {
    process.kill(bot.pid, 'SIGCONT')
  }
  await untilStat(`${tag}: every echo at the server`, async () => await messagesFrom(sim, [bot.phone]) >= m0 + total, 600000)
  t1 = performance.now()
  cpu1 = cpuOf(pids)
  verbose(`${tag}: timed part done; the senders come online`)
  const rs = await Promise.all(ss.map((s) => s.ask({ cmd: 'online' })))
  const missing = rs.reduce((a, r) => a + r.missing, 0)
  const dup = rs.reduce((a, r) => a + r.dup, 0)
  if (missing || dup) throw new Error(`${tag}: ${missing} echoes missing, ${dup} twice`)
  const cpuMs = {} // CPU time per text, ms
  for (const k of Object.keys(pids)) cpuMs[k] = (cpu1[k] - cpu0[k]) * 1000 / total
  return { rate: total / ((t1 - t0) / 1000), cpuMs }
}

// CPU seconds (user + system) used so far by each named group of processes: { name: [pid...] }.
function cpuOf (pids) {
  const out = {}
  for (const [k, list] of Object.entries(pids)) {
    out[k] = 0
    for (const pid of list) {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
      out[k] += (Number(f[11]) + Number(f[12])) / 100 // utime, stime in clock ticks (USER_HZ)
    }
  }
  return out
}

function rssOf (pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return Number(m[1]) * 1024
}

const benches = {
  async 'echo-rate' () {
    const k = Number(process.env.BENCH_ECHO_SENDERS ?? 4)
    const n = Number(process.env.BENCH_ECHO_N ?? 250)
    return withSetup(async ({ sim }) => {
      const w = await newWabot(sim)
      await w.link({ phone: '15550004444', name: 'Bot' })
      const run = await w.runBot(echoBot, ['--no-reload'])
      const b = await baileysBot(sim)
      const ss = await senders(sim, k)
      try {
        const wabot = await echoRate(sim, ss, { pid: run.proc.pid, phone: w.phone, jid: `${w.phone}@s.whatsapp.net` }, n, 'w',
          { bot: [run.proc.pid], sim: [sim.proc.pid] })
        const baileys = await echoRate(sim, ss, { pid: b.pid, phone: b.jid.split('@')[0], jid: b.jid }, n, 'b',
          { bot: [b.pid], sim: [sim.proc.pid] })
        verbose(JSON.stringify({ wabot, baileys }))
        const f = (x) => x.toFixed(0)
        const ms = (x) => x.toFixed(2)
        return `wabot ${f(wabot.rate)}/s baileys ${f(baileys.rate)}/s ratio ${(wabot.rate / baileys.rate).toFixed(1)} ` +
          `(${k * n} texts from ${k} Baileys senders, held at the bot's socket while it was stopped; timed from its ` +
          `SIGCONT until the server accepted its echo to every text; every echo then received once by the senders; ` +
          `CPU per text: wabot ${ms(wabot.cpuMs.bot)} ms, Baileys bot ${ms(baileys.cpuMs.bot)} ms, ` +
          `simulator ${ms(wabot.cpuMs.sim)}/${ms(baileys.cpuMs.sim)} ms; target ratio >= 5)`
      } finally {
        await ss.stop()
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
    const now = () => performance.timeOrigin + performance.now()
    // As editors save: the new text into a temporary file, renamed over the bot. Returns when the
    // rename was made (the new version can be seen from then on).
    const write = (v) => { writeFileSync(botFile + '.tmp', version(v)); const at = now(); renameSync(botFile + '.tmp', botFile); return at }
    write(0)
    try {
      return await withSetup(async ({ sim }) => {
        const w = await newWabot(sim)
        await w.link({ phone: '15550006666', name: 'Bot' })
        const run = await w.runBot(botFile)
        const ss = await senders(sim, 1) // a process of its own, so the bench's own work does not pace it
        const user = ss[0]
        const botJid = `${w.phone}@s.whatsapp.net`
        await user.ask({ cmd: 'queue', to: botJid, n: 1, tag: 'hello' }) // the session, before timing
        await user.ask({ cmd: 'stream', to: botJid, everyMs: 5 })
        // Log lines carry wall-clock ms, truncated: a time read from one is rounded up (+1 ms),
        // so what is reported is never less than what happened. The bench's own clock
        // (performance.timeOrigin + now()) agrees with the realtime clock wabot logs by.
        const logAt = (m, t0) => {
          const day = Math.floor(t0 / 86400000) * 86400000
          let at = day + ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number(m[4]) + 1
          if (at < t0 - 43200000) at += 86400000 // the log line is past midnight
          return at
        }
        const total = []; const writes = []; const loaded = []; const waited = []
        let every = NaN // ms between the stream's texts, on average
        try {
          for (let v = 1; v <= 100; v++) {
            await sleep(30)
            const from = run.stderr().length
            const t0 = now()
            const renamed = write(v)
            writes.push(renamed - t0)
            const first = await run.waitLog(new RegExp(`(\\d\\d):(\\d\\d):(\\d\\d)\\.(\\d{3}) info  bot: .*first event in version ${v}\\b`), { from, timeoutMs: 10000 })
            const gen = await run.waitLog(new RegExp(`(\\d\\d):(\\d\\d):(\\d\\d)\\.(\\d{3}) info  runtime: generation ${v + 1} loaded in ([\\d.]+) ms`), { from, timeoutMs: 1000 })
            total.push(logAt(first, t0) - t0)
            loaded.push(logAt(gen, t0) - renamed)
            waited.push(logAt(first, t0) - logAt(gen, t0))
            verbose(`reload ${v}: total ${total.at(-1).toFixed(1)} write ${writes.at(-1).toFixed(1)} rename->loaded ${loaded.at(-1).toFixed(1)} (load ${gen[5]} ms) loaded->first ${waited.at(-1).toFixed(1)}`)
          }
        } finally {
          const st = await user.ask({ cmd: 'stop' }).catch(() => ({ out: 0, ms: 0 }))
          every = st.ms / st.out
          await ss.stop()
          await run.stop()
        }
        const q = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.max(0, Math.ceil(s.length * p) - 1)].toFixed(1) } // nearest rank
        const pq = (xs) => `${q(xs, 0.5)}/${q(xs, 0.99)}`
        return `p50 ${q(total, 0.5)} ms p99 ${q(total, 0.99)} ms max ${q(total, 1)} ms (100 reloads of a 1,000-line bot under ` +
          'wabot run, from the start of the file\'s write to the first event handled by the new generation; target p99 <= 20 ms); ' +
          `parts, p50/p99 ms: the bench writing the new file ${pq(writes)}, its rename -> generation loaded ${pq(loaded)}, ` +
          `loaded -> first event ${pq(waited)} (log times rounded up to the ms; Baileys got a message out every ${every.toFixed(1)} ms on average)`
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

await runNamed('bench_bot.mjs', benches)
