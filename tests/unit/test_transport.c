/* The libuv transport in one process: the HTTP/websocket server (net/http_server.h), the
 * websocket client (net/ws.h) and the media HTTP client (media/http.h, libcurl) on one loop, over loopback,
 * plain and TLS. Also abuse from raw TCP clients (malformed HTTP, oversized heads, bad frames, TLS
 * garbage, a peer that never reads), each closed with its reason while a good client carries on.
 * Every test ends with every handle closed (uv_loop_close succeeds), which ASan checks for leaks. */
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "check.h"
#include "core/log.h"
#include "crypto/random.h"
#include "media/http.h"
#include "net/http_server.h"
#include "net/ws.h"

static uv_loop_t loop;

/* Runs the loop until *flag is set (or 10 s pass, which fails the test). */
static void run_until(int *flag) {
    uint64_t start = uv_now(&loop);
    while (!*flag && uv_now(&loop) - start < 10000) {
        uv_run(&loop, UV_RUN_ONCE);
        uv_update_time(&loop);
    }
    CHECK(*flag);
}

static void sleep_fired(uv_timer_t *t) {
    *(int *)t->data = 1;
    uv_close((uv_handle_t *)t, NULL);
}

/* Runs the loop for ms milliseconds. */
static void sleep_ms(unsigned ms) {
    uv_timer_t t;
    int done = 0;
    uv_timer_init(&loop, &t);
    t.data = &done;
    uv_timer_start(&t, sleep_fired, ms, 0);
    run_until(&done);
    uv_run(&loop, UV_RUN_NOWAIT); /* the close callback */
}

/* Runs until nothing is left, then closes the loop: proves every handle was closed. */
static void drain_loop(void) {
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK_EQ(uv_loop_close(&loop), 0);
    uv_loop_init(&loop);
}

/* ---- the test server --------------------------------------------------------------------------- */

typedef struct server {
    wb_http_server http;
    wb_tls_ctx *tls;
    wb_buf cert, key;
    int closed;
    int ws_opened, ws_closed, ws_last_status, ws_last_code;
    int flood_result;
    int refuse_ws; /* a status for the accept callback to return */
} server;

static void blob_fill(uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 31 + (i >> 12));
}

static void on_hello(wb_http_exchange *x, const wb_http_msg *req, void *ud) {
    wb_http_header h[] = {{"Content-Type", "text/plain"}};
    wb_http_respond(x, 200, h, 1, "hello", 5);
}

static void on_echo(wb_http_exchange *x, const wb_http_msg *req, void *ud) {
    wb_http_respond(x, 200, NULL, 0, req->body, req->body_len);
}

static void on_blob(wb_http_exchange *x, const wb_http_msg *req, void *ud) {
    wb_buf v = WB_BUF_INIT;
    size_t n = 0;
    if (wb_http_query_get(req->query, "size", &v) == 1 && wb_buf_put_u8(&v, 0) == 0)
        n = strtoul((const char *)v.data, NULL, 10);
    wb_buf_free(&v);
    uint8_t *p = malloc(n ? n : 1);
    blob_fill(p, n);
    wb_http_respond(x, 200, NULL, 0, p, n);
    free(p);
}

typedef struct later {
    uv_timer_t t;
    wb_http_exchange *x;
} later;

static void later_closed(uv_handle_t *h) {
    free(h->data);
}

static void later_fire(uv_timer_t *t) {
    later *l = t->data;
    wb_http_respond(l->x, 202, NULL, 0, "later", 5);
    uv_close((uv_handle_t *)t, later_closed);
}

static void on_later(wb_http_exchange *x, const wb_http_msg *req, void *ud) {
    later *l = calloc(1, sizeof *l);
    l->x = x;
    uv_timer_init(&loop, &l->t);
    l->t.data = l;
    uv_timer_start(&l->t, later_fire, 30, 0);
}

static int ws_accept(wb_ws *ws, const wb_http_msg *req, void *ud) {
    server *s = ud;
    const char *origin = wb_http_msg_header(req, "origin");
    if (s->refuse_ws)
        return s->refuse_ws;
    s->ws_opened++;
    ws->data = s;
    /* sending before accept returns is refused: the 101 is not out yet */
    CHECK_EQ(wb_ws_send(ws, "x", 1), WB_ECLOSED);
    return origin && strcmp(origin, "https://web.whatsapp.com") == 0 ? 0 : 403;
}

static void ws_message(wb_ws *ws, const uint8_t *p, size_t n) {
    server *s = ws->data;
    if (n == 8 && memcmp(p, "close-me", 8) == 0) {
        CHECK_EQ(wb_ws_close(ws, 4000, "bye"), 0);
        return;
    }
    if (n == 5 && memcmp(p, "flood", 5) == 0) {
        uint8_t *big = calloc(1, 256 * 1024);
        int rc = 0;
        for (int i = 0; i < 10000 && rc == 0; i++)
            rc = wb_ws_send(ws, big, 256 * 1024);
        s->flood_result = rc;
        free(big);
        return;
    }
    wb_ws_send(ws, p, n);
}

static void ws_closed(wb_ws *ws, int status, int code, const char *reason) {
    server *s = ws->data;
    if (!s)
        return;
    s->ws_closed++;
    s->ws_last_status = status;
    s->ws_last_code = code;
}

static const wb_ws_callbacks server_ws_cbs = {NULL, ws_message, ws_closed};

static unsigned next_ws_idle_ms; /* ws_idle_timeout_ms for the next server_start */
static size_t next_ws_per_addr, next_http_per_addr; /* caps for the next server_start */
static wb_budget *next_budget;                      /* its memory budget */
static int refusals;                                /* on_refused calls */
static char last_refusal[64];

static void on_refused(wb_http_server *h, const char *what, const char *peer) {
    refusals++;
    snprintf(last_refusal, sizeof last_refusal, "%s", what);
}

