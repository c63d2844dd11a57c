// The transport (host/net) against Node: Baileys' own websocket client class, Node's https and
// fetch against wabot's server (tests/tools/wb_echo_server); abuse from raw sockets; and wabot's
// websocket and HTTP clients (helper ops net_*) against Node's ws and https servers.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import tls from 'node:tls'
import WebSocket, { WebSocketServer } from 'ws'
import { WebSocketClient } from '@whiskeysockets/baileys/lib/Socket/Client/websocket.js'
import { Helper, b64 } from './lib/helper.mjs'
import { startEchoServer } from './lib/echo_server.mjs'

const ORIGIN = 'https://web.whatsapp.com'
const sha = (b) => createHash('sha256').update(b).digest('hex')
const blob = (n) => { const b = Buffer.alloc(n); for (let i = 0; i < n; i++) b[i] = (i * 31 + (i >>> 12)) & 0xff; return b }

// A Baileys WebSocketClient, configured as makeWASocket does, on a self-signed server when ca.
function baileysSocket (url, ca) {
  const config = {
    connectTimeoutMs: 20000,
    options: { headers: { 'X-Baileys-Test': 'yes' } },
    agent: ca ? new https.Agent({ ca }) : undefined
  }
  return new WebSocketClient(new URL(url), config)
}

// Resolves each message in order; rejects on close.
function messageQueue (ws) {
  const got = []
  const waiters = []
  ws.on('message', (data) => {
    const w = waiters.shift()
    if (w) w.resolve(Buffer.from(data)); else got.push(Buffer.from(data))
  })
  return () => got.length ? Promise.resolve(got.shift()) : new Promise((resolve, reject) => waiters.push({ resolve, reject }))
}

for (const secure of [false, true]) {
  test(`Baileys' websocket client echoes through wabot's server (${secure ? 'wss' : 'ws'})`, async () => {
    const srv = await startEchoServer(secure ? ['--tls'] : [])
    try {
      const ws = baileysSocket(`${secure ? 'wss' : 'ws'}://127.0.0.1:${srv.port}/ws/chat`, srv.cert)
      const next = messageQueue(ws)
      ws.connect()
      await once(ws, 'open')
      ws.send(Buffer.from('header?origin'))
      assert.equal((await next()).toString(), ORIGIN)
      ws.send(Buffer.from('header?x-baileys-test'))
      assert.equal((await next()).toString(), 'yes')
      // many messages, in order, then megabyte messages
      const sent = []
      for (let i = 0; i < 300; i++) { const m = randomBytes(1 + (i * 37) % 3000); sent.push(m); ws.send(m) }
      for (const m of sent) assert.deepEqual(await next(), m)
      for (let i = 0; i < 3; i++) {
        const m = randomBytes(1 << 20)
        ws.send(m)
        assert.equal(sha(await next()), sha(m))
      }
      // Baileys closes without a code: the server answers the empty close frame
      const closed = once(ws, 'close')
      await ws.close()
      const [code] = await closed
      assert.equal(code, 1005)
    } finally {
      assert.equal(await srv.stop(), 0, srv.log())
    }
  })
}

