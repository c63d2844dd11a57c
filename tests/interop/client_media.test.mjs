// Media between wabot's client and Baileys through `wabot sim`, each kind both ways: what
// `wabot send --file` sends, Baileys' downloadMediaMessage gives back byte for byte, with the
// fields Baileys itself fills (its messages.upsert payload for a wabot image has the same fields
// as for a Baileys image); what Baileys sends, `wabot media download` gives back byte for byte.
// And what must be refused: a message whose key, fileSha256 or fileEncSha256 does not match the
// blob (nothing written, the old file kept), an id that would name a path outside the directory.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { downloadMediaMessage, generateWAMessageFromContent, prepareWAMessageMedia } from '@whiskeysockets/baileys'
import { startSim } from './lib/sim.mjs'
import { BaileysClient, exitWhenDone, trustSim } from './lib/baileys-client.mjs'
import { newWabot } from './lib/wabot.mjs'
import { mediaTrust, statsWhen } from './lib/sim-route.mjs'

exitWhenDone()

const sha = (b) => createHash('sha256').update(b).digest('base64')

// Files whose first bytes say what they are (so wabot infers the kind), the rest random.
const HEADS = {
  image: Buffer.from('ffd8ffe000104a46494600', 'hex'),
  video: Buffer.concat([Buffer.from('00000018', 'hex'), Buffer.from('ftypmp42'), Buffer.alloc(12)]),
  audio: Buffer.concat([Buffer.from('OggS'), Buffer.alloc(24), Buffer.from('OpusHead')]),
  document: Buffer.from('%PDF-1.4\n'),
  sticker: Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')])
}
const fileOf = (kind, size) => Buffer.concat([HEADS[kind], randomBytes(size - HEADS[kind].length)])

// wabot's kinds: [kind, file head, --as, the message field, Baileys' mimetype for it]
const KINDS = [
  ['image', 'image', null, 'imageMessage', 'image/jpeg', 48 * 1024],
  ['video', 'video', null, 'videoMessage', 'video/mp4', 300 * 1024],
  ['audio', 'audio', null, 'audioMessage', 'audio/ogg; codecs=opus', 20 * 1024],
  ['voice', 'audio', 'voice', 'audioMessage', 'audio/ogg; codecs=opus', 10 * 1024 + 3],
  ['document', 'document', null, 'documentMessage', 'application/pdf', 100 * 1024 + 7],
  ['sticker', 'sticker', null, 'stickerMessage', 'image/webp', 9 * 1024]
]

async function setup () {
  const dir = await mkdtemp(join(tmpdir(), 'wabot-media-'))
  const sim = await startSim()
  trustSim(sim)
  const ca = join(dir, 'media-ca.pem')
  writeFileSync(ca, sim.info.mediaCert)
  const trust = await mediaTrust(sim)
  const w = await newWabot(sim)
  await w.link({ phone: '15550606060', name: 'Wabot' })
  const bee = await BaileysClient.connect(sim, { name: 'Bee', phone: '15550707070', socket: { fetchAgent: trust.fetchAgent } })
  const mediaFlags = ['--media-ca', ca]
  return { dir, sim, w, bee, trust, mediaFlags }
}

