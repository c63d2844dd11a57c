-- The client's tables (host/client, through host/store's device_store.c, message_store.c and
-- contact_store.c). Signal's state is 0001's.

-- This companion device: exactly one row, made by the first `wabot auth`. The Noise key and the
-- adv secret exist before linking (the QR carries them); the rest is filled at pair-success.
CREATE TABLE device (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    noise_pub       BLOB NOT NULL CHECK (length(noise_pub) = 32),
    noise_priv      BLOB NOT NULL CHECK (length(noise_priv) = 32),
    adv_secret      BLOB NOT NULL CHECK (length(adv_secret) = 32),
    state           INTEGER NOT NULL DEFAULT 0, -- 0 not linked, 1 linked, 2 logged out by the server
    jid             TEXT,    -- our device JID, phone:device@s.whatsapp.net
    lid             TEXT,    -- our LID device JID, lid:device@lid
    name            TEXT,    -- the account's push name (pair-success <biz name>)
    platform        TEXT,    -- the phone's platform (pair-success <platform name>)
    adv_details     BLOB,    -- the ADV identity the phone signed (wa/adv.h)
    adv_account_key BLOB,
    adv_account_sig BLOB,
    adv_device_sig  BLOB,
    key_index       INTEGER,
    linked_at       INTEGER  -- unix seconds
);

-- Our sender key, by group: the device addresses that already have it (Baileys'
-- sender-key-memory), so a group message carries the distribution message only to new ones.
CREATE TABLE sender_key_sent (
    group_id TEXT NOT NULL,
    address  TEXT NOT NULL,
    PRIMARY KEY (group_id, address)
) WITHOUT ROWID;

-- People: push names as they arrive, and the LID of each phone-number user.
CREATE TABLE contacts (
    jid        TEXT PRIMARY KEY,  -- user JID, phone@s.whatsapp.net
    lid        TEXT,              -- user JID, lid@lid
    name       TEXT,              -- push name
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX contacts_lid ON contacts (lid);

CREATE TABLE chats (
    jid         TEXT PRIMARY KEY, -- a user JID, or a group JID
    name        TEXT,             -- a group's subject, a contact's name
    last_ts     INTEGER NOT NULL DEFAULT 0,
    unread      INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- Messages, received and sent. A message is stored once per (chat, sender, id): a redelivery
-- finds its row and is only acknowledged again. `pending` is 1 from the decrypt transaction
-- until the consumer (a bot, `wabot sync`) has handled its event; rows still pending at start
-- are delivered again, marked as a replay (ARCHITECTURE.md, the durability rule).
CREATE TABLE messages (
    seq     INTEGER PRIMARY KEY,  -- arrival order
    chat    TEXT NOT NULL,        -- user or group JID
    sender  TEXT NOT NULL,        -- the author's user JID (ours for our own)
    id      TEXT NOT NULL,
    from_me INTEGER NOT NULL,
    ts      INTEGER NOT NULL,     -- the server's time, unix seconds
    status  INTEGER NOT NULL DEFAULT 0, -- WebMessageInfo.Status: 2 server ack, 3 delivered, 4 read, 5 played
    text    TEXT,                 -- the text or caption, for listings
    info    BLOB NOT NULL,        -- the WebMessageInfo
    pending INTEGER NOT NULL DEFAULT 1,
    UNIQUE (chat, sender, id)
);
CREATE INDEX messages_pending ON messages (seq) WHERE pending = 1;
CREATE INDEX messages_chat ON messages (chat, ts);
CREATE INDEX messages_id ON messages (id);
