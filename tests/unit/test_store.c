/* Unit tests for host/store: file permissions, migrations, nested transactions, the Signal tables. */
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "store/signal_store.h"
#include "store/store.h"
#include "store/store_int.h"

static char tmpdir[256];

static void make_tmpdir(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/wb_test_store.XXXXXX");
    if (!mkdtemp(tmpdir))
        abort();
}

static void remove_tree(const char *dir) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

static int exec_int(wb_store *st, const char *sql) {
    sqlite3_stmt *s;
    int v = -1;
    if (sqlite3_prepare_v2(wb_store_db(st), sql, -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return v;
}

static const char *exec_text(wb_store *st, const char *sql, char *out, size_t cap) {
    sqlite3_stmt *s;
    out[0] = '\0';
    if (sqlite3_prepare_v2(wb_store_db(st), sql, -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        snprintf(out, cap, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return out;
}

static void test_store_creates_file_0600_in_new_0700_directories(void) {
    make_tmpdir();
    char path[700], dir[600];
    snprintf(dir, sizeof dir, "%.256s/a/b", tmpdir);
    snprintf(path, sizeof path, "%s/wabot.db", dir);
    mode_t old = umask(0);
    wb_store *st = NULL;
    CHECK_EQ(wb_store_open(&st, path, 0, NULL), 0);
    umask(old);
    struct stat s;
    CHECK(stat(path, &s) == 0 && (s.st_mode & 0777) == 0600);
    CHECK(stat(dir, &s) == 0 && (s.st_mode & 0777) == 0700);
    snprintf(dir, sizeof dir, "%.256s/a", tmpdir);
    CHECK(stat(dir, &s) == 0 && (s.st_mode & 0777) == 0700);
    /* a write makes the WAL file appear; it must not be readable by others either */
    CHECK_EQ(wb_store_begin(st), 0);
    CHECK_EQ(wb_store_session_put(st, "1.1", (const uint8_t *)"x", 1), 0);
    CHECK_EQ(wb_store_commit(st), 0);
    char wal[800];
    snprintf(wal, sizeof wal, "%s-wal", path);
    CHECK(stat(wal, &s) == 0 && (s.st_mode & 0077) == 0);
    char text[32];
    CHECK_STR(exec_text(st, "PRAGMA journal_mode", text, sizeof text), "wal");
    CHECK(exec_int(st, "PRAGMA busy_timeout") > 0);
    CHECK_EQ(exec_int(st, "PRAGMA synchronous"), 1); /* NORMAL */
    wb_store_close(st);
    remove_tree(tmpdir);
}

static void test_store_tightens_an_existing_file_readable_by_others(void) {
    make_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/loose.db", tmpdir);
    FILE *f = fopen(path, "w");
    fclose(f);
    chmod(path, 0644);
    wb_store *st = NULL;
    CHECK_EQ(wb_store_open(&st, path, WB_STORE_SYNC_FULL, NULL), 0);
    struct stat s;
    CHECK(stat(path, &s) == 0 && (s.st_mode & 0777) == 0600);
    CHECK_EQ(exec_int(st, "PRAGMA synchronous"), 2); /* FULL */
    wb_store_close(st);
    remove_tree(tmpdir);
}

static void test_store_tightens_its_own_directory_and_names_the_file_in_errors(void) {
    make_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/state.db", tmpdir);
    struct stat s;
    /* a directory that is not wabot's own is left as it is */
    chmod(tmpdir, 0755);
    wb_store *st = NULL;
    CHECK_EQ(wb_store_open(&st, path, 0, NULL), 0);
    wb_store_close(st);
    CHECK(stat(tmpdir, &s) == 0 && (s.st_mode & 0777) == 0755);
    /* a state directory is wabot's: nobody else may read it */
    CHECK_EQ(wb_store_open(&st, path, WB_STORE_PRIVATE_DIR, NULL), 0);
    CHECK(stat(tmpdir, &s) == 0 && (s.st_mode & 0777) == 0700);
    CHECK_STR(wb_store_path(st), path);
    wb_store_close(st);
    /* a corrupt file: the sentence says which file */
    FILE *f = fopen(path, "r+b");
    char junk[8192];
    memset(junk, 0x5a, sizeof junk);
    fseek(f, 100, SEEK_SET);
    fwrite(junk, 1, sizeof junk, f);
    fclose(f);
    char side[600];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    wb_error err = {0};
    CHECK(wb_store_open(&st, path, 0, &err) < 0);
    CHECK(strstr(err.what, path) == err.what);
    CHECK(strstr(err.what, "malformed") || strstr(err.what, "not a database"));
    remove_tree(tmpdir);
}

static void test_store_migrates_a_fresh_database_to_the_latest_schema(void) {
    wb_store *st = NULL;
    CHECK_EQ(wb_store_open(&st, ":memory:", 0, NULL), 0);
    CHECK(wb_store_schema_latest() >= 1);
    CHECK_EQ(wb_store_schema_version(st), wb_store_schema_latest());
    CHECK_EQ(exec_int(st, "PRAGMA user_version"), wb_store_schema_latest());
    CHECK_EQ(exec_int(st, "SELECT count(*) FROM sqlite_master WHERE name IN ('signal_local', "
                          "'signal_identities', 'signal_prekeys', 'signal_signed_prekeys', "
                          "'signal_sessions', 'signal_sender_keys')"),
             6);
    wb_store_close(st);
}

static void test_store_reopen_keeps_commits_and_skips_applied_migrations(void) {
    make_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/s.db", tmpdir);
    wb_store *st = NULL;
    CHECK_EQ(wb_store_open(&st, path, 0, NULL), 0);
    CHECK_EQ(wb_store_session_put(st, "15550001111.1", (const uint8_t *)"abc", 3), 0);
    wb_store_close(st);
    CHECK_EQ(wb_store_open(&st, path, 0, NULL), 0);
    wb_buf b = WB_BUF_INIT;
    CHECK_EQ(wb_store_session_get(st, "15550001111.1", &b), 0);
    CHECK(b.len == 3 && memcmp(b.data, "abc", 3) == 0);
    wb_buf_free(&b);
    wb_store_close(st);
    remove_tree(tmpdir);
}

static void test_store_refuses_a_database_from_a_newer_wabot(void) {
    make_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/new.db", tmpdir);
    wb_store *st = NULL;
    CHECK_EQ(wb_store_open(&st, path, 0, NULL), 0);
    CHECK_EQ(sqlite3_exec(wb_store_db(st), "PRAGMA user_version=999", NULL, NULL, NULL), SQLITE_OK);
    wb_store_close(st);
    wb_error err = {0};
    st = NULL;
    CHECK_EQ(wb_store_open(&st, path, 0, &err), WB_EUNSUPPORTED);
    CHECK(st == NULL);
    CHECK(strstr(err.what, "newer") != NULL);
    remove_tree(tmpdir);
}

static void test_store_nested_rollback_keeps_the_outer_writes(void) {
    wb_store *st = NULL;
    CHECK_EQ(wb_store_open(&st, ":memory:", 0, NULL), 0);
    CHECK_EQ(wb_store_begin(st), 0);
    CHECK_EQ(wb_store_session_put(st, "1.1", (const uint8_t *)"outer", 5), 0);
    CHECK_EQ(wb_store_begin(st), 0);
    CHECK_EQ(wb_store_depth(st), 2);
    CHECK_EQ(wb_store_session_put(st, "2.1", (const uint8_t *)"inner", 5), 0);
    CHECK_EQ(wb_store_session_put(st, "1.1", (const uint8_t *)"clobber", 7), 0);
    CHECK_EQ(wb_store_rollback(st), 0);
    CHECK_EQ(wb_store_depth(st), 1);
    CHECK_EQ(wb_store_commit(st), 0);
    wb_buf b = WB_BUF_INIT;
    CHECK_EQ(wb_store_session_get(st, "1.1", &b), 0);
    CHECK(b.len == 5 && memcmp(b.data, "outer", 5) == 0);
    wb_buf_reset(&b);
    CHECK_EQ(wb_store_session_get(st, "2.1", &b), WB_ENOTFOUND);
    wb_buf_free(&b);
    wb_store_close(st);
}

static void test_store_outer_rollback_discards_committed_inner_levels(void) {
    wb_store *st = NULL;
    CHECK_EQ(wb_store_open(&st, ":memory:", 0, NULL), 0);
    CHECK_EQ(wb_store_begin(st), 0);
    CHECK_EQ(wb_store_begin(st), 0);
    CHECK_EQ(wb_store_session_put(st, "3.1", (const uint8_t *)"x", 1), 0);
    CHECK_EQ(wb_store_commit(st), 0);
    CHECK_EQ(wb_store_rollback(st), 0);
    CHECK_EQ(wb_store_depth(st), 0);
    wb_buf b = WB_BUF_INIT;
    CHECK_EQ(wb_store_session_get(st, "3.1", &b), WB_ENOTFOUND);
    wb_buf_free(&b);
    CHECK_EQ(wb_store_commit(st), WB_ESTATE);
    CHECK_EQ(wb_store_rollback(st), WB_ESTATE);
    wb_store_close(st);
}

static void test_store_close_with_an_open_transaction_discards_it(void) {
    make_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/t.db", tmpdir);
    wb_store *st = NULL;
    CHECK_EQ(wb_store_open(&st, path, 0, NULL), 0);
    CHECK_EQ(wb_store_begin(st), 0);
    CHECK_EQ(wb_store_session_put(st, "4.1", (const uint8_t *)"x", 1), 0);
    wb_store_close(st);
    CHECK_EQ(wb_store_open(&st, path, 0, NULL), 0);
    wb_buf b = WB_BUF_INIT;
    CHECK_EQ(wb_store_session_get(st, "4.1", &b), WB_ENOTFOUND);
    wb_buf_free(&b);
    wb_store_close(st);
    remove_tree(tmpdir);
}

static void test_store_signal_tables_round_trip(void) {
    wb_store *st = NULL;
    CHECK_EQ(wb_store_open(&st, ":memory:", 0, NULL), 0);
    wb_store_signal_local l = {.registration_id = 1234, .next_prekey_id = 7, .signed_prekey_id = 2};
    memset(l.identity_pub, 1, 32);
    memset(l.identity_priv, 2, 32);
    wb_store_signal_local got;
    CHECK_EQ(wb_store_signal_local_get(st, &got), WB_ENOTFOUND);
    CHECK_EQ(wb_store_signal_local_put(st, &l), 0);
    CHECK_EQ(wb_store_signal_local_get(st, &got), 0);
    CHECK(memcmp(&got, &l, sizeof l) == 0);

    uint8_t k[32], p[32], q[32], sig[64], sig2[64];
    memset(k, 9, 32);
    CHECK_EQ(wb_store_identity_get(st, "5.1", p), WB_ENOTFOUND);
    CHECK_EQ(wb_store_identity_put(st, "5.1", k), 0);
    k[0] = 10;
    CHECK_EQ(wb_store_identity_put(st, "5.1", k), 0);
    CHECK_EQ(wb_store_identity_get(st, "5.1", p), 0);
    CHECK_MEM(p, k, 32);

    for (uint32_t id = 1; id <= 5; id++) {
        memset(p, (int)id, 32);
        memset(q, (int)id + 100, 32);
        CHECK_EQ(wb_store_prekey_put(st, id, p, q), 0);
    }
    CHECK_EQ(wb_store_prekey_mark_uploaded(st, 2), 0);
    CHECK_EQ(wb_store_prekey_count(st, 0), 5);
    CHECK_EQ(wb_store_prekey_count(st, 1), 1);
    uint32_t ids[8];
    uint8_t pubs[8][32];
    unsigned n = 0;
    CHECK_EQ(wb_store_prekeys_unuploaded(st, 3, ids, pubs, &n), 0);
    CHECK_EQ(n, 3);
    CHECK(ids[0] == 1 && ids[1] == 3 && ids[2] == 4 && pubs[1][0] == 3);
    CHECK_EQ(wb_store_prekey_get(st, 4, p, q), 0);
    CHECK(p[0] == 4 && q[0] == 104);
    CHECK_EQ(wb_store_prekey_remove(st, 4), 0);
    CHECK_EQ(wb_store_prekey_get(st, 4, p, q), WB_ENOTFOUND);

    memset(sig, 7, 64);
    for (uint32_t id = 1; id <= 3; id++)
        CHECK_EQ(wb_store_signed_prekey_put(st, id, p, q, sig, 100 + id), 0);
    CHECK_EQ(wb_store_signed_prekey_prune(st, 2), 0);
    CHECK_EQ(wb_store_signed_prekey_get(st, 1, p, q, sig2), WB_ENOTFOUND);
    CHECK_EQ(wb_store_signed_prekey_get(st, 3, p, q, sig2), 0);
    CHECK_MEM(sig2, sig, 64);

    wb_buf b = WB_BUF_INIT;
    CHECK_EQ(wb_store_sender_key_put(st, "g@g.us", "5.1", (const uint8_t *)"rec", 3), 0);
    CHECK_EQ(wb_store_sender_key_get(st, "g@g.us", "5.1", &b), 0);
    CHECK(b.len == 3);
    wb_buf_reset(&b);
    CHECK_EQ(wb_store_sender_key_get(st, "g@g.us", "6.1", &b), WB_ENOTFOUND);
    CHECK_EQ(wb_store_sender_key_delete(st, "g@g.us", "5.1"), 0);
    CHECK_EQ(wb_store_sender_key_get(st, "g@g.us", "5.1", &b), WB_ENOTFOUND);
    CHECK_EQ(wb_store_session_delete(st, "nope.1"), 0);
    wb_buf_free(&b);
    wb_store_close(st);
}

static void test_store_statement_cache_survives_growth(void) {
    wb_store *st = NULL;
    CHECK_EQ(wb_store_open(&st, ":memory:", 0, NULL), 0);
    /* more distinct statements than the initial table holds; each must stay retrievable */
    static char sql[100][40];
    sqlite3_stmt *first[100];
    for (int i = 0; i < 100; i++) {
        snprintf(sql[i], sizeof sql[i], "SELECT %d", i);
        first[i] = wb_store_stmt(st, sql[i]);
        CHECK(first[i] != NULL);
    }
    for (int i = 0; i < 100; i++) {
        sqlite3_stmt *s = wb_store_stmt(st, sql[i]);
        CHECK(s == first[i]);
        CHECK(sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) == i);
        wb_store_done(s, 0);
    }
    wb_store_close(st);
}

int main(void) {
    RUN(test_store_creates_file_0600_in_new_0700_directories);
    RUN(test_store_tightens_an_existing_file_readable_by_others);
    RUN(test_store_tightens_its_own_directory_and_names_the_file_in_errors);
    RUN(test_store_migrates_a_fresh_database_to_the_latest_schema);
    RUN(test_store_reopen_keeps_commits_and_skips_applied_migrations);
    RUN(test_store_refuses_a_database_from_a_newer_wabot);
    RUN(test_store_nested_rollback_keeps_the_outer_writes);
    RUN(test_store_outer_rollback_discards_committed_inner_levels);
    RUN(test_store_close_with_an_open_transaction_discards_it);
    RUN(test_store_signal_tables_round_trip);
    RUN(test_store_statement_cache_survives_growth);
    return check_summary();
}
