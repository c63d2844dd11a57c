// The Node side of bench_signal.c: the same five workloads, each message carrying the same
// 100-byte plaintext in the same sequence as the C side, measured in operations per second of
// wall-clock time, each measured three times with the best kept. Not process CPU time: V8's GC
// and compiler helper threads spin on an idle core and would be counted against Baileys (a
// curve25519-js verify: 25 ms of wall time, 45 ms of process CPU time on this machine).
//
// Two baselines, each with its own bench names:
//
// 1. signal-encrypt, signal-decrypt, signal-ratchet, group-encrypt, group-decrypt: what a Baileys
//    7.0.0-rc14 client runs for every message. The repository Baileys' socket builds
//    (makeLibSignalRepository over addTransactionCapability(auth.keys), as lib/Socket/socket.js
//    does), over an in-memory SignalKeyStore: a plain object whose get/set hand values back as
//    they were stored (no file store, no serialization to disk, no makeCacheableSignalKeyStore,
//    which would only put a second cache in front of memory). Per operation that is:
//      signal-encrypt   repository.encryptMessage({jid, data}): a key-store transaction (per-jid
//                       mutex, AsyncLocalStorage context), the session loaded from the store and
//                       deserialized (SessionRecord.deserialize), libsignal-node's
//                       SessionCipher.encrypt, the record serialized and set, the transaction's
//                       mutations committed to the store.
//      signal-decrypt   repository.decryptMessage({jid, type: 'msg', ciphertext}) of successive
//                       messages on one chain (made in untimed batches by the peer's repository):
//                       the same transaction around SessionCipher.decryptWhisperMessage.
//      signal-ratchet   one message each way in turn through both parties' repositories, every
//                       decrypt stepping the DH ratchet: a fixed conversation of 2,000 messages
//                       from a fresh session, timed whole, as on the C side. libsignal-node's
//                       cost per message grows with the conversation (its record keeps every
//                       old receiving chain), so a fixed conversation, not a fixed time, is the
//                       same work on both sides.
//      signal-ratchet-long  the same over 8,000 messages (4,000 round trips; about 40 s here).
//      group-encrypt    repository.encryptGroupMessage({group, meId, data}): in one transaction,
//                       the sender-key record read, GroupSessionBuilder.create (Baileys builds the
//                       distribution message for every message it sends) and GroupCipher.encrypt,
//                       the record stored as JSON (Baileys' signalStorage.storeSenderKey). Each of
//                       the three runs starts from a fresh sender key: Baileys' own encrypt leaves
//                       a skipped key in the sender's record at every message (it asks for
//                       iteration + 1), so its cost grows with the number of messages sent, up to
//                       2,000 keys; a fresh key is the cheapest case for Baileys.
//      group-decrypt    repository.decryptGroupMessage({group, authorJid, msg}) of successive
//                       messages, after processSenderKeyDistributionMessage. The messages are
//                       built in order with Baileys' own SenderChainKey / SenderKeyMessage classes,
//                       as wabot's sender sends them (iterations 0, 1, 2, ...), so the receiver
//                       stores no skipped keys: the same work as the C side.
//    Addresses are LID device JIDs ("15550001111:1@lid", Signal address "15550001111_1.1"), which
//    the repository uses as they are; a phone-number JID would add a LID-mapping lookup per call.
//    The logger is pino at level 'silent' (trace calls cost what they cost at Baileys' default
//    'info'); libsignal-node's console.info/warn notes are muted so no terminal I/O is timed.
//
// 2. the same names with -libsignal (signal-encrypt-libsignal, ...): bare libsignal-node 6.0.0
//    SessionCipher / Baileys' GroupCipher over a minimal Map store that serializes records on
//    every store (SessionRecord.serialize, JSON of the SenderKeyRecord) as Baileys' signalStorage
//    does, without the repository and its transactions: the cheapest way to drive the same
//    library code, kept so the ratio against the library itself is on record too.
//
// The C side (bench_signal.c) does per message: one store transaction (BEGIN IMMEDIATE, the
// record read or found in the write-through cache, the crypto, the record written back with an
// UPDATE, COMMIT) on SQLite in memory; see its header.
import { createRequire } from 'node:module'

const interop = new URL('../../interop/', import.meta.url)
const require = createRequire(new URL('package.json', interop))
const { keyhelper, SessionBuilder, SessionCipher, SessionRecord, ProtocolAddress, crypto } = require('libsignal')
const pino = require('pino')
const baileys = (f) => import(new URL(`node_modules/@whiskeysockets/baileys/lib/${f}`, interop).href)
const { GroupCipher, GroupSessionBuilder, SenderKeyDistributionMessage, SenderKeyName, SenderKeyRecord, SenderChainKey, SenderKeyMessage } = await baileys('Signal/Group/index.js')
const { makeLibSignalRepository } = await baileys('Signal/libsignal.js')
const { addTransactionCapability, initAuthCreds } = await baileys('Utils/auth-utils.js')
const { Curve, generateSignalPubKey } = await baileys('Utils/crypto.js')
const { DEFAULT_CONNECTION_CONFIG } = await baileys('Defaults/index.js')

