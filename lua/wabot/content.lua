-- Content tables -> WhatsApp Message tables, as Baileys' generateWAMessageContent and
-- generateWAMessageFromContent build them (Utils/messages.js), so what a bot sends looks to the
-- other side like what a Baileys bot sends. sock:sendMessage (lua/wabot/sock.lua) calls
-- M.build; the C side turns the result into a wa.Message (bindings/proto.c) and sends it.
--
-- Misuse (a content table with no kind we know, a value of the wrong type) raises; a kind the
-- client cannot send yet (media: it needs uploads) returns nil, message, 'ENOTSUP'.
local M = {}

local message = require 'wabot.message'

local MEDIA = { 'image', 'video', 'audio', 'document', 'sticker' }

-- Raised without a position: sock:sendMessage re-raises it at the bot's line.
local function fail(fmt, ...)
  error(("bad argument #3 to 'sendMessage' (" .. fmt .. ")"):format(...), 0)
end

local function check_key(k, what)
  if type(k) ~= 'table' or type(k.id) ~= 'string' or type(k.remoteJid) ~= 'string' then
    fail('%s must be a message key {remoteJid=, id=, fromMe=}', what)
  end
  return { remoteJid = k.remoteJid, fromMe = k.fromMe and true or false, id = k.id,
    participant = k.participant }
end

local function deep_copy(v, depth)
  if type(v) ~= 'table' then return v end
  depth = (depth or 0) + 1
  if depth > 64 then error('message table nested too deeply', 0) end
  local t = {}
  for k, x in pairs(v) do t[k] = deep_copy(x, depth) end
  return t
end

-- Baileys' getContentType: the field that holds the content.
local function content_type(msg)
  if msg.conversation ~= nil then return 'conversation' end
  local best
  for k in pairs(msg) do
    if type(k) == 'string' and k:find('Message', 1, true) and k ~= 'senderKeyDistributionMessage' then
      if not best or k < best then best = k end -- a stable choice when there are several
    end
  end
  return best
end
M.content_type = content_type

-- "15550001111:3@s.whatsapp.net" -> "15550001111@s.whatsapp.net" (jidNormalizedUser)
local function normalized_user(jid)
  if type(jid) ~= 'string' then return jid end
  local user, server = jid:match('^([^@:]+)[^@]*@(.+)$')
  if not user then return jid end
  if server == 'c.us' then server = 's.whatsapp.net' end
  return user .. '@' .. server
end
M.normalized_user = normalized_user

local function now_ms() return math.floor(os.time() * 1000) end

-- The content kinds, tried in Baileys' order; each returns the Message table.
local kinds = {
  { 'text', function(c)
    if type(c.text) ~= 'string' then fail('text must be a string') end
    return { extendedTextMessage = { text = c.text } }
  end },
  { 'location', function(c)
    local l = c.location
    if type(l) ~= 'table' or type(l.degreesLatitude) ~= 'number' or type(l.degreesLongitude) ~= 'number' then
      fail('location must be {degreesLatitude=, degreesLongitude=}')
    end
    return { locationMessage = deep_copy(l) }
  end },
  { 'react', function(c)
    local r = c.react
    if type(r) ~= 'table' or type(r.text) ~= 'string' then fail('react must be {text=, key=}') end
    return { reactionMessage = { key = check_key(r.key, 'react.key'), text = r.text,
      senderTimestampMs = r.senderTimestampMs or now_ms() } }
  end },
  { 'delete', function(c)
    return { protocolMessage = { key = check_key(c.delete, 'delete'), type = 'REVOKE' } }
  end },
  { 'forward', function(c)
    local m = c.forward
    if type(m) ~= 'table' or type(m.message) ~= 'table' then fail('forward must be a message') end
    local content = deep_copy(message.content(m.message))
    local key = content_type(content)
    if not key then fail('forward: the message has no content') end
    local inner = content[key]
    local score = type(inner) == 'table' and type(inner.contextInfo) == 'table'
      and inner.contextInfo.forwardingScore or 0
    if not (m.key and m.key.fromMe) or c.force then score = score + 1 end
    if key == 'conversation' then
      content.extendedTextMessage = { text = content.conversation }
      content.conversation = nil
      key, inner = 'extendedTextMessage', content.extendedTextMessage
    end
    if type(inner) == 'table' then
      inner.contextInfo = score > 0 and { forwardingScore = score, isForwarded = true } or {}
    end
    return content
  end },
  { 'poll', function(c, random)
    local p = c.poll
    if type(p) ~= 'table' or type(p.name) ~= 'string' or type(p.values) ~= 'table' then
      fail('poll must be {name=, values={...}, selectableCount=}')
    end
    local count = p.selectableCount or 0
    if math.type(count) ~= 'integer' or count < 0 or count > #p.values then
      fail('poll.selectableCount must be an integer from 0 to #values')
    end
    local options = {}
    for i, v in ipairs(p.values) do
      if type(v) ~= 'string' then fail('poll.values[%d] must be a string', i) end
      options[i] = { optionName = v }
    end
    local poll = { name = p.name, selectableOptionsCount = count, options = options }
    local m = { messageContextInfo = { messageSecret = p.messageSecret or random(32) } }
    if count == 1 then m.pollCreationMessageV3 = poll else m.pollCreationMessage = poll end
    return m
  end },
}

