/* The HTTP/1.1 + websocket server over libuv (see http_server.h). Each accepted connection is a
 * wb_conn with an HTTP parser in front; a complete request goes to its route's handler, or, on a
 * websocket route, becomes a websocket link on the same connection. Used by the simulator and by
 * the tests' echo server. */
#include "net/http_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "net/conn.h"
#include "net/ws_handshake.h"
#include "net/ws_link.h"

#define DEFAULT_MAX_CONNECTIONS 1024
#define DEFAULT_IDLE_MS 60000
#define IN_COMPACT (64 * 1024) /* move unread input to the front past this offset */
#define IN_PAUSE (256 * 1024)  /* stop reading when this much input waits */

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

struct wb_http_server_impl {
    wb_http_server *s;
    uv_loop_t *loop;
    uv_tcp_t listener;
    int listener_open;
    int port;
    wb_http_server_opts o;
    route *routes;
    size_t nroutes;
    sconn *conns;
    size_t nconns;
    int closing;
    wb_http_server_close_cb close_cb;
};

struct sconn {
    wb_conn conn;
    struct wb_http_server_impl *srv;
    sconn *prev, *next;
    wb_http_parser parser;
    wb_buf in; /* received, not yet parsed */
    size_t in_off;
    wb_http_exchange *pending; /* the request being handled */
    wb_ws *ws;                 /* set once upgraded */
    int in_process, again;
    int sent_continue;
    int eof;
};

struct wb_http_exchange {
    sconn *sc; /* NULL once the connection is gone */
    wb_http_msg req;
    int head;
    int keep_alive;
};

static void process(sconn *sc);

/* Restarts the idle clock: for HTTP connections waiting on a request, and (when configured) for
 * websockets, but not for one whose closing handshake runs on its own deadline. */
static void arm_idle(sconn *sc) {
    unsigned ms = sc->ws ? sc->srv->o.ws_idle_timeout_ms : sc->srv->o.idle_timeout_ms;
    if (sc->ws && (!ms || wb_ws_link_closing(sc->ws)))
        return;
    char why[64];
    snprintf(why, sizeof why, "%s idle for %u ms", sc->ws ? "websocket" : "connection", ms);
    wb_conn_set_timeout(&sc->conn, ms, why);
}

/* ---- answers ------------------------------------------------------------------------------- */

/* Writes a complete response; returns what wb_conn_write says. */
static int write_response(sconn *sc, int status, const wb_http_header *h, size_t n, const void *body,
                          size_t len, int head_only, int close) {
    wb_buf b = WB_BUF_INIT;
    int rc = wb_http_write_response_head(&b, status, h, n, (int64_t)len, close);
    if (rc == 0)
        rc = wb_conn_write(&sc->conn, b.data, b.len);
    if (rc == 0 && len && !head_only)
        rc = wb_conn_write(&sc->conn, body, len);
    wb_buf_free(&b);
    return rc;
}

/* An answer the server makes itself (errors, 404): a short text body. */
static void answer_text(sconn *sc, int status, const wb_http_header *extra, size_t nextra,
                        const char *detail, int close, int fail) {
    char body[300];
    int n = snprintf(body, sizeof body, "%d %s%s%s\n", status, wb_http_reason(status),
                     detail ? ": " : "", detail ? detail : "");
    wb_http_header h[4] = {{"Content-Type", "text/plain; charset=utf-8"}};
    for (size_t i = 0; i < nextra && i < 3; i++)
        h[1 + i] = extra[i];
    write_response(sc, status, h, 1 + (nextra < 3 ? nextra : 3), body,
                   n > 0 ? (size_t)(n < (int)sizeof body ? n : (int)sizeof body - 1) : 0, 0, close);
    if (close)
        wb_conn_close_after_flush(&sc->conn, fail, 1, "answered %d: %s", status,
                                  detail ? detail : wb_http_reason(status));
}

/* A request we cannot parse: answer and close, with the reason in the log. */
static void reject(sconn *sc, int status, const char *what) {
    WB_INFO("http", "%s: closing: bad request (%d): %s", sc->conn.peer, status, what);
    answer_text(sc, status, NULL, 0, what, 1, WB_EPROTO);
}

