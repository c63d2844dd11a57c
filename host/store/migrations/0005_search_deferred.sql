-- Search indexing off the receive path. The FTS5 index of 0004 was kept by an insert trigger, so
-- every stored text paid its indexing (~20 us, more than the rest of receiving a 1:1 message) in
-- the transaction that acknowledges it. Now rows are indexed in order, in batches, when the
-- client has nothing else to do and before any search (store/search.c); `indexed` is the last
-- seq in the index: every row with text at or below it is indexed, none above it is. A change of
-- a row's text (an edit, a revoke) reaches the index only for indexed rows; the indexer takes the
-- others' current text later.
CREATE TABLE search_state (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    indexed INTEGER NOT NULL
);
INSERT INTO search_state (id, indexed) SELECT 1, coalesce(max(seq), 0) FROM messages;

DROP TRIGGER messages_fts_insert;
DROP TRIGGER messages_fts_delete;
DROP TRIGGER messages_fts_update;

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
    WHEN old.text IS NOT NULL AND old.seq <= (SELECT indexed FROM search_state) BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text, chat, sender)
        VALUES ('delete', old.seq, old.text, old.chat, old.sender);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages
    WHEN old.seq <= (SELECT indexed FROM search_state) BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text, chat, sender)
        SELECT 'delete', old.seq, old.text, old.chat, old.sender WHERE old.text IS NOT NULL;
    INSERT INTO messages_fts (rowid, text, chat, sender)
        SELECT new.seq, new.text, new.chat, new.sender WHERE new.text IS NOT NULL;
END;
