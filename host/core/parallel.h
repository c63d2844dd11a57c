/* Running independent pieces of CPU work on several cores: wb_parallel_for calls fn(ctx, i) for
 * every i below n, spread over the calling thread and a small pool of worker threads, and
 * returns when every call has returned.
 *
 * Why: most of what wabot does is sequential by nature (a ratchet step needs the one before;
 * a store transaction is one connection's), but some work is not: the signatures of a burst of
 * group messages are checked one by one otherwise, and each is ~20 us of Ed25519 (~50 us for a
 * key seen once, crypto/ed25519_verify.h), close to the rest of a message's handling. Those
 * checks are the kind of work this is for: pure functions of their own inputs, with their own
 * outputs, no store, no allocator-heavy state, no I/O.
 *
 * The pool is made on first use, one thread fewer than the processors online (or than the
 * environment's WABOT_THREADS; 1 turns the pool off), at most WB_PARALLEL_MAX_WORKERS, and lives until the process ends (wb_parallel_shutdown stops it
 * earlier, for leak checkers). Work smaller than a few items, a pool that cannot be made, or a
 * call from inside fn all run on the calling thread, in order: callers never have to care
 * whether the work ran in parallel. One wb_parallel_for at a time per process: a second caller
 * on another thread waits for the first (wabot has one loop thread; this is a guard). */
#ifndef WB_CORE_PARALLEL_H
#define WB_CORE_PARALLEL_H

#include <stdatomic.h>
#include <stddef.h>

#define WB_PARALLEL_MAX_WORKERS 7

typedef void (*wb_parallel_fn)(void *ctx, size_t i);

/* Calls fn(ctx, i) for each i in [0, n), in any order and on any of the pool's threads (the
 * caller's included), and returns when all have returned. fn must touch only what item i owns. */
void wb_parallel_for(size_t n, wb_parallel_fn fn, void *ctx);

/* The same work started in the background, for a caller with work of its own meanwhile: after
 * wb_parallel_begin the pool's workers take items while the caller goes on; the caller may take
 * items too (wb_parallel_claim: run fn(ctx, *i) yourself), typically while it waits for one it
 * needs next (fn then marks the item done, in the item, for the caller to see); and
 * wb_parallel_end runs what no one took and waits for the workers to leave the job, after which
 * nothing touches fn, ctx or j. Between the two the calling thread owns the pool: its own
 * wb_parallel_for calls run inline, other threads' wait. j is the caller's (any storage that
 * outlives the job); its fields are the pool's. */
typedef struct wb_parallel_job {
    wb_parallel_fn fn;
    void *ctx;
    size_t n;
    atomic_size_t next;
    int posted; /* the pool's workers were given it */
} wb_parallel_job;
void wb_parallel_begin(wb_parallel_job *j, size_t n, wb_parallel_fn fn, void *ctx);
/* 1 with *i an item nobody has taken (the caller runs it), or 0 when every item is taken. */
int wb_parallel_claim(wb_parallel_job *j, size_t *i);
void wb_parallel_end(wb_parallel_job *j);

/* The number of threads wb_parallel_for uses (1: no pool). Makes the pool if needed. */
unsigned wb_parallel_threads(void);

/* Stops the pool's threads and frees it (the next wb_parallel_for makes a new one). */
void wb_parallel_shutdown(void);

#endif
