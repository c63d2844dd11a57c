-- Content tables -> WhatsApp Message tables, as Baileys' generateWAMessageContent and
-- generateWAMessageFromContent build them (Utils/messages.js), so what a bot sends looks to the
-- other side like what a Baileys bot sends. sock:sendMessage (lua/wabot/sock.lua) calls
-- M.build; the kinds are built once, in C, by the client (host/client/content.c through the
-- session's build primitive, bindings/session_kinds.c), which the CLI uses too: text, mentions,
-- react, delete, edit, location, poll, vote, contacts, forward, viewOnce, and the options quoted
-- and ephemeralExpiration. The C side turns the result back into a wa.Message and sends it.
--
-- Misuse (a content table with no kind we know, a value of the wrong type) raises; a kind the
-- client cannot send yet (media: it needs uploads) returns nil, message, 'ENOTSUP'.
local M = {}

local MEDIA = { 'image', 'video', 'audio', 'document', 'sticker' }

-- Raised without a position: sock:sendMessage re-raises it at the bot's line.
local function fail(fmt, ...)
  error(("bad argument #3 to 'sendMessage' (" .. fmt .. ")"):format(...), 0)
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

--- The Message table for content sent to jid. opts: {quoted=, ephemeralExpiration=}; session:
--- the client's binding (its build primitive).
function M.build(jid, c, opts, session)
  if type(c) ~= 'table' then fail('content table expected, got %s', type(c)) end
  for _, kind in ipairs(MEDIA) do
    if c[kind] ~= nil then
      return nil, ("sending %s messages needs media uploads, which wabot's client cannot do yet")
        :format(kind), 'ENOTSUP'
    end
  end
  return session.build(jid, c, opts)
end

return M
