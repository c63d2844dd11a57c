/* One server-side HTTP/1.1 connection without I/O (see http_conn.h): the parser in front of a
 * byte buffer, one request at a time, answers in order, backpressure, deadlines, the memory it
 * holds, and the hand-off to a websocket. http_server.c binds it to a wb_conn. */
#include "net/http_conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

#define IN_COMPACT (64 * 1024) /* move unread input to the front past this offset */
#define IN_PAUSE (256 * 1024)  /* stop reading when this much input waits */

/* What the armed deadline is for. */
enum { DL_NONE, DL_HEAD, DL_BODY, DL_BLOCKED, DL_SEND };

static void process(wb_http_conn *hc);
static int hold(wb_http_conn *hc);
static void set_deadline(wb_http_conn *hc);

/* The streamed answer is over (or cut off): its source hears it, once. */
static void end_source(wb_http_conn *hc, int status) {
    if (!hc->src_on)
        return;
    hc->src_on = 0;
    free(hc->src_buf);
    hc->src_buf = NULL;
    wb_http_body_source src = hc->src;
    src.done(src.ud, status);
}

static int is_open(wb_http_conn *hc) {
    return !hc->closed && hc->cb->open(hc->ud);
}

/* The streamed body of the handled request will not come whole: its owner hears it, once. */
static void end_body(wb_http_conn *hc, int status) {
    if (!hc->body_open)
        return;
    hc->body_open = hc->body_on = 0;
    hc->cb->body(hc->ud, NULL, 0, status);
}

static void close_conn(wb_http_conn *hc, int status, int how, const char *why) {
    if (hc->closed)
        return;
    hc->closed = 1;
    hc->cb->close(hc->ud, status, how, why);
    end_source(hc, status < 0 ? status : WB_ECLOSED);
    end_body(hc, status < 0 ? status : WB_ECLOSED);
}

/* ---- answers ------------------------------------------------------------------------------ */

/* Writes a complete response; returns what cb.write says. */
static int write_response(wb_http_conn *hc, int status, const wb_http_header *h, size_t n,
                          const void *body, size_t len, int head_only, int close) {
    wb_buf b = WB_BUF_INIT;
    int rc = wb_http_write_response_head(&b, status, h, n, (int64_t)len, close);
    if (rc == 0)
        rc = hc->cb->write(hc->ud, b.data, b.len);
    if (rc == 0 && len && !head_only)
        rc = hc->cb->write(hc->ud, body, len);
    wb_buf_free(&b);
    return rc;
}

/* The request being handled has its answer: the next one may come. */
static void answered(wb_http_conn *hc) {
    hc->pending = 0;
    hc->pending_held = 0;
    hc->rearm_head = 1;
}

void wb_http_conn_answer(wb_http_conn *hc, int status, const wb_http_header *extra,
                         size_t nextra, const char *detail, int close, int fail) {
    if (hc->closed)
        return;
    close = close || hc->body_open; /* the rest of a streamed body is not read */
    char body[300];
    int n = snprintf(body, sizeof body, "%d %s%s%s\n", status, wb_http_reason(status),
                     detail ? ": " : "", detail ? detail : "");
    wb_http_header h[4] = {{"Content-Type", "text/plain; charset=utf-8"}};
    for (size_t i = 0; i < nextra && i < 3; i++)
        h[1 + i] = extra[i];
    write_response(hc, status, h, 1 + (nextra < 3 ? nextra : 3), body,
                   n > 0 ? (size_t)(n < (int)sizeof body ? n : (int)sizeof body - 1) : 0, 0, close);
    answered(hc);
    if (close) {
        char why[200];
        snprintf(why, sizeof why, "answered %d: %s", status, detail ? detail : wb_http_reason(status));
        close_conn(hc, fail, WB_HTTP_CLOSE_LINGER, why);
    } else {
        process(hc);
    }
}

/* A request we cannot parse: answer and close, with the reason in the log. */
static void reject(wb_http_conn *hc, int status, const char *what) {
    WB_INFO("http", "closing: bad request (%d): %s", status, what);
    wb_http_conn_answer(hc, status, NULL, 0, what, 1, WB_EPROTO);
}

/* The head of an answer to the request being handled, into *head: the handler's, or a 500's
 * when its status or a header is bad (then WB_EINVAL). */
static int answer_head(wb_buf *head, int status, const wb_http_header *headers, size_t nheaders,
                       int64_t len, int close) {
    if (wb_http_write_response_head(head, status, headers, nheaders, len, close) == 0)
        return 0;
    WB_WARN("http", "a handler gave a bad status (%d) or header; answering 500", status);
    wb_buf_reset(head);
    wb_http_write_response_head(head, 500, NULL, 0, 0, close);
    return WB_EINVAL;
}