static void server_start(server *s, int tls, size_t write_cap) {
    memset(s, 0, sizeof *s);
    wb_http_server_opts o = {0};
    if (tls) {
        const char *names[] = {"sim.test"};
        CHECK_EQ(wb_tls_selfsigned(names, 1, &s->cert, &s->key), 0);
        CHECK_EQ(wb_tls_ctx_new_server(&s->tls, (const char *)s->cert.data, (const char *)s->key.data, NULL), 0);
        o.tls = s->tls;
    }
    o.limits.max_head = 4096;
    o.write_queue_cap = write_cap;
    o.idle_timeout_ms = 2000;
    o.ws_idle_timeout_ms = next_ws_idle_ms;
    o.max_ws_per_addr = next_ws_per_addr;
    o.max_http_per_addr = next_http_per_addr;
    o.budget = next_budget;
    o.on_refused = on_refused;
    CHECK_EQ(wb_http_server_init(&loop, &s->http, &o), 0);
    s->http.data = s;
    CHECK_EQ(wb_http_server_route(&s->http, "GET", "/hello", on_hello, s), 0);
    CHECK_EQ(wb_http_server_route(&s->http, "POST", "/echo", on_echo, s), 0);
    CHECK_EQ(wb_http_server_route(&s->http, "GET", "/blob", on_blob, s), 0);
    CHECK_EQ(wb_http_server_route(&s->http, NULL, "/later/*", on_later, s), 0);
    CHECK_EQ(wb_http_server_ws_route(&s->http, "/ws/chat", ws_accept, &server_ws_cbs, s), 0);
    CHECK_EQ(wb_http_server_route(&s->http, "GET", "/bad/*", NULL, s), WB_EINVAL);
    CHECK_EQ(wb_http_server_listen(&s->http, "127.0.0.1", 0), 0);
    CHECK(wb_http_server_port(&s->http) > 0);
}

static void server_closed(wb_http_server *h) {
    ((server *)h->data)->closed = 1;
}

static void server_stop(server *s) {
    wb_http_server_close(&s->http, server_closed);
    wb_http_server_close(&s->http, server_closed); /* twice is harmless */
    run_until(&s->closed);
    wb_tls_ctx_free(s->tls);
    wb_buf_free(&s->cert);
    wb_buf_free_secret(&s->key);
}

/* ---- HTTP client: libcurl's multi interface on the loop (media/http.h) --------------------------- */

typedef struct fetch {
    wb_media_req r;
    int done, status, http_status;
    wb_buf body;
    char why[300];
    const uint8_t *up;     /* the POST body, handed out by read in pieces */
    size_t up_len, up_off;
    int fail_write;        /* write answers this code after the first piece */
    uint64_t progress;     /* the last progress seen */
} fetch;

static void fetch_done(wb_media_req *r, int status, int http_status, const char *why) {
    fetch *x = r->data;
    x->done++;
    x->status = status;
    x->http_status = http_status;
    snprintf(x->why, sizeof x->why, "%s", why);
    CHECK(status == 0 || http_status == 0);
}

static long long fetch_read(wb_media_req *r, uint8_t *buf, size_t cap) {
    fetch *x = r->data;
    size_t n = x->up_len - x->up_off < cap ? x->up_len - x->up_off : cap;
    if (n > 7777) /* odd pieces */
        n = 7777;
    memcpy(buf, x->up + x->up_off, n);
    x->up_off += n;
    return (long long)n;
}

static int fetch_write(wb_media_req *r, const uint8_t *data, size_t len) {
    fetch *x = r->data;
    if (x->fail_write && x->body.len)
        return x->fail_write;
    return wb_buf_append(&x->body, data, len);
}

static void fetch_progress(wb_media_req *r, uint64_t done, uint64_t total) {
    fetch *x = r->data;
    CHECK(done >= x->progress);
    x->progress = done;
}

static int fetch_start(wb_media_http *h, fetch *x, const char *method, const char *url,
                       const void *body, size_t len, uint64_t max_body) {
    memset(x, 0, sizeof *x);
    x->r.data = x;
    x->up = body;
    x->up_len = len;
    const char *headers[] = {"Content-Type: application/octet-stream",
                             "Origin: https://web.whatsapp.com"};
    wb_media_req_opts o = {.method = method, .url = url, .headers = headers, .nheaders = 2,
                           .body_len = len, .read = body ? fetch_read : NULL,
                           .write = fetch_write, .max_body = max_body,
                           .progress = fetch_progress};
    return wb_media_http_start(h, &x->r, &o, fetch_done);
}

static void do_fetch(wb_media_http *h, fetch *x, const char *method, const char *url,
                     const void *body, size_t len) {
    CHECK_EQ(fetch_start(h, x, method, url, body, len, 0), 0);
    run_until(&x->done);
    CHECK_EQ(x->done, 1);
}

static int http_closed;
static void on_http_closed(void *ud) { http_closed = *(int *)ud; }

static wb_media_http *client_for(const server *s, unsigned idle_ms) {
    wb_media_http *h = NULL;
    wb_media_http_opts o = {.ca_pem = s && s->tls ? (const char *)s->cert.data : NULL,
                            .idle_ms = idle_ms};
    CHECK_EQ(wb_media_http_new(&h, &loop, &o), 0);
    return h;
}

static void client_close(wb_media_http *h) {
    static int one = 1;
    http_closed = 0;
    wb_media_http_close(h, on_http_closed, &one);
    run_until(&http_closed);
}

