// The Node side of bench_noise.c: Baileys' Noise transport path on 300-byte frames.
//   noise-seal    Baileys' noise handler after a real handshake: encodeFrame (TransportState
//                 encrypt with its counter IV, then the 3-byte length)
//   noise-open    TransportState.decrypt's work: aesDecryptGCM with the counter IV, over a ring of
//                 8192 frames (the counter restarts at the wrap, as on the C side)
//   gcm-seal-300  Baileys' aesEncryptGCM, fixed key and IV
//   gcm-open-300  Baileys' aesDecryptGCM, fixed key and IV
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { measure } from './measure.mjs'

const interop = new URL('../../interop/', import.meta.url)
const baileysPath = createRequire(new URL('package.json', interop)).resolve('@whiskeysockets/baileys')
const { makeNoiseHandler, proto, NOISE_WA_HEADER, WA_CERT_DETAILS, aesEncryptGCM, aesDecryptGCM } = await import(pathToFileURL(baileysPath).href)
const { NoiseResponder, keyPair, buildCertChain } = await import(new URL('lib/noise-ref.mjs', interop).href)

const FRAME = 300
const RING = 8192
const payload = Buffer.from(Array.from({ length: FRAME }, (_, i) => (i * 7 + 3) & 255))
const logger = { level: 'silent', child: () => logger, trace () {}, debug () {}, info () {}, warn () {}, error () {} }
const key = (b) => keyPair(Buffer.alloc(32, b))
const counterIV = (c) => { const iv = new Uint8Array(12); new DataView(iv.buffer).setUint32(8, c); return iv }

// A Baileys client handshaken with the reference responder; returns both.
async function handshake () {
  const root = key(1); const inter = key(2); const server = key(3); const client = key(4); const eph = key(5)
  WA_CERT_DETAILS.PUBLIC_KEY = root.pub
  const responder = new NoiseResponder({ staticKey: server, certChain: buildCertChain({ rootPriv: root.priv, intermediate: inter, leafKey: server.pub }) })
  const noise = makeNoiseHandler({ keyPair: { private: eph.priv, public: eph.pub }, NOISE_HEADER: NOISE_WA_HEADER, logger })
  const hello = noise.encodeFrame(proto.HandshakeMessage.encode({ clientHello: { ephemeral: eph.pub } }).finish())
  const sh = responder.readClientHello(hello.subarray(7))
  const keyEnc = noise.processHandshake(proto.HandshakeMessage.decode(sh), { private: client.priv, public: client.pub })
  const fin = noise.encodeFrame(proto.HandshakeMessage.encode({ clientFinish: { static: keyEnc, payload: noise.encrypt(Buffer.from('p')) } }).finish())
  await noise.finishInit()
  responder.readClientFinish(fin.subarray(3))
  return { noise, responder }
}

export default {
  'noise-seal': async () => {
    const { noise } = await handshake()
    return measure(() => { noise.encodeFrame(payload) })
  },
  'noise-open': async () => {
    const { responder } = await handshake()
    const k = responder.send.key // the client's receive key
    const ring = Array.from({ length: RING }, (_, i) => aesEncryptGCM(payload, k, counterIV(i), Buffer.alloc(0)))
    const empty = Buffer.alloc(0)
    let readCounter = 0
    const iv = new Uint8Array(12)
    return measure(() => {
      if (readCounter === RING) readCounter = 0
      const c = readCounter++ // TransportState.decrypt, verbatim in effect
      iv[8] = (c >>> 24) & 0xff; iv[9] = (c >>> 16) & 0xff; iv[10] = (c >>> 8) & 0xff; iv[11] = c & 0xff
      aesDecryptGCM(ring[c], k, iv, empty)
    })
  },
  'gcm-seal-300': async () => {
    const k = Buffer.alloc(32, 0x42); const iv = Buffer.alloc(12)
    return measure(() => { aesEncryptGCM(payload, k, iv, Buffer.alloc(0)) })
  },
  'gcm-open-300': async () => {
    const k = Buffer.alloc(32, 0x42); const iv = Buffer.alloc(12)
    const ct = aesEncryptGCM(payload, k, iv, Buffer.alloc(0))
    return measure(() => { aesDecryptGCM(ct, k, iv, Buffer.alloc(0)) })
  }
}
