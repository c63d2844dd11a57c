/* The HTTP/1.1 + websocket server over libuv (see http_server.h). Each accepted connection is a
 * wb_conn with a wb_http_conn (http_conn.h: parsing, pipelining, deadlines, memory) in front; a
 * complete request goes to its route's handler, or, on a websocket route, becomes a websocket
 * link on the same connection. This file adds the routes, the per-address and total caps and the
 * libuv binding. Used by the simulator and by the tests' echo server. */
#include "net/http_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "net/conn.h"
#include "net/http_conn.h"
#include "net/ws_handshake.h"
#include "net/ws_link.h"

#define DEFAULT_MAX_CONNECTIONS 1024
#define DEFAULT_HTTP_PER_ADDR 64
#define DEFAULT_WS_PER_ADDR 256
#define DEFAULT_MAX_BUFFERED (256u * 1024 * 1024)
#define DEFAULT_IDLE_MS 60000

typedef struct route {
    char *method; /* NULL: any */
    char *path;
    size_t plen;
    int prefix;
    wb_http_handler handler;      /* a request route, or */
    wb_ws_accept_fn accept;       /* a websocket route */
    const wb_ws_callbacks *ws_cb;
    void *ud;
} route;

typedef struct sconn sconn;

/* The caps, each logged once when reached (until the count is below it again). */
enum { CAP_TOTAL, CAP_HTTP_ADDR, CAP_WS_ADDR, NCAPS };
static const char *const cap_names[NCAPS] = {"connections", "http_per_address",
                                             "websockets_per_address"};

struct wb_http_server_impl {
    wb_http_server *s;
    uv_loop_t *loop;
    uv_tcp_t listener;
    int listener_open;
    int port;
    wb_http_server_opts o;
    wb_budget own_budget;
    wb_http_conn_cfg conn_cfg;
    route *routes;
    size_t nroutes;
    sconn *conns;
    size_t nconns, nws;
    int closing;
    int cap_hit[NCAPS];          /* logged, and not yet below the cap again */
    uint64_t cap_refused[NCAPS]; /* refusals since it was logged */
    wb_http_server_close_cb close_cb;
};

struct sconn {
    wb_conn conn;
    struct wb_http_server_impl *srv;
    sconn *prev, *next;
    wb_http_conn hc;
    wb_http_exchange *pending; /* the request being handled */
    wb_ws *ws;                 /* set once upgraded */
    size_t hc_held;            /* what hc holds; the link's buffers come on top */
    char addr[64];             /* the peer's address without the port */
};

struct wb_http_exchange {
    sconn *sc; /* NULL once the connection is gone */
    wb_http_msg req;
    int head;
    int keep_alive;
    wb_http_body_cb body_cb; /* a streamed body being taken */
    void *body_ud;
};

/* Restarts a websocket's idle clock (when configured), but not for one whose closing handshake
 * runs on its own deadline. */
static void arm_ws_idle(sconn *sc) {
    unsigned ms = sc->srv->o.ws_idle_timeout_ms;
    if (!ms || wb_ws_link_closing(sc->ws))
        return;
    char why[64];
    snprintf(why, sizeof why, "websocket idle for %u ms", ms);
    wb_conn_set_timeout(&sc->conn, ms, why);
}

/* ---- caps ------------------------------------------------------------------------------------ */

/* Connections of addr that are (ws 1) or are not (ws 0) websockets. */
static size_t count_addr(const struct wb_http_server_impl *srv, const char *addr, int ws) {
    size_t n = 0;
    for (const sconn *c = srv->conns; c; c = c->next)
        n += !!c->ws == ws && strcmp(c->addr, addr) == 0;
    return n;
}

/* A cap refused a connection: counted for the owner, logged the first time. */
static void refused(struct wb_http_server_impl *srv, int cap, const char *peer, size_t have,
                    size_t limit) {
    if (!srv->cap_hit[cap]) {
        srv->cap_hit[cap] = 1;
        srv->cap_refused[cap] = 0;
        WB_WARN("http", "limit reached: %s (%zu, limit %zu; %zu connections open, %zu websockets); "
                "refusing more (%s first), counted in the stats, until below the limit again",
                cap_names[cap], have, limit, srv->nconns, srv->nws, peer);
    }
    srv->cap_refused[cap]++;
    if (srv->o.on_refused)
        srv->o.on_refused(srv->s, cap_names[cap], peer);
}

