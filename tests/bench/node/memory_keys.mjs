// Signal keys in memory for Baileys clients that only generate load in the benches (the senders
// of echo-rate, the stream of reload-latency): BaileysClient.connect(sim, { onState: (state) => {
// state.keys = memoryKeys() } }). A load generator has no restart to survive, and the file writes
// of useMultiFileAuthState (a JSON file per key per message) would take CPU time the machine's
// bots need: about half of what such a client spends per message.
export function memoryKeys () {
  const data = new Map()
  return {
    get: async (type, ids) => Object.fromEntries(ids.map((id) => [id, data.get(`${type}/${id}`) ?? null])),
    set: async (update) => {
      for (const type in update) {
        for (const id in update[type]) {
          const v = update[type][id]
          if (v) data.set(`${type}/${id}`, v)
          else data.delete(`${type}/${id}`)
        }
      }
    }
  }
}
