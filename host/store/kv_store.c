/* The bot key-value table (kv_store.h): one cached statement per operation. Called by
 * bindings/kv.c for wabot.kv. */
#include "store/kv_store.h"

#include <sqlite3.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "store/store_int.h"

static int fail(wb_store *st, sqlite3_stmt *s, const char *what) {
    WB_WARN("store", "kv %s failed: %s", what, sqlite3_errmsg(st->db));
    return wb_store_done(s, WB_ESTORE);
}

/* SQLite takes a NULL blob as SQL NULL: an empty key must still be a zero-length blob. */
static int bind_bytes(sqlite3_stmt *s, int col, const void *p, size_t n) {
    return n ? sqlite3_bind_blob64(s, col, p, n, SQLITE_STATIC) : sqlite3_bind_zeroblob(s, col, 0);
}

int wb_store_kv_get(wb_store *st, const char *ns, const void *key, size_t klen, wb_buf *out) {
    sqlite3_stmt *s = wb_store_stmt(st, "SELECT value FROM bot_kv WHERE ns = ? AND key = ?");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_text(s, 1, ns, -1, SQLITE_STATIC);
    bind_bytes(s, 2, key, klen);
    int step = sqlite3_step(s);
    if (step == SQLITE_DONE)
        return wb_store_done(s, WB_ENOTFOUND);
    if (step != SQLITE_ROW)
        return fail(st, s, "get");
    const void *p = sqlite3_column_blob(s, 0);
    int n = sqlite3_column_bytes(s, 0);
    int rc = n > 0 ? wb_buf_append(out, p, (size_t)n) : 0;
    return wb_store_done(s, rc);
}

int wb_store_kv_put(wb_store *st, const char *ns, const void *key, size_t klen, const void *val,
                    size_t vlen) {
    sqlite3_stmt *s = wb_store_stmt(st, "INSERT INTO bot_kv (ns, key, value, updated_at) "
                                        "VALUES (?, ?, ?, ?) ON CONFLICT (ns, key) DO UPDATE "
                                        "SET value = excluded.value, "
                                        "updated_at = excluded.updated_at");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_text(s, 1, ns, -1, SQLITE_STATIC);
    bind_bytes(s, 2, key, klen);
    bind_bytes(s, 3, val, vlen);
    sqlite3_bind_int64(s, 4, (sqlite3_int64)time(NULL));
    if (sqlite3_step(s) != SQLITE_DONE)
        return fail(st, s, "put");
    return wb_store_done(s, 0);
}

int wb_store_kv_delete(wb_store *st, const char *ns, const void *key, size_t klen, int *removed) {
    sqlite3_stmt *s = wb_store_stmt(st, "DELETE FROM bot_kv WHERE ns = ? AND key = ?");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_text(s, 1, ns, -1, SQLITE_STATIC);
    bind_bytes(s, 2, key, klen);
    if (sqlite3_step(s) != SQLITE_DONE)
        return fail(st, s, "delete");
    if (removed)
        *removed = sqlite3_changes(st->db) > 0;
    return wb_store_done(s, 0);
}

int wb_store_kv_keys(wb_store *st, const char *ns, const void *prefix, size_t plen,
                     int (*each)(void *ud, const void *key, size_t klen), void *ud) {
    /* A range scan: keys >= prefix and < the prefix's successor (its last byte below 0xFF raised
     * by one, the 0xFF bytes after it dropped). A prefix of only 0xFF bytes has no successor. */
    const uint8_t *p = prefix;
    size_t slen = plen;
    while (slen > 0 && p[slen - 1] == 0xFF)
        slen--;
    uint8_t succ[256];
    int bounded = slen > 0 && slen <= sizeof succ;
    if (bounded) {
        memcpy(succ, p, slen);
        succ[slen - 1]++;
    }
    sqlite3_stmt *s =
        bounded ? wb_store_stmt(st, "SELECT key FROM bot_kv WHERE ns = ? AND key >= ? AND key < ? "
                                    "ORDER BY key")
                : wb_store_stmt(st, "SELECT key FROM bot_kv WHERE ns = ? AND key >= ? ORDER BY key");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_text(s, 1, ns, -1, SQLITE_STATIC);
    bind_bytes(s, 2, prefix, plen);
    if (bounded)
        bind_bytes(s, 3, succ, slen);
    int step, rc = 0;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        const void *k = sqlite3_column_blob(s, 0);
        size_t n = (size_t)sqlite3_column_bytes(s, 0);
        if (!bounded && (n < plen || (plen && memcmp(k, prefix, plen) != 0)))
            break; /* past the keys that start with prefix */
        if ((rc = each(ud, k ? k : "", n)) < 0)
            return wb_store_done(s, rc);
    }
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return fail(st, s, "keys");
    return wb_store_done(s, 0);
}
