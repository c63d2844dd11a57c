// The durability rule with Baileys on the other side: what the server hands wabot is surfaced
// once and never lost. (1) wabot offline while Baileys sends 100: `wabot sync` surfaces all
// 100, in order, once, and a second sync surfaces none. (2) kill -9 of `wabot sync --follow` at
// random points during a 1,000-message burst, 10 times: after the restarts every message is
// surfaced, none twice without the replay flag (a message whose line went out just before the
// kill comes back once with "replay": true), and the store holds each exactly once.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startSim } from './lib/sim.mjs'
import { BaileysClient, exitWhenDone, trustSim } from './lib/baileys-client.mjs'
import { newWabot } from './lib/wabot.mjs'
import { statsWhen } from './lib/sim-route.mjs'

exitWhenDone()

const textOf = (m) => m.message?.conversation ?? m.message?.extendedTextMessage?.text
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// The received messages (not our own) in a sync's output lines: [{ id, text, replay, type }].
function surfaced (lines) {
  const out = []
  for (const l of lines) {
    let e
    try { e = JSON.parse(l) } catch { continue } /* a line cut by kill -9 */
    if (e.event !== 'messages.upsert') continue
    for (const m of e.data.messages) {
      if (!m.key.fromMe) out.push({ id: m.key.id, text: textOf(m), replay: !!e.data.replay, type: e.data.type })
    }
  }
  return out
}

test('wabot offline while Baileys sends 100: all surfaced once, in order; a second sync none', async () => {
  const sim = await startSim()
  trustSim(sim)
  let bee
  try {
    const w = await newWabot(sim)
    await w.link({ phone: '15550808080' })
    bee = await BaileysClient.connect(sim, { name: 'Bee', phone: '15550818181' })
    for (let i = 0; i < 100; i++) await bee.sock.sendMessage(w.phone + '@s.whatsapp.net', { text: `offline ${i}` })
    await statsWhen(sim, (s) => (s.messages?.direct ?? 0) >= 100)
    const r = await w.run(['sync', '--json'])
    assert.equal(r.code, 0, r.stderr)
    const got = surfaced(r.stdout.trim().split('\n'))
    assert.deepEqual(got.map((m) => m.text), Array.from({ length: 100 }, (_, i) => `offline ${i}`))
    assert.ok(got.every((m) => m.type === 'append' && !m.replay))
    const again = await w.run(['sync', '--json'])
    assert.equal(surfaced(again.stdout.trim().split('\n')).length, 0)
  } finally {
    await bee?.close()
    await sim.stop()
  }
})

test('kill -9 during a 1,000-message burst, 10 times: every message surfaced once', async (t) => {
  const sim = await startSim()
  trustSim(sim)
  let bee
  const N = 1000
  const KILLS = 10
  try {
    const w = await newWabot(sim)
    await w.link({ phone: '15550828282' })
    bee = await BaileysClient.connect(sim, { name: 'Bee', phone: '15550838383' })
    let sent = 0
    const burst = (async () => {
      for (let i = 0; i < N; i++) {
        await bee.sock.sendMessage(w.phone + '@s.whatsapp.net', { text: `burst ${i}` })
        sent++
      }
    })()
    const outputs = []
    const kills = []
    for (let k = 0; k < KILLS; k++) {
      const p = w.spawn(['sync', '--follow', '--json'])
      const lines = p.lines
      outputs.push(lines)
      const at = 150 + Math.floor(Math.random() * 600)
      await sleep(at)
      p.proc.kill('SIGKILL')
      await p.exited
      kills.push({ at, sent, lines: lines.length })
    }
    await burst
    await statsWhen(sim, (s) => (s.messages?.direct ?? 0) >= N, 30000)
    const last = await w.run(['sync', '--json'], { timeoutMs: 120000 })
    assert.equal(last.code, 0, last.stderr)
    outputs.push(last.stdout.trim().split('\n'))

    const first = new Map()
    const replays = new Map()
    for (const lines of outputs) {
      for (const m of surfaced(lines)) {
        const into = m.replay ? replays : first
        into.set(m.id, (into.get(m.id) ?? 0) + 1)
      }
    }
    const twice = [...first.values()].filter((n) => n > 1).length
    const again = [...replays.keys()].filter((id) => first.has(id)).length /* seen, then flagged */
    const ids = new Set([...first.keys(), ...replays.keys()])
    const list = await w.run(['messages', 'list', '--json'])
    const rows = list.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((r) => !r.key.fromMe)
    const stored = new Set(rows.map((r) => r.key.id))
    t.diagnostic(`kills (ms after start, messages sent by then, lines printed): ${kills.map((k) => `${k.at}/${k.sent}/${k.lines}`).join(' ')}`)
    t.diagnostic(`tally: ${N} sent, ${ids.size} surfaced, ${first.size} first deliveries, ${twice} twice without the replay flag, ${[...replays.values()].reduce((a, n) => a + n, 0)} replays flagged (${again} of messages printed before the kill), ${rows.length} stored rows (${stored.size} distinct)`)
    assert.equal(ids.size, N, 'none lost')
    assert.equal(twice, 0, 'none twice unflagged')
    assert.equal(rows.length, N)
    assert.equal(stored.size, N, 'each stored once')
  } finally {
    await bee?.close()
    await sim.stop()
  }
})
