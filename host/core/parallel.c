/* A fixed pool of worker threads for wb_parallel_for and wb_parallel_begin/end (parallel.h).
 *
 * One job at a time: the caller publishes a job (fn, ctx, n and an atomic index counter, in its
 * own storage) under the mutex with a new generation number and wakes the workers; a worker joins
 * the job under the mutex (busy++) and everyone, the caller too, takes indices from the job's
 * counter until they run out. At the end the caller waits until no worker is inside the job and
 * withdraws it, so nothing touches fn, ctx or the job afterwards: a worker that wakes after that
 * finds no job and goes back to sleep. Workers sleep on a condition variable between jobs: an
 * idle pool costs no CPU. */
#include "core/parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#define MIN_ITEMS 4 /* below this, threads cost more than they save */

typedef wb_parallel_job job;

typedef struct pool {
    pthread_mutex_t mu;
    pthread_cond_t work;  /* workers wait here for a job (or the end) */
    pthread_cond_t idle;  /* the caller waits here for the workers to leave a job */
    pthread_t threads[WB_PARALLEL_MAX_WORKERS];
    unsigned nthreads;
    unsigned long generation; /* bumped per job: a worker runs each job once */
    unsigned busy;            /* workers inside the current job */
    int stop;
    job *job;                 /* the current job, or NULL */
} pool;

static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER; /* one job at a time; the pool */
static pool *the_pool;
static int pool_failed; /* the pool could not be made: run inline from now on */
static _Thread_local int in_job; /* a call from inside fn, or by a job's owner, runs inline */

static void run_items(job *j) {
    size_t i;
    while (wb_parallel_claim(j, &i))
        j->fn(j->ctx, i);
}

static void *worker(void *arg) {
    pool *p = arg;
    unsigned long seen = 0;
    in_job = 1;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stop && p->generation == seen)
            pthread_cond_wait(&p->work, &p->mu);
        if (p->stop)
            break;
        seen = p->generation;
        job *j = p->job;
        if (!j)
            continue; /* woke after its caller had finished without it */
        p->busy++;
        pthread_mutex_unlock(&p->mu);
        run_items(j);
        pthread_mutex_lock(&p->mu);
        if (--p->busy == 0)
            pthread_cond_signal(&p->idle);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static unsigned workers_wanted(void) {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    const char *env = getenv("WABOT_THREADS"); /* the threads to use, the caller's included */
    if (env && *env) {
        long t = strtol(env, NULL, 10);
        if (t >= 1)
            cpus = t;
    }
    if (cpus <= 1)
        return 0;
    return cpus - 1 > WB_PARALLEL_MAX_WORKERS ? WB_PARALLEL_MAX_WORKERS : (unsigned)(cpus - 1);
}

/* Under pool_mu. */
static pool *get_pool(void) {
    if (the_pool || pool_failed)
        return the_pool;
    unsigned want = workers_wanted();
    pool *p = want ? calloc(1, sizeof *p) : NULL;
    if (!p || pthread_mutex_init(&p->mu, NULL) != 0) {
        free(p);
        pool_failed = 1;
        return NULL;
    }
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->idle, NULL);
    for (unsigned i = 0; i < want; i++) {
        if (pthread_create(&p->threads[i], NULL, worker, p) != 0)
            break;
        p->nthreads++;
    }
    if (!p->nthreads) {
        pthread_cond_destroy(&p->work);
        pthread_cond_destroy(&p->idle);
        pthread_mutex_destroy(&p->mu);
        free(p);
        pool_failed = 1;
        return NULL;
    }
    the_pool = p;
    return p;
}

void wb_parallel_begin(job *j, size_t n, wb_parallel_fn fn, void *ctx) {
    j->fn = fn;
    j->ctx = ctx;
    j->n = n;
    j->posted = 0;
    atomic_init(&j->next, 0);
    if (in_job || n < MIN_ITEMS)
        return; /* the caller runs it all (claim, end) */
    pthread_mutex_lock(&pool_mu);
    pool *p = get_pool();
    if (!p) {
        pthread_mutex_unlock(&pool_mu);
        return;
    }
    pthread_mutex_lock(&p->mu);
    p->job = j;
    p->generation++;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    j->posted = 1;
    in_job = 1; /* until end: this thread owns the pool (pool_mu stays locked) */
}

int wb_parallel_claim(job *j, size_t *i) {
    size_t k = atomic_fetch_add_explicit(&j->next, 1, memory_order_relaxed);
    if (k >= j->n)
        return 0;
    *i = k;
    return 1;
}

void wb_parallel_end(job *j) {
    size_t i;
    while (wb_parallel_claim(j, &i))
        j->fn(j->ctx, i);
    if (!j->posted)
        return;
    pool *p = the_pool;
    /* every index is taken; wait for the workers still finishing theirs, then withdraw the job
     * (a worker that wakes later finds none) */
    pthread_mutex_lock(&p->mu);
    while (p->busy)
        pthread_cond_wait(&p->idle, &p->mu);
    p->job = NULL;
    pthread_mutex_unlock(&p->mu);
    j->posted = 0;
    in_job = 0;
    pthread_mutex_unlock(&pool_mu);
}

void wb_parallel_for(size_t n, wb_parallel_fn fn, void *ctx) {
    job j;
    wb_parallel_begin(&j, n, fn, ctx);
    wb_parallel_end(&j);
}

unsigned wb_parallel_threads(void) {
    pthread_mutex_lock(&pool_mu);
    pool *p = get_pool();
    unsigned n = p ? p->nthreads + 1 : 1;
    pthread_mutex_unlock(&pool_mu);
    return n;
}

void wb_parallel_shutdown(void) {
    pthread_mutex_lock(&pool_mu);
    pool *p = the_pool;
    the_pool = NULL;
    pool_failed = 0;
    if (p) {
        pthread_mutex_lock(&p->mu);
        p->stop = 1;
        pthread_cond_broadcast(&p->work);
        pthread_mutex_unlock(&p->mu);
        for (unsigned i = 0; i < p->nthreads; i++)
            pthread_join(p->threads[i], NULL);
        pthread_cond_destroy(&p->work);
        pthread_cond_destroy(&p->idle);
        pthread_mutex_destroy(&p->mu);
        free(p);
    }
    pthread_mutex_unlock(&pool_mu);
}
