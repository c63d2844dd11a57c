-- bots/echo.lua: answers every text with the same text. Run with `wabot run bots/echo.lua`.
local sock = wabot.sock

sock.ev:on('messages.upsert', function(up)
  if up.type ~= 'notify' then return end
  for _, m in ipairs(up.messages) do
    if not m.key.fromMe and m.text then
      local sent, err, code = m:reply({ text = m.text })
      if not sent then wabot.log.warn('echo to %s failed: %s (%s)', m.chat, err, code) end
    end
  end
end)
