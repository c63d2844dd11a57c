// wabot's protobuf codec (proto/wb_proto*.c through the helper's proto_* ops) against Baileys'
// WAProto classes, on random messages generated from our own .proto files (so coverage follows
// the schema) and on the exact ClientPayloads Baileys builds:
//   wabot encodes -> Baileys decodes -> same values, and Baileys encodes -> wabot decodes -> same.
// PROTO_SEED=<n> replays a run.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Helper, b64 } from './lib/helper.mjs'
import {
  TO_OBJECT, allTypes, baileysClass, baileysDir, baileysProto, loadOurs, loadWAProto, makeRng, randomObject,
  reachableFields
} from './lib/protoschema.mjs'

const seed = Number(process.env.PROTO_SEED ?? (Date.now() & 0xffffff))
const ours = loadOurs()
let proto, h

before(async () => {
  proto = await baileysProto()
  h = new Helper()
})
after(() => h.close())

// Both directions for one object of type name; returns the bytes Baileys produced.
async function checkBothWays (name, obj) {
  const B = baileysClass(proto, name)
  const ctx = `${name} (PROTO_SEED=${seed}) ${JSON.stringify(obj).slice(0, 300)}`
  const fromWabot = b64((await h.call('proto_encode', { type: name, json: obj })).bytes)
  assert.deepStrictEqual(B.toObject(B.decode(fromWabot), TO_OBJECT), obj, `wabot -> Baileys: ${ctx}`)
  const fromBaileys = B.encode(B.fromObject(obj)).finish()
  const back = await h.call('proto_decode', { type: name, bytes: Buffer.from(fromBaileys) })
  assert.deepStrictEqual(back.json, obj, `Baileys -> wabot: ${ctx}`)
  return fromBaileys
}

// Random instances of a type until every field reachable from it has been generated, then more.
async function fuzzType (t, extra, opts = {}) {
  const rng = makeRng(seed ^ t.fullName.length * 2654435761)
  const cover = new Set()
  const reachable = reachableFields(t, opts.stop ?? new Set()).size
  let n = 0
  for (; cover.size < reachable && n < 50; n++) {
    await checkBothWays(t.fullName.slice(1), randomObject(t, rng, { ...opts, cover }))
  }
  for (let i = 0; i < extra; i++, n++) await checkBothWays(t.fullName.slice(1), randomObject(t, rng, opts))
  assert.equal(cover.size, reachable, `every field reachable from ${t.fullName} was generated`)
  return { n, fields: cover.size }
}

test('Message: random instances of every kind agree both ways', async (t) => {
  const { n, fields } = await fuzzType(ours.lookupType('wa.Message'), 150, { maxDepth: 5 })
  t.diagnostic(`${n} messages, all ${fields} fields reachable from wa.Message covered, seed ${seed}`)
})

test('every other message type agrees both ways on random instances', async (t) => {
  let total = 0
  // Message, covered above, is generated at random inside them without coverage.
  const message = ours.lookupType('wa.Message')
  const types = allTypes(ours.lookup('wa')).filter((x) => x !== message)
  const stop = new Set([message])
  for (const type of types) total += (await fuzzType(type, 4, { maxDepth: 8, decay: 0.5, stop })).n
  t.diagnostic(`${types.length} types, ${total} instances`)
})

test('fields outside our subset survive wabot decode -> encode (Baileys-generated full messages)', async (t) => {
  const theirs = loadWAProto()
  const rng = makeRng(seed + 1)
  let unknown = 0
  for (const name of ['Message', 'WebMessageInfo', 'ClientPayload', 'SyncActionValue', 'HistorySync']) {
    const type = theirs.lookupType(`proto.${name}`)
    const B = proto[name]
    const ourType = ours.lookupType(`wa.${name}`)
    for (let i = 0; i < 12; i++) {
      const obj = randomObject(type, rng, { p: 0.12, maxDepth: 3 })
      const orig = B.encode(B.fromObject(obj)).finish()
      const expect = B.toObject(B.decode(orig), TO_OBJECT)
      unknown += Object.keys(expect).filter((k) => !ourType.fields[k]).length
      const r = await h.call('proto_repack', { type: `wa.${name}`, bytes: Buffer.from(orig) })
      assert.deepStrictEqual(B.toObject(B.decode(b64(r.bytes)), TO_OBJECT), expect, `${name} seed ${seed}`)
    }
  }
  t.diagnostic(`${unknown} top-level fields unknown to wabot carried through`)
  assert.ok(unknown > 10)
})

