/* Benchmarks: wb_bench NAME prints the throughput of one named benchmark as
 * "NAME <ops per second>" on stdout. tests/bench/run pairs it with the Node side
 * (node/bench.mjs NAME) on the same inputs and prints the ratio. */
#ifndef WB_BENCH_H
#define WB_BENCH_H

#include <stddef.h>

/* One benchmark: set up from the shared input files in datadir (tests/bench/data), then
 * measure and return operations per second, or a negative value on failure. */
typedef double (*wb_bench_fn)(const char *datadir);

typedef struct wb_bench {
    const char *name;
    wb_bench_fn fn;
} wb_bench;

/* Runs op(ctx) repeatedly for at least min_seconds (in growing batches, after a warm-up) and
 * returns calls per second. op returns 0, or non-zero to abort (then the result is -1). */
double bench_measure(int (*op)(void *ctx), void *ctx, double min_seconds);
/* Wall-clock seconds (CLOCK_MONOTONIC), for benchmarks that time their own loops.
 * Every benchmark counts wall-clock time, on both sides: process CPU time would count V8's GC and
 * compiler helper threads, which spin on an idle core, against the Node side (a curve25519-js
 * verify measured 25 ms of wall time but 45 ms of process CPU time on this machine). */
double bench_seconds(void);

/* Reads a whole file from datadir into a malloc'd buffer (caller frees). NULL on error. */
unsigned char *bench_read_file(const char *datadir, const char *name, size_t *len);

/* Family tables (bench_<family>.c), each terminated by {NULL, NULL}, listed in main.c. */
extern const wb_bench bench_noise[];
extern const wb_bench bench_codec[];
extern const wb_bench bench_signal[];
extern const wb_bench bench_ws[];
extern const wb_bench bench_runtime[];
extern const wb_bench bench_search[];
extern const wb_bench bench_crypto[];

#endif