/* What every answer to the handled request starts with: the checks, and its head into *head.
 * Returns 0, WB_EINVAL (a 500's head instead), or WB_ESTATE / WB_ECLOSED (nothing to send). */
static int begin_answer(wb_http_conn *hc, wb_buf *head, int status, const wb_http_header *headers,
                        size_t nheaders, int64_t len, int keep_alive, int *close) {
    if (!hc->pending || hc->src_on)
        return WB_ESTATE;
    if (hc->closed) {
        answered(hc);
        return WB_ECLOSED;
    }
    *close = !keep_alive || hc->eof || hc->body_open; /* the rest of the body is not read */
    hc->body_open = hc->body_on = 0; /* an answer ends the body's passing on, silently */
    return answer_head(head, status, headers, nheaders, len, *close);
}

/* The answer to the handled request is out: close, or go on with the next request. */
static void end_answer(wb_http_conn *hc, int close) {
    answered(hc);
    if (close)
        close_conn(hc, 0, WB_HTTP_CLOSE_LINGER, "answered with Connection: close");
    else
        process(hc); /* a pipelined request may be waiting */
}

int wb_http_conn_respond(wb_http_conn *hc, int status, const wb_http_header *headers,
                         size_t nheaders, const void *body, size_t len, int head_only,
                         int keep_alive) {
    int close;
    wb_buf head = WB_BUF_INIT;
    int rc = begin_answer(hc, &head, status, headers, nheaders, (int64_t)len, keep_alive, &close);
    if (rc == WB_ESTATE || rc == WB_ECLOSED)
        return rc;
    int w = hc->cb->write(hc->ud, head.data, head.len);
    if (w == 0 && rc == 0 && len && !head_only)
        w = hc->cb->write(hc->ud, body, len);
    wb_buf_free(&head);
    if (w < 0 && rc == 0)
        rc = WB_ECLOSED;
    end_answer(hc, close);
    return rc;
}

/* Sends pieces of the streamed answer while the owner's queue is below a piece; ends the answer
 * when the source is exhausted. */
static void pump(wb_http_conn *hc) {
    while (hc->src_on && is_open(hc) && hc->src_left &&
           hc->cb->queued(hc->ud) < WB_HTTP_CONN_PIECE) {
        size_t want = hc->src_left < WB_HTTP_CONN_PIECE ? (size_t)hc->src_left : WB_HTTP_CONN_PIECE;
        long n = hc->src.read(hc->src.ud, hc->src_buf, want);
        if (n <= 0 || (size_t)n > want) {
            WB_WARN("http", "the body of an answer could not be read (%ld of %zu bytes)", n, want);
            close_conn(hc, n < 0 ? (int)n : WB_EIO, WB_HTTP_CLOSE_NOW,
                       "the answer's body could not be read");
            return;
        }
        hc->src_left -= (uint64_t)n;
        hc->src_progress = 1;
        if (hc->cb->write(hc->ud, hc->src_buf, (size_t)n) < 0) {
            close_conn(hc, WB_ECLOSED, WB_HTTP_CLOSE_NOW, "the connection went away mid-answer");
            return;
        }
    }
    if (!hc->src_on || !is_open(hc)) /* an owner's close ends the source at wb_http_conn_free */
        return;
    if (hc->src_left == 0) {
        int close = hc->src_close;
        end_source(hc, 0);
        end_answer(hc, close);
        return;
    }
    set_deadline(hc);
}

int wb_http_conn_respond_source(wb_http_conn *hc, int status, const wb_http_header *headers,
                                size_t nheaders, uint64_t len, const wb_http_body_source *src,
                                int head_only, int keep_alive) {
    int close;
    wb_buf head = WB_BUF_INIT;
    int rc = begin_answer(hc, &head, status, headers, nheaders,
                          len > INT64_MAX ? -1 : (int64_t)len, keep_alive, &close);
    if (rc == WB_ESTATE || rc == WB_ECLOSED)
        return rc;
    size_t piece = len < WB_HTTP_CONN_PIECE ? (size_t)len : WB_HTTP_CONN_PIECE;
    int streams = rc == 0 && len && !head_only;
    if (streams && !(hc->src_buf = malloc(piece))) {
        wb_buf_free(&head);
        answered(hc);
        close_conn(hc, WB_ENOMEM, WB_HTTP_CLOSE_NOW, "out of memory for an answer");
        return WB_ENOMEM;
    }
    int w = hc->cb->write(hc->ud, head.data, head.len);
    wb_buf_free(&head);
    if (w < 0) {
        free(hc->src_buf);
        hc->src_buf = NULL;
        end_answer(hc, close);
        return rc ? rc : WB_ECLOSED;
    }
    if (rc < 0) { /* the 500 went out */
        end_answer(hc, close);
        return rc;
    }
    hc->src = *src;
    hc->src_on = 1;
    if (!streams) { /* HEAD, or nothing to send */
        end_source(hc, 0);
        end_answer(hc, close);
        return 0;
    }
    hc->src_left = len;
    hc->src_close = close;
    hc->src_progress = 1;
    hc->pending_held = piece; /* the request's storage goes; the piece is what is held */
    if (hold(hc) == 0)
        pump(hc);
    return 0;
}

