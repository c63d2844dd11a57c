// Writes the seeds of fuzz_client_kinds: byte 0 says who sends (0 the 1:1 peer, 1 a group member,
// 2 ourselves in the 1:1 chat, 3 ourselves in the group; +4 an admin's edit="8"), the rest is a
// Message as Baileys encodes it: reactions, edits, revokes, votes sealed for the polls the
// target stores (secret 01..20 hex), a disappearing timer, and other kinds.
// Run: node tests/fuzz/make_kinds_corpus.mjs (after scripts/setup).
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '../interop/lib/paths.mjs'
import { proto, sealVote } from '../interop/lib/kinds.mjs'

const out = join(repoRoot, 'tests', 'fuzz', 'corpus', 'fuzz_client_kinds')
mkdirSync(out, { recursive: true })
const ME = '15550001111@s.whatsapp.net'
const PEER = '15550002222@s.whatsapp.net'
const MEMBER = '15550003333@s.whatsapp.net'
const GROUP = '120363000000000001@g.us'
const secret = Buffer.from(Array.from({ length: 32 }, (_, i) => i + 1))
const seed = (name, who, message) => writeFileSync(join(out, name), Buffer.concat([Buffer.from([who]), proto.Message.encode(message).finish()]))
const vote = (pollId, creator, voter, options, key) => ({
  pollUpdateMessage: { pollCreationMessageKey: key, vote: sealVote({ secret, pollId, creator, voter, options }), senderTimestampMs: 1700000000000 }
})

seed('react-own', 0, { reactionMessage: { key: { remoteJid: ME, fromMe: true, id: '3EB0TEXT' }, text: '👍', senderTimestampMs: 1700000000000 } })
seed('react-remove', 0, { reactionMessage: { key: { remoteJid: ME, fromMe: false, id: '3EB0MINE' }, text: '', senderTimestampMs: 1700000000001 } })
seed('react-group', 1, { reactionMessage: { key: { remoteJid: GROUP, fromMe: false, id: '3EB0POLLME', participant: ME }, text: '🎉' } })
seed('edit', 0, { protocolMessage: { key: { remoteJid: ME, fromMe: true, id: '3EB0TEXT' }, type: 14, editedMessage: { extendedTextMessage: { text: 'see you at nine' } }, timestampMs: 1700000001000 } })
seed('edit-not-author', 1, { protocolMessage: { key: { remoteJid: GROUP, fromMe: false, id: '3EB0POLLME', participant: ME }, type: 14, editedMessage: { conversation: 'hijacked' } } })
seed('revoke', 0, { protocolMessage: { key: { remoteJid: ME, fromMe: true, id: '3EB0TEXT' }, type: 0 } })
seed('revoke-admin', 5, { protocolMessage: { key: { remoteJid: GROUP, fromMe: false, id: '3EB0POLLME', participant: ME }, type: 0 } })
seed('vote-member', 1, vote('3EB0POLLME', ME, MEMBER, ['pizza', 'salad'], { remoteJid: GROUP, fromMe: false, id: '3EB0POLLME', participant: ME }))
seed('vote-peer', 0, vote('3EB0POLLPEER', PEER, PEER, ['sushi'], { remoteJid: ME, fromMe: true, id: '3EB0POLLPEER' }))
seed('vote-mine', 2, vote('3EB0POLLPEER', PEER, ME, ['pizza'], { remoteJid: PEER, fromMe: false, id: '3EB0POLLPEER' }))
seed('vote-unknown-option', 1, vote('3EB0POLLME', ME, MEMBER, ['tacos'], { remoteJid: GROUP, fromMe: false, id: '3EB0POLLME', participant: ME }))
seed('vote-wrong-voter', 1, vote('3EB0POLLME', ME, PEER, ['pizza'], { remoteJid: GROUP, fromMe: false, id: '3EB0POLLME', participant: ME }))
seed('ephemeral', 0, { ephemeralMessage: { message: { protocolMessage: { type: 3, ephemeralExpiration: 604800 } } } })
seed('location', 0, { locationMessage: { degreesLatitude: 52.52, degreesLongitude: 13.405, name: 'Alexanderplatz', contextInfo: { expiration: 86400 } } })
seed('contacts', 1, { contactsArrayMessage: { displayName: '2 contacts', contacts: [{ displayName: 'Ann', vcard: 'BEGIN:VCARD\nFN:Ann\nEND:VCARD' }, { displayName: 'Bo', vcard: 'BEGIN:VCARD\nFN:Bo\nEND:VCARD' }] } })
seed('poll', 3, { messageContextInfo: { messageSecret: secret }, pollCreationMessageV3: { name: 'tea?', options: [{ optionName: 'tea' }, { optionName: 'tea' }], selectableOptionsCount: 1 } })
seed('view-once', 0, { viewOnceMessage: { message: { extendedTextMessage: { text: 'once', contextInfo: { isForwarded: true, forwardingScore: 3 } } } } })