test('ClientPayload: the registration and login payloads Baileys builds decode and re-encode exactly', async () => {
  const B = `file://${baileysDir}/`
  const { generateLoginNode, generateRegistrationNode } = await import(B + 'lib/Utils/validate-connection.js')
  const { initAuthCreds } = await import(B + 'lib/Utils/auth-utils.js')
  const { DEFAULT_CONNECTION_CONFIG } = await import(B + 'lib/Defaults/index.js')
  const creds = initAuthCreds()
  const payloads = [
    generateRegistrationNode(creds, { ...DEFAULT_CONNECTION_CONFIG, syncFullHistory: true }),
    generateRegistrationNode(creds, { ...DEFAULT_CONNECTION_CONFIG, browser: ['Ubuntu', 'Firefox', '22.04'] }),
    generateLoginNode('4915123456789:17@s.whatsapp.net', { ...DEFAULT_CONNECTION_CONFIG, pushName: 'bot ✓' }),
    generateLoginNode('12345@s.whatsapp.net', DEFAULT_CONNECTION_CONFIG)
  ]
  for (const p of payloads) {
    const bytes = proto.ClientPayload.encode(p).finish()
    const expect = proto.ClientPayload.toObject(proto.ClientPayload.decode(bytes), TO_OBJECT)
    const got = (await h.call('proto_decode', { type: 'wa.ClientPayload', bytes: Buffer.from(bytes) })).json
    assert.deepStrictEqual(got, expect)
    // Explicit zeros (NOTES.md §2.1): passive/pull false and enum value 0 are on the wire.
    assert.equal(got.userAgent.releaseChannel, 0)
    assert.equal(typeof got.passive, 'boolean')
    // wabot builds the same bytes from the same values.
    const again = b64((await h.call('proto_encode', { type: 'wa.ClientPayload', json: got })).bytes)
    assert.deepStrictEqual(again, Buffer.from(bytes))
    if (expect.devicePairingData) {
      const dp = b64(expect.devicePairingData.deviceProps)
      const props = (await h.call('proto_decode', { type: 'wa.DeviceProps', bytes: dp })).json
      assert.deepStrictEqual(props, proto.DeviceProps.toObject(proto.DeviceProps.decode(dp), TO_OBJECT))
      assert.equal(props.historySyncConfig.supportCallLogHistory, false)
    }
  }
})

test('ADV: a device identity with keyIndex 0 keeps the explicit zero Baileys needs', async () => {
  const identity = { rawId: 1234567, timestamp: '1711713012', keyIndex: 0, accountType: 0 }
  const details = await checkBothWays('wa.ADVDeviceIdentity', identity)
  const decoded = proto.ADVDeviceIdentity.decode(details)
  assert.equal(decoded.keyIndex.toString(), '0') // what validate-connection.js does with it
  const signed = { details: Buffer.from(details).toString('base64'), accountSignatureKey: Buffer.alloc(32, 1).toString('base64'), accountSignature: Buffer.alloc(64, 2).toString('base64') }
  const signedBytes = await checkBothWays('wa.ADVSignedDeviceIdentity', signed)
  await checkBothWays('wa.ADVSignedDeviceIdentityHMAC', { details: Buffer.from(signedBytes).toString('base64'), hmac: Buffer.alloc(32, 3).toString('base64') })
  await checkBothWays('wa.ADVKeyIndexList', { rawId: 7, timestamp: '0', currentIndex: 3, validIndexes: [0, 1, 3], accountType: 1 })
})

test('wabot refuses truncated and deeply nested messages with specific errors', async () => {
  const bytes = proto.Message.encode({ extendedTextMessage: { text: 'hello', contextInfo: { stanzaId: 'x' } } }).finish()
  await assert.rejects(h.call('proto_decode', { type: 'wa.Message', bytes: Buffer.from(bytes.subarray(0, bytes.length - 2)) }), /WB_EMALFORMED/)
  let nested = { conversation: 'core' }
  for (let i = 0; i < 70; i++) nested = { ephemeralMessage: { message: nested } }
  const deep = proto.Message.encode(proto.Message.fromObject(nested)).finish()
  await assert.rejects(h.call('proto_decode', { type: 'wa.Message', bytes: Buffer.from(deep) }), /WB_EDEPTH/)
  await assert.rejects(h.call('proto_encode', { type: 'wa.Message', json: { noSuchField: 1 } }), /WB_EINVAL/)
})
