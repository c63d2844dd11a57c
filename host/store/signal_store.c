/* The Signal tables (signal_store.h): one cached statement per operation. Called by host/signal
 * inside the transactions it opens. */
#include "store/signal_store.h"

#include <sqlite3.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/mem.h"
#include "store/store_int.h"

/* ---- our identity ----------------------------------------------------------------------------- */

int wb_store_signal_local_get(wb_store *st, wb_store_signal_local *out) {
    sqlite3_stmt *s = wb_store_stmt(st, "SELECT registration_id, identity_pub, identity_priv, "
                                        "next_prekey_id, signed_prekey_id FROM signal_local "
                                        "WHERE id = 1");
    int rc = wb_store_row(st, s);
    if (rc < 0)
        return rc;
    wb_store_signal_local l;
    l.registration_id = (uint32_t)sqlite3_column_int64(s, 0);
    l.next_prekey_id = (uint32_t)sqlite3_column_int64(s, 3);
    l.signed_prekey_id = (uint32_t)sqlite3_column_int64(s, 4);
    if ((rc = wb_store_column_fixed(s, 1, l.identity_pub, 32)) == 0 &&
        (rc = wb_store_column_fixed(s, 2, l.identity_priv, 32)) == 0)
        *out = l;
    wb_zero(&l, sizeof l);
    return wb_store_done(s, rc);
}

int wb_store_signal_local_put(wb_store *st, const wb_store_signal_local *l) {
    sqlite3_stmt *s = wb_store_stmt(st, "INSERT OR REPLACE INTO signal_local (id, registration_id, "
                                        "identity_pub, identity_priv, next_prekey_id, "
                                        "signed_prekey_id) VALUES (1, ?, ?, ?, ?, ?)");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_int64(s, 1, l->registration_id);
    sqlite3_bind_blob(s, 2, l->identity_pub, 32, SQLITE_STATIC);
    sqlite3_bind_blob(s, 3, l->identity_priv, 32, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, l->next_prekey_id);
    sqlite3_bind_int64(s, 5, l->signed_prekey_id);
    return wb_store_run(st, s);
}

/* ---- remote identities ------------------------------------------------------------------------ */

int wb_store_identity_get(wb_store *st, const char *addr, uint8_t key[32]) {
    sqlite3_stmt *s =
        wb_store_stmt(st, "SELECT identity_key FROM signal_identities WHERE address = ?");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_text(s, 1, addr, -1, SQLITE_STATIC);
    int rc = wb_store_row(st, s);
    if (rc < 0)
        return rc;
    return wb_store_done(s, wb_store_column_fixed(s, 0, key, 32));
}

int wb_store_identity_put(wb_store *st, const char *addr, const uint8_t key[32]) {
    sqlite3_stmt *s = wb_store_stmt(st, "INSERT INTO signal_identities (address, identity_key, "
                                        "updated_at) VALUES (?, ?, ?) ON CONFLICT (address) DO "
                                        "UPDATE SET identity_key = excluded.identity_key, "
                                        "updated_at = excluded.updated_at");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_text(s, 1, addr, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 2, key, 32, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)time(NULL));
    return wb_store_run(st, s);
}

/* ---- one-time prekeys ------------------------------------------------------------------------- */

int wb_store_prekey_get(wb_store *st, uint32_t id, uint8_t pub[32], uint8_t priv[32]) {
    sqlite3_stmt *s = wb_store_stmt(st, "SELECT pub, priv FROM signal_prekeys WHERE id = ?");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_int64(s, 1, id);
    int rc = wb_store_row(st, s);
    if (rc < 0)
        return rc;
    uint8_t p[32], k[32];
    if ((rc = wb_store_column_fixed(s, 0, p, 32)) == 0 && (rc = wb_store_column_fixed(s, 1, k, 32)) == 0) {
        memcpy(pub, p, 32);
        memcpy(priv, k, 32);
    }
    wb_zero(k, sizeof k);
    return wb_store_done(s, rc);
}

