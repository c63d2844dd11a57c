// The binary node codec against Baileys' own (lib/WABinary): token tables, 10,000 random trees
// each way, strings Baileys would alter, hand-made JID forms Baileys cannot write, invalid UTF-8,
// mutated payloads, and the `wabot node` CLI.
//
// "Same tree" is checked on a canonical form of Baileys' view of a node: tag; attributes as a
// sorted list of [key, value] strings (Baileys decodes every attribute as a string); content
// absent, a list of nodes, a string (a token, packed or JID form on the wire) or bytes (BINARY_n
// on the wire, a Buffer in Baileys, {"base64"} in our JSON). Comparisons are deepStrictEqual.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { deflateSync } from 'node:zlib'
import { spawn } from 'node:child_process'
import * as constants from '@whiskeysockets/baileys/lib/WABinary/constants.js'
import { encodeBinaryNode } from '@whiskeysockets/baileys/lib/WABinary/encode.js'
import { decodeBinaryNode } from '@whiskeysockets/baileys/lib/WABinary/decode.js'
import { jidEncode } from '@whiskeysockets/baileys/lib/WABinary/jid-utils.js'
import { Helper } from './lib/helper.mjs'
import { wabotPath } from './lib/paths.mjs'
import { toJsonForm } from './lib/stanzas.mjs'

const SEED = Number(process.env.WABOT_SEED || 20240611)
const TREES = 10000

// ---- a seeded generator -------------------------------------------------------------------

function rng (seed) {
  let s = seed >>> 0
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)) // inclusive
  const pick = (a) => a[int(0, a.length - 1)]
  const chance = (p) => next() < p
  const bytes = (n) => { const b = Buffer.alloc(n); for (let i = 0; i < n; i++) b[i] = int(0, 255); return b }
  return { next, int, pick, chance, bytes }
}

const TOKENS = [...constants.SINGLE_BYTE_TOKENS.slice(1), ...constants.DOUBLE_BYTE_TOKENS.flat()]
const isToken = (s) => Object.prototype.hasOwnProperty.call(constants.TOKEN_MAP, s)
// Baileys looks strings up in a plain object: 'constructor', 'toString', ... would hit
// Object.prototype and be written as garbage. No real stanza carries them; keep them out.
const usable = (s) => !(s in Object.prototype) && !s.includes('\0')
const charsFrom = (r, alphabet, n) => { let s = ''; for (let i = 0; i < n; i++) s += alphabet[r.int(0, alphabet.length - 1)]; return s }
const UNICODE = ['é', 'ü', 'ß', '日本', '中文', '한국어', '😀', '👍🏽', 'Ω', '\u200b', 'ñ', '𝄞', 'Привет', 'עברית', 'ا']

function randomText (r) {
  switch (r.int(0, 12)) {
    case 0: case 1: return r.pick(TOKENS)
    case 2: return charsFrom(r, '0123456789', r.int(1, 20))                 // nibble
    case 3: return charsFrom(r, '0123456789-.', r.int(1, r.chance(0.1) ? 127 : 16))
    case 4: return charsFrom(r, '0123456789', r.int(128, 200))             // too long to pack
    case 5: return charsFrom(r, '0123456789ABCDEF', r.int(1, r.chance(0.1) ? 127 : 40)) // hex
    case 6: return charsFrom(r, '0123456789abcdef', r.int(1, 40))          // lower hex: raw
    case 7: return charsFrom(r, 'abcdefghijklmnopqrstuvwxyzABCXYZ_-:+ /=', r.int(1, 24))
    case 8: return charsFrom(r, 'abcdefghijklmnopqrstuvwxyz0123456789 ', r.int(128, 600)) // long
    case 9: { let s = ''; const n = r.int(1, 6); for (let i = 0; i < n; i++) s += r.pick(UNICODE) + (r.chance(0.5) ? charsFrom(r, 'ab1 ', 2) : ''); return s }
    case 10: return ''
    case 11: return r.chance(0.5) ? '+' + charsFrom(r, '0123456789', 11) : charsFrom(r, '0123456789', 3) + ' ' + charsFrom(r, '0123', 2)
    default: return randomJid(r)
  }
}

function text (r) {
  for (;;) { const s = randomText(r); if (usable(s)) return s }
}

