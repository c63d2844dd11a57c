-- bots/group_welcome.lua: greets members added to a group the bot is in, by mention.
local sock = wabot.sock

-- "155...@s.whatsapp.net" and "155...:1@s.whatsapp.net" name the same user.
local function user(jid) return jid and jid:match('^([^@:]+)') end

sock.ev:on('group-participants.update', function(u)
  if u.action ~= 'add' then return end
  local me = sock.user and user(sock.user.id)
  local names, mentions = {}, {}
  for _, p in ipairs(u.participants) do
    -- Baileys 7's GroupParticipant: {id=, phoneNumber= (beside a LID id), lid=, admin=}
    local jid = p.phoneNumber or p.id
    if user(jid) ~= me then
      names[#names + 1] = '@' .. user(jid)
      mentions[#mentions + 1] = jid
    end
  end
  if #mentions == 0 then return end
  local sent, err = sock:sendMessage(u.id, {
    text = ('Welcome, %s!'):format(table.concat(names, ', ')),
    mentions = mentions,
  })
  if not sent then wabot.log.warn('welcome in %s failed: %s', u.id, err) end
end)
