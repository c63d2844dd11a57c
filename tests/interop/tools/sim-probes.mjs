// Prints the figures of issue 11's probes for the `wabot sim` of $WABOT_BUILD_DIR, with its
// default settings, so that two builds can be compared:
//   WABOT_BUILD_DIR=build node tests/interop/tools/sim-probes.mjs [probe...]
// Probes: silent (1,100 silent websockets, then GET /admin/info), memory (3 x 60 MiB bodies,
// then 8 connections pipelining GET /admin/info without reading), trickle (a body sent a byte
// every 500 ms), origin (foreign Origin and Host, admin on the media port), files (stanza log
// mode and symlink, state directory mode, corrupt sim.db).
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { startSim } from '../lib/sim.mjs'
import { wabotPath } from '../lib/paths.mjs'
import { bigBodies, closeAll, memory, pipelineUnread, request, silentWebsockets, trickle, upgrade } from '../lib/probes.mjs'

const mode = (p) => (statSync(p).mode & 0o777).toString(8)
const probes = {
  async silent () {
    const sim = await startSim()
    const before = memory(sim.proc.pid)
    const ws = await silentWebsockets(sim.port, 1100)
    const info = await request(sim.port, 'GET', '/admin/info', { timeoutMs: 5000 })
    const after = memory(sim.proc.pid)
    console.log(`silent: ${ws.open} of 1100 websockets open, ${ws.refused} refused; GET /admin/info: ` +
      `${info.status ? `${info.status} in ${info.ms.toFixed(0)} ms` : `${info.error} after ${info.ms.toFixed(0)} ms`}; ` +
      `RSS ${before.rssMB} -> ${after.rssMB} MB`)
    await sleep(12000)
    const later = await request(sim.port, 'GET', '/admin/info', { timeoutMs: 5000 })
    const still = ws.conns.filter((c) => !c.sock.destroyed).length
    console.log(`silent: 12 s later ${still} still open; GET /admin/info: ${later.status ? `${later.status} in ${later.ms.toFixed(0)} ms` : later.error}`)
    closeAll(ws.conns)
    await sim.stop()
  },
  async memory () {
    const sim = await startSim()
    const base = memory(sim.proc.pid)
    const bodies = await bigBodies(sim.port, 3, 60 << 20)
    await sleep(500)
    const m1 = memory(sim.proc.pid)
    closeAll(bodies.conns)
    await sleep(500)
    const pipes = await pipelineUnread(sim.port, 8, 20000)
    await sleep(3000)
    const m2 = memory(sim.proc.pid)
    const info = await request(sim.port, 'GET', '/admin/info', { timeoutMs: 5000 })
    console.log(`memory: base ${base.rssMB} MB; 3 x 60 MiB bodies (${bodies.refused} refused): RSS ${m1.rssMB} MB ` +
      `(peak ${m1.peakMB}); then 8 x 20000 pipelined unread: RSS ${m2.rssMB} MB (peak ${m2.peakMB}); ` +
      `GET /admin/info: ${info.status || info.error} in ${info.ms.toFixed(0)} ms`)
    closeAll(pipes)
    await sim.stop()
  },
  async trickle () {
    const sim = await startSim()
    const t = await trickle(sim.port, { limitMs: 40000 })
    console.log(`trickle: ${t.ms === null ? 'still open after 40 s' : `closed after ${(t.ms / 1000).toFixed(1)} s (answer ${t.answer})`}`)
    await sim.stop()
  },
  async origin () {
    const sim = await startSim()
    const evil = { Origin: 'https://evil.example', 'Content-Type': 'text/plain' }
    const post = await request(sim.port, 'POST', '/admin/accounts', { headers: evil, body: '{}' })
    const ws = await upgrade(sim.port, { origin: 'https://evil.example' })
    ws.c.sock.destroy()
    const host = await request(sim.port, 'GET', '/admin/info', { headers: { Host: `evil.example:${sim.port}` } })
    const media = Number(sim.info.mediaHost.split(':')[1])
    const tls = await import('node:tls')
    const onMedia = await new Promise((resolve) => {
      const s = tls.connect({ port: media, host: '127.0.0.1', rejectUnauthorized: false }, () => {
        s.write(`GET /admin/info HTTP/1.1\r\nHost: ${sim.info.mediaHost}\r\nConnection: close\r\n\r\n`)
      })
      let got = ''
      s.on('data', (d) => { got += d })
      s.on('close', () => resolve(Number((got.match(/^HTTP\/1\.1 (\d+)/) || [0, 0])[1])))
      s.on('error', () => {})
    })
    const accounts = await sim.admin('GET', '/admin/accounts')
    console.log(`origin: POST /admin/accounts from evil.example: ${post.status || post.error} (accounts now ${accounts.accounts.length}); ` +
      `upgrade from evil.example: ${ws.status}; Host evil.example: ${host.status || host.error}; /admin/info on the media port: ${onMedia}`)
    await sim.stop()
    // --listen 0.0.0.0
    let wild
    try {
      const s = await startSim({ listen: '0.0.0.0' })
      wild = `started, printed ${s.url}`
      await s.stop()
    } catch (e) { wild = `refused: ${e.message.split('\n').slice(0, 2).join(' ')}` }
    console.log(`origin: --listen 0.0.0.0: ${wild}`)
  },
  async files () {
    const dir = mkdtempSync(join(tmpdir(), 'wabot-probe-'))
    try {
      const logf = join(dir, 'stanzas.log')
      const sim = await startSim({ stanzaLog: logf })
      await sim.stop()
      const target = join(dir, 'target')
      writeFileSync(target, '')
      symlinkSync(target, join(dir, 'link.log'))
      let link
      try {
        const s = await startSim({ stanzaLog: join(dir, 'link.log') })
        await s.stop()
        link = `followed (target now ${readFileSync(target).length} bytes)`
      } catch (e) { link = `refused: ${e.message.split('\n')[1] || e.message}` }
      const state = join(dir, 'state')
      mkdirSync(state)
      chmodSync(state, 0o755)
      const s2 = await startSim({ state })
      await s2.stop()
      const stateMode = mode(state)
      writeFileSync(join(state, 'sim.db'), Buffer.concat([readFileSync(join(state, 'sim.db')).subarray(0, 4096), Buffer.alloc(8192, 0x5a)]))
      rmSync(join(state, 'sim.db-wal'), { force: true })
      rmSync(join(state, 'sim.db-shm'), { force: true })
      let corrupt
      try {
        execFileSync(wabotPath(), ['sim', '--state', state], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 5000 })
        corrupt = 'started'
      } catch (e) { corrupt = String(e.stderr).trim().split('\n').pop() }
      console.log(`files: stanza log mode ${mode(logf)}; symlinked log ${link}; state dir 0755 -> ${stateMode}; corrupt sim.db: "${corrupt}"`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

const names = process.argv.slice(2)
for (const name of names.length ? names : Object.keys(probes)) await probes[name]()
process.exit(0)
