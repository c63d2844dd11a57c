/* Unit tests for migration 0004 and what it serves: rows stored under schema 3 survive it and are
 * indexed, full-text search (words, prefixes, accents, filters, newest first, hostile queries),
 * the index following rewrites (edits, revokes) and deletions, chats with their timers. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "store/contact_store.h"
#include "store/message_store.h"
#include "store/store.h"
#include "store/store_int.h"

static void exec(wb_store *st, const char *sql) {
    char *msg = NULL;
    if (sqlite3_exec(wb_store_db(st), sql, NULL, NULL, &msg) != SQLITE_OK)
        fprintf(stderr, "exec: %s\n", msg ? msg : "?");
    sqlite3_free(msg);
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

typedef struct hits {
    char ids[32][32];
    size_t n;
} hits;

static int collect(void *ud, const wb_message_row *m) {
    hits *h = ud;
    if (h->n < 32)
        snprintf(h->ids[h->n++], sizeof h->ids[0], "%s", m->id);
    return 0;
}

static size_t search(wb_store *st, const char *query, const char *chat, hits *h) {
    memset(h, 0, sizeof *h);
    wb_message_search q = {.query = query, .chat = chat};
    int rc = wb_store_messages_search(st, &q, collect, h);
    return rc < 0 ? (size_t)-1 : h->n;
}

static int64_t add(wb_store *st, const char *chat, const char *sender, const char *id,
                   int64_t ts, const char *text) {
    wb_message_row r = {.chat = chat, .sender = sender, .id = id, .ts = ts, .text = text,
                        .info = (const uint8_t *)"", .info_len = 0};
    int64_t seq = 0;
    CHECK_EQ(wb_store_message_add(st, &r, 0, &seq), 0);
    return seq;
}

static void test_store_kinds_migration_keeps_and_indexes_what_schema_3_stored(void) {
    char path[] = "/tmp/wb_test_store_kinds.XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    unlink(path);
    /* a database as wabot with migrations 0001-0003 left it */
    wb_embed_file three[4] = {wb_store_migrations[0], wb_store_migrations[1], wb_store_migrations[2],
                              {NULL, NULL, 0}};
    wb_store *st;
    CHECK_EQ(wb_store_open_schema(&st, path, 0, three, NULL), 0);
    CHECK_EQ(wb_store_schema_version(st), 3);
    exec(st, "INSERT INTO messages (chat, sender, id, from_me, ts, text, info, pending) VALUES "
             "('a@s.whatsapp.net', 'a@s.whatsapp.net', 'OLD1', 0, 100, 'Café au lait tomorrow', x'0a00', 1),"
             "('a@s.whatsapp.net', 'me@s.whatsapp.net', 'OLD2', 1, 101, NULL, x'0a01', 0);"
             "INSERT INTO chats (jid, name, last_ts, unread) VALUES ('a@s.whatsapp.net', 'Ann', 101, 1);"
             "INSERT INTO bot_kv (ns, key, value, updated_at) VALUES ('bot', 'k', 'v', 1);");
    wb_store_close(st);
    /* opened by this wabot: migrated, nothing lost, the old text searchable */
    CHECK_EQ(wb_store_open(&st, path, 0, NULL), 0);
    CHECK_EQ(wb_store_schema_version(st), wb_store_schema_latest());
    CHECK_EQ(exec_int(st, "SELECT count(*) FROM messages"), 2);
    CHECK_EQ(exec_int(st, "SELECT pending FROM messages WHERE id = 'OLD1'"), 1);
    CHECK_EQ(exec_int(st, "SELECT count(*) FROM bot_kv"), 1);
    CHECK_EQ(exec_int(st, "SELECT unread FROM chats"), 1);
    CHECK_EQ(exec_int(st, "SELECT revoked + (target IS NULL) FROM messages WHERE id = 'OLD2'"), 1);
    hits h;
    CHECK_EQ(search(st, "cafe", NULL, &h), 1);
    CHECK_STR(h.ids[0], "OLD1");
    CHECK_EQ(exec_int(st, "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'lait'"), 1);
    /* FTS5's own check of the index against the rows */
    exec(st, "INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')");
    CHECK_EQ(sqlite3_errcode(wb_store_db(st)), SQLITE_OK);
    wb_store_close(st);
    unlink(path);
}

