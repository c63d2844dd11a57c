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
/* The same in process CPU time (CLOCK_PROCESS_CPUTIME_ID) instead of wall-clock time: calls per
 * CPU-second, steadier than wall time on a machine shared with other work. */
double bench_measure_cpu(int (*op)(void *ctx), void *ctx, double min_seconds);
/* The process's CPU time in seconds. */
double bench_cpu_seconds(void);

/* Reads a whole file from datadir into a malloc'd buffer (caller frees). NULL on error. */
unsigned char *bench_read_file(const char *datadir, const char *name, size_t *len);

/* Family tables (bench_<family>.c), each terminated by {NULL, NULL}, listed in main.c. */
extern const wb_bench bench_noise[];
extern const wb_bench bench_codec[];
extern const wb_bench bench_signal[];
extern const wb_bench bench_ws[];

#endif
