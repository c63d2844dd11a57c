// Writes the seed corpora of the Signal fuzz targets (tests/fuzz/corpus/fuzz_signal_*,
// fuzz_sender_key_message): real messages from wabot (through the helper) and from libsignal-node
// and Baileys' group cipher, and session / sender-key records wabot stored along the way
// (with skipped keys, archived states and retired chains). Keys are random, so each run writes
// different bytes of the same shapes.
// Run: node tests/fuzz/make_signal_corpus.mjs (after scripts/setup and a build).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Helper, b64 } from '../interop/lib/helper.mjs'
import { repoRoot } from '../interop/lib/paths.mjs'
import { CParty, NodeParty } from '../interop/lib/signal-peers.mjs'
import { GroupWorker } from '../interop/lib/baileys-group.mjs'

const corpus = (target) => { const d = join(repoRoot, 'tests', 'fuzz', 'corpus', target); mkdirSync(d, { recursive: true }); return d }
const put = (target, name, bytes) => writeFileSync(join(corpus(target), name), bytes)

const dir = mkdtempSync(join(tmpdir(), 'wb-corpus-'))
const h = new Helper()
const w = new GroupWorker()
try {
  const C = '15550001111.1'; const N = '100000852000460_1.2'
  const c = await new CParty(h, 'c', join(dir, 'c.db'), C).open()
  const n = new NodeParty(N)
  await n.processBundle(C, await c.bundle(true))
  const nPk = await n.encrypt(C, Buffer.from('pkmsg from libsignal'))
  put('fuzz_signal_message', 'libsignal-pkmsg', nPk.ct)
  await c.decrypt(N, nPk.type, nPk.ct)
  const cMsg = await c.encrypt(N, Buffer.from('msg from wabot'))
  put('fuzz_signal_message', 'wabot-msg', cMsg.ct)
  await n.decrypt(C, cMsg.type, cMsg.ct)
  const nMsg = await n.encrypt(C, Buffer.from('msg from libsignal'))
  put('fuzz_signal_message', 'libsignal-msg', nMsg.ct)
  await c.decrypt(N, nMsg.type, nMsg.ct)
  put('fuzz_signal_record', 'session-plain', b64((await h.call('sig_record', { name: 'c', addr: N })).record))
  // skipped keys on several chains, then a fresh session that archives this one
  for (let turn = 0; turn < 7; turn++) {
    const lost = []
    for (let i = 0; i < 3; i++) lost.push(await n.encrypt(C, Buffer.from(`n${turn}.${i}`)))
    await c.decrypt(N, lost[2].type, lost[2].ct)
    const r = await c.encrypt(N, Buffer.from(`c${turn}`))
    await n.decrypt(C, r.type, r.ct)
  }
  put('fuzz_signal_record', 'session-skipped-retired', b64((await h.call('sig_record', { name: 'c', addr: N })).record))
  const c2 = await new CParty(h, 'c2', join(dir, 'c2.db'), '15550003333.1').open()
  await c2.processBundle(N, n.bundle(true))
  const cPk = await c2.encrypt(N, Buffer.from('pkmsg from wabot'))
  put('fuzz_signal_message', 'wabot-pkmsg', cPk.ct)
  await n.processBundle(C, await c.bundle(false))
  const fresh = await n.encrypt(C, Buffer.from('fresh'))
  await c.decrypt(N, fresh.type, fresh.ct)
  put('fuzz_signal_record', 'session-archived', b64((await h.call('sig_record', { name: 'c', addr: N })).record))

  const G = '120363000000000000@g.us'
  const skdmC = b64((await h.call('grp_distribution', { name: 'c', group: G, self: C })).skdm)
  put('fuzz_sender_key_message', 'wabot-skdm', skdmC)
  put('fuzz_sender_key_message', 'wabot-skmsg', b64((await h.call('grp_encrypt', { name: 'c', group: G, self: C, data: Buffer.from('hi') })).ct))
  const skdmB = Buffer.from(await w.call({ op: 'skdm', member: 'b', group: G, self: N }))
  put('fuzz_sender_key_message', 'baileys-skdm', skdmB)
  await h.call('grp_process', { name: 'c', group: G, sender: N, skdm: skdmB })
  for (let i = 0; i < 3; i++) {
    const ct = Buffer.from(await w.call({ op: 'encrypt', member: 'b', group: G, self: N, data: Buffer.from(`group ${i}`) }))
    if (i === 0) put('fuzz_sender_key_message', 'baileys-skmsg', ct)
    if (i !== 1) await h.call('grp_decrypt', { name: 'c', group: G, sender: N, ct })
  }
  put('fuzz_signal_record', 'sender-key-theirs', b64((await h.call('grp_record', { name: 'c', group: G, sender: N })).record))
  put('fuzz_signal_record', 'sender-key-ours', b64((await h.call('grp_record', { name: 'c', group: G, sender: C })).record))

  // fuzz_signal_decrypt: edit scripts over its own fresh messages (see the target)
  for (const [name, bytes] of [['pkmsg-as-is', [0]], ['msg-as-is', [1]], ['skmsg-as-is', [2]],
    ['pkmsg-flip-base-key', [0, 0, 6, 0x80]], ['msg-flip-counter', [1, 0, 39, 1]], ['skmsg-truncate', [2, 0xff, 0xff, 40]],
    ['raw-bytes', [0x81, 0x33, 0x0a, 0x21, 0x05]]]) put('fuzz_signal_decrypt', name, Buffer.from(bytes))
  console.log('corpora written')
} finally {
  await Promise.all([h.close(), w.close()])
  rmSync(dir, { recursive: true, force: true })
}
