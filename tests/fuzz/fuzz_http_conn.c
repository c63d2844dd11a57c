/* Fuzz target: the server's per-connection HTTP logic (net/http_conn.h) driven from memory:
 * pipelining, answers now or later, backpressure, 100-continue, input compaction, the memory it
 * declares, deadlines and the hand-off to a websocket after an upgrade.
 *
 * Input: byte 0 picks the piece size (1..64, or whole when 0) and byte 1 the behaviour (bits:
 * answer later instead of at once, keep-alive off, a write queue that looks full every other
 * time it is asked, a small budget, EOF at the end, a deadline at the end, answers streamed
 * from a source (the first of up to 600 KiB, the others of up to 8), request bodies taken in
 * pieces); the rest is the peer's byte
 * stream. With bodies in pieces, a request for a path starting "/early" is answered at its
 * head, before its body.
 * Requests for a path starting "/ws" are upgraded (when their handshake is valid), "/close" are
 * answered with Connection: close.
 *
 * Oracle, besides the sanitizers: every request handed out is answered exactly once, in order,
 * before the next is handed out; after an upgrade the bytes passed on are exactly the rest of the
 * stream, in order, whatever the slicing; nothing is called after close; what the connection
 * holds stays within its limits; every streamed answer's source is read at most a piece at a
 * time, never past its length, and ended exactly once; every body taken in pieces ends exactly
 * once unless answered first, with nothing after its end; and the requests seen (bodies
 * included) are the same as when the stream is fed whole. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/http_conn.h"
#include "net/ws_handshake.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { LATER = 1, NO_KEEPALIVE = 2, FULL_QUEUE = 4, SMALL_BUDGET = 8, EOF_AT_END = 16,
       DEADLINE = 32, STREAM = 64, STREAM_BODY = 128 };

typedef struct run {
    wb_http_conn hc;
    int flags;
    int closed, pending, upgraded, requests, queue_asks, paused;
    size_t max_held;
    uint64_t digest;   /* of the requests seen, in order */
    wb_buf after;      /* bytes passed on after an upgrade */
    uint64_t written;  /* bytes written to the peer (counted, not kept: streamed answers are
                          up to 600 KiB each, and keeping them made an input cost MBs) */
    uint64_t now;
    int sources, dones;    /* streamed answers started, and ended */
    int bodies, body_ends, early; /* streamed request bodies, their ends, early answers */
    int body_open;
    uint64_t src_left;     /* what the current one may still give */
} run;

