/* The libuv connection under every server and client connection (see conn.h): connect or
 * accept, TLS as a byte transform between the socket and the owner, a bounded write queue, one
 * deadline timer, graceful and immediate closes, and one on_closed when all is quiet. */
#include "net/conn.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

#define READ_BUF_SIZE (64 * 1024)
#define DRAIN_TIMEOUT_MS 10000 /* how long a graceful close waits for the peer to read */
#define LINGER_TIMEOUT_MS 2000 /* how long it then waits for the peer to close */

typedef struct write_req {
    uv_write_t req;
    wb_conn *c;
    size_t len;
    uint8_t data[];
} write_req;

static void start_reading(wb_conn *c);

/* Charges held + queued bytes, beyond the free allowance, to the budget. */
static int charge(wb_conn *c, size_t held, size_t queued) {
    size_t total = held + queued;
    return wb_budget_set(c->budget, &c->charged,
                         total > WB_CONN_FREE_BYTES ? total - WB_CONN_FREE_BYTES : 0);
}

void wb_conn_set_budget(wb_conn *c, wb_budget *budget) {
    charge(c, 0, 0);
    c->budget = budget;
    charge(c, c->held, c->queued);
}

int wb_conn_hold(wb_conn *c, size_t bytes) {
    if (c->state == WB_CONN_CLOSED)
        return 0; /* everything was given back */
    int rc = charge(c, bytes, c->queued);
    if (rc == 0)
        c->held = bytes;
    return rc;
}

static void finish_if_quiet(wb_conn *c) {
    if (c->state == WB_CONN_CLOSING && c->pending == 0) {
        c->state = WB_CONN_CLOSED;
        c->held = 0;
        charge(c, 0, 0);
        wb_tls_free(c->tls);
        c->tls = NULL;
        free(c->rbuf);
        c->rbuf = NULL;
        c->cb->on_closed(c); /* last: the owner may free c */
    }
}

static void on_handle_closed(uv_handle_t *h) {
    wb_conn *c = h->data;
    c->pending--;
    finish_if_quiet(c);
}

static void record(wb_conn *c, int status, const char *fmt, va_list ap) {
    if (c->reason[0])
        return;
    c->status = status;
    vsnprintf(c->reason, sizeof c->reason, fmt, ap);
}

static void close_now(wb_conn *c) {
    if (c->state >= WB_CONN_CLOSING)
        return;
    c->state = WB_CONN_CLOSING;
    uv_read_stop((uv_stream_t *)&c->tcp);
    if (c->resolving)
        uv_cancel((uv_req_t *)&c->gai); /* its callback still comes, with UV_EAI_CANCELED */
    uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
    uv_close((uv_handle_t *)&c->timer, on_handle_closed);
}

void wb_conn_close(wb_conn *c, int status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    record(c, status, fmt, ap);
    va_end(ap);
    close_now(c);
}

static void on_timer(uv_timer_t *t) {
    wb_conn *c = t->data;
    if (c->state == WB_CONN_LINGER) {
        close_now(c); /* the peer never closed its side: fine, we are done */
        return;
    }
    if (c->state == WB_CONN_OPEN && c->cb->on_timeout) {
        c->cb->on_timeout(c);
        return;
    }
    wb_conn_close(c, WB_ETIMEOUT, "%s", c->timeout_reason[0] ? c->timeout_reason : "timed out");
}

void wb_conn_set_timeout(wb_conn *c, unsigned ms, const char *reason) {
    if (c->state >= WB_CONN_CLOSING)
        return;
    snprintf(c->timeout_reason, sizeof c->timeout_reason, "%s", reason ? reason : "timed out");
    if (ms)
        uv_timer_start(&c->timer, on_timer, ms, 0);
    else
        uv_timer_stop(&c->timer);
}

/* ---- writing ------------------------------------------------------------------------------- */

