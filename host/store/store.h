/* The SQLite store: one database file holding everything wabot must remember (Signal keys and
 * sessions now; device credentials, contacts, chats, messages and bot key-values as later
 * migrations add their tables).
 *
 * Opening creates the file with mode 0600 (its -wal and -shm companions inherit that mode) and any
 * missing parent directories with mode 0700; an existing file with looser permissions is tightened
 * to 0600. With WB_STORE_PRIVATE_DIR the directory holding the file is wabot's own (a state
 * directory): when it exists with looser permissions it is tightened to 0700 if it is ours, and
 * the open fails with a sentence saying so when it cannot be. Every error, at the open (err) and
 * later (the log), names the file. The connection runs in WAL mode with a busy timeout (another process may read the file
 * while wabot writes it) and secure_delete on, so freed pages that held keys are overwritten.
 *
 * Schema: numbered SQL files in host/store/migrations/NNNN_name.sql, compiled into the binary
 * (cmake/wb_embed.cmake). Opening applies every file numbered above the database's user_version,
 * all in one transaction, and sets user_version to the last number: a database is either at the
 * old version or at the new one, never in between. A database written by a newer wabot (a
 * user_version above the last file) is refused with WB_EUNSUPPORTED. To add tables, add the next
 * number; never edit a file that has shipped.
 *
 * Transactions nest. The outermost wb_store_begin is BEGIN IMMEDIATE (the write lock is taken up
 * front, so a transaction never fails half way for want of it); inner ones are savepoints. This is
 * how a caller makes its own writes commit together with a library call's:
 *
 *     wb_store_begin(st);
 *     rc = wb_signal_decrypt(sig, addr, type, ct, len, &pt, &info); // its own begin/commit nests
 *     if (rc == 0) rc = store_message_row(st, ...);                  // the caller's write
 *     if (rc == 0) rc = wb_store_commit(st); else wb_store_rollback(st);
 *
 * A nested rollback undoes only the writes since its begin; the outer transaction goes on. Nothing
 * is durable until the outermost commit returns 0.
 *
 * A wb_store is used from one thread at a time: SQLite runs in multi-thread mode (no mutex per
 * connection, set once per process at the first open), so this is a rule, not advice. It caches
 * prepared statements; code in this layer gets them through wb_store_stmt. */
#ifndef WB_STORE_STORE_H
#define WB_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

typedef struct wb_store wb_store;
struct sqlite3;
struct sqlite3_stmt;

enum {
    /* synchronous=FULL: every commit is fsync'ed, so it survives a power cut, not only a crash of
     * the process. The default (NORMAL) survives process crashes, which is what the durability
     * rule needs; FULL costs a disk flush per message. */
    WB_STORE_SYNC_FULL = 1 << 0,
    /* The directory holding the file belongs to wabot: made or tightened to 0700 (see above). */
    WB_STORE_PRIVATE_DIR = 1 << 1,
};

/* Opens (creating if needed) the database at path and brings its schema up to date. path may be
 * ":memory:" for a private in-memory database (tests, benchmarks). flags are WB_STORE_* bits.
 * Returns 0 and *out, or WB_EIO (file or directory), WB_ESTORE (SQLite), WB_EUNSUPPORTED (newer
 * schema), WB_ENOMEM; err (optional) gets a sentence naming what failed. */
int wb_store_open(wb_store **out, const char *path, unsigned flags, wb_error *err);

/* The same for a database with a schema of its own (the simulator's, say): migrations is a
 * table like wb_store_migrations (core/embed.h, made by cmake's wb_embed from the caller's
 * numbered NNNN_name.sql files, ended by a {NULL} entry), applied by the same rules. The table
 * must outlive the store. The Signal accessors of this layer need the default schema. */
struct wb_embed_file;
int wb_store_open_schema(wb_store **out, const char *path, unsigned flags,
                         const struct wb_embed_file *migrations, wb_error *err);
/* Rolls back any open transaction, finalises the cached statements and closes. NULL is a no-op. */
void wb_store_close(wb_store *st);

/* Begins a transaction, or a savepoint inside the current one. Returns 0 or WB_ESTORE. */
int wb_store_begin(wb_store *st);
/* Begins an outermost transaction whose commit is fsync'ed even when the store runs with
 * synchronous=NORMAL: a power cut after the commit returns cannot undo it. For state that must
 * be on disk before something leaves the process (the sending chain a ciphertext used). Returns
 * 0, WB_ESTATE when a transaction is already open, or WB_ESTORE. */
int wb_store_begin_durable(wb_store *st);
/* Commits the innermost begin. Returns 0; WB_ESTORE if SQLite refused, in which case the
 * innermost level has been rolled back (for the outermost, the whole transaction); WB_ESTATE if
 * no transaction is open. */
int wb_store_commit(wb_store *st);
/* Rolls back the innermost begin. Returns 0, WB_ESTATE if none is open, or WB_ESTORE. */
int wb_store_rollback(wb_store *st);
/* The nesting depth: 0 outside any transaction. */
int wb_store_depth(const wb_store *st);

/* A counter for caches of stored rows (host/signal keeps decoded session records): it changes at
 * every rollback of any level (so data written since may be gone), when SQLite has rolled a
 * transaction back on its own, and at every write of a Signal record through signal_store.h. A
 * cache that noted the value after its own last write may trust what it holds while the value is
 * unchanged. Writes by other connections are not counted: the Signal tables are written only
 * through this store's accessors. */
uint64_t wb_store_epoch(const wb_store *st);

/* The schema version (the number of the last migration applied). */
int wb_store_schema_version(const wb_store *st);
/* The number of the last migration compiled in. */
int wb_store_schema_latest(void);
/* The number of migrations in a table given to wb_store_open_schema. */
int wb_store_schema_count(const struct wb_embed_file *migrations);

/* A prepared statement for sql, compiled on first use and cached by the pointer sql (pass string
 * literals). It comes reset with no bindings; the caller resets it again when done (wb_store_done)
 * so no read stays open. Returns NULL if SQLite cannot compile it (a programming error, logged). */
struct sqlite3_stmt *wb_store_stmt(wb_store *st, const char *sql);
/* Resets stmt (releasing what it holds) and returns rc unchanged, for `return wb_store_done(s, rc)`.
 * When rc is WB_ESTORE, SQLite's reason is logged first with the file's name. */
int wb_store_done(struct sqlite3_stmt *stmt, int rc);
/* Appends a canonical dump of every table's rows (sorted by their columns) to out: equal dumps
 * mean equal contents. For tests that check a failed operation changed nothing. */
int wb_store_dump(wb_store *st, wb_buf *out);
/* Gives back the memory SQLite holds for st that it can do without (its page cache): for a
 * process about to sit idle. The next reads fill the cache again. */
void wb_store_release_memory(wb_store *st);

/* The file's path (":memory:" for an in-memory database), and SQLite's last error message, for
 * sentences about a failure. */
const char *wb_store_path(const wb_store *st);
const char *wb_store_errmsg(wb_store *st);

/* The underlying connection, for code in this layer that needs more than wb_store_stmt. */
struct sqlite3 *wb_store_db(wb_store *st);

#endif
