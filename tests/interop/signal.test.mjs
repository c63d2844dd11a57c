// 1:1 Signal sessions between wabot (host/signal over SQLite, through the helper) and
// libsignal-node 6.0.0, the implementation Baileys uses: X3DH both ways, long conversations,
// loss and reordering, restarts, fresh sessions, replays and tampering.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Helper, b64 } from './lib/helper.mjs'
import { CParty, NodeParty, prng } from './lib/signal-peers.mjs'

const C_ADDR = '15550001111.1' // how libsignal names the wabot party
const N_ADDR = '100000852000460_1.2' // how wabot names the libsignal party (a LID device)
const seed = Number(process.env.SIGNAL_SEED || Date.now() % 1e9)
console.log(`# signal interop seed ${seed} (SIGNAL_SEED=${seed} replays it)`)

async function withParties (fn) {
  const dir = mkdtempSync(join(tmpdir(), 'wb-signal-'))
  const h = new Helper()
  try {
    const c = await new CParty(h, 'c', join(dir, 'c', 'wabot.db'), C_ADDR).open()
    const n = new NodeParty(N_ADDR)
    await fn(c, n, h, dir)
  } finally {
    await h.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

// Establishes the session: who = 'node' builds from wabot's bundle, 'c' from libsignal's.
async function establish (c, n, who, withPreKey = true) {
  if (who === 'node') await n.processBundle(C_ADDR, await c.bundle(withPreKey))
  else await c.processBundle(N_ADDR, n.bundle(withPreKey))
}

const text = (from, i) => Buffer.from(`${from} #${i} ${'x'.repeat(Math.abs(i) % 37)}`)

// Sends one message from `from` ('c' | 'n') and has the other side decrypt it at once.
async function exchange (c, n, from, i) {
  const pt = text(from, i)
  if (from === 'c') {
    const m = await c.encrypt(N_ADDR, pt)
    assert.deepEqual(Buffer.from(await n.decrypt(C_ADDR, m.type, m.ct)), pt)
    return m
  }
  const m = await n.encrypt(C_ADDR, pt)
  assert.deepEqual(await c.decrypt(N_ADDR, m.type, m.ct), pt, `message ${i} from libsignal`)
  return m
}

// 1,000 senders' turns each way: bursts one way, strict alternation and long one-sided runs.
function interleaving (rng) {
  const dirs = []
  const left = { c: 1000, n: 1000 }
  let side = 'c'
  const take = (s) => { if (left[s] > 0) { dirs.push(s); left[s]-- } }
  while (left.c + left.n > 0) {
    const kind = rng.int(0, 2)
    if (kind === 0) { // a burst
      for (let k = rng.int(1, 20); k > 0; k--) take(side)
    } else if (kind === 1) { // strict alternation
      for (let k = rng.int(10, 40); k > 0; k--) { take(side); side = side === 'c' ? 'n' : 'c' }
    } else { // a long one-sided run
      for (let k = rng.int(80, 200); k > 0; k--) take(side)
    }
    side = left.c === 0 ? 'n' : left.n === 0 ? 'c' : side === 'c' ? 'n' : 'c'
  }
  return dirs
}

for (const who of ['node', 'c']) {
  test(`session from ${who === 'node' ? "wabot's bundle by libsignal" : "libsignal's bundle by wabot"}, then 1,000 messages each way interleaved`, async () => {
    await withParties(async (c, n) => {
      await establish(c, n, who)
      const rng = prng(seed + (who === 'c' ? 1 : 0))
      const dirs = interleaving(rng)
      assert.equal(dirs.length, 2000)
      // The initiator must speak first; after that the schedule decides.
      const first = who === 'node' ? 'n' : 'c'
      await exchange(c, n, first, -1)
      let changes = 0
      for (let i = 0; i < dirs.length; i++) {
        if (i > 0 && dirs[i] !== dirs[i - 1]) changes++
        await exchange(c, n, dirs[i], i)
      }
      const size = await c.recordSize(N_ADDR)
      console.log(`# ${who} initiated: 2,001 messages, ${changes} direction changes, wabot record ${size} bytes`)
      assert.ok(size < 4096)
    })
  })
}

test('sessions without a one-time prekey work both ways', async () => {
  for (const who of ['node', 'c']) {
    await withParties(async (c, n) => {
      await establish(c, n, who, false)
      for (let i = 0; i < 6; i++) await exchange(c, n, (i + (who === 'node' ? 0 : 1)) % 2 ? 'c' : 'n', i)
    })
  }
})

// Delivery through a network that shuffles each direction's messages in windows of 50 and
// loses 5%; every delivered message must decrypt, in both directions, across ratchet steps.
test('out-of-order delivery in windows of 50 with 5% loss, then a replay is refused', async () => {
  await withParties(async (c, n) => {
    const rng = prng(seed + 7)
    await establish(c, n, 'node')
    const queues = { c: [], n: [] } // messages in flight from each side
    const sent = { c: 0, n: 0 }
    const stats = { delivered: 0, lost: 0 }
    let cHasSession = false
    const delivered = [] // to replay one later
    const send = async (from, k) => {
      for (; k > 0; k--) {
        const pt = text(from, sent[from])
        const m = from === 'c' ? await c.encrypt(N_ADDR, pt) : await n.encrypt(C_ADDR, pt)
        queues[from].push({ ...m, pt, i: sent[from]++ })
      }
    }
    const deliver = async (from, all) => {
      const q = queues[from]
      const w = q.splice(0, all ? q.length : Math.min(50, q.length))
      for (let i = w.length - 1; i > 0; i--) { const j = rng.int(0, i); [w[i], w[j]] = [w[j], w[i]] }
      for (const m of w) {
        if (rng.chance(0.05)) { stats.lost++; continue }
        const got = from === 'n' ? await c.decrypt(N_ADDR, m.type, m.ct) : Buffer.from(await n.decrypt(C_ADDR, m.type, m.ct))
        assert.deepEqual(got, m.pt, `${from} message ${m.i}`)
        stats.delivered++
        if (from === 'n') { cHasSession = true; delivered.push(m) }
      }
    }
    while (sent.c + sent.n < 1200) {
      const from = !cHasSession || rng.chance(0.5) ? 'n' : 'c'
      await send(from, rng.int(1, 40))
      if (queues.n.length >= 50 || rng.chance(0.4)) await deliver('n', false)
      if (queues.c.length >= 50 || rng.chance(0.4)) await deliver('c', false)
    }
    await deliver('n', true)
    await deliver('c', true)
    console.log(`# ${stats.delivered} delivered, ${stats.lost} lost, wabot record ${await c.recordSize(N_ADDR)} bytes`)
    assert.ok(stats.lost > 20)
    // A replay is refused with WB_EDUPLICATE and changes nothing: the first pkmsg, and each of
    // the last 100 delivered messages (older msgs are refused too, by their MAC: WB_EAUTH).
    const before = await c.digest()
    for (const m of [delivered[0], ...delivered.slice(-100)]) {
      await assert.rejects(c.decrypt(N_ADDR, m.type, m.ct), /WB_EDUPLICATE/)
    }
    for (const m of delivered.slice(1, -100)) await assert.rejects(c.decrypt(N_ADDR, m.type, m.ct), /WB_EDUPLICATE|WB_EAUTH/)
    assert.deepEqual(await c.digest(), before)
  })
})

test('wabot closes and reopens its database between messages and the conversation goes on', async () => {
  await withParties(async (c, n) => {
    await establish(c, n, 'c')
    const rng = prng(seed + 11)
    await exchange(c, n, 'c', 0)
    for (let i = 1; i < 300; i++) {
      if (i % 15 === 0) await c.reopen()
      await exchange(c, n, rng.chance(0.5) ? 'c' : 'n', i)
    }
    // a message encrypted before a restart and delivered after it
    const m = await n.encrypt(C_ADDR, Buffer.from('across the restart'))
    await c.reopen()
    assert.equal((await c.decrypt(N_ADDR, m.type, m.ct)).toString(), 'across the restart')
  })
})

test('libsignal starts a fresh session: accepted, and late messages of the old one still decrypt', async () => {
  await withParties(async (c, n) => {
    await establish(c, n, 'node')
    for (let i = 0; i < 10; i++) await exchange(c, n, i % 2 ? 'c' : 'n', i)
    const late = []
    for (let i = 0; i < 5; i++) late.push(await n.encrypt(C_ADDR, Buffer.from(`late ${i}`)))
    await n.processBundle(C_ADDR, await c.bundle(true)) // libsignal closes its session
    const fresh = await n.encrypt(C_ADDR, Buffer.from('fresh'))
    assert.equal(fresh.type, 'pkmsg')
    assert.equal((await c.decrypt(N_ADDR, fresh.type, fresh.ct)).toString(), 'fresh')
    assert.ok(c.lastEvents.includes('new-session'))
    assert.ok(!c.lastEvents.includes('identity-changed'))
    for (let i = late.length - 1; i >= 0; i--) {
      assert.equal((await c.decrypt(N_ADDR, late[i].type, late[i].ct)).toString(), `late ${i}`)
      assert.ok(c.lastEvents.includes('old-session'))
    }
    for (let i = 0; i < 10; i++) await exchange(c, n, i % 2 ? 'n' : 'c', 100 + i)
  })
})

// libsignal-node tries a message on each session of the record and steps the ratchet of a
// session that does not know the message's key before checking the MAC, then saves that
// session anyway: decrypting a late message of the old session damages its new one (two
// libsignal-node parties show the same). So libsignal's acceptance is checked here, and the
// conversation goes on in the variant where the late messages arrive first.
test('wabot starts a fresh session: libsignal accepts it and decrypts late messages of the old one', async () => {
  for (const lateFirst of [false, true]) {
    await withParties(async (c, n) => {
      await establish(c, n, 'c')
      for (let i = 0; i < 10; i++) await exchange(c, n, i % 2 ? 'n' : 'c', i)
      const late = []
      for (let i = 0; i < 5; i++) late.push(await c.encrypt(N_ADDR, Buffer.from(`late ${i}`)))
      await c.processBundle(N_ADDR, n.bundle(true))
      const fresh = await c.encrypt(N_ADDR, Buffer.from('fresh'))
      assert.equal(fresh.type, 'pkmsg')
      const order = lateFirst ? [...late, fresh] : [fresh, ...late]
      for (const m of order) {
        const want = m === fresh ? 'fresh' : `late ${late.indexOf(m)}`
        assert.equal(Buffer.from(await n.decrypt(C_ADDR, m.type, m.ct)).toString(), want)
      }
      if (lateFirst) for (let i = 0; i < 10; i++) await exchange(c, n, i % 2 ? 'c' : 'n', 100 + i)
    })
  }
})

test('a changed identity key is stored and reported, not silently trusted', async () => {
  await withParties(async (c, n) => {
    await establish(c, n, 'node')
    await exchange(c, n, 'n', 0)
    const reinstalled = new NodeParty(N_ADDR) // same address, new identity
    await reinstalled.processBundle(C_ADDR, await c.bundle(true))
    const m = await reinstalled.encrypt(C_ADDR, Buffer.from('new phone'))
    assert.equal((await c.decrypt(N_ADDR, m.type, m.ct)).toString(), 'new phone')
    assert.ok(c.lastEvents.includes('identity-changed'), `events ${c.lastEvents}`)
    await exchange(c, reinstalled, 'c', 1)
  })
})

// Every single-byte flip of a libsignal message must fail in wabot and leave its database as it
// was. The one exception is the pkmsg's registrationId, which no MAC covers (in any Signal
// implementation): a flip there may decrypt, and then only the registration id may differ.
test('every tampered byte of a pkmsg and of a msg fails and leaves wabot\'s state byte-identical', async () => {
  await withParties(async (c, n, h) => {
    await establish(c, n, 'node')
    const pk = await n.encrypt(C_ADDR, Buffer.from('first, tampered'))
    const orig = await h.call('sig_parse_pkmsg', { ct: pk.ct })
    let regidFlips = 0
    for (const [label, m] of [['pkmsg', pk]]) {
      const before = await c.digest()
      for (let i = 0; i < m.ct.length; i++) {
        for (const bit of [0x01, 0x80]) {
          const t = Buffer.from(m.ct); t[i] ^= bit
          const parsed = await h.call('sig_parse_pkmsg', { ct: t }).catch(() => null)
          if (parsed && parsed.registrationId !== orig.registrationId && parsed.message === orig.message &&
              parsed.baseKey === orig.baseKey && parsed.identity === orig.identity &&
              parsed.preKeyId === orig.preKeyId && parsed.signedPreKeyId === orig.signedPreKeyId) {
            regidFlips++ // decrypts in every implementation; checked without committing
            assert.equal((await c.decrypt(N_ADDR, m.type, t, { dry: true })).toString(), 'first, tampered')
            continue
          }
          await assert.rejects(c.decrypt(N_ADDR, m.type, t), /WB_E/, `${label} byte ${i} ^ ${bit}`)
        }
      }
      assert.deepEqual(await c.digest(), before, label)
    }
    assert.ok(regidFlips <= 4, `${regidFlips} flips only touched the registration id`)
    assert.equal((await c.decrypt(N_ADDR, pk.type, pk.ct)).toString(), 'first, tampered')
    await exchange(c, n, 'c', 1)
    const msg = await n.encrypt(C_ADDR, Buffer.from('later, tampered'))
    assert.equal(msg.type, 'msg')
    const before = await c.digest()
    for (let i = 0; i < msg.ct.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const t = Buffer.from(msg.ct); t[i] ^= bit
        await assert.rejects(c.decrypt(N_ADDR, msg.type, t), /WB_E/, `msg byte ${i} ^ ${bit}`)
      }
    }
    assert.deepEqual(await c.digest(), before)
    assert.equal((await c.decrypt(N_ADDR, msg.type, msg.ct)).toString(), 'later, tampered')
    console.log(`# pkmsg ${pk.ct.length} bytes and msg ${msg.ct.length} bytes, each byte flipped twice; ${regidFlips} registration-id flips decrypted`)
  })
})

// WhatsApp's framing around Signal, against Baileys' own functions.
test('padding and Signal addresses match Baileys', async () => {
  const { writeRandomPadMax16, unpadRandomMax16 } = await import('@whiskeysockets/baileys/lib/Utils/generics.js')
  const { makeLibSignalRepository } = await import('@whiskeysockets/baileys/lib/Signal/libsignal.js')
  const { jidDecode } = await import('@whiskeysockets/baileys/lib/WABinary/jid-utils.js')
  const h = new Helper()
  try {
    const pads = new Set()
    for (let i = 0; i < 200; i++) {
      const msg = Buffer.from(`message ${i}`)
      const ours = b64((await h.call('sig_pad', { data: msg })).data)
      pads.add(ours.length - msg.length)
      assert.deepEqual(Buffer.from(unpadRandomMax16(ours)), msg)
      const theirs = writeRandomPadMax16(msg)
      assert.deepEqual(b64((await h.call('sig_unpad', { data: theirs })).data), msg)
    }
    assert.equal(pads.size, 16) // 1..16, all seen in 200 draws
    const keys = { get: async () => ({}), set: async () => {}, transaction: async (fn) => fn() }
    const repo = makeLibSignalRepository({ creds: {}, keys }, { info () {}, debug () {}, trace () {}, warn () {}, error () {} })
    for (const jid of ['15550001111@s.whatsapp.net', '15550001111:3@s.whatsapp.net', '100000852000460:1@lid',
      '100000852000460@lid', '5511987654321:99@hosted', '100000852000460:99@hosted.lid']) {
      const d = jidDecode(jid)
      const ours = await h.call('sig_address', { user: d.user, domain: d.domainType ?? 0, device: d.device ?? 0 })
      assert.equal(ours.addr, repo.jidToSignalProtocolAddress(jid), jid)
      assert.equal(ours.valid, true)
    }
  } finally { await h.close() }
})