static void on_shutdown(uv_shutdown_t *req, int status) {
    wb_conn *c = req->data;
    c->pending--;
    finish_if_quiet(c);
}

/* The write queue is empty during a graceful close: finish it. */
static void drained(wb_conn *c) {
    if (!c->linger) {
        close_now(c);
        return;
    }
    c->state = WB_CONN_LINGER;
    if (c->paused) { /* watch for the peer's close while discarding what it sends */
        c->paused = 0;
        start_reading(c);
    }
    c->shutdown_req.data = c;
    if (uv_shutdown(&c->shutdown_req, (uv_stream_t *)&c->tcp, on_shutdown) == 0)
        c->pending++;
    uv_timer_start(&c->timer, on_timer, LINGER_TIMEOUT_MS, 0);
}

static void on_write(uv_write_t *req, int status) {
    write_req *w = (write_req *)req;
    wb_conn *c = w->c;
    c->queued -= w->len;
    c->pending--;
    free(w);
    charge(c, c->held, c->queued);
    if (status < 0 && c->state < WB_CONN_CLOSING)
        wb_conn_close(c, WB_EIO, "write failed: %s", uv_strerror(status));
    else if (c->state == WB_CONN_DRAINING && c->queued == 0)
        drained(c);
    else if (c->state == WB_CONN_OPEN && c->queued == 0 && c->cb->on_drained)
        c->cb->on_drained(c);
    finish_if_quiet(c);
}

/* Puts bytes on the socket: at once when nothing is queued and the kernel takes them, otherwise
 * into libuv's queue, up to write_cap. */
static int raw_write(wb_conn *c, const uint8_t *data, size_t len) {
    if (c->state >= WB_CONN_LINGER)
        return WB_ECLOSED;
    if (c->queued == 0) {
        uv_buf_t b = uv_buf_init((char *)data, (unsigned)(len > UINT32_MAX ? UINT32_MAX : len));
        int n = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
        if (n > 0) {
            data += n;
            len -= (size_t)n;
        } else if (n != UV_EAGAIN && n != UV_ENOSYS) {
            wb_conn_close(c, WB_EIO, "write failed: %s", uv_strerror(n));
            return WB_ECLOSED;
        }
        if (!len)
            return 0;
    }
    if (c->queued + len > c->write_cap) {
        WB_WARN("net", "%s: peer too slow: %zu bytes waiting to be sent (limit %zu)", c->peer,
                c->queued + len, c->write_cap);
        wb_conn_close(c, WB_ETOOBIG, "peer too slow: %zu bytes waiting to be sent (limit %zu)",
                      c->queued + len, c->write_cap);
        return WB_ETOOBIG;
    }
    if (charge(c, c->held, c->queued + len) < 0) {
        WB_WARN("net", "%s: the server's buffers are full (%zu bytes held of %zu): closing",
                c->peer, c->budget->used, c->budget->cap);
        wb_conn_close(c, WB_ETOOBIG, "the server's buffers are full: %zu more bytes to send refused",
                      c->queued + len);
        return WB_ETOOBIG;
    }
    write_req *w = malloc(sizeof *w + len);
    if (!w) {
        charge(c, c->held, c->queued);
        wb_conn_close(c, WB_ENOMEM, "out of memory queueing %zu bytes", len);
        return WB_ENOMEM;
    }
    w->c = c;
    w->len = len;
    memcpy(w->data, data, len);
    uv_buf_t b = uv_buf_init((char *)w->data, (unsigned)len);
    int r = uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, on_write);
    if (r < 0) {
        free(w);
        charge(c, c->held, c->queued);
        wb_conn_close(c, WB_EIO, "write failed: %s", uv_strerror(r));
        return WB_ECLOSED;
    }
    c->pending++;
    c->queued += len;
    return 0;
}

