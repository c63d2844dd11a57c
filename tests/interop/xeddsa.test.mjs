// Curve25519 interop: wabot's XEdDSA and X25519 (host/crypto/curve.c, through the helper) against
// libsignal-node 6.0.0's curve.js and the curve25519-js it signs with.
//
// libsignal's verifySignature RETURNS false for a bad signature (it throws only on bad lengths),
// so every check below compares its return value with `true` or `false` explicitly.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes, randomInt } from 'node:crypto'
import { createRequire } from 'node:module'
import { Helper, b64 } from './lib/helper.mjs'
import { run } from './lib/curve-pool.mjs'

const require = createRequire(import.meta.url)
const curve = require('libsignal/src/curve.js')

const N = 1000
const djb = (pub) => Buffer.concat([Buffer.from([5]), pub]) // libsignal's 33-byte public key
const flipBit = (buf, bit) => { const c = Buffer.from(buf); c[bit >> 3] ^= 1 << (bit & 7); return c }
const randomMessage = () => randomBytes(randomInt(1, 400))
// Bits 0..254 of a key: X25519 and XEdDSA both ignore bit 255 of a Montgomery u.
const flipKey = (pub) => flipBit(pub, randomInt(0, 255))
const flipSig = (sig) => flipBit(sig, randomInt(0, 512))
const flipMsg = (msg) => flipBit(msg, randomInt(0, msg.length * 8))

async function wabotKeyPair (h) {
  const r = await h.call('curve_keypair')
  return { priv: b64(r.priv), pub: b64(r.pub) }
}
function libsignalKeyPair () { // node:crypto's raw X25519 private keys are not clamped
  const kp = curve.generateKeyPair()
  return { priv: Buffer.from(kp.privKey), pub: Buffer.from(kp.pubKey).subarray(1) }
}
// Half the keys from each side, so each side signs with keys the other generated.
const keyPairs = (h) => Promise.all(Array.from({ length: N }, (_, i) => i % 2 ? wabotKeyPair(h) : libsignalKeyPair()))

test('1,000 messages signed by wabot verify in libsignal-node; flipped message, key or signature bits fail', async () => {
  const h = new Helper()
  try {
    const kps = await keyPairs(h)
    const cases = await Promise.all(kps.map(async (kp) => {
      const msg = randomMessage()
      const sig = b64((await h.call('xeddsa_sign', { priv: kp.priv, msg })).sig)
      return { kp, msg, sig }
    }))
    const jobs = cases.map(({ kp, msg, sig }) => ({ op: 'verify', pub: djb(kp.pub), msg, sig, want: true }))
    for (const { kp, msg, sig } of cases.filter((_, i) => i % 10 === 0)) {
      jobs.push({ op: 'verify', pub: djb(kp.pub), msg, sig: flipSig(sig), want: false })
      jobs.push({ op: 'verify', pub: djb(flipKey(kp.pub)), msg, sig, want: false })
      jobs.push({ op: 'verify', pub: djb(kp.pub), msg: flipMsg(msg), sig, want: false })
    }
    const results = await run(jobs)
    assert.equal(results.length, N + 300)
    results.forEach((r, i) => assert.equal(r, jobs[i].want, `job ${i} (want ${jobs[i].want})`))
  } finally { await h.close() }
})

test('1,000 messages signed by libsignal-node verify in wabot; flipped message, key or signature bits fail', async () => {
  const h = new Helper()
  try {
    const kps = await keyPairs(h)
    const msgs = kps.map(() => randomMessage())
    const sigs = await run(kps.map((kp, i) => ({ op: 'sign', priv: kp.priv, msg: msgs[i] })))
    const verify = async (pub, msg, sig) => (await h.call('xeddsa_verify', { pub, msg, sig })).valid
    let flipped = 0
    await Promise.all(kps.map(async (kp, i) => {
      assert.ok(Buffer.isBuffer(sigs[i]) && sigs[i].length === 64, String(sigs[i]))
      assert.equal(await verify(kp.pub, msgs[i], sigs[i]), true, `message ${i}`)
      assert.equal(await verify(kp.pub, msgs[i], flipSig(sigs[i])), false)
      assert.equal(await verify(flipKey(kp.pub), msgs[i], sigs[i]), false)
      assert.equal(await verify(kp.pub, flipMsg(msgs[i]), sigs[i]), false)
      flipped += 3
    }))
    assert.equal(flipped, 3 * N)
  } finally { await h.close() }
})

test('with the same randomness wabot and curve25519-js produce identical signatures', async () => {
  const h = new Helper()
  try {
    const jobs = Array.from({ length: 100 }, () => {
      const kp = libsignalKeyPair()
      return { op: 'signRandom', priv: kp.priv, msg: randomMessage(), random: randomBytes(64) }
    })
    const want = await run(jobs)
    for (let i = 0; i < jobs.length; i++) {
      const { priv, msg, random } = jobs[i]
      assert.deepEqual(b64((await h.call('xeddsa_sign', { priv, msg, random })).sig), want[i])
    }
  } finally { await h.close() }
})

test('X25519 agreement matches libsignal calculateAgreement both ways', async () => {
  const h = new Helper()
  try {
    for (let i = 0; i < 300; i++) {
      const a = await wabotKeyPair(h)
      const b = libsignalKeyPair()
      const theirs = Buffer.from(curve.calculateAgreement(djb(a.pub), b.priv))
      assert.deepEqual(b64((await h.call('curve_agree', { priv: a.priv, pub: b.pub })).shared), theirs)
      assert.deepEqual(b64((await h.call('curve_agree', { priv: b.priv, pub: a.pub })).shared), theirs)
    }
  } finally { await h.close() }
})

test('public keys derived from private keys agree with libsignal on both sides', async () => {
  const h = new Helper()
  try {
    for (let i = 0; i < 300; i++) {
      const w = await wabotKeyPair(h)
      assert.deepEqual(Buffer.from(curve.getPublicFromPrivateKey(w.priv)), djb(w.pub))
      assert.deepEqual(b64((await h.call('curve_public', { priv: w.priv })).pub), w.pub)
      const l = libsignalKeyPair()
      assert.deepEqual(b64((await h.call('curve_public', { priv: l.priv })).pub), l.pub)
    }
  } finally { await h.close() }
})