/* A connection ended: caps that were reached may be below their limit again. */
static void caps_check(struct wb_http_server_impl *srv, const sconn *gone) {
    size_t now[NCAPS] = {srv->nconns, count_addr(srv, gone->addr, 0), count_addr(srv, gone->addr, 1)};
    size_t limit[NCAPS] = {srv->o.max_connections, srv->o.max_http_per_addr, srv->o.max_ws_per_addr};
    for (int i = 0; i < NCAPS; i++)
        if (srv->cap_hit[i] && now[i] < limit[i]) {
            srv->cap_hit[i] = 0;
            WB_INFO("http", "below the %s limit again; %llu refused meanwhile", cap_names[i],
                    (unsigned long long)srv->cap_refused[i]);
        }
}

/* ---- answers ------------------------------------------------------------------------------- */

int wb_http_respond(wb_http_exchange *x, int status, const wb_http_header *headers,
                    size_t nheaders, const void *body, size_t len) {
    sconn *sc = x->sc;
    int rc = WB_ECLOSED;
    if (sc) {
        WB_DEBUG("http", "%s: %s %s -> %d (%zu bytes)", sc->conn.peer, x->req.method,
                 x->req.target, status, len);
        sc->pending = NULL; /* the answer may start the next request at once */
        rc = wb_http_conn_respond(&sc->hc, status, headers, nheaders, body, len, x->head,
                                  x->keep_alive && !sc->srv->closing);
    }
    wb_http_msg_free(&x->req);
    free(x);
    return rc;
}

int wb_http_respond_source(wb_http_exchange *x, int status, const wb_http_header *headers,
                           size_t nheaders, uint64_t len, const wb_http_body_source *src) {
    sconn *sc = x->sc;
    int rc = WB_ECLOSED;
    if (sc) {
        WB_DEBUG("http", "%s: %s %s -> %d (%llu bytes, streamed)", sc->conn.peer, x->req.method,
                 x->req.target, status, (unsigned long long)len);
        sc->pending = NULL;
        rc = wb_http_conn_respond_source(&sc->hc, status, headers, nheaders, len, src, x->head,
                                         x->keep_alive && !sc->srv->closing);
    }
    wb_http_msg_free(&x->req);
    free(x);
    return rc;
}

int wb_http_exchange_read_body(wb_http_exchange *x, wb_http_body_cb cb, void *ud) {
    if (!x->sc)
        return WB_ECLOSED;
    if (!x->req.body_follows || x->body_cb || !cb)
        return WB_ESTATE;
    x->body_cb = cb;
    x->body_ud = ud;
    wb_http_conn_read_body(&x->sc->hc);
    return 0;
}

const char *wb_http_exchange_peer(const wb_http_exchange *x) {
    return x->sc ? x->sc->conn.peer : "";
}

wb_http_server *wb_http_exchange_server(const wb_http_exchange *x) {
    return x->sc ? x->sc->srv->s : NULL;
}

/* ---- dispatch ------------------------------------------------------------------------------ */

static int method_matches(const route *r, const char *method) {
    if (!r->method)
        return 1;
    return strcmp(r->method, method) == 0 || (strcmp(r->method, "GET") == 0 && strcmp(method, "HEAD") == 0);
}

static int path_matches(const route *r, const char *path) {
    return r->prefix ? strncmp(r->path, path, r->plen) == 0 : strcmp(r->path, path) == 0;
}

/* Tells the connection what it holds: the HTTP side's bytes and the websocket's. */
static int hold(sconn *sc) {
    return wb_conn_hold(&sc->conn, sc->hc_held + (sc->ws ? wb_ws_link_buffered(sc->ws) : 0));
}

