/* The store layer's private parts, shared by its files (store.c, migrate.c, the record tables). */
#ifndef WB_STORE_STORE_INT_H
#define WB_STORE_STORE_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "core/embed.h"
#include "store/store.h"

struct wb_store_slot {
    const char *sql; /* the key: the address of the statement's text */
    sqlite3_stmt *stmt;
};

struct wb_store {
    sqlite3 *db;
    char *path;         /* for error messages */
    int depth;          /* transaction nesting, 0 outside */
    uint64_t epoch;     /* wb_store_epoch: bumped at rollbacks and Signal record writes */
    int schema_version; /* user_version after migrations */
    int sync_full;      /* opened with WB_STORE_SYNC_FULL */
    int restore_sync;   /* a durable transaction raised the level: lower it at its end */
    const wb_embed_file *migrations; /* the schema: wb_store_migrations or the caller's */
    struct wb_store_slot *cache;
    size_t cache_cap, cache_used;
};

/* The numbered migrations, in order (generated from host/store/migrations/ at build time). */
extern const wb_embed_file wb_store_migrations[];

/* Brings the schema up to date (migrate.c). */
int wb_store_migrate(wb_store *st, wb_error *err);
/* Runs a cached statement that returns no rows. Returns 0 or WB_ESTORE (logged). */
int wb_store_exec(wb_store *st, const char *sql);

/* For the accessor files (signal_store.c, device_store.c, ...): */
/* Steps s (bound, from wb_store_stmt; NULL gives WB_ESTORE) expecting no rows, then resets it.
 * Returns 0 or WB_ESTORE (logged). */
int wb_store_run(wb_store *st, sqlite3_stmt *s);
/* Steps s expecting at most one row: 0 with the row current (the caller reads it, then calls
 * wb_store_done), WB_ENOTFOUND or WB_ESTORE (s reset). */
int wb_store_row(wb_store *st, sqlite3_stmt *s);
/* Copies column col, which must be exactly n bytes long (else WB_EMALFORMED). */
int wb_store_column_fixed(sqlite3_stmt *s, int col, uint8_t *out, size_t n);
/* Appends column col's bytes to out. */
int wb_store_column_append(sqlite3_stmt *s, int col, wb_buf *out);
/* Binds text (NULL binds NULL); SQLite does not copy it, so it must outlive the step. */
void wb_store_bind_text(sqlite3_stmt *s, int col, const char *text);

/* Message listings (message_store.c, search.c): statements that select ROW_COLUMNS read into a
 * row, and fn called for each row of s until it returns non-zero (s reset after). */
#define WB_STORE_ROW_COLUMNS                                                                       \
    "m.seq, m.chat, m.sender, m.id, m.from_me, m.ts, m.status, m.text, m.info, m.target, "         \
    "m.revoked"
struct wb_message_row;
void wb_store_message_row_of(sqlite3_stmt *s, struct wb_message_row *m);
int wb_store_rows_each(wb_store *st, sqlite3_stmt *s,
                       int (*fn)(void *ud, const struct wb_message_row *m), void *ud);

#endif
