/* The store's connection: opening the file with safe permissions, the pragmas, nested
 * transactions and the prepared-statement cache (store.h). Migrations are in migrate.c. */
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "store/store_int.h"

#define BUSY_TIMEOUT_MS 5000

/* ---- opening --------------------------------------------------------------------------------- */

/* Creates every missing directory above path's last component with mode 0700. */
static int make_parents(const char *path, wb_error *err) {
    size_t n = strlen(path);
    char *dir = malloc(n + 1);
    if (!dir)
        return WB_ENOMEM;
    memcpy(dir, path, n + 1);
    int rc = 0;
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
            rc = wb_error_set(err, WB_EIO, 0, "cannot create directory %s: %s", dir, strerror(errno));
            break;
        }
        *p = '/';
    }
    free(dir);
    return rc;
}

/* A state directory of wabot's (WB_STORE_PRIVATE_DIR): nobody else may read it. The directory
 * is the one holding path. */
static int tighten_dir(const char *path, wb_error *err) {
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path) >=
             (int)sizeof dir)
        return wb_error_set(err, WB_EINVAL, 0, "path too long: %.100s", path);
    struct stat s;
    if (stat(dir, &s) != 0)
        return wb_error_set(err, WB_EIO, 0, "cannot read directory %s: %s", dir, strerror(errno));
    if (!(s.st_mode & 077))
        return 0;
    if (s.st_uid != geteuid())
        return wb_error_set(err, WB_EIO, 0,
                            "state directory %s belongs to another user and others may read it "
                            "(mode %04o): give a directory of your own",
                            dir, (unsigned)(s.st_mode & 07777));
    if (chmod(dir, s.st_mode & 07700) != 0)
        return wb_error_set(err, WB_EIO, 0, "cannot restrict state directory %s to mode 0700: %s",
                            dir, strerror(errno));
    WB_WARN("store", "state directory %s was open to others (mode %04o); now mode 0700", dir,
            (unsigned)(s.st_mode & 07777));
    return 0;
}

/* Makes sure path exists as a regular file readable by its owner only. */
static int prepare_file(const char *path, unsigned flags, wb_error *err) {
    int rc = make_parents(path, err);
    if (rc == 0 && (flags & WB_STORE_PRIVATE_DIR))
        rc = tighten_dir(path, err);
    if (rc < 0)
        return rc;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return wb_error_set(err, WB_EIO, 0, "cannot open %s: %s", path, strerror(errno));
    struct stat s;
    if (fstat(fd, &s) != 0 || !S_ISREG(s.st_mode))
        rc = wb_error_set(err, WB_EIO, 0, "%s is not a regular file", path);
    else if ((s.st_mode & 077) && fchmod(fd, 0600) != 0)
        rc = wb_error_set(err, WB_EIO, 0, "cannot restrict %s to mode 0600: %s", path,
                          strerror(errno));
    else if (s.st_mode & 077)
        WB_WARN("store", "%s was readable by others; now mode 0600", path);
    close(fd);
    return rc;
}

static int exec_pragma(wb_store *st, const char *sql, const char *expect, wb_error *err) {
    sqlite3_stmt *s = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
        rc = wb_error_set(err, WB_ESTORE, 0, "%s: %s", sql, sqlite3_errmsg(st->db));
        goto done;
    }
    int step = sqlite3_step(s);
    if (step != SQLITE_ROW && step != SQLITE_DONE) {
        rc = wb_error_set(err, WB_ESTORE, 0, "%s: %s", sql, sqlite3_errmsg(st->db));
        goto done;
    }
    if (expect) {
        const char *got = step == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0) : NULL;
        if (!got || strcmp(got, expect) != 0)
            rc = wb_error_set(err, WB_ESTORE, 0, "%s gave %s, not %s", sql, got ? got : "nothing",
                              expect);
    }
done:
    sqlite3_finalize(s);
    return rc;
}

static void configure_sqlite_once(void) {
    sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* SQLite's process-wide settings, before its first use: connections are never shared between
 * threads (store.h), so the per-connection mutexes go (multi-thread mode), and so does the
 * allocator's statistics mutex. A no-op if SQLite was initialised already. */
static void configure_sqlite(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, configure_sqlite_once);
}

