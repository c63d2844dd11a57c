-- bots/lunch.lua: a lunch poll, and the message kinds around it.
--   !lunch pizza sushi salad   a poll "lunch?" with those options; the bot tells the tally after
--                              every vote (messages.update with pollUpdates)
--   !where                     the bot's location
--   !typing                    the bot types for a moment, then answers
-- It reads what you send (blue ticks), thanks you for reactions to its messages
-- (messages.reaction), and notices edits and deletions of your messages (messages.update).
local sock = wabot.sock

local function chat_of(key) return key.remoteJid end

sock.ev:on('messages.upsert', function(up)
  if up.type ~= 'notify' then return end
  for _, m in ipairs(up.messages) do
    if not m.key.fromMe then
      sock:readMessages({ m.key })
      local text = m.text or ''
      local options = text:match('^!lunch%s+(.+)$')
      if options then
        local values = {}
        for v in options:gmatch('%S+') do values[#values + 1] = v end
        sock:sendMessage(m.chat, { poll = { name = 'lunch?', values = values, selectableCount = 1 } })
      elseif text == '!where' then
        sock:sendMessage(m.chat, { location = { degreesLatitude = 52.5200, degreesLongitude = 13.4050,
          name = 'Alexanderplatz' } })
      elseif text == '!typing' then
        local ok, err = sock:sendPresenceUpdate('composing', m.chat)
        wabot.sleep(200)
        sock:sendPresenceUpdate('paused', m.chat)
        m:reply({ text = ok and 'done typing' or ('could not type: ' .. tostring(err)) })
      end
    end
  end
end)

-- a vote: the poll's tally, from its stored copy (every vote so far)
sock.ev:on('messages.update', function(updates)
  for _, u in ipairs(updates) do
    if u.update.pollUpdates then
      local tally = wabot.getAggregateVotesInPollMessage({ key = u.key })
      local parts = {}
      for _, option in ipairs(tally) do parts[#parts + 1] = option.name .. ' ' .. #option.voters end
      sock:sendMessage(chat_of(u.key), { text = 'tally: ' .. table.concat(parts, ', ') })
    elseif u.update.message and u.update.message.editedMessage and not u.key.fromMe then
      local text = wabot.message.text_of(u.update.message.editedMessage.message)
      sock:sendMessage(chat_of(u.key), { text = 'you changed it to: ' .. (text or '?') })
    elseif u.update.messageStubType == 'REVOKE' and not u.key.fromMe then
      sock:sendMessage(chat_of(u.key), { text = 'a message was deleted' })
    end
  end
end)

sock.ev:on('messages.reaction', function(reactions)
  for _, r in ipairs(reactions) do
    if r.key.fromMe and not r.reaction.key.fromMe and r.reaction.text ~= '' then
      sock:sendMessage(chat_of(r.reaction.key), { text = 'thanks for the ' .. r.reaction.text })
    end
  end
end)
