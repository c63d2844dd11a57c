// A worker thread hosting Baileys group members: its unmodified Signal/Group classes (the group
// cipher Baileys sends and receives with) over in-memory sender-key stores that serialize records
// to JSON as Baileys' signalStorage does. curve25519-js signs and verifies in pure JavaScript
// (~20-30 ms each), so tests spread members over workers (lib/baileys-group.mjs drives this).
import { parentPort } from 'node:worker_threads'
import { createRequire } from 'node:module'
import {
  GroupCipher, GroupSessionBuilder, SenderKeyDistributionMessage, SenderKeyName, SenderKeyRecord
} from '@whiskeysockets/baileys/lib/Signal/Group/index.js'

const require = createRequire(import.meta.url)
const { ProtocolAddress } = require('libsignal')

const stores = new Map() // member name -> sender-key store

function store (member) {
  if (!stores.has(member)) {
    const records = new Map()
    stores.set(member, {
      async loadSenderKey (name) {
        const s = records.get(name.toString())
        return s ? SenderKeyRecord.deserialize(s) : new SenderKeyRecord()
      },
      async storeSenderKey (name, record) {
        records.set(name.toString(), Buffer.from(JSON.stringify(record.serialize()), 'utf-8'))
      }
    })
  }
  return stores.get(member)
}

const keyName = (group, addr) => {
  const [id, device] = addr.split('.')
  return new SenderKeyName(group, new ProtocolAddress(id, Number(device)))
}

const ops = {
  // our distribution message for group (Baileys' getSenderKeyDistributionMessage)
  async skdm ({ member, group, self }) {
    const m = await new GroupSessionBuilder(store(member)).create(keyName(group, self))
    return Buffer.from(m.serialize())
  },
  async process ({ member, group, sender, skdm }) {
    const msg = new SenderKeyDistributionMessage(null, null, null, null, Buffer.from(skdm))
    await new GroupSessionBuilder(store(member)).process(keyName(group, sender), msg)
    return true
  },
  async encrypt ({ member, group, self, data }) {
    return Buffer.from(await new GroupCipher(store(member), keyName(group, self)).encrypt(Buffer.from(data)))
  },
  async decrypt ({ member, group, sender, ct }) {
    return Buffer.from(await new GroupCipher(store(member), keyName(group, sender)).decrypt(Buffer.from(ct)))
  }
}

parentPort.on('message', async ({ id, jobs }) => {
  const results = []
  for (const j of jobs) {
    try { results.push({ ok: await ops[j.op](j) }) } catch (e) { results.push({ error: String(e && e.message) }) }
  }
  parentPort.postMessage({ id, results })
})
