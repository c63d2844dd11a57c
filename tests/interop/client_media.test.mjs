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
import { wabotPath } from './lib/paths.mjs'
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

// The fields of a message payload, recursively, as sorted paths ("imageMessage.caption", ...).
function fieldPaths (o, prefix = '') {
  const out = []
  for (const [k, v] of Object.entries(o ?? {})) {
    if (v === null || v === undefined) continue
    const p = prefix ? `${prefix}.${k}` : k
    if (typeof v === 'object' && !Buffer.isBuffer(v) && !(v instanceof Uint8Array) && typeof v.low !== 'number') out.push(...fieldPaths(v, p))
    else out.push(p)
  }
  return out.sort()
}

test('an image from wabot and one from Baileys: the same payload fields in Baileys\' messages.upsert', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'wabot-media-cmp-'))
  const log = join(dir, 'stanzas.log')
  const sim = await startSim({ stanzaLog: log })
  trustSim(sim)
  const trust = await mediaTrust(sim)
  const ca = join(dir, 'media-ca.pem')
  writeFileSync(ca, sim.info.mediaCert)
  let bee, cee
  try {
    const w = await newWabot(sim)
    await w.link({ phone: '15550808080', name: 'Wabot' })
    bee = await BaileysClient.connect(sim, { name: 'Bee', phone: '15550909090', socket: { fetchAgent: trust.fetchAgent } })
    cee = await BaileysClient.connect(sim, { name: 'Cee', phone: '15551010101', socket: { fetchAgent: trust.fetchAgent } })
    const data = fileOf('image', 20 * 1024)
    const file = join(dir, 'pic.jpg')
    writeFileSync(file, data)
    // the same file and caption from both (Baileys' thumbnail maker cannot read these bytes, so
    // it adds no jpegThumbnail nor dimensions: wabot adds none either)
    const fromCee = await cee.sock.sendMessage(bee.userJid, { image: data, caption: 'same picture' })
    const r = await w.run(['send', '--to', bee.phone, '--file', file, '--caption', 'same picture', '--json', '--media-ca', ca])
    assert.equal(r.code, 0, r.stderr)
    const fromWabot = JSON.parse(r.stdout).key.id
    const got = async (id) => (await bee.waitFor('messages.upsert', (u) => u.messages.some((m) => m.key.id === id), 15000, { seen: true }))
    const [uc, uw] = [await got(fromCee.key.id), await got(fromWabot)]
    const mc = uc.messages.find((m) => m.key.id === fromCee.key.id)
    const mw = uw.messages.find((m) => m.key.id === fromWabot)
    assert.equal(uw.type, uc.type)
    assert.deepEqual(fieldPaths(mw.message), fieldPaths(mc.message))
    for (const m of [mc, mw]) {
      const bytes = await downloadMediaMessage(m, 'buffer', { options: { dispatcher: trust.dispatcher } })
      assert.ok(bytes.equals(data))
    }
    // the stanzas: both a media message with mediatype="image" on its enc
    const lines = readFileSync(log, 'utf8').split('\n').filter((l) => / C> .* <message /.test(l) && l.includes(bee.userJid.split('@')[0]))
    const of = (jid) => lines.find((l) => l.includes(` C> ${jid} <message `))
    for (const jid of [cee.jid, w.jid]) {
      assert.match(of(jid), /<message [^>]*type="media"/)
      assert.match(of(jid), /<enc [^>]*mediatype="image"/)
    }
    t.diagnostic(`message fields: ${fieldPaths(mw.message).join(' ')}`)
  } finally {
    await bee?.close()
    await cee?.close()
    await sim.stop()
  }
})

