-- Message tables: WebMessageInfo as Lua tables (protobufjs field names) with the conveniences of
-- docs/lua-api.md computed on access: m.text, m.chat, m.sender, m.isGroup, m:reply(content, opts).
-- The host gives every message it delivers this metatable (bindings/message.c); M.wrap gives it
-- to a table made in Lua.
local M = {}

-- FutureProofMessage wrappers: the content is their .message
local wrappers = {
  'ephemeralMessage', 'viewOnceMessage', 'viewOnceMessageV2', 'viewOnceMessageV2Extension',
  'documentWithCaptionMessage', 'editedMessage', 'groupMentionedMessage', 'botInvokeMessage',
  'associatedChildMessage', 'groupStatusMessage', 'groupStatusMessageV2', 'lottieStickerMessage',
}

--- The innermost content of a Message table (through ephemeral, view-once, edited ... wrappers).
function M.content(msg)
  for _ = 1, 8 do
    local inner
    for i = 1, #wrappers do
      local w = msg[wrappers[i]]
      if type(w) == 'table' and type(w.message) == 'table' then
        inner = w.message
        break
      end
    end
    if not inner then break end
    msg = inner
  end
  return msg
end

--- The text of a Message table: conversation, extendedTextMessage.text, or a caption.
function M.text_of(msg)
  if type(msg) ~= 'table' then return nil end
  local c = M.content(msg)
  if type(c.conversation) == 'string' then return c.conversation end
  local ext = c.extendedTextMessage
  if type(ext) == 'table' and type(ext.text) == 'string' then return ext.text end
  for _, v in pairs(c) do
    if type(v) == 'table' and type(v.caption) == 'string' then return v.caption end
  end
  return nil
end

local getters = {
  text = function(m) return M.text_of(rawget(m, 'message')) end,
  chat = function(m)
    local key = rawget(m, 'key')
    return key and key.remoteJid
  end,
  isGroup = function(m)
    local key = rawget(m, 'key')
    local jid = key and key.remoteJid
    return type(jid) == 'string' and jid:sub(-5) == '@g.us'
  end,
  sender = function(m)
    local key = rawget(m, 'key') or {}
    if key.fromMe then
      local user = require('wabot.sock').user
      return user and user.id
    end
    return key.participant or rawget(m, 'participant') or key.remoteJid
  end,
}

local methods = {}

--- Sends content to the message's chat, quoting it: sock:sendMessage(m.chat, content, opts).
function methods.reply(m, content, opts)
  local sock = require 'wabot.sock'
  local o = { quoted = m }
  if opts ~= nil then
    if type(opts) ~= 'table' then error("bad argument #2 to 'reply' (table expected)", 2) end
    for k, v in pairs(opts) do o[k] = v end
    o.quoted = opts.quoted or m
  end
  return sock:sendMessage(getters.chat(m), content, o)
end

M.mt = {
  __index = function(m, k)
    local g = getters[k]
    if g then return g(m) end
    return methods[k]
  end,
}

--- Gives a WebMessageInfo table the message conveniences; returns it.
function M.wrap(t)
  return setmetatable(t, M.mt)
end

return M
