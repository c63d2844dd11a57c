/* The follower (follower.h): a ring of bytes between two threads, a mutex and two conditions.
 * The follower takes the whole filled part of the ring at once (up to its end) and runs fn on
 * it outside the lock, so the lock is held only to move two counters. A sleeping follower is
 * woken when half the ring is filled (or at the end), the producer when there is room. */
#include "media/follower.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/err.h"

#define DEFAULT_RING (256u * 1024)

struct wb_media_follower {
    wb_media_follow_fn fn;
    void *ud;
    uint8_t *ring;
    size_t cap;
    uint64_t put, taken;       /* bytes ever put, ever handed to fn (taken <= put <= taken + cap) */
    int done;                  /* no more puts */
    int threaded;
    int follower_waits, producer_waits;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t more, room;
};

static void *follow(void *arg) {
    wb_media_follower *f = arg;
    pthread_mutex_lock(&f->lock);
    for (;;) {
        while (f->taken == f->put && !f->done) {
            f->follower_waits = 1;
            pthread_cond_wait(&f->more, &f->lock);
            f->follower_waits = 0;
        }
        if (f->taken == f->put)
            break;
        size_t at = (size_t)(f->taken % f->cap);
        size_t n = (size_t)(f->put - f->taken);
        if (n > f->cap - at)
            n = f->cap - at;
        pthread_mutex_unlock(&f->lock);
        f->fn(f->ud, f->ring + at, n);
        pthread_mutex_lock(&f->lock);
        f->taken += n;
        if (f->producer_waits)
            pthread_cond_signal(&f->room);
    }
    pthread_mutex_unlock(&f->lock);
    return NULL;
}

int wb_media_follower_start(wb_media_follower **out, size_t ring, wb_media_follow_fn fn,
                            void *ud, int threaded) {
    wb_media_follower *f = calloc(1, sizeof *f);
    if (!f)
        return WB_ENOMEM;
    f->fn = fn;
    f->ud = ud;
    f->cap = ring ? ring : DEFAULT_RING;
    /* The ring is mapped, not malloc'd: freed, a malloc'd one stays in the arena of the thread
     * that made it (uploads start on any of libuv's pool threads: measured, 7 MB of peak RSS
     * after a few 10 MB uploads instead of 1); and an unmapped ring is gone from the process,
     * with the plaintext download.c's writer had in it. */
    void *map = threaded ? mmap(NULL, f->cap, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
                         : MAP_FAILED;
    if (map != MAP_FAILED) {
        f->ring = map;
        pthread_mutex_init(&f->lock, NULL);
        pthread_cond_init(&f->more, NULL);
        pthread_cond_init(&f->room, NULL);
        f->threaded = pthread_create(&f->thread, NULL, follow, f) == 0;
        if (!f->threaded) {
            pthread_mutex_destroy(&f->lock);
            pthread_cond_destroy(&f->more);
            pthread_cond_destroy(&f->room);
            munmap(f->ring, f->cap);
            f->ring = NULL;
        }
    }
    *out = f;
    return 0;
}

void wb_media_follower_put(wb_media_follower *f, const uint8_t *p, size_t n) {
    if (!f->threaded) {
        if (n)
            f->fn(f->ud, p, n);
        return;
    }
    while (n) {
        pthread_mutex_lock(&f->lock);
        while (f->put - f->taken == f->cap) {
            f->producer_waits = 1;
            pthread_cond_wait(&f->room, &f->lock);
            f->producer_waits = 0;
        }
        size_t at = (size_t)(f->put % f->cap);
        size_t room = f->cap - (size_t)(f->put - f->taken);
        size_t k = n < room ? n : room;
        if (k > f->cap - at)
            k = f->cap - at;
        pthread_mutex_unlock(&f->lock);
        /* the bytes [put, put + k) are the producer's until put moves: copy outside the lock */
        memcpy(f->ring + at, p, k);
        pthread_mutex_lock(&f->lock);
        f->put += k;
        /* a sleeping follower is woken for half a ring, not for every piece: a wake-up costs
         * the producer a futex call and both threads a context switch (~15 us measured, as
         * much as hashing a 16 KiB TLS record twice); woken per eighth of a ring, the wake-ups
         * were a tenth of a download's loop thread */
        if (f->follower_waits && f->put - f->taken >= f->cap / 2)
            pthread_cond_signal(&f->more);
        pthread_mutex_unlock(&f->lock);
        p += k;
        n -= k;
    }
}

void wb_media_follower_end(wb_media_follower *f) {
    if (!f)
        return;
    if (f->threaded) {
        pthread_mutex_lock(&f->lock);
        f->done = 1;
        pthread_cond_signal(&f->more);
        pthread_mutex_unlock(&f->lock);
        pthread_join(f->thread, NULL);
        pthread_mutex_destroy(&f->lock);
        pthread_cond_destroy(&f->more);
        pthread_cond_destroy(&f->room);
        munmap(f->ring, f->cap);
    }
    free(f);
}

void wb_media_file_write(void *writer, const uint8_t *p, size_t n) {
    wb_media_file_writer *w = writer;
    if (atomic_load(&w->err))
        return;
    while (n) {
        ssize_t k = write(w->fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            atomic_store(&w->err, k < 0 ? -errno : -ENOSPC);
            return;
        }
        p += k;
        n -= (size_t)k;
        w->written += (uint64_t)k;
    }
#ifdef SYNC_FILE_RANGE_WRITE
    if (w->writeback_every && w->written - w->flushed >= w->writeback_every) {
        /* asynchronous: only starts the writes, so that a later fsync waits for the last
         * piece alone */
        sync_file_range(w->fd, (off_t)w->flushed, (off_t)(w->written - w->flushed),
                        SYNC_FILE_RANGE_WRITE);
        w->flushed = w->written;
    }
#endif
}