// JID strings in every form Baileys writes and reads back unchanged (users without '_' ':' '@',
// which Baileys' jidDecode would split on).
const JID_TOKENS = TOKENS.filter((t) => usable(t) && !/[_:@]/.test(t))
function randomJidUser (r) {
  switch (r.int(0, 5)) {
    case 0: return charsFrom(r, '0123456789', r.int(8, 15))           // phone / lid: nibble
    case 1: return '1' + charsFrom(r, '0123456789', 17)               // group id
    case 2: return charsFrom(r, '0123456789', 10) + '-' + charsFrom(r, '0123456789', 10)
    case 3: return r.pick(['status', 'server', '0', 'abc', 'x'])
    case 4: return charsFrom(r, 'abcdefghijklmnopqrstuvwxyz.', r.int(1, 12)) // email-like local part
    default: return charsFrom(r, '0123456789ABCDEF', r.int(2, 20))
  }
}

function randomJid (r) {
  const user = randomJidUser(r)
  switch (r.int(0, 9)) {
    case 0: return jidEncode(user, 's.whatsapp.net')
    case 1: return jidEncode(user, 's.whatsapp.net', r.int(1, 255))  // AD_JID domain 0
    case 2: return jidEncode(user, 'lid', r.chance(0.5) ? r.int(1, 255) : undefined) // domain 1
    case 3: return jidEncode(user, 'hosted', r.chance(0.7) ? 99 : undefined)       // domain 128
    case 4: return jidEncode(user, 'hosted.lid', r.chance(0.7) ? 99 : undefined)   // domain 129
    case 5: return jidEncode(user, r.pick(['g.us', 'broadcast', 'newsletter', 'c.us', 'bot', 'call', 'msgr', 'interop']))
    case 6: return jidEncode('', r.pick(['s.whatsapp.net', 'g.us', 'lid', 'broadcast']))
    case 7: return `${user}@${r.pick(['example.com', 'x.y.z', 'a-b'])}`
    case 8: return `${user}@${randomJidUser(r)}@g.us` // server containing '@': nested JID_PAIR
    default: return jidEncode(r.pick(JID_TOKENS), 's.whatsapp.net', r.int(0, 1) ? r.int(1, 255) : undefined)
  }
}

function randomNode (r, depth, big) {
  let tag
  do { tag = r.chance(0.6) ? r.pick(TOKENS) : text(r) } while (!tag || !usable(tag))
  const attrs = {}
  const n = r.int(0, r.chance(0.1) ? 12 : 5)
  for (let i = 0; i < n; i++) {
    let key
    do { key = r.chance(0.6) ? r.pick(TOKENS) : text(r) } while (!usable(key))
    attrs[key] = text(r)
  }
  const node = { tag, attrs }
  const roll = r.next()
  if (roll < 0.25) return node
  if (roll < 0.45) { node.content = text(r); return node }
  if (roll < 0.7 || depth >= 6) {
    const size = big ? r.pick([1 << 20, r.int(256, 1 << 20), r.int(1 << 16, 300000)]) : r.pick([0, 1, 32, r.int(0, 300), r.int(0, 1500)])
    node.content = r.bytes(size)
    return node
  }
  const kids = r.int(0, depth === 1 ? 8 : 4)
  node.content = []
  for (let i = 0; i < kids; i++) node.content.push(randomNode(r, depth + 1, false))
  return node
}

function makeTrees (count) {
  const r = rng(SEED)
  const trees = []
  for (let i = 0; i < count; i++) {
    const big = i % 1000 === 999 // ten trees carry up to 1 MiB
    trees.push(randomNode(r, 1, big))
  }
  return trees
}

// ---- canonical forms and conversions ------------------------------------------------------

// Baileys' decoded node -> canonical form.
function canonBaileys (n) {
  const out = { tag: n.tag, attrs: Object.entries(n.attrs).sort(cmpEntry) }
  if (n.content === undefined) return out
  if (Array.isArray(n.content)) out.content = n.content.map(canonBaileys)
  else if (typeof n.content === 'string') out.content = n.content
  else if (n.content instanceof Uint8Array) out.content = { base64: Buffer.from(n.content).toString('base64') }
  else throw new Error(`unexpected Baileys content ${typeof n.content}`)
  return out
}

// Our JSON form -> canonical form (already nearly so).
function canonJson (n) {
  const out = { tag: n.tag, attrs: Object.entries(n.attrs).sort(cmpEntry) }
  if (!('content' in n)) return out
  if (Array.isArray(n.content)) out.content = n.content.map(canonJson)
  else if (typeof n.content === 'string') out.content = n.content
  else out.content = { base64: n.content.base64 }
  return out
}

