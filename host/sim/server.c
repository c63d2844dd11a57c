/* The simulator's libuv host (server.h): websockets become wb_sim_conn's, HTTP requests go to
 * wb_sim_http, and the transport faults (stall, delay) are played here, on the bytes, with
 * timers around hold.c's buffers: a stalled socket holds its input and output until the stall
 * ends; a delayed one sends every message `seconds` late, in order.
 *
 * Also here, because they are about sockets: the deadline for the Noise handshake, the idle
 * timeout of websockets, the memory budget every connection and fault queue is charged to, the
 * per-address caps (net/http_server.h), and the local-only policy (local.h) on Host and
 * Origin. Refusals are counted under refused.* and timeouts.* in /admin/stats; the budget is
 * reported under buffers.*. */
#include "sim/server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "net/http_server.h"
#include "net/tls.h"
#include "sim/hold.h"
#include "sim/local.h"
#include "sim/media.h"
#include "sim/sim_int.h"

#define DEFAULT_HANDSHAKE_MS 10000
#define DEFAULT_IDLE_MS 90000
#define DEFAULT_REQUEST_MS 30000
#define DEFAULT_MAX_BUFFERED (128u << 20)
#define MAX_BODY (64u << 20)

typedef struct peer {
    wb_sim_server *srv;
    wb_ws *ws;               /* NULL once the socket has closed */
    wb_sim_conn *conn;
    int closing;             /* the simulator asked to close */
    wb_sim_hold hold;        /* what the stall and delay faults hold back */
    size_t charged;          /* the Noise buffers' share of the budget */
    uv_timer_t *stall_timer, *out_timer, *handshake_timer;
} peer;

struct wb_sim_server {
    uv_loop_t *loop;
    wb_sim *sim;
    wb_http_server http, media;
    int http_open, media_open, closing;
    wb_tls_ctx *tls, *media_tls;
    wb_budget budget;        /* shared by both listeners and every peer's hold */
    wb_sim_local local, media_local;
    unsigned handshake_ms;
    char url[128];
    void (*close_cb)(void *ud);
    void *close_ud;
};

static uint64_t now_ms(const peer *p) { return uv_now(p->srv->loop); }

/* ---- timers ---------------------------------------------------------------------------------- */

static uv_timer_t *timer_new(peer *p) {
    uv_timer_t *t = malloc(sizeof *t);
    if (t) {
        uv_timer_init(p->srv->loop, t);
        t->data = p;
    }
    return t;
}

static void close_timer(uv_timer_t **tp) {
    uv_timer_t *t = *tp;
    if (!t)
        return;
    *tp = NULL;
    t->data = NULL;
    uv_timer_stop(t);
    uv_close((uv_handle_t *)t, (uv_close_cb)free);
}

/* ---- output: now, or later ---------------------------------------------------------------- */

static void flush_out(peer *p);

static void on_out_timer(uv_timer_t *t) {
    peer *p = t->data;
    if (p)
        flush_out(p);
}

static int ws_send(void *ud, const uint8_t *data, size_t len) {
    peer *p = ud;
    return p->ws ? wb_ws_send(p->ws, data, len) : WB_ECLOSED;
}

/* Arms the output timer for the first held message (at once when it is due). */
static void schedule_out(peer *p) {
    uint64_t now = now_ms(p), next = wb_sim_hold_next(&p->hold);
    if (next == WB_SIM_HOLD_NEVER || (!p->out_timer && !(p->out_timer = timer_new(p))))
        return;
    uv_timer_start(p->out_timer, on_out_timer, next > now ? next - now : 0, 0);
}

/* Sends what is due, in order; then, if the simulator asked, closes. */
static void flush_out(peer *p) {
    wb_sim_hold_flush(&p->hold, now_ms(p), ws_send, p);
    if (wb_sim_hold_pending(&p->hold))
        schedule_out(p);
    else if (p->closing && p->ws)
        wb_ws_close(p->ws, 1000, "closed by the server");
}