static void http_round_trips(int tls) {
    server s;
    server_start(&s, tls, 0);
    wb_media_http *h = client_for(&s, 0);
    char url[128];
    const char *scheme = tls ? "https" : "http";
    int port = wb_http_server_port(&s.http);
    fetch x;
    /* the certificate names 127.0.0.1 too: TLS tests connect by IP */
    snprintf(url, sizeof url, "%s://127.0.0.1:%d/hello", scheme, port);
    do_fetch(h, &x, NULL, url, NULL, 0);
    CHECK_EQ(x.status, 0);
    CHECK_EQ(x.http_status, 200);
    CHECK_EQ(x.body.len, 5);
    CHECK_MEM(x.body.data, "hello", 5);
    wb_buf_free(&x.body);

    /* 5 MiB up (handed out by the read callback in pieces) and back */
    size_t n = 5u << 20;
    uint8_t *big = malloc(n);
    wb_random_bytes(big, n);
    snprintf(url, sizeof url, "%s://127.0.0.1:%d/echo", scheme, port);
    do_fetch(h, &x, "POST", url, big, n);
    CHECK_EQ(x.status, 0);
    CHECK_EQ(x.http_status, 200);
    CHECK_EQ(x.body.len, n);
    CHECK(x.body.len == n && memcmp(x.body.data, big, n) == 0);
    CHECK_EQ(x.up_off, n);
    CHECK_EQ(x.progress, n);
    wb_buf_free(&x.body);

    snprintf(url, sizeof url, "%s://127.0.0.1:%d/blob?size=%zu", scheme, port, n);
    do_fetch(h, &x, "GET", url, NULL, 0);
    blob_fill(big, n);
    CHECK_EQ(x.body.len, n);
    CHECK(x.body.len == n && memcmp(x.body.data, big, n) == 0);
    CHECK_EQ(x.progress, n);
    wb_buf_free(&x.body);
    free(big);

    /* an answer longer than max_body, and a write callback that refuses: their codes */
    CHECK_EQ(fetch_start(h, &x, NULL, url, NULL, 0, 1000), 0);
    run_until(&x.done);
    CHECK_EQ(x.status, WB_ETOOBIG);
    wb_buf_free(&x.body);
    CHECK_EQ(fetch_start(h, &x, NULL, url, NULL, 0, 0), 0);
    x.fail_write = WB_EAUTH;
    run_until(&x.done);
    CHECK_EQ(x.status, WB_EAUTH);
    wb_buf_free(&x.body);

    /* answers given later, errors with their body in why (the body is not the caller's) */
    snprintf(url, sizeof url, "%s://127.0.0.1:%d/later/x", scheme, port);
    do_fetch(h, &x, NULL, url, NULL, 0);
    CHECK_EQ(x.http_status, 202);
    wb_buf_free(&x.body);
    snprintf(url, sizeof url, "%s://127.0.0.1:%d/nothing", scheme, port);
    do_fetch(h, &x, NULL, url, NULL, 0);
    CHECK_EQ(x.status, 0);
    CHECK_EQ(x.http_status, 404);
    CHECK_EQ(x.body.len, 0);
    wb_buf_free(&x.body);
    snprintf(url, sizeof url, "%s://127.0.0.1:%d/hello", scheme, port);
    do_fetch(h, &x, "POST", url, "x", 1);
    CHECK_EQ(x.http_status, 405);
    wb_buf_free(&x.body);

    /* two at once on one engine */
    fetch a, b;
    snprintf(url, sizeof url, "%s://127.0.0.1:%d/later/a", scheme, port);
    CHECK_EQ(fetch_start(h, &a, NULL, url, NULL, 0, 0), 0);
    snprintf(url, sizeof url, "%s://127.0.0.1:%d/hello", scheme, port);
    CHECK_EQ(fetch_start(h, &b, NULL, url, NULL, 0, 0), 0);
    CHECK_EQ(wb_media_http_active(h), 2);
    run_until(&a.done);
    run_until(&b.done);
    CHECK(a.http_status == 202 && b.http_status == 200 && a.done == 1 && b.done == 1);
    wb_buf_free(&a.body);
    wb_buf_free(&b.body);

    client_close(h);
    server_stop(&s);
    drain_loop();
}

static void test_transport_http_get_post_5mib_plain(void) {
    http_round_trips(0);
}

static void test_transport_https_get_post_5mib(void) {
    http_round_trips(1);
}

static void test_transport_https_client_rejects_untrusted_server(void) {
    server s, other;
    server_start(&s, 1, 0);
    server_start(&other, 1, 0);
    wb_media_http *wrong = client_for(&other, 0);
    char url[128];
    snprintf(url, sizeof url, "https://127.0.0.1:%d/hello", wb_http_server_port(&s.http));
    fetch x;
    do_fetch(wrong, &x, NULL, url, NULL, 0);
    CHECK_EQ(x.status, WB_ECERT);
    CHECK(x.why[0] != '\0');
    client_close(wrong);
    /* the system's roots do not know it either */
    wb_media_http *sys = client_for(NULL, 0);
    do_fetch(sys, &x, NULL, url, NULL, 0);
    CHECK_EQ(x.status, WB_ECERT);
    client_close(sys);
    server_stop(&s);
    server_stop(&other);
    drain_loop();
}

/* A listener that leaves connections in the kernel's backlog: connected, never answered. */
static void never_accept(uv_stream_t *l, int status) {
}

static int listen_silent(uv_tcp_t *l) {
    struct sockaddr_in a;
    uv_tcp_init(&loop, l);
    uv_ip4_addr("127.0.0.1", 0, &a);
    uv_tcp_bind(l, (struct sockaddr *)&a, 0);
    uv_listen((uv_stream_t *)l, 4, never_accept);
    int len = sizeof a;
    uv_tcp_getsockname(l, (struct sockaddr *)&a, &len);
    return ntohs(a.sin_port);
}