static void upgrade(sconn *sc, const route *r, wb_http_msg *req) {
    struct wb_http_server_impl *srv = sc->srv;
    char accept[WB_WS_ACCEPT_LEN + 1];
    int status = 400;
    wb_error err = {0};
    if (wb_ws_handshake_check_request(req, accept, &status, &err) < 0) {
        wb_http_header v[] = {{"Sec-WebSocket-Version", "13"}};
        WB_INFO("http", "%s: closing: bad websocket upgrade for %s (%d): %s", sc->conn.peer,
                req->path, status, err.what);
        wb_http_conn_answer(&sc->hc, status, v, status == 426 ? 1 : 0, err.what, 1, WB_EPROTO);
        return;
    }
    size_t mine = count_addr(srv, sc->addr, 1);
    if (mine >= srv->o.max_ws_per_addr) {
        refused(srv, CAP_WS_ADDR, sc->conn.peer, mine, srv->o.max_ws_per_addr);
        wb_http_conn_answer(&sc->hc, 503, NULL, 0, "too many websockets from this address", 1,
                            WB_ETOOBIG);
        return;
    }
    wb_ws *ws = calloc(1, sizeof *ws);
    if (!ws || wb_ws_link_new(ws, &sc->conn, WB_WS_SERVER, srv->o.max_ws_message, r->ws_cb) < 0) {
        free(ws);
        wb_http_conn_answer(&sc->hc, 503, NULL, 0, "out of memory", 1, WB_ENOMEM);
        return;
    }
    int refuse = r->accept ? r->accept(ws, req, r->ud) : 0;
    if (!wb_conn_writable(&sc->conn)) { /* the accept callback closed it */
        wb_ws_link_drop(ws);
        free(ws);
        return;
    }
    if (refuse) {
        wb_ws_link_drop(ws);
        free(ws);
        if (refuse < 400 || refuse > 599)
            refuse = 403;
        WB_INFO("http", "%s: websocket upgrade for %s refused with %d", sc->conn.peer, req->path, refuse);
        wb_http_conn_answer(&sc->hc, refuse, NULL, 0, "websocket refused", 1, 0);
        return;
    }
    wb_buf b = WB_BUF_INIT;
    if (wb_ws_link_open(ws) < 0 || wb_ws_handshake_write_response(&b, accept, NULL, 0) < 0) {
        wb_buf_free(&b);
        wb_ws_link_drop(ws);
        free(ws);
        wb_http_conn_answer(&sc->hc, 503, NULL, 0, "out of memory", 1, WB_ENOMEM);
        return;
    }
    sc->ws = ws;
    srv->nws++;
    wb_http_conn_upgraded(&sc->hc);
    wb_conn_set_timeout(&sc->conn, 0, NULL); /* websockets live as long as they like, */
    arm_ws_idle(sc);                         /* unless ws_idle_timeout_ms says otherwise */
    wb_conn_write(&sc->conn, b.data, b.len);
    wb_buf_free(&b);
    WB_DEBUG("http", "%s: websocket open on %s", sc->conn.peer, req->path);
}

/* ---- the connection's callbacks (http_conn.h) ---------------------------------------------- */

static int hc_write(void *ud, const uint8_t *data, size_t len) {
    sconn *sc = ud;
    return wb_conn_write(&sc->conn, data, len);
}

static size_t hc_queued(void *ud) {
    return ((sconn *)ud)->conn.queued;
}

static int hc_open(void *ud) {
    return wb_conn_writable(&((sconn *)ud)->conn);
}

static void hc_request(void *ud, wb_http_msg *req) {
    sconn *sc = ud;
    struct wb_http_server_impl *srv = sc->srv;
    int path_seen = 0;
    for (size_t i = 0; i < srv->nroutes; i++) {
        const route *r = &srv->routes[i];
        if (!path_matches(r, req->path))
            continue;
        if (r->ws_cb) {
            upgrade(sc, r, req);
            wb_http_msg_free(req);
            return;
        }
        path_seen = 1;
        if (!method_matches(r, req->method))
            continue;
        wb_http_exchange *x = calloc(1, sizeof *x);
        if (!x) {
            wb_http_conn_answer(&sc->hc, 503, NULL, 0, "out of memory", 1, WB_ENOMEM);
            wb_http_msg_free(req);
            return;
        }
        x->sc = sc;
        x->req = *req;
        x->head = strcmp(req->method, "HEAD") == 0;
        x->keep_alive = req->keep_alive;
        sc->pending = x;
        r->handler(x, &x->req, r->ud);
        return;
    }
    int st = path_seen ? 405 : 404;
    WB_DEBUG("http", "%s: %s %s -> %d", sc->conn.peer, req->method, req->target, st);
    int close = !req->keep_alive;
    wb_http_msg_free(req);
    wb_http_conn_answer(&sc->hc, st, NULL, 0, NULL, close, 0);
}

static void hc_upgraded_data(void *ud, const uint8_t *data, size_t len) {
    sconn *sc = ud;
    arm_ws_idle(sc);
    wb_ws_link_data(sc->ws, data, len);
    if (wb_conn_writable(&sc->conn) && hold(sc) < 0)
        wb_conn_close(&sc->conn, WB_ETOOBIG, "the server's buffers are full: websocket dropped");
}

