-- Signal protocol state (host/signal, through host/store/signal_store.c). Records are opaque
-- blobs in host/signal's own format; keys are raw 32-byte Curve25519 strings. The tables keyed
-- by address are WITHOUT ROWID: a lookup is one b-tree descent, and their rows (a session record
-- is ~500 bytes) fit in a page.

-- Our own identity: exactly one row.
CREATE TABLE signal_local (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    registration_id  INTEGER NOT NULL,
    identity_pub     BLOB NOT NULL CHECK (length(identity_pub) = 32),
    identity_priv    BLOB NOT NULL CHECK (length(identity_priv) = 32),
    next_prekey_id   INTEGER NOT NULL,  -- the id the next generated one-time prekey gets
    signed_prekey_id INTEGER NOT NULL   -- the current signed prekey
);

-- The identity key last seen for each remote address ("user[_domain].device").
CREATE TABLE signal_identities (
    address      TEXT PRIMARY KEY,
    identity_key BLOB NOT NULL CHECK (length(identity_key) = 32),
    updated_at   INTEGER NOT NULL      -- unix seconds
) WITHOUT ROWID;

-- One-time prekeys, ids 1..0xFFFFFE (they wrap). A key leaves the table when a session uses it.
CREATE TABLE signal_prekeys (
    id       INTEGER PRIMARY KEY,
    pub      BLOB NOT NULL CHECK (length(pub) = 32),
    priv     BLOB NOT NULL CHECK (length(priv) = 32),
    uploaded INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE signal_signed_prekeys (
    id         INTEGER PRIMARY KEY,
    pub        BLOB NOT NULL CHECK (length(pub) = 32),
    priv       BLOB NOT NULL CHECK (length(priv) = 32),
    signature  BLOB NOT NULL CHECK (length(signature) = 64),
    created_at INTEGER NOT NULL
);

-- Session records, one per remote device address.
CREATE TABLE signal_sessions (
    address TEXT PRIMARY KEY,
    record  BLOB NOT NULL
) WITHOUT ROWID;

-- Sender-key records, one per (group, sender device address).
CREATE TABLE signal_sender_keys (
    group_id TEXT NOT NULL,
    sender   TEXT NOT NULL,
    record   BLOB NOT NULL,
    PRIMARY KEY (group_id, sender)
) WITHOUT ROWID;
