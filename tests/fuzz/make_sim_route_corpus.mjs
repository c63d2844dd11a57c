// Writes the seeds of the simulator's routing, group and media handlers, encoded as Baileys
// encodes them (make_sim_corpus.mjs writes the core's):
//   fuzz_sim_stanza/route-*  records [be16 length][payload] from device 15550001111:1 (A) with
//                            device 15550002222:1 (B) online: messages 1:1 and to a group, receipts,
//                            every w:g2 request (the group A creates first is 120363000000000001),
//                            profile pictures (w:profile:picture) and the groupadd privacy
//   fuzz_sim_admin/groups-*  POST /admin/groups bodies
//   fuzz_sim_media/*         uploads and downloads with the AUTH/HASH/SIG placeholders of
//                            fuzz_sim_media.c
// Run: node tests/fuzz/make_sim_route_corpus.mjs (after scripts/setup).
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { baileysDir } from '../interop/lib/protoschema.mjs'
import { repoRoot } from '../interop/lib/paths.mjs'

const { encodeBinaryNode } = await import(`file://${join(baileysDir, 'lib', 'WABinary/encode.js')}`)
const dir = (name) => { const d = join(repoRoot, 'tests', 'fuzz', 'corpus', name); mkdirSync(d, { recursive: true }); return d }

const A = '15550001111@s.whatsapp.net'
const A1 = '15550001111:1@s.whatsapp.net'
const B = '15550002222@s.whatsapp.net'
const B1 = '15550002222:1@s.whatsapp.net'
const G = '120363000000000001@g.us'
const bytes = (n, fill) => Buffer.alloc(n, fill)
const enc = (type, n = 40) => ({ tag: 'enc', attrs: { v: '2', type }, content: bytes(n, 3) })
const g2 = (id, type, to, child) => ({ tag: 'iq', attrs: { id, type, xmlns: 'w:g2', to }, content: [child] })
const parts = (tag, jids, attrs = {}) => ({ tag, attrs, content: jids.map((jid) => ({ tag: 'participant', attrs: { jid } })) })

