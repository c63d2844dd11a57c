// Message kinds between wabot and real Baileys through `wabot sim`, in a group of wabot (W, the
// group's creator and admin) and two Baileys users (Bee, Cee), and 1:1:
//
//   Baileys -> wabot  Bee reacts, edits, deletes, polls, sends a location, a contact card, a
//                     forward, a view-once and a disappearing message in the group: Cee (Baileys)
//                     and wabot (`wabot sync --follow --json`) receive the same stanza, and
//                     wabot's events (messages.reaction, messages.update, messages.upsert) must
//                     carry what Cee's carry.
//   wabot -> Baileys  wabot does the same with `wabot send`: Bee must see it as it sees Cee's
//                     (the same event fields), and the stanzas carry what Baileys' carry (edit
//                     attributes, <meta polltype>, read in the simulator's stanza log).
//   polls             a poll by wabot voted by Bee and Cee: wabot's tally equals Baileys'
//                     getAggregateVotesInPollMessage on Bee (votes opened with decryptPollVote);
//                     a poll by Bee voted by wabot and Cee: the same the other way.
//   store             what changed is applied to wabot's rows (messages list), search follows.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decryptPollVote, getAggregateVotesInPollMessage } from '@whiskeysockets/baileys'
import { startSim } from './lib/sim.mjs'
import { BaileysClient, exitWhenDone, trustSim } from './lib/baileys-client.mjs'
import { newWabot } from './lib/wabot.mjs'
import { readLog } from './lib/stanza-log.mjs'
import { baileysVote, canon, contentType, tallyForm } from './lib/kinds.mjs'

exitWhenDone()

const textOf = (m) => m?.conversation ?? m?.extendedTextMessage?.text

// Waits for the wabot process's JSON line of event `name` whose data pred accepts.
async function wabotEvent (p, name, pred, from = 0) {
  const line = await p.waitLine((l) => {
    if (!l.startsWith('{')) return false
    const e = JSON.parse(l)
    return e.event === name && pred(e.data)
  }, { from, timeoutMs: 15000 })
  return JSON.parse(line).data
}

async function setup (t) {
  const dir = await mkdtemp(join(tmpdir(), 'wabot-kinds-'))
  const log = join(dir, 'stanzas.log')
  const sim = await startSim({ stanzaLog: log })
  trustSim(sim)
  const w = await newWabot(sim)
  await w.link({ phone: '15550710710', name: 'Wabot' })
  const bee = await BaileysClient.connect(sim, { name: 'Bee', phone: '15550720720', markOnline: true })
  const cee = await BaileysClient.connect(sim, { name: 'Cee', phone: '15550730730', markOnline: true })
  const { jid: group } = await sim.admin('POST', '/admin/groups', { subject: 'Kinds', creator: w.phone, participants: [bee.phone, cee.phone] })
  await bee.waitFor('groups.upsert', () => true, 10000, { seen: true })
  await cee.waitFor('groups.upsert', () => true, 10000, { seen: true })
  const wjid = w.phone + '@s.whatsapp.net'
  return { sim, log, w, bee, cee, group, wjid, async stop () { await bee.close(); await cee.close(); await sim.stop() } }
}

// The upsert of message id on client c.
const upsertOf = (c, id) => c.waitFor('messages.upsert', (u) => u.messages.some((m) => m.key.id === id), 15000, { seen: true })
  .then((u) => u.messages.find((m) => m.key.id === id))