int wb_http_respond(wb_http_exchange *x, int status, const wb_http_header *headers,
                    size_t nheaders, const void *body, size_t len) {
    sconn *sc = x->sc;
    int rc = 0;
    if (!sc) {
        rc = WB_ECLOSED;
        goto done;
    }
    int close = !x->keep_alive || sc->eof || sc->srv->closing;
    wb_buf probe = WB_BUF_INIT;
    if (wb_http_write_response_head(&probe, status, headers, nheaders, (int64_t)len, close) == WB_EINVAL) {
        WB_WARN("http", "%s: handler for %s %s gave a bad status or header; answering 500",
                sc->conn.peer, x->req.method, x->req.path);
        rc = WB_EINVAL;
        status = 500;
        headers = NULL;
        nheaders = 0;
        body = NULL;
        len = 0;
    }
    wb_buf_free(&probe);
    WB_DEBUG("http", "%s: %s %s -> %d (%zu bytes)", sc->conn.peer, x->req.method, x->req.target,
             status, len);
    int wrc = write_response(sc, status, headers, nheaders, body, len, x->head, close);
    if (wrc < 0 && rc == 0)
        rc = WB_ECLOSED;
    sc->pending = NULL;
    if (close) {
        wb_conn_close_after_flush(&sc->conn, 0, 1, "answered with Connection: close");
    } else if (wb_conn_writable(&sc->conn)) {
        arm_idle(sc);
        process(sc); /* a pipelined request may be waiting */
    }
done:
    wb_http_msg_free(&x->req);
    free(x);
    return rc;
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

static void upgrade(sconn *sc, const route *r, wb_http_msg *req) {
    char accept[WB_WS_ACCEPT_LEN + 1];
    int status = 400;
    wb_error err = {0};
    if (wb_ws_handshake_check_request(req, accept, &status, &err) < 0) {
        wb_http_header v[] = {{"Sec-WebSocket-Version", "13"}};
        WB_INFO("http", "%s: closing: bad websocket upgrade for %s (%d): %s", sc->conn.peer,
                req->path, status, err.what);
        answer_text(sc, status, v, status == 426 ? 1 : 0, err.what, 1, WB_EPROTO);
        return;
    }
    wb_ws *ws = calloc(1, sizeof *ws);
    if (!ws || wb_ws_link_new(ws, &sc->conn, WB_WS_SERVER, sc->srv->o.max_ws_message, r->ws_cb) < 0) {
        free(ws);
        answer_text(sc, 503, NULL, 0, "out of memory", 1, WB_ENOMEM);
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
        answer_text(sc, refuse, NULL, 0, "websocket refused", 1, 0);
        return;
    }
    wb_buf b = WB_BUF_INIT;
    if (wb_ws_link_open(ws) < 0 || wb_ws_handshake_write_response(&b, accept, NULL, 0) < 0) {
        wb_buf_free(&b);
        wb_ws_link_drop(ws);
        free(ws);
        answer_text(sc, 503, NULL, 0, "out of memory", 1, WB_ENOMEM);
        return;
    }
    sc->ws = ws;
    wb_conn_set_timeout(&sc->conn, 0, NULL); /* websockets live as long as they like, */
    arm_idle(sc);                            /* unless ws_idle_timeout_ms says otherwise */
    wb_conn_write(&sc->conn, b.data, b.len);
    wb_buf_free(&b);
    WB_DEBUG("http", "%s: websocket open on %s", sc->conn.peer, req->path);
}

static void dispatch(sconn *sc) {
    struct wb_http_server_impl *srv = sc->srv;
    wb_http_msg req;
    wb_http_parser_take(&sc->parser, &req);
    sc->sent_continue = 0;
    int path_seen = 0;
    for (size_t i = 0; i < srv->nroutes; i++) {
        const route *r = &srv->routes[i];
        if (!path_matches(r, req.path))
            continue;
        if (r->ws_cb) {
            upgrade(sc, r, &req);
            wb_http_msg_free(&req);
            return;
        }
        path_seen = 1;
        if (!method_matches(r, req.method))
            continue;
        wb_http_exchange *x = calloc(1, sizeof *x);
        if (!x) {
            answer_text(sc, 503, NULL, 0, "out of memory", 1, WB_ENOMEM);
            wb_http_msg_free(&req);
            return;
        }
        x->sc = sc;
        x->req = req;
        x->head = strcmp(req.method, "HEAD") == 0;
        x->keep_alive = req.keep_alive;
        sc->pending = x;
        wb_conn_set_timeout(&sc->conn, 0, NULL); /* the handler takes the time it needs */
        r->handler(x, &x->req, r->ud);
        return;
    }
    int st = path_seen ? 405 : 404;
    WB_DEBUG("http", "%s: %s %s -> %d", sc->conn.peer, req.method, req.target, st);
    answer_text(sc, st, NULL, 0, NULL, !req.keep_alive, 0);
    wb_http_msg_free(&req);
}

/* Parses and dispatches whatever input waits, as far as the state allows. Re-entered calls (a
 * handler answering at once) only ask the running loop to go round again. */
static void process(sconn *sc) {
    if (sc->in_process) {
        sc->again = 1;
        return;
    }
    sc->in_process = 1;
    do {
        sc->again = 0;
        while (wb_conn_writable(&sc->conn) && sc->in_off < sc->in.len) {
            const uint8_t *d = sc->in.data + sc->in_off;
            size_t n = sc->in.len - sc->in_off;
            if (sc->ws) {
                sc->in_off += n;
                wb_ws_link_data(sc->ws, d, n);
                continue;
            }
            if (sc->pending)
                break;
            size_t used;
            wb_error err = {0};
            int rc = wb_http_parser_feed(&sc->parser, d, n, &used, &err);
            sc->in_off += used;
            if (rc < 0) {
                reject(sc, sc->parser.status, err.what);
                break;
            }
            if (rc == WB_HTTP_MORE) {
                if (sc->parser.head_done && sc->parser.msg.expect_continue && !sc->sent_continue) {
                    sc->sent_continue = 1;
                    static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
                    wb_conn_write(&sc->conn, cont, sizeof cont - 1);
                }
                break;
            }
            dispatch(sc);
        }
        if (sc->in_off == sc->in.len) {
            wb_buf_reset(&sc->in);
            sc->in_off = 0;
        } else if (sc->in_off > IN_COMPACT) {
            memmove(sc->in.data, sc->in.data + sc->in_off, sc->in.len - sc->in_off);
            sc->in.len -= sc->in_off;
            sc->in_off = 0;
        }
    } while (sc->again);
    sc->in_process = 0;
    if (sc->pending || sc->in.len - sc->in_off > IN_PAUSE)
        wb_conn_pause(&sc->conn);
    else
        wb_conn_resume(&sc->conn);
    if (sc->eof && !sc->pending && !sc->ws && wb_conn_writable(&sc->conn))
        wb_conn_close(&sc->conn, 0, "peer closed the connection");
}

/* ---- connection callbacks ------------------------------------------------------------------ */

static void sc_data(wb_conn *c, const uint8_t *data, size_t len) {
    sconn *sc = c->owner;
    if (sc->ws && sc->in.len == sc->in_off) { /* the common case: straight to the websocket */
        arm_idle(sc);
        wb_ws_link_data(sc->ws, data, len);
        return;
    }
    if (wb_buf_append(&sc->in, data, len) < 0) {
        wb_conn_close(c, WB_ENOMEM, "out of memory buffering input");
        return;
    }
    /* the clock restarts for progress in a body, not in a head: a head must come whole within
     * idle_timeout_ms of the previous answer (or of the accept), however slowly it trickles */
    if (sc->ws || (!sc->pending && sc->parser.head_done))
        arm_idle(sc);
    process(sc);
}

static void sc_eof(wb_conn *c) {
    sconn *sc = c->owner;
    if (sc->ws) {
        wb_ws_link_eof(sc->ws);
        return;
    }
    sc->eof = 1;
    if (sc->pending)
        return; /* answer first; wb_http_respond then closes */
    if (sc->in.len > sc->in_off || sc->parser.offset || sc->parser.msg.head_store.len)
        wb_conn_close(c, WB_ETRUNC, "peer closed the connection in the middle of a request");
    else
        wb_conn_close(c, 0, "peer closed the connection");
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
        wb_ws_link_finish(sc->ws, c->status, c->reason);
        free(sc->ws);
    }
    if (sc->prev)
        sc->prev->next = sc->next;
    else
        srv->conns = sc->next;
    if (sc->next)
        sc->next->prev = sc->prev;
    srv->nconns--;
    wb_http_parser_free(&sc->parser);
    wb_buf_free(&sc->in);
    free(sc);
    maybe_finish_server(srv);
}

static const wb_conn_callbacks sc_cbs = {NULL, sc_data, sc_eof, sc_closed};

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
    wb_http_parser_init(&sc->parser, WB_HTTP_REQUEST, &srv->o.limits);
    sc->next = srv->conns;
    if (srv->conns)
        srv->conns->prev = sc;
    srv->conns = sc;
    srv->nconns++;
    wb_conn_accept(&sc->conn, srv->loop, l, srv->o.tls, srv->o.write_queue_cap, &sc_cbs, sc);
    if (srv->nconns > srv->o.max_connections) {
        WB_WARN("http", "%s: refused: already %zu connections", sc->conn.peer, srv->nconns - 1);
        wb_conn_close(&sc->conn, WB_ETOOBIG, "too many connections");
        return;
    }
    arm_idle(sc);
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
    if (!srv->o.idle_timeout_ms)
        srv->o.idle_timeout_ms = DEFAULT_IDLE_MS;
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