console.info = console.warn = () => {}
const PT = Buffer.from(Array.from({ length: 100 }, (_, i) => (i * 7 + 3) & 255))
const GROUP = '120363000000000000@g.us'
const logger = pino({ level: 'silent' })

// ---- measuring, in wall-clock time ----------------------------------------------------------

const seconds = () => performance.now() / 1000

// Calls op() for at least minSeconds (after a warm-up of `warm` calls); calls/s.
async function measureFor (op, minSeconds = 1, warm = 100) {
  for (let i = 0; i < warm; i++) await op()
  let done = 0
  const t0 = seconds()
  while (seconds() - t0 < minSeconds) {
    for (let i = 0; i < 16; i++) await op()
    done += 16
  }
  return done / (seconds() - t0)
}

// Times op only, over batches prepared by prepare() untimed, for at least minSeconds.
async function measureBatches (prepare, op, minSeconds = 1) {
  let timed = 0; let done = 0
  while (timed < minSeconds) {
    const batch = await prepare()
    const t0 = seconds()
    for (const item of batch) await op(item)
    timed += seconds() - t0
    done += batch.length
  }
  return done / timed
}

// For operations of milliseconds: a short warm-up, then at least minSeconds.
const measureSlow = (op, minSeconds = 1) => measureFor(op, minSeconds, 3)

// op(i) for i = 0 .. n-1, timed whole; calls/s.
async function conversation (n, op) {
  const t0 = seconds()
  for (let i = 0; i < n; i++) await op(i)
  return n / (seconds() - t0)
}

// The ratchet conversations' lengths, the same as bench_signal.c's.
const RATCHET_MESSAGES = 2000
const RATCHET_LONG_MESSAGES = 8000

const bestOf3 = (fn) => async () => Math.max(await fn(), await fn(), await fn())

// ---- Baileys' repository ---------------------------------------------------------------------

// An in-memory SignalKeyStore: get returns the stored values of the ids present, set stores
// values and deletes nulls, as Baileys' key stores do, with nothing else in between.
function memoryKeyStore () {
  const data = {}
  return {
    async get (type, ids) {
      const table = data[type] || {}
      const out = {}
      for (const id of ids) if (table[id] !== undefined) out[id] = table[id]
      return out
    },
    async set (changes) {
      for (const type in changes) {
        const table = data[type] || (data[type] = {})
        for (const id in changes[type]) {
          const value = changes[type][id]
          if (value) table[id] = value
          else delete table[id]
        }
      }
    }
  }
}

// One Baileys client's Signal side, built as makeSocket builds it.
function baileysClient (user) {
  const creds = initAuthCreds()
  const keys = addTransactionCapability(memoryKeyStore(), logger, DEFAULT_CONNECTION_CONFIG.transactionOpts)
  const repo = makeLibSignalRepository({ creds, keys }, logger, async () => null)
  return { creds, keys, repo, jid: `${user}:1@lid` }
}

// a has a session with b from b's bundle, and b has answered (so a sends msgs, not pkmsgs).
async function baileysPair () {
  const a = baileysClient('15550001111'); const b = baileysClient('15550002222')
  const pk = Curve.generateKeyPair()
  await b.keys.set({ 'pre-key': { 1: pk } })
  await a.repo.injectE2ESession({
    jid: b.jid,
    session: {
      registrationId: b.creds.registrationId,
      identityKey: generateSignalPubKey(b.creds.signedIdentityKey.public),
      signedPreKey: {
        keyId: b.creds.signedPreKey.keyId,
        publicKey: generateSignalPubKey(b.creds.signedPreKey.keyPair.public),
        signature: b.creds.signedPreKey.signature
      },
      preKey: { keyId: 1, publicKey: generateSignalPubKey(pk.public) }
    }
  })
  await send(a, b)
  await send(b, a)
  return { a, b }
}

// from encrypts PT for to, and to decrypts it; checks the round trip.
async function send (from, to) {
  const { type, ciphertext } = await from.repo.encryptMessage({ jid: to.jid, data: PT })
  const pt = await to.repo.decryptMessage({ jid: from.jid, type, ciphertext })
  if (!PT.equals(pt)) throw new Error('round trip changed the plaintext')
}

