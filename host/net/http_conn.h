/* One server-side HTTP/1.1 connection without I/O: what net/http_server.c runs for every
 * accepted socket, and what tests/fuzz/fuzz_http_conn.c drives from memory. Internal to net/.
 *
 * Bytes from the peer go in by wb_http_conn_feed; complete requests come out one at a time
 * through cb.request, in order; each is answered exactly once (wb_http_conn_respond or
 * wb_http_conn_answer, now or later) or turned into a websocket (wb_http_conn_upgraded, after the
 * owner wrote its 101), and only then is the next pipelined request parsed. What this decides:
 *
 *   - framing and errors: a request the parser refuses is answered (400, 413, 414, 431, 501,
 *     505) and the connection closes after the answer is flushed; "Expect: 100-continue" gets
 *     its 100 once the head is accepted;
 *   - pipelining with backpressure: while more than write_high bytes wait to be sent (the peer
 *     does not read its answers) no further request is handled and reading stops;
 *     wb_http_conn_drained goes on;
 *   - input: unparsed bytes are kept in one buffer, compacted past 64 KiB, and reading stops
 *     while more than 256 KiB of them wait behind a request being handled;
 *   - deadlines (cb.deadline): a head must arrive whole within head_timeout_ms of the start or
 *     of the previous answer, however slowly it trickles; a body gets body_timeout_ms from the
 *     end of its head plus one second per body_min_rate bytes received, so a body that trickles
 *     is cut off however long it keeps trickling, and a fast big one is not; none while a
 *     request is being handled;
 *   - memory: cb.hold is told what the connection holds (unparsed input, the parser's buffers, a
 *     request being handled, and the rest of a declared Content-Length body, reserved when its
 *     head arrives); a refusal is answered 503 and the connection closes;
 *   - the upgrade hand-off: after wb_http_conn_upgraded every later byte, including those that
 *     arrived behind the upgrade request, goes to cb.upgraded_data in order;
 *   - streamed bodies (cb.streams): a request whose owner wants its body in pieces is handed
 *     out as soon as its head is complete (body_follows set); once the owner calls
 *     wb_http_conn_read_body its decoded body goes to cb.body piece by piece as it arrives,
 *     under the body deadline, and only the head is held (no length is reserved); an answer
 *     given before the body's end closes the connection after it (the rest is not read);
 *   - streamed answers (wb_http_conn_respond_source): the body is read from its source one
 *     piece (WB_HTTP_CONN_PIECE) at a time, the next only once the owner's write queue is below
 *     a piece (wb_http_conn_drained goes on), so the first byte leaves at once and the
 *     connection holds one piece, however big the body; a peer that takes nothing for
 *     head_timeout_ms is cut off.
 *
 * Callbacks may call back in (an answer given inside cb.request runs the next request after
 * the current one returns, not recursively). Once cb.close was called nothing else is. */
#ifndef WB_NET_HTTP_CONN_H
#define WB_NET_HTTP_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "net/http.h"

#define WB_HTTP_CONN_MIN_RATE (16u * 1024)
#define WB_HTTP_CONN_WRITE_HIGH (256u * 1024)
#define WB_HTTP_CONN_PIECE (256u * 1024) /* bytes of a streamed answer read at a time */

typedef struct wb_http_conn_cfg {
    wb_http_limits limits;    /* for the parser; zero fields take its defaults */
    unsigned head_timeout_ms; /* 0: no head deadline */
    unsigned body_timeout_ms; /* 0: head_timeout_ms */
    size_t body_min_rate;     /* bytes per second; 0: WB_HTTP_CONN_MIN_RATE */
    size_t write_high;        /* 0: WB_HTTP_CONN_WRITE_HIGH */
} wb_http_conn_cfg;

enum { WB_HTTP_CLOSE_NOW = 0, WB_HTTP_CLOSE_FLUSH = 1, WB_HTTP_CLOSE_LINGER = 2 };

typedef struct wb_http_conn_callbacks {
    /* Bytes for the peer, in order. Returns 0, or negative when the connection is going away. */
    int (*write)(void *ud, const uint8_t *data, size_t len);
    /* Bytes written and not yet taken by the peer. */
    size_t (*queued)(void *ud);
    /* 1 while the connection can still send (the owner may have closed it on its own). */
    int (*open)(void *ud);
    /* A complete request; *req is the callee's from now on (wb_http_msg_free). */
    void (*request)(void *ud, wb_http_msg *req);
    /* After the upgrade: the peer's bytes, and the end of its stream. */
    void (*upgraded_data)(void *ud, const uint8_t *data, size_t len);
    void (*upgraded_eof)(void *ud);
    /* What the connection holds now, in bytes. Returns 0, or negative to refuse (503). */
    int (*hold)(void *ud, size_t bytes);
    /* Stop (0) or restart (1) reading from the peer. */
    void (*reading)(void *ud, int on);
    /* The deadline from now (0: none); when it passes, the owner closes with reason why. */
    void (*deadline)(void *ud, unsigned ms, const char *why);
    /* End the connection: WB_HTTP_CLOSE_NOW, _FLUSH (after what was written), _LINGER (and
     * then read until the peer closes, so a final answer is not lost to a reset). status is 0 or
     * a negative code, why a sentence for logs. */
    void (*close)(void *ud, int status, int how, const char *why);
    /* Milliseconds of a monotonic clock. */
    uint64_t (*now)(void *ud);
    /* A request's head with a body to come: 1 to have the request handed out now and its body
     * passed on in pieces, 0 to have the body buffered whole first. NULL: never. */
    int (*streams)(void *ud, const wb_http_msg *head);
    /* A streamed body (after wb_http_conn_read_body): its pieces (status 0), then its end (data
     * NULL, status 0), or its loss (data NULL, status negative: the peer went away or broke the
     * framing, a deadline or a limit passed; the connection then answers what fits and closes,
     * and a later answer to the request returns WB_ESTATE). Exactly one end per streamed
     * request, unless the request was answered first. May be NULL when streams is. */
    void (*body)(void *ud, const uint8_t *data, size_t len, int status);
} wb_http_conn_callbacks;

