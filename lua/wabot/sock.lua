-- wabot.sock: the bot's view of the WhatsApp session (Baileys' `sock`): sock.ev, sock.user and
-- the methods of docs/lua-api.md.
--
-- The methods come from the C module 'wabot.session' when the host provides one:
--   * the client's binding (bindings/session.c, session_kinds.c, session_media.c) gives the
--     primitives send, read, logout, user, random, build, presence, subscribe, receipts, tally,
--     upload and download; the Baileys-shaped methods are built on them here (content tables
--     become Message tables through lua/wabot/content.lua and the client's builder, media
--     uploaded first); the group methods, onWhatsApp and profilePictureUrl are its own, already
--     in Baileys' shape (bindings/session_groups.c), and taken as they are;
--   * a module that gives sendMessage and friends itself (the unit tests' fake session) is used
--     as it is.
-- Without a session every method answers nil, "not connected", "ENOTCONN", as a disconnected
-- session would; with the client's, a method it cannot do yet answers nil, message, "ENOTSUP".
local Emitter = require 'wabot.ev'
local rt = require 'wabot.rt'

local ev = Emitter.new()
rt.listeners(ev._l)

local sock = { ev = ev }

local names = {
  'sendMessage', 'readMessages', 'sendReceipts', 'sendPresenceUpdate', 'presenceSubscribe', 'onWhatsApp',
  'groupMetadata', 'groupCreate', 'groupParticipantsUpdate', 'groupUpdateSubject', 'groupLeave',
  'groupInviteCode', 'profilePictureUrl', 'downloadMedia', 'logout',
  'groupFetchAllParticipating', 'groupUpdateDescription', 'groupRevokeInvite',
  'groupAcceptInvite', 'groupSettingUpdate',
}

local function check_self(self, name)
  if self ~= sock then error(("call it as sock:%s(...)"):format(name), 3) end
end

local methods = {}
local session = package.preload['wabot.session'] and require 'wabot.session'

if session and session.send then
  local content = require 'wabot.content'
  local message = require 'wabot.message'

  local function me()
    local u = session.user()
    return u and content.normalized_user(u.id)
  end

  function methods.sendMessage(self, jid, c, opts)
    check_self(self, 'sendMessage')
    if type(jid) ~= 'string' then
      error(("bad argument #1 to 'sendMessage' (JID string expected, got %s)"):format(type(jid)), 2)
    end
    if opts ~= nil and type(opts) ~= 'table' then
      error("bad argument #3 to 'sendMessage' (options table expected)", 2)
    end
    -- media: the file goes up first (the task waits), then the message is built from it
    local up
    local kind = session.upload and content.media_kind(c)
    if kind then
      local ok, path, bytes = pcall(function()
        content.check_media(c, kind)
        return content.media_source(c[kind], kind)
      end)
      if not ok then error(path, 2) end
      local uerr, ucode
      up, uerr, ucode = session.upload(kind == 'audio' and c.ptt and 'voice' or kind, path, bytes)
      if not up then return nil, uerr, ucode end
    end
    local ok, msg, err, code = pcall(content.build, jid, c, opts, session, up)
    if not ok then error(msg, 2) end
    if not msg then return nil, err, code end
    local id, t, code2 = session.send(jid, msg, opts and opts.messageId)
    if not id then return nil, t, code2 end
    local sent = {
      key = { remoteJid = jid, fromMe = true, id = id },
      message = msg,
      messageTimestamp = t,
      status = 'SERVER_ACK',
    }
    if jid:sub(-5) == '@g.us' then sent.participant = me() end
    return message.wrap(sent)
  end

  function methods.readMessages(self, keys)
    check_self(self, 'readMessages')
    if type(keys) ~= 'table' then
      error(("bad argument #1 to 'readMessages' (array of message keys expected, got %s)")
        :format(type(keys)), 2)
    end
    for i, k in ipairs(keys) do
      if type(k) ~= 'table' or type(k.remoteJid) ~= 'string' or type(k.id) ~= 'string' then
        error(("bad argument #1 to 'readMessages' (keys[%d] is not a message key)"):format(i), 2)
      end
    end
    return session.read(keys)
  end

  function methods.sendReceipts(self, keys, rtype)
    check_self(self, 'sendReceipts')
    if type(keys) ~= 'table' or type(rtype) ~= 'string' then
      error("bad argument to 'sendReceipts' (keys and a receipt type such as 'played' expected)", 2)
    end
    return session.receipts(keys, rtype)
  end

  function methods.sendPresenceUpdate(self, ptype, jid)
    check_self(self, 'sendPresenceUpdate')
    if type(ptype) ~= 'string' or (jid ~= nil and type(jid) ~= 'string') then
      error("bad argument to 'sendPresenceUpdate' (a type and a chat JID expected)", 2)
    end
    local ok, r, err, code = pcall(session.presence, ptype, jid)
    if not ok then error(r, 2) end
    return r, err, code
  end

  function methods.presenceSubscribe(self, jid)
    check_self(self, 'presenceSubscribe')
    if type(jid) ~= 'string' then
      error(("bad argument #1 to 'presenceSubscribe' (JID string expected, got %s)"):format(type(jid)), 2)
    end
    local ok, r, err, code = pcall(session.subscribe, jid)
    if not ok then error(r, 2) end
    return r, err, code
  end

  -- sock:downloadMedia(m [, path]): the media of a message (a message table, or its .message),
  -- decrypted and verified, into path (returned) or as a string of bytes.
  function methods.downloadMedia(self, m, path)
    check_self(self, 'downloadMedia')
    if type(m) ~= 'table' then
      error(("bad argument #1 to 'downloadMedia' (message expected, got %s)"):format(type(m)), 2)
    end
    if path ~= nil and type(path) ~= 'string' then
      error("bad argument #2 to 'downloadMedia' (path string expected)", 2)
    end
    if not session.download then return nil, 'not supported by this session', 'ENOTSUP' end
    local msg = type(m.message) == 'table' and m.message or m
    return session.download(msg, path)
  end

  function methods.logout(self)
    check_self(self, 'logout')
    return session.logout()
  end
end

if session then
  for k, v in pairs(session) do
    if methods[k] == nil and type(v) == 'function' and k:match('^%l') and
      not ({ send = 1, read = 1, user = 1, random = 1, init = 1, build = 1, presence = 1,
        subscribe = 1, receipts = 1, tally = 1, upload = 1, download = 1 })[k] then
      methods[k] = v
    end
  end
end

local missing = session and session.send and { nil, 'not supported by wabot\'s client yet', 'ENOTSUP' }
  or { nil, 'not connected', 'ENOTCONN' }
for _, name in ipairs(names) do
  if not methods[name] then
    methods[name] = function(self)
      check_self(self, name)
      return missing[1], missing[2], missing[3]
    end
  end
end

-- sock.user: {id=, lid=, name=} of the linked device (nil before linking), read from the session
-- at each access so every generation sees the same.
setmetatable(sock, {
  __index = function(_, k)
    if k == 'user' then return session and session.user and session.user() or nil end
    return methods[k]
  end,
})
if session and session.init then session.init(sock) end
return sock
