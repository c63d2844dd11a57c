// Writes the seed corpus of fuzz_proto (tests/fuzz/corpus/fuzz_proto/): for each type in
// fuzz_proto.c's table (same order), real encodings made by Baileys' WAProto classes - the
// ClientPayloads Baileys builds at registration and login, and deterministic random instances of
// our schema. Each file is the type index byte followed by the message.
// Run: node tests/fuzz/make_proto_corpus.mjs (after scripts/setup).
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { baileysClass, baileysDir, baileysProto, loadOurs, makeRng, randomObject } from '../interop/lib/protoschema.mjs'
import { repoRoot } from '../interop/lib/paths.mjs'

const TYPES = ['Message', 'WebMessageInfo', 'HistorySync', 'ClientPayload', 'DeviceProps',
  'ADVSignedDeviceIdentityHMAC', 'ADVSignedDeviceIdentity', 'ADVDeviceIdentity', 'ADVSignedKeyIndexList',
  'ADVKeyIndexList', 'HandshakeMessage', 'CertChain', 'CertChain.NoiseCertificate.Details', 'SyncActionData',
  'SyncdPatch', 'SyncdSnapshot', 'SyncdMutations', 'ExternalBlobReference', 'ClientPairingProps',
  'LIDMigrationMappingSyncPayload', 'MediaRetryNotification', 'ServerErrorReceipt', 'VerifiedNameCertificate',
  'VerifiedNameCertificate.Details', 'Message.PollVoteMessage', 'EncryptedPairingRequest', 'PairingRequest',
  'CompanionEphemeralIdentity', 'ProloguePayload']

const out = join(repoRoot, 'tests', 'fuzz', 'corpus', 'fuzz_proto')
mkdirSync(out, { recursive: true })
const proto = await baileysProto()
const ours = loadOurs()
const write = (index, tag, bytes) =>
  writeFileSync(join(out, `${String(index).padStart(2, '0')}-${TYPES[index]}-${tag}`), Buffer.concat([Buffer.from([index]), bytes]))

const rng = makeRng(20240601)
TYPES.forEach((name, index) => {
  const B = baileysClass(proto, `wa.${name}`)
  const type = ours.lookupType(`wa.${name}`)
  for (let i = 0; i < 3; i++) {
    const obj = randomObject(type, rng, { p: 0.5, maxDepth: 5, decay: 0.6 })
    write(index, `random${i}`, B.encode(B.fromObject(obj)).finish())
  }
})

const { generateLoginNode, generateRegistrationNode } = await import(`file://${baileysDir}/lib/Utils/validate-connection.js`)
const { DEFAULT_CONNECTION_CONFIG } = await import(`file://${baileysDir}/lib/Defaults/index.js`)
const creds = {
  registrationId: 0x1d2c,
  signedIdentityKey: { public: Buffer.alloc(32, 0x11) },
  signedPreKey: { keyId: 1, keyPair: { public: Buffer.alloc(32, 0x22) }, signature: Buffer.alloc(64, 0x33) }
}
const cp = TYPES.indexOf('ClientPayload')
write(cp, 'baileys-registration', proto.ClientPayload.encode(generateRegistrationNode(creds, DEFAULT_CONNECTION_CONFIG)).finish())
write(cp, 'baileys-login', proto.ClientPayload.encode(generateLoginNode('4915123456789:3@s.whatsapp.net', DEFAULT_CONNECTION_CONFIG)).finish())
const details = proto.ADVDeviceIdentity.encode({ rawId: 99, timestamp: 1711713012, keyIndex: 0 }).finish()
write(TYPES.indexOf('ADVDeviceIdentity'), 'pairing', details)
const signed = proto.ADVSignedDeviceIdentity.encode({ details, accountSignatureKey: Buffer.alloc(32, 1), accountSignature: Buffer.alloc(64, 2) }).finish()
write(TYPES.indexOf('ADVSignedDeviceIdentity'), 'pairing', signed)
write(TYPES.indexOf('ADVSignedDeviceIdentityHMAC'), 'pairing', proto.ADVSignedDeviceIdentityHMAC.encode({ details: signed, hmac: Buffer.alloc(32, 3) }).finish())
write(0, 'reply', proto.Message.encode({
  extendedTextMessage: { text: 'pong', contextInfo: { stanzaId: '3EB0C0FFEE', participant: '4915123456789@s.whatsapp.net', quotedMessage: { conversation: 'ping' }, expiration: 0 } },
  messageContextInfo: { deviceListMetadata: { senderKeyHash: Buffer.alloc(10, 4), senderTimestamp: 1711713012 }, deviceListMetadataVersion: 2 }
}).finish())
console.log(`wrote seeds for ${TYPES.length} types to ${out}`)