int wb_store_open(wb_store **out, const char *path, unsigned flags, wb_error *err) {
    return wb_store_open_schema(out, path, flags, wb_store_migrations, err);
}

int wb_store_open_schema(wb_store **out, const char *path, unsigned flags,
                         const wb_embed_file *migrations, wb_error *err) {
    int memory = strcmp(path, ":memory:") == 0;
    int rc;
    configure_sqlite();
    if (!memory && (rc = prepare_file(path, flags, err)) < 0)
        return rc;
    wb_store *st = calloc(1, sizeof *st);
    if (!st || !(st->path = strdup(path))) {
        free(st);
        return WB_ENOMEM;
    }
    st->migrations = migrations;
    st->sync_full = (flags & WB_STORE_SYNC_FULL) != 0;
    if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        rc = wb_error_set(err, WB_ESTORE, 0, "cannot open %s: %s", path,
                          st->db ? sqlite3_errmsg(st->db) : "out of memory");
        goto fail;
    }
    sqlite3_extended_result_codes(st->db, 1);
    sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
    if ((rc = exec_pragma(st, "PRAGMA journal_mode=WAL", memory ? "memory" : "wal", err)) < 0 ||
        (rc = exec_pragma(st,
                          (flags & WB_STORE_SYNC_FULL) ? "PRAGMA synchronous=FULL"
                                                       : "PRAGMA synchronous=NORMAL",
                          NULL, err)) < 0 ||
        /* Savepoint (statement) journals in memory, not in temporary files: every nested
         * wb_store_begin journals the pages it first touches, and the client opens one per
         * received message, which cost ~7 write syscalls a message (~20 us, half of a 1:1
         * message's CPU). It also keeps old page images, keys among them, off the disk. */
        (rc = exec_pragma(st, "PRAGMA temp_store=MEMORY", NULL, err)) < 0 ||
        (rc = exec_pragma(st, "PRAGMA foreign_keys=ON", NULL, err)) < 0 ||
        (rc = exec_pragma(st, "PRAGMA secure_delete=ON", NULL, err)) < 0)
        goto fail;
    if ((rc = wb_store_migrate(st, err)) < 0)
        goto fail;
    *out = st;
    return 0;
fail:
    if (err && !strstr(err->what, path)) { /* the sentence names the file */
        char what[2 * sizeof err->what + 4096];
        size_t n = (size_t)snprintf(what, sizeof what, "%s: %s", path, err->what);
        if (n >= sizeof err->what)
            n = sizeof err->what - 1; /* long paths: cut, the file first */
        memcpy(err->what, what, n);
        err->what[n] = '\0';
    }
    wb_store_close(st);
    return rc;
}

void wb_store_close(wb_store *st) {
    if (!st)
        return;
    if (st->depth > 0)
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    for (size_t i = 0; i < st->cache_cap; i++)
        sqlite3_finalize(st->cache[i].stmt);
    free(st->cache);
    sqlite3_close(st->db);
    free(st->path);
    free(st);
}

const char *wb_store_path(const wb_store *st) { return st->path; }

const char *wb_store_errmsg(wb_store *st) { return sqlite3_errmsg(st->db); }

/* ---- prepared statements ---------------------------------------------------------------------- */

static size_t slot_of(const char *sql, size_t cap) {
    uintptr_t h = (uintptr_t)sql;
    h ^= h >> 17;
    h *= (uintptr_t)0x9e3779b97f4a7c15ull;
    return (size_t)(h >> 7) & (cap - 1);
}

/* Doubles the open-addressing table (linear probing, keyed by the SQL text's address). */
static int cache_grow(wb_store *st) {
    size_t cap = st->cache_cap ? st->cache_cap * 2 : 64;
    struct wb_store_slot *t = calloc(cap, sizeof *t);
    if (!t)
        return WB_ENOMEM;
    for (size_t i = 0; i < st->cache_cap; i++) {
        if (!st->cache[i].sql)
            continue;
        size_t j = slot_of(st->cache[i].sql, cap);
        while (t[j].sql)
            j = (j + 1) & (cap - 1);
        t[j] = st->cache[i];
    }
    free(st->cache);
    st->cache = t;
    st->cache_cap = cap;
    return 0;
}