int wb_store_prekey_put(wb_store *st, uint32_t id, const uint8_t pub[32], const uint8_t priv[32]) {
    sqlite3_stmt *s = wb_store_stmt(st, "INSERT OR REPLACE INTO signal_prekeys (id, pub, priv, "
                                        "uploaded) VALUES (?, ?, ?, 0)");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_blob(s, 2, pub, 32, SQLITE_STATIC);
    sqlite3_bind_blob(s, 3, priv, 32, SQLITE_STATIC);
    return wb_store_run(st, s);
}

/* Runs a write whose only parameter is a key id. */
static int run_with_id(wb_store *st, const char *sql, uint32_t id) {
    sqlite3_stmt *s = wb_store_stmt(st, sql);
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_int64(s, 1, id);
    return wb_store_run(st, s);
}

int wb_store_prekey_remove(wb_store *st, uint32_t id) {
    return run_with_id(st, "DELETE FROM signal_prekeys WHERE id = ?", id);
}

int wb_store_prekey_mark_uploaded(wb_store *st, uint32_t id) {
    return run_with_id(st, "UPDATE signal_prekeys SET uploaded = 1 WHERE id = ?", id);
}

int wb_store_prekey_count(wb_store *st, int uploaded_only) {
    sqlite3_stmt *s = wb_store_stmt(st, "SELECT count(*) FROM signal_prekeys WHERE uploaded >= ?");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_int(s, 1, uploaded_only ? 1 : 0);
    int rc = wb_store_row(st, s);
    if (rc < 0)
        return rc;
    return wb_store_done(s, sqlite3_column_int(s, 0));
}

int wb_store_prekeys_unuploaded(wb_store *st, unsigned max, uint32_t *ids, uint8_t (*pubs)[32],
                                unsigned *n) {
    sqlite3_stmt *s = wb_store_stmt(st, "SELECT id, pub FROM signal_prekeys WHERE uploaded = 0 "
                                        "ORDER BY id LIMIT ?");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_int64(s, 1, max);
    unsigned i = 0;
    int step, rc = 0;
    while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW && i < max) {
        ids[i] = (uint32_t)sqlite3_column_int64(s, 0);
        rc = wb_store_column_fixed(s, 1, pubs[i], 32);
        i++;
    }
    if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
        rc = WB_ESTORE;
    if (rc == 0)
        *n = i;
    return wb_store_done(s, rc);
}

/* ---- signed prekeys --------------------------------------------------------------------------- */

int wb_store_signed_prekey_get(wb_store *st, uint32_t id, uint8_t pub[32], uint8_t priv[32],
                               uint8_t sig[64]) {
    sqlite3_stmt *s =
        wb_store_stmt(st, "SELECT pub, priv, signature FROM signal_signed_prekeys WHERE id = ?");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_int64(s, 1, id);
    int rc = wb_store_row(st, s);
    if (rc < 0)
        return rc;
    uint8_t p[32], k[32], g[64];
    if ((rc = wb_store_column_fixed(s, 0, p, 32)) == 0 && (rc = wb_store_column_fixed(s, 1, k, 32)) == 0 &&
        (rc = wb_store_column_fixed(s, 2, g, 64)) == 0) {
        memcpy(pub, p, 32);
        memcpy(priv, k, 32);
        memcpy(sig, g, 64);
    }
    wb_zero(k, sizeof k);
    return wb_store_done(s, rc);
}

int wb_store_signed_prekey_put(wb_store *st, uint32_t id, const uint8_t pub[32],
                               const uint8_t priv[32], const uint8_t sig[64], int64_t created_at) {
    sqlite3_stmt *s = wb_store_stmt(st, "INSERT OR REPLACE INTO signal_signed_prekeys (id, pub, "
                                        "priv, signature, created_at) VALUES (?, ?, ?, ?, ?)");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_blob(s, 2, pub, 32, SQLITE_STATIC);
    sqlite3_bind_blob(s, 3, priv, 32, SQLITE_STATIC);
    sqlite3_bind_blob(s, 4, sig, 64, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, created_at);
    return wb_store_run(st, s);
}