static void test_transport_http_client_errors(void) {
    wb_media_http *h = client_for(NULL, 1000);
    fetch x;
    /* a port nobody listens on: bind one, note it, close it */
    uv_tcp_t t;
    int port = listen_silent(&t);
    uv_close((uv_handle_t *)&t, NULL);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", port);
    do_fetch(h, &x, NULL, url, NULL, 0);
    CHECK_EQ(x.status, WB_EIO);
    CHECK(strstr(x.why, "onnect") != NULL);

    /* a server that accepts and says nothing: the idle timeout fires (no total timeout) */
    uv_tcp_t l;
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", listen_silent(&l));
    do_fetch(h, &x, NULL, url, NULL, 0);
    CHECK_EQ(x.status, WB_ETIMEOUT);

    /* synchronous refusals call nothing */
    wb_media_req r = {0};
    wb_media_req_opts o = {.url = "ws://127.0.0.1/x"};
    CHECK_EQ(wb_media_http_start(h, &r, &o, fetch_done), WB_EUNSUPPORTED);
    o.url = "gopher://x/";
    CHECK_EQ(wb_media_http_start(h, &r, &o, fetch_done), WB_EUNSUPPORTED);
    o.url = "http://[::1";
    CHECK_EQ(wb_media_http_start(h, &r, &o, fetch_done), WB_EMALFORMED);
    const char *bad[] = {"X: a\r\nb"};
    o.url = "http://127.0.0.1:1/";
    o.headers = bad;
    o.nheaders = 1;
    CHECK_EQ(wb_media_http_start(h, &r, &o, fetch_done), WB_EINVAL);
    wb_media_req_opts put = {.method = "PUT", .url = "http://127.0.0.1:1/"};
    CHECK_EQ(wb_media_http_start(h, &r, &put, fetch_done), WB_EINVAL);
    wb_media_req_opts post = {.method = "POST", .url = "http://127.0.0.1:1/"};
    CHECK_EQ(wb_media_http_start(h, &r, &post, fetch_done), WB_EINVAL);

    /* cancel: the callback runs later, once; a second cancel does nothing */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", listen_silent(&t));
    CHECK_EQ(fetch_start(h, &x, NULL, url, NULL, 0, 0), 0);
    wb_media_http_cancel(&x.r);
    wb_media_http_cancel(&x.r);
    CHECK_EQ(x.done, 0);
    run_until(&x.done);
    CHECK_EQ(x.status, WB_ECLOSED);
    wb_media_http_cancel(&x.r);

    /* closing the engine ends what runs, then on_closed */
    fetch y;
    CHECK_EQ(fetch_start(h, &y, NULL, url, NULL, 0, 0), 0);
    client_close(h);
    CHECK_EQ(y.done, 1);
    CHECK_EQ(y.status, WB_ECLOSED);
    uv_close((uv_handle_t *)&l, NULL);
    uv_close((uv_handle_t *)&t, NULL);
    drain_loop();
}

static wb_tls_ctx *trust(const server *s) {
    wb_tls_ctx *c = NULL;
    CHECK_EQ(wb_tls_ctx_new_client(&c, (const char *)s->cert.data, NULL), 0);
    return c;
}

/* ---- websocket client --------------------------------------------------------------------------- */

typedef struct client {
    wb_ws ws;
    int opened, closed, status, code;
    char reason[200];
    size_t messages;
    uint64_t bytes;
    wb_buf last;
    int close_after; /* close with 1000 after this many messages (0: never) */
} client;

static void c_open(wb_ws *ws) {
    ((client *)ws->data)->opened++;
}

static void c_message(wb_ws *ws, const uint8_t *p, size_t n) {
    client *c = ws->data;
    c->messages++;
    c->bytes += n;
    wb_buf_reset(&c->last);
    wb_buf_append(&c->last, p, n);
    if (c->close_after && c->messages == (size_t)c->close_after)
        CHECK_EQ(wb_ws_close(ws, 1000, "done"), 0);
}

static void c_close(wb_ws *ws, int status, int code, const char *reason) {
    client *c = ws->data;
    CHECK_EQ(c->closed, 0);
    c->closed = 1;
    c->status = status;
    c->code = code;
    snprintf(c->reason, sizeof c->reason, "%s", reason);
    CHECK_EQ(wb_ws_send(ws, "x", 1), WB_ECLOSED);
    wb_buf_free(&c->last);
}

static const wb_ws_callbacks client_cbs = {c_open, c_message, c_close};

static void ws_connect(client *c, const char *url, wb_tls_ctx *tls) {
    memset(c, 0, sizeof *c);
    c->ws.data = c;
    wb_http_header h[] = {{"Cache-Control", "no-cache"}};
    wb_ws_connect_opts o = {.origin = "https://web.whatsapp.com", .headers = h, .nheaders = 1, .tls = tls,
                            .timeout_ms = 3000};
    CHECK_EQ(wb_ws_connect(&loop, &c->ws, url, &o, &client_cbs), 0);
}

