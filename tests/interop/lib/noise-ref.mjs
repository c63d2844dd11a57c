// An independent reference for the server side of WhatsApp's Noise handshake (NOTES.md §1.3),
// written directly on node:crypto (X25519 KeyObjects + diffieHellman, HKDF, AES-256-GCM) and
// Baileys' protobuf classes: the peer that wabot's initiator is tested against, and the source
// of the transcript vectors in tests/vectors/noise_transcript.txt. Also builds certificate
// chains (signed with libsignal-node / curve25519-js), correct or deliberately wrong.
import crypto from 'node:crypto'
import { createRequire } from 'node:module'
import { proto } from '@whiskeysockets/baileys'

const require = createRequire(import.meta.url)
const curveJs = require('curve25519-js')


const PUB_DER = Buffer.from('302a300506032b656e032100', 'hex')
const PRIV_DER = Buffer.from('302e020100300506032b656e04220420', 'hex')
export const PROTOCOL_NAME = Buffer.from('Noise_XX_25519_AESGCM_SHA256\0\0\0\0')
export const PROLOGUE = Buffer.from([0x57, 0x41, 6, 3])

export function x25519 (priv, pub) {
  return crypto.diffieHellman({
    privateKey: crypto.createPrivateKey({ key: Buffer.concat([PRIV_DER, priv]), format: 'der', type: 'pkcs8' }),
    publicKey: crypto.createPublicKey({ key: Buffer.concat([PUB_DER, pub]), format: 'der', type: 'spki' })
  })
}

// {priv, pub} from 32 seed bytes (random by default), clamped like every Signal key.
export function keyPair (seed = crypto.randomBytes(32)) {
  const priv = Buffer.from(seed)
  priv[0] &= 248; priv[31] &= 127; priv[31] |= 64
  const der = crypto.createPublicKey(crypto.createPrivateKey({ key: Buffer.concat([PRIV_DER, priv]), format: 'der', type: 'pkcs8' }))
    .export({ format: 'der', type: 'spki' })
  return { priv, pub: Buffer.from(der.subarray(PUB_DER.length)) }
}

export const sha256 = (...parts) => crypto.createHash('sha256').update(Buffer.concat(parts)).digest()
const hkdf64 = (ikm, salt) => Buffer.from(crypto.hkdfSync('sha256', ikm, salt, Buffer.alloc(0), 64))
const ivFor = (n) => { const iv = Buffer.alloc(12); iv.writeUInt32BE(n, 8); return iv }

export function gcmSeal (key, n, aad, pt) {
  const c = crypto.createCipheriv('aes-256-gcm', key, ivFor(n))
  c.setAAD(aad)
  return Buffer.concat([c.update(pt), c.final(), c.getAuthTag()])
}
export function gcmOpen (key, n, aad, ct) {
  if (ct.length < 16) throw new Error('ciphertext shorter than a tag')
  const d = crypto.createDecipheriv('aes-256-gcm', key, ivFor(n))
  d.setAAD(aad)
  d.setAuthTag(ct.subarray(ct.length - 16))
  return Buffer.concat([d.update(ct.subarray(0, ct.length - 16)), d.final()])
}

// One direction of the transport: its own key and counter, no AAD.
export class Direction {
  constructor (key) { this.key = key; this.n = 0 }
  seal (pt) { return gcmSeal(this.key, this.n++, Buffer.alloc(0), pt) }
  open (ct) { return gcmOpen(this.key, this.n++, Buffer.alloc(0), ct) }
}

// protobufjs ignores a field's wire-type bits, so a flipped bit in a tag byte can decode to the
// very same message. A reference must not be that lenient: accept only bytes that are the
// canonical encoding of what they decode to.
function decodeStrict (bytes) {
  const msg = proto.HandshakeMessage.decode(bytes)
  if (!Buffer.from(proto.HandshakeMessage.encode(msg).finish()).equals(Buffer.from(bytes))) {
    throw new Error('HandshakeMessage is not canonically encoded')
  }
  return msg
}

