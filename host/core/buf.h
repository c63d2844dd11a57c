/* Byte buffers: a growable owned buffer for writers (wb_buf) and a bounds-checked cursor for
 * readers of untrusted bytes (wb_reader).
 *
 * Both keep a sticky error, so a parser can read a whole structure and check once at the end, the
 * way whatsmeow's attribute getter works:
 *
 *     wb_reader r; wb_reader_init(&r, data, len);
 *     uint8_t tag = wb_rd_u8(&r);
 *     uint32_t n = wb_rd_be24(&r);
 *     const uint8_t *body = wb_rd_bytes(&r, n);
 *     if (r.err) return r.err;            // r.err_pos says where
 *
 * After the first failure every read returns zero / NULL and leaves the error where it was. */
#ifndef WB_CORE_BUF_H
#define WB_CORE_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"

/* ---- wb_buf: owned, growable ------------------------------------------------------------ */

typedef struct wb_buf {
    uint8_t *data; /* NULL until the first append */
    size_t len;
    size_t cap;
    int err;       /* WB_ENOMEM once an allocation failed; further appends are no-ops */
    int secret;    /* holds key material: every copy is zeroed before it is freed */
} wb_buf;

#define WB_BUF_INIT {NULL, 0, 0, 0, 0}
/* A buffer for key material. Growing it never leaves a copy behind: the bytes are moved to a new
 * allocation and the old one is zeroed before it is freed (realloc would free the old copy with
 * the secret still in it). wb_buf_free zeroes it too; the mark survives wb_buf_free. */
#define WB_BUF_SECRET_INIT {NULL, 0, 0, 0, 1}

void wb_buf_init(wb_buf *b);
/* Marks b (empty or not) as holding secrets from now on (see WB_BUF_SECRET_INIT). */
void wb_buf_set_secret(wb_buf *b);
/* Makes room for extra more bytes. Returns 0 or WB_ENOMEM (also stored in b->err). */
int wb_buf_reserve(wb_buf *b, size_t extra);
/* Grows the allocation to exactly cap bytes when it is smaller (for a buffer whose final size is
 * known, so doubling does not overshoot it). Returns 0 or WB_ENOMEM. */
int wb_buf_grow_to(wb_buf *b, size_t cap);
int wb_buf_append(wb_buf *b, const void *p, size_t n);
int wb_buf_put_u8(wb_buf *b, uint8_t v);
int wb_buf_put_be16(wb_buf *b, uint16_t v);
int wb_buf_put_be24(wb_buf *b, uint32_t v);
int wb_buf_put_be32(wb_buf *b, uint32_t v);
int wb_buf_put_be64(wb_buf *b, uint64_t v);
/* Appends n bytes and returns a pointer to them for the caller to fill, or NULL. */
uint8_t *wb_buf_extend(wb_buf *b, size_t n);
/* Forgets the contents (len = 0) but keeps the allocation and clears the error. */
void wb_buf_reset(wb_buf *b);
/* Frees the allocation (zeroed first when b is marked secret) and leaves b empty. */
void wb_buf_free(wb_buf *b);
/* Zeroes the whole allocation before freeing it: for buffers that held key material. */
void wb_buf_free_secret(wb_buf *b);
/* Hands the allocation to the caller (who frees it with free(), or wb_free_secret with the
 * length for a secret buffer); b is left empty. */
uint8_t *wb_buf_detach(wb_buf *b, size_t *len);

/* ---- wb_reader: bounds-checked cursor over borrowed bytes --------------------------------- */

typedef struct wb_reader {
    const uint8_t *p;
    size_t len;
    size_t pos;
    int err;        /* 0, or the first error */
    size_t err_pos; /* the offset at which err happened */
} wb_reader;

static inline void wb_reader_init(wb_reader *r, const void *p, size_t len) {
    r->p = (const uint8_t *)p;
    r->len = len;
    r->pos = 0;
    r->err = 0;
    r->err_pos = 0;
}

/* Records code at the current position unless an error is already recorded. Returns r->err. */
static inline int wb_rd_fail(wb_reader *r, int code) {
    if (!r->err) {
        r->err = code;
        r->err_pos = r->pos;
    }
    return r->err;
}

static inline size_t wb_rd_remaining(const wb_reader *r) {
    return r->err ? 0 : r->len - r->pos;
}

/* Returns a pointer to the next n bytes and advances, or NULL (WB_ETRUNC) if fewer remain. */
static inline const uint8_t *wb_rd_bytes(wb_reader *r, size_t n) {
    if (r->err)
        return NULL;
    if (n > r->len - r->pos) {
        wb_rd_fail(r, WB_ETRUNC);
        return NULL;
    }
    const uint8_t *q = r->p + r->pos;
    r->pos += n;
    return q;
}

static inline uint8_t wb_rd_u8(wb_reader *r) {
    const uint8_t *q = wb_rd_bytes(r, 1);
    return q ? q[0] : 0;
}

static inline uint16_t wb_rd_be16(wb_reader *r) {
    const uint8_t *q = wb_rd_bytes(r, 2);
    return q ? (uint16_t)((q[0] << 8) | q[1]) : 0;
}

static inline uint32_t wb_rd_be24(wb_reader *r) {
    const uint8_t *q = wb_rd_bytes(r, 3);
    return q ? ((uint32_t)q[0] << 16) | ((uint32_t)q[1] << 8) | q[2] : 0;
}

static inline uint32_t wb_rd_be32(wb_reader *r) {
    const uint8_t *q = wb_rd_bytes(r, 4);
    return q ? ((uint32_t)q[0] << 24) | ((uint32_t)q[1] << 16) | ((uint32_t)q[2] << 8) | q[3] : 0;
}

static inline uint64_t wb_rd_be64(wb_reader *r) {
    uint64_t hi = wb_rd_be32(r);
    uint64_t lo = wb_rd_be32(r);
    return (hi << 32) | lo;
}

/* ---- big-endian helpers for fixed-size fields ---------------------------------------------- */

static inline void wb_put_be16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline void wb_put_be24(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 16);
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)v;
}
static inline void wb_put_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}
static inline uint32_t wb_get_be24(const uint8_t *p) {
    return ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
}
static inline uint32_t wb_get_be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

#endif
