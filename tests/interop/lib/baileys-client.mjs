// Real, unmodified Baileys clients against `wabot sim` (lib/sim.mjs), as an application would run
// them: auth state in a temporary directory (useMultiFileAuthState), the QR handed to the
// simulated phone (/admin/mock-phone/scan-qr) or the pairing-code flow (requestPairingCode, then
// /admin/mock-phone/enter-code), and a new socket on every close except loggedOut, as Baileys'
// README does. Only ordinary makeWASocket options are passed, and WA_CERT_DETAILS.PUBLIC_KEY is
// set to the simulator's root key.
//
//   trustSim(sim)
//   const a = await BaileysClient.connect(sim, { name: 'Alice' })              // QR, new account
//   const b = await BaileysClient.connect(sim, { pairing: 'code', phone: '15550001234' })
//   a.timeToOpenMs, a.jid, a.phone, a.events
//   await a.waitFor('presence.update', (u) => u.id === b.jid)
//   await a.close()
//   await withSim({}, async ({ sim, connect }) => { ... })   a simulator and its clients, closed after
//
// Two limits of Baileys 7.0.0-rc14 that tests must respect (neither is the simulator's doing):
// - a client that sends while it receives can break its own Signal sessions; send through
//   client.send(...) when texts cross (see send below);
// - several clients in one process must not encrypt to the same device at the same moment:
//   libsignal keeps one job queue per address string for the whole process, and a job queued
//   behind another client's runs in that client's AsyncLocalStorage context, that is inside the
//   other client's key transaction ("No sessions", keys written to the wrong store). Clients that
//   write to one peer concurrently belong in processes (or worker threads) of their own.
import { EventEmitter } from 'node:events'
import { rmSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { Agent } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { after } from 'node:test'
import pino from 'pino'
import makeWASocket, { Browsers, DisconnectReason, WA_CERT_DETAILS, useMultiFileAuthState } from '@whiskeysockets/baileys'
import { startSim } from './sim.mjs'

const EVENTS = ['connection.update', 'creds.update', 'messages.upsert', 'messages.update', 'messages.reaction',
  'message-receipt.update', 'presence.update', 'contacts.upsert', 'contacts.update', 'chats.upsert',
  'chats.update', 'groups.upsert', 'groups.update', 'group-participants.update', 'blocklist.set',
  'blocklist.update', 'messaging-history.set', 'lid-mapping.update']

// Auth directories are removed when the process ends: Baileys may still write to them after a
// socket is closed, and a missing directory would turn that into an unhandled error.
const authDirs = new Set()
process.on('exit', () => { for (const d of authDirs) rmSync(d, { recursive: true, force: true }) })

// Baileys leaves timers behind a closed socket (a 30 s one after every prekey upload, 60 s ones for
// queries in flight when it closed), which would keep a test file's process alive for a minute
// after its tests are done. Call once per test file: when every test has finished, the process
// exits with the status the tests gave it.
export function exitWhenDone () {
  after(() => { setImmediate(() => process.exit()) })
}

export function trustSim (sim) {
  WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(sim.info.rootKey, 'hex')
}

// pino at `level`, into memory, so tests can look for Baileys' warnings ("timed out waiting for
// message" is what an unanswered IQ leaves).
function memoryLogger (level) {
  const lines = []
  const logger = pino({ level }, { write: (s) => { try { lines.push(JSON.parse(s)) } catch {} } })
  return { logger, lines }
}

// A simulator (startSim(opts)) trusted as root, and the clients a test makes on it, all closed
// afterwards: await withSim({ state }, async ({ sim, connect, start, clients }) => { ... }).
// connect(o) links and opens a client; start(o) only makes one (call .start() yourself).
export async function withSim (opts, fn) {
  const sim = await startSim(opts)
  trustSim(sim)
  const clients = []
  const connect = async (o) => { const c = await BaileysClient.connect(sim, o); clients.push(c); return c }
  const start = (o) => { const c = new BaileysClient(sim, o); clients.push(c); return c }
  try {
    return await fn({ sim, connect, start, clients })
  } finally {
    await Promise.all(clients.map((c) => c.close()))
    await sim.stop()
  }
}

export function withTimeout (promise, ms, what) {
  let timer
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((resolve, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms) })
  ])
}

export class BaileysClient extends EventEmitter {
  // opts: pairing 'qr' (default) | 'code'; phone (required for 'code'; for 'qr' picks the
  // account, else the simulator makes one); name (push name: becomes the account's name, so
  // Baileys sets me.name and sends presence); authDir (reuse a linked client's state);
  // markOnline; socket (more makeWASocket options); openTimeoutMs; logLevel; reconnect: false
  // (once open, report a close instead of reconnecting); onState(state) (change the loaded credentials
  // before the first socket, e.g. to present a wrong Noise key).
  constructor (sim, opts = {}) {
    super()
    this.setMaxListeners(100)
    this.sim = sim
    this.opts = opts
    this.events = []
    this.closes = []
    this.sockets = 0
    this.saving = Promise.resolve()
    const { logger, lines } = memoryLogger(opts.logLevel ?? 'warn')
    this.logger = logger
    this.logLines = lines
  }

  static async connect (sim, opts = {}) {
    const c = new BaileysClient(sim, opts)
    await c.start()
    return c
  }

