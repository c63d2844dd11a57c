-- bots/group_welcome.lua: greets members added to a group the bot is in, by mention.
local sock = wabot.sock

sock.ev:on('group-participants.update', function(u)
  if u.action ~= 'add' then return end
  local me = sock.user and sock.user.id
  local names, mentions = {}, {}
  for _, jid in ipairs(u.participants) do
    if jid ~= me then
      names[#names + 1] = '@' .. jid:match('^([^@:]+)')
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
