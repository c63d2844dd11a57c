/* Messages (message_store.h). */
#include "store/message_store.h"

#include <sqlite3.h>
#include <string.h>

#include "store/store_int.h"

int wb_store_message_add(wb_store *st, const wb_message_row *m, int pending, int64_t *seq) {
    sqlite3_stmt *s = wb_store_stmt(st, "INSERT INTO messages (chat, sender, id, from_me, ts, "
                                        "status, text, info, pending, target) VALUES (?, ?, ?, ?, "
                                        "?, ?, ?, ?, ?, ?) ON CONFLICT (chat, sender, id) DO "
                                        "NOTHING RETURNING seq");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_text(s, 1, m->chat, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, m->sender, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, m->id, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 4, m->from_me);
    sqlite3_bind_int64(s, 5, m->ts);
    sqlite3_bind_int(s, 6, m->status);
    wb_store_bind_text(s, 7, m->text);
    sqlite3_bind_blob(s, 8, m->info, (int)m->info_len, SQLITE_STATIC);
    sqlite3_bind_int(s, 9, pending);
    wb_store_bind_text(s, 10, m->target);
    int rc = wb_store_row(st, s);
    if (rc == 0) {
        *seq = sqlite3_column_int64(s, 0);
        while (sqlite3_step(s) == SQLITE_ROW)
            ;
        return wb_store_done(s, 0);
    }
    if (rc != WB_ENOTFOUND)
        return rc;
    /* the row exists: its seq */
    sqlite3_stmt *q = wb_store_stmt(st, "SELECT seq FROM messages WHERE chat = ? AND sender = ? "
                                        "AND id = ?");
    if (!q)
        return WB_ESTORE;
    sqlite3_bind_text(q, 1, m->chat, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, m->sender, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, m->id, -1, SQLITE_STATIC);
    if ((rc = wb_store_row(st, q)) < 0)
        return rc;
    *seq = sqlite3_column_int64(q, 0);
    return wb_store_done(q, WB_EEXIST);
}

int wb_store_message_exists(wb_store *st, const char *chat, const char *sender, const char *id) {
    sqlite3_stmt *q = wb_store_stmt(st, "SELECT 1 FROM messages WHERE chat = ? AND sender = ? AND "
                                        "id = ?");
    if (!q)
        return WB_ESTORE;
    sqlite3_bind_text(q, 1, chat, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, sender, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, id, -1, SQLITE_STATIC);
    int rc = wb_store_row(st, q);
    if (rc == WB_ENOTFOUND)
        return 0;
    return rc < 0 ? rc : wb_store_done(q, 1);
}

int wb_store_message_status(wb_store *st, const char *chat, const char *id, int from_me,
                            int status) {
    sqlite3_stmt *s = wb_store_stmt(st, "UPDATE messages SET status = ? WHERE chat = ? AND id = ? "
                                        "AND from_me = ? AND status < ?1");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_int(s, 1, status);
    sqlite3_bind_text(s, 2, chat, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, id, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 4, from_me);
    int rc = wb_store_run(st, s);
    return rc < 0 ? rc : sqlite3_changes(wb_store_db(st)) > 0;
}

int wb_store_message_rewrite(wb_store *st, int64_t seq, const char *text, const uint8_t *info,
                             size_t info_len, int revoked) {
    sqlite3_stmt *s = wb_store_stmt(st, "UPDATE messages SET text = ?, info = ?, revoked = ? "
                                        "WHERE seq = ?");
    if (!s)
        return WB_ESTORE;
    wb_store_bind_text(s, 1, text);
    sqlite3_bind_blob(s, 2, info, (int)info_len, SQLITE_STATIC);
    sqlite3_bind_int(s, 3, revoked);
    sqlite3_bind_int64(s, 4, seq);
    return wb_store_run(st, s);
}

int wb_store_messages_handled(wb_store *st, const int64_t *seqs, size_t n) {
    sqlite3_stmt *s = wb_store_stmt(st, "UPDATE messages SET pending = 0 WHERE seq = ?");
    if (!s)
        return WB_ESTORE;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        sqlite3_bind_int64(s, 1, seqs[i]);
        rc = wb_store_run(st, s);
    }
    return rc;
}

void wb_store_message_row_of(sqlite3_stmt *s, wb_message_row *m) {
    *m = (wb_message_row){
        .seq = sqlite3_column_int64(s, 0),
        .chat = (const char *)sqlite3_column_text(s, 1),
        .sender = (const char *)sqlite3_column_text(s, 2),
        .id = (const char *)sqlite3_column_text(s, 3),
        .from_me = sqlite3_column_int(s, 4),
        .ts = sqlite3_column_int64(s, 5),
        .status = sqlite3_column_int(s, 6),
        .text = (const char *)sqlite3_column_text(s, 7),
        .info = sqlite3_column_blob(s, 8),
        .info_len = (size_t)sqlite3_column_bytes(s, 8),
        .target = (const char *)sqlite3_column_text(s, 9),
        .revoked = sqlite3_column_int(s, 10),
    };
}