int wb_http_conn_timeout(wb_http_conn *hc, const char *why) {
    if (hc->closed)
        return 0;
    if (hc->src_on) { /* the peer stopped taking a streamed answer */
        close_conn(hc, WB_ETIMEOUT, WB_HTTP_CLOSE_NOW, why);
        return 1;
    }
    int partial = hc->in_off < hc->in.len || hc->parser.offset || hc->parser.msg.head_store.len;
    if (partial && (!hc->pending || hc->body_open) && !hc->blocked && !hc->upgraded)
        wb_http_conn_answer(hc, 408, NULL, 0, why, 1, WB_ETIMEOUT);
    else
        close_conn(hc, WB_ETIMEOUT, WB_HTTP_CLOSE_NOW, why);
    return partial || hc->blocked;
}

void wb_http_conn_upgraded(wb_http_conn *hc) {
    hc->pending = 0;
    hc->pending_held = 0;
    hc->upgraded = 1;
    hc->deadline_kind = DL_NONE; /* the websocket's owner keeps its own deadlines */
}

/* ---- input --------------------------------------------------------------------------------- */

/* A complete request: to the owner, who answers now or later. */
static void dispatch(wb_http_conn *hc) {
    wb_http_msg req;
    wb_http_parser_take(&hc->parser, &req);
    hc->sent_continue = 0;
    hc->body_start = 0;
    hc->pending = 1;
    hc->pending_held = req.head_store.cap + req.body_store.cap;
    hc->cb->request(hc->ud, &req);
}

/* Moves the input past what was parsed to the front, or forgets it when all was parsed. */
static void compact(wb_http_conn *hc) {
    if (hc->in_off == hc->in.len) {
        wb_buf_reset(&hc->in);
        hc->in_off = 0;
    } else if (hc->in_off > IN_COMPACT) {
        memmove(hc->in.data, hc->in.data + hc->in_off, hc->in.len - hc->in_off);
        hc->in.len -= hc->in_off;
        hc->in_off = 0;
    }
}

/* A head with a body to come: the body is buffered (its declared length reserved before any
 * of it is read), or, when the owner wants it in pieces, the request is handed out now. Then
 * 100 Continue invites the body, unless the request was answered already. Returns 0 to go on,
 * 1 to stop. */
static int body_head(wb_http_conn *hc) {
    wb_error err = {0};
    int stream = hc->cb->streams && hc->cb->streams(hc->ud, &hc->parser.msg);
    int cont = hc->parser.msg.expect_continue;
    if (wb_http_parser_stream(&hc->parser, stream, &err) < 0) {
        reject(hc, hc->parser.status, err.what);
        return 1;
    }
    hc->body_start = hc->cb->now(hc->ud);
    hc->body_bytes = 0;
    hc->sent_continue = 0;
    if (!stream && hold(hc))
        return 1;
    if (stream) {
        wb_http_msg req;
        wb_http_parser_take_head(&hc->parser, &req);
        hc->pending = 1;
        hc->pending_held = req.head_store.cap;
        hc->body_open = 1;
        hc->body_on = 0;
        hc->cb->request(hc->ud, &req);
        if (hc->closed || !hc->body_open)
            return 1; /* answered at once: the body is not wanted */
    }
    if (cont) {
        hc->sent_continue = 1;
        static const char line[] = "HTTP/1.1 100 Continue\r\n\r\n";
        hc->cb->write(hc->ud, (const uint8_t *)line, sizeof line - 1);
    }
    return 0;
}

