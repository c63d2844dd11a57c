// `wabot sim` groups against real Baileys 7.0.0-rc14 clients: a group of three made with
// groupCreate, 100 messages from each member decrypted by the other two in order per sender (the
// per-device <enc> with the sender key comes before skmsg), a member added later who hears of the
// group (groups.upsert, with its metadata) before its first message and gets what is sent after
// joining; and the group changes (subject, description, add, promote, demote, remove, leave,
// invite code) reaching the members as Baileys events.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { performance } from 'node:perf_hooks'
import { exitWhenDone, withSim } from './lib/baileys-client.mjs'
import { Inbox, simCpuMs, textOf } from './lib/sim-route.mjs'

exitWhenDone()

const N = 100

test('a group of three: 100 messages from each, in order per sender; a late member', async (t) => {
  await withSim({}, async ({ sim, connect }) => {
    const members = await Promise.all(['Alice', 'Bob', 'Carol'].map((name) => connect({ name })))
    const [a, b, c] = members
    const inbox = new Map(members.map((m) => [m, new Inbox(m)]))
    const created = c.waitFor('groups.upsert', (gs) => gs.some((g) => g.subject === 'trio'))
    const meta = await a.sock.groupCreate('trio', [b.userJid, c.userJid])
    assert.match(meta.id, /^\d+@g\.us$/)
    assert.equal(meta.addressingMode, 'pn')
    assert.deepEqual(meta.participants.map((p) => [p.id, p.admin]),
      [[a.userJid, 'superadmin'], [b.userJid, null], [c.userJid, null]])
    assert.equal((await created).find((g) => g.subject === 'trio').id, meta.id, 'members hear of the group')
    // first one message each, in turn (three sessions opened at once make libsignal log noise)
    for (const m of members) {
      await m.sock.sendMessage(meta.id, { text: `${m.opts.name} hello` })
      for (const o of members) if (o !== m) await inbox.get(o).waitUntil(meta.id, (es) => es.some((e) => e.from === m.userJid))
    }
    const before = await sim.stats()
    const cpu0 = simCpuMs(sim)
    const t0 = performance.now()
    await Promise.all(members.map(async (m) => {
      for (let i = 0; i < N; i++) await m.sock.sendMessage(meta.id, { text: `${m.opts.name} ${i}` })
    }))
    for (const m of members) await inbox.get(m).waitCount(meta.id, 2 * (N + 1), 60000)
    const secs = (performance.now() - t0) / 1000
    const cpuMs = simCpuMs(sim) - cpu0
    const after = await sim.stats()
    for (const m of members) {
      const got = inbox.get(m).entries(meta.id)
      for (const o of members) {
        if (o === m) continue
        const fromO = got.filter((e) => e.from === o.userJid).map((e) => e.text)
        assert.deepEqual(fromO, [`${o.opts.name} hello`, ...Array.from({ length: N }, (_, i) => `${o.opts.name} ${i}`)],
          `${m.opts.name} got ${o.opts.name}'s messages once each, in order`)
      }
    }
    const routed = after.messages.in - before.messages.in
    const delivered = after.messages.deliveries - before.messages.deliveries
    assert.equal(routed, 3 * N)
    assert.equal(delivered, 2 * 3 * N)
    // a fourth member joins: it hears of the group as WhatsApp tells a device that joins, a
    // <create> with the whole metadata (groups.upsert), the others as an add; then what is sent
    // reaches it
    const d = await connect({ name: 'Dave' })
    const inD = new Inbox(d)
    const upserted = d.waitFor('groups.upsert', (gs) => gs.some((g) => g.id === meta.id))
    const added = b.waitFor('group-participants.update', (u) => u.id === meta.id && u.action === 'add')
    const [res] = await a.sock.groupParticipantsUpdate(meta.id, [d.userJid], 'add')
    assert.equal(res.status, '200')
    assert.deepEqual((await added).participants.map((p) => p.id), [d.userJid])
    const known = (await upserted).find((g) => g.id === meta.id)
    assert.equal(known.subject, 'trio')
    assert.equal(known.owner, a.userJid)
    assert.equal(known.author, a.userJid, 'the admin who added d')
    assert.equal(known.addressingMode, 'pn')
    assert.equal(known.size, 4)
    assert.deepEqual(known.participants.map((p) => [p.id, p.admin]),
      [[a.userJid, 'superadmin'], [b.userJid, null], [c.userJid, null], [d.userJid, null]])
    assert.equal(known.participants.find((p) => p.id === d.userJid).lid?.split('@')[0],
      d.linked.lid.split(/[:@]/)[0], 'participants carry their LID')
    for (const m of members) await m.sock.sendMessage(meta.id, { text: `${m.opts.name} to four` })
    await inD.waitCount(meta.id, 3)
    assert.deepEqual(inD.texts(meta.id).sort(), ['Alice to four', 'Bob to four', 'Carol to four'])
    const aboutGroup = d.events.filter((e) =>
      (e.event === 'groups.upsert' && e.data.some((g) => g.id === meta.id)) ||
      (e.event === 'messages.upsert' && e.data.messages.some((m) => m.key.remoteJid === meta.id && textOf(m) !== undefined)))
    assert.equal(aboutGroup[0].event, 'groups.upsert', 'd knows the group before its first message')
    assert.ok(!d.events.some((e) => e.event === 'group-participants.update' && e.data.id === meta.id),
      'd is told of the group, not of its own add')
    await inbox.get(a).waitCount(meta.id, 2 * (N + 1) + 2)
    for (const c of [...members, d]) assert.deepEqual(c.unansweredRequests(), [])
    const stats = await sim.stats()
    t.diagnostic(`time to open: ${members.map((m) => `${m.opts.name} ${m.timeToOpenMs.toFixed(0)}`).join(', ')} ms`)
    t.diagnostic(`group burst: ${routed} messages routed as ${delivered} deliveries in ${secs.toFixed(2)} s: ` +
      `${(routed / secs).toFixed(0)} messages/s in, ${(delivered / secs).toFixed(0)} deliveries/s out ` +
      `(Baileys-bound; the simulator used ${cpuMs} ms of CPU: ${(routed / (cpuMs / 1000)).toFixed(0)} messages/s of its CPU)`)
    t.diagnostic(`stats: ${JSON.stringify(stats)}`)
  })
})

