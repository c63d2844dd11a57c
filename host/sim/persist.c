/* The simulator's database (sim_int.h, "persistence"): host/store's SQLite with the migrations of
 * host/sim/migrations, in state_dir/sim.db or in memory. The account/device model is loaded once
 * at start and written through on every change by accounts.c, pair.c, prekeys.c, privacy.c;
 * prekeys and queues are read from here directly (prekeys.c, queue.c). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/embed.h"
#include "core/log.h"
#include "core/mem.h"
#include "sim/sim_int.h"

extern const wb_embed_file wb_sim_migrations[];

/* ---- meta: keys and counters -------------------------------------------------------------- */

int wb_sim_meta_get(wb_sim *sim, const char *name, wb_buf *out) {
    sqlite3_stmt *s = wb_store_stmt(sim->db, "SELECT value FROM meta WHERE name = ?");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    int step = sqlite3_step(s);
    if (step == SQLITE_DONE)
        return wb_store_done(s, WB_ENOTFOUND);
    if (step != SQLITE_ROW)
        return wb_store_done(s, WB_ESTORE);
    int rc = wb_buf_append(out, sqlite3_column_blob(s, 0), (size_t)sqlite3_column_bytes(s, 0));
    return wb_store_done(s, rc);
}

int wb_sim_meta_set(wb_sim *sim, const char *name, const void *p, size_t len) {
    sqlite3_stmt *s = wb_store_stmt(sim->db, "INSERT INTO meta (name, value) VALUES (?, ?) "
                                             "ON CONFLICT (name) DO UPDATE SET value = excluded.value");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 2, len ? p : "", (int)len, SQLITE_STATIC);
    return wb_store_done(s, sqlite3_step(s) == SQLITE_DONE ? 0 : WB_ESTORE);
}

int wb_sim_persist_keypair(wb_sim *sim, const char *name, wb_keypair *out) {
    wb_buf b = WB_BUF_SECRET_INIT;
    int rc = wb_sim_meta_get(sim, name, &b);
    if (rc == 0 && b.len == WB_KEY_LEN) {
        memcpy(out->priv, b.data, WB_KEY_LEN);
        wb_curve_public(out->pub, out->priv);
    } else if (rc == 0 || rc == WB_ENOTFOUND) {
        if (rc == 0)
            WB_WARN("sim", "stored key %s has %zu bytes; making a new one", name, b.len);
        if ((rc = wb_keypair_generate(out)) == 0)
            rc = wb_sim_meta_set(sim, name, out->priv, WB_KEY_LEN);
    }
    wb_buf_free_secret(&b);
    return rc;
}

static uint64_t meta_u64(wb_sim *sim, const char *name, uint64_t dflt) {
    wb_buf b = WB_BUF_INIT;
    uint64_t v = dflt;
    if (wb_sim_meta_get(sim, name, &b) == 0 && wb_buf_put_u8(&b, 0) == 0)
        v = strtoull((const char *)b.data, NULL, 10);
    wb_buf_free(&b);
    return v;
}

/* ---- rows -> model -------------------------------------------------------------------------- */