  async start () {
    this.authDir = this.opts.authDir ?? await mkdtemp(join(tmpdir(), 'wabot-sim-client-'))
    authDirs.add(this.authDir)
    const { state, saveCreds } = await useMultiFileAuthState(this.authDir)
    this.state = state
    this.saveCreds = saveCreds
    this.opts.onState?.(state)
    this.t0 = performance.now()
    const opened = new Promise((resolve, reject) => {
      this.once('open', resolve)
      this.once('failed', reject)
    })
    this.openSocket()
    await withTimeout(opened, this.opts.openTimeoutMs ?? 20000, `${this.opts.name ?? 'client'} to reach open`)
  }

  openSocket () {
    const agent = this.sim.info.tlsCa ? new Agent({ ca: this.sim.info.tlsCa }) : undefined
    const sock = makeWASocket({
      waWebSocketUrl: this.sim.url,
      auth: this.state,
      logger: this.logger,
      printQRInTerminal: false,
      browser: Browsers.macOS('Chrome'),
      shouldSyncHistoryMessage: () => false,
      markOnlineOnConnect: this.opts.markOnline ?? false,
      pushName: this.opts.name,
      agent,
      ...this.opts.socket
    })
    this.sock = sock
    this.sockets++
    this.tSocket = performance.now()
    sock.ev.on('creds.update', () => { this.saving = this.saving.then(() => this.saveCreds()) })
    for (const ev of EVENTS) {
      sock.ev.on(ev, (data) => {
        this.events.push({ event: ev, data, ms: performance.now() - this.t0 })
        this.emit(ev, data)
      })
    }
    sock.ev.on('connection.update', (u) => this.onConnectionUpdate(sock, u))
  }

  onConnectionUpdate (sock, u) {
    if (sock !== this.sock) return
    if (u.qr && !this.linking) {
      this.linking = true
      this.link(sock, u.qr).catch((e) => this.emit('failed', e))
    }
    if (u.connection === 'open') {
      this.timeToOpenMs = performance.now() - this.t0
      this.loginToOpenMs = performance.now() - this.tSocket
      this.emit('open')
    }
    if (u.connection === 'close') {
      const code = u.lastDisconnect?.error?.output?.statusCode
      this.closes.push(code)
      this.emit('close', code)
      if (this.closing) return
      const opened = this.timeToOpenMs !== undefined /* the 515 after linking is part of linking */
      if (code === DisconnectReason.loggedOut || (this.opts.reconnect === false && opened)) {
        this.emit('failed', Object.assign(new Error(`connection closed with ${code}`), { code }))
        return
      }
      this.saving.then(() => { if (!this.closing) this.openSocket() })
    }
  }

  // The phone's side of linking: hand over the QR, or request a code and type it in.
  async link (sock, qr) {
    if (this.opts.pairing === 'code') {
      const code = await sock.requestPairingCode(this.opts.phone)
      this.linked = await this.sim.admin('POST', '/admin/mock-phone/enter-code', { phone: this.opts.phone, code })
    } else {
      const q = this.opts.phone ? `?phone=${this.opts.phone}` : ''
      this.linked = await this.sim.admin('POST', `/admin/mock-phone/scan-qr${q}`, qr)
    }
  }

  get jid () { return this.linked?.jid ?? this.sock?.user?.id }
  get phone () { return this.jid?.split(/[:@]/)[0] }
  get userJid () { return `${this.phone}@s.whatsapp.net` }

  // sendMessage, serialized with Baileys' own decryption. Baileys 7.0.0-rc14 runs a send's key
  // transaction (keyed by our own JID, relayMessage) and a decryption's (keyed by the sender's
  // JID, decryptMessage) under different mutexes of its addTransactionCapability, each with its
  // own copy of the session: when a contact's message is decrypted while we send to them, the
  // commit that lands last discards the other's ratchet step (a counter used twice: "Key used
  // already or never filled", then retries, new sessions, Bad MAC and lost messages; Baileys to
  // Baileys through the simulator at full speed loses about half of 500 echoes this way).
  // Upstream: WhiskeySockets/Baileys pull request #2811. Decryption runs under the socket's
  // messageMutex, so an application that sends under it too is safe; tests that let texts and
  // answers cross use this, as such a Baileys application must.
  send (jid, content, options) {
    return this.sock.messageMutex.mutex(() => this.sock.sendMessage(jid, content, options))
  }

  // Warnings that mean a request went unanswered until Baileys gave up on it.
  unansweredRequests () {
    return this.logLines.filter((l) => /timed out waiting for message/.test(l.msg ?? ''))
  }

  // The next event (or one already seen, when `seen` is true) matching predicate.
  waitFor (event, predicate = () => true, timeoutMs = 10000, { seen = false } = {}) {
    if (seen) {
      const hit = this.events.find((e) => e.event === event && predicate(e.data))
      if (hit) return Promise.resolve(hit.data)
    }
    let handler
    const p = new Promise((resolve) => {
      handler = (data) => { if (predicate(data)) resolve(data) }
      this.on(event, handler)
    })
    return withTimeout(p, timeoutMs, event).finally(() => this.off(event, handler))
  }

  waitForClose (timeoutMs = 10000) {
    return withTimeout(new Promise((resolve) => this.once('close', resolve)), timeoutMs, 'close')
  }

  async close () {
    this.closing = true
    try { await this.sock?.end(undefined) } catch {}
    await this.saving
  }
}