const stanzas = {
  direct: { tag: 'message', attrs: { id: '3EB0AA01', to: B, type: 'text' }, content: [
    { tag: 'participants', attrs: {}, content: [{ tag: 'to', attrs: { jid: B1 }, content: [enc('pkmsg')] }, { tag: 'to', attrs: { jid: '15550001111:2@s.whatsapp.net' }, content: [enc('msg')] }] },
    { tag: 'device-identity', attrs: {}, content: bytes(100, 4) }] },
  direct_lid: { tag: 'message', attrs: { id: '3EB0AA02', to: '100000000000002@lid', type: 'text' }, content: [
    { tag: 'participants', attrs: {}, content: [{ tag: 'to', attrs: { jid: '100000000000002:1@lid' }, content: [enc('msg')] }] }] },
  resend: { tag: 'message', attrs: { id: '3EB0AA01', to: B1, type: 'text', device_fanout: 'false' }, content: [{ tag: 'enc', attrs: { v: '2', type: 'pkmsg', count: '1' }, content: bytes(40, 5) }] },
  receipt: { tag: 'receipt', attrs: { id: '3EB0AA01', to: B1, type: 'inactive' }, content: [{ tag: 'list', attrs: {}, content: [{ tag: 'item', attrs: { id: '3EB0AA02' } }] }] },
  read: { tag: 'receipt', attrs: { id: '3EB0AA01', to: B1, type: 'read', t: '1700000000' } },
  retry: { tag: 'receipt', attrs: { id: '3EB0AA01', to: B1, type: 'retry' }, content: [
    { tag: 'retry', attrs: { count: '1', id: '3EB0AA01', t: '1700000000', v: '1', error: '0' } }, { tag: 'registration', attrs: {}, content: bytes(4, 1) }] },
  sender: { tag: 'receipt', attrs: { id: '3EB0AA01', recipient: B, type: 'sender' } },
  create: g2('g1', 'set', '@g.us', parts('create', [B], { subject: 'fuzz', key: 'k1' })),
  group: { tag: 'message', attrs: { id: '3EB0BB01', to: G, type: 'text', addressing_mode: 'pn' }, content: [
    enc('skmsg'), { tag: 'participants', attrs: {}, content: [{ tag: 'to', attrs: { jid: B1 }, content: [enc('pkmsg')] }] }] },
  group_receipt: { tag: 'receipt', attrs: { id: '3EB0BB01', to: G, participant: B1, type: 'read' } },
  group_resend: { tag: 'message', attrs: { id: '3EB0BB01', to: G, type: 'text', participant: B1 }, content: [enc('pkmsg')] },
  metadata: g2('g2', 'get', G, { tag: 'query', attrs: { request: 'interactive' } }),
  participating: g2('g3', 'get', '@g.us', { tag: 'participating', attrs: {}, content: [{ tag: 'participants', attrs: {} }, { tag: 'description', attrs: {} }] }),
  subject: g2('g4', 'set', G, { tag: 'subject', attrs: {}, content: Buffer.from('renamed') }),
  description: g2('g5', 'set', G, { tag: 'description', attrs: { id: 'D1' }, content: [{ tag: 'body', attrs: {}, content: Buffer.from('about') }] }),
  undescribe: g2('g6', 'set', G, { tag: 'description', attrs: { id: 'D2', prev: 'D1', delete: 'true' } }),
  add: g2('g7', 'set', G, parts('add', ['15550003333@s.whatsapp.net', B])),
  promote: g2('g8', 'set', G, parts('promote', [B])),
  demote: g2('g9', 'set', G, parts('demote', [B])),
  remove: g2('g10', 'set', G, parts('remove', [B])),
  announce: g2('g11', 'set', G, { tag: 'announcement', attrs: {} }),
  ephemeral: g2('g12', 'set', G, { tag: 'ephemeral', attrs: { expiration: '86400' } }),
  invite: g2('g13', 'get', G, { tag: 'invite', attrs: {} }),
  revoke: g2('g14', 'set', G, { tag: 'invite', attrs: {} }),
  accept: g2('g15', 'set', '@g.us', { tag: 'invite', attrs: { code: 'AAAAAAAAAAAAAAAAAAAAAA' } }),
  leave: g2('g16', 'set', '@g.us', { tag: 'leave', attrs: {}, content: [{ tag: 'group', attrs: { id: G } }] }),
  media_conn: { tag: 'iq', attrs: { id: 'm1', type: 'set', xmlns: 'w:m', to: '@s.whatsapp.net' }, content: [{ tag: 'media_conn', attrs: {} }] },
  privacy_groupadd: { tag: 'iq', attrs: { id: 'p0', type: 'set', xmlns: 'privacy', to: '@s.whatsapp.net' }, content: [{ tag: 'privacy', attrs: {}, content: [{ tag: 'category', attrs: { name: 'groupadd', value: 'contacts' } }] }] },
  picture_set: { tag: 'iq', attrs: { id: 'p1', type: 'set', xmlns: 'w:profile:picture', to: '@s.whatsapp.net' }, content: [{ tag: 'picture', attrs: { type: 'image' }, content: Buffer.concat([Buffer.from([0xff, 0xd8]), bytes(60, 9), Buffer.from([0xff, 0xd9])]) }] },
  picture_set_group: { tag: 'iq', attrs: { id: 'p2', type: 'set', xmlns: 'w:profile:picture', to: '@s.whatsapp.net', target: G }, content: [{ tag: 'picture', attrs: { type: 'image' }, content: bytes(30, 8) }] },
  picture_get: { tag: 'iq', attrs: { id: 'p3', type: 'get', xmlns: 'w:profile:picture', to: '@s.whatsapp.net', target: A }, content: [{ tag: 'picture', attrs: { type: 'preview', query: 'url' } }] },
  picture_get_group: { tag: 'iq', attrs: { id: 'p4', type: 'get', xmlns: 'w:profile:picture', to: '@s.whatsapp.net', target: G }, content: [{ tag: 'picture', attrs: { type: 'image', query: 'url', id: '1' } }] },
  picture_delete: { tag: 'iq', attrs: { id: 'p5', type: 'set', xmlns: 'w:profile:picture', to: '@s.whatsapp.net' } },
  notification_ack: { tag: 'ack', attrs: { id: '1-1', to: A, class: 'notification', type: 'w:gp2', participant: A } }
}
const be16 = (n) => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b }
const record = (node) => { const p = Buffer.from(encodeBinaryNode(node)); return Buffer.concat([be16(p.length), p]) }
const stanzaDir = dir('fuzz_sim_stanza')
for (const [name, node] of Object.entries(stanzas)) writeFileSync(join(stanzaDir, `route-${name}`), record(node))
const seq = (names) => Buffer.concat(names.map((n) => record(stanzas[n])))
writeFileSync(join(stanzaDir, 'route-conversation'), seq(['direct', 'receipt', 'read', 'retry', 'resend', 'sender', 'direct_lid']))
writeFileSync(join(stanzaDir, 'route-pictures'), seq(['create', 'picture_set', 'picture_get', 'picture_set_group', 'picture_get_group', 'picture_delete', 'picture_get']))
writeFileSync(join(stanzaDir, 'route-group-life'), seq(['create', 'group', 'group_receipt', 'group_resend', 'metadata', 'participating',
  'subject', 'description', 'undescribe', 'add', 'promote', 'demote', 'announce', 'ephemeral', 'invite', 'revoke', 'accept', 'remove', 'leave']))

// ---- POST /admin/groups
const admin = dir('fuzz_sim_admin')
const req = (name, line, body = '') => writeFileSync(join(admin, name), `${line}\n${body}`)
req('groups', 'POST /admin/groups', JSON.stringify({ subject: 'made', creator: '15550001111', participants: ['15550002222', '15550003333'] }))
req('groups-bad', 'POST /admin/groups', JSON.stringify({ subject: '', creator: 'x', participants: [1] }))

// ---- media
const media = dir('fuzz_sim_media')
const m = (name, line, body = '') => writeFileSync(join(media, name), `${line}\n${body}`)
m('upload-image', 'POST /mms/image/HASH?auth=AUTH&token=HASH', bytes(300, 7))
m('upload-document', 'POST /mms/document/HASH?auth=AUTH&token=HASH', Buffer.from('%PDF-1.4 not really'))
m('upload-empty', 'POST /mms/audio/HASH?auth=AUTH&token=HASH')
m('upload-wrong-auth', 'POST /mms/video/HASH?auth=nope&token=HASH', bytes(10, 1))
m('upload-wrong-hash', 'POST /mms/image/AAAA?auth=AUTH', bytes(10, 1))
m('download-signed', 'GET /v/t62.7118-24/00112233445566778899aabbccddeeff.enc?ccb=11-4&oh=SIG')
m('download-unsigned', 'GET /v/t62.7118-24/00.enc?oh=%zz')
