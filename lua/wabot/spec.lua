-- `wabot test SPEC.lua BOT.lua`: what a spec file sees as globals (docs/lua-api.md, "Testing
-- bots"): describe, it, you and assert. The spec's top level registers tests; they run one after
-- the other in one coroutine once the bot and "you" are logged in, each after the bot has settled
-- and the messages left over from the one before are dropped. The C side is the module
-- 'wabot.spectool' (host/cli/test.c).
local tool = require 'wabot.spectool'

local M = {}
local tests, names = {}, {}

--- Groups tests under a name (nesting allowed).
function M.describe(name, fn)
  names[#names + 1] = tostring(name)
  fn()
  names[#names] = nil
end

--- A test: fn runs in a coroutine that may wait (you.expect, wabot.sleep, ...).
function M.it(name, fn)
  local full = #names > 0 and (table.concat(names, ' ') .. ' ' .. name) or name
  tests[#tests + 1] = { name = full, fn = fn }
end

local you = {}
M.you = you

--- Sends text from you to the bot (or to the group made by you.group, or you.to's JID).
function you.send(text)
  local ok, err = tool.send(tostring(text))
  if not ok then error('you.send: ' .. err, 2) end
end

--- Waits for the bot's next message to you (default 5000 ms) and checks it against a Lua pattern;
--- returns its text.
function you.expect(pattern, timeout_ms)
  timeout_ms = timeout_ms or 5000
  local text = tool.next(timeout_ms)
  if not text then
    error(('expected a message matching %q within %d ms, got none'):format(pattern, timeout_ms), 2)
  end
  if pattern and not text:find(pattern) then
    error(('expected a message matching %q, got %q'):format(pattern, text), 2)
  end
  return text
end

--- Waits ms (default 500) and checks that the bot sent you nothing meanwhile.
function you.expectNothing(ms)
  local text = tool.next(ms or 500)
  if text then error(('expected no message, got %q'):format(text), 2) end
end

--- Makes a group of you and the bot named name; what you send goes there. Returns its JID.
function you.group(name)
  local jid, err = tool.group(name)
  if not jid then error('you.group: ' .. err, 2) end
  return jid
end

-- you.add / remove / promote / demote: your call on the group you.group made (you are its
-- admin), for people by phone number (their accounts are made in the simulator on demand).
-- Each waits for the server's answer and returns the status of each number, as
-- groupParticipantsUpdate does: { {jid=, status='200'}, ... }; the bot hears of it as
-- group-participants.update.
local function members(action)
  return function(...)
    local summary, err = tool.members(action, ...)
    if not summary then error(('you.%s: %s'):format(action, err), 2) end
    local out = {}
    for phone, status in summary:gmatch('(%d+) (%d+)') do
      out[#out + 1] = { jid = phone .. '@s.whatsapp.net', status = status }
    end
    return out
  end
end
you.add, you.remove = members('add'), members('remove')
you.promote, you.demote = members('promote'), members('demote')

--- Reacts to the bot's last message to you.
function you.react(emoji)
  local ok, err = tool.react(emoji)
  if not ok then error('you.react: ' .. err, 2) end
end

--- Votes for the options named in the bot's last message to you (a poll); none takes the vote
--- back.
function you.vote(...)
  local ok, err = tool.vote(...)
  if not ok then error('you.vote: ' .. err, 2) end
end

--- Edits your last message: it now says text.
function you.edit(text)
  local ok, err = tool.edit(tostring(text))
  if not ok then error('you.edit: ' .. err, 2) end
end

--- Deletes your last message for everyone.
function you.delete()
  local ok, err = tool.delete()
  if not ok then error('you.delete: ' .. err, 2) end
end

--- Sends to jid from now on ('bot' for the bot).
function you.to(jid) tool.to(jid) end

-- luassert (Debian's lua-luassert) when installed; else a small stand-in with the same names.
local ok, luassert = pcall(require, 'luassert')
if ok then
  M.assert = luassert
else
  local a = setmetatable({}, { __call = function(_, v, msg, ...) if not v then error(msg or 'assertion failed!', 2) end return v, msg, ... end })
  local function fmt(v) return type(v) == 'string' and ('%q'):format(v) or tostring(v) end
  function a.equals(want, got, msg)
    if want ~= got then error(msg or ('expected %s, got %s'):format(fmt(want), fmt(got)), 2) end
  end
  a.equal, a.are_equal = a.equals, a.equals
  function a.matches(pattern, s, msg)
    if type(s) ~= 'string' or not s:find(pattern) then
      error(msg or ('expected %s to match %q'):format(fmt(s), pattern), 2)
    end
  end
  function a.truthy(v, msg) if not v then error(msg or ('expected a true value, got ' .. fmt(v)), 2) end end
  function a.falsy(v, msg) if v then error(msg or ('expected a false value, got ' .. fmt(v)), 2) end end
  function a.is_nil(v, msg) if v ~= nil then error(msg or ('expected nil, got ' .. fmt(v)), 2) end end
  M.assert = a
end

-- The runner: after the spec's top level, once both sides are logged in.
wabot.spawn(function()
  tool.ready()
  local passed, failed = 0, 0
  for i, t in ipairs(tests) do
    tool.settle()
    local okt, err = xpcall(t.fn, debug.traceback)
    if okt then
      passed = passed + 1
      tool.report(('ok %d - %s'):format(i, t.name))
    else
      failed = failed + 1
      tool.report(('not ok %d - %s\n  %s'):format(i, t.name, tostring(err):gsub('\n', '\n  ')))
    end
  end
  tool.done(passed, failed)
end)

return M