static int io_send(void *ud, const uint8_t *data, size_t len) {
    peer *p = ud;
    if (!p->ws)
        return WB_ECLOSED;
    int rc = wb_sim_hold_send(&p->hold, now_ms(p), data, len);
    if (rc == 1)
        return wb_ws_send(p->ws, data, len);
    if (rc < 0) {
        WB_WARN("sim", "%s: output held back by a fault passed its bound; dropping the socket",
                wb_ws_peer(p->ws));
        wb_ws_abort(p->ws, "output held back by a fault passed its bound");
        return rc;
    }
    schedule_out(p);
    return 0;
}

static void io_close(void *ud, const char *reason) {
    peer *p = ud;
    p->closing = 1;
    if (p->ws && !wb_sim_hold_pending(&p->hold))
        wb_ws_close(p->ws, 1000, "closed by the server");
}

/* ---- faults --------------------------------------------------------------------------------- */

static void on_stall_end(uv_timer_t *t) {
    peer *p = t->data;
    if (!p || !p->hold.stalled)
        return;
    wb_buf in;
    wb_sim_hold_stall_end(&p->hold, now_ms(p), &in);
    if (in.len && p->conn && !p->closing)
        wb_sim_conn_feed(p->conn, in.data, in.len);
    wb_buf_free(&in);
    flush_out(p);
}

static int io_fault(void *ud, int fault, unsigned seconds) {
    peer *p = ud;
    if (fault == WB_SIM_FAULT_DELAY) {
        wb_sim_hold_delay(&p->hold, seconds * 1000u);
        return 0;
    }
    if (fault != WB_SIM_FAULT_STALL)
        return WB_EUNSUPPORTED;
    wb_sim_hold_stall(&p->hold);
    if (!seconds)
        return 0;
    if (!p->stall_timer && !(p->stall_timer = timer_new(p)))
        return WB_ENOMEM;
    uv_timer_start(p->stall_timer, on_stall_end, (uint64_t)seconds * 1000u, 0);
    return 0;
}

/* ---- websockets ------------------------------------------------------------------------------ */

static void on_handshake_timer(uv_timer_t *t) {
    peer *p = t->data;
    if (!p || !p->conn || p->closing || wb_noise_conn_ready(p->conn->noise))
        return;
    wb_sim_count(p->srv->sim, "timeouts.handshake", 1);
    wb_sim_conn_close(p->conn, "no Noise handshake within %u ms of the upgrade",
                      p->srv->handshake_ms);
    if (p->ws) /* a client that never spoke gets no closing handshake to wait for */
        wb_ws_abort(p->ws, "no Noise handshake in time");
}

/* A request header's value, or NULL. */
static const char *header(const wb_http_msg *req, const char *name) {
    return wb_http_msg_header(req, name);
}

static int ws_accept(wb_ws *ws, const wb_http_msg *req, void *ud) {
    wb_sim_server *s = ud;
    if (s->closing)
        return 503;
    int host_ok = wb_sim_local_host_ok(&s->local, header(req, "host"));
    if (!host_ok || !wb_sim_local_origin_ok(&s->local, header(req, "origin"), 1)) {
        WB_INFO("sim", "%s: websocket refused: Origin %s, Host %s are not this simulator's",
                wb_ws_peer(ws), header(req, "origin") ? header(req, "origin") : "-",
                header(req, "host") ? header(req, "host") : "-");
        wb_sim_count(s->sim, host_ok ? "refused.origin" : "refused.host", 1);
        return 403;
    }
    peer *p = calloc(1, sizeof *p);
    if (!p)
        return 503;
    p->srv = s;
    p->ws = ws;
    wb_sim_hold_init(&p->hold, &s->budget);
    if (wb_sim_conn_new(s->sim, p, wb_ws_peer(ws), &p->conn) < 0) {
        free(p);
        return 503;
    }
    if ((p->handshake_timer = timer_new(p)))
        uv_timer_start(p->handshake_timer, on_handshake_timer, s->handshake_ms, 0);
    ws->data = p;
    return 0;
}

