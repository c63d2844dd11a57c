// Drives the C interop helper (tests/interop/helper, built as wb_interop_helper) over
// stdin/stdout: one JSON line per request and per response, byte strings as base64.
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { helperPath } from './paths.mjs'

export class Helper {
  constructor () {
    this.proc = spawn(helperPath(), [], { stdio: ['pipe', 'pipe', 'inherit'] })
    this.pending = []
    this.closed = false
    this.lines = createInterface({ input: this.proc.stdout })
    this.lines.on('line', (line) => {
      const p = this.pending.shift()
      if (!p) return
      let msg
      try { msg = JSON.parse(line) } catch (e) { return p.reject(new Error(`bad helper line: ${line}`)) }
      if (msg.ok) p.resolve(msg)
      else p.reject(Object.assign(new Error(msg.error), { helper: true }))
    })
    this.proc.on('exit', (code, sig) => {
      this.closed = true
      for (const p of this.pending.splice(0)) p.reject(new Error(`helper exited (${code ?? sig})`))
    })
  }

  // call('op', {field: Buffer|string|number}) -> Promise<response>; Buffers go as base64.
  call (op, args = {}) {
    if (this.closed) return Promise.reject(new Error('helper has exited'))
    const req = { op }
    for (const [k, v] of Object.entries(args)) req[k] = Buffer.isBuffer(v) || v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject })
      this.proc.stdin.write(JSON.stringify(req) + '\n')
    })
  }

  async close () {
    if (this.closed) return
    this.proc.stdin.end()
    await new Promise((resolve) => this.proc.once('exit', resolve))
  }
}

export const b64 = (s) => Buffer.from(s, 'base64')
