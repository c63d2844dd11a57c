// wabot's client links and logs in through `wabot sim` as a user would run it: `wabot auth` by
// QR (the simulated phone scans the QR string the client wrote with --qr-out) and by pairing
// code, `wabot status` on the result, a second process refused by the store's lock, and
// `wabot logout` unlinking at the server. Baileys clients sharing the simulator see the linked
// device in the account's device list (usync), as they would a real phone's companion.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startSim, withTlsCert } from './lib/sim.mjs'
import { readLog } from './lib/stanza-log.mjs'
import { BaileysClient, exitWhenDone, trustSim } from './lib/baileys-client.mjs'
import { newWabot } from './lib/wabot.mjs'

exitWhenDone()

test('wabot auth links by QR and by pairing code; status, lock and logout', async (t) => {
  const sim = await startSim()
  trustSim(sim)
  let baileys
  try {
    const a = await newWabot(sim)
    const linked = await a.link({ phone: '15550101010', name: 'QR Bot' })
    assert.equal(linked.jid, '15550101010:1@s.whatsapp.net')
    const st = await a.status()
    assert.equal(st.code, 0)
    assert.equal(st.state, 'linked')
    assert.equal(st.jid, linked.jid)
    assert.match(st.lid, /^\d+:1@lid$/)
    assert.equal(st.name, 'QR Bot')
    assert.equal(st.check, 'ok')

    const b = await newWabot(sim)
    const byCode = await b.link({ code: true, phone: '15550202020' })
    assert.equal(byCode.jid, '15550202020:1@s.whatsapp.net')

    // auth again on a linked store: nothing to do
    const again = await a.run(['auth'])
    assert.equal(again.code, 0)
    assert.match(again.stdout, /Already linked as 15550101010:1@s\.whatsapp\.net/)

    // two processes on one store: the second is refused, naming the first's pid
    const c = await newWabot(sim)
    const waiting = c.spawn(['auth', '--qr-out', `${c.dir}/qr.txt`])
    await waiting.waitLine((l) => l.startsWith('Scan this code') || l.startsWith('qr:'))
    const second = await c.run(['auth'])
    assert.equal(second.code, 6, second.stderr)
    assert.match(second.stderr, new RegExp(`in use by another wabot \\(pid ${waiting.proc.pid}\\)`))
    await waiting.stop()

    // a Baileys client of another account lists the wabot device in a's account (usync)
    baileys = await BaileysClient.connect(sim, { name: 'Peer' })
    const devices = await baileys.sock.getUSyncDevices(['15550101010@s.whatsapp.net'], false, false)
    assert.ok(devices.some((d) => d.user === '15550101010' && d.device === 1),
      `wabot's device in ${JSON.stringify(devices)}`)

    // logout: the server forgets the device; the keys are wiped, status says not linked
    const out = await a.run(['logout'])
    assert.equal(out.code, 0, out.stderr)
    const after = await a.status()
    assert.equal(after.state, 'not linked')
    assert.equal(after.code, 3)
    const stats = await sim.stats()
    assert.equal(stats.pairings.ok, 3)
    const acc = await sim.admin('GET', '/admin/accounts')
    const dev = acc.accounts.find((x) => x.phone === '15550101010').devices[0]
    assert.equal(dev.removed, true)
    t.diagnostic(`stats: ${JSON.stringify(stats.logins)} ${JSON.stringify(stats.pairings)}`)
  } finally {
    await baileys?.close()
    await sim.stop()
  }
})

test('--os, --browser and --wa-version: who wabot says it is, at registration and login', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wabot-identity-'))
  const sim = await startSim({ stanzaLog: join(dir, 'stanzas.log') })
  try {
    const w = await newWabot(sim, { flags: ['--os', 'Ubuntu', '--browser', 'Firefox', '--wa-version', '2.3000.1099887766'] })
    await w.link({ phone: '15550303030' })
    const plain = await newWabot(sim)
    await plain.link({ phone: '15550404040' })
    const bad = await w.run(['status', '--wa-version', '2.x.1'])
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /--wa-version wants X\.Y\.Z/)

    const ids = readLog(join(dir, 'stanzas.log')).events.filter((e) => e.event.startsWith('payload identity: '))
      .map((e) => e.event.slice('payload identity: '.length))
    // DeviceProps.PlatformType: FIREFOX is 2, CHROME 1
    assert.deepEqual(ids, [
      'version 2.3000.1099887766, device os "Ubuntu" platform type 2', // registration
      'version 2.3000.1099887766', // login after the 515
      'version 2.3000.1043857760, device os "Mac OS" platform type 1', // the defaults
      'version 2.3000.1043857760'
    ])
  } finally {
    await sim.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})

test('wss://: wabot links and talks through `wabot sim --tls`, trusting --ca or the system\'s roots', async () => {
  await withTlsCert(async (tls) => {
    const sim = await startSim({ tls })
    trustSim(sim)
    const roots = mkdtempSync(join(tmpdir(), 'wabot-roots-'))
    let peer
    try {
      assert.match(sim.url, /^wss:\/\//)
      // --ca: exactly the simulator's certificate
      const a = await newWabot(sim, { flags: ['--ca', tls.cert] })
      await a.link({ phone: '15550505050' })
      peer = await BaileysClient.connect(sim, { name: 'Peer' })
      const sent = await a.run(['send', '--to', peer.phone, '--text', 'over wss'])
      assert.equal(sent.code, 0, sent.stderr)
      await peer.waitFor('messages.upsert', (u) => u.messages.some((m) => (m.message?.extendedTextMessage?.text ?? m.message?.conversation) === 'over wss'), 10000, { seen: true })

      // the system's roots, from a hashed directory (SSL_CERT_DIR): the simulator's certificate
      // there under its hash is trusted; an empty hashed directory is not
      const hash = execFileSync('openssl', ['x509', '-hash', '-noout', '-in', tls.cert], { encoding: 'utf8' }).trim()
      writeFileSync(join(roots, '00000000.0'), '')
      const env = { SSL_CERT_DIR: roots, SSL_CERT_FILE: '' }
      const b = await newWabot(sim)
      const refused = b.spawn(['auth', '--qr-out', join(b.dir, 'qr.txt')], { env })
      const end = Date.now() + 15000
      while (!/certificate/i.test(refused.stderr()) && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 50))
      await refused.stop()
      assert.match(refused.stderr(), /certificate/i)
      copyFileSync(tls.cert, join(roots, `${hash}.0`))
      const linked = await b.link({ phone: '15550505051', env })
      assert.equal(linked.jid, '15550505051:1@s.whatsapp.net')
    } finally {
      await peer?.close()
      await sim.stop()
      rmSync(roots, { recursive: true, force: true })
    }
  })
})