static void copy_text(char *dst, size_t cap, sqlite3_stmt *s, int col) {
    const unsigned char *t = sqlite3_column_text(s, col);
    snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

static int copy_blob(uint8_t *dst, size_t len, sqlite3_stmt *s, int col) {
    if ((size_t)sqlite3_column_bytes(s, col) != len)
        return WB_EMALFORMED;
    memcpy(dst, sqlite3_column_blob(s, col), len);
    return 0;
}

int wb_sim_grow(void *arrp, size_t n, size_t *cap, size_t elem) {
    if (n < *cap)
        return 0;
    void *arr;
    memcpy(&arr, arrp, sizeof arr);
    size_t c = *cap ? *cap * 2 : 8;
    void *p = realloc(arr, c * elem);
    if (!p)
        return WB_ENOMEM;
    memcpy(arrp, &p, sizeof p);
    *cap = c;
    return 0;
}

int wb_sim_account_adopt(wb_sim *sim, wb_sim_account *a) {
    int rc = wb_sim_grow(&sim->accounts, sim->naccounts, &sim->accounts_cap, sizeof *sim->accounts);
    if (rc == 0)
        sim->accounts[sim->naccounts++] = a;
    return rc;
}

int wb_sim_account_add_device(wb_sim_account *a, wb_sim_device *d) {
    int rc = wb_sim_grow(&a->devices, a->ndevices, &a->devices_cap, sizeof *a->devices);
    if (rc == 0) {
        a->devices[a->ndevices++] = d;
        d->account = a;
    }
    return rc;
}

int64_t wb_sim_count_rows(wb_sim *sim, const char *sql, int64_t row) {
    sqlite3_stmt *s = wb_store_stmt(sim->db, sql);
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_int64(s, 1, row);
    int64_t n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : WB_ESTORE;
    wb_store_done(s, 0);
    return n;
}

static wb_sim_account *account_by_row(wb_sim *sim, int64_t row) {
    for (size_t i = 0; i < sim->naccounts; i++)
        if (sim->accounts[i]->row == row)
            return sim->accounts[i];
    return NULL;
}

static int load_accounts(wb_sim *sim) {
    sqlite3_stmt *s = wb_store_stmt(sim->db,
        "SELECT id, phone, lid, name, identity_priv, adv_raw_id, next_device, next_key_index, "
        "created FROM accounts ORDER BY id");
    if (!s)
        return WB_ESTORE;
    int rc = 0, step;
    while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
        wb_sim_account *a = calloc(1, sizeof *a);
        if (!a) {
            rc = WB_ENOMEM;
            break;
        }
        a->row = sqlite3_column_int64(s, 0);
        copy_text(a->phone, sizeof a->phone, s, 1);
        copy_text(a->lid, sizeof a->lid, s, 2);
        copy_text(a->name, sizeof a->name, s, 3);
        rc = copy_blob(a->identity.priv, WB_KEY_LEN, s, 4);
        wb_curve_public(a->identity.pub, a->identity.priv);
        a->adv_raw_id = (uint32_t)sqlite3_column_int64(s, 5);
        a->next_device = (uint16_t)sqlite3_column_int(s, 6);
        a->next_key_index = (uint32_t)sqlite3_column_int64(s, 7);
        a->created = sqlite3_column_int64(s, 8);
        if (rc == 0)
            rc = wb_sim_account_adopt(sim, a);
        if (rc < 0)
            wb_free_secret(a, sizeof *a);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = WB_ESTORE;
    return wb_store_done(s, rc);
}

static int load_devices(wb_sim *sim) {
    sqlite3_stmt *s = wb_store_stmt(sim->db,
        "SELECT id, account, device, key_index, removed, noise_pub, identity_pub, reg_id, "
        "skey_id, skey_pub, skey_sig, platform, created, low_prekeys_notified "
        "FROM devices ORDER BY id");
    if (!s)
        return WB_ESTORE;
    int rc = 0, step;
    while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
        wb_sim_account *a = account_by_row(sim, sqlite3_column_int64(s, 1));
        wb_sim_device *d = calloc(1, sizeof *d);
        if (!d) {
            rc = WB_ENOMEM;
            break;
        }
        d->row = sqlite3_column_int64(s, 0);
        d->id = (uint16_t)sqlite3_column_int(s, 2);
        d->key_index = (uint32_t)sqlite3_column_int64(s, 3);
        d->removed = sqlite3_column_int(s, 4);
        if ((rc = copy_blob(d->noise_pub, WB_KEY_LEN, s, 5)) == 0 &&
            (rc = copy_blob(d->keys.identity, WB_KEY_LEN, s, 6)) == 0 &&
            (rc = copy_blob(d->keys.skey.pub, WB_KEY_LEN, s, 9)) == 0)
            rc = copy_blob(d->keys.skey.signature, WB_SIG_LEN, s, 10);
        d->keys.registration_id = (uint32_t)sqlite3_column_int64(s, 7);
        d->keys.skey.id = (uint32_t)sqlite3_column_int64(s, 8);
        copy_text(d->platform, sizeof d->platform, s, 11);
        d->created = sqlite3_column_int64(s, 12);
        d->low_prekeys_notified = sqlite3_column_int(s, 13);
        if (rc == 0 && !a)
            rc = WB_EMALFORMED;
        if (rc == 0)
            rc = wb_sim_account_add_device(a, d);
        if (rc < 0)
            free(d);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = WB_ESTORE;
    return wb_store_done(s, rc);
}

static int load_settings(wb_sim *sim) {
    sqlite3_stmt *s = wb_store_stmt(sim->db, "SELECT account, name, value FROM privacy");
    if (!s)
        return WB_ESTORE;
    int rc = 0;
    while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
        wb_sim_account *a = account_by_row(sim, sqlite3_column_int64(s, 0));
        wb_sim_setting *p = a ? realloc(a->privacy, (a->nprivacy + 1) * sizeof *p) : NULL;
        if (!p) {
            rc = a ? WB_ENOMEM : WB_EMALFORMED;
            break;
        }
        a->privacy = p;
        copy_text(p[a->nprivacy].name, sizeof p->name, s, 1);
        copy_text(p[a->nprivacy].value, sizeof p->value, s, 2);
        a->nprivacy++;
    }
    wb_store_done(s, 0);
    if (rc < 0 || !(s = wb_store_stmt(sim->db, "SELECT account, jid FROM blocklist")))
        return rc < 0 ? rc : WB_ESTORE;
    while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
        wb_sim_account *a = account_by_row(sim, sqlite3_column_int64(s, 0));
        char **p = a ? realloc(a->blocked, (a->nblocked + 1) * sizeof *p) : NULL;
        if (!p) {
            rc = a ? WB_ENOMEM : WB_EMALFORMED;
            break;
        }
        a->blocked = p;
        if (!(p[a->nblocked] = strdup((const char *)sqlite3_column_text(s, 1))))
            rc = WB_ENOMEM;
        else
            a->nblocked++;
    }
    return wb_store_done(s, rc);
}

