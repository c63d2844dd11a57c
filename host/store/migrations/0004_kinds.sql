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
-- remove_diacritics, accents ("cafe" finds "café"). The chat and the author are indexed too, so
-- that a search in one chat or by one person intersects two lists in the index instead of
-- checking every match of a common word (store/search.c). A prefix index of 3 characters keeps
-- short prefix searches ("sun*") from merging the lists of every word they start; longer
-- prefixes start few words. (tests/bench: search, p99 well under 1 ms over 100,000 messages.)
CREATE VIRTUAL TABLE messages_fts USING fts5 (
    text, chat, sender,
    content = 'messages',
    content_rowid = 'seq',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '3'
);
INSERT INTO messages_fts (rowid, text, chat, sender)
    SELECT seq, text, chat, sender FROM messages WHERE text IS NOT NULL;

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.text IS NOT NULL BEGIN
    INSERT INTO messages_fts (rowid, text, chat, sender)
        VALUES (new.seq, new.text, new.chat, new.sender);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN old.text IS NOT NULL BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text, chat, sender)
        VALUES ('delete', old.seq, old.text, old.chat, old.sender);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text, chat, sender)
        SELECT 'delete', old.seq, old.text, old.chat, old.sender WHERE old.text IS NOT NULL;
    INSERT INTO messages_fts (rowid, text, chat, sender)
        SELECT new.seq, new.text, new.chat, new.sender WHERE new.text IS NOT NULL;
END;