static void ws_echo(int tls) {
    server s;
    server_start(&s, tls, 0);
    wb_tls_ctx *ca = tls ? trust(&s) : NULL;
    char url[128];
    snprintf(url, sizeof url, "%s://127.0.0.1:%d/ws/chat", tls ? "wss" : "ws", wb_http_server_port(&s.http));
    client c;
    ws_connect(&c, url, ca);
    CHECK_EQ(wb_ws_send(&c.ws, "early", 5), WB_ECLOSED); /* not open yet */
    run_until(&c.opened);
    CHECK_EQ(s.ws_opened, 1);
    CHECK(strncmp(wb_ws_peer(&c.ws), "127.0.0.1:", 10) == 0);
    /* many small messages, then a megabyte */
    for (int i = 0; i < 500; i++) {
        uint8_t m[32];
        memset(m, i, sizeof m);
        CHECK_EQ(wb_ws_send(&c.ws, m, (size_t)(i % 32) + 1), 0);
    }
    size_t big = 1u << 20;
    uint8_t *p = malloc(big);
    wb_random_bytes(p, big);
    CHECK_EQ(wb_ws_send(&c.ws, p, big), 0);
    c.close_after = 501;
    run_until(&c.closed);
    CHECK_EQ(c.messages, 501);
    CHECK_EQ(c.status, 0);
    CHECK_EQ(c.code, 1000);
    CHECK(strstr(c.reason, "1000") != NULL);
    free(p);
    run_until(&s.ws_closed);
    CHECK_EQ(s.ws_last_status, 0);
    CHECK_EQ(s.ws_last_code, 1000);

    /* the server closes: the client sees its code */
    ws_connect(&c, url, ca);
    run_until(&c.opened);
    CHECK_EQ(wb_ws_send(&c.ws, "close-me", 8), 0);
    run_until(&c.closed);
    CHECK_EQ(c.status, 0);
    CHECK_EQ(c.code, 4000);
    CHECK(strstr(c.reason, "bye") != NULL);

    /* an abort: no close frame, the server sees the connection drop */
    ws_connect(&c, url, ca);
    run_until(&c.opened);
    int before = s.ws_closed;
    CHECK_EQ(wb_ws_buffered(&c.ws), 0);
    CHECK_EQ(wb_ws_abort(&c.ws, "fault injection"), 0);
    CHECK_EQ(wb_ws_abort(&c.ws, "again"), WB_ECLOSED);
    run_until(&c.closed);
    CHECK_EQ(c.status, WB_ECLOSED);
    CHECK_EQ(c.code, 1006);
    CHECK_STR(c.reason, "fault injection");
    while (s.ws_closed == before)
        uv_run(&loop, UV_RUN_ONCE);
    CHECK_EQ(s.ws_last_status, WB_ECLOSED);
    CHECK_EQ(s.ws_last_code, 1006);

    /* a server shutdown ends live websockets with 1001 */
    ws_connect(&c, url, ca);
    run_until(&c.opened);
    wb_tls_ctx_free(ca);
    server_stop(&s);
    run_until(&c.closed);
    CHECK_EQ(c.code, 1001);
    drain_loop();
}

static void test_transport_ws_echo_close_and_shutdown_plain(void) {
    ws_echo(0);
}

static void test_transport_wss_echo_close_and_shutdown(void) {
    ws_echo(1);
}

static void test_transport_ws_client_failures(void) {
    server s, other;
    server_start(&s, 1, 0);
    server_start(&other, 1, 0);
    int port = wb_http_server_port(&s.http);
    char url[128];
    client c;
    /* wrong trust */
    wb_tls_ctx *wrong = trust(&other);
    snprintf(url, sizeof url, "wss://127.0.0.1:%d/ws/chat", port);
    ws_connect(&c, url, wrong);
    run_until(&c.closed);
    CHECK_EQ(c.opened, 0);
    CHECK_EQ(c.status, WB_ECERT);
    CHECK_EQ(c.code, 1006);
    wb_tls_ctx_free(wrong);
    /* a route that is not a websocket */
    wb_tls_ctx *ca = trust(&s);
    snprintf(url, sizeof url, "wss://127.0.0.1:%d/hello", port);
    ws_connect(&c, url, ca);
    run_until(&c.closed);
    CHECK_EQ(c.opened, 0);
    CHECK_EQ(c.status, WB_EPROTO);
    CHECK(strstr(c.reason, "200") != NULL);
    /* refused by the accept callback */
    s.refuse_ws = 429;
    snprintf(url, sizeof url, "wss://127.0.0.1:%d/ws/chat", port);
    ws_connect(&c, url, ca);
    run_until(&c.closed);
    CHECK_EQ(c.status, WB_EPROTO);
    CHECK(strstr(c.reason, "429") != NULL);
    s.refuse_ws = 0;
    /* closed by us before it opened */
    ws_connect(&c, url, ca);
    CHECK_EQ(wb_ws_close(&c.ws, 1000, NULL), 0);
    run_until(&c.closed);
    CHECK_EQ(c.opened, 0);
    CHECK_EQ(c.status, WB_ECLOSED);
    /* plain ws to a TLS port: the server sees garbage, the client an answer that is not HTTP */
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/ws/chat", port);
    ws_connect(&c, url, NULL);
    run_until(&c.closed);
    CHECK(c.status == WB_EPROTO || c.status == WB_ECLOSED || c.status == WB_EIO);
    /* synchronous refusals */
    wb_ws w;
    CHECK_EQ(wb_ws_connect(&loop, &w, "https://127.0.0.1/", NULL, &client_cbs), WB_EINVAL);
    CHECK_EQ(wb_ws_connect(&loop, &w, "ws://a b/", NULL, &client_cbs), WB_EMALFORMED);
    wb_tls_ctx_free(ca);
    server_stop(&s);
    server_stop(&other);
    drain_loop();
}

/* ---- raw TCP peers, for abuse ------------------------------------------------------------------- */

typedef struct raw {
    uv_tcp_t tcp;
    uv_connect_t creq;
    uv_write_t wreq;
    wb_buf sent, got;
    int connected, eof, closed;
    int read;       /* read at all (0: a peer that never reads) */
} raw;

static void raw_closed(uv_handle_t *h) {
    ((raw *)h->data)->closed = 1;
}

static void raw_alloc(uv_handle_t *h, size_t s, uv_buf_t *b) {
    static char buf[65536];
    *b = uv_buf_init(buf, sizeof buf);
}

static void raw_read(uv_stream_t *st, ssize_t n, const uv_buf_t *b) {
    raw *r = st->data;
    if (n > 0)
        wb_buf_append(&r->got, b->base, (size_t)n);
    else if (n < 0) {
        r->eof = 1;
        uv_read_stop(st);
    }
}

static void raw_written(uv_write_t *w, int status) {
}

