/* The simulator's libuv host (server.h): websockets become wb_sim_conn's, HTTP requests go to
 * wb_sim_http, and the transport faults (stall, delay) are played here, on the bytes, with
 * timers: a stalled socket holds its input and output until the stall ends; a delayed one sends
 * every message `seconds` late, in order. */
#include "sim/server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "net/http_server.h"
#include "net/tls.h"
#include "sim/sim_int.h"

#define HELD_IN_MAX (16u << 20) /* input kept during a stall */

typedef struct held {
    struct held *next;
    uint64_t due_ms; /* UINT64_MAX while stalled */
    size_t len;
    uint8_t data[];
} held;

typedef struct peer {
    wb_sim_server *srv;
    wb_ws *ws;               /* NULL once the socket has closed */
    wb_sim_conn *conn;
    int closing;             /* the simulator asked to close */
    int stalled;
    unsigned delay_ms;
    wb_buf held_in;          /* input that arrived during a stall */
    held *out, **out_tail;   /* output waiting for a stall or a delay */
    uv_timer_t *stall_timer, *out_timer;
} peer;

struct wb_sim_server {
    uv_loop_t *loop;
    wb_sim *sim;
    wb_http_server http, media;
    int http_open, media_open, closing;
    wb_tls_ctx *tls, *media_tls;
    char url[128];
    void (*close_cb)(void *ud);
    void *close_ud;
};

static uint64_t now_ms(const peer *p) { return uv_now(p->srv->loop); }

/* ---- output: now, or later ---------------------------------------------------------------- */

static void flush_out(peer *p);

static void on_out_timer(uv_timer_t *t) {
    peer *p = t->data;
    if (p)
        flush_out(p);
}

static void schedule_out(peer *p) {
    if (!p->out || p->out->due_ms == UINT64_MAX)
        return;
    if (!p->out_timer) {
        if (!(p->out_timer = malloc(sizeof *p->out_timer)))
            return;
        uv_timer_init(p->srv->loop, p->out_timer);
        p->out_timer->data = p;
    }
    uint64_t now = now_ms(p);
    uv_timer_start(p->out_timer, on_out_timer, p->out->due_ms > now ? p->out->due_ms - now : 0, 0);
}

/* Sends what is due, in order; then, if the simulator asked, closes. */
static void flush_out(peer *p) {
    uint64_t now = now_ms(p);
    while (p->out && p->out->due_ms <= now) {
        held *h = p->out;
        p->out = h->next;
        if (!p->out)
            p->out_tail = &p->out;
        if (p->ws)
            wb_ws_send(p->ws, h->data, h->len);
        free(h);
    }
    if (p->out)
        schedule_out(p);
    else if (p->closing && p->ws)
        wb_ws_close(p->ws, 1000, "closed by the server");
}

static int io_send(void *ud, const uint8_t *data, size_t len) {
    peer *p = ud;
    if (!p->ws)
        return WB_ECLOSED;
    if (!p->stalled && !p->delay_ms && !p->out)
        return wb_ws_send(p->ws, data, len);
    held *h = malloc(sizeof *h + len);
    if (!h)
        return WB_ENOMEM;
    h->next = NULL;
    h->due_ms = p->stalled ? UINT64_MAX : now_ms(p) + p->delay_ms;
    h->len = len;
    memcpy(h->data, data, len);
    *p->out_tail = h;
    p->out_tail = &h->next;
    schedule_out(p);
    return 0;
}

static void io_close(void *ud, const char *reason) {
    peer *p = ud;
    p->closing = 1;
    if (p->ws && !p->out)
        wb_ws_close(p->ws, 1000, "closed by the server");
}

/* ---- faults --------------------------------------------------------------------------------- */

static void on_stall_end(uv_timer_t *t) {
    peer *p = t->data;
    if (!p || !p->stalled)
        return;
    p->stalled = 0;
    uint64_t now = now_ms(p);
    for (held *h = p->out; h; h = h->next)
        if (h->due_ms == UINT64_MAX)
            h->due_ms = now + p->delay_ms;
    if (p->held_in.len && p->conn && !p->closing) {
        wb_buf in = p->held_in;
        p->held_in = (wb_buf)WB_BUF_INIT;
        wb_sim_conn_feed(p->conn, in.data, in.len);
        wb_buf_free(&in);
    }
    flush_out(p);
}

static int io_fault(void *ud, int fault, unsigned seconds) {
    peer *p = ud;
    if (fault == WB_SIM_FAULT_DELAY) {
        p->delay_ms = seconds * 1000u;
        return 0;
    }
    if (fault != WB_SIM_FAULT_STALL)
        return WB_EUNSUPPORTED;
    p->stalled = 1;
    if (!seconds)
        return 0;
    if (!p->stall_timer) {
        if (!(p->stall_timer = malloc(sizeof *p->stall_timer)))
            return WB_ENOMEM;
        uv_timer_init(p->srv->loop, p->stall_timer);
        p->stall_timer->data = p;
    }
    uv_timer_start(p->stall_timer, on_stall_end, (uint64_t)seconds * 1000u, 0);
    return 0;
}

