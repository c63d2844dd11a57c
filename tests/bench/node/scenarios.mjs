// Whole-client benchmarks: wabot's client and a Baileys client doing the same work through one
// `wabot sim` in the same run. `node scenarios.mjs NAME` prints one line:
//
//   receive-1to1   10,000 text messages queued for the receiver while it is offline, timed from
//                  its connect until the simulator has every one acknowledged (the receiver's
//                  queue empty): wabot (`wabot sync`) vs Baileys (a new socket on its saved auth)
//   receive-group  the same with group messages (one sender's skmsg to a group of both)
//   idle-rss       resident memory of a linked, idle `wabot sync --follow` vs a Node process
//                  holding one idle Baileys socket (MB, after 3 s idle)
//   start-to-open  process start to logged in with stored credentials (ms; wabot: the
//                  connection.update open line of `wabot sync --json`; Baileys: `open` in a
//                  fresh Node process that imports Baileys)
//
// Both receivers get the same messages from the same sender (a wabot client: the fastest way to
// queue them) and the simulator is the same process, so its share of the time is in both. The
// binaries are $WABOT_BUILD_DIR's (tests/bench/run points it at its Release build).
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { startSim } from '../../interop/lib/sim.mjs'
import { BaileysClient, trustSim } from '../../interop/lib/baileys-client.mjs'
import { newWabot } from '../../interop/lib/wabot.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const N = Number(process.env.WABOT_BENCH_MESSAGES || 10000)
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

function rssMb (pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) / 1024 : NaN
}

// The number of stanzas the simulator still holds for a device.
async function queued (sim, jid) {
  const s = await sim.stats()
  return s.devices?.[jid]?.queued ?? 0
}

async function drained (sim, jid, timeoutMs) {
  const end = performance.now() + timeoutMs
  while (await queued(sim, jid) > 0) {
    if (performance.now() > end) throw new Error(`${jid} still has ${await queued(sim, jid)} queued`)
    await sleep(10)
  }
  return performance.now()
}

async function waitQueued (sim, jid, n) {
  for (;;) {
    if (await queued(sim, jid) >= n) return
    await sleep(50)
  }
}

// A wabot receiver, a Baileys receiver (closed again, its auth kept) and a wabot sender.
async function parties (sim) {
  const r = await newWabot(sim)
  await r.link({ phone: '15551000001', name: 'R' })
  const s = await newWabot(sim)
  await s.link({ phone: '15551000002', name: 'S' })
  const b = await BaileysClient.connect(sim, { name: 'B', phone: '15551000003', markOnline: true })
  return { r, s, b }
}

async function sendAll (s, to, prefix) {
  const texts = Array.from({ length: N }, (_, i) => `${prefix} ${i}`)
  const t0 = performance.now()
  const res = await s.run(['send', '--to', to, ...texts.flatMap((x) => ['--text', x])], { timeoutMs: 600000 })
  if (res.code !== 0) throw new Error(`send failed: ${res.stderr}`)
  return N / ((performance.now() - t0) / 1000)
}

// Times the wabot receiver and the Baileys receiver draining their queues.
async function timeReceivers (sim, r, b, baileysAuth) {
  const t0 = performance.now()
  // its output (a line per message) goes to /dev/null: reading 10,000 lines here would take CPU
  // from the receiver on a small machine, and Baileys' receiver prints nothing
  const sync = r.spawn(['sync'], { quietStdout: true })
  const tr = await drained(sim, r.jid, 600000)
  await sync.exited
  const bee = new BaileysClient(sim, { name: 'B', phone: '15551000003', authDir: baileysAuth, markOnline: true })
  const t1 = performance.now()
  await bee.start()
  const tb = await drained(sim, b.jid, 1800000)
  await bee.close()
  return { wabot: N / ((tr - t0) / 1000), baileys: N / ((tb - t1) / 1000) }
}

