// `wabot sim` media against real Baileys 7.0.0-rc14 clients: media_conn, upload of the encrypted
// blob to the simulator's HTTPS media port, and download and decryption by the recipient, byte
// for byte, for an image, audio, a video and a document. The media certificate is the
// simulator's own (mediaCert in /admin/info), trusted through ordinary options (lib/sim-route.mjs
// mediaTrust); blobs and their signed paths survive a restart with --state.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { downloadMediaMessage } from '@whiskeysockets/baileys'
import { exitWhenDone, withSim } from './lib/baileys-client.mjs'
import { mediaTrust } from './lib/sim-route.mjs'
import { withTlsCert } from './lib/sim.mjs'

exitWhenDone()

const THUMB = randomBytes(64).toString('base64') // given, so Baileys needs no image library

const SAMPLES = [
  { kind: 'imageMessage', content: (data) => ({ image: data, mimetype: 'image/jpeg', jpegThumbnail: THUMB, caption: 'a picture' }), size: 48 * 1024 },
  { kind: 'audioMessage', content: (data) => ({ audio: data, mimetype: 'audio/ogg; codecs=opus', seconds: 3 }), size: 20 * 1024 },
  { kind: 'videoMessage', content: (data) => ({ video: data, mimetype: 'video/mp4', jpegThumbnail: THUMB, seconds: 2 }), size: 300 * 1024 },
  { kind: 'documentMessage', content: (data) => ({ document: data, mimetype: 'application/pdf', fileName: 'report.pdf' }), size: 100 * 1024 + 7 }
]

// GET https://<host><path> trusting ca: { status, body }.
function get (url, ca) {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, agent: false }, (res) => {
      const chunks = []
      res.on('data', (d) => chunks.push(d))
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }))
    })
    req.on('error', reject)
    req.end()
  })
}

test('image, audio, video and document: uploaded by one client, downloaded byte-identical by another', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'wabot-sim-media-'))
  let blobs
  try {
    blobs = await withSim({ state: dir }, async ({ sim, connect }) => {
      const trust = await mediaTrust(sim)
      const [a, b] = await Promise.all([
        connect({ name: 'Alice', socket: { fetchAgent: trust.fetchAgent } }),
        connect({ name: 'Bob', socket: { fetchAgent: trust.fetchAgent } })
      ])
      const kept = []
      const timings = []
      for (const s of SAMPLES) {
        const data = randomBytes(s.size)
        const got = b.waitFor('messages.upsert', (u) => !!u.messages[0].message?.[s.kind])
        const t0 = performance.now()
        await a.sock.sendMessage(b.userJid, s.content(data))
        const msg = (await got).messages[0]
        const media = msg.message[s.kind]
        assert.match(media.url, new RegExp(`^https://${sim.info.mediaHost.replace(/\./g, '\\.')}/v/`))
        assert.match(media.directPath, /^\/v\/t62\.\d+-24\/[0-9a-f]{32}\.enc\?/)
        const bytes = await downloadMediaMessage(msg, 'buffer', { options: { dispatcher: trust.dispatcher } })
        timings.push(`${s.kind} ${(s.size / 1024).toFixed(0)} KiB ${(performance.now() - t0).toFixed(0)} ms`)
        assert.equal(bytes.length, data.length)
        assert.ok(bytes.equals(data), `${s.kind} comes back byte-identical`)
        kept.push({ path: media.directPath, size: media.fileLength })
      }
      // the certificate is really checked: without the simulator's certificate fetch refuses
      const anyMsg = b.events.findLast((e) => e.event === 'messages.upsert').data.messages[0]
      await assert.rejects(downloadMediaMessage(anyMsg, 'buffer', {}), (e) => /CERT/.test(String(e?.cause?.code)))
      // a wrong media_conn token and a body that is not what the path says are refused
      const [host, port] = sim.info.mediaHost.split(':')
      const post = (path, body) => new Promise((resolve, reject) => {
        const req = request({ host, port, path, method: 'POST', ca: sim.info.mediaCert, agent: false }, (res) => { res.resume(); resolve(res.statusCode) })
        req.on('error', reject)
        req.end(body)
      })
      const token = 'x'.repeat(43)
      assert.equal(await post(`/mms/image/${token}?auth=wrong&token=${token}`, 'abc'), 401)
      // a signed path with a changed signature is refused
      const bad = kept[0].path.replace(/oh=[0-9a-f]+/, 'oh=' + '0'.repeat(32))
      assert.equal((await get(`https://${sim.info.mediaHost}${bad}`, sim.info.mediaCert)).status, 403)
      const stats = await sim.stats()
      assert.equal(stats.media.uploads, 4)
      assert.equal(stats.media.downloads, 4)
      assert.deepEqual(Object.keys(stats.media.uploads_by_kind).sort(), ['audio', 'document', 'image', 'video'])
      for (const c of [a, b]) assert.deepEqual(c.unansweredRequests(), [])
      t.diagnostic(`upload + delivery + download: ${timings.join(', ')}`)
      return kept
    })
    // blobs, the certificate and the path signatures are kept in the state
    await withSim({ state: dir }, async ({ sim }) => {
      for (const { path, size } of blobs) {
        const r = await get(`https://${sim.info.mediaHost}${path}`, sim.info.mediaCert)
        assert.equal(r.status, 200)
        assert.ok(r.body.length >= Number(size), 'the encrypted blob (file + padding + MAC)')
      }
    })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('with --tls, media is served on the main port with the given certificate', async () => {
  await withTlsCert((tls) => withSim({ tls }, async ({ sim, connect }) => {
    assert.equal(sim.info.mediaHost, new URL(sim.url).host)
    assert.equal(sim.info.mediaCert, tls.ca)
    const trust = await mediaTrust(sim)
    const [a, b] = await Promise.all([
      connect({ name: 'Alice', socket: { fetchAgent: trust.fetchAgent } }),
      connect({ name: 'Bob', socket: { fetchAgent: trust.fetchAgent } })
    ])
    const data = randomBytes(64 * 1024)
    const got = b.waitFor('messages.upsert', (u) => !!u.messages[0].message?.documentMessage)
    await a.sock.sendMessage(b.userJid, { document: data, mimetype: 'application/octet-stream', fileName: 'x.bin' })
    const msg = (await got).messages[0]
    const bytes = await downloadMediaMessage(msg, 'buffer', { options: { dispatcher: trust.dispatcher } })
    assert.ok(bytes.equals(data))
  }))
})