/* Charges the Noise connection's buffers (a frame arriving in pieces can be 16 MiB). */
static int charge_noise(peer *p) {
    size_t want = p->conn ? wb_noise_conn_buffered(p->conn->noise) : 0;
    return wb_budget_set(&p->srv->budget, &p->charged, want);
}

static void ws_message(wb_ws *ws, const uint8_t *data, size_t len) {
    peer *p = ws->data;
    int rc = wb_sim_hold_input(&p->hold, data, len);
    if (rc < 0) {
        wb_sim_conn_close(p->conn, "sent more than %u bytes during a stall", WB_SIM_HOLD_MAX);
        return;
    }
    if (rc == 0)
        return; /* held until the stall ends */
    wb_sim_conn_feed(p->conn, data, len); /* a refusal has already asked for the close */
    if (p->handshake_timer && wb_noise_conn_ready(p->conn->noise))
        close_timer(&p->handshake_timer);
    if (charge_noise(p) < 0)
        wb_sim_conn_close(p->conn, "the server's buffers are full");
}

static void ws_closed(wb_ws *ws, int status, int code, const char *reason) {
    peer *p = ws->data;
    if (!p)
        return;
    WB_DEBUG("sim", "websocket %s closed: %s (%d) %s", wb_ws_peer(ws), wb_errname(status), code,
             reason);
    p->ws = NULL;
    wb_sim_conn_free(p->conn);
    p->conn = NULL;
    close_timer(&p->stall_timer);
    close_timer(&p->out_timer);
    close_timer(&p->handshake_timer);
    wb_sim_hold_free(&p->hold);
    wb_budget_set(&p->srv->budget, &p->charged, 0);
    free(p);
}

static const wb_ws_callbacks ws_cbs = {NULL, ws_message, ws_closed};

/* ---- HTTP ------------------------------------------------------------------------------------ */

typedef struct http_reply {
    wb_sim_reply r;
    wb_http_exchange *x;
    void (*body_fn)(void *ud, const uint8_t *data, size_t len, int status);
    void *body_ud;
} http_reply;

static void http_respond(wb_sim_reply *r, int status, const char *ctype, const void *body,
                         size_t len) {
    http_reply *hr = (http_reply *)r;
    wb_http_header h[] = {{"Content-Type", ctype ? ctype : "application/octet-stream"}};
    wb_http_respond(hr->x, status, h, 1, body, len);
    free(hr);
}

static void http_respond_source(wb_sim_reply *r, int status, const char *ctype, uint64_t len,
                                const wb_http_body_source *src) {
    http_reply *hr = (http_reply *)r;
    wb_http_header h[] = {{"Content-Type", ctype ? ctype : "application/octet-stream"}};
    int rc = wb_http_respond_source(hr->x, status, h, 1, len, src);
    if (rc < 0) /* not started: the source is still ours to end */
        src->done(src->ud, rc);
    free(hr);
}

/* A streamed request body, on to the simulator's handler (which may answer, freeing hr). */
static void http_body(wb_http_exchange *x, const uint8_t *data, size_t len, int status, void *ud) {
    http_reply *hr = ud;
    (void)x;
    hr->body_fn(hr->body_ud, data, len, status);
}

static int http_read_body(wb_sim_reply *r,
                          void (*fn)(void *ud, const uint8_t *data, size_t len, int status),
                          void *ud) {
    http_reply *hr = (http_reply *)r;
    hr->body_fn = fn;
    hr->body_ud = ud;
    return wb_http_exchange_read_body(hr->x, http_body, hr);
}

/* Which bodies the HTTP server passes on in pieces: those of the simulator's streamed routes. */
static int stream_body(wb_http_server *h, const wb_http_msg *head) {
    wb_sim_server *s = h->data;
    return wb_sim_http_streams(s->sim, head->method, head->path);
}