function cmpEntry (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0 }

// What Baileys' decoder must return for a generated tree: the tree itself, except that string
// content written raw (not a token, packed or JID form) comes back as bytes.
function expectedCanon (n) {
  const out = { tag: n.tag, attrs: Object.entries(n.attrs).sort(cmpEntry) }
  if (n.content === undefined) return out
  if (Array.isArray(n.content)) out.content = n.content.map(expectedCanon)
  else if (typeof n.content === 'string') out.content = writtenRaw(n.content) ? { base64: Buffer.from(n.content).toString('base64') } : n.content
  else out.content = { base64: Buffer.from(n.content).toString('base64') }
  return out
}

function writtenRaw (s) {
  if (s === '' ) return true
  if (isToken(s)) return false
  if (s.length <= 127 && /^[0-9.-]+$/.test(s)) return false
  if (s.length <= 127 && /^[0-9A-F]+$/.test(s)) return false
  const at = s.indexOf('@')
  return !(at >= 0 && at < s.length - 1)
}

const payloadOf = (tree, compressed) => {
  const plain = encodeBinaryNode(tree)
  return compressed ? Buffer.concat([Buffer.from([2]), deflateSync(plain.subarray(1))]) : plain
}

async function inBatches (items, size, fn) {
  const out = []
  for (let i = 0; i < items.length; i += size) out.push(...await fn(items.slice(i, i + size)))
  return out
}

const decodeAll = (h, payloads) => inBatches(payloads, 200, async (batch) =>
  (await h.call('binary_decode', { items: batch.map((p) => p.toString('base64')) })).items)
const encodeAll = (h, jsonNodes) => inBatches(jsonNodes, 200, async (batch) =>
  (await h.call('binary_encode', { items: batch })).items)

// ---- tests --------------------------------------------------------------------------------

test('token tables equal Baileys\' exactly (dictionary version 3)', async () => {
  const h = new Helper()
  try {
    const t = await h.call('binary_tokens')
    assert.equal(t.single.length, 236)
    assert.deepStrictEqual(t.single, constants.SINGLE_BYTE_TOKENS)
    assert.equal(t.double.length, 4)
    assert.deepStrictEqual(t.double, constants.DOUBLE_BYTE_TOKENS)
  } finally { await h.close() }
})

test('10,000 random trees: Baileys encodes, wabot decodes; wabot encodes, Baileys decodes', async (t) => {
  const trees = makeTrees(TREES)
  const h = new Helper()
  try {
    // Baileys -> wabot, every fourth payload zlib-compressed (flag 2)
    const payloads = trees.map((tree, i) => payloadOf(tree, i % 4 === 1))
    const baileys = await Promise.all(payloads.map((p) => decodeBinaryNode(p)))
    const ours = await decodeAll(h, payloads)
    let compressed = 0
    for (let i = 0; i < trees.length; i++) {
      assert.equal(typeof ours[i], 'string', `tree ${i}: wabot failed: ${JSON.stringify(ours[i])}`)
      const want = canonBaileys(baileys[i])
      assert.deepStrictEqual(canonJson(JSON.parse(ours[i])), want, `tree ${i} (Baileys -> wabot)`)
      // and Baileys gives back what was generated, so the trees are meaningful
      assert.deepStrictEqual(want, expectedCanon(trees[i]), `tree ${i}: generator vs Baileys`)
      if (payloads[i][0] === 2) compressed++
    }

    // wabot -> Baileys, and the bytes equal Baileys' own encoding
    const encoded = await encodeAll(h, trees.map(toJsonForm))
    let sameBytes = 0
    for (let i = 0; i < trees.length; i++) {
      assert.equal(typeof encoded[i], 'string', `tree ${i}: wabot failed: ${JSON.stringify(encoded[i])}`)
      const bytes = Buffer.from(encoded[i], 'base64')
      assert.equal(bytes[0], 0)
      const back = await decodeBinaryNode(bytes)
      assert.deepStrictEqual(canonBaileys(back), canonBaileys(baileys[i]), `tree ${i} (wabot -> Baileys)`)
      if (bytes.equals(encodeBinaryNode(trees[i]))) sameBytes++
    }
    assert.equal(sameBytes, trees.length, 'wabot writes the bytes Baileys writes')
    const nodes = trees.reduce((n, tr) => n + countNodes(tr), 0)
    t.diagnostic(`${trees.length} trees (${nodes} nodes, ${compressed} compressed) each way; ${sameBytes} byte-identical encodings`)
  } finally { await h.close() }
})

