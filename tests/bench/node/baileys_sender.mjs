// One Baileys sender of the echo-rate and reload-latency benches (bench_bot.mjs), as a process of its own:
// `node baileys_sender.mjs SIM_URL NAME` links a new account on the simulator, prints
// "ready JID" once open, then obeys one JSON command per stdin line and answers each with one
// JSON line on stdout:
//
//   {"cmd":"warm","to":JID,"n":N}   N texts, each once the echo of the one before arrived (the
//                                   Signal sessions both ways and the device lists, before any
//                                   timing): {"warmed":N}
//   {"cmd":"queue","to":JID,"n":N,"tag":T}   sends N texts "T NAME i" one after another as fast
//                                   as Baileys sends (the bench has stopped the bot, so they
//                                   wait for it at the server): {"queued":N}
//   {"cmd":"offline"}               closes the socket (the keys stay in memory): {"offline":true}
//   {"cmd":"online"}                opens a new socket and waits until every queued text has its
//                                   echo (they wait for this sender at the server):
//                                   {"done":N,"dup":D,"missing":M} (dup: texts whose echo came
//                                   twice, within 300 ms of the last)
//   {"cmd":"stream","to":JID,"everyMs":P}   starts sending a text "t" every P ms (not waiting
//                                   for one to leave before the next): {"streaming":true}
//   {"cmd":"stop"}                  stops the stream: {"out":N,"ms":T} (N texts out, over T ms)
//
// Each sender is a process of its own because libsignal's per-address job queue is process-wide
// (lib/baileys-client.mjs): several clients of one process encrypting to the same bot at once
// would run in each other's key transactions. Texts go through client.send (Baileys'
// messageMutex), as the warm-up's texts and echoes may cross.
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { BaileysClient, trustSim } from '../../interop/lib/baileys-client.mjs'
import { textOf } from '../../interop/lib/sim-route.mjs'
import { memoryKeys } from './memory_keys.mjs'
import { startSimAt } from './sim_at.mjs'

// stdout carries the answers only: libsignal's console.log/info ("Closing session: ...") go to stderr.
console.log = console.info = console.debug = console.error
const [url, name] = process.argv.slice(2)
const sim = await startSimAt(url)
trustSim(sim)
// The Signal keys in memory (memory_keys.mjs): this process is load, not the subject.
const client = await BaileysClient.connect(sim, {
  name,
  onState: (state) => { state.keys = memoryKeys() }
})

// Echoes by text: how many times each arrived.
const echoes = new Map()
let onEcho = () => {}
client.on('messages.upsert', ({ messages }) => {
  for (const m of messages) {
    if (m.key.fromMe) continue
    const text = textOf(m)
    if (text === undefined) continue
    echoes.set(text, (echoes.get(text) ?? 0) + 1)
    onEcho(text)
  }
})

function until (pred, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    if (pred()) return resolve()
    const timer = setTimeout(() => { onEcho = () => {}; reject(new Error(`${name}: timed out waiting for ${what}`)) }, timeoutMs)
    onEcho = () => { if (pred()) { clearTimeout(timer); onEcho = () => {}; resolve() } }
  })
}

const say = (o) => process.stdout.write(JSON.stringify(o) + '\n')
let queued = []
let stream = null

async function handle (c) {
  if (c.cmd === 'warm') {
    for (let i = 0; i < c.n; i++) {
      const text = `warm ${name} ${i}`
      await client.send(c.to, { text })
      await until(() => echoes.has(text), 30000, `the echo of ${text}`)
    }
    return { warmed: c.n }
  }
  if (c.cmd === 'queue') {
    queued = Array.from({ length: c.n }, (_, i) => `${c.tag} ${name} ${i}`)
    for (const text of queued) await client.send(c.to, { text })
    return { queued: c.n }
  }
  if (c.cmd === 'offline') {
    await client.close()
    return { offline: true }
  }
  if (c.cmd === 'online') {
    const opened = new Promise((resolve) => client.once('open', resolve))
    client.closing = false
    client.openSocket()
    await opened
    const pending = new Set(queued)
    await until(() => { for (const t of pending) if (echoes.has(t)) pending.delete(t); return pending.size === 0 },
      120000, 'every echo').catch(() => {})
    await new Promise((resolve) => setTimeout(resolve, 300)) // a duplicate would show now
    return {
      done: queued.length,
      dup: queued.filter((t) => (echoes.get(t) ?? 0) > 1).length,
      missing: queued.filter((t) => !echoes.has(t)).length
    }
  }
  if (c.cmd === 'stream') {
    stream = { on: true, out: 0, t0: performance.now() }
    const st = stream
    ;(async () => {
      while (st.on) {
        client.sock.sendMessage(c.to, { text: 't' }).then(() => st.out++, () => {})
        await new Promise((resolve) => setTimeout(resolve, c.everyMs))
      }
    })()
    return { streaming: true }
  }
  if (c.cmd === 'stop') {
    stream.on = false
    return { out: stream.out, ms: performance.now() - stream.t0 }
  }
  throw new Error(`unknown command ${c.cmd}`)
}

say({ ready: client.userJid })
const lines = createInterface({ input: process.stdin })
lines.on('line', (l) => {
  handle(JSON.parse(l)).then(say, (e) => say({ error: String(e.stack ?? e) }))
})
lines.on('close', async () => { await client.close(); process.exit(0) })