static void test_store_kinds_search_finds_words_newest_first(void) {
    wb_store *st;
    CHECK_EQ(wb_store_open(&st, ":memory:", 0, NULL), 0);
    add(st, "a@s.whatsapp.net", "a@s.whatsapp.net", "M1", 100, "lunch at noon?");
    add(st, "a@s.whatsapp.net", "me@s.whatsapp.net", "M2", 101, "Lunch sounds GOOD");
    add(st, "g@g.us", "b@s.whatsapp.net", "M3", 102, "photo of the lunchbox");
    add(st, "g@g.us", "b@s.whatsapp.net", "M4", 103, NULL);
    add(st, "g@g.us", "c@s.whatsapp.net", "M5", 104, "naïve résumé");
    hits h;
    CHECK_EQ(search(st, "lunch", NULL, &h), 2);
    CHECK_STR(h.ids[0], "M2"); /* newest first */
    CHECK_STR(h.ids[1], "M1");
    CHECK_EQ(search(st, "lunch*", NULL, &h), 3);
    CHECK_STR(h.ids[0], "M3");
    CHECK_EQ(search(st, "lunch*", "g@g.us", &h), 1);
    CHECK_EQ(search(st, "LUNCH   good", NULL, &h), 1);
    CHECK_EQ(search(st, "resume naive", NULL, &h), 1);
    CHECK_EQ(search(st, "dinner", NULL, &h), 0);
    /* filters: author, time */
    memset(&h, 0, sizeof h);
    wb_message_search q = {.query = "lunch*", .sender = "b@s.whatsapp.net"};
    CHECK_EQ(wb_store_messages_search(st, &q, collect, &h), 0);
    CHECK_EQ(h.n, 1);
    memset(&h, 0, sizeof h);
    q = (wb_message_search){.query = "lunch*", .after = 101, .limit = 1};
    CHECK_EQ(wb_store_messages_search(st, &q, collect, &h), 0);
    CHECK_EQ(h.n, 1);
    CHECK_STR(h.ids[0], "M3");
    /* what would be FTS5 syntax is text: no query can be a syntax error (a query of no words
     * is refused as such) */
    static const char *const hostile[] = {"\"", "lunch\"", "AND", "a OR", "NEAR(", "-x", "^",
                                          "col:lunch", "*", "(", "lunch) OR (x", "\"\"\"*", "**"};
    for (size_t i = 0; i < sizeof hostile / sizeof *hostile; i++) {
        wb_message_search hq = {.query = hostile[i]};
        int rc = wb_store_messages_search(st, &hq, collect, &h);
        CHECK(rc == 0 || rc == WB_EINVAL);
    }
    CHECK_EQ(search(st, "lunch)", NULL, &h), 2);
    CHECK_EQ(search(st, "", NULL, &h), (size_t)-1);
    wb_buf b = WB_BUF_INIT;
    CHECK_EQ(wb_store_fts_query("  ", &b), WB_EINVAL);
    wb_buf_reset(&b);
    CHECK_EQ(wb_store_fts_query("a\"b c* *", &b), 0);
    CHECK_STR((const char *)b.data, "{text}: (\"a\"\"b\" \"c\"*)");
    wb_buf_reset(&b);
    CHECK_EQ(wb_store_fts_query("*", &b), WB_EINVAL);
    wb_buf_free(&b);
    wb_store_close(st);
}

