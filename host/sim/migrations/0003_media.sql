-- Media blobs (host/sim/media_http.c): the encrypted files clients upload, by the direct path
-- they are served under; the same bytes uploaded twice share one row.
CREATE TABLE media (
    path TEXT PRIMARY KEY,                 -- "/v/t62.7118-24/<hex>.enc"
    kind TEXT NOT NULL,                    -- "image", "video", "audio", "document"...
    enc_sha256 BLOB NOT NULL UNIQUE,
    data BLOB NOT NULL,
    created INTEGER NOT NULL
);
