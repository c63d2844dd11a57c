-- bots/reminder.lua: `!remind 10m text` (s, m, h or d) answers with the text when the time has
-- come. Reminders are kept in wabot.kv, so they survive reloads and restarts: each load of the
-- bot re-arms the ones still pending.
local sock, kv = wabot.sock, wabot.kv

local UNITS = { s = 1, m = 60, h = 3600, d = 86400 }

local RETRY_MS = 2000

-- Sends reminder r when it is due; a send that fails (not connected yet after a restart, say)
-- is tried again a little later, so nothing due is lost.
local function arm(key, r, delay)
  delay = delay or math.max(0, r.at - os.time()) * 1000
  wabot.setTimeout(delay, function()
    if not kv.get(key) then return end -- done already (by an older generation, say)
    local sent, err = sock:sendMessage(r.chat, { text = '⏰ ' .. r.text })
    if sent then
      kv.delete(key)
    else
      wabot.log.info('reminder %s not sent (%s); trying again', key, err)
      arm(key, r, RETRY_MS)
    end
  end)
end

for _, key in ipairs(kv.keys('remind:')) do
  local r = kv.get(key)
  if type(r) == 'table' then arm(key, r) end
end

sock.ev:on('messages.upsert', function(up)
  if up.type ~= 'notify' then return end
  for _, m in ipairs(up.messages) do
    local n, unit, text = (m.text or ''):match('^!remind%s+(%d+)([smhd])%s+(.+)$')
    if n and not m.key.fromMe then
      local r = { chat = m.chat, text = text, at = os.time() + tonumber(n) * UNITS[unit] }
      local key = ('remind:%d:%s'):format(r.at, m.key.id)
      kv.set(key, r)
      arm(key, r)
      m:reply({ text = ('OK, in %s%s.'):format(n, unit) })
    elseif (m.text or ''):match('^!remind') and not m.key.fromMe then
      m:reply({ text = 'usage: !remind 10m text (s, m, h or d)' })
    end
  end
end)
