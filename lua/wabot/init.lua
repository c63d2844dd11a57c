-- The `wabot` module: what every bot sees as the global `wabot` (see docs/lua-api.md).
-- Loaded once per generation by the runtime (host/runtime/gen.c), before the bot file runs.
local rt = require 'wabot.rt'
local timers = require 'wabot.timers'

local wabot = {
  sleep = timers.sleep,
  setTimeout = timers.setTimeout,
  setInterval = timers.setInterval,
  clearTimer = timers.clearTimer,
  kv = require 'wabot.kv',
  log = require 'wabot.log',
  reload = rt.reload,
  on_reload = rt.on_reload,
  spawn = rt.spawn,
}

--- The number of this generation (1 for the first load of the bot, then one more per reload).
function wabot.generation()
  return (rt.generation())
end

-- load() and loadfile() read text chunks only: Lua does not verify bytecode, and a crafted binary
-- chunk could reach past the bot's state into the host. The arity is kept (an explicit nil env is
-- not the same as no env).
local _load, _loadfile = load, loadfile
function load(chunk, name, mode, ...)
  if select('#', ...) > 0 then return _load(chunk, name, 't', ...) end
  return _load(chunk, name, 't')
end
function loadfile(file, mode, ...)
  if select('#', ...) > 0 then return _loadfile(file, 't', ...) end
  return _loadfile(file, 't')
end
function dofile(file)
  local f = assert(loadfile(file))
  return f()
end

-- coroutine.resume and coroutine.wrap pass the watchdog's yields up. The watchdog pauses a task
-- that has run a while (so the loop keeps running) by yielding it; inside a coroutine the bot
-- made, that yield arrives here instead of at the scheduler, and rt.pass yields once more on the
-- bot coroutine's behalf until it reaches the scheduler; then the bot's coroutine is resumed where
-- it was. The bot sees nothing of it.
local co_resume, co_create, co_status, co_close = coroutine.resume, coroutine.create,
  coroutine.status, coroutine.close
local pass, pack, unpack = rt.pass, table.pack, table.unpack
local function resume(co, ...)
  local r = pack(co_resume(co, ...))
  while r[1] and r.n == 1 and co_status(co) == 'suspended' and pass() do
    r = pack(co_resume(co))
  end
  return unpack(r, 1, r.n)
end
coroutine.resume = resume
function coroutine.wrap(f)
  local co = co_create(f)
  return function(...)
    local r = pack(resume(co, ...))
    if r[1] then return unpack(r, 2, r.n) end
    if co_status(co) == 'dead' then co_close(co) end
    error(r[2], 0)
  end
end

wabot.sock = require 'wabot.sock'
wabot.message = require 'wabot.message'

--- Baileys' getAggregateVotesInPollMessage: a poll's options in order, each {name=, voters={jid,
--- ...}} (votes of options the poll lacks under name 'Unknown'). m is a poll message (received, or
--- sendMessage's result); without pollUpdates its stored copy is counted, which holds every vote
--- received so far.
function wabot.getAggregateVotesInPollMessage(m)
  local session = package.preload['wabot.session'] and require 'wabot.session'
  if type(m) ~= 'table' then
    error(("bad argument #1 to 'getAggregateVotesInPollMessage' (message expected, got %s)")
      :format(type(m)), 2)
  end
  if not (session and session.tally) then return nil, 'not connected', 'ENOTCONN' end
  local plain = { key = rawget(m, 'key'), message = rawget(m, 'message'),
    pollUpdates = rawget(m, 'pollUpdates') }
  local ok, r = pcall(session.tally, plain)
  if not ok then error(r, 2) end
  return r
end
return wabot