/* Sets a counter to a value (the budget's figures, read at each request). */
static void gauge(wb_sim *sim, const char *name, uint64_t v) {
    wb_sim_count(sim, name, (int64_t)v - wb_sim_counter(sim, name));
}

static void refuse_text(wb_http_exchange *x, int status, const char *why) {
    wb_http_header h[] = {{"Content-Type", "text/plain; charset=utf-8"}};
    wb_http_respond(x, status, h, 1, why, strlen(why));
}

static void serve(wb_sim_server *s, const wb_sim_local *local, wb_http_exchange *x,
                  const wb_http_msg *req) {
    const char *origin = header(req, "origin"), *host = header(req, "host");
    if (!wb_sim_local_host_ok(local, host)) {
        WB_INFO("sim", "%s: %s %s refused: Host %s is not this simulator's",
                wb_http_exchange_peer(x), req->method, req->path, host);
        wb_sim_count(s->sim, "refused.host", 1);
        refuse_text(x, 403, "403 Forbidden: this Host is not the simulator's (it is local only)\n");
        return;
    }
    if (strncmp(req->path, "/admin/", 7) == 0 && !wb_sim_local_origin_ok(local, origin, 0)) {
        WB_INFO("sim", "%s: %s %s refused: Origin %s is not this simulator's",
                wb_http_exchange_peer(x), req->method, req->path, origin);
        wb_sim_count(s->sim, "refused.origin", 1);
        refuse_text(x, 403, "403 Forbidden: the admin API does not serve web pages of other "
                            "origins\n");
        return;
    }
    http_reply *hr = calloc(1, sizeof *hr);
    if (!hr) {
        wb_http_respond(x, 503, NULL, 0, "", 0);
        return;
    }
    hr->r.respond = http_respond;
    hr->r.respond_source = http_respond_source;
    hr->r.read_body = http_read_body;
    hr->x = x;
    gauge(s->sim, "buffers.used", s->budget.used);
    gauge(s->sim, "buffers.peak", s->budget.peak);
    gauge(s->sim, "buffers.cap", s->budget.cap);
    wb_sim_request sr = {req->method, req->path, req->query, req->body, req->body_len,
                         req->body_follows};
    wb_sim_http(s->sim, &sr, &hr->r);
}

static void on_http(wb_http_exchange *x, const wb_http_msg *req, void *ud) {
    wb_sim_server *s = ud;
    serve(s, &s->local, x, req);
}

static void on_media_http(wb_http_exchange *x, const wb_http_msg *req, void *ud) {
    wb_sim_server *s = ud;
    serve(s, &s->media_local, x, req);
}

/* The transport's refusals and timeouts, as counters. */
static void on_refused(wb_http_server *h, const char *what, const char *from) {
    static const struct {
        const char *what, *counter;
    } names[] = {
        {"request_timeout", "timeouts.request"},
        {"websocket_idle", "timeouts.idle"},
        {"connections", "refused.connections"},
        {"http_per_address", "refused.http_per_address"},
        {"websockets_per_address", "refused.websockets_per_address"},
    };
    wb_sim_server *s = h->data;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(what, names[i].what) == 0)
            wb_sim_count(s->sim, names[i].counter, 1);
}

static void on_budget_refused(void *ud, size_t asked) {
    wb_sim_server *s = ud;
    wb_sim_count(s->sim, "refused.buffers", 1);
}

/* ---- life ------------------------------------------------------------------------------------ */

