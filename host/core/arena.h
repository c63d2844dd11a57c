/* Arena: a bump allocator for many small allocations that die together (a decoded stanza, a
 * stanza being built, one request's scratch data).
 *
 *     wb_arena a;
 *     wb_arena_init(&a, 0);
 *     for (;;) {
 *         wb_node *n;
 *         if (wb_node_decode(&a, p, len, &n, NULL) == 0) use(n);
 *         wb_arena_reset(&a);          // everything allocated so far is gone; memory is kept
 *     }
 *     wb_arena_free(&a);
 *
 * Memory comes in blocks that double in size; an allocation larger than half a block gets a
 * block of its own. wb_arena_reset() keeps the largest block, so a loop that handles similar
 * inputs stops calling malloc after the first round. There is no per-allocation free.
 *
 * An allocation failure returns NULL and sets a sticky a->err = WB_ENOMEM (cleared by reset),
 * so a builder may make many allocations and check once. Not thread-safe: one arena per thread
 * of work. Pointers into the arena stay valid until reset or free. */
#ifndef WB_CORE_ARENA_H
#define WB_CORE_ARENA_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* Every allocation is aligned to this many bytes (enough for pointers, size_t, int64, double). */
#define WB_ARENA_ALIGN 8

typedef struct wb_arena_block wb_arena_block;

typedef struct wb_arena {
    uint8_t *ptr;           /* next free byte of the current block */
    uint8_t *end;           /* end of the current block */
    wb_arena_block *blocks; /* every block, newest first */
    size_t next_size;       /* size of the next ordinary block */
    int err;                /* 0, or WB_ENOMEM after a failed allocation (until reset) */
} wb_arena;

/* Prepares an empty arena; no memory is allocated until the first allocation. first_block is
 * the size of the first block (0 picks 4 KiB). */
void wb_arena_init(wb_arena *a, size_t first_block);
/* Forgets every allocation, frees all blocks but the largest and keeps that one for reuse. */
void wb_arena_reset(wb_arena *a);
/* Frees every block; the arena is left empty and may be used again. */
void wb_arena_free(wb_arena *a);
/* Bytes held in blocks (for tests and statistics). */
size_t wb_arena_capacity(const wb_arena *a);

/* The slow path of wb_arena_alloc: a new block. */
void *wb_arena_alloc_slow(wb_arena *a, size_t n);

/* Returns n bytes (uninitialised, aligned to WB_ARENA_ALIGN), or NULL (a->err = WB_ENOMEM).
 * n == 0 returns a valid unique pointer. */
static inline void *wb_arena_alloc(wb_arena *a, size_t n) {
    size_t round = (n + (WB_ARENA_ALIGN - 1)) & ~(size_t)(WB_ARENA_ALIGN - 1);
    if (round >= n && round != 0 && round <= (size_t)((uintptr_t)a->end - (uintptr_t)a->ptr)) {
        void *p = a->ptr;
        a->ptr += round;
        return p;
    }
    return wb_arena_alloc_slow(a, n);
}

/* Returns n zeroed bytes, or NULL. */
void *wb_arena_zalloc(wb_arena *a, size_t n);
/* Copies n bytes into the arena; NULL on failure. */
void *wb_arena_memdup(wb_arena *a, const void *p, size_t n);
/* Copies n bytes of s and a terminating NUL; NULL on failure. */
char *wb_arena_strndup(wb_arena *a, const char *s, size_t n);
/* Copies a NUL-terminated string; NULL on failure (or when s is NULL). */
char *wb_arena_strdup(wb_arena *a, const char *s);
/* printf into the arena; NULL on failure. */
char *wb_arena_printf(wb_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
