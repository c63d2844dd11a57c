// Group messages between wabot (host/signal's sender keys, through the helper) and Baileys'
// unmodified group cipher (lib/Signal/Group), which runs in worker threads because its pure-JS
// curve25519 signs and verifies at ~20-30 ms each.
//
// Members: two wabot parties and one Baileys member, 500 messages from each, delivered to every
// other member; then a fourth member (Baileys) joins late. Baileys' sender skips every other
// iteration (its encrypt asks for iteration + 1), so wabot's catch-up is exercised too.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Helper, b64 } from './lib/helper.mjs'
import { GroupWorker } from './lib/baileys-group.mjs'
import { prng } from './lib/signal-peers.mjs'

const GROUP = '120363025246125486@g.us'
const N = 500
const seed = Number(process.env.SIGNAL_SEED || Date.now() % 1e9)
console.log(`# group interop seed ${seed}`)

const text = (from, i) => Buffer.from(`${from} says ${i} ${'.'.repeat(i % 29)}`)

class CMember {
  constructor (h, name, path, addr) { Object.assign(this, { h, name, path, addr }) }
  async open () { await this.h.call('sig_open', { name: this.name, path: this.path }); return this }
  async skdm () { return b64((await this.h.call('grp_distribution', { name: this.name, group: GROUP, self: this.addr })).skdm) }
  process (sender, skdm) { return this.h.call('grp_process', { name: this.name, group: GROUP, sender, skdm }) }
  async encrypt (data) { return b64((await this.h.call('grp_encrypt', { name: this.name, group: GROUP, self: this.addr, data })).ct) }
  async decrypt (sender, ct) { return b64((await this.h.call('grp_decrypt', { name: this.name, group: GROUP, sender, ct })).data) }
  async digest () { return b64((await this.h.call('sig_digest', { name: this.name })).digest) }
}

// A Baileys member; `views` maps a sender address to the worker holding this member's record of
// that sender (one member may be spread over workers: its records are independent).
class BMember {
  constructor (name, addr, own, views = {}) { Object.assign(this, { name, addr, own, views }) }
  viewOf (sender) { return this.views[sender] || this.own }
  async skdm () { return Buffer.from(await this.own.call({ op: 'skdm', member: this.name, group: GROUP, self: this.addr })) }
  process (sender, skdm) { return this.viewOf(sender).call({ op: 'process', member: this.name, group: GROUP, sender, skdm }) }
  encryptMany (texts) { return this.own.run(texts.map((data) => ({ op: 'encrypt', member: this.name, group: GROUP, self: this.addr, data }))) }
  decryptMany (sender, cts) { return this.viewOf(sender).run(cts.map((ct) => ({ op: 'decrypt', member: this.name, group: GROUP, sender, ct }))) }
}

// Shuffles within windows of w (the order a member's stream reaches one receiver).
function windowShuffle (items, w, rng) {
  const out = []
  for (let s = 0; s < items.length; s += w) {
    const win = items.slice(s, s + w)
    for (let i = win.length - 1; i > 0; i--) { const j = rng.int(0, i); [win[i], win[j]] = [win[j], win[i]] }
    out.push(...win)
  }
  return out
}

