// Writes the seed corpora of fuzz_binary_decode and fuzz_node_json
// (tests/fuzz/corpus/<target>/): real stanza shapes (tests/interop/lib/stanzas.mjs) encoded by
// Baileys, as plain and zlib-compressed payloads, plus hand-made JID forms Baileys cannot write;
// and the JSON form of the same stanzas.
// Run: node tests/fuzz/make_binary_corpus.mjs (after scripts/setup).
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { deflateSync } from 'node:zlib'
import { encodeBinaryNode } from '../interop/node_modules/@whiskeysockets/baileys/lib/WABinary/encode.js'
import { repoRoot } from '../interop/lib/paths.mjs'
import { deliveredMessage, otherStanzas, seededBytes, toJsonForm, usyncResult } from '../interop/lib/stanzas.mjs'

const dir = (name) => { const d = join(repoRoot, 'tests', 'fuzz', 'corpus', name); mkdirSync(d, { recursive: true }); return d }
const bin = dir('fuzz_binary_decode')
const json = dir('fuzz_node_json')

const bytes = seededBytes(7)
const stanzas = { message: deliveredMessage(bytes), 'usync-3': usyncResult(bytes, 3), ...otherStanzas(bytes) }

for (const [name, node] of Object.entries(stanzas)) {
  const payload = encodeBinaryNode(node)
  writeFileSync(join(bin, name), payload)
  writeFileSync(join(json, `${name}.json`), JSON.stringify(toJsonForm(node)))
}
for (const name of ['message', 'receipt-list', 'prekeys']) {
  const payload = encodeBinaryNode(stanzas[name])
  writeFileSync(join(bin, `${name}-zlib`), Buffer.concat([Buffer.from([2]), deflateSync(payload.subarray(1))]))
}
// <x a=...> with JID forms only whatsmeow writes: FB_JID, INTEROP_JID, AD_JID with odd domains
const withValue = (...value) => Buffer.from([0, 248, 3, 0xfc, 1, 0x78, 0xfc, 1, 0x61, ...value])
writeFileSync(join(bin, 'fb-jid'), withValue(0xf6, 0xfc, 1, 0x75, 0, 7, 0xcc))
writeFileSync(join(bin, 'interop-jid'), withValue(0xf5, 0xfc, 1, 0x75, 0, 5, 1, 2, 0xfc, 7, ...Buffer.from('interop')))
writeFileSync(join(bin, 'ad-jid-domain-5'), withValue(0xf7, 5, 3, 0xfc, 1, 0x75))
writeFileSync(join(bin, 'nested-jid'), withValue(0xfa, 0xfa, 0xfc, 1, 0x61, 0xfc, 1, 0x62, 0x1c))
writeFileSync(join(bin, 'binary-20'), Buffer.concat([Buffer.from([0, 248, 2, 0x19, 0xfd, 0, 1, 0]), Buffer.alloc(256, 0x41)]))
writeFileSync(join(json, 'odd-strings.json'), JSON.stringify({ tag: 'x', attrs: { a: '1:300@s.whatsapp.net', b: 'u:0@msgr', c: '7-u:5@interop', d: '', e: '😀 ü', f: '12345678901234567890', g: 'ABCDEF', h: 'a@b@c' }, content: [] }))