static void raw_connected(uv_connect_t *c, int status) {
    raw *r = c->data;
    r->connected = 1;
    CHECK_EQ(status, 0);
    if (r->read)
        uv_read_start((uv_stream_t *)&r->tcp, raw_alloc, raw_read);
    uv_buf_t b = uv_buf_init((char *)r->sent.data, (unsigned)r->sent.len);
    if (r->sent.len)
        uv_write(&r->wreq, (uv_stream_t *)&r->tcp, &b, 1, raw_written);
}

/* Connects to the server and sends bytes; reads everything until the server closes. */
static void raw_start(raw *r, int port, const void *bytes, size_t n, int read) {
    memset(r, 0, sizeof *r);
    r->read = read;
    wb_buf_append(&r->sent, bytes, n);
    uv_tcp_init(&loop, &r->tcp);
    r->tcp.data = r;
    r->creq.data = r;
    struct sockaddr_in a;
    uv_ip4_addr("127.0.0.1", port, &a);
    uv_tcp_connect(&r->creq, &r->tcp, (struct sockaddr *)&a, raw_connected);
}

static void raw_send_done(uv_write_t *w, int status) {
    free(w);
}

/* Sends more bytes on a connected raw peer. */
static void raw_send(raw *r, const void *bytes, size_t n) {
    uv_write_t *w = malloc(sizeof *w + n);
    memcpy(w + 1, bytes, n);
    uv_buf_t b = uv_buf_init((char *)(w + 1), (unsigned)n);
    CHECK_EQ(uv_write(w, (uv_stream_t *)&r->tcp, &b, 1, raw_send_done), 0);
}

static void raw_finish(raw *r) {
    uv_close((uv_handle_t *)&r->tcp, raw_closed);
    run_until(&r->closed);
    wb_buf_free(&r->sent);
    wb_buf_free(&r->got);
}

static int got_has(const raw *r, const char *s) {
    wb_buf t = WB_BUF_INIT;
    wb_buf_append(&t, r->got.data, r->got.len);
    wb_buf_put_u8(&t, 0);
    int has = t.data && memmem(t.data, t.len, s, strlen(s)) != NULL;
    wb_buf_free(&t);
    return has;
}

#define UPGRADE "GET /ws/chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" \
                "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"        \
                "Origin: https://web.whatsapp.com\r\n\r\n"

static void test_transport_abuse_is_answered_and_closed_while_others_carry_on(void) {
    server s;
    server_start(&s, 0, 0);
    int port = wb_http_server_port(&s.http);
    char url[128];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/ws/chat", port);
    client good;
    ws_connect(&good, url, NULL);
    run_until(&good.opened);

    raw r[6];
    const char *bad_http = "GET / HTTP/1.1\nHost: x\n\n";
    raw_start(&r[0], port, bad_http, strlen(bad_http), 1);
    char big[6000];
    int n = snprintf(big, sizeof big, "GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: %05000d\r\n\r\n", 0);
    raw_start(&r[1], port, big, (size_t)n, 1);
    /* a websocket upgrade, then an unmasked frame (clients must mask) */
    wb_buf b = WB_BUF_INIT;
    wb_buf_append(&b, UPGRADE, strlen(UPGRADE));
    wb_buf_append(&b, "\x82\x03" "abc", 5);
    raw_start(&r[2], port, b.data, b.len, 1);
    wb_buf_free(&b);
    /* pipelined requests answered in order, the last closing */
    const char *pipe2 = "GET /hello HTTP/1.1\r\nHost: x\r\n\r\nPOST /echo HTTP/1.1\r\nHost: x\r\n"
                        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
    raw_start(&r[3], port, pipe2, strlen(pipe2), 1);
    const char *h10 = "GET /hello HTTP/2.0\r\nHost: x\r\n\r\n";
    raw_start(&r[4], port, h10, strlen(h10), 1);
    /* Expect: 100-continue, the body sent only after the 100 */
    const char *cont = "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n"
                       "Connection: close\r\n\r\n";
    raw_start(&r[5], port, cont, strlen(cont), 1);
    while (!got_has(&r[5], "HTTP/1.1 100 Continue\r\n\r\n") && !r[5].eof)
        uv_run(&loop, UV_RUN_ONCE);
    raw_send(&r[5], "ok", 2);
    for (int i = 0; i < 6; i++)
        run_until(&r[i].eof);
    CHECK(got_has(&r[0], "HTTP/1.1 400 Bad Request\r\n"));
    CHECK(got_has(&r[0], "bare LF"));
    CHECK(got_has(&r[0], "Connection: close"));
    CHECK(got_has(&r[1], "HTTP/1.1 431 "));
    CHECK(got_has(&r[2], "HTTP/1.1 101 Switching Protocols"));
    CHECK(got_has(&r[2], "\x88\x02\x03\xea")); /* close 1002 */
    CHECK(got_has(&r[3], "hello"));
    CHECK(got_has(&r[3], "\r\n\r\nabc"));
    CHECK(!got_has(&r[3], "HTTP/1.1 400"));
    CHECK(got_has(&r[4], "HTTP/1.1 505 "));
    CHECK(got_has(&r[5], "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK"));
    CHECK(got_has(&r[5], "\r\n\r\nok"));
    for (int i = 0; i < 6; i++)
        raw_finish(&r[i]);

    /* the good client never noticed */
    CHECK_EQ(wb_ws_send(&good.ws, "still here", 10), 0);
    good.close_after = 1;
    run_until(&good.closed);
    CHECK_EQ(good.status, 0);
    CHECK_EQ(good.last.len, 0); /* freed in c_close after the echo arrived */
    CHECK_EQ(good.messages, 1);
    server_stop(&s);
    drain_loop();
}

