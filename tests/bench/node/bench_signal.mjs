// The Node side of bench_signal.c (each measured three times, the best kept, as on the C side): libsignal-node 6.0.0 (Baileys' 1:1 Signal) and Baileys' group
// cipher on the same work, a 100-byte plaintext per message, records kept in memory and
// serialized on every store as Baileys' signalStorage does (SessionRecord.serialize / JSON of the
// SenderKeyRecord).
//   signal-encrypt  SessionCipher.encrypt on an established session
//   signal-decrypt  SessionCipher.decryptWhisperMessage of successive messages on one chain
//                   (generated in untimed batches)
//   signal-ratchet  one message each way in turn, each decrypt stepping the DH ratchet
//   group-encrypt   GroupCipher.encrypt
//   group-decrypt   GroupCipher.decrypt of successive messages; they are built with Baileys' own
//                   SenderChainKey / SenderKeyMessage in order, as wabot's sender sends them
//                   (Baileys' encrypt skips every other iteration, which would make its receiver
//                   store a skipped key per message: not the work the C side does)
import { performance } from 'node:perf_hooks'
import { createRequire } from 'node:module'
import { measure } from './measure.mjs'

const interop = new URL('../../interop/', import.meta.url)
const require = createRequire(new URL('package.json', interop))
const { keyhelper, SessionBuilder, SessionCipher, SessionRecord, ProtocolAddress, crypto } = require('libsignal')
const group = (f) => import(new URL(`node_modules/@whiskeysockets/baileys/lib/Signal/Group/${f}`, interop).href)
const { GroupCipher, GroupSessionBuilder, SenderKeyDistributionMessage, SenderKeyName, SenderKeyRecord, SenderChainKey, SenderKeyMessage } = await group('index.js')

console.info = console.warn = () => {}
const PT = Buffer.from(Array.from({ length: 100 }, (_, i) => (i * 7 + 3) & 255))
const GROUP = '120363000000000000@g.us'

class Store {
  constructor () {
    this.identity = keyhelper.generateIdentityKeyPair()
    this.registrationId = keyhelper.generateRegistrationId()
    this.sessions = new Map(); this.preKeys = new Map(); this.signed = keyhelper.generateSignedPreKey(this.identity, 1)
  }

  getOurIdentity () { return this.identity }
  getOurRegistrationId () { return this.registrationId }
  isTrustedIdentity () { return true }
  loadPreKey (id) { return this.preKeys.get(id) }
  removePreKey (id) { this.preKeys.delete(id) }
  loadSignedPreKey () { return this.signed.keyPair }
  loadSession (a) { const s = this.sessions.get(a); return s ? SessionRecord.deserialize(s) : undefined }
  storeSession (a, r) { this.sessions.set(a, r.serialize()) }
}

// Two parties with a session both ways (a built it from b's bundle, b has answered).
async function pair () {
  const a = new Store(); const b = new Store()
  const A = new ProtocolAddress('15550001111', 1); const B = new ProtocolAddress('15550002222', 1)
  const pk = keyhelper.generatePreKey(1)
  b.preKeys.set(1, pk.keyPair)
  await new SessionBuilder(a, B).initOutgoing({
    registrationId: b.registrationId,
    identityKey: b.identity.pubKey,
    signedPreKey: { keyId: 1, publicKey: b.signed.keyPair.pubKey, signature: b.signed.signature },
    preKey: { keyId: 1, publicKey: pk.keyPair.pubKey }
  })
  const ab = new SessionCipher(a, B); const ba = new SessionCipher(b, A)
  const first = await ab.encrypt(PT)
  await ba.decryptPreKeyWhisperMessage(Buffer.from(first.body))
  const reply = await ba.encrypt(PT)
  await ab.decryptWhisperMessage(Buffer.from(reply.body))
  return { ab, ba }
}

// Times op only, over batches prepared by prepare() untimed, for at least minSeconds.
async function measureBatches (prepare, op, minSeconds = 1) {
  let timed = 0; let done = 0
  while (timed < minSeconds * 1000) {
    const batch = await prepare()
    const t0 = performance.now()
    for (const item of batch) await op(item)
    timed += performance.now() - t0
    done += batch.length
  }
  return done / (timed / 1000)
}

// For operations of tens of milliseconds: a short warm-up, then at least minSeconds.
async function measureSlow (op, minSeconds = 1) {
  for (let i = 0; i < 3; i++) await op()
  let done = 0
  const t0 = performance.now()
  while (performance.now() - t0 < minSeconds * 1000) { await op(); done++ }
  return done / ((performance.now() - t0) / 1000)
}

function senderKeyStore () {
  const records = new Map()
  return {
    async loadSenderKey (n) { const s = records.get(n.toString()); return s ? SenderKeyRecord.deserialize(s) : new SenderKeyRecord() },
    async storeSenderKey (n, r) { records.set(n.toString(), Buffer.from(JSON.stringify(r.serialize()), 'utf-8')) }
  }
}

const senderName = () => new SenderKeyName(GROUP, new ProtocolAddress('15550001111', 1))

const bestOf3 = (fn) => async () => Math.max(await fn(), await fn(), await fn())

export default Object.fromEntries(Object.entries({
  'signal-encrypt': async () => {
    const { ab } = await pair()
    return measure(() => ab.encrypt(PT))
  },
  'signal-decrypt': async () => {
    const { ab, ba } = await pair()
    return measureBatches(async () => {
      const batch = []
      for (let i = 0; i < 2000; i++) batch.push(Buffer.from((await ab.encrypt(PT)).body))
      return batch
    }, (m) => ba.decryptWhisperMessage(m))
  },
  'signal-ratchet': async () => {
    const { ab, ba } = await pair()
    let turn = 0
    return measure(async () => {
      turn ^= 1
      const [from, to] = turn ? [ab, ba] : [ba, ab]
      const m = await from.encrypt(PT)
      await to.decryptWhisperMessage(Buffer.from(m.body))
    })
  },
  'group-encrypt': async () => {
    const store = senderKeyStore()
    await new GroupSessionBuilder(store).create(senderName())
    const cipher = new GroupCipher(store, senderName())
    return measureSlow(() => cipher.encrypt(PT))
  },
  'group-decrypt': async () => {
    // the sender: Baileys' chain key and message classes, iterations in order
    const keyId = 12345
    const signing = keyhelper.generateIdentityKeyPair()
    let chain = new SenderChainKey(0, crypto.calculateMAC(Buffer.alloc(32, 7), Buffer.from('seed')))
    const skdm = new SenderKeyDistributionMessage(keyId, 0, chain.getSeed(), signing.pubKey)
    const store = senderKeyStore()
    await new GroupSessionBuilder(store).process(senderName(), new SenderKeyDistributionMessage(null, null, null, null, skdm.serialize()))
    const cipher = new GroupCipher(store, senderName())
    return measureBatches(() => {
      const batch = []
      for (let i = 0; i < 25; i++) {
        const mk = chain.getSenderMessageKey()
        const ct = crypto.encrypt(mk.getCipherKey(), PT, mk.getIv())
        batch.push(new SenderKeyMessage(keyId, mk.getIteration(), ct, signing.privKey).serialize())
        chain = chain.getNext()
      }
      return batch
    }, (m) => cipher.decrypt(m))
  }
}).map(([name, fn]) => [name, bestOf3(fn)]))
