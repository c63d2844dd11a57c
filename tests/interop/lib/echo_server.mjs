// Starts tests/tools/wb_echo_server (wabot's transport as a server) and reads its JSON line:
// {port, tls, cert}. stop() sends SIGTERM and resolves with the exit code (0: every handle was
// closed cleanly).
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { echoServerPath } from './paths.mjs'

export async function startEchoServer (args = []) {
  const proc = spawn(echoServerPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  proc.stderr.on('data', (d) => { log += d })
  const exited = new Promise((resolve) => proc.once('exit', (code, sig) => resolve(code ?? sig)))
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: proc.stdout }).once('line', resolve)
    exited.then((c) => reject(new Error(`wb_echo_server exited (${c}): ${log}`)))
  })
  const info = JSON.parse(line)
  return {
    ...info,
    proc,
    log: () => log,
    async stop () {
      proc.kill('SIGTERM')
      return exited
    }
  }
}
