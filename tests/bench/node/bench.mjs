// The Node side of tests/bench: `node bench.mjs NAME` prints "NAME ops_per_second", measured
// on the same inputs (tests/bench/data) as wb_bench NAME, with Baileys / libsignal doing the work.
import { fileURLToPath } from 'node:url'

// Family modules import measure/readData from ./measure.mjs, not from this file: importing this
// file from a family would be an import cycle through the top-level await below, which never
// settles.
export { dataDir, readData, measure } from './measure.mjs'

// name -> async () => ops/s. Families register in their own modules, imported below.
// Each family module (bench_<family>.mjs beside this file) default-exports such an object.
export const benches = {}

const families = ['./bench_noise.mjs', './bench_codec.mjs', './bench_signal.mjs', './bench_ws.mjs', './bench_runtime.mjs']
for (const f of families) Object.assign(benches, (await import(f)).default)

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const name = process.argv[2]
  if (!benches[name]) {
    console.error(`bench.mjs: no benchmark named ${name}; have: ${Object.keys(benches).join(' ')}`)
    process.exit(2)
  }
  const r = await benches[name]()
  console.log(`${name} ${r.toFixed(1)}`)
}
