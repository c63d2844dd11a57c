// Runs libsignal-node / curve25519-js signing and verification in worker threads, one per core
// (at most 2): curve25519-js is pure JavaScript at ~20 ms per operation, and the interop tests
// need thousands of them. run(jobs) -> results in job order.
//   {op: 'verify', pub (33 bytes), msg, sig} -> true | false (libsignal's return value) | 'threw: ...'
//   {op: 'sign', priv, msg}                  -> 64-byte Buffer (libsignal calculateSignature)
//   {op: 'signRandom', priv, msg, random}    -> 64-byte Buffer (curve25519-js sign with random)
import { Worker } from 'node:worker_threads'
import { availableParallelism } from 'node:os'

const source = `
const { parentPort } = require('node:worker_threads')
const { createRequire } = require('node:module')
const req = createRequire(${JSON.stringify(import.meta.url)})
const curve = req('libsignal/src/curve.js')
const curveJs = req('curve25519-js')
parentPort.on('message', (jobs) => {
  parentPort.postMessage(jobs.map((j) => {
    const buf = (x) => Buffer.from(x)
    try {
      if (j.op === 'verify') return curve.verifySignature(buf(j.pub), buf(j.msg), buf(j.sig))
      if (j.op === 'sign') return curve.calculateSignature(buf(j.priv), buf(j.msg))
      if (j.op === 'signRandom') return Buffer.from(curveJs.sign(new Uint8Array(j.priv), new Uint8Array(j.msg), new Uint8Array(j.random)))
      return 'unknown op ' + j.op
    } catch (e) { return 'threw: ' + e.message }
  }))
})`

export async function run (jobs) {
  const n = Math.max(1, Math.min(2, availableParallelism()))
  const chunk = Math.ceil(jobs.length / n)
  const parts = await Promise.all(Array.from({ length: n }, (_, i) => new Promise((resolve, reject) => {
    const w = new Worker(source, { eval: true })
    w.once('message', (r) => { w.terminate(); resolve(r.map((x) => (x instanceof Uint8Array ? Buffer.from(x) : x))) })
    w.once('error', reject)
    w.postMessage(jobs.slice(i * chunk, (i + 1) * chunk))
  })))
  return parts.flat()
}