test('the server closes with the code asked for, and ws sees it', async () => {
  const srv = await startEchoServer()
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${srv.port}/ws/chat`, { origin: ORIGIN })
    await once(ws, 'open')
    ws.send(Buffer.from('close:4001'))
    const [code, reason] = await once(ws, 'close')
    assert.equal(code, 4001)
    assert.equal(reason.toString(), 'asked to close')
  } finally {
    assert.equal(await srv.stop(), 0)
  }
})

// ---- HTTP and HTTPS, as Baileys' media code does it -------------------------------------------

function request (mod, opts, body) {
  return new Promise((resolve, reject) => {
    const req = mod.request(opts, (res) => {
      const parts = []
      res.on('data', (d) => parts.push(d))
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts) }))
    })
    req.on('error', reject)
    if (body instanceof Readable) body.pipe(req)
    else req.end(body)
  })
}

for (const secure of [false, true]) {
  test(`Node's ${secure ? 'https' : 'http'} uploads and downloads 5 MiB through wabot's server`, async () => {
    const srv = await startEchoServer(secure ? ['--tls'] : [])
    try {
      const mod = secure ? https : http
      const base = { host: '127.0.0.1', port: srv.port, ...(secure ? { ca: srv.cert, servername: 'localhost' } : {}) }
      const hello = await request(mod, { ...base, path: '/hello' })
      assert.equal(hello.status, 200)
      assert.equal(hello.body.toString(), 'hello')
      // uploadWithNodeHttp: POST with Content-Length and the Origin header
      const file = randomBytes(5 << 20)
      const up = await request(mod, {
        ...base, method: 'POST', path: '/echo?auth=x&token=y',
        headers: { 'Content-Type': 'application/octet-stream', Origin: ORIGIN, 'Content-Length': file.length }
      }, file)
      assert.equal(up.status, 200)
      assert.equal(up.headers['x-chunked'], '0')
      assert.equal(sha(up.body), sha(file))
      // a streamed body without a length goes chunked
      const chunked = await request(mod, { ...base, method: 'POST', path: '/sha256', headers: { Origin: ORIGIN } },
        Readable.from((function * () { for (let i = 0; i < 20; i++) yield file.subarray(i * 262144, (i + 1) * 262144) })()))
      assert.equal(chunked.body.toString(), `${sha(file)} ${file.length}`)
      const down = await request(mod, { ...base, path: `/blob?size=${5 << 20}` })
      assert.equal(down.status, 200)
      assert.equal(sha(down.body), sha(blob(5 << 20)))
      const missing = await request(mod, { ...base, path: '/nope' })
      assert.equal(missing.status, 404)
    } finally {
      assert.equal(await srv.stop(), 0, srv.log())
    }
  })
}

// getHttpStream uses fetch (undici); a child process trusts the server's certificate through
// NODE_EXTRA_CA_CERTS, as a Baileys user would configure it.
test('fetch downloads 5 MiB over https from wabot\'s server', async () => {
  const srv = await startEchoServer(['--tls'])
  const dir = mkdtempSync(join(tmpdir(), 'wabot-ca-'))
  try {
    const caFile = join(dir, 'ca.pem')
    writeFileSync(caFile, srv.cert)
    const script = `const r = await fetch('https://localhost:${srv.port}/blob?size=${5 << 20}', { headers: { Origin: '${ORIGIN}' } });
      const b = Buffer.from(await r.arrayBuffer());
      const p = await fetch('https://localhost:${srv.port}/echo', { method: 'POST', body: b });
      const e = Buffer.from(await p.arrayBuffer());
      console.log(JSON.stringify({ status: r.status, sha: (await import('node:crypto')).createHash('sha256').update(b).digest('hex'), echoed: e.equals(b) }))`
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile }, stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (d) => { out += d })
    const [code] = await once(child, 'exit')
    assert.equal(code, 0)
    const r = JSON.parse(out)
    assert.equal(r.status, 200)
    assert.equal(r.sha, sha(blob(5 << 20)))
    assert.equal(r.echoed, true)
  } finally {
    rmSync(dir, { recursive: true, force: true })
    assert.equal(await srv.stop(), 0)
  }
})

// ---- abuse ---------------------------------------------------------------------------------------

// Sends bytes on a raw connection and collects everything until the server closes it.
function raw (port, bytes, { secure = false, ca } = {}) {
  return new Promise((resolve, reject) => {
    const s = secure ? tls.connect({ port, host: '127.0.0.1', ca, servername: 'localhost' }) : net.connect(port, '127.0.0.1')
    const parts = []
    s.on(secure ? 'secureConnect' : 'connect', () => s.write(bytes))
    s.on('data', (d) => parts.push(d))
    s.on('error', () => {})
    s.on('close', () => resolve(Buffer.concat(parts)))
    setTimeout(() => { s.destroy(); reject(new Error('server did not close the connection')) }, 5000).unref()
  })
}

const UPGRADE = 'GET /ws/chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: https://web.whatsapp.com\r\n\r\n'

test('misbehaving connections are closed with the right answer while a good one carries on', async () => {
  const srv = await startEchoServer()
  try {
    const good = new WebSocket(`ws://127.0.0.1:${srv.port}/ws/chat`, { origin: ORIGIN })
    const next = messageQueue(good)
    await once(good, 'open')

    const bad400 = await raw(srv.port, 'GET / HTTP/1.1\r\nHost x\r\n\r\n')
    assert.match(bad400.toString(), /^HTTP\/1\.1 400 Bad Request\r\n/)
    assert.match(bad400.toString(), /Connection: close/)
    const big = await raw(srv.port, `GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`)
    assert.match(big.toString(), /^HTTP\/1\.1 431 /)
    const smuggle = await raw(srv.port, 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n')
    assert.match(smuggle.toString(), /^HTTP\/1\.1 400 /)
    const version = await raw(srv.port, 'GET /ws/chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 8\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n')
    assert.match(version.toString(), /^HTTP\/1\.1 426 [^]*Sec-WebSocket-Version: 13\r\n/)

    // after the upgrade, an unmasked frame (clients must mask): close frame 1002, then the end
    const frames = await raw(srv.port, Buffer.concat([Buffer.from(UPGRADE), Buffer.from([0x82, 0x03, 1, 2, 3])]))
    const at = frames.indexOf('\r\n\r\n') + 4
    assert.match(frames.subarray(0, at).toString(), /^HTTP\/1\.1 101 /)
    assert.deepEqual([...frames.subarray(at)], [0x88, 0x02, 0x03, 0xea])

    // a real ws client sending a frame with a reserved opcode gets 1002 too
    const victim = new WebSocket(`ws://127.0.0.1:${srv.port}/ws/chat`, { origin: ORIGIN })
    await once(victim, 'open')
    victim._socket.write(Buffer.from([0x83, 0x80, 0, 0, 0, 0]))
    const [vcode] = await once(victim, 'close')
    assert.equal(vcode, 1002)

    // an oversized message: 1009
    const srv2 = await startEchoServer(['--max-message', '1000'])
    try {
      const fat = new WebSocket(`ws://127.0.0.1:${srv2.port}/ws/chat`, { origin: ORIGIN })
      await once(fat, 'open')
      fat.send(Buffer.alloc(1001))
      const [fcode] = await once(fat, 'close')
      assert.equal(fcode, 1009)
    } finally {
      assert.equal(await srv2.stop(), 0)
    }

    good.send(Buffer.from('still fine'))
    assert.equal((await next()).toString(), 'still fine')
    good.close(1000)
    await once(good, 'close')
  } finally {
    assert.equal(await srv.stop(), 0, srv.log())
  }
})

