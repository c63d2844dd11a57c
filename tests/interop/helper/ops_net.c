/* Helper ops for the transport: wabot's websocket (net/) and HTTP (media/) clients driven against servers
 * that a Node test runs (ws, https), and certificates from wabot's generator for those servers.
 * Each client op runs its own libuv loop until the exchange is over, then answers.
 *
 *   net_selfsigned {names:[...]}                       -> {cert, key}        (PEM text)
 *   net_ws_client  {url, ca?, origin?, headers?{}, messages:[b64], expect?, close_code?,
 *                   timeout_ms?}
 *       connects, sends every message, waits for `expect` messages back (default: as many as
 *       sent; -1: wait for the server to close), closes with close_code (default 1000)
 *       -> {opened, received:[b64], status, code, reason}
 *   net_fetch      {method?, url, ca?, headers?{}, body?(b64), timeout_ms?}
 *       one GET or POST through media's libcurl engine (media/http.h), the body handed out in
 *       pieces by its read callback; timeout_ms is the idle timeout
 *       -> {status, reason, http_status?, body?(b64), clean} */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "core/enc.h"
#include "core/err.h"
#include "helper.h"
#include "media/http.h"
#include "net/ws.h"

/* Headers from a JSON object {name: value}; the strings stay owned by the JSON. */
static size_t json_headers(const cJSON *req, wb_http_header *out, size_t cap) {
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(req, "headers");
    size_t n = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, h) {
        if (n < cap && cJSON_IsString(it))
            out[n++] = (wb_http_header){it->string, it->valuestring};
    }
    return n;
}

/* A client TLS context trusting the "ca" PEM, or NULL (system roots) when absent. */
static int json_trust(const cJSON *req, wb_tls_ctx **out, char *err, size_t errlen) {
    const char *ca = helper_get_str(req, "ca");
    *out = NULL;
    if (!ca)
        return 0;
    wb_error e = {0};
    if (wb_tls_ctx_new_client(out, ca, &e) < 0) {
        snprintf(err, errlen, "%s", e.what);
        return -1;
    }
    return 0;
}

static int op_selfsigned(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    const cJSON *names = cJSON_GetObjectItemCaseSensitive(req, "names");
    const char *list[16];
    size_t n = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, names) {
        if (n < 16 && cJSON_IsString(it))
            list[n++] = it->valuestring;
    }
    wb_buf cert = WB_BUF_INIT, key = WB_BUF_INIT;
    int rc = wb_tls_selfsigned(list, n, &cert, &key);
    if (rc == 0) {
        cJSON_AddStringToObject(resp, "cert", (const char *)cert.data);
        cJSON_AddStringToObject(resp, "key", (const char *)key.data);
    } else {
        snprintf(err, errlen, "wb_tls_selfsigned: %s", wb_strerror(rc));
    }
    wb_buf_free(&cert);
    wb_buf_free_secret(&key);
    return rc ? -1 : 0;
}

/* ---- websocket client ------------------------------------------------------------------------ */

typedef struct wsrun {
    wb_ws ws;
    const cJSON *messages;
    long expect;
    int close_code;
    int opened, closed, status, code;
    char reason[200];
    cJSON *received;
} wsrun;

static void run_open(wb_ws *ws) {
    wsrun *r = ws->data;
    r->opened = 1;
    const cJSON *it;
    cJSON_ArrayForEach(it, r->messages) {
        wb_buf b = WB_BUF_INIT;
        if (cJSON_IsString(it) &&
            wb_b64_decode(&b, it->valuestring, strlen(it->valuestring), WB_B64_STD) == 0)
            wb_ws_send(ws, b.data ? b.data : (const uint8_t *)"", b.len);
        wb_buf_free(&b);
    }
    if (r->expect == 0)
        wb_ws_close(ws, r->close_code, "helper done");
}

static void run_message(wb_ws *ws, const uint8_t *data, size_t len) {
    wsrun *r = ws->data;
    wb_buf b = WB_BUF_INIT;
    wb_b64_encode(&b, data, len, WB_B64_STD);
    wb_buf_put_u8(&b, 0);
    cJSON_AddItemToArray(r->received, cJSON_CreateString(b.data ? (const char *)b.data : ""));
    wb_buf_free(&b);
    if (r->expect > 0 && cJSON_GetArraySize(r->received) == r->expect)
        wb_ws_close(ws, r->close_code, "helper done");
}

static void run_close(wb_ws *ws, int status, int code, const char *reason) {
    wsrun *r = ws->data;
    r->closed = 1;
    r->status = status;
    r->code = code;
    snprintf(r->reason, sizeof r->reason, "%s", reason);
}

static const wb_ws_callbacks run_cbs = {run_open, run_message, run_close};

