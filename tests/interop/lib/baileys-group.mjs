// Drives Baileys group members living in worker threads (baileys-group-worker.mjs). A Worker holds
// any number of members; run(jobs) executes a batch in order and resolves to per-job results
// ({ok: value} or {error: message}); call(job) runs one and throws its error.
import { Worker } from 'node:worker_threads'

export class GroupWorker {
  constructor () {
    this.w = new Worker(new URL('./baileys-group-worker.mjs', import.meta.url))
    this.pending = new Map()
    this.next = 1
    this.w.on('message', ({ id, results }) => { this.pending.get(id)(results); this.pending.delete(id) })
    this.w.on('error', (e) => { for (const p of this.pending.values()) p([{ error: String(e) }]) })
  }

  run (jobs) {
    const id = this.next++
    return new Promise((resolve) => { this.pending.set(id, resolve); this.w.postMessage({ id, jobs }) })
  }

  async call (job) {
    const [r] = await this.run([job])
    if (r.error) throw new Error(r.error)
    return r.ok
  }

  close () { return this.w.terminate() }
}