test('kinds from Baileys reach wabot with the fields they reach Baileys with', async (t) => {
  const { w, bee, cee, group, wjid, stop } = await setup(t)
  let follow
  try {
    const hello = await w.run(['send', '--to', group, '--text', 'hello from wabot'])
    assert.equal(hello.code, 0, hello.stderr)
    const helloId = hello.stdout.trim()
    await upsertOf(bee, helloId)
    follow = w.spawn(['sync', '--follow', '--json'])
    await follow.waitLine((l) => l.includes('"connection":"open"'))

    // a text, then a reaction to it: Cee's messages.reaction and wabot's
    const m1 = await bee.sock.sendMessage(group, { text: 'lunch at eight' })
    await upsertOf(cee, m1.key.id)
    await wabotEvent(follow, 'messages.upsert', (d) => d.messages.some((m) => m.key.id === m1.key.id))
    const cases = []
    const compare = async (what, send, baileysEv, wabotEv, pick) => {
      const at = follow.lines.length
      const sent = await send()
      const got = await cee.waitFor(baileysEv, (d) => pick(d, sent) !== undefined, 15000, { seen: true })
      const mine = await wabotEvent(follow, wabotEv ?? baileysEv, (d) => pick(d, sent) !== undefined, at)
      const b = canon(pick(got, sent))
      const wb = canon(pick(mine, sent))
      cases.push(what)
      assert.deepEqual(wb, b, `${what}: wabot's ${wabotEv ?? baileysEv} differs from Baileys'`)
      return { sent, baileys: pick(got, sent), wabot: pick(mine, sent) }
    }
    const byReaction = (d, sent) => d.find((r) => r.reaction.key.id === sent.key.id)
    const byTarget = (id) => (d) => d.find((u) => u.key.id === id && !u.update.status)
    await compare('reaction', () => bee.sock.sendMessage(group, { react: { text: '👍', key: m1.key } }),
      'messages.reaction', null, byReaction)
    // a reaction to wabot's own message: fromMe true on wabot's side, as Baileys' cleanMessage makes it
    const helloKey = { remoteJid: group, fromMe: false, id: helloId, participant: wjid }
    const at = follow.lines.length
    const r2 = await bee.sock.sendMessage(group, { react: { text: '❤️', key: helloKey } })
    const mineR = await wabotEvent(follow, 'messages.reaction', (d) => d.some((r) => r.reaction.key.id === r2.key.id), at)
    assert.equal(mineR[0].key.fromMe, true)
    assert.equal(mineR[0].key.id, helloId)
    assert.equal(mineR[0].reaction.text, '❤️')
    // taking the reaction back
    await compare('reaction removed', () => bee.sock.sendMessage(group, { react: { text: '', key: m1.key } }),
      'messages.reaction', null, byReaction)
    // an edit, then a revoke
    await compare('edit', () => bee.sock.sendMessage(group, { text: 'lunch at nine', edit: m1.key }),
      'messages.update', null, (d) => byTarget(m1.key.id)(d))
    const m2 = await bee.sock.sendMessage(group, { text: 'to be deleted' })
    await upsertOf(cee, m2.key.id)
    await compare('revoke', () => bee.sock.sendMessage(group, { delete: m2.key }),
      'messages.update', null, (d) => byTarget(m2.key.id)(d))

    // content kinds: the message wabot stores and emits is the one Cee gets
    const kinds = [
      ['location', { location: { degreesLatitude: 52.52, degreesLongitude: 13.405, name: 'Alexanderplatz' } }],
      ['contact', { contacts: { contacts: [{ displayName: 'Ann', vcard: 'BEGIN:VCARD\nVERSION:3.0\nFN:Ann\nTEL;type=CELL;waid=15550101010:+1 555 010 1010\nEND:VCARD' }] } }],
      ['contacts', { contacts: { displayName: '2 contacts', contacts: [{ displayName: 'Ann', vcard: 'BEGIN:VCARD\nFN:Ann\nEND:VCARD' }, { displayName: 'Bo', vcard: 'BEGIN:VCARD\nFN:Bo\nEND:VCARD' }] } }],
      ['forward', { forward: m1 }],
      ['view once', { text: 'only once', viewOnce: true }],
      ['poll', { poll: { name: 'tea or coffee?', values: ['tea', 'coffee'], selectableCount: 1 } }]
    ]
    for (const [what, content] of kinds) {
      await compare(what, () => bee.sock.sendMessage(group, content), 'messages.upsert', null,
        (d, sent) => {
          const m = d.messages.find((x) => x.key.id === sent.key.id)
          if (!m) return undefined
          const type = contentType(m.message)
          return { type, content: m.message[type] }
        })
    }
    // a disappearing message: contextInfo.expiration
    await compare('ephemeral', () => bee.sock.sendMessage(group, { text: 'gone in a day' }, { ephemeralExpiration: 86400 }),
      'messages.upsert', null, (d, sent) => {
        const m = d.messages.find((x) => x.key.id === sent.key.id)
        return m && canon(m.message).extendedTextMessage
      })
    t.diagnostic(`compared with Baileys: ${cases.join(', ')}`)
    await follow.stop()

    // a disappearing-messages timer in a 1:1 chat (Baileys' disappearingMessagesInChat: an
    // EPHEMERAL_SETTING protocol message in the ephemeral wrapper): chats.update on both
    await bee.sock.sendMessage(cee.userJid, { disappearingMessagesInChat: 86400 })
    await bee.sock.sendMessage(wjid, { disappearingMessagesInChat: 86400 })
    const cTimer = await cee.waitFor('chats.update', (cs) => cs.some((c) => c.id === bee.userJid && c.ephemeralExpiration !== undefined), 15000, { seen: true })
    const sync = await w.run(['sync', '--json'])
    assert.equal(sync.code, 0, sync.stderr)
    const wTimer = sync.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.event === 'chats.update')
    assert.ok(wTimer, 'wabot: chats.update')
    const cc = cTimer.find((c) => c.id === bee.userJid)
    assert.equal(wTimer.data[0].id, bee.userJid)
    assert.equal(wTimer.data[0].ephemeralExpiration, cc.ephemeralExpiration)
    assert.equal(wTimer.data[0].ephemeralSettingTimestamp, Number(cc.ephemeralSettingTimestamp))
    const chats = await w.run(['chats', '--json'])
    assert.equal(chats.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((c) => c.id === bee.userJid).ephemeralExpiration, 86400)

    // wabot's store has them applied: the edit, the revoke, the reaction taken back
    const list = await w.run(['messages', 'list', '--json', '--chat', group])
    const rows = list.stdout.trim().split('\n').map((l) => JSON.parse(l))
    const row = (id) => rows.find((r) => r.key.id === id)
    assert.equal(textOf(row(m1.key.id).message.editedMessage?.message), 'lunch at nine')
    assert.equal(row(m1.key.id).reactions, undefined, 'the reaction was taken back')
    assert.equal(row(m2.key.id).message, undefined, 'the revoked message has no content')
    assert.equal(row(m2.key.id).messageStubType, 1)
    assert.deepEqual(row(helloId).reactions.map((r) => r.text), ['❤️'])
    assert.ok(!rows.some((r) => r.message?.reactionMessage), 'reactions are applied, not listed')
    const search = async (q) => (await w.run(['messages', 'search', q, '--json'])).stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l).key.id)
    assert.deepEqual(await search('nine'), [m1.key.id])
    assert.ok(!(await search('eight')).includes(m1.key.id), 'the old words of an edited message are not found (only its forward has them)')
    assert.deepEqual(await search('deleted'), [])
  } finally {
    await follow?.stop()
    await stop()
  }
})