static void test_store_kinds_index_follows_rewrites_and_deletes(void) {
    wb_store *st;
    CHECK_EQ(wb_store_open(&st, ":memory:", 0, NULL), 0);
    int64_t seq = add(st, "a@s.whatsapp.net", "a@s.whatsapp.net", "E1", 100, "see you at eight");
    hits h;
    CHECK_EQ(search(st, "eight", NULL, &h), 1);
    /* an edit: the new words are found, the old ones not */
    CHECK_EQ(wb_store_message_rewrite(st, seq, "see you at nine", (const uint8_t *)"x", 1, 0), 0);
    CHECK_EQ(search(st, "eight", NULL, &h), 0);
    CHECK_EQ(search(st, "nine", NULL, &h), 1);
    /* a revoke: nothing is found, the row says so */
    CHECK_EQ(wb_store_message_rewrite(st, seq, NULL, (const uint8_t *)"", 0, 1), 0);
    CHECK_EQ(search(st, "nine", NULL, &h), 0);
    CHECK_EQ(search(st, "see", NULL, &h), 0);
    CHECK_EQ(exec_int(st, "SELECT revoked FROM messages WHERE id = 'E1'"), 1);
    int64_t s2 = add(st, "a@s.whatsapp.net", "a@s.whatsapp.net", "E2", 101, "gone soon");
    CHECK_EQ(search(st, "gone", NULL, &h), 1);
    exec(st, "DELETE FROM messages WHERE id = 'E2'");
    CHECK_EQ(search(st, "gone", NULL, &h), 0);
    (void)s2;
    exec(st, "INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')");
    CHECK_EQ(sqlite3_errcode(wb_store_db(st)), SQLITE_OK);
    /* changes: listed by target, left out on request */
    wb_message_row r = {.chat = "a@s.whatsapp.net", .sender = "a@s.whatsapp.net", .id = "R1",
                        .ts = 102, .info = (const uint8_t *)"", .target = "E1"};
    CHECK_EQ(wb_store_message_add(st, &r, 0, &seq), 0);
    memset(&h, 0, sizeof h);
    wb_message_query q = {.chat = "a@s.whatsapp.net", .target = "E1"};
    CHECK_EQ(wb_store_messages_each(st, &q, collect, &h), 0);
    CHECK_EQ(h.n, 1);
    memset(&h, 0, sizeof h);
    q = (wb_message_query){.no_changes = 1};
    CHECK_EQ(wb_store_messages_each(st, &q, collect, &h), 0);
    CHECK_EQ(h.n, 1);
    CHECK_STR(h.ids[0], "E1");
    wb_store_close(st);
}

/* Migration 0005: rows wait for the index until wb_store_search_index (or a search) takes them,
 * in steps; a row edited or deleted before it was indexed goes in with its current text (or not
 * at all), one edited after goes out and in again; the index stays consistent throughout. */
static int fts_hits(wb_store *st, const char *word) {
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH '%s'", word);
    return exec_int(st, sql);
}

