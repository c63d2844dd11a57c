// Writes the seed corpora of the simulator's fuzz targets from what Baileys really sends:
//   fuzz_sim_payload  Baileys' registration ClientPayload (valid keys from initAuthCreds) and
//                     its login payload for the fixture's device 15550001111:1
//   fuzz_sim_stanza   records of [be16 length][payload] with stanzas encoded by Baileys'
//                     encodeBinaryNode, as device 15550001111:1 sends them (fuzz_sim_stanza.c)
//   fuzz_sim_admin    "METHOD PATH?QUERY\n" + body requests for the admin API
// Run: node tests/fuzz/make_sim_corpus.mjs (after scripts/setup).
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { baileysDir, baileysProto } from '../interop/lib/protoschema.mjs'
import { repoRoot } from '../interop/lib/paths.mjs'

const B = (rel) => import(`file://${join(baileysDir, 'lib', rel)}`)
const { generateLoginNode, generateRegistrationNode } = await B('Utils/validate-connection.js')
const { initAuthCreds } = await B('Utils/auth-utils.js')
const { DEFAULT_CONNECTION_CONFIG } = await B('Defaults/index.js')
const { encodeBinaryNode } = await B('WABinary/encode.js')
const proto = await baileysProto()

const dir = (name) => { const d = join(repoRoot, 'tests', 'fuzz', 'corpus', name); mkdirSync(d, { recursive: true }); return d }

// ---- ClientPayloads
const payloads = dir('fuzz_sim_payload')
const creds = initAuthCreds()
const config = { ...DEFAULT_CONNECTION_CONFIG, pushName: 'Fuzz' }
writeFileSync(join(payloads, 'baileys-registration'), proto.ClientPayload.encode(generateRegistrationNode(creds, config)).finish())
writeFileSync(join(payloads, 'baileys-login'), proto.ClientPayload.encode(generateLoginNode('15550001111:1@s.whatsapp.net', config)).finish())
writeFileSync(join(payloads, 'baileys-login-no-device'), proto.ClientPayload.encode(generateLoginNode('15550001111@s.whatsapp.net', config)).finish())

