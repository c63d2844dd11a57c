// Writes the seeds of fuzz_wa_stanza: one stanza per file, encoded by Baileys' encodeBinaryNode,
// in the shapes Baileys sends and reads (its own builders where they are exported: the usync
// protocols, buildAckStanza, xmppPreKey/xmppSignedPreKey, generateMessageIDV2), plus raw inputs
// for the readers of raw bytes (a QR string, an upload answer, an upload path). The IQ answers
// use ids fz-1..fz-3, the ones fuzz_wa_stanza.c's IQ table hands out.
// Run: node tests/fuzz/make_wa_corpus.mjs (after scripts/setup).
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { baileysDir } from '../interop/lib/protoschema.mjs'
import { repoRoot } from '../interop/lib/paths.mjs'
import { seededBytes } from '../interop/lib/stanzas.mjs'

const B = (rel) => import(`file://${join(baileysDir, 'lib', rel)}`)
const { encodeBinaryNode } = await B('WABinary/encode.js')
const { buildAckStanza } = await B('Utils/stanza-ack.js')
const { xmppPreKey, xmppSignedPreKey } = await B('Utils/signal.js')
const { USyncQuery, USyncUser } = await B('WAUSync/index.js')

const out = join(repoRoot, 'tests', 'fuzz', 'corpus', 'fuzz_wa_stanza')
mkdirSync(out, { recursive: true })
const bytes = seededBytes(8)
const fill = (n, v) => Buffer.alloc(n, v)
const be = (v, n) => { const b = Buffer.alloc(4); b.writeUInt32BE(v); return b.subarray(4 - n) }
const S = '@s.whatsapp.net'
const A1 = '15550001111:1@s.whatsapp.net'
const B1 = '15550002222:1@s.whatsapp.net'
const BU = '15550002222@s.whatsapp.net'
const G = '120363000000000001@g.us'
const enc = (type, extra = {}) => ({ tag: 'enc', attrs: { v: '2', type, ...extra }, content: bytes(48) })
const result = (id, content, from = S) => ({ tag: 'iq', attrs: { from, type: 'result', id }, content })
const g2 = (type, to, child) => ({ tag: 'iq', attrs: { type, xmlns: 'w:g2', to, id: 'g' }, content: [child] })
const parts = (tag, jids, attrs = {}) => ({ tag, attrs, content: jids.map((jid) => ({ tag: 'participant', attrs: { jid } })) })
const gp2 = (child, attrs = {}) => ({ tag: 'notification', attrs: { from: G, type: 'w:gp2', id: '77', t: '1700000000', participant: '15550001111@s.whatsapp.net', notify: 'Alice', ...attrs }, content: [child] })
const metadata = (extra = []) => ({
  tag: 'group',
  attrs: { id: '120363000000000001', subject: 'trio', creation: '1690000000', creator: '15550001111@s.whatsapp.net', s_t: '1690000001', s_o: '15550001111@s.whatsapp.net', addressing_mode: 'pn', size: '3' },
  content: [
    { tag: 'participant', attrs: { jid: '15550001111@s.whatsapp.net', lid: '100000000000001@lid', type: 'superadmin' } },
    { tag: 'participant', attrs: { jid: BU, lid: '100000000000002@lid' } },
    { tag: 'participant', attrs: { jid: '100000000000003@lid', phone_number: '15550003333@s.whatsapp.net', type: 'admin' } },
    ...extra]
})
const identityKeys = { public: fill(32, 9) }
const skey = { keyId: 1, keyPair: { public: fill(32, 7) }, signature: fill(64, 8) }

// executeUSyncQuery (Socket/socket.js) over Baileys' own protocol classes
function usync (query, context, sid) {
  return {
    tag: 'iq',
    attrs: { to: S, type: 'get', xmlns: 'usync', id: 'fz-1' },
    content: [{
      tag: 'usync',
      attrs: { context, mode: query.mode, sid, last: 'true', index: '0' },
      content: [
        { tag: 'query', attrs: {}, content: query.protocols.map((p) => p.getQueryElement()) },
        { tag: 'list', attrs: {}, content: query.users.map((u) => ({ tag: 'user', attrs: { jid: !u.phone ? u.id : undefined }, content: query.protocols.map((p) => p.getUserElement(u)).filter((x) => x !== null) })) }]
    }]
  }
}
const devicesQuery = new USyncQuery().withContext('message').withDeviceProtocol().withLIDProtocol()
devicesQuery.withUser(new USyncUser().withId('15550001111@s.whatsapp.net')).withUser(new USyncUser().withId(BU))
const onWhatsApp = new USyncQuery().withContactProtocol()
onWhatsApp.withUser(new USyncUser().withPhone('+15550002222')).withUser(new USyncUser().withPhone('+19990000000'))

