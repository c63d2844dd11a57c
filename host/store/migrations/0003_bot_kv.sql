-- wabot.kv: the bots' persistent key-value store (host/store/kv_store.c). Values are opaque blobs
-- in the encoding of bindings/kv.c (strings, numbers, booleans, plain tables). Keys are raw bytes
-- (a Lua string may hold any byte), compared as memcmp, which is what keys(prefix) ranges on.
CREATE TABLE bot_kv (
    ns         TEXT NOT NULL,      -- the bot's namespace (its file's base name by default)
    key        BLOB NOT NULL,
    value      BLOB NOT NULL,
    updated_at INTEGER NOT NULL,   -- unix seconds
    PRIMARY KEY (ns, key)
) WITHOUT ROWID;
