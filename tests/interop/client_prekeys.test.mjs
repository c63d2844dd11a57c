// wabot's one-time prekeys on the server: uploaded at the first login (812, as Baileys), handed out
// one per bundle fetch, and replenished when the server says they run low. A Baileys client
// fetches wabot's bundle until fewer than 5 are left (each bundle taking one prekey, as new
// contacts' would); the simulator then sends wabot its <notification
// type="encrypt"><count/>; wabot, connected under `wabot sync --follow`, uploads more; and a
// Baileys client starting a fresh session on one of the new prekeys reaches wabot.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startSim } from './lib/sim.mjs'
import { BaileysClient, exitWhenDone, trustSim } from './lib/baileys-client.mjs'
import { newWabot } from './lib/wabot.mjs'

exitWhenDone()

const textOf = (m) => m.message?.conversation ?? m.message?.extendedTextMessage?.text

async function until (pred, ms, what) {
  const end = Date.now() + ms
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

test('prekeys running low are replenished, and fresh sessions use the new ones', async (t) => {
  const sim = await startSim()
  trustSim(sim)
  let peer, follow
  try {
    const w = await newWabot(sim)
    await w.link({ phone: '15550606060' })
    const device = async () => (await sim.admin('GET', '/admin/accounts')).accounts
      .find((a) => a.phone === '15550606060').devices.find((d) => d.jid === w.jid)
    assert.equal((await device()).prekeys, 812, 'the first login uploads 812')

    follow = w.spawn(['sync', '--follow', '--json', '--log', 'info'])
    await follow.waitLine((l) => l.includes('"connection":"open"'))
    peer = await BaileysClient.connect(sim, { name: 'Peer' })
    let left = (await device()).prekeys
    let fetches = 0
    while (left > 5) { // each <user> of a bundle fetch takes one prekey, as a new contact's would
      const n = Math.min(left - 5, 50)
      await peer.sock.query({
        tag: 'iq',
        attrs: { xmlns: 'encrypt', type: 'get', to: 's.whatsapp.net' },
        content: [{ tag: 'key', attrs: {}, content: Array.from({ length: n }, () => ({ tag: 'user', attrs: { jid: w.jid } })) }]
      })
      fetches += n
      left -= n
    }
    await peer.sock.assertSessions([w.jid], true) // and a fetch of Baileys' own takes the fifth
    fetches++
    await until(async () => (await device()).prekeys > 4, 10000, 'wabot uploading more prekeys')
    const after = (await device()).prekeys
    assert.equal(after, 4 + 50, 'wabot tops up with 50 (Baileys with 5)')
    assert.match(follow.stderr(), /the server holds 4 of our prekeys: uploading more/)
    assert.equal((await sim.stats()).prekeys.low_notifications, 1)

    // a new contact's first message takes one of the new prekeys, and wabot decrypts it
    const fresh = await BaileysClient.connect(sim, { name: 'Fresh' })
    await fresh.sock.sendMessage('15550606060@s.whatsapp.net', { text: 'hello on a new prekey' })
    await until(() => follow.lines.some((l) => l.includes('hello on a new prekey')), 10000, 'the message at wabot')
    await fresh.close()
    assert.equal((await device()).prekeys, after - 1)
    t.diagnostic(`${fetches} bundle fetches left 4 prekeys; wabot uploaded ${after - 4} more`)
  } finally {
    await follow?.stop()
    await peer?.close()
    await sim.stop()
  }
})