sqlite3_stmt *wb_store_stmt(wb_store *st, const char *sql) {
    if (st->cache_cap) {
        for (size_t j = slot_of(sql, st->cache_cap); st->cache[j].sql; j = (j + 1) & (st->cache_cap - 1))
            if (st->cache[j].sql == sql) {
                sqlite3_reset(st->cache[j].stmt);
                sqlite3_clear_bindings(st->cache[j].stmt);
                return st->cache[j].stmt;
            }
    }
    if ((st->cache_used + 1) * 2 > st->cache_cap && cache_grow(st) < 0)
        return NULL;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
        WB_ERROR("store", "%s: cannot prepare \"%s\": %s", st->path, sql, sqlite3_errmsg(st->db));
        return NULL;
    }
    size_t j = slot_of(sql, st->cache_cap);
    while (st->cache[j].sql)
        j = (j + 1) & (st->cache_cap - 1);
    st->cache[j].sql = sql;
    st->cache[j].stmt = s;
    st->cache_used++;
    return s;
}

int wb_store_done(sqlite3_stmt *stmt, int rc) {
    if (!stmt)
        return rc;
    if (rc == WB_ESTORE) {
        sqlite3 *db = sqlite3_db_handle(stmt);
        const char *file = sqlite3_db_filename(db, "main");
        WB_WARN("store", "%s: %s: %s", file && *file ? file : ":memory:", sqlite3_errmsg(db),
                sqlite3_sql(stmt));
    }
    sqlite3_reset(stmt);
    return rc;
}

sqlite3 *wb_store_db(wb_store *st) { return st->db; }

/* Runs one cached statement that returns no rows. */
int wb_store_exec(wb_store *st, const char *sql) {
    sqlite3_stmt *s = wb_store_stmt(st, sql);
    if (!s)
        return WB_ESTORE;
    int step = sqlite3_step(s);
    sqlite3_reset(s);
    if (step != SQLITE_DONE) {
        WB_WARN("store", "%s: %s: %s", st->path, sql, sqlite3_errmsg(st->db));
        return WB_ESTORE;
    }
    return 0;
}

/* ---- dump ------------------------------------------------------------------------------------- */

/* Dumps one table's rows ordered by every column in turn (tables WITHOUT ROWID have no rowid). */
static int dump_table(wb_store *st, const char *table, wb_buf *out) {
    char sql[600];
    sqlite3_stmt *s;
    int n = snprintf(sql, sizeof sql, "SELECT * FROM \"%s\"", table);
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        return WB_ESTORE;
    int columns = sqlite3_column_count(s);
    sqlite3_finalize(s);
    for (int c = 1; c <= columns && n < (int)sizeof sql - 16; c++)
        n += snprintf(sql + n, sizeof sql - (size_t)n, "%s%d", c == 1 ? " ORDER BY " : ", ", c);
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        return WB_ESTORE;
    wb_buf_append(out, table, strlen(table) + 1);
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        wb_buf_put_u8(out, 'R');
        for (int c = 0; c < sqlite3_column_count(s); c++) {
            int type = sqlite3_column_type(s, c);
            const void *p = type == SQLITE_NULL ? NULL : sqlite3_column_blob(s, c);
            int bytes = sqlite3_column_bytes(s, c);
            wb_buf_put_u8(out, (uint8_t)type);
            wb_buf_put_be32(out, (uint32_t)bytes);
            if (bytes > 0)
                wb_buf_append(out, p, (size_t)bytes);
        }
    }
    sqlite3_finalize(s);
    return step == SQLITE_DONE ? out->err : WB_ESTORE;
}

int wb_store_dump(wb_store *st, wb_buf *out) {
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, "SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                   "name NOT LIKE 'sqlite_%' ORDER BY name",
                           -1, &s, NULL) != SQLITE_OK)
        return WB_ESTORE;
    int rc = 0, step;
    while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
        char name[128];
        snprintf(name, sizeof name, "%s", (const char *)sqlite3_column_text(s, 0));
        rc = dump_table(st, name, out);
    }
    sqlite3_finalize(s);
    return rc;
}

/* ---- transactions ----------------------------------------------------------------------------- */

/* After a durable transaction: back to the store's own level. */
static void restore_sync(wb_store *st) {
    if (st->restore_sync && wb_store_exec(st, "PRAGMA synchronous=NORMAL") == 0)
        st->restore_sync = 0;
}

