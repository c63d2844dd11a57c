/* wb_echo_server: a small server on wabot's transport (net/http_server.h), for the interop tests
 * (tests/interop/transport.test.mjs) that drive it with Node's ws, https and fetch.
 *
 *   wb_echo_server [--tls] [--port N] [--max-message BYTES] [--write-cap BYTES]
 *
 * Prints one JSON line when listening: {"port":N,"tls":true,"cert":"-----BEGIN..."} (the cert is
 * a fresh self-signed one for 127.0.0.1/localhost/echo.test, for the client to trust), then serves
 * until SIGTERM/SIGINT, when it closes every connection and exits 0 (1 if anything was left).
 *
 * Routes:
 *   websocket /ws/chat   echoes binary messages; "header?NAME" answers the value of that header
 *                        in the upgrade request; "close:CODE" makes the server close with CODE
 *   GET  /hello          "hello"
 *   POST /echo           the body back (Content-Length or chunked in, Content-Length out)
 *   POST /sha256         hex SHA-256 of the body and its length: "HEX LEN"
 *   GET  /blob?size=N    N bytes: byte i is (i*31 + (i>>12)) & 0xff
 *   GET  /stats          JSON counters */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uv.h>

#include "core/enc.h"
#include "core/log.h"
#include "crypto/random.h"
#include "net/http_server.h"

typedef struct app {
    uv_loop_t *loop;
    wb_http_server srv;
    uv_signal_t sigterm, sigint;
    unsigned long requests, ws_opened, ws_closed, ws_messages;
} app;

typedef struct peer {
    app *a;
    wb_buf headers; /* the upgrade request's headers, "name\0value\0" pairs, for "header?" */
} peer;

static const char *peer_header(const peer *p, const char *name) {
    for (size_t off = 0; off < p->headers.len;) {
        const char *n = (const char *)p->headers.data + off, *v = n + strlen(n) + 1;
        if (strcasecmp(n, name) == 0)
            return v;
        off = (size_t)(v + strlen(v) + 1 - (const char *)p->headers.data);
    }
    return NULL;
}

static void on_hello(wb_http_exchange *x, const wb_http_msg *req, void *ud) {
    ((app *)ud)->requests++;
    wb_http_header h[] = {{"Content-Type", "text/plain"}};
    wb_http_respond(x, 200, h, 1, "hello", 5);
}

static void on_echo(wb_http_exchange *x, const wb_http_msg *req, void *ud) {
    ((app *)ud)->requests++;
    char n[32];
    snprintf(n, sizeof n, "%zu", req->body_len);
    wb_http_header h[] = {{"Content-Type", "application/octet-stream"}, {"X-Body-Length", n},
                          {"X-Chunked", req->chunked ? "1" : "0"}};
    wb_http_respond(x, 200, h, 3, req->body, req->body_len);
}

static void on_sha256(wb_http_exchange *x, const wb_http_msg *req, void *ud) {
    ((app *)ud)->requests++;
    uint8_t md[32];
    unsigned mdlen = 0;
    EVP_Digest(req->body ? req->body : (const uint8_t *)"", req->body_len, md, &mdlen, EVP_sha256(), NULL);
    wb_buf hex = WB_BUF_INIT;
    wb_hex_encode(&hex, md, mdlen);
    char tail[40];
    int n = snprintf(tail, sizeof tail, " %zu", req->body_len);
    wb_buf_append(&hex, tail, (size_t)n);
    wb_http_respond(x, 200, NULL, 0, hex.data, hex.len);
    wb_buf_free(&hex);
}

static void on_blob(wb_http_exchange *x, const wb_http_msg *req, void *ud) {
    ((app *)ud)->requests++;
    wb_buf v = WB_BUF_INIT;
    size_t n = 0;
    if (wb_http_query_get(req->query, "size", &v) == 1 && wb_buf_put_u8(&v, 0) == 0)
        n = strtoul((const char *)v.data, NULL, 10);
    wb_buf_free(&v);
    if (n > 64u << 20) {
        wb_http_respond(x, 400, NULL, 0, "too big", 7);
        return;
    }
    uint8_t *p = malloc(n ? n : 1);
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 31 + (i >> 12));
    wb_http_respond(x, 200, NULL, 0, p, n);
    free(p);
}

static void on_stats(wb_http_exchange *x, const wb_http_msg *req, void *ud) {
    app *a = ud;
    char body[256];
    int n = snprintf(body, sizeof body,
                     "{\"requests\":%lu,\"ws_opened\":%lu,\"ws_closed\":%lu,\"ws_messages\":%lu}",
                     a->requests, a->ws_opened, a->ws_closed, a->ws_messages);
    wb_http_header h[] = {{"Content-Type", "application/json"}};
    wb_http_respond(x, 200, h, 1, body, (size_t)n);
}

static int ws_accept(wb_ws *ws, const wb_http_msg *req, void *ud) {
    app *a = ud;
    peer *p = calloc(1, sizeof *p);
    if (!p)
        return 503;
    p->a = a;
    for (size_t i = 0; i < req->nheaders; i++) {
        wb_buf_append(&p->headers, req->headers[i].name, strlen(req->headers[i].name) + 1);
        wb_buf_append(&p->headers, req->headers[i].value, strlen(req->headers[i].value) + 1);
    }
    ws->data = p;
    a->ws_opened++;
    return 0;
}

