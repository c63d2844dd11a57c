// Messages and answers crossing at full speed through `wabot sim`, Baileys to Baileys: one client
// sends 500 texts as fast as Baileys sends, the other answers each as it arrives, so encryptions
// and decryptions of the same two sessions interleave on both sides. Every text and every answer
// arrives once, decrypted: the simulator keeps each pair of devices' messages in order and never
// delivers one twice or drops one.
//
// Both clients send through BaileysClient.send (under Baileys' messageMutex): Baileys 7.0.0-rc14
// otherwise races its own decryption against its sends and breaks the sessions at this pace
// (lib/baileys-client.mjs says how; without it about half of the answers are lost here).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { exitWhenDone, withSim } from './lib/baileys-client.mjs'

exitWhenDone()

const N = Number(process.env.CROSSING_MESSAGES ?? 500)
const textOf = (m) => m.message?.conversation ?? m.message?.extendedTextMessage?.text

test(`${N} texts and their answers crossing at full speed, Baileys to Baileys: each arrives once`, async (t) => {
  await withSim({}, async ({ connect }) => {
    const a = await connect({ name: 'A' })
    const b = await connect({ name: 'B' })
    const failed = []
    const seenByB = new Map()
    b.on('messages.upsert', async ({ messages, type }) => {
      if (type !== 'notify') return
      for (const m of messages) {
        if (m.key.fromMe) continue
        const text = textOf(m)
        if (!text) { failed.push(`B: ${m.messageStubParameters?.[0] ?? 'no text'}`); continue }
        seenByB.set(text, (seenByB.get(text) ?? 0) + 1)
        await b.send(a.userJid, { text: `re ${text}` })
      }
    })
    const answers = new Map()
    a.on('messages.upsert', ({ messages }) => {
      for (const m of messages) {
        if (m.key.fromMe) continue
        const text = textOf(m)
        if (!text) { failed.push(`A: ${m.messageStubParameters?.[0] ?? 'no text'}`); continue }
        answers.set(text, (answers.get(text) ?? 0) + 1)
      }
    })
    const t0 = Date.now()
    for (let i = 0; i < N; i++) await a.send(b.userJid, { text: `m${i}` })
    const sentMs = Date.now() - t0
    const end = Date.now() + 60000
    while (answers.size < N && failed.length === 0 && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 50))
    await new Promise((resolve) => setTimeout(resolve, 300)) // a duplicate would show up now
    assert.deepEqual(failed.slice(0, 5), [], `${failed.length} messages failed to decrypt`)
    const missing = []
    for (let i = 0; i < N; i++) if (!answers.has(`re m${i}`)) missing.push(i)
    assert.deepEqual(missing.slice(0, 10), [], `${missing.length} answers missing`)
    assert.ok([...seenByB.values()].every((n) => n === 1), 'B got each text once')
    assert.ok([...answers.values()].every((n) => n === 1), 'A got each answer once')
    t.diagnostic(`${N} texts sent in ${sentMs} ms, all ${N} answers after ${Date.now() - t0 - 300} ms`)
  })
})
