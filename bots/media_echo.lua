-- bots/media_echo.lua: sends every picture, video, voice note, audio, document or sticker back to
-- whoever sent it, downloaded (decrypted and verified) and uploaded again. Run with
-- `wabot run bots/media_echo.lua`, or try it with `wabot dev bots/media_echo.lua` and `/image PATH`.
local sock = wabot.sock

-- the message field of each kind, and the content key sendMessage takes for it
local kinds = {
  { 'imageMessage', 'image' }, { 'videoMessage', 'video' }, { 'audioMessage', 'audio' },
  { 'documentMessage', 'document' }, { 'stickerMessage', 'sticker' },
}

sock.ev:on('messages.upsert', function(up)
  if up.type ~= 'notify' then return end
  for _, m in ipairs(up.messages) do
    local c = not m.key.fromMe and m.message
    for _, k in ipairs(c and kinds or {}) do
      local media = c[k[1]]
      if media then
        local bytes, err, code = sock:downloadMedia(m)
        if not bytes then
          m:reply({ text = ('could not get your %s: %s (%s)'):format(k[2], err, code) })
        else
          m:reply({ [k[2]] = bytes, caption = ('your %s, %d bytes'):format(k[2], #bytes),
            mimetype = media.mimetype, ptt = media.ptt, seconds = media.seconds,
            fileName = media.fileName })
        end
      end
    end
  end
end)
