-- bots/commands.lua: a prefix command router. !help lists the commands, !ping answers pong,
-- !time tells the time. Add a command by adding a function to `commands`.
local sock = wabot.sock
local PREFIX = '!'

local commands = {}

commands.help = {
  about = 'this list',
  run = function(m)
    local names = {}
    for name, c in pairs(commands) do names[#names + 1] = PREFIX .. name .. ' - ' .. c.about end
    table.sort(names)
    return table.concat(names, '\n')
  end,
}

commands.ping = { about = 'answers pong', run = function() return 'pong' end }

commands.time = {
  about = 'the time here',
  run = function() return os.date('!%Y-%m-%d %H:%M:%S UTC') end,
}

sock.ev:on('messages.upsert', function(up)
  if up.type ~= 'notify' then return end
  for _, m in ipairs(up.messages) do
    local text = not m.key.fromMe and m.text
    if text and text:sub(1, #PREFIX) == PREFIX then
      local name, args = text:sub(#PREFIX + 1):match('^(%S+)%s*(.*)$')
      local c = name and commands[name:lower()]
      if c then
        m:reply({ text = c.run(m, args) })
      else
        m:reply({ text = ('unknown command %s%s; try %shelp'):format(PREFIX, name or '', PREFIX) })
      end
    end
  end
end)