int wb_store_begin(wb_store *st) {
    /* SQLite rolls a transaction back by itself after some errors (a full disk, say); whatever a
     * cache learnt inside it is gone. */
    if (st->depth > 0 && sqlite3_get_autocommit(st->db))
        st->epoch++;
    int rc = wb_store_exec(st, st->depth == 0 ? "BEGIN IMMEDIATE" : "SAVEPOINT wb_nest");
    if (rc == 0)
        st->depth++;
    return rc;
}

int wb_store_begin_durable(wb_store *st) {
    if (st->depth > 0)
        return WB_ESTATE;
    if (!st->sync_full) { /* the level cannot change inside a transaction: before it */
        if (wb_store_exec(st, "PRAGMA synchronous=FULL") < 0)
            return WB_ESTORE;
        st->restore_sync = 1;
    }
    int rc = wb_store_begin(st);
    if (rc < 0)
        restore_sync(st);
    return rc;
}

int wb_store_commit(wb_store *st) {
    if (st->depth == 0)
        return WB_ESTATE;
    if (st->depth > 1) {
        if (wb_store_exec(st, "RELEASE wb_nest") == 0) {
            st->depth--;
            return 0;
        }
        wb_store_rollback(st);
        return WB_ESTORE;
    }
    if (wb_store_exec(st, "COMMIT") == 0) {
        st->depth = 0;
        restore_sync(st);
        return 0;
    }
    wb_store_rollback(st);
    return WB_ESTORE;
}

int wb_store_rollback(wb_store *st) {
    if (st->depth == 0)
        return WB_ESTATE;
    int rc;
    st->epoch++;
    if (st->depth > 1) {
        rc = wb_store_exec(st, "ROLLBACK TO wb_nest");
        if (rc == 0)
            rc = wb_store_exec(st, "RELEASE wb_nest");
    } else {
        rc = wb_store_exec(st, "ROLLBACK");
        /* SQLite may have rolled back already (after an I/O error); either way none is open. */
        if (sqlite3_get_autocommit(st->db))
            rc = 0;
    }
    st->depth--;
    if (st->depth == 0)
        restore_sync(st);
    return rc;
}

int wb_store_depth(const wb_store *st) { return st->depth; }

uint64_t wb_store_epoch(const wb_store *st) { return st->epoch; }

int wb_store_schema_version(const wb_store *st) { return st->schema_version; }

/* ---- helpers of the accessor files (store_int.h) --------------------------------------------- */

int wb_store_run(wb_store *st, sqlite3_stmt *s) {
    if (!s)
        return WB_ESTORE;
    int step = sqlite3_step(s);
    sqlite3_reset(s);
    if (step != SQLITE_DONE) {
        WB_WARN("store", "%s: write failed: %s", st->path, sqlite3_errmsg(st->db));
        return WB_ESTORE;
    }
    return 0;
}

int wb_store_row(wb_store *st, sqlite3_stmt *s) {
    if (!s)
        return WB_ESTORE;
    int step = sqlite3_step(s);
    if (step == SQLITE_ROW)
        return 0;
    sqlite3_reset(s);
    if (step == SQLITE_DONE)
        return WB_ENOTFOUND;
    WB_WARN("store", "%s: read failed: %s", st->path, sqlite3_errmsg(st->db));
    return WB_ESTORE;
}

int wb_store_column_fixed(sqlite3_stmt *s, int col, uint8_t *out, size_t n) {
    const void *p = sqlite3_column_blob(s, col);
    if (!p || (size_t)sqlite3_column_bytes(s, col) != n)
        return WB_EMALFORMED;
    memcpy(out, p, n);
    return 0;
}

int wb_store_column_append(sqlite3_stmt *s, int col, wb_buf *out) {
    const void *p = sqlite3_column_blob(s, col);
    int n = sqlite3_column_bytes(s, col);
    return n > 0 ? wb_buf_append(out, p, (size_t)n) : 0;
}

void wb_store_bind_text(sqlite3_stmt *s, int col, const char *text) {
    if (text)
        sqlite3_bind_text(s, col, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, col);
}

void wb_store_release_memory(wb_store *st) {
    if (st && st->db)
        sqlite3_db_release_memory(st->db);
}