async function receive (kind) {
  const sim = await startSim()
  trustSim(sim)
  try {
    const { r, s, b } = await parties(sim)
    const auth = b.authDir
    let to = [r.phone, b.phone]
    if (kind === 'group') {
      const { jid } = await sim.admin('POST', '/admin/groups', { subject: 'Bench', creator: s.phone, participants: [r.phone, b.phone] })
      await b.waitFor('groups.upsert', () => true, 10000, { seen: true })
      to = [jid]
      /* the receivers take the group's create notification now, so only messages wait later */
      await r.run(['sync'])
    }
    await b.close()
    let sendRate = 0
    for (const t of to) sendRate = await sendAll(s, t, 'bench')
    await waitQueued(sim, r.jid, N)
    await waitQueued(sim, b.jid, N)
    const got = await timeReceivers(sim, r, b, auth)
    console.error(`(${kind}: ${N} messages; wabot sender queued them at ${sendRate.toFixed(0)}/s)`)
    return got
  } finally {
    await sim.stop()
  }
}

async function idleRss () {
  const sim = await startSim()
  trustSim(sim)
  try {
    const { r, b } = await parties(sim)
    const auth = b.authDir
    await b.close()
    const follow = r.spawn(['sync', '--follow', '--json'])
    await follow.waitLine((l) => l.includes('"connection":"open"'))
    const child = spawn(process.execPath, [join(here, 'baileys_idle.mjs'), sim.url, sim.info.rootKey, auth],
      { stdio: ['ignore', 'pipe', 'inherit'] })
    await new Promise((resolve, reject) => {
      child.stdout.on('data', (d) => { if (String(d).includes('open')) resolve() })
      child.once('exit', (code) => reject(new Error(`baileys_idle exited ${code}`)))
    })
    await sleep(3000)
    const w = rssMb(follow.proc.pid)
    const n = rssMb(child.pid)
    child.kill('SIGKILL')
    await follow.stop()
    return { wabot: w, baileys: n }
  } finally {
    await sim.stop()
  }
}

async function startToOpen () {
  const sim = await startSim()
  trustSim(sim)
  try {
    const { r, b } = await parties(sim)
    const auth = b.authDir
    await b.close()
    const runs = 5
    let w = 0
    let n = 0
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now()
      const p = r.spawn(['sync', '--json'])
      await p.waitLine((l) => l.includes('"connection":"open"'))
      w += performance.now() - t0
      await p.exited
      const t1 = performance.now()
      const child = spawn(process.execPath, [join(here, 'baileys_idle.mjs'), sim.url, sim.info.rootKey, auth],
        { stdio: ['ignore', 'pipe', 'inherit'] })
      await new Promise((resolve) => child.stdout.on('data', (d) => { if (String(d).includes('open')) resolve() }))
      n += performance.now() - t1
      child.kill('SIGKILL')
      await new Promise((resolve) => child.once('exit', resolve))
    }
    return { wabot: w / runs, baileys: n / runs }
  } finally {
    await sim.stop()
  }
}

const name = process.argv[2]
const line = {
  'receive-1to1': async () => {
    const r = await receive('1to1')
    return `bench receive-1to1: wabot ${r.wabot.toFixed(0)}/s baileys ${r.baileys.toFixed(0)}/s ratio ${(r.wabot / r.baileys).toFixed(1)}`
  },
  'receive-group': async () => {
    const r = await receive('group')
    return `bench receive-group: wabot ${r.wabot.toFixed(0)}/s baileys ${r.baileys.toFixed(0)}/s ratio ${(r.wabot / r.baileys).toFixed(1)}`
  },
  'idle-rss': async () => {
    const r = await idleRss()
    return `bench idle-rss: wabot ${r.wabot.toFixed(1)} MB baileys ${r.baileys.toFixed(1)} MB ratio ${(r.baileys / r.wabot).toFixed(1)}`
  },
  'start-to-open': async () => {
    const r = await startToOpen()
    return `bench start-to-open: wabot ${r.wabot.toFixed(0)} ms baileys ${r.baileys.toFixed(0)} ms ratio ${(r.baileys / r.wabot).toFixed(1)}`
  }
}[name]
if (!line) {
  console.error(`scenarios.mjs: no scenario ${name}`)
  process.exit(2)
}
console.log(await line())
process.exit(0)