test('TLS garbage and plain HTTP on the TLS port are dropped; TLS clients carry on', async () => {
  const srv = await startEchoServer(['--tls'])
  try {
    const junk = Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, 0x40]), randomBytes(200)])
    const r1 = await raw(srv.port, junk)
    assert.ok(!r1.toString().includes('HTTP/1.1'))
    const r2 = await raw(srv.port, 'GET /hello HTTP/1.1\r\nHost: x\r\n\r\n')
    assert.ok(!r2.toString().includes('hello'))
    const ok = await request(https, { host: '127.0.0.1', port: srv.port, path: '/hello', ca: srv.cert, servername: 'localhost' })
    assert.equal(ok.body.toString(), 'hello')
  } finally {
    assert.equal(await srv.stop(), 0)
  }
})

// ---- wabot's clients against Node servers -------------------------------------------------------

async function nodeServers (helper) {
  const { cert, key } = await helper.call('net_selfsigned', { names: ['node.test'] })
  const seen = []
  const handler = (req, res) => {
    const parts = []
    req.on('data', (d) => parts.push(d))
    req.on('end', () => {
      const body = Buffer.concat(parts)
      seen.push({ method: req.method, url: req.url, headers: req.headers, length: body.length })
      if (req.url.startsWith('/blob')) {
        const n = Number(new URL(req.url, 'http://x').searchParams.get('size'))
        const b = blob(n)
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' }) // no length: chunked
        for (let i = 0; i < n; i += 100000) res.write(b.subarray(i, i + 100000))
        res.end()
      } else if (req.url === '/upload') {
        res.writeHead(201, { 'Content-Type': 'text/plain', 'Content-Length': 64 })
        res.end(sha(body))
      } else {
        res.writeHead(404)
        res.end('no')
      }
    })
  }
  const servers = { secure: https.createServer({ cert, key }, handler), plain: http.createServer(handler) }
  const wsSeen = []
  for (const s of Object.values(servers)) {
    const wss = new WebSocketServer({ server: s, path: '/ws/chat' })
    wss.on('connection', (ws, req) => {
      const entry = { headers: req.headers, closeCode: null }
      wsSeen.push(entry)
      ws.on('message', (data, isBinary) => { assert.equal(isBinary, true); ws.send(data) })
      ws.on('close', (code) => { entry.closeCode = code })
    })
    s.listen(0, '127.0.0.1')
    await once(s, 'listening')
  }
  return {
    cert,
    seen,
    wsSeen,
    port: (k) => servers[k].address().port,
    close: () => Promise.all(Object.values(servers).map((s) => { s.closeAllConnections?.(); return new Promise((resolve) => s.close(resolve)) }))
  }
}