test('kinds from wabot reach Baileys as Baileys\' own, with the stanzas Baileys sends', async (t) => {
  const { sim, log, w, bee, cee, group, wjid, stop } = await setup(t)
  try {
    const send = async (...args) => {
      const r = await w.run(['send', '--to', group, '--json', ...args])
      assert.equal(r.code, 0, r.stderr)
      return JSON.parse(r.stdout.trim().split('\n').pop())
    }
    // Cee's actions, seen by Bee, are the reference for wabot's
    const c1 = await cee.sock.sendMessage(group, { text: 'from cee' })
    const w1 = await send('--text', 'from wabot')
    await upsertOf(bee, c1.key.id)
    await upsertOf(bee, w1.key.id)
    const b1 = await bee.sock.sendMessage(group, { text: 'from bee' })
    const b1OnCee = await upsertOf(cee, b1.key.id) /* Cee names Bee's message by its own key */
    const sync = await w.run(['sync', '--json']) /* wabot stores Bee's message: its key for --react */
    assert.equal(sync.code, 0)
    const pair = async (what, event, baileysDo, wabotArgs, pick) => {
      const rb = await baileysDo()
      const gb = await bee.waitFor(event, (d) => pick(d, rb.key.id) !== undefined, 15000, { seen: true })
      const rw = await send(...wabotArgs)
      const gw = await bee.waitFor(event, (d) => pick(d, rw.key.id) !== undefined, 15000, { seen: true })
      return { b: pick(gb, rb.key.id), w: pick(gw, rw.key.id), rb, rw }
    }
    const reactionBy = (d, id) => d.find?.((r) => r.reaction.key.id === id)
    // a reaction to Bee's message: the same event on Bee, fromMe true (Bee's message)
    const r = await pair('reaction', 'messages.reaction', () => cee.sock.sendMessage(group, { react: { text: '👍', key: b1OnCee.key } }),
      ['--react', '👍', '--id', b1.key.id], reactionBy)
    assert.deepEqual(canon({ ...r.w, reaction: { ...r.w.reaction, key: undefined, senderTimestampMs: undefined } }),
      canon({ ...r.b, reaction: { ...r.b.reaction, key: undefined, senderTimestampMs: undefined } }))
    assert.equal(r.w.key.fromMe, true)
    assert.equal(r.w.reaction.key.participant, wjid)
    // an edit and a revoke of their own messages
    const updateOf = (target) => (d, id) => d.find?.((u) => u.key.id === target && u.update.message !== undefined && (u.update.key?.id ?? id) === id)
    const editB = await cee.sock.sendMessage(group, { text: 'from cee, edited', edit: c1.key })
    const ge = await bee.waitFor('messages.update', (d) => d.some((u) => u.key.id === c1.key.id && u.update.message), 15000, { seen: true })
    await send('--edit', w1.key.id, '--text', 'from wabot, edited')
    const gw = await bee.waitFor('messages.update', (d) => d.some((u) => u.key.id === w1.key.id && u.update.message), 15000, { seen: true })
    const eb = ge.find((u) => u.key.id === c1.key.id)
    const ew = gw.find((u) => u.key.id === w1.key.id)
    assert.equal(textOf(ew.update.message.editedMessage.message), 'from wabot, edited')
    assert.deepEqual(Object.keys(ew.update).sort(), Object.keys(eb.update).sort())
    assert.equal(ew.key.participant, wjid)
    assert.ok(editB)
    await cee.sock.sendMessage(group, { delete: c1.key }) /* Cee's own: its key from its send */
    await bee.waitFor('messages.update', (d) => d.some((u) => u.key.id === c1.key.id && u.update.messageStubType === 1), 15000, { seen: true })
    await send('--revoke', w1.key.id)
    const rv = await bee.waitFor('messages.update', (d) => d.some((u) => u.key.id === w1.key.id && u.update.messageStubType === 1), 15000, { seen: true })
    assert.equal(rv.find((u) => u.key.id === w1.key.id).update.message, null)
    // an admin's revoke: wabot made the group, so it may delete Bee's message for everyone
    await send('--revoke', b1.key.id)
    const adm = await cee.waitFor('messages.update', (d) => d.some((u) => u.key.id === b1.key.id && u.update.messageStubType === 1), 15000, { seen: true })
    assert.equal(adm.find((u) => u.key.id === b1.key.id).update.key.participant, wjid)
    // a location and a view-once, disappearing text: content as Cee's
    const loc = await pair('location', 'messages.upsert',
      () => cee.sock.sendMessage(group, { location: { degreesLatitude: 52.52, degreesLongitude: 13.405, name: 'Alexanderplatz' } }),
      ['--location', '52.52,13.405', '--name', 'Alexanderplatz'], (d, id) => d.messages?.find((m) => m.key.id === id))
    assert.deepEqual(canon(loc.w.message.locationMessage), canon(loc.b.message.locationMessage))
    const once = await pair('view once', 'messages.upsert',
      () => cee.sock.sendMessage(group, { text: 'once, gone in a day', viewOnce: true }, { ephemeralExpiration: 86400 }),
      ['--text', 'once, gone in a day', '--view-once', '--ephemeral', '86400'], (d, id) => d.messages?.find((m) => m.key.id === id))
    assert.deepEqual(canon(once.w.message.viewOnceMessage), canon(once.b.message.viewOnceMessage))

    // the stanzas: what Baileys' sendMessage adds for each kind, wabot adds too
    const stanzas = readLog(log).stanzas.filter((s) => s.dir === 'C>' && s.node.tag === 'message')
    const of = (label, id) => stanzas.find((s) => s.label === label && s.node.attrs.id === id)?.node
    const C = cee.jid
    const W = w.jid
    const checks = [
      ['reaction', of(C, r.rb.key.id), of(W, r.rw.key.id)],
      ['edit', of(C, editB.key.id), null],
      ['location', of(C, loc.rb.key.id), of(W, loc.rw.key.id)]
    ]
    for (const [what, b, wn] of checks) {
      assert.ok(b, `Baileys' ${what} stanza`)
      if (wn) assert.equal(wn.attrs.type, b.attrs.type, `${what}: type`)
      if (wn) assert.equal(wn.attrs.edit, b.attrs.edit, `${what}: edit`)
    }
    const wEdits = stanzas.filter((s) => s.label === W && s.node.attrs.edit).map((s) => s.node.attrs.edit)
    assert.deepEqual(wEdits, ['1', '7', '8'], 'edit, own revoke, admin revoke')
    assert.equal(of(C, editB.key.id).attrs.edit, '1')
    t.diagnostic(`wabot's stanzas: reaction type=${of(W, r.rw.key.id).attrs.type}, edits ${wEdits.join(' ')}`)
    void sim
  } finally {
    await stop()
  }
})