test('tampered media is refused: nothing written, an existing file kept, no stray files', async (t) => {
  const { dir, sim, w, bee, mediaFlags } = await setup()
  try {
    const data = fileOf('image', 40 * 1024)
    const wjid = w.phone + '@s.whatsapp.net'
    const prepared = await prepareWAMessageMedia({ image: data }, { upload: bee.sock.waUploadToServer })
    const good = prepared.imageMessage
    const flip = (b) => { const c = Buffer.from(b); c[3] ^= 0x20; return c }
    const cases = [
      ['another media key', { mediaKey: randomBytes(32) }, /bad MAC/],
      ['another fileSha256', { fileSha256: flip(good.fileSha256) }, /fileSha256/],
      ['another fileEncSha256', { fileEncSha256: flip(good.fileEncSha256) }, /fileEncSha256/],
      ['a directPath that is not signed', { directPath: good.directPath.replace(/oh=[0-9a-f]+/, 'oh=' + '0'.repeat(32)) }, /HTTP 403/]
    ]
    const ids = []
    for (const [, change] of cases) {
      const msg = generateWAMessageFromContent(wjid, { imageMessage: { ...good, ...change } }, { userJid: bee.sock.user.id })
      await bee.sock.relayMessage(wjid, msg.message, { messageId: msg.key.id })
      ids.push(msg.key.id)
    }
    // an id that would be a path, on a good image
    const evil = generateWAMessageFromContent(wjid, { imageMessage: good }, { userJid: bee.sock.user.id, messageId: '../../evil' })
    await bee.sock.relayMessage(wjid, evil.message, { messageId: '../../evil' })
    await statsWhen(sim, (s) => (s.messages?.direct ?? 0) >= cases.length + 1)
    const sync = await w.run(['sync', '--json'])
    assert.equal(sync.code, 0, sync.stderr)
    const out = join(dir, 'kept.jpg')
    for (let i = 0; i < cases.length; i++) {
      writeFileSync(out, 'old')
      const r = await w.run(['media', 'download', '--id', ids[i], '--out', out, ...mediaFlags])
      assert.equal(r.code, 1, `${cases[i][0]}: refused`)
      assert.match(r.stderr, cases[i][2], cases[i][0])
      assert.equal(readFileSync(out, 'utf8'), 'old', `${cases[i][0]}: the old file is kept`)
      t.diagnostic(`${cases[i][0]}: ${r.stderr.trim()}`)
    }
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('.wabot-download-')), [])
    // the id cannot name a file: refused without --out, fine with one
    const r = await w.run(['media', 'download', '--id', '../../evil', ...mediaFlags], { cwd: dir })
    assert.equal(r.code, 1)
    assert.match(r.stderr, /cannot name a file/)
    const r2 = await w.run(['media', 'download', '--id', '../../evil', '--out', join(dir, 'evil.jpg'), ...mediaFlags])
    assert.equal(r2.code, 0, r2.stderr)
    assert.ok(readFileSync(join(dir, 'evil.jpg')).equals(data))
    assert.equal(existsSync(join(dir, '..', '..', 'evil.jpg')), false)
  } finally {
    await bee.close()
    await sim.stop()
  }
})