typedef struct wb_http_conn {
    /* private */
    wb_http_conn_cfg cfg;
    const wb_http_conn_callbacks *cb;
    void *ud;
    wb_http_parser parser;
    wb_buf in;           /* received, not yet parsed */
    size_t in_off;
    size_t pending_held; /* the storage of the request being handled */
    int pending;         /* a request is being handled */
    int upgraded, closed, eof, blocked, paused;
    int in_process, again;
    int sent_continue;
    int deadline_kind;   /* what the armed deadline is for */
    int rearm_head;      /* an answer went out: the next head gets a fresh deadline */
    uint64_t body_start; /* when the current body's head was complete */
    uint64_t body_bytes; /* body bytes received since */
    size_t held;         /* last told to cb.hold */
    /* a streamed answer being sent */
    wb_http_body_source src;
    uint64_t src_left;   /* bytes still to read from it */
    uint8_t *src_buf;    /* one piece */
    int src_on, src_close, src_progress;
    int body_open;       /* the handled request's streamed body has not ended */
    int body_on;         /* ...and its owner takes it (wb_http_conn_read_body) */
} wb_http_conn;

/* Starts a connection: the head deadline runs from now. cfg and cb are copied / borrowed (cb
 * must outlive hc). */
void wb_http_conn_init(wb_http_conn *hc, const wb_http_conn_cfg *cfg,
                       const wb_http_conn_callbacks *cb, void *ud);
/* Frees what hc holds (a request being handled belongs to its handler); a streamed answer still
 * being sent ends with its source's done(WB_ECLOSED). */
void wb_http_conn_free(wb_http_conn *hc);

/* Bytes from the peer, in any slicing. */
void wb_http_conn_feed(wb_http_conn *hc, const uint8_t *data, size_t len);
/* The peer finished sending. */
void wb_http_conn_eof(wb_http_conn *hc);
/* The owner's write queue emptied: requests held back by backpressure go on. */
void wb_http_conn_drained(wb_http_conn *hc);

/* Answers the request being handled: status, headers (no Content-Length or Connection: they are
 * added) and body; the connection closes after it unless keep_alive (and the peer keeps it
 * alive). head_only sends no body (HEAD). Returns 0, WB_ESTATE (no request is being handled),
 * WB_EINVAL (a bad status or header: a 500 went out instead) or WB_ECLOSED. */
int wb_http_conn_respond(wb_http_conn *hc, int status, const wb_http_header *headers,
                         size_t nheaders, const void *body, size_t len, int head_only,
                         int keep_alive);
/* Answers the request being handled with a body of len bytes read from src in pieces (see the
 * top), as wb_http_conn_respond otherwise does; the next request waits for the whole body.
 * head_only sends no body and ends src at once. Returns 0 (src->done will be called exactly
 * once), or, with src->done never called, WB_ESTATE, WB_EINVAL (a 500 went out instead),
 * WB_ECLOSED or WB_ENOMEM (the connection is closed). */
int wb_http_conn_respond_source(wb_http_conn *hc, int status, const wb_http_header *headers,
                                size_t nheaders, uint64_t len, const wb_http_body_source *src,
                                int head_only, int keep_alive);
/* Answers the request being handled (or, with none, the connection) with a short text body
 * "STATUS Reason: detail"; close ends the connection after it, with status fail in the log. */
void wb_http_conn_answer(wb_http_conn *hc, int status, const wb_http_header *extra,
                         size_t nextra, const char *detail, int close, int fail);
/* The deadline the connection asked for (cb.deadline) passed: answers 408 when part of a request
 * had arrived, then closes with WB_ETIMEOUT and why. Returns 1 when a request (or a peer not
 * reading its answers) was cut off, 0 for an idle connection. */
int wb_http_conn_timeout(wb_http_conn *hc, const char *why);
/* The handled request's body follows (body_follows): pass it on to cb.body from now on. */
void wb_http_conn_read_body(wb_http_conn *hc);
/* Inside cb.request: the request became a websocket (the owner sent the 101). */
void wb_http_conn_upgraded(wb_http_conn *hc);

#endif