/* ---- websockets ------------------------------------------------------------------------------ */

static int ws_accept(wb_ws *ws, const wb_http_msg *req, void *ud) {
    wb_sim_server *s = ud;
    if (s->closing)
        return 503;
    peer *p = calloc(1, sizeof *p);
    if (!p)
        return 503;
    p->srv = s;
    p->ws = ws;
    p->out_tail = &p->out;
    if (wb_sim_conn_new(s->sim, p, wb_ws_peer(ws), &p->conn) < 0) {
        free(p);
        return 503;
    }
    ws->data = p;
    return 0;
}

static void ws_message(wb_ws *ws, const uint8_t *data, size_t len) {
    peer *p = ws->data;
    if (p->stalled) {
        if (p->held_in.len + len > HELD_IN_MAX)
            wb_sim_conn_close(p->conn, "sent more than %u bytes during a stall", HELD_IN_MAX);
        else
            wb_buf_append(&p->held_in, data, len);
        return;
    }
    wb_sim_conn_feed(p->conn, data, len); /* a refusal has already asked for the close */
}

static void close_timer(uv_timer_t *t) {
    if (!t)
        return;
    t->data = NULL;
    uv_timer_stop(t);
    uv_close((uv_handle_t *)t, (uv_close_cb)free);
}

static void ws_closed(wb_ws *ws, int status, int code, const char *reason) {
    peer *p = ws->data;
    if (!p)
        return;
    WB_DEBUG("sim", "websocket %s closed: %s (%d) %s", wb_ws_peer(ws), wb_errname(status), code,
             reason);
    p->ws = NULL;
    wb_sim_conn_free(p->conn);
    close_timer(p->stall_timer);
    close_timer(p->out_timer);
    while (p->out) {
        held *h = p->out;
        p->out = h->next;
        free(h);
    }
    wb_buf_free(&p->held_in);
    free(p);
}

static const wb_ws_callbacks ws_cbs = {NULL, ws_message, ws_closed};

/* ---- HTTP ------------------------------------------------------------------------------------ */

typedef struct http_reply {
    wb_sim_reply r;
    wb_http_exchange *x;
} http_reply;

static void http_respond(wb_sim_reply *r, int status, const char *ctype, const void *body,
                         size_t len) {
    http_reply *hr = (http_reply *)r;
    wb_http_header h[] = {{"Content-Type", ctype ? ctype : "application/octet-stream"}};
    wb_http_respond(hr->x, status, h, 1, body, len);
    free(hr);
}

static void on_http(wb_http_exchange *x, const wb_http_msg *req, void *ud) {
    wb_sim_server *s = ud;
    http_reply *hr = calloc(1, sizeof *hr);
    if (!hr) {
        wb_http_respond(x, 503, NULL, 0, "", 0);
        return;
    }
    hr->r.respond = http_respond;
    hr->x = x;
    wb_sim_request sr = {req->method, req->path, req->query, req->body, req->body_len};
    wb_sim_http(s->sim, &sr, &hr->r);
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

static int listen_on(wb_sim_server *s, wb_http_server *h, int *open, wb_tls_ctx *tls,
                     const char *ip, int port, wb_error *err) {
    wb_http_server_opts o = {.tls = tls, .idle_timeout_ms = 300000};
    o.limits.max_body = 64u << 20;
    int rc = wb_http_server_init(s->loop, h, &o);
    if (rc < 0)
        return rc;
    *open = 1;
    h->data = s;
    if ((rc = wb_http_server_ws_route(h, "/ws/chat", ws_accept, &ws_cbs, s)) < 0 ||
        (rc = wb_http_server_route(h, NULL, "/*", on_http, s)) < 0)
        return rc;
    if ((rc = wb_http_server_listen(h, ip, port)) < 0)
        return wb_error_set(err, rc, 0, "cannot listen on %s:%d", ip, port);
    return 0;
}

int wb_sim_server_start(uv_loop_t *loop, const wb_sim_server_opts *o, wb_sim_server **out,
                        wb_error *err) {
    wb_sim_server *s = calloc(1, sizeof *s);
    if (!s)
        return WB_ENOMEM;
    s->loop = loop;
    const char *ip = o->ip ? o->ip : "127.0.0.1";
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
    if ((rc = listen_on(s, &s->http, &s->http_open, s->tls, ip, o->port, err)) < 0)
        goto fail;
    if (!s->tls && (rc = listen_on(s, &s->media, &s->media_open, s->media_tls, ip, 0, err)) < 0)
        goto fail;
    char host[96];
    snprintf(s->url, sizeof s->url, "%s://%s:%d/ws/chat", s->tls ? "wss" : "ws", ip,
             wb_http_server_port(&s->http));
    snprintf(host, sizeof host, "%s:%d", ip, wb_http_server_port(s->tls ? &s->http : &s->media));
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
