/* Contacts and chats (contact_store.h). */
#include "store/contact_store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store/store_int.h"

int wb_store_contact_lid_put(wb_store *st, const char *pn, const char *lid, int64_t now) {
    sqlite3_stmt *s = wb_store_stmt(st, "INSERT INTO contacts (jid, lid, updated_at) VALUES (?, ?, ?) "
                                        "ON CONFLICT (jid) DO UPDATE SET lid = excluded.lid, "
                                        "updated_at = excluded.updated_at WHERE lid IS NOT "
                                        "excluded.lid");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_text(s, 1, pn, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, lid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, now);
    return wb_store_run(st, s);
}

static int one_text(wb_store *st, sqlite3_stmt *s, char *out) {
    int rc = wb_store_row(st, s);
    if (rc < 0)
        return rc;
    const unsigned char *t = sqlite3_column_text(s, 0);
    if (!t)
        rc = WB_ENOTFOUND;
    else
        snprintf(out, WB_CONTACT_JID_MAX, "%s", (const char *)t);
    return wb_store_done(s, rc);
}

int wb_store_contact_pn_of(wb_store *st, const char *lid, char *out) {
    sqlite3_stmt *s = wb_store_stmt(st, "SELECT jid FROM contacts WHERE lid = ? LIMIT 1");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_text(s, 1, lid, -1, SQLITE_STATIC);
    return one_text(st, s, out);
}

int wb_store_contact_lid_of(wb_store *st, const char *pn, char *out) {
    sqlite3_stmt *s = wb_store_stmt(st, "SELECT lid FROM contacts WHERE jid = ?");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_text(s, 1, pn, -1, SQLITE_STATIC);
    return one_text(st, s, out);
}

int wb_store_contact_name_put(wb_store *st, const char *jid, const char *name, int64_t now) {
    sqlite3_stmt *s = wb_store_stmt(st, "INSERT INTO contacts (jid, name, updated_at) VALUES (?, ?, ?) "
                                        "ON CONFLICT (jid) DO UPDATE SET name = excluded.name, "
                                        "updated_at = excluded.updated_at WHERE name IS NOT "
                                        "excluded.name");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_text(s, 1, jid, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, now);
    int rc = wb_store_run(st, s);
    return rc < 0 ? rc : sqlite3_changes(wb_store_db(st)) > 0;
}

int wb_store_contacts_each(wb_store *st, int (*fn)(void *ud, const wb_contact_row *c), void *ud) {
    sqlite3_stmt *s = wb_store_stmt(st, "SELECT jid, lid, name FROM contacts ORDER BY jid");
    if (!s)
        return WB_ESTORE;
    int rc = 0, step;
    while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
        wb_contact_row r;
        const unsigned char *t;
        snprintf(r.jid, sizeof r.jid, "%s", (t = sqlite3_column_text(s, 0)) ? (const char *)t : "");
        snprintf(r.lid, sizeof r.lid, "%s", (t = sqlite3_column_text(s, 1)) ? (const char *)t : "");
        snprintf(r.name, sizeof r.name, "%s", (t = sqlite3_column_text(s, 2)) ? (const char *)t : "");
        rc = fn(ud, &r);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = WB_ESTORE;
    return wb_store_done(s, rc);
}

int wb_store_chat_touch(wb_store *st, const char *jid, int64_t ts, int unread) {
    sqlite3_stmt *q = wb_store_stmt(st, "SELECT 1 FROM chats WHERE jid = ?");
    if (!q)
        return WB_ESTORE;
    sqlite3_bind_text(q, 1, jid, -1, SQLITE_STATIC);
    int found = wb_store_row(st, q);
    if (found < 0 && found != WB_ENOTFOUND)
        return found;
    if (found == 0)
        wb_store_done(q, 0);
    sqlite3_stmt *s = wb_store_stmt(st, "INSERT INTO chats (jid, last_ts, unread) VALUES (?, ?, ?) "
                                        "ON CONFLICT (jid) DO UPDATE SET last_ts = "
                                        "max(last_ts, excluded.last_ts), unread = unread + "
                                        "excluded.unread");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_text(s, 1, jid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, ts);
    sqlite3_bind_int(s, 3, unread);
    int rc = wb_store_run(st, s);
    return rc < 0 ? rc : found == WB_ENOTFOUND;
}

int wb_store_chat_name_put(wb_store *st, const char *jid, const char *name) {
    sqlite3_stmt *s = wb_store_stmt(st, "INSERT INTO chats (jid, name) VALUES (?, ?) ON CONFLICT "
                                        "(jid) DO UPDATE SET name = excluded.name");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_text(s, 1, jid, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
    return wb_store_run(st, s);
}

int wb_store_chat_ephemeral_put(wb_store *st, const char *jid, uint32_t expiration, int64_t ts) {
    sqlite3_stmt *s = wb_store_stmt(st, "INSERT INTO chats (jid, ephemeral, ephemeral_ts) VALUES "
                                        "(?1, ?2, ?3) ON CONFLICT (jid) DO UPDATE SET ephemeral = "
                                        "?2, ephemeral_ts = ?3 WHERE ephemeral_ts <= ?3 AND "
                                        "(ephemeral != ?2 OR ephemeral_ts != ?3)");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_text(s, 1, jid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, expiration);
    sqlite3_bind_int64(s, 3, ts);
    int rc = wb_store_run(st, s);
    return rc < 0 ? rc : sqlite3_changes(wb_store_db(st)) > 0;
}

int wb_store_chats_each(wb_store *st, int (*fn)(void *ud, const wb_chat_row *c), void *ud) {
    sqlite3_stmt *s = wb_store_stmt(
        st, "SELECT c.jid, coalesce(c.name, k.name), c.last_ts, c.unread, c.ephemeral, "
            "(SELECT count(*) FROM messages m WHERE m.chat = c.jid) FROM chats c LEFT JOIN "
            "contacts k ON k.jid = c.jid ORDER BY c.last_ts DESC, c.jid");
    if (!s)
        return WB_ESTORE;
    int rc = 0, step;
    while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
        wb_chat_row r;
        const unsigned char *t;
        snprintf(r.jid, sizeof r.jid, "%s", (t = sqlite3_column_text(s, 0)) ? (const char *)t : "");
        snprintf(r.name, sizeof r.name, "%s", (t = sqlite3_column_text(s, 1)) ? (const char *)t : "");
        r.last_ts = sqlite3_column_int64(s, 2);
        r.unread = sqlite3_column_int64(s, 3);
        r.ephemeral = (uint32_t)sqlite3_column_int64(s, 4);
        r.messages = sqlite3_column_int64(s, 5);
        rc = fn(ud, &r);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = WB_ESTORE;
    return wb_store_done(s, rc);
}