int wb_sim_persist_open(wb_sim *sim, const char *state_dir, wb_error *err) {
    char path[4096];
    if (state_dir && snprintf(path, sizeof path, "%s/sim.db", state_dir) >= (int)sizeof path)
        return wb_error_set(err, WB_EINVAL, 0, "state directory path too long");
    /* the state directory is the simulator's: it holds keys, so nobody else may read it */
    int rc = wb_store_open_schema(&sim->db, state_dir ? path : ":memory:",
                                  state_dir ? WB_STORE_PRIVATE_DIR : 0, wb_sim_migrations, err);
    if (rc < 0)
        return rc;
    if ((rc = load_accounts(sim)) < 0 || (rc = load_devices(sim)) < 0 ||
        (rc = load_settings(sim)) < 0)
        return wb_error_set(err, rc, 0, "cannot load the simulator's state from %s: %s",
                            wb_store_path(sim->db),
                            rc == WB_ESTORE ? wb_store_errmsg(sim->db) : wb_strerror(rc));
    sim->next_phone = meta_u64(sim, "next_phone", 1);
    sim->next_lid = meta_u64(sim, "next_lid", 1);
    if (state_dir)
        WB_INFO("sim", "state %s: %zu accounts", path, sim->naccounts);
    return 0;
}

/* ---- model -> rows -------------------------------------------------------------------------- */

