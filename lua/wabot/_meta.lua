---@meta
-- LuaLS annotations for the wabot bot API (docs/lua-api.md). Not loaded by wabot: add this
-- directory to your editor's `workspace.library` so bot code is completed and checked.

---@class WAMessageKey
---@field remoteJid string
---@field fromMe boolean?
---@field id string
---@field participant string?

---@class WAMessageContent
---@field conversation string?
---@field extendedTextMessage {text: string, contextInfo: table?}?
---@field imageMessage table?
---@field videoMessage table?
---@field audioMessage table?
---@field documentMessage table?
---@field stickerMessage table?
---@field locationMessage table?
---@field reactionMessage {key: WAMessageKey, text: string}?
---@field protocolMessage table?
---@field ephemeralMessage {message: WAMessageContent}?
---@field viewOnceMessage {message: WAMessageContent}?
---@field editedMessage {message: WAMessageContent}?
---@field [string] any

---A WebMessageInfo as Lua tables (protobufjs field names), with conveniences computed on access.
---@class WAMessage
---@field key WAMessageKey
---@field message WAMessageContent?
---@field messageTimestamp integer?
---@field pushName string?
---@field status string?
---@field participant string?
---@field text string? the text or caption, whatever the kind
---@field chat string the chat's JID (key.remoteJid)
---@field sender string? who sent it
---@field isGroup boolean whether the chat is a group
---@field [string] any
local WAMessage = {}

---Sends content to m.chat quoting m; waits for the server's answer.
---@param content WAContent
---@param opts WASendOptions?
---@return WAMessage? sent, string? err, string? code
function WAMessage:reply(content, opts) end

---@class WAContent
---@field text string?
---@field mentions string[]?
---@field react {text: string, key: WAMessageKey}?
---@field edit WAMessageKey?
---@field delete WAMessageKey?
---@field image WAMediaSource? a picture: a path, the bytes, or {url=PATH}
---@field video WAMediaSource?
---@field audio WAMediaSource? audio; a voice note with ptt=true
---@field ptt boolean?
---@field document WAMediaSource?
---@field fileName string? a document's name (default 'file')
---@field mimetype string? default: what the file's bytes say, else Baileys' default for the kind
---@field sticker WAMediaSource?
---@field caption string? image, video, document
---@field width integer? image, video, sticker
---@field height integer?
---@field seconds integer? video, audio
---@field gifPlayback boolean? video
---@field jpegThumbnail string? image, video, document: JPEG bytes
---@field location {degreesLatitude: number, degreesLongitude: number, name: string?, address: string?}?
---@field poll {name: string, values: string[], selectableCount: integer?, messageSecret: string?}?
---@field vote {key: WAMessageKey, values: string[]}? wabot's: a vote in a stored poll ({} takes it back)
---@field contacts {displayName: string?, contacts: {displayName: string?, vcard: string}[]}?
---@field forward WAMessage?
---@field force boolean? with forward: counted as forwarded even if it is yours
---@field viewOnce boolean?

---@alias WAMediaSource string|{url: string}

---@class WASendOptions
---@field quoted WAMessage? reply to this message (contextInfo with stanzaId, participant, quotedMessage)
---@field ephemeralExpiration integer?
---@field messageId string? the id to send under (a fresh one by default)

---@alias WAEventName
---| 'connection.update'
---| 'messages.upsert'
---| 'messages.update'
---| 'messages.reaction'
---| 'message-receipt.update'
---| 'presence.update'
---| 'chats.upsert'
---| 'chats.update'
---| 'contacts.upsert'
---| 'groups.upsert'
---| 'groups.update'
---| 'group-participants.update'
---| 'call'

---@class GroupParticipant
---@field id string the member's JID (phone number or LID)
---@field phoneNumber string? beside a LID id: the phone-number JID
---@field lid string? beside a phone-number id: the LID
---@field admin 'admin'|'superadmin'|nil

---@class GroupMetadata
---@field id string 120363...@g.us
---@field addressingMode 'pn'|'lid'
---@field subject string
---@field subjectOwner string?
---@field subjectTime integer?
---@field size integer
---@field creation integer
---@field owner string? the creator
---@field desc string?
---@field descId string?
---@field descOwner string?
---@field descTime integer?
---@field restrict boolean only admins edit the group's info
---@field announce boolean only admins send
---@field isCommunity boolean
---@field isCommunityAnnounce boolean
---@field joinApprovalMode boolean
---@field memberAddMode boolean
---@field participants GroupParticipant[]
---@field ephemeralDuration integer? the disappearing timer, seconds
---@field author string? in groups.upsert: who added us (or made the group)

---groups.update: the id, the author, and the fields that changed.
---@class GroupUpdate
---@field id string
---@field author string?
---@field subject string?
---@field desc string?
---@field announce boolean?
---@field restrict boolean?
---@field inviteCode string?

---@class GroupParticipantsUpdate
---@field id string the group
---@field author string? who made the change (the member who left, for a leave)
---@field participants GroupParticipant[]
---@field action 'add'|'remove'|'promote'|'demote' a member who left is a 'remove', as in Baileys

