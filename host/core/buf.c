/* The growable byte buffer of buf.h. Growth doubles, so appends are amortised O(1). A secret
 * buffer grows by allocate, copy, zero, free instead of realloc, so no stale copy of a key is left
 * in freed memory. */
#include "core/buf.h"

#include <stdlib.h>

#include "core/mem.h"

void wb_buf_init(wb_buf *b) {
    b->data = NULL;
    b->len = b->cap = 0;
    b->err = 0;
    b->secret = 0;
}

void wb_buf_set_secret(wb_buf *b) { b->secret = 1; }

/* The new allocation for a secret buffer: the old bytes are copied, then zeroed and freed. */
static uint8_t *move_secret(wb_buf *b, size_t cap) {
    uint8_t *p = malloc(cap);
    if (p && b->data) {
        memcpy(p, b->data, b->len);
        wb_free_secret(b->data, b->cap);
    }
    return p;
}

int wb_buf_reserve(wb_buf *b, size_t extra) {
    if (b->err)
        return b->err;
    if (extra <= b->cap - b->len)
        return 0;
    if (extra > SIZE_MAX / 2 - b->len)
        return b->err = WB_ENOMEM;
    size_t want = b->len + extra;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < want)
        cap *= 2;
    uint8_t *p = b->secret ? move_secret(b, cap) : realloc(b->data, cap);
    if (!p)
        return b->err = WB_ENOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

int wb_buf_grow_to(wb_buf *b, size_t cap) {
    if (b->err)
        return b->err;
    if (cap <= b->cap)
        return 0;
    uint8_t *p = b->secret ? move_secret(b, cap) : realloc(b->data, cap);
    if (!p)
        return b->err = WB_ENOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

uint8_t *wb_buf_extend(wb_buf *b, size_t n) {
    if (wb_buf_reserve(b, n) < 0)
        return NULL;
    uint8_t *q = b->data + b->len;
    b->len += n;
    return q;
}

int wb_buf_append(wb_buf *b, const void *p, size_t n) {
    if (n == 0)
        return b->err;
    uint8_t *q = wb_buf_extend(b, n);
    if (!q)
        return b->err;
    memcpy(q, p, n);
    return 0;
}

int wb_buf_put_u8(wb_buf *b, uint8_t v) {
    uint8_t *q = wb_buf_extend(b, 1);
    if (!q)
        return b->err;
    q[0] = v;
    return 0;
}

int wb_buf_put_be16(wb_buf *b, uint16_t v) {
    uint8_t *q = wb_buf_extend(b, 2);
    if (!q)
        return b->err;
    wb_put_be16(q, v);
    return 0;
}

int wb_buf_put_be24(wb_buf *b, uint32_t v) {
    uint8_t *q = wb_buf_extend(b, 3);
    if (!q)
        return b->err;
    wb_put_be24(q, v);
    return 0;
}

int wb_buf_put_be32(wb_buf *b, uint32_t v) {
    uint8_t *q = wb_buf_extend(b, 4);
    if (!q)
        return b->err;
    wb_put_be32(q, v);
    return 0;
}

int wb_buf_put_be64(wb_buf *b, uint64_t v) {
    int rc = wb_buf_put_be32(b, (uint32_t)(v >> 32));
    return rc < 0 ? rc : wb_buf_put_be32(b, (uint32_t)v);
}

void wb_buf_reset(wb_buf *b) {
    b->len = 0;
    b->err = 0;
}

/* Empties b, keeping its secret mark. */
static void forget(wb_buf *b) {
    int secret = b->secret;
    wb_buf_init(b);
    b->secret = secret;
}

void wb_buf_free(wb_buf *b) {
    if (b->secret && b->data)
        wb_zero(b->data, b->cap);
    free(b->data);
    forget(b);
}

void wb_buf_free_secret(wb_buf *b) {
    if (b->data)
        wb_zero(b->data, b->cap);
    wb_buf_free(b);
}

uint8_t *wb_buf_detach(wb_buf *b, size_t *len) {
    uint8_t *p = b->data;
    if (len)
        *len = b->len;
    forget(b);
    return p;
}
