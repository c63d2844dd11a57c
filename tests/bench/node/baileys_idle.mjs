// One Baileys socket on saved credentials, for tests/bench/node/scenarios.mjs: prints "open"
// once logged in, then idles until killed. Arguments: the websocket URL, the simulator's root
// key (hex), the auth directory.
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

// Baileys and pino as tests/interop installed them (npm ci there).
const req = createRequire(new URL('../../interop/package.json', import.meta.url))
const { default: makeWASocket, Browsers, WA_CERT_DETAILS, useMultiFileAuthState } =
  await import(pathToFileURL(req.resolve('@whiskeysockets/baileys')).href)
const { default: pino } = await import(pathToFileURL(req.resolve('pino')).href)

const [url, root, authDir] = process.argv.slice(2)
WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(root, 'hex')
const { state, saveCreds } = await useMultiFileAuthState(authDir)
const sock = makeWASocket({
  waWebSocketUrl: url,
  auth: state,
  logger: pino({ level: 'silent' }),
  browser: Browsers.macOS('Chrome'),
  shouldSyncHistoryMessage: () => false,
  markOnlineOnConnect: false
})
sock.ev.on('creds.update', saveCreds)
sock.ev.on('connection.update', (u) => { if (u.connection === 'open') process.stdout.write('open\n') })
setInterval(() => {}, 1 << 30)