static void test_transport_tls_garbage_is_dropped(void) {
    server s;
    server_start(&s, 1, 0);
    int port = wb_http_server_port(&s.http);
    raw r;
    uint8_t junk[512];
    wb_random_bytes(junk, sizeof junk);
    junk[0] = 0x16;
    raw_start(&r, port, junk, sizeof junk, 1);
    run_until(&r.eof);
    raw_finish(&r);
    const char *plain = "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";
    raw_start(&r, port, plain, strlen(plain), 1);
    run_until(&r.eof);
    CHECK(!got_has(&r, "hello"));
    raw_finish(&r);
    /* the server still serves TLS */
    wb_media_http *h = client_for(&s, 0);
    char url[128];
    snprintf(url, sizeof url, "https://127.0.0.1:%d/hello", port);
    fetch x;
    do_fetch(h, &x, NULL, url, NULL, 0);
    CHECK_EQ(x.http_status, 200);
    wb_buf_free(&x.body);
    client_close(h);
    server_stop(&s);
    drain_loop();
}

static void test_transport_slow_reader_is_dropped_at_the_write_cap(void) {
    server s;
    server_start(&s, 0, 1u << 20); /* 1 MiB of backlog at most */
    int port = wb_http_server_port(&s.http);
    wb_buf b = WB_BUF_INIT;
    wb_buf_append(&b, UPGRADE, strlen(UPGRADE));
    /* a masked "flood" message: the server answers with 256 KiB messages until it must stop */
    uint8_t frame[] = {0x82, 0x85, 0, 0, 0, 0, 'f', 'l', 'o', 'o', 'd'};
    wb_buf_append(&b, frame, sizeof frame);
    raw r;
    raw_start(&r, port, b.data, b.len, 0); /* never reads */
    wb_buf_free(&b);
    run_until(&s.ws_closed);
    CHECK_EQ(s.flood_result, WB_ETOOBIG);
    CHECK_EQ(s.ws_last_status, WB_ETOOBIG);
    raw_finish(&r);
    server_stop(&s);
    drain_loop();
}

static void test_transport_idle_connection_times_out(void) {
    server s;
    server_start(&s, 0, 0); /* idle timeout 2 s */
    raw r;
    raw_start(&r, wb_http_server_port(&s.http), "GET /hel", 8, 1);
    uint64_t t0 = uv_now(&loop);
    run_until(&r.eof);
    uint64_t took = uv_now(&loop) - t0;
    CHECK(took >= 1900 && took < 4000);
    CHECK(got_has(&r, "HTTP/1.1 408 Request Timeout\r\n")); /* half a request: told why */
    raw_finish(&r);
    /* an idle connection that said nothing is closed without a word */
    raw_start(&r, wb_http_server_port(&s.http), "", 0, 1);
    run_until(&r.eof);
    CHECK_EQ(r.got.len, 0);
    raw_finish(&r);
    server_stop(&s);
    drain_loop();
}

static void test_transport_silent_websocket_times_out_when_asked(void) {
    server s;
    next_ws_idle_ms = 300;
    server_start(&s, 0, 0);
    next_ws_idle_ms = 0;
    char url[128];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/ws/chat", wb_http_server_port(&s.http));
    client c;
    ws_connect(&c, url, NULL);
    run_until(&c.opened);
    /* talking keeps it alive past the timeout */
    for (int i = 0; i < 4; i++) {
        sleep_ms(150);
        CHECK_EQ(wb_ws_send(&c.ws, "ping", 4), 0);
    }
    CHECK_EQ(c.closed, 0);
    run_until(&c.closed);
    CHECK_EQ(c.code, 1006);
    run_until(&s.ws_closed);
    CHECK_EQ(s.ws_last_status, WB_ETIMEOUT);
    server_stop(&s);
    drain_loop();
}

static void test_transport_trickled_body_is_cut_off(void) {
    server s;
    server_start(&s, 0, 0); /* a body gets 2 s, plus 1 s per 16 KiB it brings */
    raw r;
    const char *head = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n";
    raw_start(&r, wb_http_server_port(&s.http), head, strlen(head), 1);
    run_until(&r.connected);
    uint64_t t0 = uv_now(&loop);
    /* a byte every 100 ms: each one would have restarted an idle clock */
    while (!r.eof && uv_now(&loop) - t0 < 8000) {
        raw_send(&r, "a", 1);
        sleep_ms(100);
    }
    uint64_t took = uv_now(&loop) - t0;
    CHECK(r.eof);
    CHECK(took >= 1900 && took < 3500);
    CHECK(got_has(&r, "HTTP/1.1 408 "));
    CHECK(got_has(&r, "slower than"));
    raw_finish(&r);
    while (wb_http_server_connections(&s.http, NULL))
        uv_run(&loop, UV_RUN_ONCE);
    CHECK_STR(last_refusal, "request_timeout");
    server_stop(&s);
    drain_loop();
}

static int opened_ws(int port, raw *r) {
    raw_start(r, port, UPGRADE, strlen(UPGRADE), 1);
    while (!r->eof && !got_has(r, "\r\n\r\n"))
        uv_run(&loop, UV_RUN_ONCE);
    return got_has(r, "HTTP/1.1 101 ");
}