static void hc_upgraded_eof(void *ud) {
    wb_ws_link_eof(((sconn *)ud)->ws);
}

static int hc_hold(void *ud, size_t bytes) {
    sconn *sc = ud;
    size_t was = sc->hc_held;
    sc->hc_held = bytes;
    int rc = hold(sc);
    if (rc < 0)
        sc->hc_held = was;
    return rc;
}

static void hc_reading(void *ud, int on) {
    sconn *sc = ud;
    if (on)
        wb_conn_resume(&sc->conn);
    else
        wb_conn_pause(&sc->conn);
}

static void hc_deadline(void *ud, unsigned ms, const char *why) {
    wb_conn_set_timeout(&((sconn *)ud)->conn, ms, why);
}

static void hc_close(void *ud, int status, int how, const char *why) {
    sconn *sc = ud;
    if (how == WB_HTTP_CLOSE_NOW)
        wb_conn_close(&sc->conn, status, "%s", why);
    else
        wb_conn_close_after_flush(&sc->conn, status, how == WB_HTTP_CLOSE_LINGER, "%s", why);
}

static uint64_t hc_now(void *ud) {
    return uv_now(((sconn *)ud)->srv->loop);
}

static int hc_streams(void *ud, const wb_http_msg *head) {
    struct wb_http_server_impl *srv = ((sconn *)ud)->srv;
    return srv->o.stream_body && srv->o.stream_body(srv->s, head);
}

static void hc_body(void *ud, const uint8_t *data, size_t len, int status) {
    sconn *sc = ud;
    wb_http_exchange *x = sc->pending;
    if (!x)
        return;
    wb_http_body_cb cb = x->body_cb;
    if (status < 0) { /* cut off: the connection answers what fits; x is detached */
        sc->pending = NULL;
        x->sc = NULL;
    }
    if (cb) /* may answer, and so free x */
        cb(x, data, len, status, x->body_ud);
}

static const wb_http_conn_callbacks hc_cbs = {
    hc_write,   hc_queued,   hc_open,     hc_request, hc_upgraded_data, hc_upgraded_eof,
    hc_hold,    hc_reading,  hc_deadline, hc_close,   hc_now,           hc_streams,
    hc_body,
};

/* ---- connection callbacks ------------------------------------------------------------------ */

static void sc_data(wb_conn *c, const uint8_t *data, size_t len) {
    wb_http_conn_feed(&((sconn *)c->owner)->hc, data, len);
}

static void sc_eof(wb_conn *c) {
    wb_http_conn_eof(&((sconn *)c->owner)->hc);
}

static void sc_drained(wb_conn *c) {
    wb_http_conn_drained(&((sconn *)c->owner)->hc);
}

/* A deadline passed: a websocket is dropped; an HTTP connection is answered 408 when part of a
 * request had come (an idle keep-alive connection just closes). */
static void sc_timeout(wb_conn *c) {
    sconn *sc = c->owner;
    struct wb_http_server_impl *srv = sc->srv;
    const char *what = NULL;
    if (sc->ws) {
        wb_conn_close(c, WB_ETIMEOUT, "%s", c->timeout_reason);
        what = "websocket_idle";
    } else if (wb_http_conn_timeout(&sc->hc, c->timeout_reason)) {
        what = "request_timeout";
    }
    if (what && srv->o.on_refused && !srv->closing)
        srv->o.on_refused(srv->s, what, c->peer);
}

static void maybe_finish_server(struct wb_http_server_impl *srv);

static void sc_closed(wb_conn *c) {
    sconn *sc = c->owner;
    struct wb_http_server_impl *srv = sc->srv;
    if (c->status < 0)
        WB_INFO("http", "%s: connection closed: %s", c->peer, c->reason);
    else
        WB_DEBUG("http", "%s: connection closed: %s", c->peer, c->reason);
    if (sc->pending)
        sc->pending->sc = NULL; /* the handler may still answer; the answer goes nowhere */
    if (sc->ws) {
        srv->nws--;
        wb_ws_link_finish(sc->ws, c->status, c->reason);
        free(sc->ws);
        sc->ws = NULL;
    }
    if (sc->prev)
        sc->prev->next = sc->next;
    else
        srv->conns = sc->next;
    if (sc->next)
        sc->next->prev = sc->prev;
    srv->nconns--;
    caps_check(srv, sc);
    wb_http_conn_free(&sc->hc);
    free(sc);
    maybe_finish_server(srv);
}

