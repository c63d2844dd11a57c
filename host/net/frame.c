/* The 3-byte length framing and the client's intro header (frame.h). The reader is a small
 * state machine fed arbitrary slices of the byte stream; a frame that lies wholly inside one
 * slice is handed out in place, only a frame split across slices is copied into r->body.
 * Used by the Noise connection (noise_conn.c) on both the client and the server side. */
#include "net/frame.h"

#include <string.h>

#include "core/err.h"

const uint8_t wb_frame_prologue[WB_FRAME_PROLOGUE_LEN] = {'W', 'A', 6, 3};
static const uint8_t ed_magic[4] = {'E', 'D', 0, 1};

enum {
    ST_INTRO,      /* server: the first 4 bytes: "WA" 06 03 or 'E' 'D' 00 01 */
    ST_ED_LEN,     /* server: the routing info's 3-byte length after 'E' 'D' 00 01 */
    ST_ED_ROUTING, /* server: need bytes of routing info, into body */
    ST_ED_TAIL,    /* server: "WA" 06 03 after the routing info */
    ST_LEN,        /* a frame's 3-byte length */
    ST_BODY,       /* need bytes of frame payload */
};

/* A buffered frame this large is not kept allocated for the next one. */
#define BODY_KEEP (1u << 20)

void wb_frame_reader_init(wb_frame_reader *r, int side, const wb_frame_callbacks *cb,
                          void *user_data) {
    memset(r, 0, sizeof *r);
    r->cb = *cb;
    r->user_data = user_data;
    r->max_len = WB_FRAME_MAX;
    r->state = side == WB_FRAME_SERVER ? ST_INTRO : ST_LEN;
    wb_buf_init(&r->body);
}

void wb_frame_reader_free(wb_frame_reader *r) {
    wb_buf_free(&r->body);
    r->head_len = 0;
    r->need = 0;
}

size_t wb_frame_pending(const wb_frame_reader *r) {
    /* in ST_BODY the 3 length bytes were consumed from head already */
    return (r->state == ST_BODY ? 3 : 0) + r->head_len + r->body.len;
}

/* Moves bytes from *p into r->head until it holds want bytes. Returns 1 when it does. */
static int collect_head(wb_frame_reader *r, size_t want, const uint8_t **p, size_t *left) {
    size_t n = want - r->head_len;
    if (n > *left)
        n = *left;
    memcpy(r->head + r->head_len, *p, n);
    r->head_len += n;
    *p += n;
    *left -= n;
    return r->head_len == want;
}

/* Takes up to r->need bytes into r->body. Returns 1 when the body is complete, or WB_ENOMEM. */
static int collect_body(wb_frame_reader *r, const uint8_t **p, size_t *left) {
    size_t n = r->need < *left ? r->need : *left;
    if (wb_buf_append(&r->body, *p, n) < 0)
        return WB_ENOMEM;
    *p += n;
    *left -= n;
    r->need -= n;
    return r->need == 0;
}

static void body_done(wb_frame_reader *r) {
    if (r->body.cap > BODY_KEEP)
        wb_buf_free(&r->body);
    else
        wb_buf_reset(&r->body);
}

static int deliver(wb_frame_reader *r, const uint8_t *payload, size_t len) {
    r->frames++;
    int rc = r->cb.on_frame(r->user_data, payload, len);
    return rc < 0 ? rc : 0;
}

static int intro_done(wb_frame_reader *r, const uint8_t *routing, size_t len) {
    int rc = r->cb.on_intro ? r->cb.on_intro(r->user_data, routing, len) : 0;
    r->state = ST_LEN;
    r->head_len = 0;
    return rc > 0 ? WB_EPROTO : rc;
}

