// wabot's group administration (`wabot groups ...`, host/client/group_admin.c) and its group
// events (`wabot sync --follow --json`, host/client/group_events.c) against real Baileys through
// `wabot sim`:
//   - the same sequence of calls made by a wabot admin and by a Baileys admin: the Baileys
//     members see the same events (groups.upsert, groups.update, group-participants.update,
//     chats.upsert, chats.update: same fields, same authors), the per-participant results and
//     the metadata are the same as Baileys' own for the same call;
//   - the reverse: a Baileys admin's changes reach wabot as the events a Baileys member emits
//     for them, field for field;
//   - invites across the two (get, revoke, accept; a revoked code refused for both).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { exitWhenDone, withSim } from './lib/baileys-client.mjs'
import { newWabot } from './lib/wabot.mjs'

exitWhenDone()

const GROUP_EVENTS = new Set(['groups.upsert', 'groups.update', 'group-participants.update', 'chats.upsert', 'chats.update'])
const UNKNOWN = '15559999999@s.whatsapp.net'

const about = (data, gid) => Array.isArray(data) ? data.some((x) => x.id === gid) : data?.id === gid

// A client's group events about gid, JSON-clean (undefined dropped), in order.
function groupEvents (events, gid) {
  return events.filter((e) => GROUP_EVENTS.has(e.event) && about(e.data, gid))
    .map((e) => ({ event: e.event, data: JSON.parse(JSON.stringify(e.data)) }))
}

// What differs between two runs of the same calls: the group, the admin, times, ids, codes.
function normalize (x, names) {
  let s = JSON.stringify(x)
  for (const [from, to] of names) s = s.split(from).join(to)
  return JSON.parse(s, (k, v) => {
    if (['creation', 'subjectTime', 'descTime', 'conversationTimestamp'].includes(k)) return typeof v === 'number' ? 'T' : v
    if (['descId', 'inviteCode'].includes(k)) return v ? 'ID' : v
    return v
  })
}