// The server side: readClientHello(bytes) -> ServerHello bytes; readClientFinish(bytes) ->
// {clientStatic, payload}; then .send / .recv Directions.
export class NoiseResponder {
  constructor ({ staticKey, certChain, ephemeral = keyPair() }) {
    Object.assign(this, { s: staticKey, e: ephemeral, certChain })
    this.h = PROTOCOL_NAME; this.ck = PROTOCOL_NAME; this.k = null; this.n = 0
    this.mixHash(PROLOGUE)
  }

  mixHash (d) { this.h = sha256(this.h, d) }
  mixKey (ikm) { const o = hkdf64(ikm, this.ck); this.ck = o.subarray(0, 32); this.k = o.subarray(32); this.n = 0 }
  enc (pt) { const c = gcmSeal(this.k, this.n++, this.h, pt); this.mixHash(c); return c }
  dec (c) { const p = gcmOpen(this.k, this.n++, this.h, c); this.mixHash(c); return p }

  readClientHello (bytes) {
    const { clientHello } = decodeStrict(bytes)
    if (!clientHello?.ephemeral || clientHello.ephemeral.length !== 32) throw new Error('bad ClientHello')
    this.ce = Buffer.from(clientHello.ephemeral)
    this.mixHash(this.ce)
    this.mixHash(this.e.pub)
    this.mixKey(x25519(this.e.priv, this.ce))
    const staticCt = this.enc(this.s.pub)
    this.mixKey(x25519(this.s.priv, this.ce))
    const payloadCt = this.enc(this.certChain)
    return Buffer.from(proto.HandshakeMessage.encode({ serverHello: { ephemeral: this.e.pub, static: staticCt, payload: payloadCt } }).finish())
  }

  readClientFinish (bytes) {
    const { clientFinish } = decodeStrict(bytes)
    if (!clientFinish?.static || !clientFinish?.payload) throw new Error('bad ClientFinish')
    const clientStatic = this.dec(Buffer.from(clientFinish.static))
    if (clientStatic.length !== 32) throw new Error('client static is not 32 bytes')
    this.mixKey(x25519(this.e.priv, clientStatic))
    const payload = this.dec(Buffer.from(clientFinish.payload))
    const o = hkdf64(Buffer.alloc(0), this.ck)
    this.recv = new Direction(o.subarray(0, 32)) // the client's send key
    this.send = new Direction(o.subarray(32))
    return { clientStatic, payload }
  }
}

// Signs like libsignal's calculateSignature; with `random` (64 bytes) deterministically.
export const xeddsaSign = (priv, msg, random) =>
  Buffer.from(random ? curveJs.sign(new Uint8Array(priv), new Uint8Array(msg), new Uint8Array(random)) : curveJs.sign(new Uint8Array(priv), new Uint8Array(msg)))

// A CertChain. opts: rootPriv, intermediate {priv, pub}, leafKey (32 bytes), notBefore/notAfter
// (seconds), and overrides to make it wrong: interIssuerSerial (undefined leaves it off the
// wire), leafIssuerSerial, interSerial, leafSigner, interSigner, random (deterministic sigs).
export function buildCertChain (o) {
  const now = Math.floor(Date.now() / 1000)
  const nb = o.notBefore ?? now - 3600
  const na = o.notAfter ?? now + 365 * 86400
  const inter = { serial: o.interSerial ?? 1, key: o.intermediate.pub, notBefore: nb, notAfter: na }
  if (!('interIssuerSerial' in o)) inter.issuerSerial = 0
  else if (o.interIssuerSerial !== undefined) inter.issuerSerial = o.interIssuerSerial
  const leaf = { serial: 2, issuerSerial: o.leafIssuerSerial ?? 1, key: o.leafKey, notBefore: o.leafNotBefore ?? nb, notAfter: o.leafNotAfter ?? na }
  const D = proto.CertChain.NoiseCertificate.Details
  const interDetails = Buffer.from(D.encode(inter).finish())
  const leafDetails = Buffer.from(D.encode(leaf).finish())
  const rnd = (i) => o.random ? Buffer.alloc(64, i) : undefined
  return Buffer.from(proto.CertChain.encode({
    leaf: { details: leafDetails, signature: xeddsaSign(o.leafSigner ?? o.intermediate.priv, leafDetails, rnd(1)) },
    intermediate: { details: interDetails, signature: xeddsaSign(o.interSigner ?? o.rootPriv, interDetails, rnd(2)) }
  }).finish())
}
