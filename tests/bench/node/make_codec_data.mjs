// Writes the inputs of the codec benchmarks (tests/bench/data/codec-*.bin), as Baileys encodes
// them: a 268-byte delivered message stanza (NOTES.md §6.2) and a 500-user usync result (§6.1).
// Each file is a transport payload: flag byte 0, then the node bytes. Deterministic.
// Run: node tests/bench/node/make_codec_data.mjs (after scripts/setup).
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { encodeBinaryNode } from '../../interop/node_modules/@whiskeysockets/baileys/lib/WABinary/encode.js'
import { deliveredMessage, seededBytes, usyncResult } from '../../interop/lib/stanzas.mjs'
import { dataDir } from './measure.mjs'

const bytes = seededBytes(42)
const files = { 'codec-msg.bin': deliveredMessage(bytes), 'codec-usync.bin': usyncResult(bytes, 500) }
for (const [name, node] of Object.entries(files)) {
  const payload = encodeBinaryNode(node)
  writeFileSync(join(dataDir, name), payload)
  console.log(`${name}: ${payload.length} bytes`)
}
