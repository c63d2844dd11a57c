// The Node side of tests/bench: `node bench.mjs NAME` prints "NAME ops_per_second", measured
// on the same inputs (tests/bench/data) as wb_bench NAME, with Baileys / libsignal doing the work.
import { performance } from 'node:perf_hooks'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const dataDir = process.env.WABOT_BENCH_DATA || join(dirname(fileURLToPath(import.meta.url)), '..', 'data')
export const readData = (name) => readFileSync(join(dataDir, name))

// Calls op() repeatedly for at least minSeconds (growing batches after a warm-up); returns calls/s.
export async function measure (op, minSeconds = 1) {
  for (let i = 0; i < 100; i++) await op()
  let batch = 16; let total = 0
  const start = performance.now(); let elapsed = 0
  while (elapsed < minSeconds * 1000) {
    for (let i = 0; i < batch; i++) await op()
    total += batch
    elapsed = performance.now() - start
    if (elapsed < minSeconds * 100) batch *= 2
  }
  return total / (elapsed / 1000)
}

// name -> async () => ops/s. Families register in their own modules, imported below.
// Each family module (bench_<family>.mjs beside this file) default-exports such an object.
export const benches = {}

const families = []
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
