/* Unit tests for host/core: buffers, the bounds-checked reader, encodings, errors. */
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

#include "check.h"
#include "core/budget.h"
#include "core/strmap.h"
#include "core/buf.h"
#include "core/enc.h"
#include "core/err.h"
#include "core/log.h"
#include "core/parallel.h"
#include <pthread.h>
#include <stdatomic.h>

static void test_buf_grows_past_initial_capacity(void) {
    wb_buf b = WB_BUF_INIT;
    for (int i = 0; i < 1000; i++)
        CHECK_EQ(wb_buf_put_be16(&b, (uint16_t)i), 0);
    CHECK_EQ(b.len, 2000);
    CHECK_EQ(b.data[1998], 999 >> 8);
    CHECK_EQ(b.data[1999], 999 & 0xff);
    wb_buf_free(&b);
    CHECK(b.data == NULL && b.len == 0);
}

/* How many bytes of the freed allocation at p (n bytes) still equal byte v, read through
 * /proc/self/mem (freed memory cannot be read directly: the sanitizers would stop us). The first
 * 16 bytes are skipped: the allocator keeps its own links there. -1: the memory was unmapped. */
static long stale_bytes(int mem, const uint8_t *p, size_t n, uint8_t v) {
    uint8_t copy[4096];
    if (n > sizeof copy)
        n = sizeof copy;
    if (pread(mem, copy, n, (off_t)(uintptr_t)p) != (ssize_t)n)
        return -1;
    long same = 0;
    for (size_t i = 16; i < n; i++)
        same += copy[i] == v;
    return same;
}

/* Grows a buffer holding a secret until it moves n times (a small allocation after each growth
 * keeps the allocator from extending it in place); returns how many bytes of the secret were
 * left behind in the old allocations. */
static long left_behind(wb_buf *b, int moves) {
    int mem = open("/proc/self/mem", O_RDONLY);
    CHECK(mem >= 0);
    uint8_t secret[40], pad[4096] = {0};
    memset(secret, 0xA5, sizeof secret);
    wb_buf_append(b, secret, sizeof secret);
    void *blockers[32] = {0};
    long stale = 0;
    int moved = 0;
    for (int i = 0; i < 32 && moved < moves; i++) {
        const uint8_t *old = b->data;
        size_t oldcap = b->cap;
        blockers[i] = malloc(16);
        CHECK_EQ(wb_buf_append(b, pad, oldcap < sizeof pad ? oldcap : sizeof pad), 0);
        if (b->data != old) {
            long n = stale_bytes(mem, old, sizeof secret, 0xA5);
            CHECK(n >= 0);
            stale += n;
            moved++;
        }
    }
    CHECK_EQ(moved, moves);
    CHECK_MEM(b->data, secret, sizeof secret); /* the bytes themselves moved along */
    for (int i = 0; i < 32; i++)
        free(blockers[i]);
    close(mem);
    return stale;
}

static void test_buf_secret_growth_leaves_no_copy(void) {
    wb_buf b = WB_BUF_SECRET_INIT;
    CHECK_EQ(left_behind(&b, 4), 0);
    wb_buf_free(&b);
    CHECK(b.secret); /* still marked for reuse */
    /* the check can fail: an ordinary buffer leaves the secret behind when realloc moves it */
    wb_buf plain = WB_BUF_INIT;
    CHECK(left_behind(&plain, 4) > 0);
    wb_buf_free(&plain);
}

static void test_budget_refuses_past_the_cap(void) {
    wb_budget b = {.cap = 100};
    size_t mine = 0, other = 0;
    CHECK_EQ(wb_budget_set(&b, &mine, 60), 0);
    CHECK_EQ(wb_budget_set(&b, &other, 50), WB_ETOOBIG);
    CHECK_EQ(other, 0);
    CHECK_EQ(wb_budget_set(&b, &other, 40), 0);
    CHECK_EQ(b.used, 100);
    CHECK_EQ(wb_budget_take(&b, 1), WB_ETOOBIG);
    CHECK_EQ(wb_budget_set(&b, &mine, 10), 0);
    CHECK_EQ(b.used, 50);
    CHECK_EQ(b.peak, 100);
    CHECK_EQ(b.refused, 2);
    CHECK_EQ(wb_budget_take(&b, SIZE_MAX), WB_ETOOBIG);
    CHECK_EQ(wb_budget_take(NULL, SIZE_MAX), 0);
}

static void test_reader_stops_at_end_and_reports_where(void) {
    const uint8_t in[] = {1, 2, 3, 4, 5};
    wb_reader r;
    wb_reader_init(&r, in, sizeof in);
    CHECK_EQ(wb_rd_u8(&r), 1);
    CHECK_EQ(wb_rd_be24(&r), 0x020304);
    CHECK_EQ(wb_rd_be16(&r), 0); /* only one byte left */
    CHECK_EQ(r.err, WB_ETRUNC);
    CHECK_EQ(r.err_pos, 4);
    CHECK(wb_rd_bytes(&r, 0) == NULL); /* sticky */
    CHECK_EQ(wb_rd_remaining(&r), 0);
}

