// Shared by tests/bench/node/bench.mjs and the family modules (bench_<family>.mjs): the data
// directory and the measuring loop.
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
