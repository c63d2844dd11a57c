// Writes the seeds of fuzz_client_stanza: sequences of records [mode u8][be16 length][bytes]
// (mode 0 raw bytes, 1 a sealed stanza with "@N" ids standing for the client's N-th latest
// request, 2 a clock jump of bytes[0] seconds, 3 a text the client sends), stanzas encoded by
// Baileys' encodeBinaryNode in the shapes the server sends: the login steps to open, then
// messages, receipts, notifications, acks, answers to a send's usync and bundle requests,
// stream errors and failures.
// Run: node tests/fuzz/make_client_corpus.mjs (after scripts/setup).
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { baileysDir } from '../interop/lib/protoschema.mjs'
import { repoRoot } from '../interop/lib/paths.mjs'
import { seededBytes } from '../interop/lib/stanzas.mjs'

const { encodeBinaryNode } = await import(`file://${join(baileysDir, 'lib', 'WABinary/encode.js')}`)
const out = join(repoRoot, 'tests', 'fuzz', 'corpus', 'fuzz_client_stanza')
mkdirSync(out, { recursive: true })
const bytes = seededBytes(11)
const fill = (n, v) => Buffer.alloc(n, v)
const be = (v, n) => { const b = Buffer.alloc(4); b.writeUInt32BE(v); return b.subarray(4 - n) }
const S = '@s.whatsapp.net'
const ME = '15550001111:1@s.whatsapp.net'
const B1 = '15550002222:1@s.whatsapp.net'
const G = '120363000000000001@g.us'

const rec = (mode, buf) => { const h = Buffer.alloc(3); h[0] = mode; h.writeUInt16BE(buf.length, 1); return Buffer.concat([h, buf]) }
const st = (node) => rec(1, Buffer.from(encodeBinaryNode(node)))
const wait = (secs) => rec(2, Buffer.from([secs]))
const send = (text, group) => rec(3, Buffer.concat([Buffer.from([group ? 2 : 1]), Buffer.from(text)]))
const result = (content, id = '@0') => ({ tag: 'iq', attrs: { from: S, type: 'result', id }, content })

const open = [
  st({ tag: 'success', attrs: { t: '1700000000', lid: '100000000000001:1@lid', props: '27', abprops: '8', location: 'sim', creation: '1690000000' } }),
  st(result([{ tag: 'count', attrs: { value: '20' } }])),
  st(result(undefined)),
  st({ tag: 'ib', attrs: {}, content: [{ tag: 'offline', attrs: { count: '0' } }] }),
  st(result([{ tag: 'digest', attrs: {} }]))
]
const message = (from, encs, extra = {}) => ({ tag: 'message', attrs: { from, id: '3EB0AAAAAAAAAAAAAAAAAA', t: '1700000001', type: 'text', notify: 'Bob', ...extra }, content: encs })
const enc = (type) => ({ tag: 'enc', attrs: { v: '2', type }, content: bytes(120) })
const skey = [{ tag: 'id', attrs: {}, content: be(1, 3) }, { tag: 'value', attrs: {}, content: fill(32, 8) }, { tag: 'signature', attrs: {}, content: fill(64, 9) }]
const bundle = (jid) => ({ tag: 'user', attrs: { jid }, content: [
  { tag: 'registration', attrs: {}, content: be(1234, 4) }, { tag: 'type', attrs: {}, content: Buffer.from([5]) },
  { tag: 'identity', attrs: {}, content: fill(32, 7) }, { tag: 'skey', attrs: {}, content: skey },
  { tag: 'key', attrs: {}, content: [{ tag: 'id', attrs: {}, content: be(5, 3) }, { tag: 'value', attrs: {}, content: fill(32, 6) }] }] })
const devices = (jid, ids) => ({ tag: 'user', attrs: { jid }, content: [
  { tag: 'devices', attrs: {}, content: [{ tag: 'device-list', attrs: {}, content: ids.map((i) => ({ tag: 'device', attrs: i ? { id: String(i), 'key-index': String(i) } : { id: '0' } })) }] },
  { tag: 'lid', attrs: { val: jid.replace('1555000', '1000000000000').replace('@s.whatsapp.net', '@lid') } }] })
const usync = (users) => result([{ tag: 'usync', attrs: { sid: 's', index: '0', last: 'true', mode: 'query', context: 'message' }, content: [
  { tag: 'result', attrs: {}, content: [{ tag: 'devices', attrs: {} }, { tag: 'lid', attrs: {} }] },
  { tag: 'list', attrs: {}, content: users }] }])

