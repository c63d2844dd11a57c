-- Routing (host/sim/groups.c, notify.c): groups, one row per group with its subject,
-- description, invite code and switches, and one row per member with its role (0 member,
-- 1 admin, 2 superadmin); contacts, the pairs of accounts that have exchanged 1:1 messages
-- (each hears of the other's device changes).
CREATE TABLE groups (
    id INTEGER PRIMARY KEY,
    gid TEXT NOT NULL UNIQUE,              -- the JID's user part: <gid>@g.us
    subject TEXT NOT NULL,
    creator INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    creation INTEGER NOT NULL,
    subject_owner INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    subject_t INTEGER NOT NULL,
    description TEXT,                      -- NULL: none
    desc_id TEXT NOT NULL DEFAULT '',
    desc_owner INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    desc_t INTEGER NOT NULL DEFAULT 0,
    invite TEXT NOT NULL DEFAULT '',
    announce INTEGER NOT NULL DEFAULT 0,
    locked INTEGER NOT NULL DEFAULT 0,
    ephemeral INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE group_members (
    grp INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    account INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    role INTEGER NOT NULL DEFAULT 0,
    seq INTEGER NOT NULL,                  -- order of joining, kept in listings
    PRIMARY KEY (grp, account)
) WITHOUT ROWID;

CREATE TABLE contacts (
    a INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,   -- a < b
    b INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    PRIMARY KEY (a, b)
) WITHOUT ROWID;
