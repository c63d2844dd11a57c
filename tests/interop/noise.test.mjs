// Noise interop (NOTES.md §1.2-1.5):
//  (a) Baileys' own noise handler (makeNoiseHandler) as the client against wabot's responder in
//      the helper: handshake, then 1,000 transport frames each way;
//  (b) wabot's initiator against the node:crypto reference responder (lib/noise-ref.mjs):
//      handshake, then 1,000 frames each way;
//  (c) tampering: a flipped byte in any handshake message or in transport frames fails with an
//      error, and wabot's initiator rejects every kind of bad certificate chain.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes, randomInt } from 'node:crypto'
import {
  makeNoiseHandler, proto, NOISE_WA_HEADER, WA_CERT_DETAILS, Curve, encodeBinaryNode,
  initAuthCreds, generateRegistrationNode, DEFAULT_CONNECTION_CONFIG
} from '@whiskeysockets/baileys'
import { Helper, b64 } from './lib/helper.mjs'
import { NoiseResponder, keyPair, buildCertChain } from './lib/noise-ref.mjs'

const N = 1000
const logger = { level: 'silent', child: () => logger, trace () {}, debug () {}, info () {}, warn () {}, error () {} }
const root = keyPair()
WA_CERT_DETAILS.PUBLIC_KEY = root.pub // Baileys trusts our test root (NOTES.md §1.5)
const clientPayload = Buffer.from(proto.ClientPayload.encode(generateRegistrationNode(initAuthCreds(), DEFAULT_CONNECTION_CONFIG)).finish())

const frame = (b) => Buffer.concat([Buffer.from([b.length >> 16, (b.length >> 8) & 255, b.length & 255]), b])
const flipByte = (buf, at) => { const c = Buffer.from(buf); c[at] ^= 1 << randomInt(0, 8); return c }
// A payload size: mostly small stanzas, now and then a large one.
const randomSize = (i) => (i % 97 === 0 ? randomInt(20000, 70000) : randomInt(0, 1500))
// Splits bytes at random points (including 1-byte pieces).
function chunks (bytes) {
  const out = []
  for (let pos = 0; pos < bytes.length;) {
    const n = Math.min(bytes.length - pos, randomInt(0, 4) === 0 ? randomInt(1, 8) : randomInt(1, 5000))
    out.push(bytes.subarray(pos, pos + n)); pos += n
  }
  return out
}
// Splits a stream of frames into their payloads.
function unframe (bytes) {
  const out = []
  for (let pos = 0; pos < bytes.length;) {
    const n = bytes.readUIntBE(pos, 3)
    out.push(bytes.subarray(pos + 3, pos + 3 + n)); pos += 3 + n
  }
  return out
}
async function feedChunks (h, id, bytes) {
  const frames = []
  for (const c of chunks(bytes)) frames.push(...(await h.call('noise_feed', { id, data: c })).frames.map(b64))
  return frames
}

// ---- (a) Baileys' client against wabot's responder ------------------------------------------

// Runs Baileys' client side of the handshake against a wabot responder. tamper(stage, bytes)
// may return altered bytes for 'hello', 'server' or 'finish'.
async function baileysHandshake (h, { routingInfo, tamper = (s, b) => b } = {}) {
  const { id } = await h.call('noise_server', { root_priv: root.priv })
  const eph = Curve.generateKeyPair()
  const noiseKey = Curve.generateKeyPair()
  const noise = makeNoiseHandler({ keyPair: eph, NOISE_HEADER: NOISE_WA_HEADER, logger, routingInfo })
  const hello = noise.encodeFrame(proto.HandshakeMessage.encode({ clientHello: { ephemeral: eph.public } }).finish())
  const r1 = await h.call('noise_feed', { id, data: tamper('hello', hello) })
  let got
  await noise.decodeFrame(tamper('server', b64(r1.out)), (f) => { got = f })
  const keyEnc = noise.processHandshake(proto.HandshakeMessage.decode(got), noiseKey)
  const finish = noise.encodeFrame(proto.HandshakeMessage.encode({ clientFinish: { static: keyEnc, payload: noise.encrypt(clientPayload) } }).finish())
  await noise.finishInit()
  const r2 = await h.call('noise_feed', { id, data: tamper('finish', finish) })
  return { id, noise, noiseKey, r1, r2 }
}

