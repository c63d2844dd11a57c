/* Full-text search over stored messages (message_store.h, migration 0004's messages_fts).
 *
 * People type words, not FTS5 syntax: each word becomes a quoted FTS5 string (so quotes, '-',
 * ':' and operators in it are text, and a query can never be a syntax error), a trailing '*'
 * stays outside the quotes as a prefix match, and the words are ANDed (FTS5's implicit AND).
 * The newest rows come first: FTS5 walks its doclists in rowid (= seq) order and can walk them
 * backwards, so "ORDER BY rowid DESC LIMIT n" stops after n hits instead of sorting every match;
 * the filters on messages are checked per hit by primary key. */
#include <sqlite3.h>
#include <string.h>

#include "store/message_store.h"
#include "store/store_int.h"

int wb_store_fts_query(const char *query, wb_buf *out) {
    int words = 0;
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
    wb_buf_put_u8(out, 0);
    if (out->err)
        return WB_ENOMEM;
    out->len--; /* the NUL stays after the end */
    return words ? 0 : WB_EINVAL;
}

int wb_store_messages_search(wb_store *st, const wb_message_search *q,
                             int (*fn)(void *ud, const wb_message_row *m), void *ud) {
    static const char sql[] =
        "SELECT " WB_STORE_ROW_COLUMNS " FROM messages_fts f JOIN messages m ON m.seq = f.rowid "
        "WHERE messages_fts MATCH ?1 AND (?2 IS NULL OR m.chat = ?2) AND "
        "(?3 IS NULL OR m.sender = ?3) AND m.ts >= ?4 ORDER BY f.rowid DESC LIMIT ?5";
    wb_buf match = WB_BUF_INIT;
    int rc = wb_store_fts_query(q->query, &match);
    if (rc < 0) {
        wb_buf_free(&match);
        return rc;
    }
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
