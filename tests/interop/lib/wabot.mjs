// wabot's own client commands (auth, status, sync, send, messages, logout) against `wabot sim`,
// as a user would run them: each a process with a store directory of its own.
//
//   const w = new Wabot(sim)                          // a fresh --store in a temporary directory
//   const { jid } = await w.link({ phone })           // wabot auth, QR scanned by the sim's phone
//   await w.link({ code: true, phone })               // wabot auth --phone, code entered
//   const r = await w.run(['status', '--json'])       // { code, stdout, stderr }
//   const p = w.spawn(['sync', '--follow', '--json']) // a long-running one: p.lines(), p.stop()
//   const bot = await w.runBot('bots/echo.lua')        // wabot run, once it is connected;
//                                                      // bot.waitLog(/re/), bot.stop()
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { wabotPath } from './paths.mjs'

const stores = new Set()
process.on('exit', () => { for (const d of stores) rmSync(d, { recursive: true, force: true }) })

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

export class Wabot {
  // flags: more global flags for every command (such as ['--browser', 'Firefox']).
  constructor (sim, { dir, flags = [] } = {}) {
    this.sim = sim
    this.dir = dir
    this.extraFlags = flags
  }

  async init () {
    if (!this.dir) {
      this.dir = await mkdtemp(join(tmpdir(), 'wabot-client-'))
      stores.add(this.dir)
    }
    return this
  }

  // The global flags every client command takes.
  flags () {
    return ['--store', join(this.dir, 'store'), '--server', this.sim.url,
      '--trust-root', this.sim.info.rootKey, ...this.extraFlags]
  }

  // A command that runs to its end: { code, stdout, stderr }.
  async run (args, { timeoutMs = 60000, env, cwd } = {}) {
    await this.init()
    const p = this.spawn(args, { env, cwd })
    const timer = setTimeout(() => p.proc.kill('SIGKILL'), timeoutMs)
    const { code, signal } = await p.exited
    clearTimeout(timer)
    return { code: code ?? signal, stdout: p.stdout(), stderr: p.stderr() }
  }

  // A process: { proc, exited, stdout(), stderr(), lines (async iterator of stdout lines),
  // stop() (SIGTERM, then the exit) }.
  // quietStdout: the process writes its stdout to /dev/null, and nothing of it is read here (a
  // benchmark's timed process, whose every line would otherwise cost this process CPU).
  spawn (args, { env, cwd, quietStdout = false } = {}) {
    const [cmd, ...rest] = args
    const proc = spawn(wabotPath(), [cmd, ...this.flags(), ...rest],
      { stdio: ['ignore', quietStdout ? 'ignore' : 'pipe', 'pipe'], env: { ...process.env, ...env }, cwd })
    const out = []
    const err = []
    proc.stderr.on('data', (d) => { err.push(d); if (process.env.WABOT_STDERR) process.stderr.write(d) })
    const exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })))
    const lineWaiters = []
    const lines = []
    if (proc.stdout) {
      createInterface({ input: proc.stdout }).on('line', (l) => {
        out.push(l + '\n')
        lines.push(l)
        for (const w of lineWaiters.splice(0)) w()
      })
    }
    const p = {
      proc,
      exited,
      lines,
      stdout: () => out.join(''),
      stderr: () => Buffer.concat(err).toString(),
      // Resolves with the first line (from index `from`) that pred accepts.
      async waitLine (pred, { timeoutMs = 30000, from = 0 } = {}) {
        const end = Date.now() + timeoutMs
        for (let i = from; ;) {
          for (; i < lines.length; i++) if (pred(lines[i])) return lines[i]
          if (proc.exitCode !== null || proc.signalCode !== null) {
            throw new Error(`wabot ${cmd} exited (${proc.exitCode ?? proc.signalCode}) before the line; stderr:\n${p.stderr()}`)
          }
          if (Date.now() > end) throw new Error(`timed out waiting for a line from wabot ${cmd}; stdout:\n${p.stdout()}\nstderr:\n${p.stderr()}`)
          await Promise.race([new Promise((resolve) => lineWaiters.push(resolve)), sleep(200)])
        }
      },
      // Resolves with the first match of re in stderr (the log) after `from` characters.
      async waitLog (re, { timeoutMs = 30000, from = 0 } = {}) {
        const end = Date.now() + timeoutMs
        for (;;) {
          const m = re.exec(p.stderr().slice(from))
          if (m) return m
          if (proc.exitCode !== null || proc.signalCode !== null) {
            throw new Error(`wabot ${cmd} exited (${proc.exitCode ?? proc.signalCode}) before ${re}; stderr:\n${p.stderr()}`)
          }
          if (Date.now() > end) throw new Error(`timed out waiting for ${re} from wabot ${cmd}; stderr:\n${p.stderr()}`)
          await sleep(20)
        }
      },
      async stop () {
        if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM')
        return exited
      }
    }
    return p
  }

  // wabot run BOT [args] on this (linked) store; resolves once the client is logged in.
  async runBot (bot, args = [], { env } = {}) {
    await this.init()
    const p = this.spawn(['run', bot, ...args], { env })
    await p.waitLog(/connected as /)
    return p
  }

  // wabot auth: by QR (the simulator's phone scans it for `phone`, or a new account) or by
  // pairing code (`code: true`, `phone` required). Resolves { jid, phone, stdout } once auth
  // exited 0.
  async link ({ phone, code = false, name, env } = {}) {
    await this.init()
    const qrFile = join(this.dir, 'qr.txt')
    rmSync(qrFile, { force: true })
    const args = ['auth', '--qr-out', qrFile]
    if (code) args.push('--phone', phone)
    if (name) args.push('--name', name)
    const p = this.spawn(args, { env })
    if (code) {
      const line = await p.waitLine((l) => l.startsWith('Pairing code: '))
      await this.sim.admin('POST', '/admin/mock-phone/enter-code', { phone, code: line.slice(14) })
    } else {
      const end = Date.now() + 20000
      while (!existsSync(qrFile) || !readFileSync(qrFile, 'utf8').includes('\n')) {
        if (Date.now() > end) throw new Error(`no QR from wabot auth:\n${p.stderr()}`)
        if (p.proc.exitCode !== null) throw new Error(`wabot auth exited ${p.proc.exitCode}:\n${p.stderr()}`)
        await sleep(50)
      }
      const qr = readFileSync(qrFile, 'utf8').split('\n')[0]
      const query = phone ? `?phone=${phone}` : ''
      await this.sim.admin('POST', '/admin/mock-phone/scan-qr' + query, qr)
    }
    const { code: status } = await p.exited
    if (status !== 0) throw new Error(`wabot auth exited ${status}:\n${p.stderr()}`)
    const m = /Logged in as (\S+)/.exec(p.stdout())
    if (!m) throw new Error(`wabot auth said nothing of a login:\n${p.stdout()}`)
    this.jid = m[1]
    this.phone = m[1].split(':')[0]
    return { jid: m[1], phone: this.phone, stdout: p.stdout() }
  }

  async status () {
    const r = await this.run(['status', '--json'])
    return { code: r.code, ...JSON.parse(r.stdout) }
  }
}

export async function newWabot (sim, opts) {
  return new Wabot(sim, opts).init()
}