---@class ChatUpdate
---@field id string
---@field name string? a group's new subject
---@field description string?
---@field readOnly boolean? true once we left or were removed, false when added again
---@field ephemeralExpiration integer?
---@field ephemeralSettingTimestamp integer?

---@class WAMessageUpdate one entry of messages.update
---@field key WAMessageKey the message changed
---@field update {status: string?, message: {editedMessage: {message: WAMessageContent}}?, messageTimestamp: integer?, messageStubType: 'REVOKE'?, key: WAMessageKey?, pollUpdates: {pollUpdateMessageKey: WAMessageKey, vote: {selectedOptions: string[]}, senderTimestampMs: integer}[]?}

---@class WAReaction one entry of messages.reaction
---@field key WAMessageKey the message reacted to (fromMe from your side)
---@field reaction {key: WAMessageKey, text: string, senderTimestampMs: integer} text '' when taken back

---@class WAPresenceUpdate
---@field id string the chat
---@field presences table<string, {lastKnownPresence: 'available'|'unavailable'|'composing'|'recording', lastSeen: integer?}>

---@class WAPollOption one entry of a tally
---@field name string
---@field voters string[]

---@class WAUpsert
---@field type 'notify'|'append'
---@field messages WAMessage[]
---@field replay boolean? wabot's: delivered again because its listeners were cut short (a crash)

---@class WAConnectionUpdate
---@field connection 'connecting'|'open'|'close'?
---@field isNewLogin boolean?
---@field qr string?
---@field receivedPendingNotifications boolean?
---@field lastDisconnect {error: {message: string, output: {statusCode: integer}}, statusCode: integer, reason: string, date: integer}?
---@field final boolean? with close: wabot will not reconnect

---@class WAEmitter
local WAEmitter = {}
---Calls fn(payload) for every `name` event, each call in its own coroutine.
---@param name WAEventName|string
---@param fn fun(payload: any)
---@return WAEmitter
function WAEmitter:on(name, fn) end
---@param name WAEventName|string
---@param fn function
---@return WAEmitter
function WAEmitter:off(name, fn) end
---@param name WAEventName|string
---@param fn fun(payload: any)
---@return WAEmitter
function WAEmitter:once(name, fn) end
---Starts the listeners of `name` with the arguments once the caller yields or returns.
---@param name string
---@return boolean had_listeners
function WAEmitter:emit(name, ...) end
---@param name string?
---@return WAEmitter
function WAEmitter:removeAllListeners(name) end
---@param name string
---@return integer
function WAEmitter:listenerCount(name) end

---@class WASocket
---@field ev WAEmitter
---@field user {id: string, lid: string?, name: string?}?
local WASocket = {}
---@param jid string
---@param content WAContent
---@param opts WASendOptions?
---@return WAMessage? sent, string? err, string? code
function WASocket:sendMessage(jid, content, opts) end
---Read receipts (read, or read-self when your privacy settings turn them off).
---@param keys WAMessageKey[]
---@return boolean? ok, string? err, string? code
function WASocket:readMessages(keys) end
---Receipts of any type, such as 'played' for a voice note.
---@param keys WAMessageKey[]
---@param type string
---@return boolean? ok, string? err, string? code
function WASocket:sendReceipts(keys, type) end
---@param type 'available'|'unavailable'|'composing'|'recording'|'paused'
---@param jid string?
---@return boolean? ok, string? err, string? code
function WASocket:sendPresenceUpdate(type, jid) end
---@param jid string
---@return boolean? ok, string? err, string? code
function WASocket:presenceSubscribe(jid) end
---Which phone numbers are on WhatsApp (a usync contact query); as Baileys, only those that are
---come back.
---@param ... string "+15551234567", "15551234567" or "15551234567@s.whatsapp.net"
---@return {jid: string, exists: boolean}[]? result, string? err, string? code
function WASocket:onWhatsApp(...) end
---@param jid string a group JID
---@return GroupMetadata? metadata, string? err, string? code
function WASocket:groupMetadata(jid) end
---@param subject string
---@param jids string[] the members besides you (user JIDs)
---@return GroupMetadata? metadata, string? err, string? code
function WASocket:groupCreate(subject, jids) end
---@return table<string, GroupMetadata>? groups by JID, string? err, string? code
function WASocket:groupFetchAllParticipating() end
---One result per JID: status '200', or WhatsApp's code ('403' their privacy: addRequest is the
---invite made instead; '404' not on WhatsApp or not a member; '409' already a member).
---@param jid string
---@param jids string[]
---@param action 'add'|'remove'|'promote'|'demote'
---@return {status: string, jid: string, addRequest: {code: string, expiration: integer}?}[]? result, string? err, string? code
function WASocket:groupParticipantsUpdate(jid, jids, action) end
---@param jid string
---@param subject string
---@return boolean? ok, string? err, string? code
function WASocket:groupUpdateSubject(jid, subject) end
---@param jid string
---@param description string? nil or '' deletes it
---@return boolean? ok, string? err, string? code
function WASocket:groupUpdateDescription(jid, description) end
---@param jid string
---@return boolean? ok, string? err, string? code
function WASocket:groupLeave(jid) end
---@param jid string
---@return string? code, string? err, string? errcode
function WASocket:groupInviteCode(jid) end
---A new invite code; the old one stops working.
---@param jid string
---@return string? code, string? err, string? errcode
function WASocket:groupRevokeInvite(jid) end
---@param code string the code, or a chat.whatsapp.com link
---@return string? jid the group joined, string? err, string? errcode
function WASocket:groupAcceptInvite(code) end
---@param jid string
---@param setting 'announcement'|'not_announcement'|'locked'|'unlocked'
---@return boolean? ok, string? err, string? code
function WASocket:groupSettingUpdate(jid, setting) end
---@param jid string a user or a group
---@param type 'preview'|'image'|nil the small preview (default) or the full image
---@return string? url, string? err, string? code ENOTFOUND: none
function WASocket:profilePictureUrl(jid, type) end
---Downloads the media of a message (decrypted; MAC and hashes verified) into path, or as bytes.
---Codes: ENOTCONN, EAUTH (did not verify: nothing written), ETOOBIG (over 64 MiB in memory:
---give a path), EINVAL (no media), ETIMEDOUT, EIO.
---@param m WAMessage|table a message, or its .message
---@param path string? where to write it (returned); nil: return the bytes
---@return string? bytes_or_path, string? err, string? code
function WASocket:downloadMedia(m, path) end
---@return boolean? ok, string? err, string? code
function WASocket:logout() end

