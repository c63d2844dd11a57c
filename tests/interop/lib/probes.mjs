// Probes of a running `wabot sim` as an unfriendly neighbour would run them, over loopback with
// raw sockets: silent websockets, big and trickled bodies, pipelined requests whose answers are
// never read, foreign Origin and Host headers. Used by sim_hardening.test.mjs (which asserts the
// simulator copes) and by tools/sim-probes.mjs (which prints the figures for any build).
import net from 'node:net'
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'

export const ORIGIN_WA = 'https://web.whatsapp.com'

// The simulator process's memory: { rssMB, peakMB } (VmRSS and VmHWM).
export function memory (pid) {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (name) => Number((s.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm')) || [0, 0])[1])
  return { rssMB: Math.round(kb('VmRSS') / 1024), peakMB: Math.round(kb('VmHWM') / 1024) }
}

// A TCP connection to the simulator that collects what it receives: { sock, got(), closed }.
export function connect (port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host })
    const chunks = []
    const conn = { sock, error: null, got: () => Buffer.concat(chunks).toString('latin1') }
    conn.closed = new Promise((res) => sock.once('close', res))
    sock.on('data', (d) => chunks.push(d))
    sock.on('error', (e) => { conn.error = e })
    sock.once('connect', () => resolve(conn))
    sock.once('close', () => resolve(conn))
  })
}

// The status of the first HTTP answer received so far, or 0.
export const statusOf = (text) => Number((text.match(/^HTTP\/1\.1 (\d{3})/) || [0, 0])[1])

function upgradeRequest (port, { origin = ORIGIN_WA, host = `127.0.0.1:${port}`, path = '/ws/chat' } = {}) {
  return `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
    (origin ? `Origin: ${origin}\r\n` : '') + '\r\n'
}

// Waits until the answer's head has arrived or the connection closed (or ms passed).
async function answered (c, ms = 5000) {
  const end = Date.now() + ms
  while (!c.got().includes('\r\n\r\n') && !c.sock.destroyed && Date.now() < end) {
    await Promise.race([new Promise((resolve) => c.sock.once('data', resolve)), c.closed, sleep(50)])
  }
  return statusOf(c.got())
}

// A websocket upgrade: resolves { c, status } (101 when open; the connection stays open).
export async function upgrade (port, opts) {
  const c = await connect(port)
  if (c.sock.destroyed) return { c, status: 0 }
  c.sock.write(upgradeRequest(port, opts))
  return { c, status: await answered(c) }
}

// Opens n websockets that complete the upgrade and then say nothing, batch at a time.
// Resolves { open, refused, conns }.
export async function silentWebsockets (port, n, batch = 50) {
  const conns = []
  let open = 0
  for (let i = 0; i < n; i += batch) {
    const got = await Promise.all(Array.from({ length: Math.min(batch, n - i) }, () => upgrade(port)))
    for (const { c, status } of got) {
      conns.push(c)
      if (status === 101) open++
    }
  }
  return { open, refused: n - open, conns }
}

// One HTTP request on a fresh connection: { status, ms, body } or { error, ms }.
export async function request (port, method, path, { headers = {}, body = '', timeoutMs = 10000 } = {}) {
  const t0 = performance.now()
  const c = await connect(port)
  if (c.sock.destroyed) return { error: c.error?.code || 'closed', ms: performance.now() - t0 }
  const hs = { Host: `127.0.0.1:${port}`, 'Content-Length': Buffer.byteLength(body), Connection: 'close', ...headers }
  c.sock.write(`${method} ${path} HTTP/1.1\r\n` + Object.entries(hs).map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n' + body)
  await Promise.race([c.closed, sleep(timeoutMs)])
  const ms = performance.now() - t0
  c.sock.destroy()
  const text = c.got()
  if (!statusOf(text)) return { error: c.error?.code || (c.sock.destroyed ? 'closed without an answer' : 'timeout'), ms }
  return { status: statusOf(text), ms, body: text.slice(text.indexOf('\r\n\r\n') + 4) }
}

// Sends the heads of count POSTs of size bytes each and all of their bodies but the last byte,
// at once; resolves the connections (left open) and how many were answered before their end.
export async function bigBodies (port, count, size, path = '/admin/accounts') {
  const chunk = Buffer.alloc(1 << 20, 0x61)
  const conns = await Promise.all(Array.from({ length: count }, () => connect(port)))
  await Promise.all(conns.map(async (c) => {
    if (c.sock.destroyed) return
    c.sock.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: ${size}\r\n\r\n`)
    for (let left = size - 1; left > 0 && !c.sock.destroyed;) {
      const n = Math.min(left, chunk.length)
      left -= n
      if (!c.sock.write(chunk.subarray(0, n))) {
        await Promise.race([new Promise((resolve) => c.sock.once('drain', resolve)), c.closed])
      }
    }
  }))
  return { conns, refused: conns.filter((c) => statusOf(c.got()) || c.sock.destroyed).length }
}

// conns connections that each pipeline `requests` GET /admin/info and never read the answers.
export async function pipelineUnread (port, conns, requests) {
  const one = `GET /admin/info HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`
  const all = Buffer.from(one.repeat(requests))
  const cs = await Promise.all(Array.from({ length: conns }, () => connect(port)))
  for (const c of cs) {
    c.sock.pause() // never read: the answers pile up on the server's side
    c.sock.write(all)
  }
  return cs
}

// POSTs a body of `size` bytes one byte every intervalMs; resolves the ms until the server
// closed the connection, or null when it was still open after limitMs.
export async function trickle (port, { size = 100000, intervalMs = 500, limitMs = 30000 } = {}) {
  const c = await connect(port)
  const t0 = performance.now()
  c.sock.write(`POST /admin/accounts HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: ${size}\r\n\r\n`)
  let closed = false
  c.closed.then(() => { closed = true })
  while (!closed && performance.now() - t0 < limitMs) {
    c.sock.write('a')
    await Promise.race([sleep(intervalMs), c.closed])
  }
  const ms = performance.now() - t0
  c.sock.destroy()
  return { ms: closed ? ms : null, answer: statusOf(c.got()) }
}

export const closeAll = (conns) => conns.forEach((c) => c.sock.destroy())