test("wabot's websocket client talks to Node's ws server (ws and wss)", async () => {
  const h = new Helper()
  const node = await nodeServers(h)
  try {
    for (const [scheme, kind] of [['ws', 'plain'], ['wss', 'secure']]) {
      const messages = [...Array(50)].map((_, i) => randomBytes(1 + i * 13))
      messages.push(randomBytes(1 << 20))
      const r = await h.call('net_ws_client', {
        url: `${scheme}://127.0.0.1:${node.port(kind)}/ws/chat`,
        ca: node.cert,
        origin: ORIGIN,
        headers: { 'Cache-Control': 'no-cache', Pragma: 'no-cache' },
        messages: messages.map((m) => m.toString('base64'))
      })
      assert.equal(r.opened, true, r.reason)
      assert.equal(r.status, 'WB_OK', r.reason)
      assert.equal(r.code, 1000)
      assert.equal(r.clean, true)
      assert.equal(r.received.length, messages.length)
      r.received.forEach((m, i) => assert.deepEqual(b64(m), messages[i]))
      const seen = node.wsSeen.at(-1)
      assert.equal(seen.headers.origin, ORIGIN)
      assert.equal(seen.headers.pragma, 'no-cache')
      assert.equal(seen.headers['cache-control'], 'no-cache')
      await new Promise((resolve) => setTimeout(resolve, 50))
      assert.equal(seen.closeCode, 1000)
    }
    // a certificate we do not trust
    const other = await h.call('net_selfsigned', { names: ['node.test'] })
    const bad = await h.call('net_ws_client', { url: `wss://127.0.0.1:${node.port('secure')}/ws/chat`, ca: other.cert, messages: [] })
    assert.equal(bad.opened, false)
    assert.equal(bad.status, 'WB_ECERT')
    assert.match(bad.reason, /self-signed certificate/)
    // a name the certificate does not carry
    const wrong = await h.call('net_ws_client', { url: `wss://localhost:${node.port('secure')}/ws/chat`, ca: node.cert, messages: [] })
    assert.equal(wrong.status, 'WB_OK', 'localhost is in every wabot certificate')
    const refused = await h.call('net_ws_client', { url: `ws://127.0.0.1:${node.port('plain')}/not-ws`, messages: [] })
    assert.equal(refused.opened, false)
    assert.equal(refused.status, 'WB_EPROTO')
  } finally {
    await node.close()
    await h.close()
  }
})

test("wabot's HTTP client uploads and downloads through Node's http and https", async () => {
  const h = new Helper()
  const node = await nodeServers(h)
  try {
    for (const [scheme, kind] of [['http', 'plain'], ['https', 'secure']]) {
      const url = `${scheme}://127.0.0.1:${node.port(kind)}`
      const down = await h.call('net_fetch', { url: `${url}/blob?size=${5 << 20}`, ca: node.cert, headers: { Origin: ORIGIN } })
      assert.equal(down.status, 'WB_OK', down.reason)
      assert.equal(down.http_status, 200)
      assert.equal(sha(b64(down.body)), sha(blob(5 << 20)))
      assert.equal(node.seen.at(-1).headers.origin, ORIGIN)
      const file = randomBytes(5 << 20)
      const up = await h.call('net_fetch', { method: 'POST', url: `${url}/upload`, ca: node.cert, body: file, headers: { 'Content-Type': 'application/octet-stream' } })
      assert.equal(up.http_status, 201)
      assert.equal(b64(up.body).toString(), sha(file))
      assert.equal(node.seen.at(-1).length, file.length)
      const missing = await h.call('net_fetch', { url: `${url}/nope`, ca: node.cert })
      assert.equal(missing.status, 'WB_OK')
      assert.equal(missing.http_status, 404)
      assert.equal(down.clean && up.clean && missing.clean, true)
    }
    const other = await h.call('net_selfsigned', { names: [] })
    const bad = await h.call('net_fetch', { url: `https://127.0.0.1:${node.port('secure')}/upload`, ca: other.cert })
    assert.equal(bad.status, 'WB_ECERT')
  } finally {
    await node.close()
    await h.close()
  }
})