function countNodes (n) {
  return 1 + (Array.isArray(n.content) ? n.content.reduce((s, k) => s + countNodes(k), 0) : 0)
}

test('strings Baileys would alter survive wabot -> Baileys unchanged', async () => {
  // Baileys' encoder writes these as AD_JID and its decoder gives back another string; wabot keeps
  // them (FB_JID, INTEROP_JID, or JID_PAIR of the whole user part), so Baileys reads them back.
  const values = ['u:5@msgr', 'u:0@msgr', '7-u:5@interop', '65535-1-2:65535@interop', '1:300@s.whatsapp.net',
    'a_1:2@s.whatsapp.net', '123_1@s.whatsapp.net', 'x:5@g.us', '1:2:3@lid', 'a:b@lid', '1:05@lid', 'x@', '@',
    'a@b:c@d', ':@x', '1_2_3@lid']
  const h = new Helper()
  try {
    const nodes = values.map((v) => ({ tag: 'x', attrs: { v }, content: v }))
    const enc = await encodeAll(h, nodes)
    const dec = await decodeAll(h, enc.map((b) => Buffer.from(b, 'base64')))
    for (let i = 0; i < values.length; i++) {
      const back = await decodeBinaryNode(Buffer.from(enc[i], 'base64'))
      assert.equal(back.attrs.v, values[i], `Baileys reads ${values[i]}`)
      const ours = JSON.parse(dec[i])
      assert.equal(ours.attrs.v, values[i], `wabot reads ${values[i]}`)
      const content = typeof back.content === 'string' ? back.content : Buffer.from(back.content).toString()
      assert.equal(content, values[i])
    }
    // device 0 written explicitly: both sides read the device-0 JID, without ":0"
    const [zero] = await encodeAll(h, [{ tag: 'x', attrs: { v: '5:0@s.whatsapp.net' } }])
    assert.deepStrictEqual(Buffer.from(zero, 'base64'), encodeBinaryNode({ tag: 'x', attrs: { v: '5:0@s.whatsapp.net' } }))
    assert.equal((await decodeBinaryNode(Buffer.from(zero, 'base64'))).attrs.v, '5@s.whatsapp.net')
  } finally { await h.close() }
})

// A node <x a=VALUE/> with VALUE given as raw wire bytes.
const withValue = (...value) => Buffer.from([0, 248, 3, 0xfc, 1, 0x78, 0xfc, 1, 0x61, ...value])

test('JID forms only whatsmeow writes, and odd AD_JID domains, decode as Baileys reads them', async () => {
  const u = [0xfc, 1, 0x75] // "u"
  const payloads = [
    withValue(0xf6, ...u, 0, 7, 0xcc),                            // FB_JID u:7@msgr
    withValue(0xf6, ...u, 0, 0, 0xcc),                            // FB_JID device 0
    withValue(0xf5, ...u, 0, 5, 1, 2, 0xfc, 7, ...Buffer.from('interop')), // INTEROP_JID
    withValue(0xf7, 0, 0, ...u),                                  // AD_JID device 0
    withValue(0xf7, 1, 0, ...u),                                  // lid, device 0
    withValue(0xf7, 5, 3, ...u),                                  // unknown domain 5 -> s.whatsapp.net
    withValue(0xf7, 128, 99, ...u), withValue(0xf7, 129, 99, ...u),
    withValue(0xfa, 0, 0x1c),                                     // @g.us
    withValue(0xfa, 0xfa, 0xfc, 1, 0x61, 0xfc, 1, 0x62, 0x1c),   // JID_PAIR(JID_PAIR(a, b), g.us)
    withValue(0xfa, 0xf7, 1, 2, ...u, 0x03),                      // a JID as a JID's user
    withValue(0xff, 0x80), withValue(0xfb, 0x81, 0xab),           // empty odd nibble, hex "A"
    withValue(0xff, 0x02, 0x1f, 0xf1),                            // nibble 15 mid-string: a NUL char
    withValue(0xfd, 0xf0, 0x00, 0x01, 0x41),                      // BINARY_20 ignoring the top nibble
    withValue(0xee, 0x3c), withValue(0xef, 0xff)                  // double tokens
  ]
  const h = new Helper()
  try {
    const ours = await decodeAll(h, payloads)
    for (let i = 0; i < payloads.length; i++) {
      const want = canonBaileys(await decodeBinaryNode(payloads[i]))
      assert.equal(typeof ours[i], 'string', `payload ${i}: ${JSON.stringify(ours[i])}`)
      assert.deepStrictEqual(canonJson(JSON.parse(ours[i])), want, `payload ${i}`)
    }
  } finally { await h.close() }
})

