/* Unit tests for streamed bodies in the server's per-connection HTTP logic (net/http_conn.h),
 * driven from memory. Answers: the body read a piece at a time as the write queue drains,
 * exactly one done per answer (whole, peer gone, deadline, a failing source), HEAD reading
 * nothing, the next pipelined request only after the whole body. Requests: the body passed on
 * in pieces at every boundary (Content-Length and chunked), nothing reserved for its declared
 * length, exactly one end (whole, peer gone, deadline, bad framing), an early answer closing
 * the connection without reading the rest. tests/fuzz/fuzz_http_conn.c drives the same paths
 * with arbitrary streams. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "net/http_conn.h"

typedef struct harness {
    wb_http_conn hc;
    wb_buf written;
    size_t queued;      /* what the "socket" has not taken yet */
    int closed, close_status, requests, reads, dones, done_status;
    uint64_t served;    /* bytes the source produced */
    long fail_at;       /* read number that fails (0: none) */
    unsigned deadline;
    int head_only;
    uint64_t len;
    /* streamed requests */
    int stream, early, ends, end_status, cont_seen;
    wb_buf body;
    size_t max_held;
} harness;

static int h_write(void *ud, const uint8_t *p, size_t n) {
    harness *h = ud;
    CHECK(!h->closed);
    h->queued += n;
    return wb_buf_append(&h->written, p, n);
}
static size_t h_queued(void *ud) { return ((harness *)ud)->queued; }
static int h_open(void *ud) { return !((harness *)ud)->closed; }

static long src_read(void *ud, uint8_t *buf, size_t cap) {
    harness *h = ud;
    CHECK(cap <= WB_HTTP_CONN_PIECE && cap > 0);
    if (++h->reads == h->fail_at)
        return WB_EIO;
    for (size_t i = 0; i < cap; i++)
        buf[i] = (uint8_t)(h->served + i);
    h->served += cap;
    return (long)cap;
}
static void src_done(void *ud, int status) {
    harness *h = ud;
    h->dones++;
    h->done_status = status;
}

static void h_request(void *ud, wb_http_msg *req) {
    harness *h = ud;
    h->requests++;
    if (h->stream && !req->body_follows) { /* a request without a body comes whole */
        wb_http_msg_free(req);
        CHECK_EQ(wb_http_conn_respond(&h->hc, 204, NULL, 0, NULL, 0, 0, 1), 0);
        return;
    }
    if (h->stream) {
        CHECK(!req->body);
        wb_http_msg_free(req);
        if (h->early)
            CHECK_EQ(wb_http_conn_respond(&h->hc, 401, NULL, 0, "no", 2, 0, 1), 0);
        else
            wb_http_conn_read_body(&h->hc);
        return;
    }
    wb_http_msg_free(req);
    wb_http_body_source src = {src_read, src_done, h};
    CHECK_EQ(wb_http_conn_respond_source(&h->hc, 200, NULL, 0, h->len, &src, h->head_only, 1), 0);
}
static void h_upgraded_data(void *ud, const uint8_t *p, size_t n) { (void)ud, (void)p, (void)n; }
static void h_upgraded_eof(void *ud) { (void)ud; }
static int h_hold(void *ud, size_t bytes) {
    harness *h = ud;
    CHECK(bytes <= WB_HTTP_CONN_PIECE + 64 * 1024);
    if (bytes > h->max_held)
        h->max_held = bytes;
    return 0;
}
static void h_reading(void *ud, int on) { (void)ud, (void)on; }
static void h_deadline(void *ud, unsigned ms, const char *why) {
    ((harness *)ud)->deadline = ms;
    (void)why;
}
static void h_close(void *ud, int status, int how, const char *why) {
    harness *h = ud;
    CHECK(!h->closed);
    h->closed = 1;
    h->close_status = status;
    (void)how, (void)why;
}
static uint64_t h_now(void *ud) { (void)ud; return 0; }
static int h_streams(void *ud, const wb_http_msg *head) {
    (void)head;
    return ((harness *)ud)->stream;
}
static void h_body(void *ud, const uint8_t *data, size_t len, int status) {
    harness *h = ud;
    CHECK(h->ends == 0); /* nothing after the end */
    if (data) {
        wb_buf_append(&h->body, data, len);
        return;
    }
    h->ends++;
    h->end_status = status;
    if (status == 0) /* the whole body: answer it */
        CHECK_EQ(wb_http_conn_respond(&h->hc, 200, NULL, 0, "ok", 2, 0, 1), 0);
}

