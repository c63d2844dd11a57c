// Helpers for the message-kind interop tests (client_kinds*.test.mjs): payloads in one canonical
// JSON form for comparing Baileys' events with wabot's, and poll votes as WhatsApp seals them
// (Baileys rc14 opens votes, decryptPollVote, but has no function that makes one: the inverse is
// written here from its decryptPollVote, HKDF by HMAC and AES-256-GCM).
import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto'
import { proto } from '@whiskeysockets/baileys'

// A value in the form wabot's JSON uses (protobufjs toObject with longs and bytes as strings):
// Longs and bigints as decimal strings, bytes as base64, protobuf instances as plain objects,
// undefined and empty arrays dropped; keys that only Baileys' own bookkeeping adds are left out (the LID/PN
// alternates of a key, which our simulator's PN addressing makes Baileys fill with the LID).
const BAILEYS_ONLY = new Set(['remoteJidAlt', 'participantAlt', 'addressingMode', 'server_id'])
export function canon (v) {
  if (v === null || v === undefined) return v ?? null
  if (typeof v === 'bigint') return v.toString()
  if (typeof v === 'object' && typeof v.low === 'number' && typeof v.high === 'number' && 'unsigned' in v) {
    const bits = (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0)
    return (v.unsigned ? BigInt.asUintN(64, bits) : BigInt.asIntN(64, bits)).toString()
  }
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64')
  if (Array.isArray(v)) return v.map(canon)
  if (typeof v === 'object') {
    const out = {}
    for (const k of Object.keys(v).sort()) {
      /* absent, or an empty repeated field (toObject with defaults: false leaves both out) */
      if (BAILEYS_ONLY.has(k) || v[k] === undefined || (Array.isArray(v[k]) && !v[k].length)) continue
      out[k] = canon(v[k])
    }
    return out
  }
  if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) > 2 ** 31) return String(v)
  return v
}

export { proto }

// Baileys' getContentType: the field holding a Message's content.
export function contentType (m) {
  return Object.keys(m ?? {}).find((k) => (k === 'conversation' || k.includes('Message')) && k !== 'senderKeyDistributionMessage')
}

// A vote for options of poll (id, made by creator) from voter, sealed with the poll's secret as
// decryptPollVote opens it.
export function sealVote ({ secret, pollId, creator, voter, options }) {
  const selectedOptions = options.map((o) => createHash('sha256').update(Buffer.from(o)).digest())
  const pt = proto.Message.PollVoteMessage.encode({ selectedOptions }).finish()
  const info = Buffer.concat([Buffer.from(pollId), Buffer.from(creator), Buffer.from(voter), Buffer.from('Poll Vote'), Buffer.from([1])])
  const key = createHmac('sha256', createHmac('sha256', Buffer.alloc(32)).update(secret).digest()).update(info).digest()
  const iv = randomBytes(12)
  const c = createCipheriv('aes-256-gcm', key, iv)
  c.setAAD(Buffer.from(`${pollId}\u0000${voter}`))
  const encPayload = Buffer.concat([c.update(pt), c.final(), c.getAuthTag()])
  return { encPayload, encIv: iv }
}

// A Baileys client votes in poll (its message as received: key and secret) for options.
export async function baileysVote (client, poll, options, { creator }) {
  const secret = poll.message.messageContextInfo.messageSecret
  const vote = sealVote({ secret, pollId: poll.key.id, creator, voter: client.userJid, options })
  const key = { remoteJid: poll.key.remoteJid, fromMe: !!poll.key.fromMe, id: poll.key.id }
  if (!poll.key.fromMe && poll.key.participant) key.participant = poll.key.participant
  const id = await client.sock.relayMessage(poll.key.remoteJid, {
    pollUpdateMessage: { pollCreationMessageKey: key, vote, senderTimestampMs: Date.now() }
  }, {})
  return { id, vote }
}

// Tally entries sorted for comparison: [{ name, voters: sorted }].
export function tallyForm (t) {
  return t.map((o) => ({ name: o.name, voters: [...o.voters].sort() }))
}