// ---- stanzas from device A (15550001111:1) with device B (15550002222:1, LID 100000000000002)
const S = '@s.whatsapp.net'
const iq = (id, type, xmlns, content, to = S) => ({ tag: 'iq', attrs: { id, type, xmlns, to }, content })
const bytes = (n, fill) => Buffer.alloc(n, fill)
const be = (v, n) => { const b = Buffer.alloc(4); b.writeUInt32BE(v); return b.subarray(4 - n) }
const skey = (id) => ({ tag: 'skey', attrs: {}, content: [{ tag: 'id', attrs: {}, content: be(id, 3) }, { tag: 'value', attrs: {}, content: bytes(32, 7) }, { tag: 'signature', attrs: {}, content: bytes(64, 8) }] })
const stanzas = {
  count: iq('1', 'get', 'encrypt', [{ tag: 'count', attrs: {} }]),
  upload: iq('2', 'set', 'encrypt', [
    { tag: 'registration', attrs: {}, content: be(1234, 4) }, { tag: 'type', attrs: {}, content: Buffer.from([5]) },
    { tag: 'identity', attrs: {}, content: bytes(32, 9) },
    { tag: 'list', attrs: {}, content: [1, 2].map((i) => ({ tag: 'key', attrs: {}, content: [{ tag: 'id', attrs: {}, content: be(i, 3) }, { tag: 'value', attrs: {}, content: bytes(32, i) }] })) },
    skey(1)]),
  rotate: iq('3', 'set', 'encrypt', [{ tag: 'rotate', attrs: {}, content: [skey(2)] }]),
  digest: iq('4', 'get', 'encrypt', [{ tag: 'digest', attrs: {} }]),
  fetch: iq('5', 'get', 'encrypt', [{ tag: 'key', attrs: {}, content: [{ tag: 'user', attrs: { jid: '100000000000002:1@lid' } }, { tag: 'user', attrs: { jid: '15550002222:1@s.whatsapp.net' } }, { tag: 'user', attrs: { jid: '100000000000002@lid', reason: 'identity' } }] }]),
  passive: iq('6', 'set', 'passive', [{ tag: 'active', attrs: {} }]),
  ping: iq('7', 'get', 'w:p', [{ tag: 'ping', attrs: {} }]),
  usync: iq('8', 'get', 'usync', [{ tag: 'usync', attrs: { context: 'message', mode: 'query', sid: 's1', last: 'true', index: '0' }, content: [
    { tag: 'query', attrs: {}, content: [{ tag: 'devices', attrs: { version: '2' } }, { tag: 'lid', attrs: {} }, { tag: 'contact', attrs: {} }] },
    { tag: 'list', attrs: {}, content: [{ tag: 'user', attrs: { jid: '15550002222@s.whatsapp.net' } }, { tag: 'user', attrs: {}, content: [{ tag: 'contact', attrs: {}, content: '+15550002222' }] }] }] }]),
  props: iq('9', 'get', 'abt', [{ tag: 'props', attrs: { protocol: '1' } }]),
  blocklist: iq('10', 'get', 'blocklist'),
  block: iq('11', 'set', 'blocklist', [{ tag: 'item', attrs: { action: 'block', jid: '100000000000002@lid', pn_jid: '15550002222@s.whatsapp.net' } }]),
  privacy: iq('12', 'get', 'privacy', [{ tag: 'privacy', attrs: {} }]),
  privacyset: iq('13', 'set', 'privacy', [{ tag: 'privacy', attrs: {}, content: [{ tag: 'category', attrs: { name: 'last', value: 'contacts' } }] }]),
  tokens: iq('14', 'set', 'privacy', [{ tag: 'tokens', attrs: {}, content: [{ tag: 'token', attrs: { jid: '15550002222@s.whatsapp.net', t: '1700000000', type: 'trusted_contact' } }] }]),
  logout: iq('15', 'set', 'md', [{ tag: 'remove-companion-device', attrs: { jid: '15550001111:1@s.whatsapp.net', reason: 'user_initiated' } }]),
  unknown: iq('16', 'set', 'w:stats', [{ tag: 'add', attrs: { t: '1700000000' }, content: bytes(20, 1) }]),
  subscribe: { tag: 'presence', attrs: { type: 'subscribe', to: '15550002222@s.whatsapp.net' } },
  available: { tag: 'presence', attrs: { type: 'available', name: 'Fuzz' } },
  composing: { tag: 'chatstate', attrs: { from: '15550001111:1@s.whatsapp.net', to: '15550002222@s.whatsapp.net' }, content: [{ tag: 'composing', attrs: {} }] },
  ack: { tag: 'ack', attrs: { id: '1-1', to: S, class: 'notification', type: 'encrypt' } },
  ib: { tag: 'ib', attrs: {}, content: [{ tag: 'unified_session', attrs: { id: '123' } }] },
  answer: { tag: 'iq', attrs: { id: '1-2', to: S, type: 'result' } }
}
const record = (node) => { const p = Buffer.from(encodeBinaryNode(node)); return Buffer.concat([be(p.length, 2), p]) }
const stanzaDir = dir('fuzz_sim_stanza')
for (const [name, node] of Object.entries(stanzas)) writeFileSync(join(stanzaDir, name), record(node))
const seq = (names) => Buffer.concat(names.map((n) => record(stanzas[n])))
writeFileSync(join(stanzaDir, 'startup'), seq(['count', 'upload', 'passive', 'digest', 'props', 'blocklist', 'privacy', 'ib']))
writeFileSync(join(stanzaDir, 'sending'), seq(['usync', 'fetch', 'fetch', 'fetch', 'tokens', 'subscribe', 'available', 'composing']))

// ---- admin requests
const admin = dir('fuzz_sim_admin')
const req = (name, line, body = '') => writeFileSync(join(admin, name), `${line}\n${body}`)
req('info', 'GET /admin/info')
req('stats', 'GET /admin/stats')
req('scan-qr', 'POST /admin/mock-phone/scan-qr?phone=15550005555&name=X', 'https://wa.me/settings/linked_devices#2@AAAA,' + bytes(32, 1).toString('base64') + ',' + bytes(32, 2).toString('base64') + ',' + bytes(32, 3).toString('base64') + ',1')
req('enter-code', 'POST /admin/mock-phone/enter-code', JSON.stringify({ phone: '15550003333', code: 'ABCD-EFGH' }))
req('fault-stall', 'POST /admin/fault', JSON.stringify({ device: '15550001111:1@s.whatsapp.net', action: 'stall', seconds: 2 }))
req('fault-error', 'POST /admin/fault', JSON.stringify({ device: '15550001111:1@s.whatsapp.net', action: 'stream-error', code: 503 }))
req('fault-close', 'POST /admin/fault', JSON.stringify({ device: '100000000000001:1@lid', action: 'close' }))
req('accounts', 'POST /admin/accounts', JSON.stringify({ phone: '15550006666', name: 'F' }))
req('unlink', 'POST /admin/mock-phone/unlink', JSON.stringify({ device: '15550001111:1@s.whatsapp.net' }))
req('not-found', 'DELETE /nope?x=%zz')