test('(a) Baileys noise handler completes the handshake with wabot and exchanges 1,000 frames each way', async () => {
  const h = new Helper()
  try {
    const { id, noise, noiseKey, r1, r2 } = await baileysHandshake(h)
    assert.equal(r1.routing, '') // plain "WA" 06 03 intro
    assert.deepEqual(b64(r2.peer_static), noiseKey.public) // wabot learned the client's noise key
    assert.deepEqual(b64(r2.payload), clientPayload) // and its ClientPayload

    // client -> server: Baileys' encodeFrame, delivered to wabot in random slices
    const sent = Array.from({ length: N }, (_, i) => randomBytes(randomSize(i)))
    const received = await feedChunks(h, id, Buffer.concat(sent.map((d) => noise.encodeFrame(d))))
    assert.equal(received.length, N)
    sent.forEach((d, i) => assert.deepEqual(received[i], d, `client frame ${i}`))

    // server -> client: binary nodes sealed by wabot, decoded by Baileys' decodeFrame
    const nodes = Array.from({ length: N }, (_, i) => ({ tag: 'message', attrs: { id: `m${i}` }, content: randomBytes(randomSize(i + 1)) }))
    let out = Buffer.alloc(0)
    for (let i = 0; i < N; i += 100) {
      const r = await h.call('noise_send', { id, frames: nodes.slice(i, i + 100).map((n) => encodeBinaryNode(n).toString('base64')) })
      out = Buffer.concat([out, b64(r.out)])
    }
    const decoded = []
    for (const c of chunks(out)) await noise.decodeFrame(c, (f) => decoded.push(f))
    assert.equal(decoded.length, N)
    decoded.forEach((n, i) => {
      assert.equal(n.tag, 'message')
      assert.equal(n.attrs.id, `m${i}`)
      assert.deepEqual(Buffer.from(n.content), nodes[i].content)
    })
    await h.call('noise_free', { id })
  } finally { await h.close() }
})

test('(a) wabot strips the ED intro header with routing info that Baileys sends', async () => {
  const h = new Helper()
  try {
    const routingInfo = Buffer.from('0802080512020800', 'hex')
    const { r1, r2, noiseKey } = await baileysHandshake(h, { routingInfo })
    assert.deepEqual(b64(r1.routing), routingInfo)
    assert.deepEqual(b64(r2.peer_static), noiseKey.public)
  } finally { await h.close() }
})

// Positions to flip in a message of len bytes: the first and last few and a spread between.
const positions = (len, spread = 12) => [...new Set([0, 1, 2, len - 1, len - 2, ...Array.from({ length: spread }, () => randomInt(0, len))])].filter((p) => p >= 0 && p < len)

test('(c) a flipped byte in any handshake message between Baileys and wabot fails with an error', async () => {
  const h = new Helper()
  try {
    let failed = 0; let equivalent = 0
    for (const [stage, skip] of [['hello', 7], ['server', 3], ['finish', 3]]) {
      // learn the message length from an untouched run
      let len = 0
      await baileysHandshake(h, { tamper: (s, b) => { if (s === stage) len = b.length; return b } })
      for (const at of positions(len - skip)) {
        let orig, bad
        const tamper = (s, b) => { if (s !== stage) return b; orig = b; bad = flipByte(b, skip + at); return bad }
        try {
          await baileysHandshake(h, { tamper })
        } catch (e) {
          failed++ // wabot's helper call rejected (a WB_ code) or Baileys threw
          continue
        }
        // Completed anyway: wabot never lets that happen (it receives hello and finish). Baileys'
        // protobufjs decoder ignores a field's wire-type bits, so a flip there leaves the
        // ServerHello it decodes unchanged; nothing else may pass.
        assert.equal(stage, 'server', `${stage} byte ${at} was accepted`)
        const decode = (b) => proto.HandshakeMessage.decode(b.subarray(3)).toJSON()
        assert.deepEqual(decode(bad), decode(orig), `server byte ${at} changed the message yet passed`)
        equivalent++
      }
    }
    assert.ok(failed >= 30, `${failed} failed, ${equivalent} equivalent`)
  } finally { await h.close() }
})

