// The two sides of the Signal interop tests: a libsignal-node 6.0.0 party (Baileys' 1:1
// implementation) with an in-memory store that serializes records the way Baileys' store does,
// and a wabot party (host/signal through the helper's sig_* ops, over a SQLite file).
import { createRequire } from 'node:module'
import { b64 } from './helper.mjs'

const require = createRequire(import.meta.url)
const libsignal = require('libsignal')
const { keyhelper, SessionBuilder, SessionCipher, SessionRecord, ProtocolAddress } = libsignal

// libsignal-node narrates session changes on the console; the tests check them instead.
console.info = () => {}
console.warn = () => {}

export const djb = (pub) => Buffer.concat([Buffer.from([5]), pub]) // 33-byte libsignal key
export const bare = (pub) => Buffer.from(pub).subarray(1)

// A deterministic PRNG (mulberry32), so a failing schedule can be replayed from its seed.
export function prng (seed) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return { next, int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), chance: (p) => next() < p }
}

// The storage interface libsignal-node's SessionBuilder/SessionCipher expect. Records are kept
// serialized (as Baileys keeps them), so a decrypt that throws leaves nothing behind.
class MemoryStore {
  constructor () {
    this.identity = keyhelper.generateIdentityKeyPair()
    this.registrationId = keyhelper.generateRegistrationId()
    this.sessions = new Map()
    this.preKeys = new Map()
    this.signedPreKeys = new Map()
  }

  getOurIdentity () { return this.identity }
  getOurRegistrationId () { return this.registrationId }
  isTrustedIdentity () { return true } // Baileys' policy
  loadPreKey (id) { return this.preKeys.get(id) }
  removePreKey (id) { this.preKeys.delete(id) }
  loadSignedPreKey (id) { return this.signedPreKeys.get(id) }
  loadSession (addr) {
    const s = this.sessions.get(addr)
    return s ? SessionRecord.deserialize(JSON.parse(s)) : undefined
  }

  storeSession (addr, record) { this.sessions.set(addr, JSON.stringify(record.serialize())) }
}

export class NodeParty {
  // addr: how the other side names this party, "user.device"
  constructor (addr) {
    this.addr = addr
    this.store = new MemoryStore()
    this.nextPreKeyId = 1
    this.signedPreKeyId = 1
    this.signedPreKey = keyhelper.generateSignedPreKey(this.store.identity, this.signedPreKeyId)
    this.store.signedPreKeys.set(this.signedPreKeyId, this.signedPreKey.keyPair)
  }

  static address (addr) {
    const [id, device] = addr.split('.')
    return new ProtocolAddress(id, Number(device))
  }

  // A bundle in the helper's form (bare keys), with a fresh one-time prekey if asked.
  bundle (withPreKey = true) {
    const b = {
      registrationId: this.store.registrationId,
      identity: bare(this.store.identity.pubKey),
      signedPreKeyId: this.signedPreKeyId,
      signedPreKey: bare(this.signedPreKey.keyPair.pubKey),
      signature: this.signedPreKey.signature
    }
    if (withPreKey) {
      const pk = keyhelper.generatePreKey(this.nextPreKeyId++)
      this.store.preKeys.set(pk.keyId, pk.keyPair)
      Object.assign(b, { preKeyId: pk.keyId, preKey: bare(pk.keyPair.pubKey) })
    }
    return b
  }

  // X3DH from a wabot bundle (sig_bundle's answer).
  async processBundle (peerAddr, b) {
    const device = {
      registrationId: b.registrationId,
      identityKey: djb(b64(b.identity)),
      signedPreKey: { keyId: b.signedPreKeyId, publicKey: djb(b64(b.signedPreKey)), signature: b64(b.signature) }
    }
    if (b.preKey) device.preKey = { keyId: b.preKeyId, publicKey: djb(b64(b.preKey)) }
    await new SessionBuilder(this.store, NodeParty.address(peerAddr)).initOutgoing(device)
  }

  async encrypt (peerAddr, data) {
    const r = await new SessionCipher(this.store, NodeParty.address(peerAddr)).encrypt(Buffer.from(data))
    return { type: r.type === 3 ? 'pkmsg' : 'msg', ct: Buffer.from(r.body) }
  }

  async decrypt (peerAddr, type, ct) {
    const c = new SessionCipher(this.store, NodeParty.address(peerAddr))
    return type === 'pkmsg' ? c.decryptPreKeyWhisperMessage(Buffer.from(ct)) : c.decryptWhisperMessage(Buffer.from(ct))
  }
}

export class CParty {
  constructor (helper, name, path, addr) {
    Object.assign(this, { h: helper, name, path, addr })
  }

  async open () {
    const r = await this.h.call('sig_open', { name: this.name, path: this.path })
    this.identity = b64(r.identity)
    this.registrationId = r.registrationId
    return this
  }

  close () { return this.h.call('sig_close', { name: this.name }) }
  async reopen () { await this.close(); return this.open() }
  bundle (prekey = true) { return this.h.call('sig_bundle', { name: this.name, prekey }) }
  processBundle (peerAddr, b) { return this.h.call('sig_process_bundle', { name: this.name, addr: peerAddr, ...b }) }
  async encrypt (peerAddr, data) {
    const r = await this.h.call('sig_encrypt', { name: this.name, addr: peerAddr, data })
    return { type: r.type, ct: b64(r.ct) }
  }

  async decrypt (peerAddr, type, ct, extra = {}) {
    const r = await this.h.call('sig_decrypt', { name: this.name, addr: peerAddr, type, ct, ...extra })
    this.lastEvents = r.events
    return b64(r.data)
  }

  async digest () { return b64((await this.h.call('sig_digest', { name: this.name })).digest) }
  async recordSize (peerAddr) { return (await this.h.call('sig_record', { name: this.name, addr: peerAddr })).size }
}