const seeds = {
  'login-to-open': [...open, wait(25), wait(10)],
  'messages': [...open,
    st(message(B1, [enc('pkmsg')], { sender_lid: '100000000000002:1@lid' })),
    st(message(G, [enc('pkmsg'), enc('skmsg')], { participant: B1, addressing_mode: 'pn' })),
    st(message(ME.replace(':1', ':2'), [enc('msg')], { recipient: '15550002222@s.whatsapp.net' })),
    st(message(B1, [enc('msg')], { offline: '1' }))],
  'receipts-acks': [...open,
    st({ tag: 'receipt', attrs: { from: '15550002222@s.whatsapp.net', id: '3EB0BBBBBBBBBBBBBBBBBB', t: '1700000002' }, content: [{ tag: 'list', attrs: {}, content: [{ tag: 'item', attrs: { id: '3EB0CCCC' } }] }] }),
    st({ tag: 'receipt', attrs: { from: '15550002222@s.whatsapp.net', participant: B1, id: '3EB0BBBBBBBBBBBBBBBBBB', type: 'retry', t: '1' }, content: [
      { tag: 'retry', attrs: { count: '2', id: '3EB0BBBBBBBBBBBBBBBBBB', t: '1', v: '1' } }, { tag: 'registration', attrs: {}, content: be(99, 4) },
      { tag: 'keys', attrs: {}, content: [{ tag: 'type', attrs: {}, content: Buffer.from([5]) }, { tag: 'identity', attrs: {}, content: fill(32, 3) },
        { tag: 'key', attrs: {}, content: [{ tag: 'id', attrs: {}, content: be(5, 3) }, { tag: 'value', attrs: {}, content: fill(32, 6) }] },
        { tag: 'skey', attrs: {}, content: skey }, { tag: 'device-identity', attrs: {}, content: bytes(40) }] }] }),
    st({ tag: 'ack', attrs: { class: 'message', id: '3EB0BBBBBBBBBBBBBBBBBB', from: '15550002222@s.whatsapp.net', t: '1700000003' } })],
  'notifications': [...open,
    st({ tag: 'notification', attrs: { from: S, type: 'encrypt', id: '1', t: '1' }, content: [{ tag: 'count', attrs: { value: '2' } }] }),
    st({ tag: 'notification', attrs: { from: '15550002222@s.whatsapp.net', type: 'devices', id: '2', t: '1' }, content: [{ tag: 'add', attrs: { device_hash: '2:AAAA' }, content: [{ tag: 'device', attrs: { jid: '15550002222:3@s.whatsapp.net', 'key-index': '3' } }] }] }),
    st({ tag: 'notification', attrs: { from: G, type: 'w:gp2', id: '3', t: '1', participant: '15550002222@s.whatsapp.net' }, content: [{ tag: 'remove', attrs: {}, content: [{ tag: 'participant', attrs: { jid: '15550003333@s.whatsapp.net' } }] }] }),
    st({ tag: 'notification', attrs: { from: S, type: 'link_code_companion_reg', id: '4', t: '1' }, content: [{ tag: 'link_code_companion_reg', attrs: { stage: 'primary_hello' }, content: [
      { tag: 'link_code_pairing_ref', attrs: {}, content: bytes(32) }, { tag: 'primary_identity_pub', attrs: {}, content: fill(32, 3) }, { tag: 'link_code_pairing_wrapped_primary_ephemeral_pub', attrs: {}, content: bytes(80) }] }] })],
  'send-1to1': [...open, send('hello', false),
    st(usync([devices('15550001111@s.whatsapp.net', [0, 1]), devices('15550002222@s.whatsapp.net', [0, 1])])),
    st(result([{ tag: 'list', attrs: {}, content: [bundle('15550002222@s.whatsapp.net'), bundle(B1), bundle('15550001111@s.whatsapp.net')] }])),
    st({ tag: 'ack', attrs: { class: 'message', id: '3EB0', from: '15550002222@s.whatsapp.net', t: '1' } }), wait(40)],
  'send-group': [...open, send('to the group', true),
    st(result([{ tag: 'group', attrs: { id: '120363000000000001', subject: 'g', creation: '1', creator: '15550001111@s.whatsapp.net', addressing_mode: 'pn' }, content: [
      { tag: 'participant', attrs: { jid: '15550001111@s.whatsapp.net', type: 'superadmin' } }, { tag: 'participant', attrs: { jid: '15550002222@s.whatsapp.net' } }] }])),
    st(usync([devices('15550001111@s.whatsapp.net', [0]), devices('15550002222@s.whatsapp.net', [1])])),
    st(result([{ tag: 'list', attrs: {}, content: [bundle(B1), bundle('15550001111@s.whatsapp.net')] }]))],
  'endings': [...open, st({ tag: 'stream:error', attrs: { code: '515' } }), st({ tag: 'failure', attrs: { reason: '401' } })],
  'conflict': [...open, st({ tag: 'stream:error', attrs: {}, content: [{ tag: 'conflict', attrs: { type: 'replaced' } }] })],
  'raw': [...open, rec(0, bytes(64)), rec(0, Buffer.from([0, 0, 5, 1, 2, 3, 4, 5]))]
}
for (const [name, recs] of Object.entries(seeds)) writeFileSync(join(out, name), Buffer.concat(recs))
