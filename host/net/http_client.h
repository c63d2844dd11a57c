/* A one-shot HTTP/1.1 client over libuv, http:// and https://: one request, one answer, one
 * connection (Connection: close). wabot uses it for media upload and download; tests use it
 * against the server.
 *
 *     static void done(wb_http_fetch *f, int status, const wb_http_msg *res, const char *why) {
 *         if (status < 0) log(why);                  // transport failure: res is NULL
 *         else use(res->status, res->body, res->body_len);   // any HTTP answer, 404 included
 *         free(f);                                    // allowed: nothing touches f afterwards
 *     }
 *     wb_http_fetch *f = calloc(1, sizeof *f);
 *     wb_http_fetch_opts o = {.method = "POST", .url = url, .body = enc, .body_len = n,
 *                             .headers = h, .nheaders = 2, .tls = media_ca};
 *     if ((rc = wb_http_fetch_start(loop, f, &o, done)) < 0) free(f);   // done is never called
 *
 * After wb_http_fetch_start returns 0, the callback runs exactly once, after every handle is
 * closed. status is 0 with the parsed answer (valid during the callback only), or WB_ETIMEOUT,
 * WB_ECERT (https certificate rejected), WB_EIO (resolve/connect/read), WB_EPROTO (not HTTP),
 * WB_ETOOBIG (answer body over max_body), WB_ECLOSED (cancelled), with a sentence in why. */
#ifndef WB_NET_HTTP_CLIENT_H
#define WB_NET_HTTP_CLIENT_H

#include <stddef.h>
#include <uv.h>

#include "net/http.h"
#include "net/tls.h"

typedef struct wb_http_fetch wb_http_fetch;

typedef void (*wb_http_fetch_cb)(wb_http_fetch *f, int status, const wb_http_msg *res,
                                 const char *why);

struct wb_http_fetch {
    void *data;                      /* the caller's */
    struct wb_http_fetch_impl *impl_; /* private */
};

typedef struct wb_http_fetch_opts {
    const char *method;            /* NULL: "GET" */
    const char *url;               /* http:// or https:// */
    const wb_http_header *headers; /* extra request headers (Host and Content-Length are added) */
    size_t nheaders;
    const void *body;              /* copied; may be NULL */
    size_t body_len;
    wb_tls_ctx *tls;               /* trust for https://; NULL: the system's roots. Borrowed for
                                      the call only. */
    unsigned timeout_ms;           /* the whole exchange; 0: 60 s */
    size_t max_body;               /* the answer's body limit; 0: 64 MiB */
} wb_http_fetch_opts;

/* Starts the request. Returns 0 (cb will run) or, calling nothing: WB_EMALFORMED/
 * WB_EUNSUPPORTED (bad URL), WB_EINVAL (ws:// URL, bad method or header), WB_ECRYPTO, WB_ENOMEM. */
int wb_http_fetch_start(uv_loop_t *loop, wb_http_fetch *f, const wb_http_fetch_opts *opts,
                        wb_http_fetch_cb cb);

/* Abandons a running request: cb runs with WB_ECLOSED (unless it already finished). */
void wb_http_fetch_cancel(wb_http_fetch *f);

#endif