---@class WAKV
local WAKV = {}
---@param key string
---@return string|number|boolean|table|nil
function WAKV.get(key) end
---@param key string
---@param value string|number|boolean|table|nil nil deletes
function WAKV.set(key, value) end
---@param key string
---@return boolean existed
function WAKV.delete(key) end
---@param prefix string?
---@return string[]
function WAKV.keys(prefix) end

---@class WALog
local WALog = {}
---@param fmt any
function WALog.debug(fmt, ...) end
---@param fmt any
function WALog.info(fmt, ...) end
---@param fmt any
function WALog.warn(fmt, ...) end
---@param fmt any
function WALog.error(fmt, ...) end

---@class wabot
---@field sock WASocket
---@field kv WAKV
---@field log WALog
wabot = {}
---Waits ms milliseconds (in a listener, timer callback or spawned function).
---@param ms integer
function wabot.sleep(ms) end
---@param ms integer
---@param fn fun()
---@return integer id
function wabot.setTimeout(ms, fn) end
---@param ms integer
---@param fn fun()
---@return integer id
function wabot.setInterval(ms, fn) end
---@param id integer?
---@return boolean stopped
function wabot.clearTimer(id) end
---Runs fn(...) in a new coroutine once the caller yields or returns.
---@param fn function
function wabot.spawn(fn, ...) end
---Reloads the bot on the next loop iteration.
function wabot.reload() end
---fn runs in this generation when a newer one has loaded.
---@param fn fun()
function wabot.on_reload(fn) end
---@return integer
function wabot.generation() end
---A poll's tally, as Baileys' getAggregateVotesInPollMessage (the stored copy's votes when m has
---no pollUpdates).
---@param m WAMessage|{key: WAMessageKey}
---@return WAPollOption[]? tally, string? err, string? code
function wabot.getAggregateVotesInPollMessage(m) end

-- ---- specs: the globals of `wabot test SPEC.lua BOT.lua` (docs/lua-api.md, "Testing bots") ----

---Groups tests under a name.
---@param name string
---@param fn fun()
function describe(name, fn) end
---A test; fn may wait (you.expect, wabot.sleep).
---@param name string
---@param fn fun()
function it(name, fn) end

---@class WASpecYou
you = {}
---Sends text to the bot (or the group of you.group, or you.to's JID).
---@param text string
function you.send(text) end
---Waits for the bot's next message to you (5000 ms by default) and checks it against a Lua pattern.
---@param pattern string?
---@param timeout_ms integer?
---@return string text
function you.expect(pattern, timeout_ms) end
---Checks that the bot sends you nothing for ms (500 by default).
---@param ms integer?
function you.expectNothing(ms) end
---Makes a group of you and the bot; what you send goes there from now on.
---@param name string
---@return string jid
function you.group(name) end
---Adds people (phone numbers; the simulator makes their accounts) to the group of you.group,
---as its admin; returns the status of each, as groupParticipantsUpdate.
---@param ... string
---@return {jid: string, status: string}[]
function you.add(...) end
---@param ... string
---@return {jid: string, status: string}[]
function you.remove(...) end
---@param ... string
---@return {jid: string, status: string}[]
function you.promote(...) end
---@param ... string
---@return {jid: string, status: string}[]
function you.demote(...) end
---Reacts to the bot's last message to you.
---@param emoji string
function you.react(emoji) end
---Votes in the bot's last poll (no option: takes the vote back).
---@param ... string
function you.vote(...) end
---Edits your last message.
---@param text string
function you.edit(text) end
---Deletes your last message for everyone.
function you.delete() end
---Sends to jid from now on ('bot': back to the bot).
---@param jid string
function you.to(jid) end
