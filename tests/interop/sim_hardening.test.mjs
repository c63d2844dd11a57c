// `wabot sim` against an unfriendly neighbour on the same machine (issue 11's probes, each bounded
// in time, over loopback): silent websockets, big bodies and unread answers, a trickled body,
// web pages of other origins and DNS rebinding, and the files it writes. The Baileys scenarios
// (sim_*.test.mjs) show the same defaults leave real clients alone.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import tls from 'node:tls'
import { setTimeout as sleep } from 'node:timers/promises'
import { startSim } from './lib/sim.mjs'
import { wabotPath } from './lib/paths.mjs'
import { bigBodies, closeAll, memory, pipelineUnread, request, silentWebsockets, statusOf, trickle, upgrade } from './lib/probes.mjs'

const mode = (p) => statSync(p).mode & 0o777
// Under AddressSanitizer the process maps terabytes of shadow memory and keeps freed memory in
// quarantine: its RSS says nothing about our buffers.
const sanitized = (pid) => /^VmSize:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1] > 1 << 30

async function withDir (fn) {
  const dir = mkdtempSync(join(tmpdir(), 'wabot-hardening-'))
  try { return await fn(dir) } finally { rmSync(dir, { recursive: true, force: true }) }
}

// Runs `wabot sim ARGS` expecting it to fail at start: resolves its stderr.
function failsToStart (args) {
  return new Promise((resolve) => {
    execFile(wabotPath(), ['sim', ...args], { timeout: 10000 }, (err, stdout, stderr) => {
      assert.ok(err, `wabot sim ${args.join(' ')} started:\n${stdout}`)
      resolve(stderr)
    })
  })
}

test('1,100 silent websockets: /admin/info still answers within 2 s, and the silent ones are closed', async () => {
  const sim = await startSim()
  try {
    const t0 = performance.now()
    const ws = await silentWebsockets(sim.port, 1100)
    const info = await request(sim.port, 'GET', '/admin/info', { timeoutMs: 2000 })
    console.log(`# ${ws.open} websockets open, ${ws.refused} refused in ${(performance.now() - t0).toFixed(0)} ms; ` +
      `GET /admin/info: ${info.status || info.error} in ${info.ms.toFixed(0)} ms`)
    assert.equal(info.status, 200, `GET /admin/info: ${info.error}`)
    assert.ok(info.ms < 2000)
    assert.equal(ws.open, 256, 'one address gets 256 websockets')
    // the rest were told why
    const refused = ws.conns.find((c) => statusOf(c.got()) === 503)
    assert.match(refused.got(), /too many websockets from this address/)
    // none of them started a Noise handshake: they are dropped after 10 s
    const end = Date.now() + 15000
    while (ws.conns.some((c) => !c.sock.destroyed) && Date.now() < end) await sleep(100)
    assert.equal(ws.conns.filter((c) => !c.sock.destroyed).length, 0)
    const stats = await sim.stats()
    assert.equal(stats.timeouts.handshake, 256)
    assert.equal(stats.refused.websockets_per_address + (stats.refused.http_per_address || 0), 844)
    assert.equal(stats.connections.open, 0)
    closeAll(ws.conns)
  } finally {
    await sim.stop()
  }
})

test('3 x 60 MiB bodies and pipelined answers nobody reads stay under the buffer cap', async () => {
  const sim = await startSim()
  try {
    const cap = 128 << 20 // the default
    const bodies = await bigBodies(sim.port, 3, 60 << 20)
    // two fit in 128 MiB; the third is refused at its head, before its body is read
    const refused = bodies.conns.filter((c) => statusOf(c.got()) === 503)
    assert.equal(refused.length, 1)
    assert.match(refused[0].got(), /buffers are full/)
    const pipes = await pipelineUnread(sim.port, 8, 20000)
    await sleep(2000)
    const m = memory(sim.proc.pid)
    // the admin API is not locked out by any of it
    const info = await request(sim.port, 'GET', '/admin/info', { timeoutMs: 2000 })
    assert.equal(info.status, 200)
    const stats = await sim.stats()
    console.log(`# RSS ${m.rssMB} MB, peak ${m.peakMB} MB; buffers peak ${(stats.buffers.peak / 1048576).toFixed(1)} MiB ` +
      `of ${cap / 1048576}; refused.buffers ${stats.refused?.buffers}; GET /admin/info in ${info.ms.toFixed(0)} ms`)
    assert.equal(stats.buffers.cap, cap)
    assert.ok(stats.buffers.peak <= cap)
    assert.ok(stats.refused.buffers >= 1)
    if (!sanitized(sim.proc.pid)) assert.ok(m.peakMB < 128 + 32, `peak RSS ${m.peakMB} MB`)
    closeAll(bodies.conns)
    closeAll(pipes)
    // everything held is given back
    const end = Date.now() + 5000
    let used
    while ((used = (await sim.stats()).buffers.used) > 0 && Date.now() < end) await sleep(100)
    assert.equal(used, 0)
  } finally {
    await sim.stop()
  }
})