int wb_store_rows_each(wb_store *st, sqlite3_stmt *s,
                       int (*fn)(void *ud, const wb_message_row *m), void *ud) {
    int rc = 0, step;
    while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
        wb_message_row m;
        wb_store_message_row_of(s, &m);
        rc = fn(ud, &m);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = WB_ESTORE;
    return wb_store_done(s, rc);
}

/* The statement for one shape of query: only the filters q sets are in its WHERE, so SQLite can
 * use the index that fits (messages_id, messages_chat, messages_target, messages_pending, the
 * primary key). A single statement with "(?1 IS NULL OR chat = ?1) AND ..." for every filter
 * cannot use any: each received message (a change looking for its target, and the rows waiting
 * for it) then scanned the whole table. The texts are made once per shape and kept for the
 * process's life, since the store's statement cache keys statements by their text's address. */
enum {
    Q_CHAT = 1 << 0, Q_ID = 1 << 1, Q_PENDING = 1 << 2, Q_SENDER = 1 << 3, Q_AFTER = 1 << 4,
    Q_TARGET = 1 << 5, Q_NO_CHANGES = 1 << 6, Q_NEWEST = 1 << 7, Q_SHAPES = 1 << 8
};

static void put_str(wb_buf *b, const char *s) { wb_buf_append(b, s, strlen(s)); }

static const char *query_sql(unsigned shape) {
    static char *texts[Q_SHAPES];
    if (texts[shape])
        return texts[shape];
    wb_buf b = WB_BUF_INIT;
    static const struct {
        unsigned bit;
        const char *term;
    } terms[] = {
        {Q_CHAT, " AND chat = ?1"},      {Q_ID, " AND id = ?2"},
        {Q_PENDING, " AND pending = 1"}, {Q_SENDER, " AND sender = ?6"},
        {Q_AFTER, " AND ts >= ?7"},      {Q_TARGET, " AND target = ?8"},
        {Q_NO_CHANGES, " AND target IS NULL"},
    };
    put_str(&b, "SELECT " WB_STORE_ROW_COLUMNS " FROM messages m WHERE seq >= ?4");
    for (size_t i = 0; i < sizeof terms / sizeof *terms; i++)
        if (shape & terms[i].bit)
            put_str(&b, terms[i].term);
    put_str(&b, shape & Q_NEWEST ? " ORDER BY seq DESC LIMIT ?5" : " ORDER BY seq LIMIT ?5");
    if (wb_buf_put_u8(&b, 0) < 0 || b.err) {
        wb_buf_free(&b);
        return NULL;
    }
    size_t n;
    texts[shape] = (char *)wb_buf_detach(&b, &n);
    return texts[shape];
}

int wb_store_messages_each(wb_store *st, const wb_message_query *q,
                           int (*fn)(void *ud, const wb_message_row *m), void *ud) {
    unsigned shape = (q->chat ? Q_CHAT : 0) | (q->id ? Q_ID : 0) |
                     (q->pending_only ? Q_PENDING : 0) | (q->sender ? Q_SENDER : 0) |
                     (q->after ? Q_AFTER : 0) | (q->target ? Q_TARGET : 0) |
                     (q->no_changes ? Q_NO_CHANGES : 0) | (q->newest ? Q_NEWEST : 0);
    const char *sql = query_sql(shape);
    sqlite3_stmt *s = sql ? wb_store_stmt(st, sql) : NULL;
    if (!s)
        return WB_ESTORE;
    wb_store_bind_text(s, 1, q->chat);
    wb_store_bind_text(s, 2, q->id);
    sqlite3_bind_int64(s, 4, q->from_seq);
    sqlite3_bind_int64(s, 5, q->limit ? (int64_t)q->limit : -1);
    wb_store_bind_text(s, 6, q->sender);
    sqlite3_bind_int64(s, 7, q->after);
    wb_store_bind_text(s, 8, q->target);
    return wb_store_rows_each(st, s, fn, ud);
}

static int64_t count(wb_store *st, const char *sql) {
    sqlite3_stmt *s = wb_store_stmt(st, sql);
    int rc = wb_store_row(st, s);
    if (rc < 0)
        return rc;
    int64_t v = sqlite3_column_int64(s, 0);
    wb_store_done(s, 0);
    return v;
}

int wb_store_count_all(wb_store *st, wb_store_counts *out) {
    wb_store_counts c;
    if ((c.messages = count(st, "SELECT count(*) FROM messages")) < 0 ||
        (c.pending = count(st, "SELECT count(*) FROM messages WHERE pending = 1")) < 0 ||
        (c.contacts = count(st, "SELECT count(*) FROM contacts")) < 0 ||
        (c.chats = count(st, "SELECT count(*) FROM chats")) < 0)
        return WB_ESTORE;
    *out = c;
    return 0;
}