/* Parses one step of the waiting input. Returns 0 to go on, 1 to stop for now. */
static int parse_step(wb_http_conn *hc) {
    const uint8_t *d = hc->in.data + hc->in_off;
    size_t n = hc->in.len - hc->in_off, used;
    int was_body = hc->parser.head_done;
    wb_error err = {0};
    int rc = wb_http_parser_feed(&hc->parser, d, n, &used, &err);
    hc->in_off += used;
    if (rc < 0) {
        reject(hc, hc->parser.status, err.what);
        return 1;
    }
    if (was_body)
        hc->body_bytes += used;
    if (rc == WB_HTTP_HEAD)
        return body_head(hc);
    if (rc == WB_HTTP_BODY) {
        hc->cb->body(hc->ud, hc->parser.piece, hc->parser.piece_len, 0);
        if (hc->closed || !hc->body_open)
            return 1; /* answered before the end */
        /* the piece may have been the body's last: its end must not wait for more input */
        if ((rc = wb_http_parser_feed(&hc->parser, NULL, 0, &used, &err)) != WB_HTTP_DONE)
            return 0;
    }
    if (rc == WB_HTTP_MORE)
        return 1;
    if (hc->body_open) { /* a streamed body's end; its request is still to be answered */
        wb_http_parser_next(&hc->parser);
        hc->body_open = hc->body_on = 0;
        hc->cb->body(hc->ud, NULL, 0, 0);
        return 0;
    }
    dispatch(hc);
    return 0;
}

/* Tells the owner what the connection holds; 503 (or, with an answer owed, a close) when
 * refused. Returns 0, or 1 when the connection is closing. */
static int hold(wb_http_conn *hc) {
    size_t bytes = 0;
    if (!hc->upgraded)
        bytes = hc->in.cap + wb_http_parser_held(&hc->parser) + hc->pending_held;
    if (bytes == hc->held)
        return 0;
    if (hc->cb->hold(hc->ud, bytes) == 0) {
        hc->held = bytes;
        return 0;
    }
    WB_INFO("http", "refusing a request: the server's buffers are full (%zu bytes asked)", bytes);
    if (hc->pending) /* its answer must come first: nothing else may be said */
        close_conn(hc, WB_ETOOBIG, WB_HTTP_CLOSE_NOW, "the server's buffers are full");
    else
        wb_http_conn_answer(hc, 503, NULL, 0, "the server's buffers are full; try again later", 1,
                            WB_ETOOBIG);
    return 1;
}

/* Arms the deadline the connection's state calls for. */
static void set_deadline(wb_http_conn *hc) {
    int kind = hc->src_on && hc->cfg.head_timeout_ms ? DL_SEND
               : (hc->pending && !hc->body_on) || !hc->cfg.head_timeout_ms ? DL_NONE
               : hc->blocked                           ? DL_BLOCKED
               : hc->parser.head_done                  ? DL_BODY
                                                       : DL_HEAD;
    const wb_http_conn_cfg *c = &hc->cfg;
    char why[96];
    if (kind == DL_BODY) {
        /* body_timeout_ms from the end of the head, plus a second per body_min_rate bytes */
        uint64_t now = hc->cb->now(hc->ud);
        uint64_t due = hc->body_start + c->body_timeout_ms + hc->body_bytes * 1000 / c->body_min_rate;
        snprintf(why, sizeof why, "request body slower than %zu bytes/s after %u ms",
                 c->body_min_rate, c->body_timeout_ms);
        hc->cb->deadline(hc->ud, due > now ? (unsigned)(due - now < UINT32_MAX ? due - now : UINT32_MAX) : 1,
                         why);
    } else if (kind == DL_HEAD && (hc->deadline_kind != DL_HEAD || hc->rearm_head)) {
        snprintf(why, sizeof why, "no complete request within %u ms", c->head_timeout_ms);
        hc->cb->deadline(hc->ud, c->head_timeout_ms, why);
    } else if (kind == DL_BLOCKED && (hc->deadline_kind != DL_BLOCKED || hc->rearm_head)) {
        snprintf(why, sizeof why, "peer did not read its answers for %u ms", c->head_timeout_ms);
        hc->cb->deadline(hc->ud, c->head_timeout_ms, why);
    } else if (kind == DL_SEND && (hc->deadline_kind != DL_SEND || hc->src_progress)) {
        snprintf(why, sizeof why, "peer took none of the answer for %u ms", c->head_timeout_ms);
        hc->cb->deadline(hc->ud, c->head_timeout_ms, why);
        hc->src_progress = 0;
    } else if (kind == DL_NONE && hc->deadline_kind != DL_NONE) {
        hc->cb->deadline(hc->ud, 0, NULL);
    }
    hc->deadline_kind = kind;
    hc->rearm_head = 0;
}

static void set_reading(wb_http_conn *hc, int on) {
    if (on == !hc->paused)
        return;
    hc->paused = !on;
    hc->cb->reading(hc->ud, on);
}

/* Parses and hands on whatever input waits, as far as the state allows. Re-entered calls (a
 * handler answering at once) only ask the running loop to go round again. */