const stanzas = {
  'usync-devices': usync(devicesQuery, 'message', '1.2-1'),
  'usync-on-whatsapp': usync(onWhatsApp, 'interactive', '1.2-2'),
  'usync-result': result('fz-1', [{ tag: 'usync', attrs: { sid: '1.2-1', index: '0', last: 'true', mode: 'query', context: 'message' }, content: [
    { tag: 'result', attrs: {}, content: [{ tag: 'devices', attrs: {} }, { tag: 'lid', attrs: {} }, { tag: 'contact', attrs: {} }] },
    { tag: 'list', attrs: {}, content: [
      { tag: 'user', attrs: { jid: BU }, content: [
        { tag: 'devices', attrs: {}, content: [{ tag: 'device-list', attrs: {}, content: [{ tag: 'device', attrs: { id: '0' } }, { tag: 'device', attrs: { id: '1', 'key-index': '1' } }, { tag: 'device', attrs: { id: '99', 'key-index': '2', is_hosted: 'true' } }] },
          { tag: 'key-index-list', attrs: { ts: '1700000000' }, content: bytes(20) }] },
        { tag: 'lid', attrs: { val: '100000000000002@lid' } },
        { tag: 'contact', attrs: { type: 'in' }, content: '+15550002222' }] },
      { tag: 'user', attrs: { jid: '19990000000@s.whatsapp.net' }, content: [{ tag: 'devices', attrs: {}, content: [{ tag: 'error', attrs: { code: '404', text: 'not-found' } }] }, { tag: 'lid', attrs: {} }, { tag: 'contact', attrs: { type: 'out' } }] }] }] }]),
  'message-send': { tag: 'message', attrs: { id: '3EB0A1B2C3D4E5F6A7B8C9', to: BU, type: 'text' }, content: [
    { tag: 'participants', attrs: {}, content: [{ tag: 'to', attrs: { jid: B1 }, content: [enc('pkmsg', { mediatype: 'image' })] }, { tag: 'to', attrs: { jid: '15550001111:2@s.whatsapp.net' }, content: [enc('msg')] }] },
    { tag: 'device-identity', attrs: {}, content: bytes(160) }] },
  'message-send-group': { tag: 'message', attrs: { id: '3EB0A1', to: G, type: 'text', addressing_mode: 'pn' }, content: [
    enc('skmsg'), { tag: 'participants', attrs: {}, content: [{ tag: 'to', attrs: { jid: B1 }, content: [enc('pkmsg')] }] }, { tag: 'device-identity', attrs: {}, content: bytes(160) }] },
  'message-resend': { tag: 'message', attrs: { id: '3EB0A1', to: B1, type: 'text', device_fanout: 'false' }, content: [enc('pkmsg', { count: '1' }), { tag: 'device-identity', attrs: {}, content: bytes(160) }] },
  'message-delivered': { tag: 'message', attrs: { from: A1, id: '3EB0A1', t: '1700000123', type: 'text', notify: 'Alice', sender_lid: '100000000000001:1@lid' }, content: [enc('pkmsg'), { tag: 'device-identity', attrs: {}, content: bytes(160) }] },
  'message-delivered-group': { tag: 'message', attrs: { from: G, participant: A1, participant_lid: '100000000000001:1@lid', addressing_mode: 'pn', id: '3EB0A2', t: '1700000124', type: 'text', notify: 'Alice', offline: '1' }, content: [enc('pkmsg'), enc('skmsg')] },
  'message-own-copy': { tag: 'message', attrs: { from: A1, recipient: BU, id: '3EB0A3', t: '1700000125', type: 'text' }, content: [enc('msg')] },
  'receipt-batch': { tag: 'receipt', attrs: { id: '3EB0A1', to: A1, type: 'read', t: '1700000200' }, content: [{ tag: 'list', attrs: {}, content: [{ tag: 'item', attrs: { id: '3EB0A2' } }, { tag: 'item', attrs: { id: '3EB0A3' } }] }] },
  'receipt-routed': { tag: 'receipt', attrs: { from: G, participant: BU, id: '3EB0A1', t: '1700000201', type: 'played' } },
  'receipt-retry': { tag: 'receipt', attrs: { id: '3EB0A1', type: 'retry', to: A1, participant: A1 }, content: [
    { tag: 'retry', attrs: { count: '2', id: '3EB0A1', t: '1700000123', v: '1', error: '0' } },
    { tag: 'registration', attrs: {}, content: be(12345, 4) },
    { tag: 'keys', attrs: {}, content: [{ tag: 'type', attrs: {}, content: Buffer.from([5]) }, { tag: 'identity', attrs: {}, content: identityKeys.public }, xmppPreKey({ public: fill(32, 6) }, 7), xmppSignedPreKey(skey), { tag: 'device-identity', attrs: {}, content: bytes(160) }] }] },
  'ack-message': { tag: 'ack', attrs: { class: 'message', id: '3EB0A1', from: BU, t: '1700000300', phash: '2:abcdefgh' } },
  'ack-error': { tag: 'ack', attrs: { class: 'message', id: '3EB0A1', from: G, t: '1700000300', error: '403' } },
  'ack-notification': buildAckStanza({ tag: 'notification', attrs: { from: G, type: 'w:gp2', id: '77', participant: '15550001111@s.whatsapp.net' } }),
  'ack-nack': buildAckStanza({ tag: 'message', attrs: { from: A1, id: '3EB0A1', type: 'text' } }, 500, '15550002222:1@s.whatsapp.net'),
  'devices-add': { tag: 'notification', attrs: { from: BU, lid: '100000000000002@lid', type: 'devices', id: '88', t: '1700000400' }, content: [
    { tag: 'add', attrs: { device_hash: '2:SaJgG6Yo', device_lid_hash: '2:q7X18Saa' }, content: [{ tag: 'device', attrs: { jid: '15550002222:2@s.whatsapp.net', lid: '100000000000002:2@lid', 'key-index': '2' } }] }] },
  'devices-update': { tag: 'notification', attrs: { from: BU, type: 'devices', id: '89', t: '1' }, content: [{ tag: 'update', attrs: { hash: 'x' } }] },
  'group-metadata': result('fz-2', [metadata([{ tag: 'description', attrs: { id: 'D1', participant: BU, t: '1690000002' }, content: [{ tag: 'body', attrs: {}, content: Buffer.from('about') }] }, { tag: 'announcement', attrs: {} }, { tag: 'locked', attrs: {} }, { tag: 'ephemeral', attrs: { expiration: '86400' } }])], G),
  'group-participating': result('fz-3', [{ tag: 'groups', attrs: {}, content: [metadata(), metadata()] }], '@g.us'),
  'group-add-results': result('fz-1', [{ tag: 'add', attrs: {}, content: [{ tag: 'participant', attrs: { jid: BU } }, { tag: 'participant', attrs: { jid: '19990000000@s.whatsapp.net', error: '404' } }] }], G),
  'group-leave-results': result('fz-1', [{ tag: 'leave', attrs: {}, content: [{ tag: 'group', attrs: { id: G, error: '404' } }] }], '@g.us'),
  'group-invite': result('fz-2', [{ tag: 'invite', attrs: { code: 'AAAAAAAAAAAAAAAAAAAAAA' } }], G),
  'group-joined': result('fz-3', [{ tag: 'group', attrs: { jid: G } }], '@g.us'),
  'group-add-request': result('fz-1', [{ tag: 'add', attrs: {}, content: [{ tag: 'participant', attrs: { jid: BU, error: '403' }, content: [{ tag: 'add_request', attrs: { code: 'AbCd1234', expiration: '1700259200' } }] }] }], G),
  'picture-get': { tag: 'iq', attrs: { target: BU, to: S, type: 'get', xmlns: 'w:profile:picture', id: 'p1' }, content: [{ tag: 'picture', attrs: { type: 'preview', query: 'url' } }] },
  'picture-get-whatsmeow': { tag: 'iq', attrs: { target: G, to: 's.whatsapp.net', type: 'get', xmlns: 'w:profile:picture', id: 'p2' }, content: [{ tag: 'picture', attrs: { type: 'image', query: 'url', id: '1700000000' }, content: [{ tag: 'tctoken', attrs: {}, content: fill(16, 5) }] }] },
  'picture-set': { tag: 'iq', attrs: { to: S, type: 'set', xmlns: 'w:profile:picture', id: 'p3' }, content: [{ tag: 'picture', attrs: { type: 'image' }, content: Buffer.concat([Buffer.from([0xff, 0xd8]), fill(64, 6), Buffer.from([0xff, 0xd9])]) }] },
  'picture-delete': { tag: 'iq', attrs: { target: G, to: S, type: 'set', xmlns: 'w:profile:picture', id: 'p4' } },
  'picture-answer': result('fz-1', [{ tag: 'picture', attrs: { id: '1700000000', type: 'preview', url: 'https://mmg.whatsapp.net/v/t61.24694-24/x.jpg?oh=1', direct_path: '/v/t61.24694-24/x.jpg?oh=1' } }]),
  'picture-unchanged': result('fz-1', [{ tag: 'picture', attrs: { status: '304' } }]),
  'g2-create': g2('set', '@g.us', parts('create', [BU, '100000000000003@lid'], { subject: 'trio', key: '3EB0KEY' })),
  'g2-query': g2('get', G, { tag: 'query', attrs: { request: 'interactive' } }),
  'g2-participating': g2('get', '@g.us', { tag: 'participating', attrs: {}, content: [{ tag: 'participants', attrs: {} }, { tag: 'description', attrs: {} }] }),
  'g2-add': g2('set', G, parts('add', [BU])),
  'g2-demote': g2('set', G, parts('demote', [BU])),
  'g2-subject': g2('set', G, { tag: 'subject', attrs: {}, content: Buffer.from('renamed') }),
  'g2-description': g2('set', G, { tag: 'description', attrs: { id: 'D2', prev: 'D1' }, content: [{ tag: 'body', attrs: {}, content: Buffer.from('about us') }] }),
  'g2-undescribe': g2('set', G, { tag: 'description', attrs: { delete: 'true', prev: 'D2' } }),
  'g2-ephemeral': g2('set', G, { tag: 'ephemeral', attrs: { expiration: '604800' } }),
  'g2-locked': g2('set', G, { tag: 'locked', attrs: {} }),
  'g2-leave': g2('set', '@g.us', { tag: 'leave', attrs: {}, content: [{ tag: 'group', attrs: { id: G } }] }),
  'g2-invite-code': g2('get', G, { tag: 'invite', attrs: {} }),
  'g2-invite-accept': g2('set', '@g.us', { tag: 'invite', attrs: { code: 'AAAAAAAAAAAAAAAAAAAAAA' } }),
  'gp2-create': gp2({ tag: 'create', attrs: { type: 'new', key: '3EB0KEY' }, content: [metadata()] }),
  'gp2-joined-by-invite': gp2({ tag: 'create', attrs: { reason: 'invite' }, content: [metadata()] }),
  'gp2-add': gp2({ tag: 'add', attrs: { reason: 'invite' }, content: [{ tag: 'participant', attrs: { jid: BU, lid: '100000000000002@lid' } }] }),
  'gp2-remove': gp2(parts('remove', [BU])),
  'gp2-subject': gp2({ tag: 'subject', attrs: { subject: 'renamed', s_o: BU, s_t: '1700000500' } }),
  'gp2-description': gp2({ tag: 'description', attrs: { id: 'D1' }, content: [{ tag: 'body', attrs: {}, content: Buffer.from('about') }] }),
  'gp2-description-deleted': gp2({ tag: 'description', attrs: { id: 'D2' }, content: [{ tag: 'delete', attrs: {} }] }),
  'gp2-announcement': gp2({ tag: 'announcement', attrs: { v_id: '1700000600' } }),
  'gp2-ephemeral': gp2({ tag: 'ephemeral', attrs: { expiration: '86400' } }),
  'gp2-invite': gp2({ tag: 'invite', attrs: { code: 'BBBBBBBBBBBBBBBBBBBBBB' } }),
  'gp2-unknown': gp2({ tag: 'membership_approval_mode', attrs: {}, content: [{ tag: 'group_join', attrs: { state: 'on' } }] }),
  'media-conn-request': { tag: 'iq', attrs: { type: 'set', xmlns: 'w:m', to: S, id: 'm' }, content: [{ tag: 'media_conn', attrs: {} }] },
  'media-conn': result('fz-1', [{ tag: 'media_conn', attrs: { auth: 'AbC+/=', ttl: '300', auth_ttl: '21600', max_buckets: '12' }, content: [
    { tag: 'host', attrs: { hostname: 'mmg.whatsapp.net', maxContentLengthBytes: '104857600' } }, { tag: 'host', attrs: { hostname: 'mmg-fallback.whatsapp.net', type: 'fallback' } }] }]),
  'prekey-bundle': result('fz-2', [{ tag: 'list', attrs: {}, content: [{ tag: 'user', attrs: { jid: '100000000000002:1@lid' }, content: [
    { tag: 'registration', attrs: {}, content: be(1234, 4) }, { tag: 'type', attrs: {}, content: Buffer.from([5]) }, { tag: 'identity', attrs: {}, content: fill(32, 9) },
    xmppSignedPreKey(skey), xmppPreKey({ public: fill(32, 6) }, 7)] }] }]),
  'prekey-upload': { tag: 'iq', attrs: { type: 'set', xmlns: 'encrypt', to: S, id: 'u' }, content: [
    { tag: 'registration', attrs: {}, content: be(1234, 4) }, { tag: 'type', attrs: {}, content: Buffer.from([5]) }, { tag: 'identity', attrs: {}, content: fill(32, 9) },
    { tag: 'list', attrs: {}, content: [1, 2, 3].map((i) => xmppPreKey({ public: fill(32, i) }, i)) }, xmppSignedPreKey(skey)] },
  'prekey-low': { tag: 'notification', attrs: { from: S, type: 'encrypt', id: '90', t: '1' }, content: [{ tag: 'count', attrs: { value: '3' } }] },
  'pair-code-primary-hello': { tag: 'notification', attrs: { from: S, type: 'link_code_companion_reg', id: '91', t: '1' }, content: [{ tag: 'link_code_companion_reg', attrs: { stage: 'primary_hello' }, content: [
    { tag: 'link_code_pairing_ref', attrs: {}, content: bytes(32) }, { tag: 'primary_identity_pub', attrs: {}, content: fill(32, 3) }, { tag: 'link_code_pairing_wrapped_primary_ephemeral_pub', attrs: {}, content: bytes(80) }] }] },
  // presence and chat states (Socket/chats.js sendPresenceUpdate, presenceSubscribe; the server's)
  'presence-available': { tag: 'presence', attrs: { name: 'Alice', type: 'available' } },
  'presence-subscribe': { tag: 'presence', attrs: { to: BU, id: '123.45-6', type: 'subscribe' } },
  'presence-last': { tag: 'presence', attrs: { from: BU, type: 'unavailable', last: '1700000000' } },
  'presence-deny': { tag: 'presence', attrs: { from: BU, type: 'unavailable', last: 'deny' } },
  'chatstate-composing': { tag: 'chatstate', attrs: { from: A1, to: BU }, content: [{ tag: 'composing', attrs: {} }] },
  'chatstate-recording': { tag: 'chatstate', attrs: { from: BU }, content: [{ tag: 'composing', attrs: { media: 'audio' } }] },
  'chatstate-group-paused': { tag: 'chatstate', attrs: { from: G, participant: BU }, content: [{ tag: 'paused', attrs: {} }] },
  // a poll as Baileys' sendMessage sends it: <meta polltype="creation"/> after the participants
  'message-poll': { tag: 'message', attrs: { id: '3EB0POLL', to: BU, type: 'poll' }, content: [
    { tag: 'participants', attrs: {}, content: [{ tag: 'to', attrs: { jid: B1 }, content: [enc('msg')] }] },
    { tag: 'meta', attrs: { polltype: 'creation' } }] },
  'message-revoke': { tag: 'message', attrs: { id: '3EB0DEL', to: G, type: 'text', edit: '8' }, content: [enc('skmsg', { 'decrypt-fail': 'hide' })] },
  'iq-error': { tag: 'iq', attrs: { from: S, type: 'error', id: 'fz-2' }, content: [{ tag: 'error', attrs: { code: '404', text: 'item-not-found' } }] }
}
for (const [name, node] of Object.entries(stanzas)) writeFileSync(join(out, name), Buffer.from(encodeBinaryNode(node)))

// raw inputs
const b64 = (b) => Buffer.from(b).toString('base64')
writeFileSync(join(out, 'raw-qr'), `https://wa.me/settings/linked_devices#2@${b64(bytes(30))},${b64(fill(32, 1))},${b64(fill(32, 2))},${b64(fill(32, 3))},1`)
writeFileSync(join(out, 'raw-uploaded'), JSON.stringify({ url: 'https://mmg.whatsapp.net/o1/v/t62.7118-24/x.enc?ccb=11-4', direct_path: '/o1/v/t62.7118-24/x.enc?ccb=11-4', handle: null, meta_hmac: 'abc', fbid: 1, ts: 1700000000 }))
writeFileSync(join(out, 'raw-upload-path'), `/mms/image/${fill(32, 4).toString('base64url')}`)
