/* Search benchmark (wabot only: Baileys has no search; wacli, the other local store people use,
 * searches with SQLite FTS5 too, as wabot does).
 *
 *   search   100,000 messages in a store on disk (WAL, as wabot runs: 200 chats, texts of 3 to
 *            30 words drawn from a 20,000-word vocabulary with a Zipf-like skew, one in ten an
 *            image caption), then 4,000 searches as `wabot messages search` runs them
 *            (wb_store_messages_search, the 20 newest matches, each row's WebMessageInfo read):
 *            a rare word, a common word, two words, a prefix, a word in one chat, a word from
 *            one author. Printed as p50 and p99 per query in ms; the value returned is the
 *            queries per second. The goal is p99 <= 5 ms. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "store/message_store.h"
#include "store/store.h"

#define MESSAGES 100000
#define CHATS 200
#define VOCAB 20000
#define QUERIES 4000

static unsigned long long rng = 88172645463325252ull;
static unsigned rnd(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng >> 11);
}

/* Word w of the vocabulary: letters from its number, 3 to 10 of them. */
static void word(unsigned w, char *out) {
    static const char letters[] = "etaoinshrdlcumwfgypbvkjxqz";
    int n = 3 + (int)(w % 8);
    for (int i = 0; i < n; i++) {
        out[i] = letters[(w + (unsigned)i * 7919u) % 26];
        w = w / 3 + (unsigned)i * 31u;
    }
    out[n] = '\0';
}

/* A word index skewed towards the small ones (common words). */
static unsigned zipf(void) {
    double u = (rnd() % 1000000) / 1000000.0;
    return (unsigned)(VOCAB * u * u * u) % VOCAB;
}

typedef struct hits {
    unsigned rows;
    size_t bytes;
} hits;

static int take(void *ud, const wb_message_row *m) {
    hits *h = ud;
    h->rows++;
    h->bytes += m->info_len + (m->text ? strlen(m->text) : 0);
    return 0;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double search_bench(const char *datadir) {
    (void)datadir;
    char dir[] = "/tmp/wb_bench_search.XXXXXX", path[64];
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/wabot.db", dir);
    wb_store *st;
    if (wb_store_open(&st, path, 0, NULL) < 0)
        return -1;
    double t0 = bench_seconds();
    wb_store_begin(st);
    char text[512], chat[64], sender[64], id[32], w[16];
    uint8_t info[96];
    memset(info, 0x5a, sizeof info);
    for (int i = 0; i < MESSAGES; i++) {
        int n = 3 + (int)(rnd() % 28);
        size_t len = 0;
        for (int k = 0; k < n; k++) {
            word(zipf(), w);
            len += (size_t)snprintf(text + len, sizeof text - len, "%s%s", k ? " " : "", w);
        }
        unsigned c = rnd() % CHATS;
        snprintf(chat, sizeof chat, "1555%07u@s.whatsapp.net", c);
        snprintf(sender, sizeof sender, "1555%07u@s.whatsapp.net", i % 3 ? c : 0);
        snprintf(id, sizeof id, "3EB0%018X", (unsigned)i);
        wb_message_row r = {.chat = chat, .sender = sender, .id = id, .from_me = i % 3 == 0,
                            .ts = 1700000000 + i, .text = text, .info = info,
                            .info_len = sizeof info};
        int64_t seq;
        if (wb_store_message_add(st, &r, 0, &seq) < 0) {
            wb_store_rollback(st);
            wb_store_close(st);
            return -1;
        }
    }
    wb_store_commit(st);
    double loaded = bench_seconds() - t0;
    /* the index, as the client builds it when idle (migration 0005): timed on its own */
    double t1 = bench_seconds();
    int more = 1;
    while (more)
        if (wb_store_search_index(st, 1024, &more) < 0) {
            wb_store_close(st);
            return -1;
        }
    double indexed = bench_seconds() - t1;
    /* the queries: common and rare words, pairs, prefixes, filters */
    double *ms = malloc(QUERIES * sizeof *ms);
    unsigned long rows = 0;
    for (int q = 0; q < QUERIES && ms; q++) {
        char query[64], a[16], b[16], filter[64];
        wb_message_search s = {.query = query};
        word(q % 6 == 1 ? rnd() % 50 : zipf(), a);
        switch (q % 6) {
        case 2:
            word(zipf(), b);
            snprintf(query, sizeof query, "%s %s", a, b);
            break;
        case 3:
            snprintf(query, sizeof query, "%.3s*", a);
            break;
        case 4:
            snprintf(filter, sizeof filter, "1555%07u@s.whatsapp.net", rnd() % CHATS);
            snprintf(query, sizeof query, "%s", a);
            s.chat = filter;
            break;
        case 5:
            snprintf(filter, sizeof filter, "1555%07u@s.whatsapp.net", rnd() % CHATS);
            snprintf(query, sizeof query, "%s", a);
            s.sender = filter;
            break;
        default:
            snprintf(query, sizeof query, "%s", a);
        }
        hits h = {0};
        double t = bench_seconds();
        if (wb_store_messages_search(st, &s, take, &h) < 0) {
            free(ms);
            ms = NULL;
            break;
        }
        ms[q] = (bench_seconds() - t) * 1000;


        rows += h.rows;
    }
    double total = 0;
    if (ms) {
        for (int q = 0; q < QUERIES; q++)
            total += ms[q];
        qsort(ms, QUERIES, sizeof *ms, cmp_double);
        fprintf(stderr, "search: %d queries over %d messages (stored in %.1f s, indexed in %.1f s "
                        "in steps of 1024), p50 %.3f ms, p99 %.3f ms, max %.3f ms, %.1f rows a "
                        "query\n",
                QUERIES, MESSAGES, loaded, indexed, ms[QUERIES / 2], ms[QUERIES * 99 / 100],
                ms[QUERIES - 1], (double)rows / QUERIES);
    }
    free(ms);
    wb_store_close(st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "search: cannot remove %s\n", dir);
    return total > 0 ? QUERIES / (total / 1000) : -1;
}

const wb_bench bench_search[] = {
    {"search", search_bench},
    {NULL, NULL},
};
