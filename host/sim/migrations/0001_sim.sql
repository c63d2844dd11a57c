-- The simulator's state (host/sim/persist.c): its keys, the accounts with their phones'
-- identity keys, the linked companions with their Signal keys, one-time prekeys and the
-- per-device queue of stanzas not yet acknowledged.
CREATE TABLE meta (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    phone TEXT NOT NULL UNIQUE,
    lid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL DEFAULT '',
    identity_priv BLOB NOT NULL,          -- the phone's identity (ADV account signature) key
    adv_raw_id INTEGER NOT NULL,
    next_device INTEGER NOT NULL,
    next_key_index INTEGER NOT NULL,
    created INTEGER NOT NULL
);

CREATE TABLE devices (
    id INTEGER PRIMARY KEY,
    account INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    device INTEGER NOT NULL,
    key_index INTEGER NOT NULL,
    removed INTEGER NOT NULL DEFAULT 0,
    noise_pub BLOB NOT NULL,
    identity_pub BLOB NOT NULL,
    reg_id INTEGER NOT NULL,
    skey_id INTEGER NOT NULL,
    skey_pub BLOB NOT NULL,
    skey_sig BLOB NOT NULL,
    platform TEXT NOT NULL DEFAULT '',
    created INTEGER NOT NULL,
    low_prekeys_notified INTEGER NOT NULL DEFAULT 0,
    UNIQUE (account, device)
);

CREATE TABLE prekeys (
    device INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    key_id INTEGER NOT NULL,
    pub BLOB NOT NULL,
    PRIMARY KEY (device, key_id)
) WITHOUT ROWID;

-- Stanzas for a device, oldest first: sent = 1 once they went out; they stay until acked.
CREATE TABLE queue (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    device INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    stanza_id TEXT NOT NULL,
    type TEXT NOT NULL DEFAULT '',
    payload BLOB NOT NULL,
    sent INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX queue_by_device ON queue (device, seq);
CREATE INDEX queue_by_stanza ON queue (device, stanza_id);

-- Account settings away from their defaults: privacy categories and the blocklist.
CREATE TABLE privacy (
    account INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (account, name)
) WITHOUT ROWID;

CREATE TABLE blocklist (
    account INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    jid TEXT NOT NULL,
    PRIMARY KEY (account, jid)
) WITHOUT ROWID;