test('three members (two wabot, one Baileys) send 500 messages each; a fourth (Baileys) joins late', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wb-group-'))
  const h = new Helper()
  const w1 = new GroupWorker()
  const w2 = new GroupWorker()
  const rng = prng(seed)
  try {
    const c1 = await new CMember(h, 'c1', join(dir, 'c1.db'), '15550001111.1').open()
    const c2 = await new CMember(h, 'c2', join(dir, 'c2.db'), '100000852000460_1.2').open()
    // B's own sender key in w1 (its 500 signatures), its records of c1 and c2 in w2
    const b = new BMember('b', '15550002222.3', w1, { [c1.addr]: w2, [c2.addr]: w2 })
    const members = [c1, c2, b]

    // distribution: everyone's current key to everyone else
    for (const from of members) {
      const skdm = await from.skdm()
      for (const to of members) if (to !== from) await to.process(from.addr, skdm)
    }

    // 500 messages from each member; Baileys' 500 signatures run while w2 verifies
    const sent = { [c1.addr]: [], [c2.addr]: [], [b.addr]: [] }
    for (let i = 0; i < N; i++) {
      sent[c1.addr].push({ pt: text('c1', i), ct: await c1.encrypt(text('c1', i)) })
      sent[c2.addr].push({ pt: text('c2', i), ct: await c2.encrypt(text('c2', i)) })
    }
    const bTexts = Array.from({ length: N }, (_, i) => text('b', i))
    const [bEncrypted, bFromC1, bFromC2] = await Promise.all([
      b.encryptMany(bTexts),
      b.decryptMany(c1.addr, sent[c1.addr].map((m) => m.ct)),
      b.decryptMany(c2.addr, sent[c2.addr].map((m) => m.ct))
    ])
    for (const [i, r] of bEncrypted.entries()) {
      assert.ok(r.ok, `Baileys encrypt ${i}: ${r.error}`)
      sent[b.addr].push({ pt: bTexts[i], ct: Buffer.from(r.ok) })
    }
    for (const [from, results] of [[c1.addr, bFromC1], [c2.addr, bFromC2]]) {
      for (const [i, r] of results.entries()) assert.deepEqual(Buffer.from(r.ok || r.error), sent[from][i].pt, `Baileys got ${from} #${i}`)
    }
    // the wabot members get the other streams interleaved, each shuffled within windows of 20
    for (const me of [c1, c2]) {
      const streams = Object.entries(sent).filter(([from]) => from !== me.addr)
        .map(([from, ms]) => windowShuffle(ms.map((m, i) => ({ ...m, from, i })), 20, rng))
      while (streams.some((s) => s.length)) {
        const s = streams[rng.int(0, streams.length - 1)]
        if (!s.length) continue
        const m = s.shift()
        assert.deepEqual(await me.decrypt(m.from, m.ct), m.pt, `${me.name} got ${m.from} #${m.i}`)
      }
    }

    // a replay of a Baileys message is refused with WB_EDUPLICATE and changes nothing
    const before = await c1.digest()
    await assert.rejects(c1.decrypt(b.addr, sent[b.addr][123].ct), /WB_EDUPLICATE/)
    assert.deepEqual(await c1.digest(), before)

    // a fourth member (Baileys) joins late: everyone's current key to it, its key to everyone
    const d = new BMember('d', '15550004444.1', w2)
    for (const from of members) await d.process(from.addr, await from.skdm())
    const dSkdm = await d.skdm()
    for (const to of members) await to.process(d.addr, dSkdm)
    const all = [...members, d]
    const late = {}
    for (const from of all) {
      const texts = Array.from({ length: 20 }, (_, i) => text(`late-${from.addr}`, i))
      late[from.addr] = from instanceof BMember
        ? (await from.encryptMany(texts)).map((r, i) => ({ pt: texts[i], ct: Buffer.from(r.ok) }))
        : await Promise.all(texts.map(async (pt) => ({ pt, ct: await from.encrypt(pt) })))
    }
    for (const to of all) {
      for (const from of all) {
        if (to === from) continue
        if (to instanceof BMember) {
          const rs = await to.decryptMany(from.addr, late[from.addr].map((m) => m.ct))
          for (const [i, r] of rs.entries()) assert.deepEqual(Buffer.from(r.ok || r.error), late[from.addr][i].pt, `${to.name} late from ${from.addr} #${i}`)
        } else {
          for (const m of late[from.addr]) assert.deepEqual(await to.decrypt(from.addr, m.ct), m.pt)
        }
      }
    }
    console.log(`# ${N} messages from each of 3 members, 20 more from each of 4 after the late join`)
  } finally {
    await Promise.all([w1.close(), w2.close(), h.close()])
    rmSync(dir, { recursive: true, force: true })
  }
})

test('every tampered byte of a Baileys group message fails in wabot and changes nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wb-group-'))
  const h = new Helper()
  const w = new GroupWorker()
  try {
    const c = await new CMember(h, 'c', join(dir, 'c.db'), '15550001111.1').open()
    const b = new BMember('b', '15550002222.3', w)
    await c.process(b.addr, await b.skdm())
    const [r0, r1] = await b.encryptMany([Buffer.from('first'), Buffer.from('tampered')])
    assert.equal((await c.decrypt(b.addr, Buffer.from(r0.ok))).toString(), 'first')
    const ct = Buffer.from(r1.ok)
    const before = await c.digest()
    for (let i = 0; i < ct.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const t = Buffer.from(ct); t[i] ^= bit
        await assert.rejects(c.decrypt(b.addr, t), /WB_E/, `byte ${i} ^ ${bit}`)
      }
    }
    assert.deepEqual(await c.digest(), before)
    assert.equal((await c.decrypt(b.addr, ct)).toString(), 'tampered')
    await assert.rejects(c.decrypt(b.addr, ct), /WB_EDUPLICATE/)
  } finally {
    await Promise.all([w.close(), h.close()])
    rmSync(dir, { recursive: true, force: true })
  }
})