// ---- bare libsignal-node / GroupCipher --------------------------------------------------------

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
async function barePair () {
  const a = new Store(); const b = new Store()
  const A = new ProtocolAddress('15550001111_1', 1); const B = new ProtocolAddress('15550002222_1', 1)
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

function senderKeyStore () {
  const records = new Map()
  return {
    async loadSenderKey (n) { const s = records.get(n.toString()); return s ? SenderKeyRecord.deserialize(s) : new SenderKeyRecord() },
    async storeSenderKey (n, r) { records.set(n.toString(), Buffer.from(JSON.stringify(r.serialize()), 'utf-8')) }
  }
}

const senderName = () => new SenderKeyName(GROUP, new ProtocolAddress('15550001111_1', 1))

// ---- the group sender for the decrypt benches -------------------------------------------------

// A sender key made with Baileys' classes, sending iterations 0, 1, 2, ... in order.
function orderedSender () {
  const keyId = 12345
  const signing = keyhelper.generateIdentityKeyPair()
  let chain = new SenderChainKey(0, crypto.calculateMAC(Buffer.alloc(32, 7), Buffer.from('seed')))
  const skdm = new SenderKeyDistributionMessage(keyId, 0, chain.getSeed(), signing.pubKey).serialize()
  return {
    skdm,
    batch (n) {
      const out = []
      for (let i = 0; i < n; i++) {
        const mk = chain.getSenderMessageKey()
        const ct = crypto.encrypt(mk.getCipherKey(), PT, mk.getIv())
        out.push(new SenderKeyMessage(keyId, mk.getIteration(), ct, signing.privKey).serialize())
        chain = chain.getNext()
      }
      return out
    }
  }
}

const checked = (pt) => { if (!PT.equals(Buffer.from(pt))) throw new Error('wrong plaintext') }

// One message through bare SessionCiphers: from encrypts, to decrypts and checks.
async function bareSend (from, to) {
  const m = await from.encrypt(PT)
  checked(await to.decryptWhisperMessage(Buffer.from(m.body)))
}

export default Object.fromEntries(Object.entries({
  // Baileys' repository path
  'signal-encrypt': async () => {
    const { a, b } = await baileysPair()
    return measureFor(() => a.repo.encryptMessage({ jid: b.jid, data: PT }))
  },
  'signal-decrypt': async () => {
    const { a, b } = await baileysPair()
    return measureBatches(async () => {
      const batch = []
      for (let i = 0; i < 2000; i++) batch.push((await a.repo.encryptMessage({ jid: b.jid, data: PT })).ciphertext)
      return batch
    }, async (ciphertext) => checked(await b.repo.decryptMessage({ jid: a.jid, type: 'msg', ciphertext })))
  },
  'signal-ratchet': async () => {
    const { a, b } = await baileysPair()
    return conversation(RATCHET_MESSAGES, (i) => i % 2 ? send(b, a) : send(a, b))
  },
  'signal-ratchet-long': async () => {
    const { a, b } = await baileysPair()
    return conversation(RATCHET_LONG_MESSAGES, (i) => i % 2 ? send(b, a) : send(a, b))
  },
  'group-encrypt': async () => {
    const a = baileysClient('15550001111')
    return measureSlow(() => a.repo.encryptGroupMessage({ group: GROUP, meId: a.jid, data: PT }))
  },
  'group-decrypt': async () => {
    const b = baileysClient('15550002222')
    const sender = orderedSender()
    const authorJid = '15550001111:1@lid'
    await b.repo.processSenderKeyDistributionMessage({ item: { groupId: GROUP, axolotlSenderKeyDistributionMessage: sender.skdm }, authorJid })
    return measureBatches(() => sender.batch(25),
      async (msg) => checked(await b.repo.decryptGroupMessage({ group: GROUP, authorJid, msg })))
  },

  // bare libsignal-node / GroupCipher
  'signal-encrypt-libsignal': async () => {
    const { ab } = await barePair()
    return measureFor(() => ab.encrypt(PT))
  },
  'signal-decrypt-libsignal': async () => {
    const { ab, ba } = await barePair()
    return measureBatches(async () => {
      const batch = []
      for (let i = 0; i < 2000; i++) batch.push(Buffer.from((await ab.encrypt(PT)).body))
      return batch
    }, async (m) => checked(await ba.decryptWhisperMessage(m)))
  },
  'signal-ratchet-libsignal': async () => {
    const { ab, ba } = await barePair()
    return conversation(RATCHET_MESSAGES, (i) => bareSend(i % 2 ? ba : ab, i % 2 ? ab : ba))
  },
  'signal-ratchet-long-libsignal': async () => {
    const { ab, ba } = await barePair()
    return conversation(RATCHET_LONG_MESSAGES, (i) => bareSend(i % 2 ? ba : ab, i % 2 ? ab : ba))
  },
  'group-encrypt-libsignal': async () => {
    const store = senderKeyStore()
    await new GroupSessionBuilder(store).create(senderName())
    const cipher = new GroupCipher(store, senderName())
    return measureSlow(() => cipher.encrypt(PT))
  },
  'group-decrypt-libsignal': async () => {
    const store = senderKeyStore()
    const sender = orderedSender()
    await new GroupSessionBuilder(store).process(senderName(), new SenderKeyDistributionMessage(null, null, null, null, sender.skdm))
    const cipher = new GroupCipher(store, senderName())
    return measureBatches(() => sender.batch(25), async (m) => checked(await cipher.decrypt(m)))
  }
}).map(([name, fn]) => [name, name.includes('-long') ? fn : bestOf3(fn)]))

