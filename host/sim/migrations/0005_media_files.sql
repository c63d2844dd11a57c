-- Media blobs as files (host/sim/media_store.c): the bytes move to the media directory of the
-- state (DIR/media/<file>), the table keeps what describes them. Rows written before this
-- migration keep their bytes in data (file NULL) and are served from there. Two direct paths
-- may share one file (the same bytes uploaded as two kinds), so the hash is no longer unique.
CREATE TABLE media_files (
    path TEXT PRIMARY KEY,                 -- "/v/t62.7118-24/<hex>.enc"
    kind TEXT NOT NULL,                    -- "image", "video", "audio", "document", "profile"...
    enc_sha256 BLOB NOT NULL,
    size INTEGER NOT NULL,
    file TEXT,                             -- "<hex of enc_sha256>" in the media directory
    data BLOB,                             -- the bytes of a row from before 0005, else NULL
    created INTEGER NOT NULL,
    CHECK ((file IS NULL) != (data IS NULL))
);
INSERT INTO media_files (path, kind, enc_sha256, size, file, data, created)
    SELECT path, kind, enc_sha256, length(data), NULL, data, created FROM media;
DROP TABLE media;
ALTER TABLE media_files RENAME TO media;
CREATE INDEX media_by_hash ON media (enc_sha256);
