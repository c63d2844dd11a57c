// Seeds for fuzz_media_decrypt: each case of tests/vectors/media_vectors.txt (Baileys' blobs) as
// [type][piece][flags][media key][fileSha256][blob], with a few piece sizes and both checks on.
//   node tests/fuzz/make_media_corpus.mjs
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
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
