// A handle on a `wabot sim` already running at a websocket URL (another process started it): the
// admin calls of lib/sim.mjs without owning the process.
import { request } from 'node:http'

export async function startSimAt (url) {
  const base = url.replace(/^ws/, 'http').replace(/\/ws\/chat$/, '')
  const sim = {
    url,
    base,
    async admin (method, path, body) {
      const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
      const { status, text } = await new Promise((resolve, reject) => {
        const req = request(base + path, { method, agent: false }, (res) => {
          const chunks = []
          res.on('data', (d) => chunks.push(d))
          res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }))
        })
        req.on('error', reject)
        req.end(data)
      })
      if (status >= 400) throw new Error(`simulator answered ${status}: ${text}`)
      try { return JSON.parse(text) } catch { return text }
    }
  }
  sim.info = await sim.admin('GET', '/admin/info')
  return sim
}