// Waits until other() has caught up with ref() and ref() has not moved for 250 ms (Baileys
// flushes its buffered events a moment after the notification).
async function settle (ref, other, what) {
  const end = Date.now() + 10000
  let last = -1
  let since = Date.now()
  for (;;) {
    const n = ref()
    if (n !== last) { last = n; since = Date.now() }
    if (other() >= n && Date.now() - since >= 250) return
    if (Date.now() > end) throw new Error(`timed out: ${what} (${other()} of ${n})`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

async function until (pred, ms, what) {
  const end = Date.now() + ms
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

// The calls as a Baileys admin makes them.
function baileysAdmin (a) {
  return {
    name: 'Baileys',
    jid: a.userJid,
    create: (subject, jids) => a.sock.groupCreate(subject, jids),
    participants: async (gid, jids, action) =>
      (await a.sock.groupParticipantsUpdate(gid, jids, action)).map(({ status, jid }) => ({ status, jid })),
    subject: (gid, s) => a.sock.groupUpdateSubject(gid, s),
    description: (gid, d) => a.sock.groupUpdateDescription(gid, d),
    setting: (gid, s) => a.sock.groupSettingUpdate(gid, s),
    inviteCode: (gid) => a.sock.groupInviteCode(gid),
    revoke: (gid) => a.sock.groupRevokeInvite(gid),
    metadata: (gid) => a.sock.groupMetadata(gid),
    participating: () => a.sock.groupFetchAllParticipating(),
    accept: (code) => a.sock.groupAcceptInvite(code),
    leave: (gid) => a.sock.groupLeave(gid)
  }
}

// The same calls through `wabot groups ... --json`.
function wabotAdmin (w) {
  const cli = async (args, okCodes = [0]) => {
    const r = await w.run(['groups', ...args, '--json'])
    if (!okCodes.includes(r.code)) throw new Error(`wabot groups ${args.join(' ')} exited ${r.code}: ${r.stderr}`)
    return r.stdout.trim() ? JSON.parse(r.stdout) : undefined
  }
  const settings = { announcement: 'announce', not_announcement: 'not_announce', locked: 'locked', unlocked: 'unlocked' }
  return {
    name: 'wabot',
    jid: `${w.phone}@s.whatsapp.net`,
    cli,
    create: (subject, jids) => cli(['create', subject, ...jids]),
    participants: (gid, jids, action) => cli([action, gid, ...jids], [0, 1]),
    subject: (gid, s) => cli(['subject', gid, s]),
    description: (gid, d) => cli(['description', gid, d]),
    setting: (gid, s) => cli(['settings', gid, settings[s]]),
    inviteCode: async (gid) => (await cli(['invite', gid])).code,
    revoke: async (gid) => (await cli(['invite', gid, '--revoke'])).code,
    metadata: (gid) => cli(['info', gid]),
    participating: () => cli(['list']),
    accept: async (code) => (await cli(['join', code])).jid,
    leave: (gid) => cli(['leave', gid])
  }
}

// The sequence of calls, each waiting until every member has heard of it (Baileys merges
// groups.update events that arrive close together in its event buffer, so an unpaced sequence
// shows the members a different number of events from run to run). Returns what the calls
// answered.
async function scenario (admin, b, c) {
  const out = {}
  const seen = (client, event, pred) => client.waitFor(event, (d) => (Array.isArray(d) ? d : [d]).some((x) => x.id === out.gid && pred(x)), 10000, { seen: true })
  const all = (event, pred) => Promise.all([b, c].map((x) => seen(x, event, pred)))
  const meta = await admin.create('twins', [b.userJid])
  out.gid = meta.id
  out.created = meta
  await seen(b, 'groups.upsert', () => true)
  out.add = await admin.participants(out.gid, [c.userJid, UNKNOWN, b.userJid], 'add')
  await seen(b, 'group-participants.update', (u) => u.action === 'add')
  await seen(c, 'groups.upsert', () => true)
  await admin.subject(out.gid, 'renamed')
  await all('groups.update', (u) => u.subject === 'renamed')
  await admin.description(out.gid, 'about us')
  await all('groups.update', (u) => u.desc === 'about us')
  await admin.description(out.gid, 'second words')
  await all('groups.update', (u) => u.desc === 'second words')
  out.promote = await admin.participants(out.gid, [c.userJid], 'promote')
  await all('group-participants.update', (u) => u.action === 'promote')
  out.demote = await admin.participants(out.gid, [c.userJid, UNKNOWN], 'demote')
  await all('group-participants.update', (u) => u.action === 'demote')
  for (const [s, field, value] of [['announcement', 'announce', true], ['not_announcement', 'announce', false],
    ['locked', 'restrict', true], ['unlocked', 'restrict', false]]) {
    await admin.setting(out.gid, s)
    await all('groups.update', (u) => u[field] === value)
  }
  out.code = await admin.inviteCode(out.gid)
  out.revoked = await admin.revoke(out.gid)
  await all('groups.update', (u) => u.inviteCode === out.revoked)
  out.metadata = await admin.metadata(out.gid)
  out.participating = (await admin.participating())[out.gid]
  out.remove = await admin.participants(out.gid, [c.userJid], 'remove')
  await all('group-participants.update', (u) => u.action === 'remove')
  return out
}

test('group calls from wabot reach Baileys members exactly as a Baileys admin\'s do', async (t) => {
  await withSim({}, async ({ sim, connect }) => {
    const w = await newWabot(sim)
    await w.link({ phone: '15550707070', name: 'Wabot' })
    const [a, b, c] = await Promise.all(['Ann', 'Ben', 'Cat'].map((name) => connect({ name })))
    const t0 = Date.now()
    const viaB = await scenario(baileysAdmin(a), b, c)
    const tB = Date.now() - t0
    const viaW = await scenario(wabotAdmin(w), b, c)
    const tW = Date.now() - t0 - tB
    const lidOf = (meta, jid) => meta.participants.find((p) => p.id === jid)?.lid
    const names = (run, admin) => [[run.gid, 'GROUP'], [admin, 'ADMIN'], [lidOf(run.created, admin), 'ADMIN_LID']]
    const nB = names(viaB, a.userJid)
    const nW = names(viaW, `${w.phone}@s.whatsapp.net`)
    // what each call answered
    for (const k of ['created', 'add', 'promote', 'demote', 'metadata', 'participating', 'remove']) {
      assert.deepEqual(normalize(viaW[k], nW), normalize(JSON.parse(JSON.stringify(viaB[k])), nB), `${k}: wabot's answer is Baileys'`)
    }
    assert.deepEqual(viaW.add.map((r) => r.status), ['200', '404', '409'], 'per participant: added, not on WhatsApp, already in')
    assert.match(viaW.code, /^[A-Za-z0-9]{22}$/)
    assert.notEqual(viaW.code, viaW.revoked)
    // what the members saw, event for event
    for (const [who, client] of [['Ben', b], ['Cat', c]]) {
      const sawB = normalize(groupEvents(client.events, viaB.gid), nB)
      const sawW = normalize(groupEvents(client.events, viaW.gid), nW)
      assert.ok(sawB.length >= 10, `${who} saw the Baileys admin's changes (${sawB.length} events)`)
      assert.deepEqual(sawW, sawB, `${who} saw the same events from wabot as from Baileys`)
    }
    for (const x of [a, b, c]) assert.deepEqual(x.unansweredRequests(), [])
    t.diagnostic(`the sequence (${Object.keys(viaB).length} results, ${groupEvents(b.events, viaB.gid).length} events at Ben): Baileys ${tB} ms, wabot ${tW} ms (a process and a login per call)`)
  })
})

test('a Baileys admin\'s changes reach wabot as the events a Baileys member emits', async (t) => {
  await withSim({}, async ({ sim, connect }) => {
    const w = await newWabot(sim)
    await w.link({ phone: '15550717171', name: 'Wabot' })
    const wj = `${w.phone}@s.whatsapp.net`
    const [a, b, c] = await Promise.all(['Ann', 'Ben', 'Cat'].map((name) => connect({ name })))
    const follow = w.spawn(['sync', '--follow', '--json'])
    try {
      await follow.waitLine((l) => l.includes('"connection":"open"'))
      const wEvents = () => follow.lines.map((l) => JSON.parse(l)).filter((e) => e.event !== 'connection.update')
      let gid
      const steps = [
        async () => { gid = (await a.sock.groupCreate('from baileys', [b.userJid, wj])).id },
        () => a.sock.groupParticipantsUpdate(gid, [c.userJid], 'add'),
        () => a.sock.groupUpdateSubject(gid, 'renamed'),
        () => a.sock.groupUpdateDescription(gid, 'about'),
        () => a.sock.groupUpdateDescription(gid, ''),
        () => a.sock.groupParticipantsUpdate(gid, [wj], 'promote'),
        () => a.sock.groupParticipantsUpdate(gid, [wj], 'demote'),
        () => a.sock.groupSettingUpdate(gid, 'announcement'),
        () => a.sock.groupSettingUpdate(gid, 'locked'),
        () => a.sock.groupRevokeInvite(gid),
        () => a.sock.groupToggleEphemeral(gid, 86400),
        () => c.sock.groupLeave(gid),
        () => a.sock.groupParticipantsUpdate(gid, [wj], 'remove')
      ]
      const count = () => groupEvents(b.events, gid).length
      for (const step of steps) {
        const before = count()
        await step()
        // each change reaches both; wait until wabot has printed as many as Ben has seen
        await until(() => count() > before, 10000, `Ben to hear of change ${steps.indexOf(step)}`)
        await settle(count, () => groupEvents(wEvents(), gid).length, 'wabot to print what Ben saw')
      }
      await until(() => groupEvents(wEvents(), gid).some((e) => e.event === 'chats.update' && e.data[0].readOnly === true), 10000, 'wabot to read its chat as read-only')
      const fromW = groupEvents(wEvents(), gid)
      const fromB = groupEvents(b.events, gid)
      // where wabot emits more than Baileys: its own removal marks the chat read-only (Baileys
      // compares our JID with phoneNumber, set only for LID participants, so it never fires in
      // a group addressed by phone number)
      const extra = (e) => e.event === 'chats.update' && 'readOnly' in e.data[0]
      assert.deepEqual(fromW.filter((e) => !extra(e)), fromB.filter((e) => !extra(e)))
      assert.deepEqual(fromW.filter(extra).map((e) => e.data[0]), [{ id: gid, readOnly: true }])
      const kinds = new Set(fromW.map((e) => e.event + (e.data.action ? ':' + e.data.action : '')))
      for (const k of ['groups.upsert', 'chats.upsert', 'groups.update', 'chats.update', 'group-participants.update:add',
        'group-participants.update:promote', 'group-participants.update:demote', 'group-participants.update:remove']) {
        assert.ok(kinds.has(k), `wabot emitted ${k}`)
      }
      t.diagnostic(`${fromW.length} group events at wabot, ${fromB.length} at Baileys (the same, but ${fromW.filter(extra).length})`)
    } finally {
      await follow.stop()
    }
  })
})

test('invites across wabot and Baileys: get, revoke, accept; a revoked code is refused', async () => {
  await withSim({}, async ({ sim, connect }) => {
    const w = await newWabot(sim)
    await w.link({ phone: '15550727272', name: 'Wabot' })
    const wj = `${w.phone}@s.whatsapp.net`
    const admin = wabotAdmin(w)
    const [a, c] = await Promise.all(['Ann', 'Cat'].map((name) => connect({ name })))
    // Baileys' group, wabot joins with its code and leaves
    const meta = await a.sock.groupCreate('open door', [])
    const code = await a.sock.groupInviteCode(meta.id)
    const joined = a.waitFor('group-participants.update', (u) => u.id === meta.id && u.action === 'add')
    assert.equal(await admin.accept(code), meta.id)
    const add = await joined
    assert.equal(add.author, wj, 'the one who joined is the author')
    assert.deepEqual(add.participants.map((p) => p.id), [wj])
    const info = await admin.metadata(meta.id)
    assert.deepEqual(normalize(info, []), normalize(JSON.parse(JSON.stringify(await a.sock.groupMetadata(meta.id))), []))
    const left = a.waitFor('group-participants.update', (u) => u.id === meta.id && u.action === 'remove')
    await admin.leave(meta.id)
    assert.equal((await left).author, wj)
    // a revoked code: refused for wabot as for Baileys
    await a.sock.groupRevokeInvite(meta.id)
    const r = await w.run(['groups', 'join', `https://chat.whatsapp.com/${code}`])
    assert.equal(r.code, 1)
    assert.match(r.stderr, /404 item-not-found/)
    await assert.rejects(c.sock.groupAcceptInvite(code), /item-not-found/)
    // wabot's group: Baileys joins with wabot's code (the link form too), wabot revokes it
    const mine = await admin.create('wabot door', [])
    const myCode = await admin.inviteCode(mine.id)
    const link = (await admin.cli(['invite', mine.id])).link
    assert.equal(link, `https://chat.whatsapp.com/${myCode}`)
    assert.equal((await c.sock.groupGetInviteInfo(myCode)).subject, 'wabot door')
    const upserted = c.waitFor('groups.upsert', (gs) => gs.some((g) => g.id === mine.id))
    assert.equal(await c.sock.groupAcceptInvite(myCode), mine.id)
    assert.equal((await upserted).find((g) => g.id === mine.id).owner, wj)
    const revoked = c.waitFor('groups.update', (us) => us.some((u) => u.id === mine.id && u.inviteCode))
    const next = await admin.revoke(mine.id)
    assert.equal((await revoked).find((u) => u.id === mine.id).inviteCode, next)
    await assert.rejects(a.sock.groupAcceptInvite(myCode), /item-not-found/)
    // the text forms
    const list = await w.run(['groups', 'list'])
    assert.equal(list.code, 0)
    assert.match(list.stdout, new RegExp(`^${mine.id}\twabot door\t2 members$`, 'm'))
    const plain = await w.run(['groups', 'info', mine.id.split('@')[0]])
    assert.match(plain.stdout, /^subject: +wabot door$/m)
    assert.match(plain.stdout, new RegExp(`^  ${wj}\tsuperadmin$`, 'm'))
    const notMember = await w.run(['groups', 'subject', meta.id, 'nope'])
    assert.equal(notMember.code, 1)
    assert.match(notMember.stderr, /403 forbidden/)
    const usage = await w.run(['groups', 'settings', mine.id, 'sideways'])
    assert.equal(usage.code, 2)
  })
})
