// The Baileys side of the codec benchmarks (tests/bench/bench_codec.c is the wabot side), on the
// same payloads: decode = node bytes after the flag byte -> tree (decodeDecompressedBinaryNode),
// encode = that tree -> bytes (encodeBinaryNode). Each timed call does BATCH operations so the
// harness's per-call await does not count against Baileys.
import * as constants from '../../interop/node_modules/@whiskeysockets/baileys/lib/WABinary/constants.js'
import { decodeDecompressedBinaryNode } from '../../interop/node_modules/@whiskeysockets/baileys/lib/WABinary/decode.js'
import { encodeBinaryNode } from '../../interop/node_modules/@whiskeysockets/baileys/lib/WABinary/encode.js'
import { measure, readData } from './measure.mjs'

const BATCH = 10

function pair (file) {
  const body = readData(file).subarray(1)
  const tree = decodeDecompressedBinaryNode(body, constants)
  return {
    decode: async () => (await measure(() => { for (let i = 0; i < BATCH; i++) decodeDecompressedBinaryNode(body, constants) })) * BATCH,
    encode: async () => (await measure(() => { for (let i = 0; i < BATCH; i++) encodeBinaryNode(tree) })) * BATCH
  }
}

const msg = pair('codec-msg.bin')
const usync = pair('codec-usync.bin')

export default {
  'codec-decode-msg': msg.decode,
  'codec-encode-msg': msg.encode,
  'codec-decode-usync': usync.decode,
  'codec-encode-usync': usync.encode
}