static void process(wb_http_conn *hc) {
    if (hc->in_process) {
        hc->again = 1;
        return;
    }
    hc->in_process = 1;
    do {
        hc->again = 0;
        while (is_open(hc) && hc->in_off < hc->in.len) {
            if (hc->upgraded) {
                const uint8_t *d = hc->in.data + hc->in_off;
                size_t n = hc->in.len - hc->in_off;
                hc->in_off += n;
                hc->cb->upgraded_data(hc->ud, d, n);
                continue;
            }
            if (hc->pending && !hc->body_on)
                break;
            /* pipelined requests wait while the peer does not read the answers */
            if ((hc->blocked = hc->cb->queued(hc->ud) > hc->cfg.write_high))
                break;
            if (parse_step(hc))
                break;
        }
        compact(hc);
    } while (hc->again);
    hc->in_process = 0;
    if (!is_open(hc) || hold(hc))
        return;
    if (hc->upgraded) {
        set_reading(hc, 1);
        return;
    }
    hc->blocked = hc->blocked && hc->in_off < hc->in.len &&
                  hc->cb->queued(hc->ud) > hc->cfg.write_high;
    set_reading(hc, (!hc->pending || hc->body_on) && !hc->blocked &&
                        hc->in.len - hc->in_off <= IN_PAUSE);
    set_deadline(hc);
    if (hc->eof && hc->body_open && hc->in_off == hc->in.len) {
        close_conn(hc, WB_ETRUNC, WB_HTTP_CLOSE_FLUSH,
                   "peer closed the connection in the middle of a request body");
    } else if (hc->eof && !hc->pending && !hc->blocked) {
        if (hc->in_off < hc->in.len || hc->parser.offset || hc->parser.msg.head_store.len)
            close_conn(hc, WB_ETRUNC, WB_HTTP_CLOSE_FLUSH,
                       "peer closed the connection in the middle of a request");
        else
            close_conn(hc, 0, WB_HTTP_CLOSE_FLUSH, "peer closed the connection");
    }
}

void wb_http_conn_feed(wb_http_conn *hc, const uint8_t *data, size_t len) {
    if (hc->closed || !len)
        return;
    if (hc->upgraded && hc->in.len == hc->in_off) { /* the common case: straight through */
        hc->cb->upgraded_data(hc->ud, data, len);
        return;
    }
    if (wb_buf_append(&hc->in, data, len) < 0) {
        close_conn(hc, WB_ENOMEM, WB_HTTP_CLOSE_NOW, "out of memory buffering input");
        return;
    }
    process(hc);
}

void wb_http_conn_eof(wb_http_conn *hc) {
    if (hc->closed)
        return;
    if (hc->upgraded) {
        process(hc); /* bytes that came behind the upgrade first */
        if (!hc->closed)
            hc->cb->upgraded_eof(hc->ud);
        return;
    }
    hc->eof = 1;
    process(hc); /* with an answer owed, the close waits for it */
}

void wb_http_conn_drained(wb_http_conn *hc) {
    if (!hc->closed && hc->src_on)
        pump(hc);
    else if (!hc->closed && hc->blocked)
        process(hc);
}

void wb_http_conn_init(wb_http_conn *hc, const wb_http_conn_cfg *cfg,
                       const wb_http_conn_callbacks *cb, void *ud) {
    memset(hc, 0, sizeof *hc);
    if (cfg)
        hc->cfg = *cfg;
    if (!hc->cfg.body_timeout_ms)
        hc->cfg.body_timeout_ms = hc->cfg.head_timeout_ms;
    if (!hc->cfg.body_min_rate)
        hc->cfg.body_min_rate = WB_HTTP_CONN_MIN_RATE;
    if (!hc->cfg.write_high)
        hc->cfg.write_high = WB_HTTP_CONN_WRITE_HIGH;
    hc->cb = cb;
    hc->ud = ud;
    wb_http_parser_init(&hc->parser, WB_HTTP_REQUEST, &hc->cfg.limits);
    hc->parser.stop_at_head = 1; /* a body's mode is chosen once its head is known */
    if (hc->cfg.head_timeout_ms)
        set_deadline(hc);
}

void wb_http_conn_read_body(wb_http_conn *hc) {
    if (hc->closed || !hc->body_open || hc->body_on)
        return;
    hc->body_on = 1;
    process(hc);
}

void wb_http_conn_free(wb_http_conn *hc) {
    end_source(hc, WB_ECLOSED);
    end_body(hc, WB_ECLOSED);
    wb_http_parser_free(&hc->parser);
    wb_buf_free(&hc->in);
    hc->closed = 1;
}