static const wb_conn_callbacks sc_cbs = {NULL, sc_data, sc_eof, sc_closed, sc_drained, sc_timeout};

static void on_connection(uv_stream_t *l, int status) {
    struct wb_http_server_impl *srv = l->data;
    if (status < 0) {
        WB_WARN("http", "accept failed: %s", uv_strerror(status));
        return;
    }
    sconn *sc = calloc(1, sizeof *sc);
    if (!sc) {
        WB_ERROR("http", "out of memory accepting a connection");
        return;
    }
    sc->srv = srv;
    sc->next = srv->conns;
    if (srv->conns)
        srv->conns->prev = sc;
    srv->conns = sc;
    srv->nconns++;
    wb_conn_accept(&sc->conn, srv->loop, l, srv->o.tls, srv->o.write_queue_cap, &sc_cbs, sc);
    wb_conn_set_budget(&sc->conn, srv->o.budget);
    wb_http_conn_init(&sc->hc, &srv->conn_cfg, &hc_cbs, sc); /* arms the head deadline */
    snprintf(sc->addr, sizeof sc->addr, "%s", sc->conn.peer);
    char *colon = strrchr(sc->addr, ':'); /* "1.2.3.4:5" and "[::1]:5" lose the port */
    if (colon)
        *colon = '\0';
    size_t mine;
    if (srv->nconns > srv->o.max_connections) {
        refused(srv, CAP_TOTAL, sc->conn.peer, srv->nconns - 1, srv->o.max_connections);
        wb_conn_close(&sc->conn, WB_ETOOBIG, "too many connections");
        return;
    }
    if ((mine = count_addr(srv, sc->addr, 0)) > srv->o.max_http_per_addr) {
        refused(srv, CAP_HTTP_ADDR, sc->conn.peer, mine - 1, srv->o.max_http_per_addr);
        wb_conn_close(&sc->conn, WB_ETOOBIG, "too many connections from this address");
        return;
    }
}

/* ---- the server ---------------------------------------------------------------------------- */

int wb_http_server_init(uv_loop_t *loop, wb_http_server *s, const wb_http_server_opts *opts) {
    struct wb_http_server_impl *srv = calloc(1, sizeof *srv);
    if (!srv)
        return WB_ENOMEM;
    srv->s = s;
    srv->loop = loop;
    if (opts)
        srv->o = *opts;
    if (!srv->o.limits.max_body)
        srv->o.limits.max_body = WB_HTTP_SERVER_DEFAULT_MAX_BODY;
    if (!srv->o.max_connections)
        srv->o.max_connections = DEFAULT_MAX_CONNECTIONS;
    if (!srv->o.max_http_per_addr)
        srv->o.max_http_per_addr = DEFAULT_HTTP_PER_ADDR;
    if (!srv->o.max_ws_per_addr)
        srv->o.max_ws_per_addr = DEFAULT_WS_PER_ADDR;
    if (!srv->o.idle_timeout_ms)
        srv->o.idle_timeout_ms = DEFAULT_IDLE_MS;
    if (!srv->o.budget) {
        srv->own_budget.cap = srv->o.max_buffered ? srv->o.max_buffered : DEFAULT_MAX_BUFFERED;
        srv->o.budget = &srv->own_budget;
    }
    srv->conn_cfg = (wb_http_conn_cfg){.limits = srv->o.limits,
                                       .head_timeout_ms = srv->o.idle_timeout_ms,
                                       .body_timeout_ms = srv->o.body_timeout_ms,
                                       .body_min_rate = srv->o.body_min_rate};
    uv_tcp_init(loop, &srv->listener);
    srv->listener.data = srv;
    srv->listener_open = 1;
    s->impl_ = srv;
    return 0;
}