static uint64_t mix(uint64_t h, const void *p, size_t n) {
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static void alive(const run *r) {
    if (r->closed)
        abort(); /* a callback after close */
}

static int cb_write(void *ud, const uint8_t *p, size_t n) {
    run *r = ud;
    alive(r);
    (void)p;
    r->written += n;
    return 0;
}

static size_t cb_queued(void *ud) {
    run *r = ud;
    return (r->flags & FULL_QUEUE) && (r->queue_asks++ % 2) ? (size_t)1 << 30 : 0;
}

static int cb_open(void *ud) { return !((run *)ud)->closed; }

static long src_read(void *ud, uint8_t *buf, size_t cap) {
    run *r = ud;
    if (r->dones >= r->sources || cap == 0 || cap > WB_HTTP_CONN_PIECE || cap > r->src_left)
        abort(); /* read after done, or past the piece or the length */
    memset(buf, 'x', cap);
    r->src_left -= cap;
    return (long)cap;
}

static void src_done(void *ud, int status) {
    run *r = ud;
    if (++r->dones > r->sources || (status == 0 && r->src_left))
        abort(); /* ended twice, or "whole" with bytes left */
}

static void answer(run *r) {
    static const wb_http_header h[] = {{"Content-Type", "text/plain"}};
    r->pending = 0;
    if (r->flags & STREAM) {
        /* the first streamed answer of a run may span pieces (up to 600 KiB); the others are
         * short, or an input of many requests costs MBs of answers (measured: 515 inputs a
         * second in CI, 1.1 GB of RSS) */
        r->src_left = (uint64_t)r->requests * 7919 % (r->sources ? 8 * 1024 : 600 * 1024);
        wb_http_body_source src = {src_read, src_done, r};
        r->sources++; /* read and done may come before the call returns */
        int rc = wb_http_conn_respond_source(&r->hc, 200, h, 1, r->src_left, &src, 0,
                                             !(r->flags & NO_KEEPALIVE));
        if (rc == WB_ESTATE)
            abort();
        r->sources -= rc < 0; /* not started: done is never called */
        return;
    }
    if (wb_http_conn_respond(&r->hc, 200, h, 1, "ok", 2, 0, !(r->flags & NO_KEEPALIVE)) == WB_ESTATE)
        abort();
}

static void cb_request(void *ud, wb_http_msg *req) {
    run *r = ud;
    alive(r);
    if (r->pending || r->upgraded)
        abort(); /* one at a time, none after an upgrade */
    r->requests++;
    if (req->body_follows && !(r->flags & STREAM_BODY))
        abort(); /* a body in pieces nobody asked for */
    r->digest = mix(r->digest, req->method, strlen(req->method) + 1);
    r->digest = mix(r->digest, req->target, strlen(req->target) + 1);
    r->digest = mix(r->digest, &req->body_len, sizeof req->body_len);
    if (req->body_len)
        r->digest = mix(r->digest, req->body, req->body_len);
    char accept[WB_WS_ACCEPT_LEN + 1];
    int status;
    if (strncmp(req->path, "/ws", 3) == 0 &&
        wb_ws_handshake_check_request(req, accept, &status, NULL) == 0) {
        wb_buf b = WB_BUF_INIT;
        wb_ws_handshake_write_response(&b, accept, NULL, 0);
        cb_write(r, b.data, b.len);
        wb_buf_free(&b);
        r->upgraded = 1;
        wb_http_conn_upgraded(&r->hc);
    } else if (req->body_follows) {
        r->bodies++;
        if (strncmp(req->path, "/early", 6) == 0) {
            r->early++;
            r->pending = 1;
            answer(r);
        } else {
            r->body_open = 1;
            wb_http_conn_read_body(&r->hc);
        }
    } else if (strncmp(req->path, "/close", 6) == 0) {
        wb_http_conn_answer(&r->hc, 404, NULL, 0, NULL, 1, 0);
    } else {
        r->pending = 1;
        if (!(r->flags & LATER))
            answer(r);
    }
    wb_http_msg_free(req);
}

static void cb_upgraded_data(void *ud, const uint8_t *p, size_t n) {
    run *r = ud;
    alive(r);
    if (!r->upgraded)
        abort();
    wb_buf_append(&r->after, p, n);
}

static void cb_upgraded_eof(void *ud) { alive(ud); }

static int cb_hold(void *ud, size_t bytes) {
    run *r = ud;
    alive(r);
    if (bytes > r->max_held)
        r->max_held = bytes;
    return (r->flags & SMALL_BUDGET) && bytes > 300 ? -1 : 0;
}

static void cb_reading(void *ud, int on) {
    alive(ud);
    ((run *)ud)->paused = !on;
}

static void cb_deadline(void *ud, unsigned ms, const char *why) { alive(ud); }

static void cb_close(void *ud, int status, int how, const char *why) {
    run *r = ud;
    alive(r);
    r->closed = 1;
}

static uint64_t cb_now(void *ud) { return ((run *)ud)->now; }
static int cb_streams(void *ud, const wb_http_msg *head) {
    alive(ud);
    (void)head;
    return (((run *)ud)->flags & STREAM_BODY) != 0;
}
static void cb_body(void *ud, const uint8_t *p, size_t n, int status) {
    run *r = ud;
    if (!r->body_open)
        abort(); /* a piece or an end after the end, or before reading */
    if (p) {
        alive(r);
        r->digest = mix(r->digest, p, n);
        return;
    }
    r->body_open = 0;
    r->body_ends++;
    if (status == 0) { /* the whole body: answered now or later, as any request */
        alive(r);
        r->pending = 1;
        if (!(r->flags & LATER))
            answer(r);
    }
}

static const wb_http_conn_callbacks cbs = {
    cb_write, cb_queued, cb_open, cb_request, cb_upgraded_data, cb_upgraded_eof,
    cb_hold,  cb_reading, cb_deadline, cb_close, cb_now, cb_streams, cb_body,
};

static void go(run *r, int flags, const uint8_t *data, size_t size, size_t piece) {
    memset(r, 0, sizeof *r);
    r->flags = flags;
    wb_http_conn_cfg cfg = {.limits = {512, 16, 4096, 8192}, .head_timeout_ms = 1000};
    wb_http_conn_init(&r->hc, &cfg, &cbs, r);
    for (size_t off = 0; off < size && !r->closed;) {
        if (r->paused) { /* as a socket would, no reading until the connection asks again */
            if (r->pending)
                answer(r);
            else
                wb_http_conn_drained(&r->hc);
            if (r->paused && !r->pending)
                break;
            continue;
        }
        size_t n = piece && size - off > piece ? piece : size - off;
        wb_http_conn_feed(&r->hc, data + off, n);
        off += n;
        r->now += 10;
        if (r->pending && !r->closed) /* a late answer comes between two reads */
            answer(r);
    }
    while (r->pending && !r->closed)
        answer(r);
    if ((flags & EOF_AT_END) && !r->closed)
        wb_http_conn_eof(&r->hc);
    if (!r->closed && (r->flags & DEADLINE))
        wb_http_conn_timeout(&r->hc, "fuzz deadline");
    /* the parser's head, its body, the unparsed input (compacted, read paused past 256 KiB)
     * and a request being handled: never more than this */
    if (r->max_held > 4 * 4096 + 4 * 512 + (1u << 20))
        abort();
    wb_http_conn_free(&r->hc);
    if (r->dones != r->sources)
        abort(); /* a streamed answer never ended */
    if (r->body_ends + r->early != r->bodies)
        abort(); /* a streamed body never ended */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2)
        return 0;
    size_t piece = data[0] % 65;
    int flags = data[1];
    data += 2;
    size -= 2;
    run cut, whole;
    go(&cut, flags, data, size, piece);
    go(&whole, flags, data, size, 0);
    /* how the stream was cut changes nothing a peer could tell, unless the queue's answers
     * (which alternate per question) or the budget made the difference */
    if (!(flags & (FULL_QUEUE | SMALL_BUDGET)) &&
        (cut.closed != whole.closed || cut.requests != whole.requests ||
         cut.digest != whole.digest || cut.upgraded != whole.upgraded ||
         cut.after.len != whole.after.len ||
         (cut.after.len && memcmp(cut.after.data, whole.after.data, cut.after.len))))
        abort();
    wb_buf_free(&cut.after);
    wb_buf_free(&whole.after);
    return 0;
}