static void test_store_search_index_deferred_in_steps(void) {
    wb_store *st;
    CHECK_EQ(wb_store_open(&st, ":memory:", 0, NULL), 0);
    char id[16], text[32];
    for (int i = 0; i < 10; i++) {
        snprintf(id, sizeof id, "D%d", i);
        snprintf(text, sizeof text, "word%d common", i);
        add(st, "a@s.whatsapp.net", "a@s.whatsapp.net", id, 100 + i, text);
    }
    add(st, "a@s.whatsapp.net", "a@s.whatsapp.net", "NOTEXT", 120, NULL);
    CHECK_EQ(fts_hits(st, "common"), 0); /* stored, not indexed yet */
    int more = 0;
    CHECK_EQ(wb_store_search_index(st, 4, &more), 0);
    CHECK_EQ(more, 1);
    CHECK_EQ(fts_hits(st, "common"), 4);
    /* an edit of an indexed row and of one not indexed yet; a delete of one not indexed yet */
    CHECK_EQ(exec_int(st, "SELECT indexed FROM search_state"), 4);
    exec(st, "UPDATE messages SET text = 'changed common' WHERE id = 'D1'");
    exec(st, "UPDATE messages SET text = 'later common' WHERE id = 'D7'");
    exec(st, "DELETE FROM messages WHERE id = 'D8'");
    CHECK_EQ(fts_hits(st, "word1"), 0);
    CHECK_EQ(fts_hits(st, "changed"), 1);
    CHECK_EQ(fts_hits(st, "later"), 0); /* waits with its row */
    CHECK_EQ(wb_store_search_index(st, 4, &more), 0);
    CHECK_EQ(more, 1);
    CHECK_EQ(wb_store_search_index(st, 4, &more), 0);
    CHECK_EQ(more, 0);
    CHECK_EQ(fts_hits(st, "common"), 9);
    CHECK_EQ(fts_hits(st, "later"), 1);
    CHECK_EQ(fts_hits(st, "word7"), 0);
    CHECK_EQ(fts_hits(st, "word8"), 0);
    exec(st, "INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')");
    CHECK_EQ(sqlite3_errcode(wb_store_db(st)), SQLITE_OK);
    /* a search takes whatever is left first */
    add(st, "a@s.whatsapp.net", "a@s.whatsapp.net", "N1", 130, "fresh words");
    hits h;
    CHECK_EQ(search(st, "fresh", NULL, &h), 1);
    CHECK_EQ(wb_store_search_index(st, 0, &more), 0);
    CHECK_EQ(more, 0);
    wb_store_close(st);
}

typedef struct chats {
    wb_chat_row v[8];
    size_t n;
} chats;

static int take_chat(void *ud, const wb_chat_row *c) {
    chats *cs = ud;
    if (cs->n < 8)
        cs->v[cs->n++] = *c;
    return 0;
}

static void test_store_kinds_chats_with_names_counts_and_timers(void) {
    wb_store *st;
    CHECK_EQ(wb_store_open(&st, ":memory:", 0, NULL), 0);
    CHECK_EQ(wb_store_chat_touch(st, "a@s.whatsapp.net", 100, 1), 1);
    CHECK_EQ(wb_store_chat_touch(st, "g@g.us", 200, 0), 1);
    CHECK_EQ(wb_store_chat_name_put(st, "g@g.us", "Team"), 0);
    CHECK_EQ(wb_store_contact_name_put(st, "a@s.whatsapp.net", "Ann", 1), 1);
    add(st, "a@s.whatsapp.net", "a@s.whatsapp.net", "X1", 100, "hi");
    CHECK_EQ(wb_store_chat_ephemeral_put(st, "a@s.whatsapp.net", 86400, 50), 1);
    CHECK_EQ(wb_store_chat_ephemeral_put(st, "a@s.whatsapp.net", 86400, 50), 0);
    CHECK_EQ(wb_store_chat_ephemeral_put(st, "a@s.whatsapp.net", 0, 40), 0); /* an older one */
    chats cs = {0};
    CHECK_EQ(wb_store_chats_each(st, take_chat, &cs), 0);
    CHECK_EQ(cs.n, 2);
    CHECK_STR(cs.v[0].jid, "g@g.us"); /* the most recent first */
    CHECK_STR(cs.v[0].name, "Team");
    CHECK_STR(cs.v[1].name, "Ann");   /* a contact's push name */
    CHECK_EQ(cs.v[1].ephemeral, 86400);
    CHECK_EQ(cs.v[1].messages, 1);
    CHECK_EQ(cs.v[1].unread, 1);
    wb_store_close(st);
}

int main(void) {
    RUN(test_store_kinds_migration_keeps_and_indexes_what_schema_3_stored);
    RUN(test_store_kinds_search_finds_words_newest_first);
    RUN(test_store_kinds_index_follows_rewrites_and_deletes);
    RUN(test_store_kinds_chats_with_names_counts_and_timers);
    RUN(test_store_search_index_deferred_in_steps);
    return check_summary();
}
