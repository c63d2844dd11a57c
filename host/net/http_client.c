/* The one-shot HTTP client (see http_client.h): connect, TLS for https, write the request, parse
 * the answer (Content-Length, chunked or until close), report once everything is closed. */
#include "net/http_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "net/conn.h"
#include "net/url.h"

#define DEFAULT_TIMEOUT_MS 60000
#define DEFAULT_MAX_BODY (64u * 1024 * 1024)

struct wb_http_fetch_impl {
    wb_conn conn;
    wb_http_fetch *f;
    wb_http_fetch_cb cb;
    wb_buf request;
    wb_http_parser parser;
    int done; /* the answer is complete */
};

static void fetch_ready(wb_conn *c) {
    struct wb_http_fetch_impl *x = c->owner;
    int rc = wb_conn_write(c, x->request.data, x->request.len);
    wb_buf_free(&x->request);
    if (rc < 0)
        wb_conn_close(c, rc, "cannot send the request");
}

static void fetch_data(wb_conn *c, const uint8_t *data, size_t len) {
    struct wb_http_fetch_impl *x = c->owner;
    if (x->done)
        return; /* bytes after the answer: ignored */
    wb_error err = {0};
    int rc = wb_http_answer_feed(&x->parser, data, len, &err);
    if (rc == WB_HTTP_DONE) {
        x->done = 1;
        wb_conn_close(c, 0, "answer complete");
    } else if (rc < 0) {
        wb_conn_close(c, rc, "bad HTTP answer from %s: %s", c->peer, err.what);
    }
}

static void fetch_eof(wb_conn *c) {
    struct wb_http_fetch_impl *x = c->owner;
    wb_error err = {0};
    if (wb_http_answer_eof(&x->parser, &err) == WB_HTTP_DONE) {
        x->done = 1;
        wb_conn_close(c, 0, "answer complete");
    } else {
        wb_conn_close(c, WB_EPROTO, "%s closed the connection before answering: %s", c->peer,
                      err.what);
    }
}

static void fetch_closed(wb_conn *c) {
    struct wb_http_fetch_impl *x = c->owner;
    wb_http_fetch *f = x->f;
    wb_http_fetch_cb cb = x->cb;
    int status = x->done ? 0 : (c->status < 0 ? c->status : WB_EPROTO);
    char why[sizeof c->reason];
    snprintf(why, sizeof why, "%s", c->reason[0] ? c->reason : "connection closed");
    wb_http_msg res = {0};
    if (x->done)
        wb_http_parser_take(&x->parser, &res);
    else
        WB_INFO("http", "request to %s failed: %s", c->peer, why);
    wb_http_parser_free(&x->parser);
    wb_buf_free(&x->request);
    free(x);
    f->impl_ = NULL;
    cb(f, status, status == 0 ? &res : NULL, why);
    wb_http_msg_free(&res);
}

static const wb_conn_callbacks fetch_cbs = {fetch_ready, fetch_data, fetch_eof, fetch_closed, NULL,
                                             NULL};

int wb_http_fetch_start(uv_loop_t *loop, wb_http_fetch *f, const wb_http_fetch_opts *o,
                        wb_http_fetch_cb cb) {
    wb_url u;
    int rc;
    if (!o || !o->url || !cb)
        return WB_EINVAL;
    if ((rc = wb_url_parse(o->url, &u, NULL)) < 0)
        return rc;
    if (u.websocket)
        return WB_EINVAL;
    struct wb_http_fetch_impl *x = calloc(1, sizeof *x);
    if (!x)
        return WB_ENOMEM;
    x->f = f;
    x->cb = cb;
    const char *method = o->method ? o->method : "GET";
    char host[WB_URL_HOST_MAX + 16];
    enum { MAXH = 32 };
    wb_http_header h[MAXH + 1];
    if (o->nheaders > MAXH) {
        rc = WB_EINVAL;
        goto fail;
    }
    if (o->nheaders)
        memcpy(h, o->headers, o->nheaders * sizeof *h);
    size_t nh = o->nheaders;
    int has_conn = 0;
    for (size_t i = 0; i < nh; i++)
        has_conn |= h[i].name && strcasecmp(h[i].name, "connection") == 0;
    if (!has_conn)
        h[nh++] = (wb_http_header){"Connection", "close"};
    if ((rc = wb_url_host_header(&u, host, sizeof host)) < 0 ||
        (rc = wb_http_write_request(&x->request, method, u.target, host, h, nh,
                                    o->body, o->body_len)) < 0)
        goto fail;
    wb_http_limits lim = {0, 0, o->max_body ? o->max_body : DEFAULT_MAX_BODY};
    wb_http_parser_init(&x->parser, WB_HTTP_RESPONSE, &lim);
    x->parser.no_body = strcmp(method, "HEAD") == 0;
    unsigned timeout = o->timeout_ms ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
    rc = wb_conn_connect(&x->conn, loop, u.host, u.port, u.tls, o->tls, 0, &fetch_cbs, x);
    if (rc < 0)
        goto fail;
    char why[160];
    snprintf(why, sizeof why, "%s %.80s took over %u ms", method, host, timeout);
    wb_conn_set_timeout(&x->conn, timeout, why);
    f->impl_ = x;
    return 0;
fail:
    wb_http_parser_free(&x->parser);
    wb_buf_free(&x->request);
    free(x);
    return rc;
}

void wb_http_fetch_cancel(wb_http_fetch *f) {
    if (f->impl_)
        wb_conn_close(&f->impl_->conn, WB_ECLOSED, "cancelled");
}
