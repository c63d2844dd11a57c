/* The migration runner: applies the numbered SQL files compiled into the binary (store.h explains
 * the rules) in one transaction at open. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "store/store_int.h"

/* The number in front of "NNNN_name.sql", or -1 if the name does not start with one. */
static int migration_number(const char *name) {
    int n = 0, digits = 0;
    for (; name[digits] >= '0' && name[digits] <= '9'; digits++) {
        if (n > 100000)
            return -1;
        n = n * 10 + (name[digits] - '0');
    }
    return digits > 0 && name[digits] == '_' ? n : -1;
}

int wb_store_schema_count(const wb_embed_file *migrations) {
    int n = 0;
    while (migrations[n].name)
        n++;
    return n;
}

int wb_store_schema_latest(void) { return wb_store_schema_count(wb_store_migrations); }

static int read_user_version(wb_store *st, int *out) {
    sqlite3_stmt *s = NULL;
    int rc = WB_ESTORE;
    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
        *out = sqlite3_column_int(s, 0);
        rc = 0;
    }
    sqlite3_finalize(s);
    return rc;
}

int wb_store_migrate(wb_store *st, wb_error *err) {
    const wb_embed_file *m = st->migrations;
    int have, latest = wb_store_schema_count(m);
    /* The files must be numbered 1, 2, 3, ... with nothing missing: checked here rather than
     * trusted, because a gap would silently skip a schema change. */
    for (int i = 0; i < latest; i++)
        if (migration_number(m[i].name) != i + 1)
            return wb_error_set(err, WB_EINVAL, 0, "migration %s is out of sequence (expected %d)",
                                m[i].name, i + 1);
    if (read_user_version(st, &have) < 0)
        return wb_error_set(err, WB_ESTORE, 0, "cannot read user_version: %s",
                            sqlite3_errmsg(st->db));
    if (have > latest)
        return wb_error_set(err, WB_EUNSUPPORTED, 0,
                            "database schema %d is newer than this wabot's (%d)", have, latest);
    st->schema_version = have;
    if (have == latest)
        return 0;
    if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return wb_error_set(err, WB_ESTORE, 0, "cannot begin migration: %s", sqlite3_errmsg(st->db));
    /* Another process may have migrated between our read and the lock. */
    int rc = read_user_version(st, &have);
    for (int i = have; rc == 0 && i < latest; i++) {
        char *msg = NULL;
        if (sqlite3_exec(st->db, (const char *)m[i].data, NULL, NULL, &msg) !=
            SQLITE_OK) {
            rc = wb_error_set(err, WB_ESTORE, 0, "migration %s failed: %s",
                              m[i].name, msg ? msg : sqlite3_errmsg(st->db));
            sqlite3_free(msg);
        }
    }
    if (rc == 0) {
        char sql[48];
        snprintf(sql, sizeof sql, "PRAGMA user_version=%d", latest);
        if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            rc = wb_error_set(err, WB_ESTORE, 0, "cannot commit migration: %s",
                              sqlite3_errmsg(st->db));
    }
    if (rc < 0) {
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    WB_INFO("store", "schema migrated from version %d to %d", have, latest);
    st->schema_version = latest;
    return 0;
}
