// The Node side of bench_runtime.c: Baileys' sock.ev (makeEventBuffer, what makeWASocket
// returns as sock.ev) delivering events into a JS listener, 1,000 per operation.
//   dispatch          emit({type: 'notify', n: i}) on 'messages.upsert'
//   dispatch-message  the same WebMessageInfo as the C side, decoded from its bytes with Baileys'
//                     protobufjs (proto.WebMessageInfo.decode) and emitted as
//                     {type: 'notify', messages: [m]}
import { makeEventBuffer } from '../../interop/node_modules/@whiskeysockets/baileys/lib/Utils/event-buffer.js'
import { proto } from '../../interop/node_modules/@whiskeysockets/baileys/WAProto/index.js'
import { measure } from './measure.mjs'

const BATCH = 1000
const logger = { trace () {}, debug () {}, info () {}, warn () {}, error () {}, child () { return logger } }

const wmiBytes = proto.WebMessageInfo.encode({
  key: { remoteJid: '15551234567@s.whatsapp.net', id: '3EB0C767D26A1D3A5B4E', fromMe: false },
  message: { conversation: 'hello from the benchmark' },
  messageTimestamp: 1700000000,
  pushName: 'Bench'
}).finish()

function dispatch (makePayload) {
  const ev = makeEventBuffer(logger)
  let handled = 0
  ev.on('messages.upsert', (up) => {
    const m = up.messages && up.messages[0]
    if (up.type === 'notify' && (!m || m.message.conversation)) handled++
  })
  return measure(() => {
    const want = handled + BATCH
    for (let i = 0; i < BATCH; i++) ev.emit('messages.upsert', makePayload(i))
    if (handled !== want) throw new Error('lost events')
  }, 2).then((ops) => ops * BATCH)
}

export default {
  dispatch: () => dispatch((i) => ({ type: 'notify', n: i })),
  'dispatch-message': () => dispatch(() => ({ type: 'notify', messages: [proto.WebMessageInfo.decode(wmiBytes)] }))
}