static int op_ws_client(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    const char *url = helper_get_str(req, "url");
    if (!url) {
        snprintf(err, errlen, "net_ws_client needs 'url'");
        return -1;
    }
    wb_tls_ctx *tls;
    if (json_trust(req, &tls, err, errlen) < 0)
        return -1;
    uv_loop_t loop;
    uv_loop_init(&loop);
    wsrun r = {0};
    r.ws.data = &r;
    r.messages = cJSON_GetObjectItemCaseSensitive(req, "messages");
    r.expect = (long)helper_get_num(req, "expect", cJSON_GetArraySize(r.messages));
    r.close_code = (int)helper_get_num(req, "close_code", 1000);
    r.received = cJSON_CreateArray();
    wb_http_header h[16];
    wb_ws_connect_opts o = {0};
    o.origin = helper_get_str(req, "origin");
    o.headers = h;
    o.nheaders = json_headers(req, h, 16);
    o.tls = tls;
    o.timeout_ms = (unsigned)helper_get_num(req, "timeout_ms", 10000);
    int rc = wb_ws_connect(&loop, &r.ws, url, &o, &run_cbs);
    wb_tls_ctx_free(tls);
    if (rc < 0) {
        snprintf(err, errlen, "wb_ws_connect: %s", wb_errname(rc));
        cJSON_Delete(r.received);
        uv_loop_close(&loop);
        return -1;
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    int left = uv_loop_close(&loop);
    cJSON_AddBoolToObject(resp, "opened", r.opened);
    cJSON_AddItemToObject(resp, "received", r.received);
    cJSON_AddStringToObject(resp, "status", wb_errname(r.status));
    cJSON_AddNumberToObject(resp, "code", r.code);
    cJSON_AddStringToObject(resp, "reason", r.reason);
    cJSON_AddBoolToObject(resp, "clean", r.closed && left == 0);
    return 0;
}

/* ---- HTTP client: media's libcurl engine (media/http.h) --------------------------------------- */

typedef struct fetchrun {
    wb_media_req r;
    wb_media_http *h;
    cJSON *resp;
    wb_buf up, down;
    size_t up_off;
    int done, closed;
} fetchrun;

static long long fetch_read(wb_media_req *r, uint8_t *buf, size_t cap) {
    fetchrun *f = r->data;
    size_t n = f->up.len - f->up_off < cap ? f->up.len - f->up_off : cap;
    memcpy(buf, f->up.data + f->up_off, n);
    f->up_off += n;
    return (long long)n;
}

static int fetch_write(wb_media_req *r, const uint8_t *data, size_t len) {
    return wb_buf_append(&((fetchrun *)r->data)->down, data, len);
}

static void fetch_closed(void *ud) { ((fetchrun *)ud)->closed = 1; }

static void fetch_cb(wb_media_req *r, int status, int http_status, const char *why) {
    fetchrun *f = r->data;
    f->done = 1;
    wb_media_http_close(f->h, fetch_closed, f); /* allowed from a request's callback */
    cJSON_AddStringToObject(f->resp, "status", wb_errname(status));
    cJSON_AddStringToObject(f->resp, "reason", why);
    if (status < 0)
        return;
    cJSON_AddNumberToObject(f->resp, "http_status", http_status);
    helper_put_bytes(f->resp, "body", f->down.data ? f->down.data : (const uint8_t *)"",
                     f->down.len);
}


static int op_fetch(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    fetchrun f = {0};
    f.r.data = &f;
    f.resp = resp;
    const char *method = helper_get_str(req, "method");
    if (cJSON_GetObjectItemCaseSensitive(req, "body") && helper_get_bytes(req, "body", &f.up) < 0) {
        snprintf(err, errlen, "net_fetch: 'body' is not base64");
        return -1;
    }
    /* "Name: value" lines from the headers object */
    char lines[16][512];
    const char *headers[16];
    size_t nh = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(req, "headers")) {
        if (nh < 16 && cJSON_IsString(it)) {
            snprintf(lines[nh], sizeof lines[nh], "%s: %s", it->string, it->valuestring);
            headers[nh] = lines[nh];
            nh++;
        }
    }
    int post = method && !strcmp(method, "POST");
    wb_media_req_opts o = {.method = method, .url = helper_get_str(req, "url"),
                           .headers = headers, .nheaders = nh, .body_len = f.up.len,
                           .read = post ? fetch_read : NULL, .write = fetch_write};
    uv_loop_t loop;
    uv_loop_init(&loop);
    wb_media_http_opts ho = {.ca_pem = helper_get_str(req, "ca"),
                             .idle_ms = (unsigned)helper_get_num(req, "timeout_ms", 20000)};
    int rc = wb_media_http_new(&f.h, &loop, &ho);
    if (rc == 0 && (rc = o.url ? wb_media_http_start(f.h, &f.r, &o, fetch_cb) : WB_EINVAL) < 0) {
        snprintf(err, errlen, "wb_media_http_start: %s", wb_errname(rc));
        wb_media_http_close(f.h, fetch_closed, &f);
    } else if (rc < 0) {
        snprintf(err, errlen, "wb_media_http_new: %s", wb_errname(rc));
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    wb_buf_free(&f.up);
    wb_buf_free(&f.down);
    if (rc < 0) {
        uv_loop_close(&loop);
        return -1;
    }
    cJSON_AddBoolToObject(resp, "clean", f.done && f.closed && uv_loop_close(&loop) == 0);
    return 0;
}

const wb_helper_op helper_ops_net[] = {
    {"net_selfsigned", op_selfsigned},
    {"net_ws_client", op_ws_client},
    {"net_fetch", op_fetch},
    {NULL, NULL},
};