// Runs a wabot command, sampling its peak RSS (VmHWM in /proc/PID/status) until it exits.
async function runWithPeak (w, args, opts) {
  await w.init()
  const p = w.spawn(args, opts)
  let peak = 0
  const sample = () => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${p.proc.pid}/status`, 'utf8'))
      if (m) peak = Math.max(peak, Number(m[1]))
    } catch {}
  }
  const timer = setInterval(sample, 5)
  const { code } = await p.exited
  clearInterval(timer)
  return { code, stdout: p.stdout(), stderr: p.stderr(), peakKiB: peak }
}

test('20 MB both ways in bounded memory (wabot\'s peak RSS)', async (t) => {
  const { dir, sim, w, bee, trust, mediaFlags } = await setup()
  try {
    const MB20 = 20 * 1024 * 1024
    // a baseline: the same command sending a small file
    const small = join(dir, 'small.bin')
    writeFileSync(small, fileOf('document', 1000))
    const base = await runWithPeak(w, ['send', '--to', bee.phone, '--file', small, ...mediaFlags])
    assert.equal(base.code, 0, base.stderr)
    const data = fileOf('video', MB20)
    const file = join(dir, 'big.mp4')
    writeFileSync(file, data)
    const up = await runWithPeak(w, ['send', '--to', bee.phone, '--file', file, ...mediaFlags])
    assert.equal(up.code, 0, up.stderr)
    const id = up.stdout.trim()
    const got = await bee.waitFor('messages.upsert', (u) => u.messages.some((m) => m.key.id === id), 30000, { seen: true })
    const bytes = await downloadMediaMessage(got.messages.find((m) => m.key.id === id), 'buffer', { options: { dispatcher: trust.dispatcher } })
    assert.ok(bytes.equals(data), 'Baileys gets the 20 MB back')
    // and back: Baileys sends it, wabot downloads it
    const m = await bee.sock.sendMessage(w.phone + '@s.whatsapp.net', { document: data, mimetype: 'video/mp4', fileName: 'big.mp4' })
    await statsWhen(sim, (s) => (s.messages?.direct ?? 0) >= 1)
    assert.equal((await w.run(['sync'])).code, 0)
    const out = join(dir, 'back.mp4')
    const down = await runWithPeak(w, ['media', 'download', '--id', m.key.id, '--out', out, ...mediaFlags])
    assert.equal(down.code, 0, down.stderr)
    assert.ok(readFileSync(out).equals(data), 'wabot gets the 20 MB back')
    const mb = (k) => (k / 1024).toFixed(1)
    t.diagnostic(`peak RSS: send 1 KB ${mb(base.peakKiB)} MiB, send 20 MB ${mb(up.peakKiB)} MiB, download 20 MB ${mb(down.peakKiB)} MiB`)
    // a file's size must not show in memory: growth well under the file (20 MiB). Not under
    // AddressSanitizer, whose quarantine keeps what is freed.
    if (!readFileSync(wabotPath()).includes('__asan_init')) {
      assert.ok(up.peakKiB - base.peakKiB < 4 * 1024, `upload grew ${mb(up.peakKiB - base.peakKiB)} MiB`)
      assert.ok(down.peakKiB - base.peakKiB < 4 * 1024, `download grew ${mb(down.peakKiB - base.peakKiB)} MiB`)
    }
  } finally {
    await bee.close()
    await sim.stop()
  }
})

// A bot that sends media back: images re-sent from the bytes it downloaded (quoting them),
// documents from the path it saved them to, and kinds on request; a download that does not
// verify answers with its error code.
const MEDIA_BOT = (dir) => `
local sock = wabot.sock
local out = ${JSON.stringify(dir)}
local files = { video = out .. '/clip.mp4', voice = out .. '/note.ogg', sticker = out .. '/s.webp', audio = out .. '/song.ogg' }
sock.ev:on('messages.upsert', function(up)
  for _, m in ipairs(up.messages) do
    if not m.key.fromMe and m.message then
      local c = m.message
      if c.imageMessage then
        local bytes, err, code = sock:downloadMedia(m)
        if not bytes then
          sock:sendMessage(m.chat, { text = 'refused: ' .. tostring(code) .. ': ' .. tostring(err) })
        else
          assert(sock:sendMessage(m.chat, { image = bytes, caption = 'back ' .. #bytes, width = 3, height = 2 }, { quoted = m }))
        end
      elseif c.documentMessage then
        local path = assert(sock:downloadMedia(m, out .. '/saved.bin'))
        assert(sock:sendMessage(m.chat, { document = { url = path }, fileName = 'again.bin', mimetype = 'application/octet-stream' }))
      elseif m.text == 'voice' then
        assert(sock:sendMessage(m.chat, { audio = files.voice, ptt = true, seconds = 1 }))
      elseif m.text == 'audio' then
        assert(sock:sendMessage(m.chat, { audio = { url = files.audio }, seconds = 2 }))
      elseif m.text == 'video' then
        assert(sock:sendMessage(m.chat, { video = { url = files.video }, caption = 'a clip', seconds = 2 }))
      elseif m.text == 'sticker' then
        assert(sock:sendMessage(m.chat, { sticker = files.sticker }))
      elseif m.text == 'missing' then
        local ok, err, code = sock:sendMessage(m.chat, { image = { url = out .. '/nope.jpg' } })
        sock:sendMessage(m.chat, { text = 'missing: ' .. tostring(code) })
      end
    end
  end
end)
`

test('a Lua bot: downloadMedia and sendMessage with each media kind', async (t) => {
  const { dir, sim, w, bee, trust, mediaFlags } = await setup()
  const files = { video: fileOf('video', 50 * 1024), voice: fileOf('audio', 8000), audio: fileOf('audio', 9000), sticker: fileOf('sticker', 7000) }
  const names = { video: 'clip.mp4', voice: 'note.ogg', audio: 'song.ogg', sticker: 's.webp' }
  for (const k of Object.keys(files)) writeFileSync(join(dir, names[k]), files[k])
  const botFile = join(dir, 'media_bot.lua')
  writeFileSync(botFile, MEDIA_BOT(dir))
  const run = await w.runBot(botFile, mediaFlags)
  try {
    const wjid = w.phone + '@s.whatsapp.net'
    const fromBot = (pred) => bee.waitFor('messages.upsert', (u) => u.messages.some((m) => !m.key.fromMe && pred(m)), 20000)
    const pick = (u, pred) => u.messages.find((m) => !m.key.fromMe && pred(m))
    const download = (m) => downloadMediaMessage(m, 'buffer', { options: { dispatcher: trust.dispatcher } })
    // an image: downloaded into memory, sent back from those bytes, quoting it
    const img = fileOf('image', 33 * 1024)
    const got = fromBot((m) => !!m.message?.imageMessage)
    const sentImg = await bee.sock.sendMessage(wjid, { image: img, caption: 'to the bot', jpegThumbnail: randomBytes(16).toString('base64') })
    const back = pick(await got, (m) => !!m.message?.imageMessage)
    const im = back.message.imageMessage
    assert.ok((await download(back)).equals(img))
    assert.equal(im.caption, `back ${img.length}`)
    assert.equal(im.mimetype, 'image/jpeg')
    assert.equal(im.width, 3)
    assert.equal(im.contextInfo.stanzaId, sentImg.key.id)
    assert.ok(back.message.messageContextInfo?.messageSecret?.length === 32)
    // a document: saved to a path, sent back from it
    const doc = fileOf('document', 12345)
    const gotDoc = fromBot((m) => !!m.message?.documentMessage)
    await bee.sock.sendMessage(wjid, { document: doc, mimetype: 'application/pdf', fileName: 'x.pdf' })
    const dback = pick(await gotDoc, (m) => !!m.message?.documentMessage)
    assert.equal(dback.message.documentMessage.fileName, 'again.bin')
    assert.equal(dback.message.documentMessage.mimetype, 'application/octet-stream')
    assert.ok((await download(dback)).equals(doc))
    assert.ok(readFileSync(join(dir, 'saved.bin')).equals(doc))
    // kinds from files
    for (const [text, field, check] of [
      ['voice', 'audioMessage', (x) => x.ptt === true && x.mimetype === 'audio/ogg; codecs=opus' && x.seconds === 1],
      ['audio', 'audioMessage', (x) => !x.ptt && x.seconds === 2],
      ['video', 'videoMessage', (x) => x.caption === 'a clip' && x.mimetype === 'video/mp4'],
      ['sticker', 'stickerMessage', (x) => x.mimetype === 'image/webp']
    ]) {
      const g = fromBot((m) => !!m.message?.[field] && check(m.message[field]))
      await bee.sock.sendMessage(wjid, { text })
      const m = pick(await g, (x) => !!x.message?.[field])
      assert.ok((await download(m)).equals(files[text]), `${text} comes back byte-identical`)
    }
    // a file that is not there, and media that does not verify: answers, not crashes
    const gm = fromBot((m) => (m.message?.extendedTextMessage?.text ?? '').startsWith('missing: '))
    await bee.sock.sendMessage(wjid, { text: 'missing' })
    assert.equal(pick(await gm, () => true).message.extendedTextMessage.text, 'missing: ENOENT')
    const prepared = await prepareWAMessageMedia({ image: img }, { upload: bee.sock.waUploadToServer })
    const bad = generateWAMessageFromContent(wjid, { imageMessage: { ...prepared.imageMessage, mediaKey: randomBytes(32) } }, { userJid: bee.sock.user.id })
    const gr = fromBot((m) => (m.message?.extendedTextMessage?.text ?? '').startsWith('refused: '))
    await bee.sock.relayMessage(wjid, bad.message, { messageId: bad.key.id })
    assert.match(pick(await gr, () => true).message.extendedTextMessage.text, /^refused: EAUTH: .*bad MAC/)
    t.diagnostic('the bot downloaded an image and a document and sent back image, document, voice, audio, video, sticker')
  } finally {
    const { code } = await run.stop()
    assert.equal(code, 0, `wabot run exited ${code}:\n${run.stderr()}`)
    await bee.close()
    await sim.stop()
  }
})