static void test_reader_refuses_length_that_would_wrap(void) {
    const uint8_t in[] = {1, 2};
    wb_reader r;
    wb_reader_init(&r, in, sizeof in);
    wb_rd_u8(&r);
    CHECK(wb_rd_bytes(&r, SIZE_MAX) == NULL);
    CHECK_EQ(r.err, WB_ETRUNC);
}

static void test_hex_and_base64_round_trip(void) {
    const uint8_t in[] = {0x00, 0xff, 0x10, 0xab, 0xcd};
    wb_buf h = WB_BUF_INIT, d = WB_BUF_INIT, b = WB_BUF_INIT, u = WB_BUF_INIT;
    CHECK_EQ(wb_hex_encode(&h, in, sizeof in), 0);
    CHECK_EQ(h.len, 10);
    CHECK_MEM(h.data, "00ff10abcd", 10);
    CHECK_EQ(wb_hex_decode(&d, (const char *)h.data, h.len), 0);
    CHECK_EQ(d.len, sizeof in);
    CHECK_MEM(d.data, in, sizeof in);
    CHECK_EQ(wb_hex_decode(&d, "0g", 2), WB_EMALFORMED);
    CHECK_EQ(wb_b64_encode(&b, in, sizeof in, WB_B64_STD), 0);
    CHECK_EQ(b.len, 8);
    CHECK_MEM(b.data, "AP8Qq80=", 8);
    CHECK_EQ(wb_b64_decode(&u, (const char *)b.data, b.len, WB_B64_STD), 0);
    CHECK_EQ(u.len, sizeof in);
    CHECK_MEM(u.data, in, sizeof in);
    CHECK_EQ(wb_b64_decode(&u, "A*==", 4, WB_B64_STD), WB_EMALFORMED);
    wb_buf_free(&h);
    wb_buf_free(&d);
    wb_buf_free(&b);
    wb_buf_free(&u);
}

static void test_error_names_and_detail(void) {
    CHECK_STR(wb_errname(WB_ETRUNC), "WB_ETRUNC");
    CHECK_STR(wb_strerror(WB_EAUTH), "authentication failed");
    CHECK_STR(wb_strerror(-9999), "unknown error");
    wb_error e;
    CHECK_EQ(wb_error_set(&e, WB_EMALFORMED, 17, "bad tag %d", 251), WB_EMALFORMED);
    CHECK_EQ(e.offset, 17);
    CHECK_STR(e.what, "bad tag 251");
}

static void test_fingerprint_differs_for_different_keys(void) {
    uint8_t a[32] = {1}, b[32] = {2};
    char fa[9], fb[9];
    wb_log_fingerprint(fa, a, 32);
    wb_log_fingerprint(fb, b, 32);
    CHECK(strlen(fa) == 8 && strcmp(fa, fb) != 0);
}

static void test_strmap_puts_gets_deletes_through_growth(void) {
    wb_strmap m;
    wb_strmap_init(&m);
    char key[32];
    static int values[5000];
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "user%d@s.whatsapp.net", i);
        void *old = &m;
        CHECK_EQ(wb_strmap_put(&m, key, &values[i], &old), 0);
        CHECK(old == NULL);
    }
    CHECK_EQ(wb_strmap_count(&m), 5000);
    for (int i = 0; i < 5000; i += 2) { /* delete the even ones */
        snprintf(key, sizeof key, "user%d@s.whatsapp.net", i);
        CHECK(wb_strmap_del(&m, key) == &values[i]);
    }
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "user%d@s.whatsapp.net", i);
        CHECK(wb_strmap_get(&m, key) == (i % 2 ? &values[i] : NULL));
    }
    /* tombstones are reused and dropped: churn does not grow the table without end */
    for (int round = 0; round < 20; round++)
        for (int i = 0; i < 5000; i += 2) {
            snprintf(key, sizeof key, "user%d@s.whatsapp.net", i);
            wb_strmap_put(&m, key, &values[i], NULL);
            wb_strmap_del(&m, key);
        }
    CHECK(m.cap <= 16384);
    void *old = NULL;
    CHECK_EQ(wb_strmap_put(&m, "user1@s.whatsapp.net", &values[0], &old), 0);
    CHECK(old == &values[1]); /* a replace hands back the old value */
    size_t it = 0, n = 0;
    const char *k;
    void *v;
    while (wb_strmap_next(&m, &it, &k, &v))
        n++;
    CHECK_EQ(n, 2500);
    wb_strmap_free(&m);
}

/* Each index exactly once, whatever the size; nested calls run inline; a second thread's call
 * waits its turn; the pool can be stopped and made again. */