static void ws_message(wb_ws *ws, const uint8_t *data, size_t len) {
    peer *p = ws->data;
    p->a->ws_messages++;
    if (len > 7 && len < 200 && memcmp(data, "header?", 7) == 0) {
        char name[200];
        memcpy(name, data + 7, len - 7);
        name[len - 7] = 0;
        const char *v = peer_header(p, name);
        wb_ws_send(ws, v ? v : "", v ? strlen(v) : 0);
    } else if (len > 6 && len < 20 && memcmp(data, "close:", 6) == 0) {
        char num[20];
        memcpy(num, data + 6, len - 6);
        num[len - 6] = 0;
        wb_ws_close(ws, atoi(num), "asked to close");
    } else {
        wb_ws_send(ws, data, len);
    }
}

static void ws_close(wb_ws *ws, int status, int code, const char *reason) {
    peer *p = ws->data;
    if (!p)
        return;
    p->a->ws_closed++;
    fprintf(stderr, "wb_echo_server: websocket %s closed: status %s, code %d: %s\n", wb_ws_peer(ws),
            wb_errname(status), code, reason);
    wb_buf_free(&p->headers);
    free(p);
}

static const wb_ws_callbacks ws_cbs = {NULL, ws_message, ws_close};

static void on_server_closed(wb_http_server *s) {
    app *a = s->data;
    uv_close((uv_handle_t *)&a->sigterm, NULL);
    uv_close((uv_handle_t *)&a->sigint, NULL);
}

static void on_signal(uv_signal_t *sig, int signum) {
    app *a = sig->data;
    uv_signal_stop(&a->sigterm);
    uv_signal_stop(&a->sigint);
    wb_http_server_close(&a->srv, on_server_closed);
}

static void json_string(const char *s) {
    putchar('"');
    for (; *s; s++) {
        if (*s == '\n')
            fputs("\\n", stdout);
        else if (*s == '"' || *s == '\\')
            printf("\\%c", *s);
        else
            putchar(*s);
    }
    putchar('"');
}

int main(int argc, char **argv) {
    int tls = 0, port = 0;
    wb_http_server_opts o = {0};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--tls"))
            tls = 1;
        else if (!strcmp(argv[i], "--port") && i + 1 < argc)
            port = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--max-message") && i + 1 < argc)
            o.max_ws_message = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--write-cap") && i + 1 < argc)
            o.write_queue_cap = strtoul(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "usage: wb_echo_server [--tls] [--port N] [--max-message B] [--write-cap B]\n");
            return 2;
        }
    }
    if (wb_crypto_init() < 0)
        return 1;
    const char *level = getenv("WABOT_LOG");
    wb_log_set_level(level && wb_log_parse_level(level) >= 0 ? (wb_log_level)wb_log_parse_level(level) : WB_LOG_INFO);
    app a = {0};
    a.loop = uv_default_loop();
    wb_buf cert = WB_BUF_INIT, key = WB_BUF_INIT;
    wb_tls_ctx *ctx = NULL;
    if (tls) {
        const char *names[] = {"echo.test"};
        wb_error err = {0};
        if (wb_tls_selfsigned(names, 1, &cert, &key) < 0 ||
            wb_tls_ctx_new_server(&ctx, (const char *)cert.data, (const char *)key.data, &err) < 0) {
            fprintf(stderr, "wb_echo_server: TLS setup failed: %s\n", err.what);
            return 1;
        }
        o.tls = ctx;
    }
    o.limits.max_body = 32u << 20;
    if (wb_http_server_init(a.loop, &a.srv, &o) < 0)
        return 1;
    a.srv.data = &a;
    wb_http_server_ws_route(&a.srv, "/ws/chat", ws_accept, &ws_cbs, &a);
    wb_http_server_route(&a.srv, "GET", "/hello", on_hello, &a);
    wb_http_server_route(&a.srv, "POST", "/echo", on_echo, &a);
    wb_http_server_route(&a.srv, "POST", "/sha256", on_sha256, &a);
    wb_http_server_route(&a.srv, "GET", "/blob", on_blob, &a);
    wb_http_server_route(&a.srv, "GET", "/stats", on_stats, &a);
    if (wb_http_server_listen(&a.srv, "127.0.0.1", port) < 0)
        return 1;
    uv_signal_init(a.loop, &a.sigterm);
    uv_signal_init(a.loop, &a.sigint);
    a.sigterm.data = a.sigint.data = &a;
    uv_signal_start(&a.sigterm, on_signal, SIGTERM);
    uv_signal_start(&a.sigint, on_signal, SIGINT);
    printf("{\"port\":%d,\"tls\":%s", wb_http_server_port(&a.srv), tls ? "true" : "false");
    if (tls) {
        printf(",\"cert\":");
        json_string((const char *)cert.data);
    }
    printf("}\n");
    fflush(stdout);
    uv_run(a.loop, UV_RUN_DEFAULT);
    wb_tls_ctx_free(ctx);
    wb_buf_free(&cert);
    wb_buf_free_secret(&key);
    int left = uv_loop_close(a.loop);
    fprintf(stderr, "wb_echo_server: stopped (%s)\n", left ? "handles left open" : "clean");
    return left ? 1 : 0;
}