--- The Message table for content sent to jid. opts: {quoted=, ephemeralExpiration=}; me: our
--- user JID (for quoting our own messages); random(n): n random bytes.
function M.build(jid, c, opts, me, random)
  if type(c) ~= 'table' then fail('content table expected, got %s', type(c)) end
  local m
  for _, k in ipairs(kinds) do
    if c[k[1]] ~= nil then
      m = k[2](c, random)
      break
    end
  end
  if not m then
    for _, kind in ipairs(MEDIA) do
      if c[kind] ~= nil then
        return nil, ("sending %s messages needs media uploads, which wabot's client cannot do yet")
          :format(kind), 'ENOTSUP'
      end
    end
    fail('no content: give text, react, delete, location, forward or poll')
  end
  local key = content_type(m)
  local inner = m[key]
  if c.mentions ~= nil then
    if type(c.mentions) ~= 'table' then fail('mentions must be an array of JIDs') end
    local jids = {}
    for i, j in ipairs(c.mentions) do
      if type(j) ~= 'string' then fail('mentions[%d] must be a JID string', i) end
      jids[i] = j
    end
    if #jids > 0 and type(inner) == 'table' then
      inner.contextInfo = inner.contextInfo or {}
      inner.contextInfo.mentionedJid = jids
    end
  end
  if c.edit ~= nil then
    m = { protocolMessage = { key = check_key(c.edit, 'edit'), editedMessage = m,
      timestampMs = now_ms(), type = 'MESSAGE_EDIT' } }
    key, inner = 'protocolMessage', m.protocolMessage
  end
  opts = opts or {}
  local quoted = opts.quoted
  if quoted ~= nil then
    if type(quoted) ~= 'table' or type(quoted.key) ~= 'table' or type(quoted.message) ~= 'table' then
      error("bad argument #4 to 'sendMessage' (quoted must be a message)", 0)
    end
    local qk = quoted.key
    local participant = qk.fromMe and me or (rawget(quoted, 'participant') or qk.participant or qk.remoteJid)
    local qm = message.content(quoted.message)
    local qtype = content_type(qm)
    local qcontent = qm[qtype]
    if type(qcontent) == 'table' then
      local copy = {}
      for k, v in pairs(qcontent) do if k ~= 'contextInfo' then copy[k] = v end end
      qcontent = copy
    end
    if type(inner) == 'table' then
      local ci = inner.contextInfo or {}
      ci.participant = normalized_user(participant)
      ci.stanzaId = qk.id
      ci.quotedMessage = qtype and { [qtype] = qcontent } or nil
      if jid ~= qk.remoteJid then ci.remoteJid = qk.remoteJid end
      inner.contextInfo = ci
    end
  end
  if opts.ephemeralExpiration and key ~= 'protocolMessage' and type(inner) == 'table' then
    inner.contextInfo = inner.contextInfo or {}
    inner.contextInfo.expiration = opts.ephemeralExpiration
  end
  return m
end

return M