typedef struct par_ctx {
    atomic_int *hits;
    atomic_int nested;
} par_ctx;

static void par_mark(void *ctx, size_t i) {
    par_ctx *p = ctx;
    atomic_fetch_add(&p->hits[i], 1);
}

static void par_nested(void *ctx, size_t i) {
    par_ctx *p = ctx;
    atomic_fetch_add(&p->hits[i], 1);
    if (i == 0) { /* from inside fn: runs inline on this thread, and completes */
        atomic_int inner[8] = {0};
        par_ctx q = {.hits = inner};
        wb_parallel_for(8, par_mark, &q);
        int all = 1;
        for (int k = 0; k < 8; k++)
            all &= inner[k] == 1;
        atomic_store(&p->nested, all);
    }
}

static void *par_other_thread(void *arg) {
    par_ctx *p = arg;
    for (int r = 0; r < 50; r++)
        wb_parallel_for(100, par_mark, p);
    return NULL;
}

/* begin/claim/end: the caller works meanwhile and takes items itself; each item runs once; the
 * job is the caller's again after end. */
typedef struct bg_ctx {
    atomic_int hits[200];
    atomic_int done[200];
} bg_ctx;

static void bg_mark(void *ctx, size_t i) {
    bg_ctx *b = ctx;
    atomic_fetch_add(&b->hits[i], 1);
    atomic_store(&b->done[i], 1);
}

static void test_parallel_job_in_the_background(void) {
    for (int round = 0; round < 20; round++) {
        bg_ctx *b = calloc(1, sizeof *b);
        wb_parallel_job j;
        wb_parallel_begin(&j, 200, bg_mark, b);
        /* in order, as the inbox takes them: wait for each, taking others meanwhile */
        for (size_t i = 0; i < 200; i++)
            while (!atomic_load(&b->done[i])) {
                size_t k;
                if (wb_parallel_claim(&j, &k))
                    bg_mark(b, k);
            }
        /* a nested wb_parallel_for while owning the pool runs inline */
        atomic_int inner[8] = {0};
        par_ctx q = {.hits = inner};
        wb_parallel_for(8, par_mark, &q);
        for (int k = 0; k < 8; k++)
            CHECK_EQ(inner[k], 1);
        wb_parallel_end(&j);
        for (size_t i = 0; i < 200; i++)
            CHECK_EQ(b->hits[i], 1);
        free(b);
    }
    wb_parallel_job none;
    wb_parallel_begin(&none, 0, bg_mark, NULL);
    wb_parallel_end(&none);
    wb_parallel_shutdown();
}

static void test_parallel_for_runs_each_index_once(void) {
    static const size_t sizes[] = {0, 1, 3, 4, 5, 64, 1000, 100000};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        size_t n = sizes[s];
        atomic_int *hits = calloc(n ? n : 1, sizeof *hits);
        par_ctx p = {.hits = hits};
        for (int round = 0; round < 3; round++)
            wb_parallel_for(n, par_mark, &p);
        for (size_t i = 0; i < n; i++)
            CHECK_EQ(hits[i], 3);
        free(hits);
    }
    CHECK(wb_parallel_threads() >= 1);

    atomic_int hits[16] = {0};
    par_ctx p = {.hits = hits};
    wb_parallel_for(16, par_nested, &p);
    CHECK_EQ(atomic_load(&p.nested), 1);

    /* two callers at once: each job whole */
    atomic_int a[100] = {0}, b[100] = {0};
    par_ctx pa = {.hits = a}, pb = {.hits = b};
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, par_other_thread, &pa), 0);
    par_other_thread(&pb);
    pthread_join(t, NULL);
    for (int i = 0; i < 100; i++) {
        CHECK_EQ(a[i], 50);
        CHECK_EQ(b[i], 50);
    }
    wb_parallel_shutdown();
    atomic_int again[10] = {0};
    par_ctx pc = {.hits = again};
    wb_parallel_for(10, par_mark, &pc); /* a new pool */
    for (int i = 0; i < 10; i++)
        CHECK_EQ(again[i], 1);
    wb_parallel_shutdown();
}

int main(void) {
    RUN(test_buf_grows_past_initial_capacity);
    RUN(test_buf_secret_growth_leaves_no_copy);
    RUN(test_budget_refuses_past_the_cap);
    RUN(test_reader_stops_at_end_and_reports_where);
    RUN(test_reader_refuses_length_that_would_wrap);
    RUN(test_hex_and_base64_round_trip);
    RUN(test_error_names_and_detail);
    RUN(test_fingerprint_differs_for_different_keys);
    RUN(test_strmap_puts_gets_deletes_through_growth);
    RUN(test_parallel_for_runs_each_index_once);
    RUN(test_parallel_job_in_the_background);
    return check_summary();
}