/* The media certificate: made once and kept in the state, so clients keep trusting it. */
static int load_media_tls(wb_sim_server *s, wb_buf *cert, wb_error *err) {
    wb_buf key = WB_BUF_SECRET_INIT;
    int rc = wb_sim_meta_get(s->sim, "media_cert_pem", cert);
    if (rc == 0)
        rc = wb_sim_meta_get(s->sim, "media_key_pem", &key);
    if (rc == WB_ENOTFOUND) {
        wb_buf_reset(cert);
        wb_buf_reset(&key);
        const char *names[] = {"mmg.whatsapp.net"};
        if ((rc = wb_tls_selfsigned(names, 1, cert, &key)) == 0)
            cert->len++, key.len++; /* keep the NUL wb_tls_selfsigned leaves uncounted */
        if (rc == 0 && (rc = wb_sim_meta_set(s->sim, "media_cert_pem", cert->data, cert->len)) == 0)
            rc = wb_sim_meta_set(s->sim, "media_key_pem", key.data, key.len);
    }
    if (rc == 0 && (!cert->len || cert->data[cert->len - 1] || !key.len || key.data[key.len - 1]))
        rc = WB_EMALFORMED; /* stored NUL-terminated, as wb_tls_selfsigned makes it */
    if (rc == 0)
        rc = wb_tls_ctx_new_server(&s->media_tls, (const char *)cert->data,
                                   (const char *)key.data, err);
    wb_buf_free_secret(&key);
    return rc;
}

/* The routes a listener serves: everything on the main port; media only on the media port. */
static const char *const media_routes[] = {"/mms/*", "/product/*", "/pps/*", "/v/*"};

static int listen_on(wb_sim_server *s, const wb_sim_server_opts *o, wb_http_server *h, int *open,
                     wb_tls_ctx *tls, int media, const char *ip, int port, wb_error *err) {
    wb_http_server_opts ho = {
        .tls = tls,
        .budget = &s->budget,
        .max_ws_per_addr = o->max_ws_per_addr,
        .max_http_per_addr = o->max_http_per_addr,
        .idle_timeout_ms = o->request_timeout_ms ? o->request_timeout_ms : DEFAULT_REQUEST_MS,
        .ws_idle_timeout_ms = o->idle_timeout_ms ? o->idle_timeout_ms : DEFAULT_IDLE_MS,
        .on_refused = on_refused,
        .stream_body = stream_body,
    };
    ho.limits.max_body = MAX_BODY;
    ho.limits.max_streamed_body = WB_SIM_MEDIA_MAX;
    int rc = wb_http_server_init(s->loop, h, &ho);
    if (rc < 0)
        return rc;
    *open = 1;
    h->data = s;
    if (!media && ((rc = wb_http_server_ws_route(h, "/ws/chat", ws_accept, &ws_cbs, s)) < 0 ||
                   (rc = wb_http_server_route(h, NULL, "/*", on_http, s)) < 0))
        return rc;
    for (size_t i = 0; media && i < sizeof media_routes / sizeof *media_routes; i++)
        if ((rc = wb_http_server_route(h, NULL, media_routes[i], on_media_http, s)) < 0)
            return rc;
    if ((rc = wb_http_server_listen(h, ip, port)) < 0)
        return wb_error_set(err, rc, 0, "cannot listen on %s:%d", ip, port);
    return 0;
}

