// The group methods, onWhatsApp and profilePictureUrl of `sock` and the group events in Lua
// (bindings/session_groups.c), run by `wabot run` on a bot against Baileys users through
// `wabot sim`: what each method returns is what Baileys' method of the same name returns for
// the same call (metadata, per-participant results, invite codes, the picture's URL, the
// onWhatsApp list), the Baileys members see the bot's changes as a Baileys admin's, and the
// events the bot's listeners get are the payloads a Baileys member's listeners get.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { exitWhenDone } from './lib/baileys-client.mjs'
import { withBot } from './lib/bot.mjs'
import { mediaTrust } from './lib/sim-route.mjs'

exitWhenDone()

const UNKNOWN = '15559999999@s.whatsapp.net'

// The bot: on "!run FRIEND" from the user it makes the calls and writes each result (or its
// nil, message, code) as a JSON line; every group event its listeners get is written too.
const botSource = (out) => `
local cjson = require 'cjson'
local sock = wabot.sock
local function write(kind, name, v)
  local f = assert(io.open(${JSON.stringify(out)}, 'a'))
  f:write(cjson.encode({ kind = kind, name = name, value = v }), '\\n')
  f:close()
end
local function result(name, v, err, code)
  write('result', name, v == nil and { err = err, code = code } or v)
  wabot.sleep(200) -- Baileys keeps only the first groups.update per group its buffer holds
  return v
end
for _, name in ipairs({ 'groups.upsert', 'groups.update', 'group-participants.update', 'chats.update', 'chats.upsert' }) do
  sock.ev:on(name, function(p) write('event', name, p) end)
end
sock.ev:on('messages.upsert', function(up)
  for _, m in ipairs(up.messages) do
    local friend = not m.key.fromMe and m.text and m.text:match('^!run (%S+)$')
    if friend then
      local user = m.sender
      local g = result('groupCreate', sock:groupCreate('lua club', { user }))
      local id = g.id
      result('groupParticipantsUpdate', sock:groupParticipantsUpdate(id, { friend, '${UNKNOWN}', user }, 'add'))
      result('groupUpdateSubject', sock:groupUpdateSubject(id, 'lua club 2'))
      result('groupUpdateDescription', sock:groupUpdateDescription(id, 'made in Lua'))
      result('groupSettingUpdate', sock:groupSettingUpdate(id, 'announcement'))
      result('promote', sock:groupParticipantsUpdate(id, { friend }, 'promote'))
      result('groupInviteCode', sock:groupInviteCode(id))
      result('groupRevokeInvite', sock:groupRevokeInvite(id))
      result('groupMetadata', sock:groupMetadata(id))
      result('groupFetchAllParticipating', sock:groupFetchAllParticipating())
      result('onWhatsApp', sock:onWhatsApp(user, '+15559999999'))
      result('profilePictureUrl', sock:profilePictureUrl(user))
      result('profilePictureUrl.image', sock:profilePictureUrl(user, 'image'))
      result('profilePictureUrl.none', sock:profilePictureUrl(friend))
      result('groupMetadata.none', sock:groupMetadata('120363999999999999@g.us'))
      result('groupAcceptInvite.revoked', sock:groupAcceptInvite('NotACodeAnyMore'))
      local ok, err = pcall(function() return sock:groupParticipantsUpdate(id, { friend }, 'kick') end)
      local ok2, err2 = pcall(function() return sock:groupMetadata('15550001111@s.whatsapp.net') end)
      result('misuse', { raised = not ok and not ok2, err = tostring(err), err2 = tostring(err2) })
      result('groupLeave', sock:groupLeave(id))
      m:reply({ text = 'done' })
    end
  end
end)
`

const lines = (file) => existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []
const results = (file) => Object.fromEntries(lines(file).filter((l) => l.kind === 'result').map((l) => [l.name, l.value]))

// JSON as Baileys' objects print it, without the nulls a Lua table cannot hold (admin: null).
const clean = (x) => JSON.parse(JSON.stringify(x, (k, v) => v === null ? undefined : v))