test('raw strings that are not UTF-8 read as Node reads them (U+FFFD)', async () => {
  const r = rng(SEED + 1)
  const payloads = []
  for (let i = 0; i < 500; i++) {
    const n = r.int(0, 40)
    const s = r.chance(0.5) ? r.bytes(n) : Buffer.from(Array.from({ length: n }, () => r.pick([0x41, 0x80, 0xbf, 0xc0, 0xc2, 0xe0, 0xed, 0xa0, 0xf0, 0x90, 0xf4, 0x8f, 0xf5, 0xff, 0xe2, 0x82, 0xac])))
    payloads.push(withValue(0xfc, s.length, ...s))
  }
  const h = new Helper()
  try {
    const ours = await decodeAll(h, payloads)
    for (let i = 0; i < payloads.length; i++) {
      const want = canonBaileys(await decodeBinaryNode(payloads[i]))
      assert.deepStrictEqual(canonJson(JSON.parse(ours[i])), want, `payload ${i}: ${payloads[i].toString('hex')}`)
    }
  } finally { await h.close() }
})

test('mutated payloads: whenever both decoders accept one, they agree', async (t) => {
  const r = rng(SEED + 2)
  const base = makeTrees(300).map((tr) => encodeBinaryNode(tr)).filter((p) => p.length < 4000)
  const payloads = []
  for (let i = 0; i < 3000; i++) {
    const p = Buffer.from(r.pick(base))
    const flips = r.int(1, 3)
    for (let k = 0; k < flips; k++) p[r.int(1, p.length - 1)] = r.chance(0.5) ? r.int(0, 255) : r.pick([0, 236, 240, 245, 246, 247, 248, 249, 250, 251, 252, 253, 254, 255])
    payloads.push(r.chance(0.2) ? p.subarray(0, r.int(1, p.length)) : p)
  }
  const h = new Helper()
  const why = {}
  let both = 0; let neither = 0; let onlyOurs = 0
  try {
    const ours = await decodeAll(h, payloads)
    for (let i = 0; i < payloads.length; i++) {
      let theirs
      try { theirs = canonBaileys(await decodeBinaryNode(payloads[i])) } catch { theirs = null }
      const mine = typeof ours[i] === 'string' ? canonJson(JSON.parse(ours[i])) : null
      if (theirs && mine) { both++; assert.deepStrictEqual(mine, theirs, `payload ${i}: ${payloads[i].toString('hex')}`) } else if (!theirs && !mine) neither++
      else if (mine) onlyOurs++
      else { const k = ours[i].error.replace(/[0-9]+/g, 'N'); why[k] = (why[k] || 0) + 1 }
    }
    // Baileys never rejects what we accept (it is the looser reader) ...
    assert.equal(onlyOurs, 0)
    // ... and we reject what it accepts only for documented reasons: trailing bytes after the
    // node, which Baileys ignores (whatsmeow refuses them too).
    for (const k of Object.keys(why)) assert.match(k, /bytes after the node/, `unexpected rejection: ${k}`)
    t.diagnostic(`${payloads.length} mutated payloads: ${both} accepted by both and equal, ${neither} rejected by both, only Baileys accepted: ${JSON.stringify(why)}`)
  } finally { await h.close() }
})

// ---- the CLI ------------------------------------------------------------------------------

function run (args, input) {
  return new Promise((resolve, reject) => {
    const p = spawn(wabotPath(), args, { stdio: ['pipe', 'pipe', 'pipe'] })
    const out = []; const err = []
    p.stdout.on('data', (d) => out.push(d))
    p.stderr.on('data', (d) => err.push(d))
    p.on('error', reject)
    p.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() }))
    p.stdin.on('error', () => {}) // the process may exit before reading everything
    p.stdin.end(input)
  })
}

async function pool (items, width, fn) {
  const results = new Array(items.length)
  let next = 0
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) { const i = next++; results[i] = await fn(items[i], i) }
  }))
  return results
}

