// host/wa computations that Baileys has its own of, compared on the same inputs:
//   reporting tokens (wa/reporting.c against Baileys' getMessageReportingToken): random Messages
//   of every kind Baileys' WAProto has (so fields we lack are in the bytes too), plus the messages
//   wabot sends (texts, replies with mentions). Both are given the plain encoded Message: Baileys
//   itself hands its function the Message with its random padding (encodeWAMessage), on which
//   its reader fails 3 times in 4 (no token) and sometimes reads the padding as fields; wabot
//   computes over the unpadded Message, which is what the selection of fields is about.
// WA_SEED=<n> replays a run.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { Helper, b64 } from './lib/helper.mjs'
import { baileysClass, baileysProto, loadWAProto, makeRng, randomObject } from './lib/protoschema.mjs'
import { getMessageReportingToken } from '@whiskeysockets/baileys/lib/Utils/reporting-utils.js'

const seed = Number(process.env.WA_SEED ?? (Date.now() & 0xffffff))
let proto, h

before(async () => {
  proto = await baileysProto()
  h = new Helper()
})
after(() => h.close())

async function compare (Message, obj, id, chat) {
  const secret = randomBytes(32)
  const msg = Message.fromObject({ ...obj, messageContextInfo: { ...(obj.messageContextInfo ?? {}), messageSecret: secret } })
  const bytes = Buffer.from(Message.encode(msg).finish())
  const theirs = await getMessageReportingToken(bytes, msg, { id, fromMe: true, remoteJid: chat })
  const ours = await h.call('wa_reporting_token', { msg: bytes, secret, id, chat }).catch((e) => { throw new Error(`${e.message}: ${id} ${bytes.toString('hex')} ${JSON.stringify(obj).slice(0, 300)}`) })
  const want = theirs ? Buffer.from(theirs.content[0].content).toString('base64') : undefined
  assert.equal(ours.token, want, `${id} ${chat} ${JSON.stringify(obj).slice(0, 300)} (WA_SEED=${seed})`)
  return !!theirs
}

test('reporting tokens: wabot computes what Baileys computes', async (t) => {
  const Message = baileysClass(proto, 'wa.Message')
  const fixed = [
    { conversation: 'hello' },
    { extendedTextMessage: { text: 'a reply @15550001111', contextInfo: { stanzaId: '3EB0ABCD', participant: '15550002222@s.whatsapp.net', quotedMessage: { conversation: 'q' }, mentionedJid: ['15550001111@s.whatsapp.net'] } } },
    { imageMessage: { caption: 'c', mimetype: 'image/jpeg', fileLength: 1234, width: 10, height: 20 } },
    { locationMessage: { degreesLatitude: 1.5, degreesLongitude: -2.25, name: 'here' } },
    { reactionMessage: { text: 'x' } } // none of the selected fields: no token
  ]
  let tokens = 0
  for (const [i, obj] of fixed.entries()) tokens += await compare(Message, obj, `3EB0FIXED${i}`, i % 2 ? '120363000000000001@g.us' : '15550001111@s.whatsapp.net')
  assert.equal(tokens, 4)
  const theirs = loadWAProto()
  const type = theirs.lookupType('proto.Message')
  const rng = makeRng(seed)
  let n = 0
  for (; n < 300; n++) {
    const obj = Message.toObject(Message.fromObject(randomObject(type, rng, { p: 0.15, maxDepth: 4 })), { longs: String, bytes: Buffer })
    tokens += await compare(Message, obj, `3EB0${n.toString(16).padStart(8, '0')}`, '15550003333@s.whatsapp.net')
  }
  t.diagnostic(`${fixed.length + n} messages, ${tokens} with a token, seed ${seed}`)
})
