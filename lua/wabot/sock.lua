-- wabot.sock: the bot's view of the WhatsApp session (Baileys' `sock`): sock.ev, sock.user and
-- the methods of docs/lua-api.md.
--
-- The methods come from the C module 'wabot.session' when the host provides one (the client's
-- binding; the unit tests' fake session). Without it, every method answers
-- nil, "not connected", "ENOTCONN", as a disconnected session would.
local Emitter = require 'wabot.ev'
local rt = require 'wabot.rt'

local ev = Emitter.new()
rt.listeners(ev._l)

local sock = { ev = ev }

local names = {
  'sendMessage', 'readMessages', 'sendPresenceUpdate', 'presenceSubscribe', 'onWhatsApp',
  'groupMetadata', 'groupCreate', 'groupParticipantsUpdate', 'groupUpdateSubject', 'groupLeave',
  'groupInviteCode', 'profilePictureUrl', 'downloadMedia', 'logout',
}

local methods = {}
local session = package.preload['wabot.session'] and require 'wabot.session'
if session then
  for k, v in pairs(session) do methods[k] = v end
end
for _, name in ipairs(names) do
  if not methods[name] then
    methods[name] = function(self)
      if self ~= sock then error(("call it as sock:%s(...)"):format(name), 2) end
      return nil, 'not connected', 'ENOTCONN'
    end
  end
end

setmetatable(sock, { __index = methods })
if session and session.init then session.init(sock) end
return sock
