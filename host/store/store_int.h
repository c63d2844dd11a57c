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
    int depth;          /* transaction nesting, 0 outside */
    uint64_t epoch;     /* wb_store_epoch: bumped at rollbacks and Signal record writes */
    int schema_version; /* user_version after migrations */
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

#endif
