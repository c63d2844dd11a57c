/* Fuzz target: the simulator loading its state from a hostile sim.db (host/sim/persist.c and
 * every family's init): a file someone edited, truncated or replaced. Loading must end in a
 * clear error or a simulator that works; never a crash.
 *
 * A real state is made once: two accounts with a linked companion each, names, privacy settings,
 * a group, prekeys, queued notifications. Input byte 0 picks the mode:
 *   odd:  the rest is the whole sim.db file;
 *   even: the rest is a list of edits applied to the real state with SQLite (its own checks
 *         off, as a hand edit would be): [op][table][column][row][type][len][bytes] where op
 *         updates one value, deletes a row or inserts a copy of a row with one value changed,
 *         and the value is NULL, an integer, text or a blob.
 * Then the simulator opens it, and when it opens, answers the admin API's reads, lets the first
 * companion log in and go active (its queue is flushed; when bit 1 of byte 0 is set: a Noise
 * handshake is most of an input's time) and shuts down. */
#include <dirent.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "sim/sim_int.h"
#include "../unit/sim_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], db[128];
static wb_buf tmpl = WB_BUF_INIT; /* the real state's bytes */
static fx_client keys;            /* the first companion's keys, to log in with */

static void clear_dir(void) {
    char p[160];
    const char *side[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof side / sizeof *side; i++) {
        snprintf(p, sizeof p, "%s%s", db, side[i]);
        unlink(p);
    }
}

static void write_db(const uint8_t *p, size_t n) {
    clear_dir();
    FILE *f = fopen(db, "wb");
    if (!f || (n && fwrite(p, 1, n, f) != n) || fclose(f) != 0)
        abort();
}

