-- Profile pictures (host/sim/profile.c): one per account (owner "<phone>@s.whatsapp.net") or
-- group ("<id>@g.us"); the JPEG itself is a row of the media table, served under path.
CREATE TABLE pictures (
    owner TEXT PRIMARY KEY,
    id TEXT NOT NULL,                      -- the picture's version, as clients compare it
    path TEXT NOT NULL                     -- the media table's direct path (unsigned)
) WITHOUT ROWID;
