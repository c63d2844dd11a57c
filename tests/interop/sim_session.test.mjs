// `wabot sim` against real Baileys: what happens to a linked device's sessions. Login checks
// (a wrong Noise key, a removed device: 401; a second login replaces the first: 440), the
// post-login requests between two clients (usync and onWhatsApp, prekey bundles, presence and
// typing), restarts with --state, and the admin API's faults.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Curve } from '@whiskeysockets/baileys'
import { exitWhenDone, withSim } from './lib/baileys-client.mjs'
import { withTlsCert } from './lib/sim.mjs'

exitWhenDone()

test('login checks: a wrong Noise key and a removed device get 401, a second login replaces the first, the phone unlinks', async () => {
  await withSim({}, async ({ sim, connect, start }) => {
    const a = await connect({ name: 'Alice', reconnect: false })
    // the same device from another socket: the first one is replaced (Baileys: 440)
    const closed = a.waitForClose()
    const twin = await connect({ authDir: a.authDir, reconnect: false })
    assert.equal(await closed, 440)
    assert.deepEqual(twin.closes, [])
    // a wrong Noise key for the same device: failure 401, and Baileys calls it loggedOut
    const impostor = start({ authDir: a.authDir, reconnect: false, onState: (s) => { s.creds.noiseKey = Curve.generateKeyPair() } })
    await assert.rejects(impostor.start(), (e) => e.code === 401)
    // the twin logs out (md remove-companion-device); the device can never log in again
    const out = twin.waitForClose()
    await twin.sock.logout()
    assert.equal(await out, 401)
    const ghost = start({ authDir: a.authDir, reconnect: false })
    await assert.rejects(ghost.start(), (e) => e.code === 401)
    // the phone unlinks another companion: it is told at once (401, loggedOut)
    const carol = await connect({ name: 'Carol', reconnect: false })
    const unlinked = carol.waitForClose()
    await sim.admin('POST', '/admin/mock-phone/unlink', { device: carol.jid })
    assert.equal(await unlinked, 401)
    const stats = await sim.stats()
    assert.equal(stats.devices[a.jid].removed, true)
    assert.equal(stats.devices[carol.jid].removed, true)
    assert.equal(stats.logins.refused, 2)
  })
})

test('two clients: usync and onWhatsApp, prekey bundles, presence and typing', async () => {
  await withSim({}, async ({ sim, connect }) => {
    const [a, b] = await Promise.all([connect({ name: 'Alice' }), connect({ name: 'Bob' })])
    const found = await a.sock.onWhatsApp(b.phone, '15559999999')
    assert.deepEqual(found, [{ jid: b.userJid, exists: true }])
    const devices = await a.sock.getUSyncDevices([b.userJid], false, false)
    assert.deepEqual(devices.map((d) => d.device), [0, 1]) // the phone, then the companion
    const before = (await sim.stats()).devices[b.jid].prekeys
    assert.equal(await a.sock.assertSessions([`${b.phone}:1@s.whatsapp.net`], false), true)
    assert.equal((await sim.stats()).devices[b.jid].prekeys, before - 1, 'one one-time prekey handed out')
    // the phone's bundle (no one-time prekey) makes a session too, and takes none of b's prekeys
    const phoneBundles = (await sim.stats()).prekeys.phone_bundles ?? 0
    assert.equal(await a.sock.assertSessions([`${b.phone}@s.whatsapp.net`], true), true)
    const after = await sim.stats()
    assert.equal(after.prekeys.phone_bundles, phoneBundles + 1)
    assert.equal(after.devices[b.jid].prekeys, before - 1)
    // presence: b subscribes to a, then hears a come online and type
    const first = b.waitFor('presence.update', (u) => u.id === a.userJid)
    await b.sock.presenceSubscribe(a.userJid)
    assert.equal((await first).presences[a.userJid].lastKnownPresence, 'unavailable')
    const online = b.waitFor('presence.update', (u) => u.presences[a.userJid]?.lastKnownPresence === 'available')
    await a.sock.sendPresenceUpdate('available')
    await online
    const typing = b.waitFor('presence.update', (u) => u.presences[a.userJid]?.lastKnownPresence === 'composing')
    await a.sock.sendPresenceUpdate('composing', b.userJid)
    await typing
    const paused = b.waitFor('presence.update', (u) => u.presences[a.userJid]?.lastKnownPresence === 'available')
    await a.sock.sendPresenceUpdate('paused', b.userJid)
    await paused
    for (const c of [a, b]) assert.deepEqual(c.unansweredRequests(), [])
  })
})