int wb_conn_write(wb_conn *c, const void *data, size_t len) {
    if (c->state != WB_CONN_OPEN)
        return WB_ECLOSED;
    if (!len)
        return 0;
    if (!c->tls)
        return raw_write(c, data, len);
    int rc = wb_tls_write(c->tls, data, len);
    if (c->state != WB_CONN_OPEN) /* raw_write failed under the TLS output callback */
        return c->status == WB_ETOOBIG ? WB_ETOOBIG : WB_ECLOSED;
    if (rc < 0)
        wb_conn_close(c, rc, "TLS write failed");
    return rc;
}

int wb_conn_writable(const wb_conn *c) {
    return c->state == WB_CONN_OPEN;
}

void wb_conn_close_after_flush(wb_conn *c, int status, int linger, const char *fmt, ...) {
    if (c->state >= WB_CONN_DRAINING)
        return;
    va_list ap;
    va_start(ap, fmt);
    record(c, status, fmt, ap);
    va_end(ap);
    if (c->state == WB_CONN_CONNECTING) {
        close_now(c);
        return;
    }
    if (c->tls)
        wb_tls_shutdown(c->tls); /* close_notify, through raw_write */
    if (c->state >= WB_CONN_CLOSING)
        return;
    c->state = WB_CONN_DRAINING;
    c->linger = linger;
    snprintf(c->timeout_reason, sizeof c->timeout_reason, "peer did not read our last bytes");
    uv_timer_start(&c->timer, on_timer, DRAIN_TIMEOUT_MS, 0);
    if (c->queued == 0)
        drained(c);
}

/* ---- reading ------------------------------------------------------------------------------- */

static void tls_output(void *ud, const uint8_t *data, size_t len) {
    raw_write(ud, data, len);
}

static void tls_plain(void *ud, const uint8_t *data, size_t len) {
    wb_conn *c = ud;
    if (c->state == WB_CONN_OPEN && c->cb->on_data)
        c->cb->on_data(c, data, len);
}

static void tls_handshake(void *ud) {
    wb_conn *c = ud;
    WB_DEBUG("net", "%s: TLS %s, ALPN \"%s\"", c->peer, wb_tls_version(c->tls), wb_tls_alpn(c->tls));
    if (c->state == WB_CONN_CONNECTING) { /* a client: the server is who we asked for */
        c->state = WB_CONN_OPEN;
        if (c->cb->on_ready)
            c->cb->on_ready(c);
    }
}

static const wb_tls_callbacks tls_cbs = {tls_output, tls_plain, tls_handshake};

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
    wb_conn *c = h->data;
    if (!c->rbuf)
        c->rbuf = malloc(READ_BUF_SIZE);
    *buf = uv_buf_init((char *)c->rbuf, c->rbuf ? READ_BUF_SIZE : 0);
}

static void peer_finished(wb_conn *c) {
    if (c->state == WB_CONN_LINGER || c->state == WB_CONN_DRAINING) {
        close_now(c);
        return;
    }
    if (c->cb->on_eof)
        c->cb->on_eof(c);
    else
        wb_conn_close(c, WB_ECLOSED, "peer closed the connection");
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
    wb_conn *c = s->data;
    if (n == 0 || c->state >= WB_CONN_CLOSING)
        return;
    if (n == UV_ENOBUFS) {
        wb_conn_close(c, WB_ENOMEM, "out of memory for the read buffer");
        return;
    }
    if (n < 0) {
        if (n == UV_EOF)
            peer_finished(c);
        else
            wb_conn_close(c, WB_EIO, "read failed: %s", uv_strerror((int)n));
        return;
    }
    if (c->state == WB_CONN_LINGER)
        return; /* discarding until the peer closes */
    if (!c->tls) {
        if (c->state == WB_CONN_OPEN && c->cb->on_data)
            c->cb->on_data(c, (const uint8_t *)buf->base, (size_t)n);
        return;
    }
    wb_error err = {0};
    int rc = wb_tls_feed(c->tls, (const uint8_t *)buf->base, (size_t)n, &err);
    if (rc == WB_ECLOSED && c->state < WB_CONN_CLOSING)
        peer_finished(c);
    else if (rc < 0 && c->state < WB_CONN_CLOSING)
        /* the alert, if any, is queued: let it go out */
        wb_conn_close_after_flush(c, rc, 0, "%s", err.what);
}

