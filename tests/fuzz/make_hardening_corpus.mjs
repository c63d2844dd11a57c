// Writes the seed corpora of the transport and simulator hardening targets:
//   fuzz_http_conn    [piece][flags] + a client's byte stream (pipelining, chunked bodies,
//                     100-continue, an upgrade with frames behind it)
//   fuzz_net_client   [mode] + a server's answer (a 101 with frames behind it, HTTP answers)
//   fuzz_noise_conn   [mode] + raw bytes, or plaintext frames for a real initiator
//   fuzz_sim_hold     programs of stall/delay operations
//   fuzz_sim_state    a real sim.db made by `wabot sim --state` (raw mode), and edit programs
// Run: node tests/fuzz/make_hardening_corpus.mjs (after scripts/build: the sim.db comes from
// build/wabot).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot } from '../interop/lib/paths.mjs'
import { startSim } from '../interop/lib/sim.mjs'

const dir = (name) => { const d = join(repoRoot, 'tests', 'fuzz', 'corpus', name); mkdirSync(d, { recursive: true }); return d }
const put = (name, file, ...parts) => writeFileSync(join(dir(name), file), Buffer.concat(parts.map((p) => typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))))
const u8 = (...b) => Buffer.from(b)

// ---- fuzz_http_conn: byte 0 piece size, byte 1 flags (1 later, 2 no keep-alive, 4 full queue,
// 8 small budget, 16 EOF at the end, 32 deadline)
const get = (path) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`
const upgrade = 'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n'
put('fuzz_http_conn', 'pipelined', u8(3, 0), get('/a') + get('/b') + 'POST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello' + get('/d'))
put('fuzz_http_conn', 'answered-later', u8(7, 1), get('/a') + get('/b') + get('/c'))
put('fuzz_http_conn', 'chunked', u8(5, 0), 'POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\n' + get('/e'))
put('fuzz_http_conn', 'continue', u8(2, 1), 'POST /c HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc')
put('fuzz_http_conn', 'upgrade-with-frames', u8(4, 0), get('/a') + upgrade, u8(0x82, 0x85, 1, 2, 3, 4, 0x69, 0x67, 0x6f, 0x68, 0x6b), 'then more bytes')
put('fuzz_http_conn', 'upgrade-later', u8(1, 1), upgrade + 'behind the upgrade')
put('fuzz_http_conn', 'close', u8(0, 0), get('/close') + get('/never'))
put('fuzz_http_conn', 'full-queue', u8(9, 4), get('/a').repeat(20))
put('fuzz_http_conn', 'budget', u8(6, 8), 'POST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 4000\r\n\r\n' + 'a'.repeat(100))
put('fuzz_http_conn', 'eof-midway', u8(8, 16), get('/a') + 'GET /b HTTP/1.1\r\nHo')
put('fuzz_http_conn', 'deadline', u8(11, 32 | 16), 'POST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 40\r\n\r\nabc')
put('fuzz_http_conn', 'bad', u8(13, 2), 'GET / HTTP/1.1\nHost: x\n\n')
put('fuzz_http_conn', 'big-pipeline', u8(0, 1), get('/x').repeat(2000))

// ---- fuzz_net_client: bit 0 http, bit 1 a valid 101 in front, bits 2.. piece size
put('fuzz_net_client', 'ws-frames', u8(2 | (3 << 2)), u8(0x82, 5), 'hello', u8(0x81, 2), 'hi', u8(0x89, 0), u8(0x02, 2), 'ab', u8(0x80, 1), 'c', u8(0x88, 2, 3, 0xe8))
put('fuzz_net_client', 'ws-bad-frame', u8(2), u8(0x82, 0x81, 1, 2, 3, 4, 5))
put('fuzz_net_client', 'ws-no-101', u8(0), 'HTTP/1.1 403 Forbidden\r\nContent-Length: 3\r\n\r\nno!')
put('fuzz_net_client', 'ws-wrong-accept', u8(5 << 2), 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n', u8(0x82, 1, 0))
put('fuzz_net_client', 'http-length', u8(1 | (2 << 2)), 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello and what follows')
put('fuzz_net_client', 'http-chunked', u8(1), 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n')
put('fuzz_net_client', 'http-until-close', u8(1 | (7 << 2)), 'HTTP/1.1 200 OK\r\n\r\nbody until the end')
put('fuzz_net_client', 'http-interim', u8(1), 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n')
put('fuzz_net_client', 'http-truncated', u8(1), 'HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort')

// ---- fuzz_noise_conn: even: raw bytes to a responder; odd: [len][plaintext]... for a real client
put('fuzz_noise_conn', 'frames', u8(1 | (4 << 1)), u8(5), 'hello', u8(0), u8(3), 'abc', u8(200), Buffer.alloc(200, 7))
put('fuzz_noise_conn', 'frames-bytewise', u8(1), u8(2), 'hi', u8(1), 'x')
put('fuzz_noise_conn', 'intro-then-junk', u8(10 << 1), 'WA', u8(6, 3, 0, 0, 5), 'junk!')
put('fuzz_noise_conn', 'routing-intro', u8(2 << 1), 'ED', u8(0, 1, 0, 0, 2, 9, 9), 'WA', u8(6, 3, 0, 0, 1, 0))
put('fuzz_noise_conn', 'huge-frame', u8(0), 'WA', u8(6, 3, 0xff, 0xff, 0xff), 'a')

// ---- fuzz_sim_hold: [op][arg] pairs; ops 0 send, 1 input, 2 stall, 3 stall end, 4 delay,
// 5 time passes, 6 flush
put('fuzz_sim_hold', 'delay', u8(4, 10, 0, 1, 0, 2, 5, 5, 6, 0, 5, 20, 6, 0, 0, 0, 6, 0))
put('fuzz_sim_hold', 'stall', u8(0, 1, 2, 0, 0, 3, 1, 4, 1, 2, 6, 0, 5, 200, 6, 0, 3, 0, 6, 0))
put('fuzz_sim_hold', 'stall-after-delay', u8(4, 50, 0, 1, 0, 1, 2, 0, 5, 255, 6, 0, 0, 1, 3, 0, 6, 0, 5, 255, 6, 0))
put('fuzz_sim_hold', 'big', u8(2, 0, ...Array.from({ length: 100 }, () => [0, 255]).flat(), 1, 255, 1, 255, 3, 0, 6, 0))

// ---- fuzz_sim_state: a real state, and edits of the fixture's
const state = mkdtempSync(join(tmpdir(), 'wabot-corpus-'))
try {
  const sim = await startSim({ state })
  await sim.admin('POST', '/admin/accounts', { phone: '15550001111', name: 'A' })
  await sim.admin('POST', '/admin/accounts', { phone: '15550002222' })
  await sim.admin('POST', '/admin/groups', { subject: 'G', creator: '15550001111', participants: ['15550002222'] })
  await sim.stop()
  put('fuzz_sim_state', 'real-sim-db', u8(3), readFileSync(join(state, 'sim.db')))
} finally {
  rmSync(state, { recursive: true, force: true })
}
// byte 0: 0 edits, 2 edits and a login; then [op 0 update, 1 delete, 2 insert a changed copy][table][column][row][type 0 null, 1 int,
// 2 text, 3 blob, 4 small int][len][bytes]; tables: meta accounts devices prekeys queue privacy
// blocklist groups group_members contacts media
put('fuzz_sim_state', 'null-identity', u8(0, 0, 1, 4, 0, 0, 0))
put('fuzz_sim_state', 'short-noise-key', u8(2, 0, 2, 5, 0, 3, 3, 1, 2, 3))
put('fuzz_sim_state', 'orphan-device', u8(2, 1, 2, 1, 0, 1, 8, 99, 0, 0, 0, 0, 0, 0, 0))
put('fuzz_sim_state', 'deleted-account', u8(0, 1, 1, 0, 0, 0, 0))
put('fuzz_sim_state', 'text-root-key', u8(0, 0, 0, 1, 0, 2, 5, 104, 101, 108, 108, 111))
put('fuzz_sim_state', 'negative-next-device', u8(0, 0, 1, 6, 0, 4, 0xff))
put('fuzz_sim_state', 'copied-device', u8(2, 2, 2, 0, 0, 1, 8, 50, 0, 0, 0, 0, 0, 0, 0))
put('fuzz_sim_state', 'queue-garbage', u8(2, 0, 4, 3, 0, 3, 4, 0xf8, 0, 1, 2))
