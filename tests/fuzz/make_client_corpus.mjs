// Writes the seeds of fuzz_client_stanza: sequences of records [mode u8][be16 length][bytes]
// (mode 0 raw bytes, 1 a sealed stanza with "@N" ids standing for the client's N-th latest
// request, 2 a clock jump of bytes[0] seconds, 3 a text the client sends, 4 a call the client
// makes: bytes[0] names it, the rest is its text), stanzas encoded by Baileys' encodeBinaryNode
// in the shapes the server sends: the login steps to open, then messages, receipts,
// notifications (every w:gp2 change), acks, answers to a send's usync and bundle requests and to
// the group calls, onWhatsApp and profile pictures, stream errors and failures.
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
const call = (which, text = '') => rec(4, Buffer.concat([Buffer.from([which]), Buffer.from(text)]))
const iqError = (code, text) => ({ tag: 'iq', attrs: { from: S, type: 'error', id: '@0' }, content: [{ tag: 'error', attrs: { code, text } }] })
const P = (jid, extra = {}) => ({ tag: 'participant', attrs: { jid, ...extra } })
const groupNode = { tag: 'group', attrs: { id: '120363000000000001', subject: 'g', creation: '1690000000', creator: '15550001111@s.whatsapp.net', s_t: '1', s_o: '15550001111@s.whatsapp.net', addressing_mode: 'pn', size: '3' }, content: [
  P('15550001111@s.whatsapp.net', { type: 'superadmin', lid: '100000000000001@lid' }), P('100000000000002@lid', { phone_number: '15550002222@s.whatsapp.net', type: 'admin' }),
  P('15550003333@s.whatsapp.net'), { tag: 'description', attrs: { id: 'D1', participant: '15550001111@s.whatsapp.net', t: '2' }, content: [{ tag: 'body', attrs: {}, content: Buffer.from('about') }] },
  { tag: 'announcement', attrs: {} }, { tag: 'locked', attrs: {} }, { tag: 'ephemeral', attrs: { expiration: '86400' } }] }
const gp2 = (id, child, participant = '15550002222@s.whatsapp.net') => st({ tag: 'notification', attrs: { from: G, type: 'w:gp2', id, t: '1700000005', participant, notify: 'Bob' }, content: [child] })

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
  'raw': [...open, rec(0, bytes(64)), rec(0, Buffer.from([0, 0, 5, 1, 2, 3, 4, 5]))],
  'group-calls': [...open,
    call(0, 'new group'), st(result([groupNode])),
    call(1), st(result([groupNode])),
    call(2), st(result([{ tag: 'groups', attrs: {}, content: [groupNode, { ...groupNode, attrs: { ...groupNode.attrs, id: '120363000000000002' } }] }])),
    call(3), st(result([{ tag: 'add', attrs: {}, content: [P('15550002222@s.whatsapp.net'), { ...P('15550003333@s.whatsapp.net', { error: '403' }), content: [{ tag: 'add_request', attrs: { code: 'AbCd', expiration: '1700259200' } }] }] }])),
    call(4), st(result([{ tag: 'remove', attrs: {}, content: [P('15550002222@s.whatsapp.net', { error: '404' })] }])),
    call(5, 'subject'), st(result(undefined)),
    call(6, 'about us'), st(result([groupNode])), st(iqError('409', 'conflict')),
    call(7), st(result([{ tag: 'leave', attrs: {}, content: [{ tag: 'group', attrs: { id: '120363000000000001', error: '404' } }] }])),
    call(8), st(result([{ tag: 'invite', attrs: { code: 'AbCdEfGhIjKlMnOpQrStUv' } }])),
    call(9, 'AbCdEfGhIjKlMnOpQrStUv'), st(result([{ tag: 'group', attrs: { jid: G } }])),
    call(10), st(iqError('403', 'forbidden')),
    call(11), st(result([{ tag: 'usync', attrs: { sid: 's', index: '0', last: 'true' }, content: [
      { tag: 'result', attrs: {}, content: [{ tag: 'contact', attrs: {} }] },
      { tag: 'list', attrs: {}, content: [{ tag: 'user', attrs: { jid: '15550002222@s.whatsapp.net' }, content: [{ tag: 'contact', attrs: { type: 'in' }, content: '+15550002222' }] },
        { tag: 'user', attrs: { jid: '15550003333@s.whatsapp.net' }, content: [{ tag: 'contact', attrs: { type: 'out' }, content: '+15550003333' }] }] }] }])),
    call(12), st(result([{ tag: 'picture', attrs: { id: '1700000000', type: 'preview', url: 'https://mmg.whatsapp.net/v/t61/x.jpg?oh=1', direct_path: '/v/t61/x.jpg?oh=1' } }])),
    call(12 + 16), st(result([{ tag: 'picture', attrs: { status: '204' } }])),
    call(13), wait(40)],
  'group-notifications': [...open,
    gp2('1', { tag: 'create', attrs: { type: 'new', key: '3EB0KEY', reason: 'invite' }, content: [groupNode] }),
    gp2('2', { tag: 'add', attrs: { reason: 'invite' }, content: [P('15550004444@s.whatsapp.net', { lid: '100000000000004@lid' })] }),
    gp2('3', { tag: 'promote', attrs: {}, content: [P('15550004444@s.whatsapp.net')] }),
    gp2('4', { tag: 'demote', attrs: {}, content: [P('100000000000004@lid', { phone_number: '15550004444@s.whatsapp.net' })] }),
    gp2('5', { tag: 'subject', attrs: { subject: 'renamed', s_o: '15550002222@s.whatsapp.net', s_t: '1700000006' } }),
    gp2('6', { tag: 'description', attrs: { id: 'D2' }, content: [{ tag: 'body', attrs: {}, content: Buffer.from('about') }] }),
    gp2('7', { tag: 'description', attrs: { id: 'D3' }, content: [{ tag: 'delete', attrs: {} }] }),
    gp2('8', { tag: 'announcement', attrs: { v_id: '1' } }), gp2('9', { tag: 'not_announcement', attrs: { v_id: '2' } }),
    gp2('10', { tag: 'locked', attrs: {} }), gp2('11', { tag: 'unlocked', attrs: {} }),
    gp2('12', { tag: 'invite', attrs: { code: 'AbCd' } }), gp2('13', { tag: 'ephemeral', attrs: { expiration: '604800' } }),
    gp2('14', { tag: 'not_ephemeral', attrs: {} }), gp2('15', { tag: 'membership_approval_mode', attrs: {} }),
    gp2('16', { tag: 'leave', attrs: {}, content: [P('15550004444@s.whatsapp.net')] }, '15550004444@s.whatsapp.net'),
    gp2('17', { tag: 'remove', attrs: {}, content: [P('15550001111@s.whatsapp.net')] })]
}
for (const [name, recs] of Object.entries(seeds)) writeFileSync(join(out, name), Buffer.concat(recs))