int wb_sim_persist_account(wb_sim *sim, wb_sim_account *a) {
    sqlite3_stmt *s = wb_store_stmt(sim->db,
        "INSERT INTO accounts (id, phone, lid, name, identity_priv, adv_raw_id, next_device, "
        "next_key_index, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET name = excluded.name, next_device = excluded.next_device, "
        "next_key_index = excluded.next_key_index");
    if (!s)
        return WB_ESTORE;
    if (a->row)
        sqlite3_bind_int64(s, 1, a->row);
    sqlite3_bind_text(s, 2, a->phone, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, a->lid, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, a->name, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 5, a->identity.priv, WB_KEY_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(s, 6, a->adv_raw_id);
    sqlite3_bind_int(s, 7, a->next_device);
    sqlite3_bind_int64(s, 8, a->next_key_index);
    sqlite3_bind_int64(s, 9, a->created);
    if (sqlite3_step(s) != SQLITE_DONE)
        return wb_store_done(s, WB_ESTORE);
    if (!a->row)
        a->row = sqlite3_last_insert_rowid(wb_store_db(sim->db));
    char num[24];
    snprintf(num, sizeof num, "%llu", (unsigned long long)sim->next_phone);
    int rc = wb_sim_meta_set(sim, "next_phone", num, strlen(num));
    snprintf(num, sizeof num, "%llu", (unsigned long long)sim->next_lid);
    if (rc == 0)
        rc = wb_sim_meta_set(sim, "next_lid", num, strlen(num));
    return wb_store_done(s, rc);
}

int wb_sim_persist_device(wb_sim *sim, wb_sim_device *d) {
    sqlite3_stmt *s = wb_store_stmt(sim->db,
        "INSERT INTO devices (id, account, device, key_index, removed, noise_pub, identity_pub, "
        "reg_id, skey_id, skey_pub, skey_sig, platform, created, low_prekeys_notified) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
        "removed = excluded.removed, noise_pub = excluded.noise_pub, "
        "identity_pub = excluded.identity_pub, reg_id = excluded.reg_id, "
        "skey_id = excluded.skey_id, skey_pub = excluded.skey_pub, skey_sig = excluded.skey_sig, "
        "platform = excluded.platform, low_prekeys_notified = excluded.low_prekeys_notified");
    if (!s)
        return WB_ESTORE;
    if (d->row)
        sqlite3_bind_int64(s, 1, d->row);
    sqlite3_bind_int64(s, 2, d->account->row);
    sqlite3_bind_int(s, 3, d->id);
    sqlite3_bind_int64(s, 4, d->key_index);
    sqlite3_bind_int(s, 5, d->removed);
    sqlite3_bind_blob(s, 6, d->noise_pub, WB_KEY_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(s, 7, d->keys.identity, WB_KEY_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(s, 8, d->keys.registration_id);
    sqlite3_bind_int64(s, 9, d->keys.skey.id);
    sqlite3_bind_blob(s, 10, d->keys.skey.pub, WB_KEY_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(s, 11, d->keys.skey.signature, WB_SIG_LEN, SQLITE_STATIC);
    sqlite3_bind_text(s, 12, d->platform, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 13, d->created);
    sqlite3_bind_int(s, 14, d->low_prekeys_notified);
    if (sqlite3_step(s) != SQLITE_DONE)
        return wb_store_done(s, WB_ESTORE);
    if (!d->row)
        d->row = sqlite3_last_insert_rowid(wb_store_db(sim->db));
    return wb_store_done(s, 0);
}

int wb_sim_exec_row(wb_sim *sim, const char *sql, int64_t row) {
    sqlite3_stmt *s = wb_store_stmt(sim->db, sql);
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_int64(s, 1, row);
    return wb_store_done(s, sqlite3_step(s) == SQLITE_DONE ? 0 : WB_ESTORE);
}

static int insert_pair(wb_sim *sim, const char *sql, int64_t row, const char *a, const char *b) {
    sqlite3_stmt *s = wb_store_stmt(sim->db, sql);
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_int64(s, 1, row);
    sqlite3_bind_text(s, 2, a, -1, SQLITE_STATIC);
    if (b)
        sqlite3_bind_text(s, 3, b, -1, SQLITE_STATIC);
    return wb_store_done(s, sqlite3_step(s) == SQLITE_DONE ? 0 : WB_ESTORE);
}

int wb_sim_persist_settings(wb_sim *sim, wb_sim_account *a) {
    int rc = wb_store_begin(sim->db);
    if (rc < 0)
        return rc;
    rc = wb_sim_exec_row(sim, "DELETE FROM privacy WHERE account = ?", a->row);
    if (rc == 0)
        rc = wb_sim_exec_row(sim, "DELETE FROM blocklist WHERE account = ?", a->row);
    for (size_t i = 0; rc == 0 && i < a->nprivacy; i++)
        rc = insert_pair(sim, "INSERT INTO privacy (account, name, value) VALUES (?, ?, ?)", a->row,
                         a->privacy[i].name, a->privacy[i].value);
    for (size_t i = 0; rc == 0 && i < a->nblocked; i++)
        rc = insert_pair(sim, "INSERT INTO blocklist (account, jid) VALUES (?, ?)", a->row,
                         a->blocked[i], NULL);
    if (rc == 0)
        return wb_store_commit(sim->db);
    wb_store_rollback(sim->db);
    return rc;
}