static const wb_http_conn_callbacks cbs = {h_write,   h_queued,   h_open,     h_request,
                                           h_upgraded_data, h_upgraded_eof, h_hold, h_reading,
                                           h_deadline, h_close,   h_now,      h_streams,
                                           h_body};

static void start(harness *h, uint64_t len) {
    memset(h, 0, sizeof *h);
    h->len = len;
    wb_http_conn_cfg cfg = {.head_timeout_ms = 5000, .limits = {.max_body = 1000,
                                                                 .max_streamed_body = 1 << 30}};
    wb_http_conn_init(&h->hc, &cfg, &cbs, h);
}

static void feed(harness *h, const char *s) {
    wb_http_conn_feed(&h->hc, (const uint8_t *)s, strlen(s));
}

/* The socket takes everything queued, as libuv reports with on_drained. */
static void drain(harness *h) {
    h->queued = 0;
    wb_http_conn_drained(&h->hc);
}

/* The body after the n-th head in what was written, checked against the source's pattern. */
static int body_ok(const harness *h, uint64_t len) {
    const uint8_t *w = h->written.data;
    const uint8_t *end = memmem(w, h->written.len, "\r\n\r\n", 4);
    if (!end || (uint64_t)(h->written.len - (size_t)(end + 4 - w)) < len)
        return 0;
    for (uint64_t i = 0; i < len; i++)
        if (end[4 + i] != (uint8_t)i)
            return 0;
    return 1;
}

