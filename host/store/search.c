/* Full-text search over stored messages (message_store.h, migration 0004's messages_fts).
 *
 * People type words, not FTS5 syntax: each word becomes a quoted FTS5 string (so quotes, '-',
 * ':' and operators in it are text, and a query can never be a syntax error), a trailing '*'
 * stays outside the quotes as a prefix match, and the words are ANDed (FTS5's implicit AND).
 * The words are looked for in the text column only ({text}: ...); a chat or author filter adds
 * the JID's user part as a term of its own column, so the index intersects the lists; the exact
 * JID is then checked on the row. The newest rows come first: FTS5 walks its doclists in rowid
 * (= seq) order and can walk them backwards, so "ORDER BY rowid DESC LIMIT n" stops after n hits
 * instead of sorting every match. */
#include <sqlite3.h>
#include <string.h>

#include "store/message_store.h"
#include "store/store_int.h"

int wb_store_fts_query(const char *query, wb_buf *out) {
    int words = 0;
    wb_buf_put_u8(out, '{');
    wb_buf_append(out, "text}: (", 8);
    for (const char *p = query ? query : ""; *p;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        size_t n = strcspn(p, " \t\n\r");
        if (!n)
            break;
        int prefix = p[n - 1] == '*';
        size_t end = prefix ? n - 1 : n; /* a lone '*' is no word */
        if (end) {
            if (words++)
                wb_buf_put_u8(out, ' ');
            wb_buf_put_u8(out, '"');
            for (size_t i = 0; i < end; i++) {
                if (p[i] == '"')
                    wb_buf_put_u8(out, '"');
                wb_buf_put_u8(out, (uint8_t)p[i]);
            }
            wb_buf_put_u8(out, '"');
            if (prefix)
                wb_buf_put_u8(out, '*');
        }
        p += n;
    }
    wb_buf_put_u8(out, ')');
    wb_buf_put_u8(out, 0);
    if (out->err)
        return WB_ENOMEM;
    out->len--; /* the NUL stays after the end */
    return words ? 0 : WB_EINVAL;
}

/* AND column:"<the user part of jid>": a JID's first token, which the index narrows on (the
 * exact JID is compared on the row after). */
static void and_jid(wb_buf *q, const char *column, const char *jid) {
    size_t n = strcspn(jid, "@:.");
    if (!n)
        return;
    q->len--; /* before the NUL */
    wb_buf_append(q, " AND {", 6);
    wb_buf_append(q, column, strlen(column));
    wb_buf_append(q, "}: \"", 4);
    for (size_t i = 0; i < n; i++) {
        if (jid[i] == '"')
            wb_buf_put_u8(q, '"');
        wb_buf_put_u8(q, (uint8_t)jid[i]);
    }
    wb_buf_put_u8(q, '"');
    wb_buf_put_u8(q, 0);
}

/* The first column of the first row of sql, with ?1 = a and ?2 = b (0 when there is no row). */
static int64_t one_int(wb_store *st, const char *sql, int64_t a, int64_t b, int *rc) {
    sqlite3_stmt *s = wb_store_stmt(st, sql);
    int64_t v = 0;
    if (!s) {
        *rc = WB_ESTORE;
        return 0;
    }
    sqlite3_bind_int64(s, 1, a);
    sqlite3_bind_int64(s, 2, b);
    int step = sqlite3_step(s);
    if (step == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    else if (step != SQLITE_DONE)
        *rc = WB_ESTORE;
    wb_store_done(s, 0);
    return v;
}

static int exec2(wb_store *st, const char *sql, int64_t a, int64_t b) {
    sqlite3_stmt *s = wb_store_stmt(st, sql);
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_int64(s, 1, a);
    sqlite3_bind_int64(s, 2, b);
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : WB_ESTORE;
    return wb_store_done(s, rc);
}

int wb_store_search_index(wb_store *st, unsigned max, int *more) {
    int rc = 0;
    *more = 0;
    int64_t from = one_int(st, "SELECT indexed FROM search_state", 0, 0, &rc);
    int64_t last = one_int(st, "SELECT coalesce(max(seq), 0) FROM messages", 0, 0, &rc);
    if (rc < 0 || last <= from)
        return rc;
    /* the rows (from, to]: at most max of them */
    int64_t to = max ? one_int(st, "SELECT coalesce(max(seq), ?1) FROM (SELECT seq FROM messages "
                                   "WHERE seq > ?1 ORDER BY seq LIMIT ?2)",
                               from, max, &rc)
                     : last;
    if (rc < 0 || (rc = wb_store_begin(st)) < 0)
        return rc;
    if ((rc = exec2(st, "INSERT INTO messages_fts (rowid, text, chat, sender) SELECT seq, text, "
                        "chat, sender FROM messages WHERE seq > ?1 AND seq <= ?2 AND text IS NOT "
                        "NULL",
                    from, to)) < 0 ||
        (rc = exec2(st, "UPDATE search_state SET indexed = ?1", to, 0)) < 0) {
        wb_store_rollback(st);
        return rc;
    }
    if ((rc = wb_store_commit(st)) < 0)
        return rc;
    *more = to < last;
    return 0;
}

int wb_store_messages_search(wb_store *st, const wb_message_search *q,
                             int (*fn)(void *ud, const wb_message_row *m), void *ud) {
    static const char sql[] =
        "SELECT " WB_STORE_ROW_COLUMNS " FROM messages_fts f JOIN messages m ON m.seq = f.rowid "
        "WHERE messages_fts MATCH ?1 AND (?2 IS NULL OR m.chat = ?2) AND "
        "(?3 IS NULL OR m.sender = ?3) AND m.ts >= ?4 ORDER BY f.rowid DESC LIMIT ?5";
    wb_buf match = WB_BUF_INIT;
    int more;
    int rc = wb_store_search_index(st, 0, &more); /* whatever the client has not indexed yet */
    if (rc == 0)
        rc = wb_store_fts_query(q->query, &match);
    if (rc < 0) {
        wb_buf_free(&match);
        return rc;
    }
    match.len++; /* with the NUL, for and_jid */
    if (q->chat)
        and_jid(&match, "chat", q->chat);
    if (q->sender)
        and_jid(&match, "sender", q->sender);
    if (match.err) {
        wb_buf_free(&match);
        return WB_ENOMEM;
    }
    match.len--;
    sqlite3_stmt *s = wb_store_stmt(st, sql);
    if (!s) {
        wb_buf_free(&match);
        return WB_ESTORE;
    }
    sqlite3_bind_text(s, 1, (const char *)match.data, (int)match.len, SQLITE_STATIC);
    wb_store_bind_text(s, 2, q->chat);
    wb_store_bind_text(s, 3, q->sender);
    sqlite3_bind_int64(s, 4, q->after);
    sqlite3_bind_int64(s, 5, q->limit ? (int64_t)q->limit : 20);
    rc = wb_store_rows_each(st, s, fn, ud);
    wb_buf_free(&match);
    return rc;
}