/* One step of the state machine: consumes some of *p. Returns 0 or an error. */
static int step(wb_frame_reader *r, const uint8_t **p, size_t *left) {
    int rc;
    switch (r->state) {
    case ST_INTRO:
        if (!collect_head(r, 4, p, left))
            return 0;
        if (memcmp(r->head, wb_frame_prologue, 4) == 0)
            return intro_done(r, NULL, 0);
        if (memcmp(r->head, ed_magic, 4) != 0)
            return WB_EPROTO;
        r->state = ST_ED_LEN;
        return 0;
    case ST_ED_LEN:
        if (!collect_head(r, 7, p, left))
            return 0;
        r->need = wb_get_be24(r->head + 4);
        if (r->need > WB_FRAME_ROUTING_MAX)
            return WB_ETOOBIG;
        r->head_len = 0;
        r->state = r->need ? ST_ED_ROUTING : ST_ED_TAIL;
        return 0;
    case ST_ED_ROUTING:
        if ((rc = collect_body(r, p, left)) <= 0)
            return rc;
        r->state = ST_ED_TAIL;
        return 0;
    case ST_ED_TAIL:
        if (!collect_head(r, 4, p, left))
            return 0;
        if (memcmp(r->head, wb_frame_prologue, 4) != 0)
            return WB_EPROTO;
        rc = intro_done(r, r->body.data, r->body.len);
        body_done(r);
        return rc;
    case ST_LEN:
        if (!collect_head(r, 3, p, left))
            return 0;
        r->need = wb_get_be24(r->head);
        r->head_len = 0;
        if (r->need > r->max_len)
            return WB_ETOOBIG;
        if (r->need == 0)
            return deliver(r, NULL, 0);
        r->state = ST_BODY;
        return 0;
    case ST_BODY:
        if (r->body.len == 0 && *left >= r->need) { /* whole in this slice: no copy */
            const uint8_t *payload = *p;
            size_t len = r->need;
            *p += len;
            *left -= len;
            r->need = 0;
            r->state = ST_LEN;
            return deliver(r, payload, len);
        }
        if ((rc = collect_body(r, p, left)) <= 0)
            return rc;
        r->state = ST_LEN;
        rc = deliver(r, r->body.data, r->body.len);
        body_done(r);
        return rc;
    }
    return WB_ESTATE;
}

int wb_frame_feed(wb_frame_reader *r, const uint8_t *data, size_t len) {
    if (r->err)
        return r->err;
    const uint8_t *p = data;
    size_t left = len;
    /* Every step consumes at least one byte or completes a frame (which moves the state on). */
    while (left > 0) {
        int rc = step(r, &p, &left);
        if (rc < 0)
            return r->err = rc;
    }
    return 0;
}

/* ---- writing -------------------------------------------------------------------------------- */

int wb_frame_writer_init(wb_frame_writer *w, int side, const uint8_t *routing, size_t len) {
    w->side = side;
    w->intro_sent = side != WB_FRAME_CLIENT;
    wb_buf_init(&w->intro);
    if (side != WB_FRAME_CLIENT)
        return 0;
    if (len > WB_FRAME_ROUTING_MAX)
        return WB_ETOOBIG;
    if (routing && len) {
        wb_buf_append(&w->intro, ed_magic, sizeof ed_magic);
        wb_buf_put_be24(&w->intro, (uint32_t)len);
        wb_buf_append(&w->intro, routing, len);
    }
    wb_buf_append(&w->intro, wb_frame_prologue, sizeof wb_frame_prologue);
    if (w->intro.err) {
        wb_buf_free(&w->intro);
        return WB_ENOMEM;
    }
    return 0;
}

void wb_frame_writer_free(wb_frame_writer *w) { wb_buf_free(&w->intro); }

int wb_frame_begin(wb_frame_writer *w, wb_buf *out, size_t len) {
    if (len > WB_FRAME_MAX)
        return WB_ETOOBIG;
    size_t intro = w->intro_sent ? 0 : w->intro.len;
    uint8_t *p = wb_buf_extend(out, intro + 3);
    if (!p)
        return WB_ENOMEM;
    if (intro)
        memcpy(p, w->intro.data, intro);
    wb_put_be24(p + intro, (uint32_t)len);
    w->intro_sent = 1;
    return 0;
}

int wb_frame_write(wb_frame_writer *w, wb_buf *out, const uint8_t *payload, size_t len) {
    int rc = wb_frame_begin(w, out, len);
    if (rc < 0)
        return rc;
    return len ? wb_buf_append(out, payload, len) : 0;
}
