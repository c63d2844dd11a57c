/* The bump allocator of arena.h. Used by the binary codec (decoded and built stanzas) and by
 * anything else that makes many short-lived allocations with one owner. */
#include "core/arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct wb_arena_block {
    wb_arena_block *next; /* older block */
    size_t size;          /* usable bytes after this header */
    /* data follows, aligned by the header's size (16 bytes) */
};

#define ARENA_DEFAULT_FIRST 4096
#define ARENA_MAX_BLOCK ((size_t)1 << 24)

static uint8_t *block_data(wb_arena_block *b) {
    return (uint8_t *)(b + 1);
}

void wb_arena_init(wb_arena *a, size_t first_block) {
    a->ptr = a->end = NULL;
    a->blocks = NULL;
    a->next_size = first_block ? first_block : ARENA_DEFAULT_FIRST;
    a->err = 0;
}

static wb_arena_block *new_block(size_t size) {
    if (size > SIZE_MAX - sizeof(wb_arena_block))
        return NULL;
    wb_arena_block *b = malloc(sizeof(wb_arena_block) + size);
    if (b)
        b->size = size;
    return b;
}

void *wb_arena_alloc_slow(wb_arena *a, size_t n) {
    size_t round = (n + (WB_ARENA_ALIGN - 1)) & ~(size_t)(WB_ARENA_ALIGN - 1);
    if (round < n) {
        a->err = WB_ENOMEM;
        return NULL;
    }
    if (round == 0) {
        /* a unique pointer for a zero-byte allocation */
        round = WB_ARENA_ALIGN;
        if (round <= (size_t)((uintptr_t)a->end - (uintptr_t)a->ptr)) {
            void *p = a->ptr;
            a->ptr += round;
            return p;
        }
    }
    if (round > a->next_size / 2) {
        /* a large allocation: a block of its own, linked behind the current block so the
         * current block's free space stays in use */
        wb_arena_block *b = new_block(round);
        if (!b) {
            a->err = WB_ENOMEM;
            return NULL;
        }
        if (a->blocks) {
            b->next = a->blocks->next;
            a->blocks->next = b;
        } else {
            b->next = NULL;
            a->blocks = b;
            a->ptr = a->end = block_data(b) + round;
        }
        return block_data(b);
    }
    wb_arena_block *b = new_block(a->next_size);
    if (!b) {
        a->err = WB_ENOMEM;
        return NULL;
    }
    b->next = a->blocks;
    a->blocks = b;
    if (a->next_size < ARENA_MAX_BLOCK)
        a->next_size *= 2;
    a->ptr = block_data(b) + round;
    a->end = block_data(b) + b->size;
    return block_data(b);
}

void wb_arena_reset(wb_arena *a) {
    wb_arena_block *keep = NULL;
    for (wb_arena_block *b = a->blocks; b; b = b->next)
        if (!keep || b->size > keep->size)
            keep = b;
    for (wb_arena_block *b = a->blocks, *next; b; b = next) {
        next = b->next;
        if (b != keep)
            free(b);
    }
    a->blocks = keep;
    a->err = 0;
    if (keep) {
        keep->next = NULL;
        a->ptr = block_data(keep);
        a->end = a->ptr + keep->size;
        if (a->next_size < keep->size * 2 && keep->size < ARENA_MAX_BLOCK)
            a->next_size = keep->size * 2;
    } else {
        a->ptr = a->end = NULL;
    }
}

void wb_arena_free(wb_arena *a) {
    for (wb_arena_block *b = a->blocks, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    a->blocks = NULL;
    a->ptr = a->end = NULL;
    a->err = 0;
}

size_t wb_arena_capacity(const wb_arena *a) {
    size_t n = 0;
    for (const wb_arena_block *b = a->blocks; b; b = b->next)
        n += b->size;
    return n;
}

void *wb_arena_zalloc(wb_arena *a, size_t n) {
    void *p = wb_arena_alloc(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

void *wb_arena_memdup(wb_arena *a, const void *p, size_t n) {
    void *q = wb_arena_alloc(a, n);
    if (q && n)
        memcpy(q, p, n);
    return q;
}

char *wb_arena_strndup(wb_arena *a, const char *s, size_t n) {
    if (n == SIZE_MAX) {
        a->err = WB_ENOMEM;
        return NULL;
    }
    char *q = wb_arena_alloc(a, n + 1);
    if (q) {
        if (n)
            memcpy(q, s, n);
        q[n] = 0;
    }
    return q;
}

char *wb_arena_strdup(wb_arena *a, const char *s) {
    return s ? wb_arena_strndup(a, s, strlen(s)) : NULL;
}

char *wb_arena_printf(wb_arena *a, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *q = wb_arena_alloc(a, (size_t)n + 1);
    if (q) {
        va_start(ap, fmt);
        vsnprintf(q, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    return q;
}
