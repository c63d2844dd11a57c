// The Node side of bench_ws.c: the ws package (Baileys' websocket library) on 300-byte binary
// messages.
//   ws-recv-64x300  ws's Receiver (server side) decoding the same 64-frame stream
//   ws-send-300     ws's Sender.frame masking one 300-byte message into a new buffer, as
//                   ws.send(buffer) does for Baileys
import { createRequire } from 'node:module'
import { measure } from './measure.mjs'

const require = createRequire(new URL('../../interop/package.json', import.meta.url))
const { Receiver, Sender } = require('ws')

const MSG = 300
const FRAMES = 64

function buildStream () {
  const mask = [1, 2, 3, 4]
  const parts = []
  for (let f = 0; f < FRAMES; f++) {
    parts.push(Buffer.from([0x82, 0x80 | 126, MSG >> 8, MSG & 0xff, 1, 2, 3, 4]))
    const p = Buffer.alloc(MSG)
    for (let i = 0; i < MSG; i++) p[i] = ((i * 7 + f) & 255) ^ mask[i % 4]
    parts.push(p)
  }
  return Buffer.concat(parts)
}

export default {
  'ws-recv-64x300': async () => {
    const stream = buildStream()
    const r = new Receiver({ binaryType: 'nodebuffer', isServer: true, maxPayload: 16 << 20, extensions: {} })
    let messages = 0
    r.on('message', () => { messages++ })
    return measure(() => {
      const before = messages
      r.write(stream) // ws unmasks in place; the bytes stay valid frames, so the buffer is reused
      if (messages - before !== FRAMES) throw new Error('lost messages')
    }, 1)
  },
  'ws-send-300': async () => {
    const msg = Buffer.from(Array.from({ length: MSG }, (_, i) => (i * 7) & 255))
    let bytes = 0
    return measure(() => {
      const parts = Sender.frame(msg, { fin: true, mask: true, opcode: 2, readOnly: true, rsv1: false })
      bytes += parts.reduce((n, p) => n + p.length, 0)
    }, 1)
  }
}
