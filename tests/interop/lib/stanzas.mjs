// Realistic stanzas in Baileys' node shape ({tag, attrs, content}), following the transcripts in
// the protocol notes (NOTES.md §3, §6): what a server delivers and a client sends. Deterministic
// (seeded bytes), so the files made from them (fuzz seeds, bench inputs) can be committed and
// regenerated identically. Used by tests/fuzz/make_binary_corpus.mjs,
// tests/bench/node/make_codec_data.mjs and tests/interop/binary.test.mjs.

// A node in Baileys' shape -> the JSON form of `wabot node` (json.h): Buffers as {base64}.
export function toJsonForm (n) {
  const out = { tag: n.tag, attrs: n.attrs }
  if (n.content === undefined) return out
  if (Array.isArray(n.content)) out.content = n.content.map(toJsonForm)
  else if (typeof n.content === 'string') out.content = n.content
  else out.content = { base64: Buffer.from(n.content).toString('base64') }
  return out
}

// Deterministic bytes: a small xorshift generator.
export function seededBytes (seed) {
  let s = seed >>> 0 || 1
  return (n) => {
    const b = Buffer.alloc(n)
    for (let i = 0; i < n; i++) {
      s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0
      b[i] = s & 255
    }
    return b
  }
}

const hexId = (bytes) => '3EB0' + bytes(8).toString('hex').toUpperCase()

// §6.2: a 1:1 message as the server delivers it to the recipient device. encLength sets the
// ciphertext size (the default gives a 268-byte payload).
export function deliveredMessage (bytes, encLength = 177) {
  return {
    tag: 'message',
    attrs: {
      from: '15550001111:1@s.whatsapp.net',
      id: hexId(bytes),
      t: '1700000123',
      type: 'text',
      notify: 'Alice Example',
      sender_lid: '100000743590627:1@lid'
    },
    content: [{ tag: 'enc', attrs: { v: '2', type: 'msg' }, content: bytes(encLength) }]
  }
}

// §6.1: the answer to a usync device query for `users` users.
export function usyncResult (bytes, users = 500) {
  const list = []
  for (let i = 0; i < users; i++) {
    const pn = String(15550000000 + i * 7919)
    const devices = [{ tag: 'device', attrs: { id: '0' } }]
    const n = 1 + (i % 3)
    for (let d = 1; d <= n; d++) devices.push({ tag: 'device', attrs: { id: String(d), 'key-index': String(d + (i % 5)) } })
    list.push({
      tag: 'user',
      attrs: { jid: `${pn}@s.whatsapp.net` },
      content: [
        { tag: 'devices', attrs: {}, content: [{ tag: 'device-list', attrs: {}, content: devices }] },
        { tag: 'lid', attrs: { val: `${100000000000000 + i * 104729}@lid` } }
      ]
    })
  }
  return {
    tag: 'iq',
    attrs: { from: '@s.whatsapp.net', type: 'result', id: hexId(bytes) },
    content: [{
      tag: 'usync',
      attrs: { sid: hexId(bytes), index: '0', last: 'true', mode: 'query', context: 'message' },
      content: [{ tag: 'list', attrs: {}, content: list }]
    }]
  }
}

// A handful of other shapes: pairing, login, receipts, acks, prekeys, groups, errors.
export function otherStanzas (bytes) {
  const ref = () => bytes(48).toString('base64')
  return {
    ping: { tag: 'iq', attrs: { id: '1', type: 'get', xmlns: 'w:p', to: '@s.whatsapp.net' }, content: [{ tag: 'ping', attrs: {} }] },
    'pair-device': {
      tag: 'iq',
      attrs: { from: '@s.whatsapp.net', type: 'set', id: hexId(bytes), xmlns: 'md' },
      content: [{ tag: 'pair-device', attrs: {}, content: [1, 2, 3, 4, 5, 6].map(() => ({ tag: 'ref', attrs: {}, content: Buffer.from(ref()) })) }]
    },
    success: { tag: 'success', attrs: { t: '1700000000', props: '26', abprops: '14', location: 'frc', creation: '1699999000', lid: '100000743590627:1@lid', display_name: 'Bob' } },
    receipt: { tag: 'receipt', attrs: { from: '15550002222@s.whatsapp.net', id: hexId(bytes), t: '1700000200', type: 'read' } },
    'receipt-list': { tag: 'receipt', attrs: { from: '15550002222@s.whatsapp.net', id: hexId(bytes), t: '1700000200' }, content: [{ tag: 'list', attrs: {}, content: [{ tag: 'item', attrs: { id: hexId(bytes) } }, { tag: 'item', attrs: { id: hexId(bytes) } }] }] },
    ack: { tag: 'ack', attrs: { class: 'message', id: hexId(bytes), from: '15550002222@s.whatsapp.net', t: '1700000201' } },
    'send-pkmsg': {
      tag: 'message',
      attrs: { id: hexId(bytes), to: '15550002222@s.whatsapp.net', type: 'text' },
      content: [
        { tag: 'participants', attrs: {}, content: [{ tag: 'to', attrs: { jid: '15550002222:1@s.whatsapp.net' }, content: [{ tag: 'enc', attrs: { v: '2', type: 'pkmsg' }, content: bytes(250) }] }] },
        { tag: 'device-identity', attrs: {}, content: bytes(160) }
      ]
    },
    'group-message': {
      tag: 'message',
      attrs: { from: '120363021234567890@g.us', participant: '15550001111:1@s.whatsapp.net', addressing_mode: 'pn', id: hexId(bytes), t: '1700000300', type: 'text', notify: 'Alice' },
      content: [{ tag: 'enc', attrs: { v: '2', type: 'skmsg' }, content: bytes(90) }]
    },
    prekeys: {
      tag: 'iq',
      attrs: { from: '@s.whatsapp.net', type: 'result', id: hexId(bytes) },
      content: [{ tag: 'list', attrs: {}, content: [{ tag: 'user', attrs: { jid: '100000852000460:1@lid' }, content: [
        { tag: 'registration', attrs: {}, content: bytes(4) }, { tag: 'type', attrs: {}, content: Buffer.from([5]) },
        { tag: 'identity', attrs: {}, content: bytes(32) },
        { tag: 'skey', attrs: {}, content: [{ tag: 'id', attrs: {}, content: bytes(3) }, { tag: 'value', attrs: {}, content: bytes(32) }, { tag: 'signature', attrs: {}, content: bytes(64) }] },
        { tag: 'key', attrs: {}, content: [{ tag: 'id', attrs: {}, content: bytes(3) }, { tag: 'value', attrs: {}, content: bytes(32) }] }] }] }]
    },
    'stream-error': { tag: 'stream:error', attrs: { code: '515' } },
    failure: { tag: 'failure', attrs: { reason: '401', location: 'frc' } },
    'group-metadata': {
      tag: 'iq',
      attrs: { from: '120363021234567890@g.us', type: 'result', id: hexId(bytes) },
      content: [{ tag: 'group', attrs: { id: '120363021234567890', subject: 'Friends ✨', creation: '1690000000', creator: '15550001111@s.whatsapp.net', s_t: '1690000001', s_o: '15550001111@s.whatsapp.net', addressing_mode: 'pn', size: '2' },
        content: [{ tag: 'participant', attrs: { jid: '15550001111@s.whatsapp.net', type: 'superadmin' } }, { tag: 'participant', attrs: { jid: '15550002222@s.whatsapp.net' } }] }]
    },
    'hosted-and-interop': { tag: 'notification', attrs: { from: '5:99@hosted', participant: '7:99@hosted.lid', id: '123', t: '1' }, content: '1-2:3@interop' }
  }
}