test('group changes reach the members as Baileys events', async () => {
  await withSim({}, async ({ sim, connect }) => {
    const [a, b, c] = await Promise.all(['Alice', 'Bob', 'Carol'].map((name) => connect({ name })))
    const meta = await a.sock.groupCreate('changes', [b.userJid])
    const gid = meta.id
    const ev = (client, name, pred) => client.waitFor(name, (u) => pred(Array.isArray(u) ? u[0] : u))
    // subject and description
    let upd = ev(b, 'groups.update', (u) => u.id === gid && u.subject === 'renamed')
    await a.sock.groupUpdateSubject(gid, 'renamed')
    assert.equal((await upd)[0].author, a.userJid)
    upd = ev(b, 'groups.update', (u) => u.id === gid && u.desc === 'about us')
    await a.sock.groupUpdateDescription(gid, 'about us')
    await upd
    let m = await b.sock.groupMetadata(gid)
    assert.equal(m.subject, 'renamed')
    assert.equal(m.desc, 'about us')
    assert.equal(m.subjectOwner, a.userJid)
    // add, promote, demote, remove
    let part = ev(b, 'group-participants.update', (u) => u.id === gid && u.action === 'add')
    await a.sock.groupParticipantsUpdate(gid, [c.userJid], 'add')
    assert.deepEqual((await part).participants.map((p) => p.id), [c.userJid])
    part = ev(c, 'group-participants.update', (u) => u.id === gid && u.action === 'promote')
    await a.sock.groupParticipantsUpdate(gid, [b.userJid], 'promote')
    const promoted = await part
    assert.deepEqual(promoted.participants.map((p) => p.id), [b.userJid])
    assert.equal(promoted.author, a.userJid)
    m = await c.sock.groupMetadata(gid)
    assert.equal(m.participants.find((p) => p.id === b.userJid).admin, 'admin')
    part = ev(c, 'group-participants.update', (u) => u.id === gid && u.action === 'demote')
    await a.sock.groupParticipantsUpdate(gid, [b.userJid], 'demote')
    await part
    // a plain member may not add
    const [refused] = await c.sock.groupParticipantsUpdate(gid, [b.userJid], 'remove').then(() => ['no error'], (e) => [e])
    assert.match(String(refused?.message ?? refused), /forbidden|403/)
    part = ev(b, 'group-participants.update', (u) => u.id === gid && u.action === 'remove')
    const removedHears = ev(c, 'group-participants.update', (u) => u.id === gid && u.action === 'remove')
    await a.sock.groupParticipantsUpdate(gid, [c.userJid], 'remove')
    assert.deepEqual((await part).participants.map((p) => p.id), [c.userJid])
    await removedHears
    await assert.rejects(c.sock.groupMetadata(gid), /forbidden|403/)
    // invite code: c joins with it, then leaves
    const code = await a.sock.groupInviteCode(gid)
    assert.match(code, /^[A-Za-z0-9]{22}$/)
    assert.equal((await c.sock.groupGetInviteInfo(code)).id, gid)
    part = ev(a, 'group-participants.update', (u) => u.id === gid && u.action === 'add')
    const joinedByInvite = c.waitFor('groups.upsert', (gs) => gs.some((g) => g.id === gid))
    assert.equal(await c.sock.groupAcceptInvite(code), gid)
    assert.deepEqual((await part).participants.map((p) => p.id), [c.userJid])
    const viaInvite = (await joinedByInvite).find((g) => g.id === gid)
    assert.equal(viaInvite.subject, 'renamed')
    assert.ok(viaInvite.participants.some((p) => p.id === c.userJid))
    part = ev(a, 'group-participants.update', (u) => u.id === gid && u.action === 'remove')
    await c.sock.groupLeave(gid)
    const left = await part
    assert.deepEqual(left.participants.map((p) => p.id), [c.userJid])
    assert.equal(left.author, c.userJid)
    const revoked = ev(b, 'groups.update', (u) => u.id === gid && u.inviteCode)
    const code2 = await a.sock.groupRevokeInvite(gid)
    assert.notEqual(code2, code)
    assert.equal((await revoked)[0].inviteCode, code2)
    await assert.rejects(c.sock.groupGetInviteInfo(code), /item-not-found|404/)
    // announcement mode and the list of groups one is in
    upd = ev(b, 'groups.update', (u) => u.id === gid && u.announce === true)
    await a.sock.groupSettingUpdate(gid, 'announcement')
    await upd
    const all = await b.sock.groupFetchAllParticipating()
    assert.deepEqual(Object.keys(all), [gid])
    assert.equal(all[gid].announce, true)
    // a group made through the admin API reaches its members too
    const made = a.waitFor('groups.upsert', (gs) => gs.some((g) => g.subject === 'from admin'))
    const { jid } = await sim.admin('POST', '/admin/groups', { subject: 'from admin', creator: b.phone, participants: [a.phone, c.phone] })
    assert.equal((await made).find((g) => g.subject === 'from admin').id, jid)
    assert.equal((await c.sock.groupMetadata(jid)).owner, b.userJid)
    for (const x of [a, b, c]) assert.deepEqual(x.unansweredRequests(), [])
    const stats = await sim.stats()
    assert.equal(stats.groups.created, 2)
  })
})