/* The real state, made once with the simulator itself. */
static void make_template(void) {
    /* in memory when the system has a tmpfs: a file system's fsyncs would be most of the time */
    snprintf(dir, sizeof dir, "/dev/shm/wb_fuzz_sim_state.XXXXXX");
    if (!mkdtemp(dir)) {
        snprintf(dir, sizeof dir, "/tmp/wb_fuzz_sim_state.XXXXXX");
        if (!mkdtemp(dir))
            abort();
    }
    snprintf(db, sizeof db, "%s/sim.db", dir);
    sim_fx fx;
    if (sim_fx_init(&fx, dir) < 0)
        abort();
    fx_client *a = fx_add_device(&fx, "15550001111"), *b = fx_add_device(&fx, "15550002222");
    fx_reply r;
    fx_http(&fx, "POST", "/admin/accounts", NULL, "{\"phone\":\"15550001111\",\"name\":\"A\"}", &r);
    fx_http(&fx, "POST", "/admin/groups", NULL,
            "{\"subject\":\"G\",\"creator\":\"15550002222\",\"participants\":[\"15550001111\"]}", &r);
    fx_client *c = fx_login(&fx, b);
    wb_arena scratch;
    wb_arena_init(&scratch, 0);
    wb_node *privacy = WB_NODE(&scratch, "privacy");
    WB_CHILD(privacy, "category", {"name", "last"}, {"value", "none"});
    if (!c || !fx_iq(c, &scratch, "set", "privacy", privacy))
        abort();
    wb_arena_free(&scratch);
    keys = *a;
    memset(&keys.to_server, 0, sizeof keys.to_server);
    memset(&keys.to_client, 0, sizeof keys.to_client);
    memset(&keys.arena, 0, sizeof keys.arena);
    sim_fx_free(&fx);
    FILE *f = fopen(db, "rb");
    uint8_t chunk[65536];
    size_t n;
    while (f && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        wb_buf_append(&tmpl, chunk, n);
    if (!f || !tmpl.len)
        abort();
    fclose(f);
}

static const char *const tables[] = {"meta", "accounts", "devices", "prekeys", "queue", "privacy",
                                     "blocklist", "groups", "group_members", "contacts", "media"};

/* Binds the fuzz value at index i: returns the bytes it used. */
static size_t bind_value(sqlite3_stmt *s, int i, const uint8_t *p, size_t n) {
    if (n < 2)
        return sqlite3_bind_null(s, i), n;
    uint8_t type = p[0] % 5, len = p[1];
    p += 2;
    n -= 2;
    if (len > n)
        len = (uint8_t)n;
    int64_t v = 0;
    switch (type) {
    case 0:
        sqlite3_bind_null(s, i);
        return 2;
    case 1:
        memcpy(&v, p, len < 8 ? len : 8);
        sqlite3_bind_int64(s, i, v);
        break;
    case 2:
        sqlite3_bind_text(s, i, (const char *)p, len, SQLITE_TRANSIENT);
        break;
    case 3:
        sqlite3_bind_blob(s, i, p, len, SQLITE_TRANSIENT);
        break;
    default:
        sqlite3_bind_int64(s, i, (int64_t)(int8_t)len); /* small numbers, negative too */
        return 2;
    }
    return 2 + len;
}

/* Applies one edit; returns the input bytes it used. */
static size_t edit(sqlite3 *h, const uint8_t *p, size_t n) {
    if (n < 4)
        return n;
    const char *t = tables[p[1] % (sizeof tables / sizeof *tables)];
    char sql[1024];
    sqlite3_stmt *row = NULL, *s = NULL;
    snprintf(sql, sizeof sql, "SELECT * FROM \"%s\" LIMIT 1 OFFSET %u", t, p[3]);
    if (sqlite3_prepare_v2(h, sql, -1, &row, NULL) != SQLITE_OK || sqlite3_step(row) != SQLITE_ROW) {
        sqlite3_finalize(row);
        return 4;
    }
    int cols = sqlite3_column_count(row), col = p[2] % cols, op = p[0] % 3;
    /* the row is matched on all its values (tables WITHOUT ROWID have no rowid) */
    char where[600] = "", set[200] = "";
    int w = 0;
    for (int c = 0; c < cols && w < (int)sizeof where - 60; c++)
        w += snprintf(where + w, sizeof where - (size_t)w, "%s\"%s\" IS ?%d", c ? " AND " : "",
                      sqlite3_column_name(row, c), c + 2);
    snprintf(set, sizeof set, "\"%s\"", sqlite3_column_name(row, col));
    if (op == 0)
        snprintf(sql, sizeof sql, "UPDATE \"%s\" SET %s = ?1 WHERE %s", t, set, where);
    else if (op == 1)
        snprintf(sql, sizeof sql, "DELETE FROM \"%s\" WHERE ?1 IS ?1 AND %s", t, where);
    else { /* a copy of the row with one value changed */
        int k = snprintf(sql, sizeof sql, "INSERT OR IGNORE INTO \"%s\" VALUES (", t);
        for (int c = 0; c < cols; c++)
            k += snprintf(sql + k, sizeof sql - (size_t)k, "%s?%d", c ? ", " : "", c == col ? 1 : c + 2);
        snprintf(sql + k, sizeof sql - (size_t)k, ")");
    }
    size_t used = 4;
    if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) == SQLITE_OK) {
        used += bind_value(s, 1, p + 4, n - 4);
        for (int c = 0; c < cols; c++)
            sqlite3_bind_value(s, c + 2, sqlite3_column_value(row, c));
        sqlite3_step(s);
    }
    sqlite3_finalize(s);
    sqlite3_finalize(row);
    return used;
}

/* Opens the state; when it opens, uses it a little (and with login, as the first companion). */
static void load(int login) {
    sim_fx fx;
    if (sim_fx_init(&fx, dir) < 0)
        return; /* refused, with a sentence: fine */
    fx_reply r;
    fx_http(&fx, "GET", "/admin/accounts", NULL, NULL, &r);
    fx_http(&fx, "GET", "/admin/stats", NULL, NULL, &r);
    fx_http(&fx, "GET", "/admin/info", NULL, NULL, &r);
    if (r.answered != 1)
        abort();
    fx_client *c = login ? fx_login(&fx, &keys) : NULL;
    if (c && !c->closed) {
        wb_arena scratch;
        wb_arena_init(&scratch, 0);
        fx_iq(c, &scratch, "set", "passive", wb_node_new(&scratch, "active"));
        wb_arena_free(&scratch);
    }
    sim_fx_free(&fx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    wb_log_set_level(WB_LOG_OFF);
    if (!tmpl.len)
        make_template();
    if (size < 1)
        return 0;
    if (data[0] % 2) {
        write_db(data + 1, size - 1);
    } else {
        write_db(tmpl.data, tmpl.len);
        sqlite3 *h;
        if (sqlite3_open(db, &h) != SQLITE_OK)
            abort();
        sqlite3_exec(h, "BEGIN", NULL, NULL, NULL);
        for (size_t pos = 1; pos < size;)
            pos += edit(h, data + pos, size - pos);
        sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
        sqlite3_close(h);
    }
    load(data[0] & 2);
    return 0;
}