test('with --state, accounts and devices survive a restart and clients log in again', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'wabot-sim-state-'))
  try {
    let root, alice, bob
    await withSim({ state: dir }, async ({ sim, connect }) => {
      root = sim.info.rootKey
      const [a, b] = await Promise.all([connect({ name: 'Alice' }), connect({ name: 'Bob', pairing: 'code', phone: '15550007777' })])
      alice = { authDir: a.authDir, jid: a.jid }
      bob = { authDir: b.authDir, jid: b.jid }
    })
    await withSim({ state: dir }, async ({ sim, connect }) => {
      assert.equal(sim.info.rootKey, root, 'the root clients trust is kept')
      const a = await connect({ authDir: alice.authDir })
      const b = await connect({ authDir: bob.authDir })
      assert.deepEqual(a.closes, [], 'no pairing again')
      assert.equal(a.sock.user.id, alice.jid)
      assert.equal(b.sock.user.id, bob.jid)
      const found = await a.sock.onWhatsApp('15550007777')
      assert.equal(found[0]?.exists, true)
      const stats = await sim.stats()
      assert.equal(stats.accounts, 2)
      assert.equal(stats.devices[alice.jid].connections, 1)
    })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('faults: close, stream error, stall and delay', async () => {
  const log = join(await mkdtemp(join(tmpdir(), 'wabot-sim-log-')), 'stanzas.log')
  await withSim({ stanzaLog: log }, async ({ sim, connect }) => {
    const a = await connect({ name: 'Alice' })
    const fault = (body) => sim.admin('POST', '/admin/fault', { device: a.jid, ...body })
    // close: Baileys sees the socket end (428) and, like an application, reconnects
    let reopened = a.waitFor('connection.update', (u) => u.connection === 'open')
    await fault({ action: 'close' })
    await reopened
    // a stream error with a code: Baileys reports that code
    reopened = a.waitFor('connection.update', (u) => u.connection === 'open')
    await fault({ action: 'stream-error', code: 503 })
    await reopened
    assert.deepEqual(a.closes, [515, 428, 503])
    // stall: the answer to a request waits until the stall ends
    await fault({ action: 'stall', seconds: 1 })
    let t = performance.now()
    await a.sock.fetchBlocklist()
    const stalled = performance.now() - t
    assert.ok(stalled >= 900 && stalled < 3000, `answered after ${stalled} ms`)
    // delay: every later answer comes a second late
    await fault({ action: 'delay', seconds: 1 })
    t = performance.now()
    await a.sock.fetchPrivacySettings(true)
    const delayed = performance.now() - t
    assert.ok(delayed >= 900 && delayed < 3000, `answered after ${delayed} ms`)
    const stats = await sim.stats()
    assert.deepEqual(stats.faults, { close: 1, delay: 1, stall: 1, stream_error: 1 })
    await assert.rejects(sim.admin('POST', '/admin/fault', { device: '15559999999:1@s.whatsapp.net', action: 'close' }), /404/)
  })
  // the stanza log has both directions, tagged by device, and no key bytes
  const text = readFileSync(log, 'utf8')
  assert.match(text, / C> \d+:1@s\.whatsapp\.net <iq [^\n]*xmlns="passive"/)
  assert.match(text, / S> \d+:1@s\.whatsapp\.net <success /)
  assert.match(text, /<skey><id>\[3 bytes\]<\/id><value>\[32 bytes\]<\/value><signature>\[64 bytes\]/)
  assert.match(text, /<\.\.\. n="\d+ more"\/>/)
})

test('with --tls the simulator serves wss:// and https://, and Baileys links through it', async () => {
  await withTlsCert((tls) => withSim({ tls }, async ({ sim, connect }) => {
    assert.match(sim.url, /^wss:\/\/127\.0\.0\.1:\d+\/ws\/chat$/)
    const a = await connect({ name: 'Alice' })
    assert.deepEqual(a.closes, [515])
    assert.equal((await sim.stats()).logins.ok, 1)
  }))
})

test('prekeys running low: Baileys is told and uploads more, at once or at its next login', async () => {
  await withSim({}, async ({ sim, connect }) => {
    const [a, b] = await Promise.all([connect({ name: 'Alice' }), connect({ name: 'Bob', reconnect: false })])
    const bDevice = `${b.phone}:1@s.whatsapp.net`
    // hand out all but `left` of b's one-time prekeys in one raw request (Baileys' own query())
    const drain = async (left) => {
      const have = (await sim.stats()).devices[b.jid].prekeys
      const users = Array.from({ length: have - left }, () => ({ tag: 'user', attrs: { jid: bDevice } }))
      await a.sock.query({ tag: 'iq', attrs: { to: '@s.whatsapp.net', type: 'get', xmlns: 'encrypt' }, content: [{ tag: 'key', attrs: {}, content: users }] })
    }
    const until = async (what, check) => {
      for (let i = 0; i < 100; i++) { const s = await sim.stats(); if (check(s)) return s; await new Promise((r) => setTimeout(r, 50)) }
      throw new Error(`timed out waiting for ${what}`)
    }
    await drain(4) // online: the notification goes out at once; Baileys acks it and uploads 5 more
    let s = await until('upload', (s) => s.devices[b.jid].prekeys === 9 && s.acked?.notification === 1)
    assert.equal(s.prekeys.low_notifications, 1)
    // offline: the notice waits in b's queue; Baileys finds few prekeys at login and uploads,
    // which makes the notice moot: it is dropped instead of delivered
    await b.close()
    await drain(3)
    s = await sim.stats()
    assert.equal(s.queued.notification, 1)
    assert.equal(s.devices[b.jid].queued, 1)
    const back = await connect({ authDir: b.authDir })
    s = await until('upload at login', (s) => s.devices[b.jid].prekeys === 8)
    assert.equal(s.devices[b.jid].queued, 0)
    assert.equal(s.delivered.offline?.notification, undefined)
    assert.deepEqual(back.unansweredRequests(), [])
  })
})
