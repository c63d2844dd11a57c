/* The device row (device_store.h). */
#include "store/device_store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "store/store_int.h"

static void column_text(sqlite3_stmt *s, int col, char *out, size_t cap) {
    const unsigned char *t = sqlite3_column_text(s, col);
    snprintf(out, cap, "%s", t ? (const char *)t : "");
}

int wb_store_device_get(wb_store *st, wb_device_row *out) {
    sqlite3_stmt *s = wb_store_stmt(st, "SELECT noise_pub, noise_priv, adv_secret, state, jid, "
                                        "lid, name, platform, adv_details, adv_account_key, "
                                        "adv_account_sig, adv_device_sig, key_index, linked_at "
                                        "FROM device WHERE id = 1");
    int rc = wb_store_row(st, s);
    if (rc < 0)
        return rc;
    wb_device_row d;
    memset(&d, 0, sizeof d);
    if ((rc = wb_store_column_fixed(s, 0, d.noise_pub, 32)) == 0 &&
        (rc = wb_store_column_fixed(s, 1, d.noise_priv, 32)) == 0)
        rc = wb_store_column_fixed(s, 2, d.adv_secret, 32);
    d.state = sqlite3_column_int(s, 3);
    column_text(s, 4, d.jid, sizeof d.jid);
    column_text(s, 5, d.lid, sizeof d.lid);
    column_text(s, 6, d.name, sizeof d.name);
    column_text(s, 7, d.platform, sizeof d.platform);
    int n = sqlite3_column_bytes(s, 8);
    if (rc == 0 && n > 0) {
        if ((size_t)n > sizeof d.adv_details)
            rc = WB_EMALFORMED;
        else {
            memcpy(d.adv_details, sqlite3_column_blob(s, 8), (size_t)n);
            d.adv_details_len = (size_t)n;
        }
        if (rc == 0 && (rc = wb_store_column_fixed(s, 9, d.adv_account_key, 32)) == 0 &&
            (rc = wb_store_column_fixed(s, 10, d.adv_account_sig, 64)) == 0)
            rc = wb_store_column_fixed(s, 11, d.adv_device_sig, 64);
    }
    d.key_index = (uint32_t)sqlite3_column_int64(s, 12);
    d.linked_at = sqlite3_column_int64(s, 13);
    if (rc == 0)
        *out = d;
    wb_zero(&d, sizeof d);
    return wb_store_done(s, rc);
}

static void bind_blob(sqlite3_stmt *s, int col, const void *p, size_t n) {
    if (n)
        sqlite3_bind_blob(s, col, p, (int)n, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, col);
}

int wb_store_device_put(wb_store *st, const wb_device_row *d) {
    sqlite3_stmt *s = wb_store_stmt(st, "INSERT OR REPLACE INTO device (id, noise_pub, noise_priv, "
                                        "adv_secret, state, jid, lid, name, platform, adv_details, "
                                        "adv_account_key, adv_account_sig, adv_device_sig, "
                                        "key_index, linked_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, "
                                        "?, ?, ?, ?, ?, ?)");
    if (!s)
        return WB_ESTORE;
    int linked = d->adv_details_len > 0;
    sqlite3_bind_blob(s, 1, d->noise_pub, 32, SQLITE_STATIC);
    sqlite3_bind_blob(s, 2, d->noise_priv, 32, SQLITE_STATIC);
    sqlite3_bind_blob(s, 3, d->adv_secret, 32, SQLITE_STATIC);
    sqlite3_bind_int(s, 4, d->state);
    wb_store_bind_text(s, 5, d->jid[0] ? d->jid : NULL);
    wb_store_bind_text(s, 6, d->lid[0] ? d->lid : NULL);
    wb_store_bind_text(s, 7, d->name[0] ? d->name : NULL);
    wb_store_bind_text(s, 8, d->platform[0] ? d->platform : NULL);
    bind_blob(s, 9, d->adv_details, d->adv_details_len);
    bind_blob(s, 10, d->adv_account_key, linked ? 32 : 0);
    bind_blob(s, 11, d->adv_account_sig, linked ? 64 : 0);
    bind_blob(s, 12, d->adv_device_sig, linked ? 64 : 0);
    sqlite3_bind_int64(s, 13, d->key_index);
    sqlite3_bind_int64(s, 14, d->linked_at);
    return wb_store_run(st, s);
}

int wb_store_device_set_state(wb_store *st, int state) {
    sqlite3_stmt *s = wb_store_stmt(st, "UPDATE device SET state = ? WHERE id = 1");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_int(s, 1, state);
    return wb_store_run(st, s);
}

int wb_store_device_wipe(wb_store *st) {
    static const char *const wipe[] = {
        "DELETE FROM device", "DELETE FROM sender_key_sent", "DELETE FROM signal_local",
        "DELETE FROM signal_identities", "DELETE FROM signal_prekeys",
        "DELETE FROM signal_signed_prekeys", "DELETE FROM signal_sessions",
        "DELETE FROM signal_sender_keys",
    };
    int rc = wb_store_begin(st);
    for (size_t i = 0; rc == 0 && i < sizeof wipe / sizeof *wipe; i++)
        rc = wb_store_exec(st, wipe[i]);
    if (rc == 0)
        return wb_store_commit(st);
    wb_store_rollback(st);
    return rc;
}
