-- sock.ev: an event emitter with Baileys' method names (on, off, once, emit,
-- removeAllListeners, listenerCount).
--
-- Listeners live in self._l: event name -> array of functions. An array is never changed in
-- place: on/off build a new one. The runtime delivers host events straight from this table (it is
-- registered with wabot.rt.listeners), each listener in its own coroutine, so a delivery in
-- progress never sees a listener added or removed under it.
local rt = require 'wabot.rt'

local Emitter = {}
Emitter.__index = Emitter

-- once-wrappers -> the function they wrap, so off(name, fn) finds them
local wrapped = setmetatable({}, { __mode = 'k' })

local function check(name, fn, method)
  if type(name) ~= 'string' then
    error(("bad argument #1 to '%s' (event name expected, got %s)"):format(method, type(name)), 3)
  end
  if type(fn) ~= 'function' then
    error(("bad argument #2 to '%s' (function expected, got %s)"):format(method, type(fn)), 3)
  end
end

function Emitter.new()
  return setmetatable({ _l = {} }, Emitter)
end

--- Calls fn(payload) for every `name` event, each call in its own coroutine.
function Emitter:on(name, fn)
  check(name, fn, 'on')
  local old, new = self._l[name], {}
  if old then table.move(old, 1, #old, 1, new) end
  new[#new + 1] = fn
  self._l[name] = new
  return self
end

--- Removes one registration of fn (or of a once-wrapper of fn) for `name`.
function Emitter:off(name, fn)
  check(name, fn, 'off')
  local old = self._l[name]
  if not old then return self end
  local new, removed = {}, false
  for i = 1, #old do
    local f = old[i]
    if not removed and (f == fn or wrapped[f] == fn) then
      removed = true
    else
      new[#new + 1] = f
    end
  end
  self._l[name] = #new > 0 and new or nil
  return self
end

--- Like on, for the next `name` event only.
function Emitter:once(name, fn)
  check(name, fn, 'once')
  local fired = false
  local function wrapper(...)
    if fired then return end
    fired = true
    self:off(name, wrapper)
    return fn(...)
  end
  wrapped[wrapper] = fn
  return self:on(name, wrapper)
end

--- Starts every listener of `name` with the given arguments, each in its own coroutine, once the
--- caller yields or returns. Returns whether there were listeners.
function Emitter:emit(name, ...)
  if type(name) ~= 'string' then
    error(("bad argument #1 to 'emit' (event name expected, got %s)"):format(type(name)), 2)
  end
  local list = self._l[name]
  if not list then return false end
  for i = 1, #list do rt.spawn(list[i], ...) end
  return true
end

function Emitter:removeAllListeners(name)
  if name == nil then
    for k in pairs(self._l) do self._l[k] = nil end
  else
    self._l[name] = nil
  end
  return self
end

function Emitter:listenerCount(name)
  local list = self._l[name]
  return list and #list or 0
end

return Emitter