int wb_sim_server_start(uv_loop_t *loop, const wb_sim_server_opts *o, wb_sim_server **out,
                        wb_error *err) {
    const char *ip = o->ip ? o->ip : "127.0.0.1";
    if (!wb_sim_local_is_loopback(ip) && !o->allow_remote)
        return wb_error_set(err, WB_EINVAL, 0,
                            "%s is not a loopback address: the admin API has no authentication, "
                            "so listening there needs allow_remote (--allow-remote)", ip);
    wb_sim_server *s = calloc(1, sizeof *s);
    if (!s)
        return WB_ENOMEM;
    s->loop = loop;
    s->budget.cap = o->max_buffered ? o->max_buffered : DEFAULT_MAX_BUFFERED;
    s->budget.on_refused = on_budget_refused;
    s->budget.ud = s;
    s->handshake_ms = o->handshake_timeout_ms ? o->handshake_timeout_ms : DEFAULT_HANDSHAKE_MS;
    wb_buf cert = WB_BUF_INIT;
    int rc = wb_sim_new(&s->sim, &o->sim, err);
    if (rc < 0)
        goto fail;
    s->sim->server = s;
    wb_sim_set_io(s->sim, &(wb_sim_io){io_send, io_close, io_fault});
    if (o->cert_pem && (rc = wb_tls_ctx_new_server(&s->tls, o->cert_pem, o->key_pem, err)) < 0)
        goto fail;
    /* media: on the main port when it speaks TLS, else on a port of its own with the
     * simulator's certificate */
    if (!s->tls && (rc = load_media_tls(s, &cert, err)) < 0)
        goto fail;
    if ((rc = listen_on(s, o, &s->http, &s->http_open, s->tls, 0, ip, o->port, err)) < 0)
        goto fail;
    if (!s->tls && (rc = listen_on(s, o, &s->media, &s->media_open, s->media_tls, 1, ip, 0, err)) < 0)
        goto fail;
    int port = wb_http_server_port(&s->http);
    int media_port = wb_http_server_port(s->tls ? &s->http : &s->media);
    wb_sim_local_init(&s->local, ip, port, s->tls != NULL);
    wb_sim_local_init(&s->media_local, ip, media_port, 1);
    /* the URLs clients are given: a wildcard address is no place to connect to; loopback is */
    const char *shown = s->local.wildcard ? (strchr(ip, ':') ? "[::1]" : "127.0.0.1") : ip;
    int v6 = !s->local.wildcard && strchr(ip, ':');
    char host[96];
    snprintf(s->url, sizeof s->url, "%s://%s%s%s:%d/ws/chat", s->tls ? "wss" : "ws", v6 ? "[" : "",
             shown, v6 ? "]" : "", port);
    snprintf(host, sizeof host, "%s%s%s:%d", v6 ? "[" : "", shown, v6 ? "]" : "", media_port);
    if ((rc = wb_sim_set_endpoints(s->sim, s->url, host,
                                   s->tls ? o->cert_pem : (const char *)cert.data)) < 0)
        goto fail;
    wb_buf_free(&cert);
    *out = s;
    return 0;
fail:
    wb_buf_free(&cert);
    if (s->http_open || s->media_open) { /* handles exist: they must be closed by the loop */
        wb_sim_server_close(s, NULL, NULL);
        uv_run(loop, UV_RUN_DEFAULT);
    }
    wb_sim_server_free(s);
    return rc;
}

const char *wb_sim_server_url(const wb_sim_server *s) { return s->url; }

wb_sim *wb_sim_server_sim(wb_sim_server *s) { return s->sim; }

static void maybe_closed(wb_sim_server *s) {
    if (!s->http_open && !s->media_open && s->close_cb) {
        void (*cb)(void *) = s->close_cb;
        s->close_cb = NULL;
        cb(s->close_ud);
    }
}

static void on_http_closed(wb_http_server *h) {
    wb_sim_server *s = h->data;
    s->http_open = 0;
    maybe_closed(s);
}

static void on_media_closed(wb_http_server *h) {
    wb_sim_server *s = h->data;
    s->media_open = 0;
    maybe_closed(s);
}

void wb_sim_server_close(wb_sim_server *s, void (*cb)(void *ud), void *ud) {
    s->closing = 1;
    s->close_cb = cb;
    s->close_ud = ud;
    if (s->http_open)
        wb_http_server_close(&s->http, on_http_closed);
    if (s->media_open)
        wb_http_server_close(&s->media, on_media_closed);
    maybe_closed(s);
}

void wb_sim_server_free(wb_sim_server *s) {
    if (!s)
        return;
    wb_sim_free(s->sim);
    wb_tls_ctx_free(s->tls);
    wb_tls_ctx_free(s->media_tls);
    free(s);
}