static void start_reading(wb_conn *c) {
    int r = uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
    if (r < 0)
        wb_conn_close(c, WB_EIO, "cannot read: %s", uv_strerror(r));
}

void wb_conn_pause(wb_conn *c) {
    if (!c->paused && c->state < WB_CONN_CLOSING) {
        c->paused = 1;
        uv_read_stop((uv_stream_t *)&c->tcp);
    }
}

void wb_conn_resume(wb_conn *c) {
    if (c->paused && c->state < WB_CONN_CLOSING) {
        c->paused = 0;
        start_reading(c);
    }
}

/* ---- starting ------------------------------------------------------------------------------ */

static void fmt_addr(const struct sockaddr *sa, char *out, size_t cap) {
    char ip[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (sa->sa_family == AF_INET) {
        uv_ip4_name((const struct sockaddr_in *)sa, ip, sizeof ip);
        port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
        snprintf(out, cap, "%s:%d", ip, port);
    } else if (sa->sa_family == AF_INET6) {
        uv_ip6_name((const struct sockaddr_in6 *)sa, ip, sizeof ip);
        port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
        snprintf(out, cap, "[%s]:%d", ip, port);
    } else {
        snprintf(out, cap, "?");
    }
}

static void init_common(wb_conn *c, uv_loop_t *loop, size_t write_cap, const wb_conn_callbacks *cb,
                        void *owner) {
    static int sigpipe_ignored;
    if (!sigpipe_ignored) {
        /* a write to a socket the peer has closed must fail with EPIPE, not kill the process;
         * libuv leaves this to the program, and every program of ours wants it */
        signal(SIGPIPE, SIG_IGN);
        sigpipe_ignored = 1;
    }
    memset(c, 0, sizeof *c);
    c->owner = owner;
    c->loop = loop;
    c->cb = cb;
    c->write_cap = write_cap ? write_cap : WB_CONN_DEFAULT_WRITE_CAP;
    uv_tcp_init(loop, &c->tcp);
    uv_timer_init(loop, &c->timer);
    c->tcp.data = c;
    c->timer.data = c;
    c->gai.data = c;
    c->connect_req.data = c;
    c->pending = 2; /* the two handles */
}

void wb_conn_accept(wb_conn *c, uv_loop_t *loop, uv_stream_t *server, wb_tls_ctx *tls_ctx,
                    size_t write_cap, const wb_conn_callbacks *cb, void *owner) {
    init_common(c, loop, write_cap, cb, owner);
    c->state = WB_CONN_OPEN;
    int r = uv_accept(server, (uv_stream_t *)&c->tcp);
    if (r < 0) {
        wb_conn_close(c, WB_EIO, "accept failed: %s", uv_strerror(r));
        return;
    }
    struct sockaddr_storage ss;
    int len = sizeof ss;
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) == 0)
        fmt_addr((struct sockaddr *)&ss, c->peer, sizeof c->peer);
    uv_tcp_nodelay(&c->tcp, 1);
    if (tls_ctx && (r = wb_tls_new(&c->tls, tls_ctx, NULL, &tls_cbs, c)) < 0) {
        wb_conn_close(c, r, "cannot start TLS: %s", wb_strerror(r));
        return;
    }
    start_reading(c);
}