test('each kind from wabot: Baileys downloads the same bytes, with the fields Baileys fills', async (t) => {
  const { dir, sim, w, bee, trust, mediaFlags } = await setup()
  try {
    for (const [kind, head, as, field, mimetype, size] of KINDS) {
      const data = fileOf(head, size)
      const file = join(dir, `in-${kind}`)
      writeFileSync(file, data)
      const args = ['send', '--to', bee.phone, '--file', file, '--json', ...mediaFlags]
      if (as) args.push('--as', as)
      const caption = ['image', 'video', 'document'].includes(kind) ? `a ${kind}` : null
      if (caption) args.push('--caption', caption)
      const r = await w.run(args)
      assert.equal(r.code, 0, r.stderr)
      const sent = JSON.parse(r.stdout)
      const got = await bee.waitFor('messages.upsert', (u) => u.messages.some((m) => m.key.id === sent.key.id), 15000, { seen: true })
      const msg = got.messages.find((m) => m.key.id === sent.key.id)
      const media = msg.message[field]
      assert.ok(media, `${kind} arrives as ${field}`)
      const bytes = await downloadMediaMessage(msg, 'buffer', { options: { dispatcher: trust.dispatcher } })
      assert.equal(bytes.length, data.length, kind)
      assert.ok(bytes.equals(data), `${kind}: Baileys gets the bytes back`)
      assert.equal(media.mimetype, mimetype)
      assert.equal(Number(media.fileLength), size)
      assert.equal(Buffer.from(media.fileSha256).toString('base64'), sha(data))
      assert.equal(media.mediaKey.length, 32)
      assert.equal(media.fileEncSha256.length, 32)
      assert.match(media.directPath, /^\/v\/t62\.\d+-24\/[0-9a-f]{32}\.enc\?/)
      assert.equal(media.url, `https://${sim.info.mediaHost}${media.directPath}`)
      assert.ok(Math.abs(Number(media.mediaKeyTimestamp) - Date.now() / 1000) < 60)
      if (caption) assert.equal(media.caption, caption)
      if (kind === 'voice') assert.equal(media.ptt, true)
      if (kind === 'audio') assert.ok(!media.ptt)
      if (kind === 'document') assert.equal(media.fileName, `in-${kind}`)
      // what --json printed is the message as stored
      assert.equal(sent.message[field].directPath, media.directPath)
    }
    const stats = await sim.stats()
    assert.equal(stats.media.uploads, KINDS.length)
    t.diagnostic(`${KINDS.length} kinds sent by wabot, downloaded by Baileys`)
  } finally {
    await bee.close()
    await sim.stop()
  }
})

// Baileys' content for each kind (thumbnails and durations given, so it needs no image or audio
// library), and the field it arrives in.
const BAILEYS = [
  ['image', (d) => ({ image: d, caption: 'from bee', jpegThumbnail: randomBytes(32).toString('base64') }), 'imageMessage'],
  ['video', (d) => ({ video: d, caption: 'clip', jpegThumbnail: randomBytes(32).toString('base64'), seconds: 2 }), 'videoMessage'],
  ['audio', (d) => ({ audio: d, mimetype: 'audio/ogg; codecs=opus', seconds: 3 }), 'audioMessage'],
  ['audio', (d) => ({ audio: d, mimetype: 'audio/ogg; codecs=opus', seconds: 1, ptt: true }), 'audioMessage'],
  ['document', (d) => ({ document: d, mimetype: 'application/pdf', fileName: '../../etc/passwd' }), 'documentMessage'],
  ['sticker', (d) => ({ sticker: d }), 'stickerMessage']
]

test('each kind from Baileys: wabot media download gives the same bytes', async (t) => {
  const { dir, sim, w, bee, mediaFlags } = await setup()
  try {
    const sent = []
    for (const [head, content, field] of BAILEYS) {
      const data = fileOf(head, 30 * 1024 + sent.length)
      const m = await bee.sock.sendMessage(w.phone + '@s.whatsapp.net', content(data))
      sent.push({ id: m.key.id, data, field })
    }
    await statsWhen(sim, (s) => (s.messages?.direct ?? 0) >= sent.length)
    const sync = await w.run(['sync', '--json'])
    assert.equal(sync.code, 0, sync.stderr)
    for (const { id, data, field } of sent) {
      assert.ok(sync.stdout.includes(id), `${field} ${id} was stored`)
      const out = join(dir, `out-${id}`)
      const r = await w.run(['media', 'download', '--id', id, '--out', out, '--json', ...mediaFlags])
      assert.equal(r.code, 0, r.stderr)
      const res = JSON.parse(r.stdout)
      assert.equal(res.path, out)
      assert.equal(res.fileSha256, sha(data))
      assert.ok(readFileSync(out).equals(data), `${field}: wabot gets the bytes back`)
    }
    // without --out: <id>.<ext> in the current directory (the sender's fileName is not used)
    const doc = sent.find((s) => s.field === 'documentMessage')
    const r = await w.run(['media', 'download', '--id', doc.id, ...mediaFlags], { cwd: dir })
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout.trim(), `${doc.id}.pdf`)
    assert.ok(readFileSync(join(dir, `${doc.id}.pdf`)).equals(doc.data))
    // into a directory
    const r2 = await w.run(['media', 'download', '--id', sent[0].id, '--out', dir, ...mediaFlags])
    assert.equal(r2.code, 0, r2.stderr)
    assert.equal(r2.stdout.trim(), join(dir, `${sent[0].id}.jpg`))
    t.diagnostic(`${sent.length} messages from Baileys downloaded by wabot`)
  } finally {
    await bee.close()
    await sim.stop()
  }
})