static void test_http_conn_streams_an_answer_as_the_queue_drains(void) {
    harness h;
    uint64_t len = 3 * WB_HTTP_CONN_PIECE + 12345;
    start(&h, len);
    feed(&h, "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK_EQ(h.requests, 1);
    CHECK_EQ(h.reads, 1); /* one piece, then wait for the queue */
    CHECK(strstr((const char *)h.written.data, "Content-Length: 798777\r\n") != NULL);
    CHECK(h.deadline == 5000); /* a peer that takes nothing is cut off */
    for (int i = 2; i <= 3; i++) {
        drain(&h);
        CHECK_EQ(h.reads, i);
        CHECK_EQ(h.dones, 0);
        CHECK_EQ(h.requests, 1); /* the pipelined request waits for the whole body */
    }
    drain(&h); /* the last piece: the answer is over, and the next request comes at once */
    CHECK_EQ(h.reads, 5);
    CHECK_EQ(h.dones, 1);
    CHECK_EQ(h.done_status, 0);
    CHECK_EQ(h.requests, 2);
    CHECK(body_ok(&h, len));
    for (int i = 0; i < 10 && h.dones < 2; i++)
        drain(&h);
    CHECK_EQ(h.dones, 2);
    CHECK_EQ(h.done_status, 0);
    CHECK_EQ(h.served, 2 * len);
    CHECK(!h.closed);
    wb_http_conn_free(&h.hc);
    CHECK_EQ(h.dones, 2);
    wb_buf_free(&h.written);
}

static void test_http_conn_streamed_answer_ends_once_when_cut_off(void) {
    harness h;
    /* the peer goes away mid-answer: the owner frees the connection */
    start(&h, 4 * WB_HTTP_CONN_PIECE);
    feed(&h, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
    drain(&h);
    CHECK_EQ(h.reads, 2);
    wb_http_conn_free(&h.hc);
    CHECK_EQ(h.dones, 1);
    CHECK_EQ(h.done_status, WB_ECLOSED);
    wb_buf_free(&h.written);
    /* the peer takes nothing until the deadline */
    start(&h, 4 * WB_HTTP_CONN_PIECE);
    feed(&h, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK_EQ(wb_http_conn_timeout(&h.hc, "test deadline"), 1);
    CHECK(h.closed && h.close_status == WB_ETIMEOUT);
    CHECK_EQ(h.dones, 1);
    CHECK_EQ(h.done_status, WB_ETIMEOUT);
    drain(&h); /* nothing more is read once closed */
    CHECK_EQ(h.reads, 1);
    wb_http_conn_free(&h.hc);
    CHECK_EQ(h.dones, 1);
    wb_buf_free(&h.written);
    /* the source fails: the framing cannot be kept, the connection closes */
    start(&h, 4 * WB_HTTP_CONN_PIECE);
    h.fail_at = 2;
    feed(&h, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
    drain(&h);
    CHECK(h.closed && h.close_status == WB_EIO);
    CHECK_EQ(h.dones, 1);
    CHECK_EQ(h.done_status, WB_EIO);
    wb_http_conn_free(&h.hc);
    CHECK_EQ(h.dones, 1);
    wb_buf_free(&h.written);
}

static void test_http_conn_streamed_answer_to_head_reads_nothing(void) {
    harness h;
    start(&h, 1000000);
    h.head_only = 1;
    feed(&h, "HEAD /a HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK_EQ(h.reads, 0);
    CHECK_EQ(h.dones, 1);
    CHECK_EQ(h.done_status, 0);
    CHECK(strstr((const char *)h.written.data, "Content-Length: 1000000\r\n\r\n") != NULL);
    CHECK(memmem(h.written.data, h.written.len, "\r\n\r\n", 4) ==
          (void *)(h.written.data + h.written.len - 4));
    /* an empty body: nothing to read either */
    h.head_only = 0;
    h.len = 0;
    feed(&h, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK_EQ(h.reads, 0);
    CHECK_EQ(h.dones, 2);
    CHECK_EQ(h.requests, 2);
    wb_http_conn_free(&h.hc);
    wb_buf_free(&h.written);
}

/* Feeds a request with a streamed body in pieces of `piece` bytes; returns the harness. */
static void stream_request(harness *h, const char *text, size_t piece) {
    start(h, 0);
    h->stream = 1;
    for (size_t off = 0, n = strlen(text); off < n && !h->closed; off += piece)
        wb_http_conn_feed(&h->hc, (const uint8_t *)text + off, n - off < piece ? n - off : piece);
}

/* A request streamed in pieces of `piece` bytes: its body is want, ended once, and answered. */
static void expect_streamed(const char *text, size_t piece, const char *want, const char *answer) {
    harness h;
    stream_request(&h, text, piece);
    CHECK_EQ(h.ends, 1);
    CHECK_EQ(h.end_status, 0);
    CHECK(h.body.len == strlen(want) && memcmp(h.body.data, want, h.body.len) == 0);
    CHECK(h.written.data && strstr((const char *)h.written.data, answer) != NULL);
    wb_http_conn_free(&h.hc);
    wb_buf_free(&h.body);
    wb_buf_free(&h.written);
}

static void test_http_conn_streams_a_request_body_at_every_boundary(void) {
    static char text[40000];
    char body[20001];
    for (size_t i = 0; i < sizeof body - 1; i++)
        body[i] = (char)('a' + i % 26);
    body[sizeof body - 1] = '\0';
    /* Content-Length over max_body (1000): fine, it is streamed and nothing is reserved */
    snprintf(text, sizeof text, "POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 20000\r\n\r\n%s"
                                "GET /next HTTP/1.1\r\nHost: x\r\n\r\n", body);
    size_t pieces[] = {1, 2, 3, 7, 100, 4096, sizeof text};
    for (size_t i = 0; i < sizeof pieces / sizeof *pieces; i++) {
        harness h;
        stream_request(&h, text, pieces[i]);
        CHECK_EQ(h.ends, 1);
        CHECK_EQ(h.end_status, 0);
        CHECK(h.body.len == 20000 && memcmp(h.body.data, body, 20000) == 0);
        CHECK(pieces[i] > 4096 || h.max_held < 20000); /* whole, the input itself is held */
        CHECK_EQ(h.requests, 2); /* keep-alive: the next request came after the answer */
        CHECK(!h.closed);
        wb_http_conn_free(&h.hc);
        CHECK_EQ(h.ends, 1);
        wb_buf_free(&h.body);
        wb_buf_free(&h.written);
    }
    /* the body ends with the input: its end comes at once */
    for (size_t piece = 1; piece < 90; piece += 11)
        expect_streamed("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", piece,
                        "hello", "HTTP/1.1 200");
    /* chunked, with 100-continue */
    for (size_t piece = 1; piece < 12; piece++)
        expect_streamed("POST /up HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1;x=y\r\n \r\n"
                        "5\r\nworld\r\n0\r\nT: v\r\n\r\n",
                        piece, "hello world", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200");
}

static void test_http_conn_streamed_request_body_ends_once(void) {
    const char *head = "POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789";
    /* the peer stops sending */
    harness h;
    stream_request(&h, head, 3);
    CHECK_EQ(h.body.len, 10);
    wb_http_conn_eof(&h.hc);
    CHECK(h.closed && h.close_status == WB_ETRUNC);
    CHECK_EQ(h.ends, 1);
    CHECK_EQ(h.end_status, WB_ETRUNC);
    wb_http_conn_free(&h.hc);
    CHECK_EQ(h.ends, 1);
    wb_buf_free(&h.body);
    wb_buf_free(&h.written);
    /* the socket goes away (the owner frees the connection) */
    stream_request(&h, head, 100);
    wb_http_conn_free(&h.hc);
    CHECK_EQ(h.ends, 1);
    CHECK_EQ(h.end_status, WB_ECLOSED);
    wb_buf_free(&h.body);
    wb_buf_free(&h.written);
    /* the body's deadline: 408, and the end */
    stream_request(&h, head, 100);
    CHECK_EQ(wb_http_conn_timeout(&h.hc, "slow body"), 1);
    CHECK(h.closed && h.close_status == WB_ETIMEOUT);
    CHECK(strstr((const char *)h.written.data, "HTTP/1.1 408") != NULL);
    CHECK_EQ(h.ends, 1);
    CHECK_EQ(h.end_status, WB_ETIMEOUT);
    wb_http_conn_free(&h.hc);
    wb_buf_free(&h.body);
    wb_buf_free(&h.written);
    /* bad chunk framing: 400, and the end */
    stream_request(&h, "POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "3\r\nabcX", 5);
    CHECK(h.closed && strstr((const char *)h.written.data, "HTTP/1.1 400") != NULL);
    CHECK_EQ(h.ends, 1);
    CHECK(h.end_status < 0);
    wb_http_conn_free(&h.hc);
    wb_buf_free(&h.body);
    wb_buf_free(&h.written);
    /* a declared length over the streamed limit: 413 at the head */
    stream_request(&h, "POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000000\r\n\r\n", 7);
    CHECK(h.closed && strstr((const char *)h.written.data, "HTTP/1.1 413") != NULL);
    CHECK_EQ(h.requests, 0);
    wb_http_conn_free(&h.hc);
    wb_buf_free(&h.written);
}

static void test_http_conn_early_answer_skips_the_body_and_closes(void) {
    harness h;
    start(&h, 0);
    h.stream = 1;
    h.early = 1;
    feed(&h, "POST /up HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 100\r\n\r\n");
    CHECK_EQ(h.requests, 1);
    CHECK(strncmp((const char *)h.written.data, "HTTP/1.1 401", 12) == 0); /* no 100 first */
    CHECK(strstr((const char *)h.written.data, "Connection: close") != NULL);
    CHECK(h.closed);
    feed(&h, "0123456789");
    CHECK_EQ(h.ends, 0);
    CHECK_EQ(h.body.len, 0);
    wb_http_conn_free(&h.hc);
    CHECK_EQ(h.ends, 0);
    wb_buf_free(&h.written);
    /* a buffered body over max_body is still refused at its head */
    start(&h, 0);
    feed(&h, "POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n");
    CHECK(h.closed && strstr((const char *)h.written.data, "HTTP/1.1 413") != NULL);
    wb_http_conn_free(&h.hc);
    wb_buf_free(&h.written);
}

int main(void) {
    RUN(test_http_conn_streams_a_request_body_at_every_boundary);
    RUN(test_http_conn_streamed_request_body_ends_once);
    RUN(test_http_conn_early_answer_skips_the_body_and_closes);
    RUN(test_http_conn_streams_an_answer_as_the_queue_drains);
    RUN(test_http_conn_streamed_answer_ends_once_when_cut_off);
    RUN(test_http_conn_streamed_answer_to_head_reads_nothing);
    return check_summary();
}