test('wabot node decode/encode: 150 trees through the CLI in both directions', async (t) => {
  const trees = makeTrees(150).map((tr, i) => i === 7 ? { tag: 'big', attrs: {}, content: Buffer.alloc(1 << 20, 7) } : tr)
  let cases = 0
  await pool(trees, 2, async (tree, i) => {
    const payload = payloadOf(tree, i % 2 === 0)
    const dec = await run(['node', 'decode'], payload)
    assert.equal(dec.code, 0, `tree ${i}: ${dec.stderr}`)
    const json = JSON.parse(dec.stdout.toString())
    assert.deepStrictEqual(canonJson(json), canonBaileys(await decodeBinaryNode(payload)), `tree ${i}`)
    const enc = await run(['node', 'encode'], dec.stdout)
    assert.equal(enc.code, 0, `tree ${i}: ${enc.stderr}`)
    assert.deepStrictEqual(canonBaileys(await decodeBinaryNode(enc.stdout)), canonJson(json), `tree ${i} re-encoded`)
    cases += 2
  })
  const xml = await run(['node', 'decode', '--xml'], encodeBinaryNode({ tag: 'iq', attrs: { id: '1', type: 'get' }, content: [{ tag: 'ping', attrs: {} }] }))
  assert.equal(xml.stdout.toString(), '<iq id="1" type="get"><ping/></iq>\n')
  t.diagnostic(`${cases + 1} CLI runs`)
})

test('wabot node: bad input exits non-zero with one line naming the problem and the byte', async () => {
  const msg = encodeBinaryNode({ tag: 'message', attrs: { id: 'ABC', t: '123' }, content: [{ tag: 'enc', attrs: {}, content: Buffer.alloc(40) }] })
  let deep = Buffer.from([248, 1, 0x19])
  for (let i = 0; i < 70; i++) deep = Buffer.concat([Buffer.from([248, 2, 0x19, 248, 1]), deep])
  const cases = [
    [['decode'], Buffer.alloc(0), /^wabot: node decode: byte 0: empty payload/],
    [['decode'], Buffer.from([0, 248, 1, 243]), /^wabot: node decode: byte 3: unknown tag 243$/],
    [['decode'], msg.subarray(0, 20), /^wabot: node decode: byte \d+: .*(ended|announced)/],
    [['decode'], Buffer.from([0, 248, 2, 0x19, 255, 1, 0xc1]), /^wabot: node decode: byte 6: bad nibble 12$/],
    [['decode'], Buffer.concat([Buffer.from([0]), deep]), /^wabot: node decode: byte \d+: nodes nested deeper than 64 levels$/],
    [['decode'], Buffer.concat([msg, Buffer.from([1, 2])]), /^wabot: node decode: byte \d+: 2 bytes after the node$/],
    [['decode'], Buffer.from([0, 248, 2, 0x19, 248, 255]), /^wabot: node decode: byte 4: list too long/],
    [['decode'], Buffer.concat([Buffer.from([2]), deflateSync(Buffer.alloc((16 << 20) + 10))]), /^wabot: node decode: byte 1: inflated payload over 16777216 bytes$/],
    [['decode'], Buffer.from([2, 1, 2, 3, 4]), /^wabot: node decode: byte \d+: compressed payload/],
    [['decode'], Buffer.concat([Buffer.from([2]), deflateSync(Buffer.from([248, 1, 243]))]), /^wabot: node decode: byte 2: inflated payload: unknown tag 243$/],
    [['encode'], Buffer.from('{"tag": "iq", '), /^wabot: node encode: byte 13: not valid JSON$/],
    [['encode'], Buffer.from('{"tag": "iq", "content": [{"tag": "x", "attrs": {"id": 1}}]}'), /^wabot: node encode: content\[0\]\.attrs\.id: not a string$/],
    [['encode'], Buffer.from('{"tag": ""}'), /^wabot: node encode: tag must be a non-empty string$/],
    [['encode'], Buffer.from('{"tag": "x", "content": {"base64": "%%"}}'), /^wabot: node encode: content: base64 is not valid base64$/],
    [['frobnicate'], Buffer.alloc(0), /usage: wabot node/]
  ]
  for (const [args, input, want] of cases) {
    const r = await run(['node', ...args], input)
    assert.notEqual(r.code, 0, `${args} ${want}`)
    assert.match(r.stderr.trimEnd(), want)
    if (args[0] !== 'frobnicate') assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr)
    assert.equal(r.stdout.length, 0)
  }
})
