// Prints what the simulator's media host costs, for the `wabot sim` of $WABOT_BUILD_DIR, so two
// builds can be compared (host/sim/README.md, "Media"):
//   WABOT_BUILD_DIR=build node tests/interop/tools/sim-media-timing.mjs [MB] [runs]
// For an upload of MB megabytes (default 10) over the HTTPS media port: the time from the
// body's last byte handed to the kernel to the answer's first byte; for its download: the time
// from the request to the answer's first byte, and to its last. Medians of `runs` (default 7),
// after one warm-up. Then the simulator's peak RSS growth (VmHWM) over a 100 MB upload and a
// 100 MB download. The media_conn token is read from the state (sim.db), so no client is needed.
import { execFileSync } from 'node:child_process'
import { randomBytes, createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect } from 'node:tls'
import { startSim } from '../lib/sim.mjs'
import { memory } from '../lib/probes.mjs'

const mb = Number(process.argv[2] || 10)
const runs = Number(process.argv[3] || 7)
const state = mkdtempSync(join(tmpdir(), 'wabot-media-timing-'))
const sim = await startSim({ state })
const info = await sim.admin('GET', '/admin/info')
const [host, port] = [info.mediaHost.split(':')[0], Number(info.mediaHost.split(':')[1])]
const hex = execFileSync('sqlite3', [join(state, 'sim.db'), "SELECT hex(value) FROM meta WHERE name = 'media_auth'"]).toString().trim()
const auth = Buffer.from(hex, 'hex').toString('base64url')

// One request on a fresh TLS connection: { status, body, sentMs, firstMs, lastMs } (times from
// the moment the request was written whole).
function exchange (head, body) {
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port, ca: info.mediaCert, servername: undefined, rejectUnauthorized: false })
    const chunks = []
    let sent = 0
    let first = 0
    let want = -1
    let got = 0
    const done = () => {
      const all = Buffer.concat(chunks)
      const end = all.indexOf('\r\n\r\n')
      sock.destroy()
      resolve({ status: Number(all.subarray(9, 12).toString()), body: all.subarray(end + 4), firstMs: first - sent, lastMs: performance.now() - sent })
    }
    sock.on('error', reject)
    sock.on('secureConnect', () => {
      sock.write(head)
      if (body) sock.write(body)
      sock.write('', () => { sent = performance.now() })
    })
    sock.on('data', (d) => {
      if (!first) first = performance.now()
      chunks.push(d)
      got += d.length
      if (want < 0) {
        const all = Buffer.concat(chunks)
        const end = all.indexOf('\r\n\r\n')
        if (end < 0) return
        const m = /content-length: *(\d+)/i.exec(all.subarray(0, end).toString())
        want = end + 4 + Number(m ? m[1] : 0)
      }
      if (got >= want) done()
    })
  })
}

async function upload (data) {
  const hash = createHash('sha256').update(data).digest('base64url')
  const path = `/mms/document/${hash}?auth=${auth}&token=${hash}`
  const r = await exchange(`POST ${path} HTTP/1.1\r\nHost: ${info.mediaHost}\r\nContent-Length: ${data.length}\r\n\r\n`, data)
  if (r.status !== 200) throw new Error(`upload answered ${r.status}: ${r.body}`)
  return { ...r, directPath: JSON.parse(r.body.toString()).direct_path }
}

async function download (directPath, size) {
  const r = await exchange(`GET ${directPath} HTTP/1.1\r\nHost: ${info.mediaHost}\r\n\r\n`)
  if (r.status !== 200 || r.body.length !== size) throw new Error(`download answered ${r.status} with ${r.body.length} bytes`)
  return r
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]
const up = []
const first = []
const last = []
for (let i = 0; i <= runs; i++) {
  const data = randomBytes(mb * 1e6)
  const u = await upload(data)
  const d = await download(u.directPath, data.length)
  if (i === 0) continue // warm-up
  up.push(u.firstMs)
  first.push(d.firstMs)
  last.push(d.lastMs)
}
console.log(`sim media ${mb} MB: upload last byte -> answer ${median(up).toFixed(1)} ms; ` +
  `download request -> first byte ${median(first).toFixed(1)} ms, -> last byte ${median(last).toFixed(1)} ms ` +
  `(medians of ${runs})`)

const base = memory(sim.proc.pid)
const big = randomBytes(100e6)
try {
  const u = await upload(big)
  const afterUp = memory(sim.proc.pid)
  await download(u.directPath, big.length)
  const afterDown = memory(sim.proc.pid)
  console.log(`sim media 100 MB: peak RSS ${base.peakMB} MB -> ${afterUp.peakMB} MB after the upload ` +
    `(+${afterUp.peakMB - base.peakMB}) -> ${afterDown.peakMB} MB after the download (+${afterDown.peakMB - afterUp.peakMB})`)
} catch (e) {
  console.log(`sim media 100 MB: ${e.message} (peak RSS ${base.peakMB} -> ${memory(sim.proc.pid).peakMB} MB)`)
}
await sim.stop()
rmSync(state, { recursive: true, force: true })