int wb_store_signed_prekey_prune(wb_store *st, unsigned keep) {
    sqlite3_stmt *s = wb_store_stmt(st, "DELETE FROM signal_signed_prekeys WHERE id NOT IN "
                                        "(SELECT id FROM signal_signed_prekeys ORDER BY "
                                        "created_at DESC, rowid DESC LIMIT ?)");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_int64(s, 1, keep);
    return wb_store_run(st, s);
}

/* ---- sessions and sender keys ----------------------------------------------------------------- */

int wb_store_session_get(wb_store *st, const char *addr, wb_buf *out) {
    sqlite3_stmt *s = wb_store_stmt(st, "SELECT record FROM signal_sessions WHERE address = ?");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_text(s, 1, addr, -1, SQLITE_STATIC);
    int rc = wb_store_row(st, s);
    if (rc < 0)
        return rc;
    return wb_store_done(s, wb_store_column_append(s, 0, out));
}

/* Replaces a record: an UPDATE (the common case, cheaper than an upsert), then an INSERT if
 * there was no row. */
static int put_record(wb_store *st, const char *update, const char *insert, const char *k1,
                      const char *k2, const uint8_t *rec, size_t len) {
    st->epoch++;
    for (int pass = 0; pass < 2; pass++) {
        sqlite3_stmt *s = wb_store_stmt(st, pass == 0 ? update : insert);
        if (!s)
            return WB_ESTORE;
        sqlite3_bind_blob64(s, 1, rec, len, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, k1, -1, SQLITE_STATIC);
        if (k2)
            sqlite3_bind_text(s, 3, k2, -1, SQLITE_STATIC);
        int rc = wb_store_run(st, s);
        if (rc < 0 || pass == 1 || sqlite3_changes(st->db) > 0)
            return rc;
    }
    return WB_ESTORE;
}

int wb_store_session_put(wb_store *st, const char *addr, const uint8_t *rec, size_t len) {
    return put_record(st, "UPDATE signal_sessions SET record = ?1 WHERE address = ?2",
                      "INSERT INTO signal_sessions (record, address) VALUES (?1, ?2)", addr, NULL,
                      rec, len);
}

int wb_store_session_delete(wb_store *st, const char *addr) {
    st->epoch++;
    sqlite3_stmt *s = wb_store_stmt(st, "DELETE FROM signal_sessions WHERE address = ?");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_text(s, 1, addr, -1, SQLITE_STATIC);
    return wb_store_run(st, s);
}

int wb_store_sender_key_get(wb_store *st, const char *group, const char *sender, wb_buf *out) {
    sqlite3_stmt *s = wb_store_stmt(st, "SELECT record FROM signal_sender_keys WHERE group_id = ? "
                                        "AND sender = ?");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_text(s, 1, group, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, sender, -1, SQLITE_STATIC);
    int rc = wb_store_row(st, s);
    if (rc < 0)
        return rc;
    return wb_store_done(s, wb_store_column_append(s, 0, out));
}

int wb_store_sender_key_put(wb_store *st, const char *group, const char *sender,
                            const uint8_t *rec, size_t len) {
    return put_record(st,
                      "UPDATE signal_sender_keys SET record = ?1 WHERE group_id = ?2 AND sender = ?3",
                      "INSERT INTO signal_sender_keys (record, group_id, sender) VALUES (?1, ?2, ?3)",
                      group, sender, rec, len);
}

int wb_store_sender_key_delete(wb_store *st, const char *group, const char *sender) {
    st->epoch++;
    sqlite3_stmt *s =
        wb_store_stmt(st, "DELETE FROM signal_sender_keys WHERE group_id = ? AND sender = ?");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_text(s, 1, group, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, sender, -1, SQLITE_STATIC);
    return wb_store_run(st, s);
}