test('(c) a flipped byte in a transport frame fails in wabot and in Baileys', async () => {
  const h = new Helper()
  try {
    for (const k of [0, 1, 7]) {
      // client -> server, frame k tampered: wabot reports WB_EAUTH
      const a = await baileysHandshake(h)
      const frames = Array.from({ length: k + 1 }, () => a.noise.encodeFrame(randomBytes(randomInt(1, 400))))
      frames[k] = flipByte(frames[k], randomInt(3, frames[k].length))
      for (let i = 0; i < k; i++) await h.call('noise_feed', { id: a.id, data: frames[i] })
      await assert.rejects(h.call('noise_feed', { id: a.id, data: frames[k] }), /WB_EAUTH/)
      await assert.rejects(h.call('noise_send', { id: a.id, frames: ['AA=='] }), /WB_ESTATE/) // dead
      // server -> client, frame k tampered: Baileys' decodeFrame throws
      const b = await baileysHandshake(h)
      const nodes = Array.from({ length: k + 1 }, (_, i) => encodeBinaryNode({ tag: 'iq', attrs: { id: `${i}` } }).toString('base64'))
      const out = unframe(b64((await h.call('noise_send', { id: b.id, frames: nodes })).out)).map(frame)
      out[k] = flipByte(out[k], randomInt(3, out[k].length))
      for (let i = 0; i < k; i++) await b.noise.decodeFrame(out[i], () => {})
      let delivered = false
      await assert.rejects(b.noise.decodeFrame(out[k], () => { delivered = true }))
      assert.equal(delivered, false)
    }
  } finally { await h.close() }
})

// ---- (b) wabot's initiator against the node:crypto responder ---------------------------------

const inter = keyPair()
const serverStatic = keyPair()
const goodChain = buildCertChain({ rootPriv: root.priv, intermediate: inter, leafKey: serverStatic.pub })

// Starts a wabot client; returns it with the node responder that has read its ClientHello.
async function wabotClient (h, { chain = goodChain, rootPub = root.pub } = {}) {
  const noiseKey = keyPair()
  const c = await h.call('noise_client', { static_priv: noiseKey.priv, payload: clientPayload, root_pub: rootPub })
  const out = b64(c.out)
  assert.deepEqual(out.subarray(0, 4), Buffer.from('WA\x06\x03', 'latin1'))
  const responder = new NoiseResponder({ staticKey: serverStatic, certChain: chain })
  const serverHello = frame(responder.readClientHello(unframe(out.subarray(4))[0]))
  return { id: c.id, noiseKey, responder, serverHello }
}

test('(b) wabot initiator completes the handshake with a node:crypto responder and exchanges 1,000 frames each way', async () => {
  const h = new Helper()
  try {
    const { id, noiseKey, responder, serverHello } = await wabotClient(h)
    const r = await h.call('noise_feed', { id, data: serverHello })
    assert.deepEqual(b64(r.peer_static), serverStatic.pub)
    assert.deepEqual(b64(r.payload), goodChain)
    const fin = responder.readClientFinish(unframe(b64(r.out))[0])
    assert.deepEqual(fin.clientStatic, noiseKey.pub)
    assert.deepEqual(fin.payload, clientPayload)

    const up = Array.from({ length: N }, (_, i) => randomBytes(randomSize(i)))
    let out = Buffer.alloc(0)
    for (let i = 0; i < N; i += 100) {
      out = Buffer.concat([out, b64((await h.call('noise_send', { id, frames: up.slice(i, i + 100).map((d) => d.toString('base64')) })).out)])
    }
    const opened = unframe(out).map((f) => responder.recv.open(f))
    assert.equal(opened.length, N)
    up.forEach((d, i) => assert.deepEqual(opened[i], d, `client frame ${i}`))

    const down = Array.from({ length: N }, (_, i) => randomBytes(randomSize(i + 3)))
    const received = await feedChunks(h, id, Buffer.concat(down.map((d) => frame(responder.send.seal(d)))))
    assert.equal(received.length, N)
    down.forEach((d, i) => assert.deepEqual(received[i], d, `server frame ${i}`))
  } finally { await h.close() }
})

