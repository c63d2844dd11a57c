// Seeds for fuzz_media_decrypt: each case of tests/vectors/media_vectors.txt (Baileys' blobs) as
// [type][piece][flags][media key][fileSha256][blob], with a few piece sizes and both checks on;
// and for fuzz_media_message: media messages as Baileys' proto encodes them (each kind, one
// inside wrappers, one with a hostile directPath).
//   node tests/fuzz/make_media_corpus.mjs
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const out = join(here, 'corpus', 'fuzz_media_decrypt')
mkdirSync(out, { recursive: true })
const types = ['image', 'video', 'audio', 'document', 'sticker', 'ptt']
let c = null
const cases = []
for (const line of readFileSync(join(here, '..', 'vectors', 'media_vectors.txt'), 'utf8').split('\n')) {
  const [k, v = ''] = line.split(/ (.*)/)
  if (k === 'case') { c = { type: v.split(' ')[0], size: Number(v.split(' ')[1]) }; cases.push(c) } else if (c) c[k] = v
}
const pieces = [0, 1, 16, 27]
cases.forEach((c, i) => {
  if (c.size > 5000) return // the fuzzer needs small inputs
  const head = Buffer.from([types.indexOf(c.type), pieces[i % pieces.length], 3])
  const seed = Buffer.concat([head, Buffer.from(c.media_key, 'hex'), Buffer.from(c.file_sha256, 'hex'), Buffer.from(c.blob, 'hex')])
  writeFileSync(join(out, `${c.type}-${c.size}`), seed)
})
console.log(`wrote seeds to ${out}`)

const { proto } = await import('../interop/node_modules/@whiskeysockets/baileys/lib/index.js')
const msgOut = join(here, 'corpus', 'fuzz_media_message')
mkdirSync(msgOut, { recursive: true })
const file = (extra) => ({
  url: 'https://mmg.whatsapp.net/v/t62.7118-24/abc.enc?oh=1', directPath: '/v/t62.7118-24/abc.enc?oh=1',
  mediaKey: randomBytes(32), fileSha256: randomBytes(32), fileEncSha256: randomBytes(32),
  fileLength: 1234, mediaKeyTimestamp: 1750000000, ...extra
})
const seeds = {
  image: { imageMessage: file({ mimetype: 'image/jpeg', caption: 'hi', width: 3, height: 2 }) },
  video: { videoMessage: file({ mimetype: 'video/mp4', seconds: 2 }) },
  voice: { audioMessage: file({ mimetype: 'audio/ogg; codecs=opus', ptt: true, seconds: 1 }) },
  document: { documentMessage: file({ mimetype: 'application/pdf', fileName: '../../x.pdf' }) },
  sticker: { stickerMessage: file({ mimetype: 'image/webp' }) },
  wrapped: { ephemeralMessage: { message: { viewOnceMessage: { message: { imageMessage: file({}) } } } } },
  'hostile-path': { imageMessage: file({ directPath: '/v/x y#z\\w' }) },
  'short-key': { imageMessage: file({ mediaKey: randomBytes(7) }) },
  jpeg: null
}
for (const [name, m] of Object.entries(seeds)) {
  const bytes = m ? proto.Message.encode(m).finish() : Buffer.from('ffd8ffe000104a464946', 'hex')
  writeFileSync(join(msgOut, name), bytes)
}
console.log(`wrote seeds to ${msgOut}`)
