-- Content tables -> WhatsApp Message tables, as Baileys' generateWAMessageContent and
-- generateWAMessageFromContent build them (Utils/messages.js), so what a bot sends looks to the
-- other side like what a Baileys bot sends. sock:sendMessage (lua/wabot/sock.lua) calls
-- M.build; the kinds are built once, in C, by the client (host/client/content.c through the
-- session's build primitive, bindings/session_kinds.c), which the CLI uses too: text, mentions,
-- react, delete, edit, location, poll, vote, contacts, forward, viewOnce, and the options quoted
-- and ephemeralExpiration. The C side turns the result back into a wa.Message and sends it.
--
-- Media kinds (image, video, audio, document, sticker) are uploaded first (sock:sendMessage:
-- M.media_kind, M.media_source, M.check_media, then session.upload); their message is made here
-- from the upload's fields as Baileys' prepareWAMessageMedia fills it, and goes through the same
-- builder as `media` for what applies on top (mentions, quoted, viewOnce, ephemeralExpiration).
--
-- Misuse (a content table with no kind we know, a value of the wrong type) raises.
local M = {}

local MEDIA = { 'image', 'video', 'audio', 'document', 'sticker' }

-- Raised without a position: sock:sendMessage re-raises it at the bot's line.
local function fail(fmt, ...)
  error(("bad argument #3 to 'sendMessage' (" .. fmt .. ")"):format(...), 0)
end

-- Baileys' MIMETYPE_MAP: the mimetype of a kind when neither the bot nor the file says
local MEDIA_MIME = { image = 'image/jpeg', video = 'video/mp4', audio = 'audio/ogg; codecs=opus',
  document = 'application/pdf', sticker = 'image/webp' }

-- The content fields each kind takes over into its message, with their Lua types (Baileys
-- copies the rest of the content table into the message: these are the ones its messages have).
local MEDIA_FIELDS = {
  image = { caption = 'string', width = 'number', height = 'number', jpegThumbnail = 'string',
    mimetype = 'string' },
  video = { caption = 'string', width = 'number', height = 'number', seconds = 'number',
    gifPlayback = 'boolean', jpegThumbnail = 'string', mimetype = 'string' },
  audio = { seconds = 'number', ptt = 'boolean', mimetype = 'string', waveform = 'string' },
  document = { caption = 'string', fileName = 'string', title = 'string', jpegThumbnail = 'string',
    mimetype = 'string' },
  sticker = { width = 'number', height = 'number', isAnimated = 'boolean', mimetype = 'string' },
}

--- The media kind of a content table ('image', ...), or nil.
function M.media_kind(c)
  if type(c) ~= 'table' then return nil end
  for _, kind in ipairs(MEDIA) do
    if c[kind] ~= nil then return kind end
  end
  return nil
end

--- Where a media content's file is: path, nil or nil, bytes. {url=PATH} is a path (Baileys'
--- form); a string is a path when it names a file we can open, else the bytes themselves.
function M.media_source(v, kind)
  if type(v) == 'table' then
    if type(v.url) ~= 'string' then fail('%s must be a path, bytes or {url=PATH}', kind) end
    return v.url, nil
  end
  if type(v) ~= 'string' then fail('%s must be a path, bytes or {url=PATH}', kind) end
  if #v < 4096 and not v:find('[%z\n]') then
    local f = io.open(v, 'rb')
    if f then
      f:close()
      return v, nil
    end
  end
  return nil, v
end

--- Raises on a media content table whose fields have the wrong types (before any upload).
function M.check_media(c, kind)
  for k, t in pairs(MEDIA_FIELDS[kind]) do
    if c[k] ~= nil and type(c[k]) ~= t then fail('%s must be a %s', k, t) end
  end
  if c.caption ~= nil and type(c.caption) ~= 'string' then fail('caption must be a string') end
end

-- The message of a media content, from the upload's fields (session.upload).
local function media_message(c, kind, up)
  local inner = {
    url = up.url, directPath = up.directPath, mediaKey = up.mediaKey,
    fileSha256 = up.fileSha256, fileEncSha256 = up.fileEncSha256, fileLength = up.fileLength,
    mediaKeyTimestamp = up.mediaKeyTimestamp,
  }
  for k in pairs(MEDIA_FIELDS[kind]) do
    if c[k] ~= nil then inner[k] = c[k] end
  end
  if inner.ptt == false then inner.ptt = nil end
  if not inner.mimetype then
    inner.mimetype = (kind ~= 'audio' or not c.ptt) and up.mimetype or MEDIA_MIME[kind]
  end
  if kind == 'document' and not inner.fileName then inner.fileName = 'file' end
  return { [kind .. 'Message'] = inner } -- the client adds messageContextInfo.messageSecret
end

-- Baileys' getContentType: the field that holds the content.
local function content_type(msg)
  if msg.conversation ~= nil then return 'conversation' end
  local best
  for k in pairs(msg) do
    if type(k) == 'string' and k:find('Message', 1, true) and k ~= 'senderKeyDistributionMessage' then
      if not best or k < best then best = k end -- a stable choice when there are several
    end
  end
  return best
end
M.content_type = content_type

-- "15550001111:3@s.whatsapp.net" -> "15550001111@s.whatsapp.net" (jidNormalizedUser)
local function normalized_user(jid)
  if type(jid) ~= 'string' then return jid end
  local user, server = jid:match('^([^@:]+)[^@]*@(.+)$')
  if not user then return jid end
  if server == 'c.us' then server = 's.whatsapp.net' end
  return user .. '@' .. server
end
M.normalized_user = normalized_user

--- The Message table for content sent to jid. opts: {quoted=, ephemeralExpiration=}; session:
--- the client's binding (its build primitive); up: for a media content, what session.upload made
--- of its file.
function M.build(jid, c, opts, session, up)
  if type(c) ~= 'table' then fail('content table expected, got %s', type(c)) end
  local kind = M.media_kind(c)
  if kind then
    if not up then
      return nil, ("sending %s messages needs media uploads, which this session cannot do")
        :format(kind), 'ENOTSUP'
    end
    M.check_media(c, kind)
    return session.build(jid, { media = media_message(c, kind, up), mentions = c.mentions,
      viewOnce = c.viewOnce }, opts)
  end
  return session.build(jid, c, opts)
end

return M