test('a body trickled a byte at a time is cut off at its deadline', async () => {
  const sim = await startSim({ args: ['--request-timeout', '2'] })
  try {
    const t = await trickle(sim.port, { intervalMs: 200, limitMs: 8000 })
    console.log(`# closed after ${t.ms === null ? '-' : (t.ms / 1000).toFixed(1)} s, answer ${t.answer}`)
    assert.notEqual(t.ms, null, 'still open after 8 s')
    assert.ok(t.ms > 1800 && t.ms < 4000, `${t.ms} ms`)
    assert.equal(t.answer, 408)
    assert.equal((await sim.stats()).timeouts.request, 1)
  } finally {
    await sim.stop()
  }
})

test('web pages of other origins and rebound DNS names are refused; the admin API is on the main port only', async () => {
  const sim = await startSim()
  try {
    const evil = { Origin: 'https://evil.example', 'Content-Type': 'text/plain' }
    const post = await request(sim.port, 'POST', '/admin/accounts', { headers: evil, body: '{}' })
    assert.equal(post.status, 403)
    assert.equal((await sim.admin('GET', '/admin/accounts')).accounts.length, 0, 'no account was made')
    for (const origin of ['https://evil.example', 'null', `http://127.0.0.1:${sim.port + 1}`]) {
      const ws = await upgrade(sim.port, { origin })
      ws.c.sock.destroy()
      assert.equal(ws.status, 403, origin)
    }
    // WhatsApp's origin is for the websocket, not the admin API
    assert.equal((await request(sim.port, 'GET', '/admin/info', { headers: { Origin: 'https://web.whatsapp.com' } })).status, 403)
    // DNS rebinding: a page whose name now points at 127.0.0.1 still names itself in Host
    assert.equal((await request(sim.port, 'GET', '/admin/info', { headers: { Host: `evil.example:${sim.port}` } })).status, 403)
    const rebound = await upgrade(sim.port, { host: `evil.example:${sim.port}` })
    rebound.c.sock.destroy()
    assert.equal(rebound.status, 403)
    // the simulator's own origin, and clients that send none, are served
    for (const origin of [`http://127.0.0.1:${sim.port}`, `http://localhost:${sim.port}`]) {
      assert.equal((await request(sim.port, 'POST', '/admin/accounts', { headers: { Origin: origin }, body: '{}' })).status, 200, origin)
    }
    assert.equal((await request(sim.port, 'GET', '/admin/info', { headers: { Host: `localhost:${sim.port}` } })).status, 200)
    // the media port (HTTPS, self-signed) serves media routes only
    const [mediaHost, mediaPort] = sim.info.mediaHost.split(':')
    const onMedia = await new Promise((resolve, reject) => {
      const s = tls.connect({ port: Number(mediaPort), host: mediaHost, rejectUnauthorized: false }, () => {
        s.end(`GET /admin/info HTTP/1.1\r\nHost: ${sim.info.mediaHost}\r\nConnection: close\r\n\r\n`)
      })
      let got = ''
      s.on('data', (d) => { got += d })
      s.on('close', () => resolve(statusOf(got)))
      s.on('error', reject)
    })
    assert.equal(onMedia, 404)
    const stats = await sim.stats()
    assert.equal(stats.refused.origin, 5)
    assert.equal(stats.refused.host, 2)
  } finally {
    await sim.stop()
  }
  // an address other than loopback needs --allow-remote
  const stderr = await failsToStart(['--listen', '0.0.0.0:0'])
  assert.match(stderr, /not a loopback address.*--allow-remote/s)
})

test('files: the stanza log is 0600 and never a link, the state directory 0700, a corrupt sim.db is named', async () => {
  await withDir(async (dir) => {
    const log = join(dir, 'stanzas.log')
    const sim = await startSim({ stanzaLog: log })
    await sim.admin('POST', '/admin/accounts', {})
    await sim.stop()
    assert.equal(mode(log), 0o600)
    // a link planted where the log goes is refused, not written through
    const target = join(dir, 'target')
    writeFileSync(target, 'keep\n')
    chmodSync(target, 0o644)
    symlinkSync(target, join(dir, 'link.log'))
    const linkErr = await failsToStart(['--stanza-log', join(dir, 'link.log')])
    assert.match(linkErr, /symbolic link/)
    assert.equal(readFileSync(target, 'utf8'), 'keep\n')
    assert.equal(mode(target), 0o644)
    assert.ok(lstatSync(join(dir, 'link.log')).isSymbolicLink())
    // a state directory others can read is tightened
    const state = join(dir, 'state')
    mkdirSync(state)
    chmodSync(state, 0o755)
    const s2 = await startSim({ state })
    await s2.stop()
    assert.equal(mode(state), 0o700)
    assert.equal(mode(join(state, 'sim.db')), 0o600)
    // a corrupt database: the error names the file
    const db = join(state, 'sim.db')
    writeFileSync(db, Buffer.concat([readFileSync(db).subarray(0, 4096), Buffer.alloc(8192, 0x5a)]))
    rmSync(db + '-wal', { force: true })
    rmSync(db + '-shm', { force: true })
    const corrupt = await failsToStart(['--state', state])
    assert.ok(corrupt.includes(db), corrupt)
    assert.match(corrupt, /malformed|not a database/)
  })
})
