/* wb_bench: runs the named benchmark (see bench.h) and prints "NAME ops_per_second". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "crypto/random.h"

/* Family tables (bench_<family>.c); add a family's table before the NULL. */
static const wb_bench *const families[] = {
    bench_noise,
    bench_codec,
    bench_signal,
    bench_ws,
    bench_runtime,
    bench_search,
    bench_crypto,
    NULL,
};

static double clock_seconds(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double bench_seconds(void) { return clock_seconds(CLOCK_MONOTONIC); }

/* Runs op in growing batches until min_seconds have passed on clock. */
static double measure_on(double (*clk)(void), int (*op)(void *ctx), void *ctx,
                         double min_seconds) {
    for (int i = 0; i < 100; i++) /* warm caches and branch predictors */
        if (op(ctx))
            return -1;
    size_t batch = 16, total = 0;
    double start = clk(), elapsed = 0;
    while (elapsed < min_seconds) {
        for (size_t i = 0; i < batch; i++)
            if (op(ctx))
                return -1;
        total += batch;
        elapsed = clk() - start;
        if (elapsed < min_seconds / 10)
            batch *= 2;
    }
    return (double)total / elapsed;
}

double bench_measure(int (*op)(void *ctx), void *ctx, double min_seconds) {
    return measure_on(bench_seconds, op, ctx, min_seconds);
}

unsigned char *bench_read_file(const char *datadir, const char *name, size_t *len) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", datadir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *p = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    fclose(f);
    if (p)
        *len = (size_t)n;
    return p;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: wb_bench NAME [DATADIR]\nbenchmarks:");
        for (const wb_bench *const *f = families; *f; f++)
            for (const wb_bench *b = *f; b->name; b++)
                fprintf(stderr, " %s", b->name);
        fputc('\n', stderr);
        return 2;
    }
    const char *datadir = argc > 2 ? argv[2] : "tests/bench/data";
    if (wb_crypto_init() < 0)
        return 1;
    for (const wb_bench *const *f = families; *f; f++)
        for (const wb_bench *b = *f; b->name; b++)
            if (strcmp(b->name, argv[1]) == 0) {
                double r = b->fn(datadir);
                if (r < 0) {
                    fprintf(stderr, "wb_bench: %s failed\n", argv[1]);
                    return 1;
                }
                printf("%s %.1f\n", argv[1], r);
                return 0;
            }
    fprintf(stderr, "wb_bench: no benchmark named %s\n", argv[1]);
    return 2;
}
