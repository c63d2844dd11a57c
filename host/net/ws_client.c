/* The websocket client (wb_ws_connect in ws.h): URL, TCP (and TLS for wss://), the upgrade
 * request with the caller's Origin and headers, the 101 check, then the shared websocket link.
 * wabot's client uses it for wss://web.whatsapp.com/ws/chat and the simulator's URLs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "net/url.h"
#include "net/ws_handshake.h"
#include "net/ws_link.h"

#define DEFAULT_TIMEOUT_MS 20000

typedef struct ws_client {
    wb_conn conn;
    wb_ws *ws;
    wb_http_parser parser; /* the server's answer to the upgrade */
    wb_buf request;
    char key[WB_WS_KEY_LEN + 1];
    int open;
} ws_client;

static void client_ready(wb_conn *c) {
    ws_client *cl = c->owner;
    /* connected (and TLS verified): ask for the upgrade */
    int rc = wb_conn_write(c, cl->request.data, cl->request.len);
    wb_buf_free(&cl->request);
    if (rc < 0)
        wb_conn_close(c, rc, "cannot send the upgrade request");
}

static void client_data(wb_conn *c, const uint8_t *data, size_t len) {
    ws_client *cl = c->owner;
    if (cl->open) {
        wb_ws_link_data(cl->ws, data, len);
        return;
    }
    size_t used;
    wb_error err = {0};
    int rc = wb_ws_handshake_client_feed(&cl->parser, cl->key, data, len, &used, &err);
    if (rc == WB_HTTP_MORE)
        return;
    if (rc < 0) {
        wb_conn_close(c, rc, "websocket handshake: %s", err.what);
        return;
    }
    wb_http_parser_free(&cl->parser);
    if ((rc = wb_ws_link_open(cl->ws)) < 0) {
        wb_conn_close(c, rc, "out of memory");
        return;
    }
    cl->open = 1;
    wb_conn_set_timeout(c, 0, NULL);
    WB_DEBUG("ws", "%s: websocket open", c->peer);
    wb_ws *ws = cl->ws;
    wb_ws_link_opened(ws);
    /* frames the server sent right behind its 101 */
    if (len > used && wb_conn_writable(c))
        wb_ws_link_data(ws, data + used, len - used);
}

static void client_eof(wb_conn *c) {
    ws_client *cl = c->owner;
    if (cl->open)
        wb_ws_link_eof(cl->ws);
    else
        wb_conn_close(c, WB_EPROTO, "server closed the connection during the websocket handshake");
}

static void client_closed(wb_conn *c) {
    ws_client *cl = c->owner;
    wb_ws *ws = cl->ws;
    int status = c->status;
    char reason[sizeof c->reason];
    snprintf(reason, sizeof reason, "%s", c->reason[0] ? c->reason : "closed");
    if (status < 0)
        WB_INFO("ws", "%s: websocket closed: %s", c->peer, reason);
    wb_http_parser_free(&cl->parser);
    wb_buf_free(&cl->request);
    wb_ws_link_finish(ws, status, reason); /* on_close may free ws, or reconnect with it */
    free(cl);
}

static const wb_conn_callbacks client_cbs = {client_ready, client_data, client_eof, client_closed,
                                              NULL, NULL};

int wb_ws_connect(uv_loop_t *loop, wb_ws *ws, const char *url, const wb_ws_connect_opts *opts,
                  const wb_ws_callbacks *cb) {
    static const wb_ws_connect_opts none = {0};
    const wb_ws_connect_opts *o = opts ? opts : &none;
    wb_url u;
    int rc = wb_url_parse(url, &u, NULL);
    if (rc < 0)
        return rc;
    if (!u.websocket)
        return WB_EINVAL;
    ws_client *cl = calloc(1, sizeof *cl);
    if (!cl)
        return WB_ENOMEM;
    cl->ws = ws;
    char host[WB_URL_HOST_MAX + 16];
    wb_ws_handshake_key(cl->key);
    if ((rc = wb_url_host_header(&u, host, sizeof host)) < 0 ||
        (rc = wb_ws_handshake_write_request(&cl->request, u.target, host, cl->key, o->origin,
                                            o->headers, o->nheaders)) < 0)
        goto fail;
    wb_http_parser_init(&cl->parser, WB_HTTP_RESPONSE, NULL);
    cl->parser.no_body = 1; /* a 101 has none; for anything else the status is all we need */
    if ((rc = wb_ws_link_new(ws, &cl->conn, WB_WS_CLIENT, o->max_message, cb)) < 0)
        goto fail;
    unsigned timeout = o->timeout_ms ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
    rc = wb_conn_connect(&cl->conn, loop, u.host, u.port, u.tls, o->tls, o->write_queue_cap,
                         &client_cbs, cl);
    if (rc < 0) {
        wb_ws_link_drop(ws);
        goto fail;
    }
    char why[160];
    snprintf(why, sizeof why, "websocket to %.80s did not open within %u ms", host, timeout);
    wb_conn_set_timeout(&cl->conn, timeout, why);
    return 0;
fail:
    wb_http_parser_free(&cl->parser);
    wb_buf_free(&cl->request);
    free(cl);
    return rc;
}