test('(c) wabot initiator rejects every flipped byte of the ServerHello and of its transport frames', async () => {
  const h = new Helper()
  try {
    const probe = await wabotClient(h)
    const len = probe.serverHello.length
    await h.call('noise_free', { id: probe.id })
    for (let at = 3; at < len; at++) { // every byte after the length
      const c = await wabotClient(h)
      await assert.rejects(h.call('noise_feed', { id: c.id, data: flipByte(c.serverHello, at) }), /WB_E/, `byte ${at}`)
      await h.call('noise_free', { id: c.id })
    }
    for (const k of [0, 1, 5]) {
      const c = await wabotClient(h)
      const r = await h.call('noise_feed', { id: c.id, data: c.serverHello })
      c.responder.readClientFinish(unframe(b64(r.out))[0])
      const frames = Array.from({ length: k + 1 }, () => frame(c.responder.send.seal(randomBytes(randomInt(1, 300)))))
      frames[k] = flipByte(frames[k], randomInt(3, frames[k].length))
      for (let i = 0; i < k; i++) assert.equal((await h.call('noise_feed', { id: c.id, data: frames[i] })).frames.length, 1)
      await assert.rejects(h.call('noise_feed', { id: c.id, data: frames[k] }), /WB_EAUTH/)
      await h.call('noise_free', { id: c.id })
    }
  } finally { await h.close() }
})

test('(c) the node responder refuses wabot ClientHellos and ClientFinishes with flipped bytes', async () => {
  const h = new Helper()
  try {
    for (let i = 0; i < 20; i++) {
      const c = await wabotClient(h)
      const r = await h.call('noise_feed', { id: c.id, data: c.serverHello })
      const fin = unframe(b64(r.out))[0]
      assert.throws(() => c.responder.readClientFinish(flipByte(fin, randomInt(0, fin.length))))
      await h.call('noise_free', { id: c.id })
    }
  } finally { await h.close() }
})

test('(c) wabot initiator rejects bad certificate chains', async () => {
  const h = new Helper()
  try {
    const other = keyPair()
    const now = Math.floor(Date.now() / 1000)
    const base = { rootPriv: root.priv, intermediate: inter, leafKey: serverStatic.pub }
    const bad = {
      'wrong root': { ...base, interSigner: other.priv },
      'bad intermediate signature': { ...base, interSigner: inter.priv },
      'bad leaf signature': { ...base, leafSigner: other.priv },
      'intermediate issuer serial 1': { ...base, interIssuerSerial: 1 },
      'intermediate issuer serial missing': { ...base, interIssuerSerial: undefined },
      'leaf issuer serial wrong': { ...base, leafIssuerSerial: 5 },
      'expired': { ...base, notBefore: now - 7200, notAfter: now - 3600 },
      'not yet valid': { ...base, notBefore: now + 3600, notAfter: now + 7200 },
      'leaf expired': { ...base, leafNotAfter: now - 1 },
      'leaf key is not the static key': { ...base, leafKey: other.pub }
    }
    for (const [name, opts] of Object.entries(bad)) {
      const c = await wabotClient(h, { chain: buildCertChain(opts) })
      await assert.rejects(h.call('noise_feed', { id: c.id, data: c.serverHello }), /WB_ECERT/, name)
      await h.call('noise_free', { id: c.id })
    }
    // a good chain, but the client trusts WhatsApp's real root (its default)
    const c = await wabotClient(h, { rootPub: Buffer.from('142375574d0a587166aae71ebe516437c4a28b73e3695c6ce1f7f9545da8ee6b', 'hex') })
    await assert.rejects(h.call('noise_feed', { id: c.id, data: c.serverHello }), /WB_ECERT.*root/)
  } finally { await h.close() }
})
