// Helpers for the routing, group and media scenarios against `wabot sim` (sim_messages,
// sim_groups, sim_media, sim_faults): texts and delivery statuses as Baileys reports them, and
// trust in the simulator's media certificate (withSim is in baileys-client.mjs).
//
//   const inbox = new Inbox(client)          // every text received: inbox.texts(chatJid)
//   await inbox.waitCount(chatJid, n)
//   const status = new StatusTracker(client) // await status.reached(id, 3)
//   const media = mediaTrust(sim)            // { fetchAgent, dispatcher } for upload and download
import { readFileSync } from 'node:fs'
import { Agent } from 'node:https'
import { performance } from 'node:perf_hooks'
import { proto } from '@whiskeysockets/baileys'
import { withTimeout } from './baileys-client.mjs'

// The text of a message as Baileys decodes `sendMessage(jid, { text })` (extendedTextMessage) or
// a plain conversation.
export function textOf (m) {
  return m.message?.extendedTextMessage?.text ?? m.message?.conversation ?? undefined
}

// Every text message a client receives from others (not its own sends), by chat, in arrival order:
// [{ from: participant or chat, text, id, type }].
export class Inbox {
  constructor (client) {
    this.client = client
    this.byChat = new Map()
    this.listener = (u) => {
      for (const m of u.messages) {
        const text = textOf(m)
        if (text === undefined || m.key.fromMe) continue
        const chat = m.key.remoteJid
        if (!this.byChat.has(chat)) this.byChat.set(chat, [])
        this.byChat.get(chat).push({ from: m.key.participant || chat, text, id: m.key.id, type: u.type })
      }
    }
    client.on('messages.upsert', this.listener)
  }

  texts (chat) { return (this.byChat.get(chat) ?? []).map((e) => e.text) }
  entries (chat) { return this.byChat.get(chat) ?? [] }

  // Waits until chat has at least n texts; rejects after timeoutMs.
  waitCount (chat, n, timeoutMs = 20000) {
    return this.waitUntil(chat, (es) => es.length >= n, timeoutMs, `${n} texts`)
  }

  // Waits until pred(entries of chat) holds.
  async waitUntil (chat, pred, timeoutMs = 20000, what = 'a condition') {
    const t0 = performance.now()
    while (!pred(this.entries(chat))) {
      if (performance.now() - t0 > timeoutMs) {
        throw new Error(`${this.client.opts.name}: ${what} in ${chat} not met after ${timeoutMs} ms (${this.entries(chat).length} texts)`)
      }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    return this.entries(chat)
  }
}

// The delivery status of the client's own messages, from messages.update and from the status an
// upsert already carries (Baileys' event buffer folds an early receipt into the upsert).
export class StatusTracker {
  constructor (client) {
    this.status = new Map()
    this.waiters = []
    const set = (id, s) => {
      const v = typeof s === 'string' ? proto.WebMessageInfo.Status[s] : s
      if (typeof v !== 'number' || !(v > (this.status.get(id) ?? -1))) return
      this.status.set(id, v)
      this.waiters = this.waiters.filter((w) => !(w.id === id && v >= w.min && (w.resolve(v), true)))
    }
    client.on('messages.upsert', (u) => { for (const m of u.messages) if (m.key.fromMe && m.status !== undefined) set(m.key.id, m.status) })
    client.on('messages.update', (us) => { for (const u of us) if (u.key.fromMe && u.update.status !== undefined) set(u.key.id, u.update.status) })
  }

  reached (id, min, timeoutMs = 10000) {
    if ((this.status.get(id) ?? -1) >= min) return Promise.resolve(this.status.get(id))
    return withTimeout(new Promise((resolve) => this.waiters.push({ id, min, resolve })), timeoutMs, `status ${min} of ${id}`)
  }
}

// Baileys rc14 uploads media with node:https, passing makeWASocket's `fetchAgent` as the agent
// (Utils/messages-media.js uploadWithNodeHttp), and downloads with the global fetch, passing
// `options.dispatcher` of downloadMediaMessage (getHttpStream). So the simulator's self-signed
// media certificate is trusted with two ordinary options: an https.Agent with `ca` for upload,
// and an undici Agent with `connect: { ca }` for download. Node 20 bundles undici without
// exporting it (and the undici package is not in our lock), so the Agent class is taken from
// the global dispatcher fetch installs under undici's documented cross-version key
// Symbol.for('undici.globalDispatcher.1'). No environment variable, no child process.
export async function mediaTrust (sim) {
  const ca = sim.info.mediaCert
  const key = Symbol.for('undici.globalDispatcher.1')
  if (!globalThis[key]) await fetch('data:,').catch(() => {})
  if (!globalThis[key]) {
    // fetch of a data: URL does not need a dispatcher: make one request that does
    await fetch(`${sim.base}/admin/info`).then((r) => r.arrayBuffer())
  }
  const UndiciAgent = globalThis[key]?.constructor
  if (typeof UndiciAgent !== 'function') throw new Error('cannot find the undici Agent behind fetch')
  return { fetchAgent: new Agent({ ca }), dispatcher: new UndiciAgent({ connect: { ca } }) }
}

// The simulator's /admin/stats once pred(stats) holds (what a client sent may still be on its
// way when the test looks: a receipt goes out before Baileys emits the message). Rejects with
// the last stats after timeoutMs.
export async function statsWhen (sim, pred, timeoutMs = 5000) {
  const t0 = performance.now()
  for (;;) {
    const stats = await sim.stats()
    if (pred(stats)) return stats
    if (performance.now() - t0 > timeoutMs) throw new Error(`stats never matched: ${JSON.stringify(stats)}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

// CPU time the simulator process has used, in ms (Linux /proc; user + system, 100 Hz ticks), or
// NaN where /proc is not there: routed messages / CPU seconds is what the simulator could route
// if the clients were not the bottleneck.
export function simCpuMs (sim) {
  try {
    const f = readFileSync(`/proc/${sim.proc.pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(f[11]) + Number(f[12])) * 10
  } catch {
    return NaN
  }
}
