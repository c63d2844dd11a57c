-- Message kinds applied to stored rows, disappearing-message timers, full-text search
-- (host/client/kinds.c through message_store.c and search.c). Nothing stored before is touched
-- except by being indexed.

-- A reaction, edit, revoke or poll vote is stored as its own row (its event is pending like any
-- other) and applied to the row it names: `target` is that message's id in the same chat. A row
-- stored after what targets it (a vote that arrived before its poll) gets those applied then.
ALTER TABLE messages ADD COLUMN target TEXT;
-- 1 once the message was deleted for everyone: its content is gone from `info` and `text`.
ALTER TABLE messages ADD COLUMN revoked INTEGER NOT NULL DEFAULT 0;
CREATE INDEX messages_target ON messages (chat, target) WHERE target IS NOT NULL;

-- The chat's disappearing-messages timer (an EPHEMERAL_SETTING protocol message), seconds.
ALTER TABLE chats ADD COLUMN ephemeral INTEGER NOT NULL DEFAULT 0;
ALTER TABLE chats ADD COLUMN ephemeral_ts INTEGER NOT NULL DEFAULT 0;

-- Full-text search over messages.text (texts and captions; wb_client_message_text opens the
-- wrappers), as an external-content FTS5 table kept in step by the triggers below, so a row and
-- its index entry are written in the same transaction. unicode61 folds case and, with
-- remove_diacritics, accents ("cafe" finds "café").
CREATE VIRTUAL TABLE messages_fts USING fts5 (
    text,
    content = 'messages',
    content_rowid = 'seq',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO messages_fts (rowid, text) SELECT seq, text FROM messages WHERE text IS NOT NULL;

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.text IS NOT NULL BEGIN
    INSERT INTO messages_fts (rowid, text) VALUES (new.seq, new.text);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN old.text IS NOT NULL BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.seq, old.text);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text)
        SELECT 'delete', old.seq, old.text WHERE old.text IS NOT NULL;
    INSERT INTO messages_fts (rowid, text) SELECT new.seq, new.text WHERE new.text IS NOT NULL;
END;