test('polls: wabot tallies votes as Baileys\' getAggregateVotesInPollMessage, both ways', async (t) => {
  const { log, w, bee, cee, group, wjid, stop } = await setup(t)
  try {
    // wabot's poll, voted by Bee and Cee
    const r = await w.run(['send', '--to', group, '--json', '--poll', 'lunch?', '--option', 'pizza', '--option', 'sushi', '--option', 'salad', '--select', '0'])
    assert.equal(r.code, 0, r.stderr)
    const pollId = JSON.parse(r.stdout.trim()).key.id
    const pollOnBee = await upsertOf(bee, pollId)
    const pollOnCee = await upsertOf(cee, pollId)
    assert.deepEqual(pollOnBee.message.pollCreationMessage.options.map((o) => o.optionName), ['pizza', 'sushi', 'salad'])
    assert.equal(pollOnBee.message.messageContextInfo.messageSecret.length, 32)
    const metas = readLog(log).stanzas.filter((s) => s.dir === 'C>' && s.node.attrs.id === pollId)
    assert.ok(metas.some((s) => s.node.kids.some((k) => k.tag === 'meta' && k.attrs.polltype === 'creation')), '<meta polltype="creation"/> as Baileys')
    const vb = await baileysVote(bee, pollOnBee, ['pizza', 'salad'], { creator: wjid })
    const vc = await baileysVote(cee, pollOnCee, ['pizza'], { creator: wjid })
    // Bee's view: its own vote and Cee's (as received), opened with decryptPollVote
    const ceeVoteOnBee = await upsertOf(bee, vc.id)
    const secret = pollOnBee.message.messageContextInfo.messageSecret
    const open = (enc, voter) => decryptPollVote(enc, { pollCreatorJid: wjid, pollMsgId: pollId, pollEncKey: secret, voterJid: voter })
    const updates = [
      { pollUpdateMessageKey: { remoteJid: group, fromMe: true, id: vb.id }, vote: open(vb.vote, bee.userJid) },
      { pollUpdateMessageKey: { remoteJid: group, fromMe: false, id: vc.id, participant: cee.userJid }, vote: open(ceeVoteOnBee.message.pollUpdateMessage.vote, cee.userJid) }
    ]
    const onBee = getAggregateVotesInPollMessage({ message: pollOnBee.message, pollUpdates: updates }, bee.userJid)
    const sync = await w.run(['sync', '--json'])
    assert.equal(sync.code, 0, sync.stderr)
    const events = sync.stdout.trim().split('\n').map((l) => JSON.parse(l))
    const voteEvents = events.filter((e) => e.event === 'messages.update' && e.data.some((u) => u.update.pollUpdates))
    assert.equal(voteEvents.length, 2, 'a messages.update with pollUpdates per vote')
    const list = await w.run(['messages', 'list', '--json', '--chat', group])
    const stored = list.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((m) => m.key.id === pollId)
    assert.deepEqual(tallyForm(stored.pollTally), tallyForm(onBee))
    t.diagnostic(`wabot's poll: ${JSON.stringify(tallyForm(stored.pollTally))}`)

    // Bee's poll, voted by wabot and Cee: Bee opens wabot's vote with decryptPollVote
    const bp = await bee.sock.sendMessage(group, { poll: { name: 'tea?', values: ['tea', 'coffee'], selectableCount: 1 } })
    const bpOnCee = await upsertOf(cee, bp.key.id)
    await w.run(['sync', '--json'])
    const wv = await w.run(['send', '--to', group, '--json', '--vote', bp.key.id, '--option', 'coffee'])
    assert.equal(wv.code, 0, wv.stderr)
    const wvId = JSON.parse(wv.stdout.trim()).key.id
    const cv = await baileysVote(cee, bpOnCee, ['tea'], { creator: bee.userJid })
    const wVoteOnBee = await upsertOf(bee, wvId)
    const cVoteOnBee = await upsertOf(bee, cv.id)
    const bsecret = bp.message.messageContextInfo.messageSecret
    const bopen = (enc, voter) => decryptPollVote(enc, { pollCreatorJid: bee.userJid, pollMsgId: bp.key.id, pollEncKey: bsecret, voterJid: voter })
    const bUpdates = [
      { pollUpdateMessageKey: { remoteJid: group, fromMe: false, id: wvId, participant: wjid }, vote: bopen(wVoteOnBee.message.pollUpdateMessage.vote, wjid) },
      { pollUpdateMessageKey: { remoteJid: group, fromMe: false, id: cv.id, participant: cee.userJid }, vote: bopen(cVoteOnBee.message.pollUpdateMessage.vote, cee.userJid) }
    ]
    const onBee2 = getAggregateVotesInPollMessage({ message: bp.message, pollUpdates: bUpdates }, bee.userJid)
    assert.deepEqual(tallyForm(onBee2), [{ name: 'tea', voters: [cee.userJid] }, { name: 'coffee', voters: [wjid] }])
    await w.run(['sync', '--json'])
    const list2 = await w.run(['messages', 'list', '--json', '--chat', group])
    const stored2 = list2.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((m) => m.key.id === bp.key.id)
    assert.deepEqual(tallyForm(stored2.pollTally), tallyForm(onBee2))
    const voteStanza = readLog(log).stanzas.find((s) => s.dir === 'C>' && s.node.attrs.id === wvId)?.node
    assert.equal(voteStanza.attrs.type, 'poll')
  } finally {
    await stop()
  }
})
