// Starts `wabot sim` for a test: on port 0 (so tests may run many at once), in memory or on a
// state directory, and talks to its admin API.
//
//   const sim = await startSim({ state: dir, stanzaLog: file })
//   startSim({ tls: { cert: PATH, key: PATH, ca: PEM } })   wss:// and https://, trusting ca
//   startSim({ state: dir, port: old.port })   a restart where clients can find it again
//   startSim({ listen: '0.0.0.0', args: ['--allow-remote'] })   another address, more options
//   sim.url            ws://127.0.0.1:PORT/ws/chat (the first line the simulator prints)
//   sim.info           GET /admin/info: { rootKey, ws, mediaHost, mediaCert }
//   await sim.admin('POST', '/admin/fault', { device, action })   -> parsed JSON (throws on >= 400)
//   await sim.stats()  GET /admin/stats
//   await sim.stop()   SIGTERM, waits for a clean exit (asserts exit status 0)
//   await withTlsCert((tls) => ...)   a throwaway self-signed certificate for 127.0.0.1, as
//                      startSim's `tls` option takes it ({ cert, key, ca }); removed afterwards
import { execFileSync, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { wabotPath } from './paths.mjs'

export class SimError extends Error {
  constructor (status, body) {
    super(`simulator answered ${status}: ${typeof body === 'string' ? body : JSON.stringify(body)}`)
    this.status = status
    this.body = body
  }
}

// Runs fn({ cert, key, ca }) with a fresh self-signed P-256 certificate for 127.0.0.1 (paths of
// PEM files, and the certificate's PEM as ca), made by the openssl command line.
export async function withTlsCert (fn) {
  const dir = await mkdtemp(join(tmpdir(), 'wabot-sim-tls-'))
  const cert = join(dir, 'cert.pem')
  const key = join(dir, 'key.pem')
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' })
  try {
    return await fn({ cert, key, ca: readFileSync(cert, 'utf8') })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

export async function startSim ({ state, stanzaLog, log = 'warn', tls, env, port = 0, listen = '127.0.0.1', args: extra = [] } = {}) {
  const args = ['sim', '--listen', `${listen}:${port}`, '--log', log, ...extra]
  if (state) args.push('--state', state)
  if (stanzaLog) args.push('--stanza-log', stanzaLog)
  if (tls) args.push('--tls', tls.cert, tls.key)
  const proc = spawn(wabotPath(), args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
  const stderr = []
  proc.stderr.on('data', (d) => { stderr.push(d); if (process.env.SIM_STDERR) process.stderr.write(d) })
  const exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })))
  const lines = createInterface({ input: proc.stdout })
  const url = await new Promise((resolve, reject) => {
    lines.once('line', resolve)
    exited.then(({ code, signal }) => reject(new Error(`wabot sim exited (${code ?? signal}) before listening:\n${Buffer.concat(stderr)}`)))
  })
  const base = url.replace(/^ws/, 'http').replace(/\/ws\/chat$/, '')
  const sim = {
    url,
    base,
    port: Number(new URL(url).port),
    proc,
    stderr: () => Buffer.concat(stderr).toString(),
    async admin (method, path, body) {
      const data = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body)
      const { status, text } = await httpCall(base + path, method, data, tls?.ca)
      let parsed = text
      try { parsed = JSON.parse(text) } catch {}
      if (status >= 400) throw new SimError(status, parsed)
      return parsed
    },
    stats () { return sim.admin('GET', '/admin/stats') },
    async stop () {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM')
      const { code, signal } = await exited
      if (code !== 0) throw new Error(`wabot sim exited with ${code ?? signal}:\n${sim.stderr()}`)
    },
    kill () { proc.kill('SIGKILL'); return exited }
  }
  sim.info = await sim.admin('GET', '/admin/info')
  if (tls) sim.info.tlsCa = tls.ca
  return sim
}

// One HTTP(S) request; ca (PEM) is trusted for https.
function httpCall (url, method, body, ca) {
  const u = new URL(url)
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const req = request(u, { method, ca, agent: false }, (res) => {
      const chunks = []
      res.on('data', (d) => chunks.push(d))
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}
