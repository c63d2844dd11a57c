/* HTTP(S) for media: libcurl's multi interface driven by a libuv loop (libcurl's multi-uv
 * example: CURLMOPT_SOCKETFUNCTION watches each socket with a uv_poll, CURLMOPT_TIMERFUNCTION
 * arms a uv_timer, and both call curl_multi_socket_action). Bodies stream both ways through
 * callbacks, so an upload or download of any size holds only libcurl's buffers (16 KiB in,
 * 64 KiB out) and whatever the caller keeps.
 *
 *     wb_media_http *h;
 *     wb_media_http_new(&h, loop, &(wb_media_http_opts){.ca_pem = pem});
 *
 *     static void done(wb_media_req *r, int status, int http_status, const char *why) {
 *         // status 0: an HTTP answer (any http_status; a non-2xx one's body start is in why)
 *         free(r);                                  // allowed: nothing touches r afterwards
 *     }
 *     wb_media_req *r = calloc(1, sizeof *r);
 *     wb_media_req_opts o = {.url = url, .write = on_body};
 *     if ((rc = wb_media_http_start(h, r, &o, done)) < 0) free(r);   // done is never called
 *     ...
 *     wb_media_http_close(h, on_closed, ud);        // running requests end with WB_ECLOSED
 *
 * Every started request ends in exactly one call of its callback, from a loop callback, never
 * from inside wb_media_http_start, wb_media_http_cancel or a body callback, and never while
 * libcurl is in the middle of a call: easy handles are removed and freed only after
 * curl_multi_socket_action has returned. Failures: WB_ETIMEOUT (no byte moved for idle_ms, or
 * no connection in connect_ms), WB_ECERT (the server's certificate is not trusted), WB_EIO
 * (resolve, connect, send, receive), WB_ETOOBIG (an answer body over max_body), WB_ECLOSED
 * (cancelled, or the engine closed), or the negative code a body callback returned; why says it
 * in a sentence. There is no total timeout: a slow but moving transfer of a large file is not
 * cut short. Redirects are not followed. */
#ifndef WB_MEDIA_HTTP_H
#define WB_MEDIA_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "core/err.h"

typedef struct wb_media_http wb_media_http;

typedef struct wb_media_http_opts {
    const char *ca_pem;  /* PEM certificates to trust for https:// instead of the system's
                            (a simulator's mediaCert); copied. NULL: the system's roots */
    unsigned idle_ms;    /* a transfer where no byte moved for this long fails; 0: 30 s.
                            Rounded up to whole seconds (libcurl's low-speed check) */
    unsigned connect_ms; /* connecting (TCP and TLS) may take this long; 0: 30 s */
} wb_media_http_opts;

/* Makes an engine on loop. Returns 0 and *out, or WB_ENOMEM / WB_ECRYPTO (libcurl would not
 * start). */
int wb_media_http_new(wb_media_http **out, uv_loop_t *loop, const wb_media_http_opts *o);
/* Ends every running request (their callbacks run with WB_ECLOSED), closes the engine's libuv
 * handles, then calls on_closed(ud) (may be NULL) and frees the engine. Starting requests is
 * refused from now on. */
void wb_media_http_close(wb_media_http *h, void (*on_closed)(void *ud), void *ud);
uv_loop_t *wb_media_http_loop(const wb_media_http *h);
/* Keeps a closing engine alive while work of the caller's that will end in a request (or in
 * its refusal with WB_ECLOSED) is pending off the loop: the close finishes only once every hold
 * has been released. wb_media_http_release may finish the close (and free h). */
void wb_media_http_hold(wb_media_http *h);
void wb_media_http_release(wb_media_http *h);
/* How many requests are running. */
size_t wb_media_http_active(const wb_media_http *h);

typedef struct wb_media_req wb_media_req;

/* A request's callbacks (all get the request; r->data is the caller's). */
typedef void (*wb_media_req_cb)(wb_media_req *r, int status, int http_status, const char *why);

typedef struct wb_media_req_opts {
    const char *method;         /* "GET" (NULL) or "POST" */
    const char *url;            /* http:// or https:// */
    const char *const *headers; /* extra request lines, "Name: value" */
    size_t nheaders;
    /* POST: the body, body_len bytes exactly, asked for in pieces: read fills up to cap bytes
     * of buf and returns how many (0 only at the end), or a negative code that ends the request
     * with it. */
    uint64_t body_len;
    long long (*read)(wb_media_req *r, uint8_t *buf, size_t cap);
    /* A 2xx answer's body in pieces; 0, or a negative code that ends the request with it.
     * NULL: the body is dropped. */
    int (*write)(wb_media_req *r, const uint8_t *data, size_t len);
    uint64_t max_body;          /* the longest answer body taken; 0: 64 MiB */
    /* Bytes moved so far, up (POST) or down (GET), and the total when known (else 0). */
    void (*progress)(wb_media_req *r, uint64_t done, uint64_t total);
} wb_media_req_opts;

/* Caller-owned; keep it alive and unmoved until its callback has run. */
struct wb_media_req {
    void *data;                      /* the caller's */
    struct wb_media_req_impl *impl_; /* private */
};

/* Starts a request. Returns 0 (cb will run exactly once) or, calling nothing: WB_EINVAL (a
 * method other than GET/POST, POST without read, a header with CR/LF), WB_EMALFORMED (not a
 * URL), WB_EUNSUPPORTED (a scheme other than http/https), WB_ECLOSED (the engine is closing),
 * WB_ENOMEM. */
int wb_media_http_start(wb_media_http *h, wb_media_req *r, const wb_media_req_opts *o,
                        wb_media_req_cb cb);
/* Ends a running request: its callback runs (later, from the loop) with WB_ECLOSED, unless it
 * finished first. A no-op for a request that already completed. */
void wb_media_http_cancel(wb_media_req *r);

#endif