test('the Lua group methods answer what Baileys\' do, and Baileys members see the bot\'s changes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wabot-lua-groups-'))
  const out = join(dir, 'results.jsonl')
  try {
    await withBot({ source: botSource(out) }, async ({ sim, user, botJid, inbox, connect }) => {
      // the user has a picture (Baileys' updateProfilePicture, made with sharp), the friend none
      const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#3a7' } }).jpeg().toBuffer()
      await user.sock.updateProfilePicture(user.userJid, jpeg)
      const friend = await sim.admin('POST', '/admin/accounts', { phone: '15550313131' })
      const friendJid = friend.jid
      await user.sock.sendMessage(botJid, { text: `!run ${friendJid}` })
      await inbox.waitCount(botJid, 1, 30000)
      assert.equal(inbox.texts(botJid)[0], 'done')
      const r = results(out)
      const gid = r.groupCreate.id
      // metadata as Baileys reads it (the user is a member until the bot leaves... read it now:
      // the bot left, so compare with what the bot read against the user's view before)
      assert.equal(r.groupCreate.subject, 'lua club')
      assert.deepEqual(r.groupCreate.participants.map((p) => [p.id, p.admin ?? null]),
        [[botJid, 'superadmin'], [user.userJid, null]])
      assert.deepEqual(r.groupParticipantsUpdate, [{ status: '200', jid: friendJid }, { status: '404', jid: UNKNOWN }, { status: '409', jid: user.userJid }])
      for (const k of ['groupUpdateSubject', 'groupUpdateDescription', 'groupSettingUpdate', 'groupLeave']) assert.equal(r[k], true, k)
      assert.match(r.groupInviteCode, /^[A-Za-z0-9]{22}$/)
      assert.notEqual(r.groupRevokeInvite, r.groupInviteCode)
      assert.equal(r.groupMetadata.subject, 'lua club 2')
      assert.equal(r.groupMetadata.desc, 'made in Lua')
      assert.equal(r.groupMetadata.announce, true)
      assert.deepEqual(r.groupFetchAllParticipating[gid], r.groupMetadata)
      assert.deepEqual(r.onWhatsApp, [{ jid: user.userJid, exists: true }])
      assert.deepEqual(clean(await user.sock.onWhatsApp(user.userJid, '+15559999999')), r.onWhatsApp, 'onWhatsApp as Baileys answers it')
      assert.equal(r.profilePictureUrl, await user.sock.profilePictureUrl(user.userJid), 'the URL Baileys gets')
      assert.equal(r['profilePictureUrl.image'], await user.sock.profilePictureUrl(user.userJid, 'image'))
      const { dispatcher } = await mediaTrust(sim)
      const pic = Buffer.from(await (await fetch(r.profilePictureUrl, { dispatcher })).arrayBuffer())
      assert.deepEqual([...pic.subarray(0, 2)], [0xff, 0xd8], 'the URL serves the JPEG')
      assert.deepEqual(r['profilePictureUrl.none'], { err: 'the server refused: 404 item-not-found', code: 'ENOTFOUND' })
      await assert.rejects(user.sock.profilePictureUrl(friendJid), /item-not-found/)
      assert.equal(r['groupMetadata.none'].code, 'ENOTFOUND')
      assert.equal(r['groupAcceptInvite.revoked'].code, 'ENOTFOUND')
      assert.equal(r.misuse.raised, true)
      assert.match(r.misuse.err, /bad argument #3 to 'groupParticipantsUpdate' \(invalid option 'kick'\)/)
      assert.match(r.misuse.err2, /bad argument #1 to 'groupMetadata' \('15550001111@s.whatsapp.net' is not a group JID\)/)
      // the metadata the bot read is the one Baileys reads for the same group (the user is
      // still in it after the bot left)
      const seen = clean(await user.sock.groupMetadata(gid))
      const mine = r.groupMetadata
      assert.deepEqual(mine.participants.filter((p) => p.id !== botJid), seen.participants)
      for (const k of ['id', 'subject', 'subjectOwner', 'subjectTime', 'creation', 'owner', 'desc', 'descId', 'descOwner', 'descTime', 'restrict', 'announce', 'addressingMode']) {
        assert.deepEqual(mine[k], seen[k], `groupMetadata ${k}`)
      }
      // the user saw the bot's changes as a Baileys admin's, with the bot as author (paced:
      // Baileys' event buffer keeps only the first groups.update of a group it holds, see
      // Utils/event-buffer.js, so changes back to back would lose some at the user)
      const about = (e) => (Array.isArray(e.data) ? e.data : [e.data]).some((x) => x.id === gid)
      await new Promise((resolve) => setTimeout(resolve, 300))
      const events = user.events.filter((e) => ['groups.upsert', 'groups.update', 'group-participants.update'].includes(e.event) && about(e))
      const said = new Set()
      for (const e of events) {
        for (const x of Array.isArray(e.data) ? e.data : [e.data]) {
          assert.equal(x.author, botJid, `${e.event} by the bot`)
          if (e.event === 'group-participants.update') said.add(`${x.action} ${x.participants.map((p) => p.id).join()}`)
          else for (const k of Object.keys(clean(x))) if (!['id', 'author'].includes(k)) said.add(`${k}=${JSON.stringify(x[k])}`)
        }
      }
      for (const k of [`add ${friendJid}`, `promote ${friendJid}`, `remove ${botJid}`, 'subject="lua club 2"',
        'desc="made in Lua"', 'announce=true', `inviteCode="${r.groupRevokeInvite}"`]) assert.ok(said.has(k), `the user heard: ${k}`)
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('group events reach the bot\'s listeners as a Baileys member\'s listeners get them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wabot-lua-groups-'))
  const out = join(dir, 'results.jsonl')
  try {
    await withBot({ source: botSource(out) }, async ({ sim, user, botJid, connect }) => {
      const member = await connect({ name: 'Member' })
      const meta = await user.sock.groupCreate('from a user', [botJid, member.userJid])
      const gid = meta.id
      const steps = [
        () => user.sock.groupUpdateSubject(gid, 'renamed'),
        () => user.sock.groupUpdateDescription(gid, 'about'),
        () => user.sock.groupParticipantsUpdate(gid, [botJid], 'promote'),
        () => user.sock.groupSettingUpdate(gid, 'locked'),
        () => user.sock.groupRevokeInvite(gid),
        () => member.sock.groupLeave(gid)
      ]
      const memberEvents = () => member.events.filter((e) => ['groups.upsert', 'groups.update', 'group-participants.update', 'chats.update', 'chats.upsert'].includes(e.event) &&
        (Array.isArray(e.data) ? e.data : [e.data]).some((x) => x.id === gid)).map((e) => ({ event: e.event, data: clean(e.data) }))
      const botEvents = () => lines(out).filter((l) => l.kind === 'event' && (Array.isArray(l.value) ? l.value : [l.value]).some((x) => x.id === gid)).map((l) => ({ event: l.name, data: l.value }))
      const settle = async (ref, other, what) => { // other caught up, ref still for 250 ms
        const end = Date.now() + 10000
        let last = -1
        let since = Date.now()
        for (;;) {
          const n = ref()
          if (n !== last) { last = n; since = Date.now() }
          if (other() >= n && Date.now() - since >= 250) return
          if (Date.now() > end) throw new Error(`timed out: ${what}`)
          await new Promise((resolve) => setTimeout(resolve, 25))
        }
      }
      const until = async (pred, what) => {
        const end = Date.now() + 10000
        while (!pred()) {
          if (Date.now() > end) throw new Error(`timed out: ${what}`)
          await new Promise((resolve) => setTimeout(resolve, 25))
        }
      }
      await until(() => memberEvents().length >= 2 && botEvents().length >= 2, 'the create')
      for (const step of steps) {
        const n = memberEvents().length
        await step()
        await until(() => memberEvents().length > n, 'the member to hear of it')
        await settle(() => memberEvents().length, () => botEvents().length, 'the bot to hear of it')
      }
      // the member who left does not hear of its own leave after it left: compare up to there
      const fromBot = botEvents()
      const fromMember = memberEvents()
      assert.deepEqual(fromBot.slice(0, fromMember.length), fromMember)
      const kinds = fromBot.map((e) => e.event)
      for (const k of ['groups.upsert', 'chats.upsert', 'groups.update', 'chats.update', 'group-participants.update']) assert.ok(kinds.includes(k), k)
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