static void on_connect(uv_connect_t *req, int status) {
    wb_conn *c = req->data;
    c->pending--;
    if (c->state >= WB_CONN_CLOSING) {
        finish_if_quiet(c);
        return;
    }
    if (status < 0) {
        wb_conn_close(c, WB_EIO, "cannot connect to %s: %s", c->peer, uv_strerror(status));
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    uv_tcp_keepalive(&c->tcp, 1, 60); /* the kernel probes an idle peer too (clients only) */
    start_reading(c);
    if (c->state >= WB_CONN_CLOSING)
        return;
    if (c->tls) {
        wb_error err = {0};
        int rc = wb_tls_start(c->tls, &err); /* the ClientHello */
        if (rc < 0)
            wb_conn_close(c, rc, "%s", err.what);
        return;
    }
    c->state = WB_CONN_OPEN;
    if (c->cb->on_ready)
        c->cb->on_ready(c);
}

static void start_connect(wb_conn *c, const struct sockaddr *sa) {
    fmt_addr(sa, c->peer, sizeof c->peer);
    int r = uv_tcp_connect(&c->connect_req, &c->tcp, sa, on_connect);
    if (r < 0) {
        wb_conn_close(c, WB_EIO, "cannot connect to %s: %s", c->peer, uv_strerror(r));
        return;
    }
    c->pending++;
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res) {
    wb_conn *c = req->data;
    c->pending--;
    c->resolving = 0;
    if (c->state >= WB_CONN_CLOSING) {
        uv_freeaddrinfo(res);
        finish_if_quiet(c);
        return;
    }
    if (status < 0 || !res) {
        wb_conn_close(c, WB_EIO, "cannot resolve %s: %s", c->host, uv_strerror(status));
        uv_freeaddrinfo(res);
        return;
    }
    /* IPv4 first: these machines often lack an IPv6 route, and one attempt keeps it simple */
    struct addrinfo *pick = res;
    for (struct addrinfo *a = res; a; a = a->ai_next)
        if (a->ai_family == AF_INET) {
            pick = a;
            break;
        }
    start_connect(c, pick->ai_addr);
    uv_freeaddrinfo(res);
}

int wb_conn_connect(wb_conn *c, uv_loop_t *loop, const char *host, uint16_t port, int use_tls,
                    wb_tls_ctx *tls_ctx, size_t write_cap, const wb_conn_callbacks *cb,
                    void *owner) {
    if (!host || !*host || strlen(host) >= sizeof c->host || !port)
        return WB_EINVAL;
    wb_tls *tls = NULL;
    if (use_tls) { /* first, so that a bad host fails before any handle exists */
        wb_tls_ctx *own = NULL;
        int rc = tls_ctx ? 0 : wb_tls_ctx_new_client(&own, NULL, NULL);
        if (rc == 0)
            rc = wb_tls_new(&tls, tls_ctx ? tls_ctx : own, host, &tls_cbs, c);
        wb_tls_ctx_free(own); /* the connection holds its own reference */
        if (rc < 0)
            return rc;
    }
    init_common(c, loop, write_cap, cb, owner);
    c->state = WB_CONN_CONNECTING;
    c->tls = tls;
    snprintf(c->host, sizeof c->host, "%s", host);
    c->port = port;
    snprintf(c->peer, sizeof c->peer, "%s:%u", host, (unsigned)port);
    struct sockaddr_in a4;
    struct sockaddr_in6 a6;
    if (uv_ip4_addr(host, port, &a4) == 0) {
        start_connect(c, (const struct sockaddr *)&a4);
    } else if (uv_ip6_addr(host, port, &a6) == 0) {
        start_connect(c, (const struct sockaddr *)&a6);
    } else {
        char svc[8];
        snprintf(svc, sizeof svc, "%u", (unsigned)port);
        struct addrinfo hints = {0};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        int r = uv_getaddrinfo(loop, &c->gai, on_resolved, host, svc, &hints);
        if (r < 0) {
            wb_conn_close(c, WB_EIO, "cannot resolve %s: %s", host, uv_strerror(r));
        } else {
            c->pending++;
            c->resolving = 1;
        }
    }
    return 0;
}