static int add_route(wb_http_server *s, const route *proto) {
    struct wb_http_server_impl *srv = s->impl_;
    if (!srv || srv->closing || !proto->path || proto->path[0] != '/')
        return WB_EINVAL;
    route *rs = realloc(srv->routes, (srv->nroutes + 1) * sizeof *rs);
    if (!rs)
        return WB_ENOMEM;
    srv->routes = rs;
    route *r = &rs[srv->nroutes];
    *r = *proto;
    size_t len = strlen(proto->path);
    r->prefix = proto->path[len - 1] == '*';
    r->plen = r->prefix ? len - 1 : len;
    r->path = strndup(proto->path, r->plen);
    r->method = proto->method ? strdup(proto->method) : NULL;
    if (!r->path || (proto->method && !r->method)) {
        free(r->path);
        free(r->method);
        return WB_ENOMEM;
    }
    srv->nroutes++;
    return 0;
}

int wb_http_server_route(wb_http_server *s, const char *method, const char *path,
                         wb_http_handler handler, void *ud) {
    if (!handler)
        return WB_EINVAL;
    route r = {0};
    r.method = (char *)method;
    r.path = (char *)path;
    r.handler = handler;
    r.ud = ud;
    return add_route(s, &r);
}

int wb_http_server_ws_route(wb_http_server *s, const char *path, wb_ws_accept_fn accept,
                            const wb_ws_callbacks *cb, void *ud) {
    if (!cb || !path || !path[0] || path[strlen(path) - 1] == '*')
        return WB_EINVAL;
    route r = {0};
    r.path = (char *)path;
    r.accept = accept;
    r.ws_cb = cb;
    r.ud = ud;
    return add_route(s, &r);
}

int wb_http_server_listen(wb_http_server *s, const char *ip, int port) {
    struct wb_http_server_impl *srv = s->impl_;
    struct sockaddr_storage ss;
    if (!srv || srv->closing || port < 0 || port > 65535)
        return WB_EINVAL;
    if (uv_ip4_addr(ip, port, (struct sockaddr_in *)&ss) != 0 &&
        uv_ip6_addr(ip, port, (struct sockaddr_in6 *)&ss) != 0)
        return WB_EINVAL;
    int r = uv_tcp_bind(&srv->listener, (const struct sockaddr *)&ss, 0);
    if (r == 0)
        r = uv_listen((uv_stream_t *)&srv->listener, 511, on_connection);
    if (r < 0) {
        WB_WARN("http", "cannot listen on %s:%d: %s", ip, port, uv_strerror(r));
        return WB_EIO;
    }
    int len = sizeof ss;
    if (uv_tcp_getsockname(&srv->listener, (struct sockaddr *)&ss, &len) == 0)
        srv->port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                                  : ((struct sockaddr_in6 *)&ss)->sin6_port);
    WB_INFO("http", "listening on %s:%d%s", ip, srv->port, srv->o.tls ? " (TLS)" : "");
    return 0;
}

int wb_http_server_port(const wb_http_server *s) {
    return s->impl_ ? s->impl_->port : 0;
}

size_t wb_http_server_connections(const wb_http_server *s, size_t *websockets) {
    if (websockets)
        *websockets = s->impl_ ? s->impl_->nws : 0;
    return s->impl_ ? s->impl_->nconns : 0;
}

static void maybe_finish_server(struct wb_http_server_impl *srv) {
    if (!srv->closing || srv->listener_open || srv->nconns)
        return;
    wb_http_server *s = srv->s;
    wb_http_server_close_cb cb = srv->close_cb;
    for (size_t i = 0; i < srv->nroutes; i++) {
        free(srv->routes[i].method);
        free(srv->routes[i].path);
    }
    free(srv->routes);
    free(srv);
    s->impl_ = NULL;
    if (cb)
        cb(s);
}

static void on_listener_closed(uv_handle_t *h) {
    struct wb_http_server_impl *srv = h->data;
    srv->listener_open = 0;
    maybe_finish_server(srv);
}

void wb_http_server_close(wb_http_server *s, wb_http_server_close_cb cb) {
    struct wb_http_server_impl *srv = s->impl_;
    if (!srv || srv->closing)
        return;
    srv->closing = 1;
    srv->close_cb = cb;
    uv_close((uv_handle_t *)&srv->listener, on_listener_closed);
    for (sconn *sc = srv->conns; sc; sc = sc->next) {
        if (sc->ws && wb_conn_writable(&sc->conn)) {
            wb_ws_close(sc->ws, WB_WS_CLOSE_GOING_AWAY, "server shutting down");
            wb_conn_close_after_flush(&sc->conn, WB_ECLOSED, 0, "server shutting down");
        } else {
            wb_conn_close(&sc->conn, WB_ECLOSED, "server shutting down");
        }
    }
}