static void test_transport_one_address_cannot_take_every_connection(void) {
    server s;
    next_ws_per_addr = 3;
    next_http_per_addr = 2;
    server_start(&s, 0, 0);
    next_ws_per_addr = next_http_per_addr = 0;
    int port = wb_http_server_port(&s.http);
    refusals = 0;
    raw ws[4];
    for (int i = 0; i < 3; i++)
        CHECK(opened_ws(port, &ws[i]));
    /* the fourth websocket of this address is refused, and said so */
    CHECK(!opened_ws(port, &ws[3]));
    run_until(&ws[3].eof);
    CHECK(got_has(&ws[3], "HTTP/1.1 503 "));
    CHECK(got_has(&ws[3], "too many websockets"));
    CHECK_EQ(refusals, 1);
    CHECK_STR(last_refusal, "websockets_per_address");
    raw_finish(&ws[3]);
    while (wb_http_server_connections(&s.http, NULL) > 3)
        uv_run(&loop, UV_RUN_ONCE);
    /* two connections that send nothing use up the address's HTTP share; a third is closed */
    raw idle[3];
    for (int i = 0; i < 3; i++)
        raw_start(&idle[i], port, "", 0, 1);
    run_until(&idle[2].eof);
    CHECK_EQ(idle[2].got.len, 0);
    CHECK_EQ(refusals, 2);
    CHECK_STR(last_refusal, "http_per_address");
    CHECK(!idle[0].eof && !idle[1].eof);
    size_t wss;
    CHECK_EQ(wb_http_server_connections(&s.http, &wss), 5);
    CHECK_EQ(wss, 3);
    /* the websockets did not take the HTTP share: once an idle one goes, a request is served */
    raw_finish(&idle[0]);
    sleep_ms(50);
    fetch x;
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hello", port);
    wb_media_http *h = client_for(NULL, 0);
    do_fetch(h, &x, NULL, url, NULL, 0);
    CHECK_EQ(x.http_status, 200);
    wb_buf_free(&x.body);
    client_close(h);
    for (int i = 1; i < 3; i++)
        raw_finish(&idle[i]);
    for (int i = 0; i < 3; i++)
        raw_finish(&ws[i]);
    server_stop(&s);
    drain_loop();
}

static void test_transport_memory_budget_refuses_bodies_and_unread_answers(void) {
    server s;
    wb_budget budget = {.cap = 2u << 20};
    next_budget = &budget;
    server_start(&s, 0, 0);
    next_budget = NULL;
    int port = wb_http_server_port(&s.http);
    /* a body that does not fit is refused at its head, before any of it is sent */
    raw big;
    const char *head = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3000000\r\n"
                       "Expect: 100-continue\r\n\r\n";
    raw_start(&big, port, head, strlen(head), 1);
    run_until(&big.eof);
    CHECK(got_has(&big, "HTTP/1.1 503 "));
    CHECK(!got_has(&big, "100 Continue"));
    raw_finish(&big);
    CHECK(budget.refused >= 1);
    /* one that fits goes through */
    size_t n = 1u << 20;
    uint8_t *body = malloc(n);
    blob_fill(body, n);
    fetch x;
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/echo", port);
    wb_media_http *h = client_for(NULL, 0);
    do_fetch(h, &x, "POST", url, body, n);
    CHECK_EQ(x.http_status, 200);
    CHECK(x.body.len == n && memcmp(x.body.data, body, n) == 0);
    wb_buf_free(&x.body);
    client_close(h);
    free(body);
    /* pipelined requests whose 64 KiB answers are never read: the server stops taking them
     * instead of queueing every answer, and drops the connection after the idle timeout */
    wb_buf many = WB_BUF_INIT;
    const char *get = "GET /blob?size=65536 HTTP/1.1\r\nHost: x\r\n\r\n";
    for (int i = 0; i < 2000; i++)
        wb_buf_append(&many, get, strlen(get));
    raw r;
    while (wb_http_server_connections(&s.http, NULL)) /* the echo's connection ends */
        uv_run(&loop, UV_RUN_ONCE);
    uint64_t refused = budget.refused;
    budget.peak = budget.used;
    refusals = 0;
    raw_start(&r, port, many.data, many.len, 0);
    wb_buf_free(&many);
    run_until(&r.connected);
    uint64_t t0 = uv_now(&loop);
    while (wb_http_server_connections(&s.http, NULL) && uv_now(&loop) - t0 < 10000) {
        uv_run(&loop, UV_RUN_ONCE);
        uv_update_time(&loop);
    }
    CHECK_EQ(wb_http_server_connections(&s.http, NULL), 0);
    CHECK_EQ(budget.refused, refused);   /* backpressure, not the budget, held it */
    CHECK(budget.peak < (1u << 20));     /* a few answers and the input, not 2000 answers */
    CHECK_EQ(refusals, 1);
    CHECK_STR(last_refusal, "request_timeout"); /* then the peer was given up */
    CHECK_EQ(budget.used, 0);
    raw_finish(&r);
    server_stop(&s);
    drain_loop();
}

static void test_transport_server_close_detaches_pending_exchanges(void) {
    server s;
    server_start(&s, 0, 0);
    raw r;
    const char *req = "GET /later/1 HTTP/1.1\r\nHost: x\r\n\r\n";
    raw_start(&r, wb_http_server_port(&s.http), req, strlen(req), 1);
    run_until(&r.connected);
    for (int i = 0; i < 5; i++)
        uv_run(&loop, UV_RUN_NOWAIT);
    server_stop(&s); /* the later-timer answers into the void after this */
    run_until(&r.eof);
    raw_finish(&r);
    drain_loop();
}

int main(void) {
    wb_crypto_init();
    wb_log_set_level(WB_LOG_WARN);
    uv_loop_init(&loop);
    RUN(test_transport_http_get_post_5mib_plain);
    RUN(test_transport_https_get_post_5mib);
    RUN(test_transport_https_client_rejects_untrusted_server);
    RUN(test_transport_http_client_errors);
    RUN(test_transport_ws_echo_close_and_shutdown_plain);
    RUN(test_transport_wss_echo_close_and_shutdown);
    RUN(test_transport_ws_client_failures);
    RUN(test_transport_abuse_is_answered_and_closed_while_others_carry_on);
    RUN(test_transport_tls_garbage_is_dropped);
    RUN(test_transport_slow_reader_is_dropped_at_the_write_cap);
    RUN(test_transport_idle_connection_times_out);
    RUN(test_transport_silent_websocket_times_out_when_asked);
    RUN(test_transport_trickled_body_is_cut_off);
    RUN(test_transport_one_address_cannot_take_every_connection);
    RUN(test_transport_memory_budget_refuses_bodies_and_unread_answers);
    RUN(test_transport_server_close_detaches_pending_exchanges);
    uv_loop_close(&loop);
    return check_summary();
}
