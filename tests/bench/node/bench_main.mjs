// The end of every bench_<family>.mjs that names its benchmarks: `node FILE NAME` runs
// benches[NAME] and prints "bench NAME: <its line>", exiting 0, or says why and exits non-zero.
export async function runNamed (file, benches) {
  const name = process.argv[2]
  if (!benches[name]) {
    console.error(`${file}: no benchmark named ${name}; have: ${Object.keys(benches).join(' ')}`)
    process.exit(2)
  }
  try {
    console.log(`bench ${name}: ${await benches[name]()}`)
    process.exit(0)
  } catch (e) {
    console.error(`bench ${name}: ${e.stack ?? e}`)
    process.exit(1)
  }
}
