/* Sender-key memory (group_store.h). */
#include "store/group_store.h"

#include <sqlite3.h>

#include "store/store_int.h"

int wb_store_sender_key_sent_has(wb_store *st, const char *group, const char *address) {
    sqlite3_stmt *s = wb_store_stmt(st, "SELECT 1 FROM sender_key_sent WHERE group_id = ? AND "
                                        "address = ?");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_text(s, 1, group, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, address, -1, SQLITE_STATIC);
    int rc = wb_store_row(st, s);
    if (rc == WB_ENOTFOUND)
        return 0;
    return rc < 0 ? rc : wb_store_done(s, 1);
}

int wb_store_sender_key_sent_add(wb_store *st, const char *group, const char *address) {
    sqlite3_stmt *s = wb_store_stmt(st, "INSERT OR IGNORE INTO sender_key_sent (group_id, address) "
                                        "VALUES (?, ?)");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_text(s, 1, group, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, address, -1, SQLITE_STATIC);
    return wb_store_run(st, s);
}

int wb_store_sender_key_sent_clear(wb_store *st, const char *group) {
    sqlite3_stmt *s = wb_store_stmt(st, "DELETE FROM sender_key_sent WHERE group_id = ?");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_text(s, 1, group, -1, SQLITE_STATIC);
    return wb_store_run(st, s);
}
