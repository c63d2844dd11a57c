/* libcurl's multi interface on a libuv loop (http.h).
 *
 * libcurl tells us which sockets to watch (socket_cb) and when to call it back (timer_cb); we
 * watch with uv_poll and uv_timer and call curl_multi_socket_action from their callbacks. Both
 * of libcurl's callbacks only arm or disarm handles: they never call back into libcurl.
 * Finished transfers are read with curl_multi_info_read after curl_multi_socket_action has
 * returned, taken out of the multi handle, and their callbacks run from there; a cancel only
 * marks the transfer and arms the `later` timer, whose callback does the same from outside
 * libcurl. So nothing is freed while libcurl is on the stack. */
#include "media/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "media/curl_api.h"

#define DEFAULT_IDLE_MS 30000
#define DEFAULT_CONNECT_MS 30000
#define DEFAULT_MAX_BODY (64ull << 20)
#define WHY_MAX 256

typedef struct wb_media_req_impl impl;

struct wb_media_http {
    uv_loop_t *loop;
    CURLM *multi;
    uv_timer_t timer;     /* libcurl's timeout */
    uv_timer_t later;     /* cancels and closing, outside libcurl */
    char *ca;             /* PEM, or NULL */
    size_t ca_len;
    unsigned idle_s, connect_ms;
    impl *active;         /* requests in the multi handle */
    impl *done, **done_tail; /* finished, callbacks not yet run */
    size_t nactive;
    int holds;            /* wb_media_http_hold */
    int delivering;
    int closing;
    int handles;          /* open libuv handles (timers and polls), for the close */
    void (*on_closed)(void *ud);
    void *closed_ud;
};

struct wb_media_req_impl {
    wb_media_http *h;
    wb_media_req *r;
    wb_media_req_cb cb;
    impl *next, **prev;   /* in h->active */
    CURL *easy;
    struct curl_slist *headers;
    long long (*read)(wb_media_req *r, uint8_t *buf, size_t cap);
    int (*write)(wb_media_req *r, const uint8_t *data, size_t len);
    void (*progress)(wb_media_req *r, uint64_t done, uint64_t total);
    uint64_t max_body, got;
    int post;
    long http;            /* the answer's status, once known */
    int abort;            /* a negative code: end the transfer with it */
    int status;           /* the final one */
    char why[WHY_MAX];
    size_t nwhy;          /* bytes of a non-2xx body kept in why */
    char errbuf[CURL_ERROR_SIZE];
};

typedef struct sock {
    uv_poll_t poll;
    curl_socket_t fd;
    wb_media_http *h;
} sock;

/* ---- libuv handles ------------------------------------------------------------------------- */

static void maybe_closed(wb_media_http *h);

static void handle_closed(uv_handle_t *hd) {
    wb_media_http *h = hd->data;
    if (hd->type == UV_POLL)
        free(hd); /* a sock: its poll is its first member */
    h->handles--;
    maybe_closed(h);
}

/* ---- finishing requests ---------------------------------------------------------------------- */

static int status_of(impl *t, CURLcode code) {
    if (t->abort)
        return t->abort;
    switch (code) {
    case CURLE_OK:
        return 0;
    case CURLE_OPERATION_TIMEDOUT:
        return WB_ETIMEOUT;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
        return WB_ECERT;
    case CURLE_FILESIZE_EXCEEDED:
        return WB_ETOOBIG;
    case CURLE_URL_MALFORMAT:
        return WB_EMALFORMED;
    case CURLE_UNSUPPORTED_PROTOCOL:
        return WB_EUNSUPPORTED;
    case CURLE_OUT_OF_MEMORY:
        return WB_ENOMEM;
    default:
        return WB_EIO;
    }
}

/* Takes t out of the multi handle and queues its callback. Never from inside libcurl. */
static void finish(impl *t, CURLcode code) {
    wb_media_http *h = t->h;
    t->status = status_of(t, code);
    if (t->status == 0 && t->http && (t->http < 200 || t->http > 299)) {
        t->why[t->nwhy] = '\0'; /* the body's start says why */
    } else if (t->status == WB_ETIMEOUT && code == CURLE_OPERATION_TIMEDOUT) {
        snprintf(t->why, sizeof t->why, "%s", t->errbuf[0] ? t->errbuf : "timed out");
    } else if (t->status < 0 && !t->abort) {
        snprintf(t->why, sizeof t->why, "%s", t->errbuf[0] ? t->errbuf : wb_curl->easy_strerror(code));
    } else if (t->status == WB_ECLOSED) {
        snprintf(t->why, sizeof t->why, "cancelled");
    } else if (t->status < 0 && !t->why[0]) {
        snprintf(t->why, sizeof t->why, "%s", wb_strerror(t->status));
    } else if (t->status == 0) {
        t->why[0] = '\0';
    }
    wb_curl->multi_remove_handle(h->multi, t->easy);
    wb_curl->easy_cleanup(t->easy);
    t->easy = NULL;
    wb_curl->slist_free_all(t->headers);
    t->headers = NULL;
    *t->prev = t->next;
    if (t->next)
        t->next->prev = t->prev;
    h->nactive--;
    t->next = NULL;
    *h->done_tail = t;
    h->done_tail = &t->next;
}

/* Runs the queued callbacks, one at a time (a callback may start or cancel requests). */
static void deliver(wb_media_http *h) {
    if (h->delivering)
        return;
    h->delivering = 1;
    while (h->done) {
        impl *t = h->done;
        h->done = t->next;
        if (!h->done)
            h->done_tail = &h->done;
        wb_media_req *r = t->r;
        r->impl_ = NULL;
        t->cb(r, t->status, t->status == 0 ? (int)t->http : 0, t->why);
        free(t);
    }
    h->delivering = 0;
    maybe_closed(h);
}

static void check_done(wb_media_http *h) {
    CURLMsg *m;
    int left;
    while ((m = wb_curl->multi_info_read(h->multi, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        impl *t = NULL;
        wb_curl->easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&t);
        CURLcode code = m->data.result;
        if (t) {
            wb_curl->easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &t->http);
            finish(t, code);
        }
    }
    deliver(h);
}

/* Ends the transfers marked aborted by a cancel or the close. */
static void reap_aborted(wb_media_http *h) {
    for (impl *t = h->active, *next; t; t = next) {
        next = t->next;
        if (t->abort == WB_ECLOSED)
            finish(t, CURLE_ABORTED_BY_CALLBACK);
    }
}

/* ---- libcurl's callbacks into us ------------------------------------------------------------ */

static void on_poll(uv_poll_t *p, int status, int events) {
    sock *s = (sock *)p;
    wb_media_http *h = s->h;
    int flags = status < 0 ? CURL_CSELECT_ERR
                           : ((events & UV_READABLE) ? CURL_CSELECT_IN : 0) |
                                 ((events & UV_WRITABLE) ? CURL_CSELECT_OUT : 0);
    int running;
    wb_curl->multi_socket_action(h->multi, s->fd, flags, &running);
    check_done(h);
}

static int socket_cb(CURL *easy, curl_socket_t fd, int what, void *ud, void *sockp) {
    wb_media_http *h = ud;
    sock *s = sockp;
    if (what == CURL_POLL_REMOVE) {
        if (s) {
            uv_poll_stop(&s->poll);
            uv_close((uv_handle_t *)&s->poll, handle_closed);
            wb_curl->multi_assign(h->multi, fd, NULL);
        }
        return 0;
    }
    if (!s) {
        if (!(s = calloc(1, sizeof *s)))
            return -1;
        if (uv_poll_init_socket(h->loop, &s->poll, fd) < 0) {
            free(s);
            return -1;
        }
        s->fd = fd;
        s->h = h;
        s->poll.data = h;
        h->handles++;
        wb_curl->multi_assign(h->multi, fd, s);
    }
    int events = (what == CURL_POLL_IN || what == CURL_POLL_INOUT ? UV_READABLE : 0) |
                 (what == CURL_POLL_OUT || what == CURL_POLL_INOUT ? UV_WRITABLE : 0);
    return uv_poll_start(&s->poll, events, on_poll) < 0 ? -1 : 0;
}

static void on_timer(uv_timer_t *tm) {
    wb_media_http *h = tm->data;
    int running;
    wb_curl->multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_done(h);
}

static int timer_cb(CURLM *multi, long timeout_ms, void *ud) {
    wb_media_http *h = ud;
    if (timeout_ms < 0)
        uv_timer_stop(&h->timer);
    else
        uv_timer_start(&h->timer, on_timer, (uint64_t)timeout_ms, 0);
    return 0;
}

static void on_later(uv_timer_t *tm) {
    wb_media_http *h = tm->data;
    reap_aborted(h);
    deliver(h);
}

/* ---- a transfer's callbacks ------------------------------------------------------------------ */

static size_t read_cb(char *buf, size_t size, size_t n, void *ud) {
    impl *t = ud;
    if (t->abort)
        return CURL_READFUNC_ABORT;
    long long got = t->read(t->r, (uint8_t *)buf, size * n);
    if (got < 0 || (size_t)got > size * n) {
        t->abort = got < 0 ? (int)got : WB_EINVAL;
        return CURL_READFUNC_ABORT;
    }
    return (size_t)got;
}

static size_t write_cb(char *data, size_t size, size_t n, void *ud) {
    impl *t = ud;
    size_t len = size * n;
    if (t->abort)
        return 0; /* anything but len fails the transfer */
    if (!t->http)
        wb_curl->easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &t->http);
    if (t->http < 200 || t->http > 299) { /* an error page: keep its start for why */
        size_t room = sizeof t->why - 1 - t->nwhy;
        size_t take = len < room ? len : room;
        for (size_t i = 0; i < take; i++) { /* printable only: it goes to logs */
            unsigned char c = (unsigned char)data[i];
            t->why[t->nwhy++] = c >= 32 && c < 127 ? (char)c : ' ';
        }
        return len;
    }
    t->got += len;
    if (t->got > t->max_body) {
        t->abort = WB_ETOOBIG;
        snprintf(t->why, sizeof t->why, "the answer is longer than %llu bytes",
                 (unsigned long long)t->max_body);
        return 0;
    }
    int rc = t->write ? t->write(t->r, (const uint8_t *)data, len) : 0;
    if (rc < 0) {
        t->abort = rc;
        return 0;
    }
    return len;
}

static int progress_cb(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow) {
    impl *t = ud;
    if (t->abort)
        return 1;
    if (t->progress) {
        if (t->post)
            t->progress(t->r, (uint64_t)ulnow, (uint64_t)ultotal);
        else
            t->progress(t->r, (uint64_t)dlnow, (uint64_t)dltotal);
    }
    return 0;
}

/* ---- the engine ------------------------------------------------------------------------------- */

int wb_media_http_new(wb_media_http **out, uv_loop_t *loop, const wb_media_http_opts *o) {
    int rc = wb_curl_load();
    if (rc < 0)
        return rc;
    wb_media_http *h = calloc(1, sizeof *h);
    if (!h)
        return WB_ENOMEM;
    if (o && o->ca_pem) {
        h->ca_len = strlen(o->ca_pem);
        if (!(h->ca = strdup(o->ca_pem))) {
            free(h);
            return WB_ENOMEM;
        }
    }
    if (!(h->multi = wb_curl->multi_init())) {
        free(h->ca);
        free(h);
        return WB_ECRYPTO;
    }
    unsigned idle = o && o->idle_ms ? o->idle_ms : DEFAULT_IDLE_MS;
    h->idle_s = (idle + 999) / 1000;
    h->connect_ms = o && o->connect_ms ? o->connect_ms : DEFAULT_CONNECT_MS;
    h->loop = loop;
    h->done_tail = &h->done;
    wb_curl->multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
    wb_curl->multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
    wb_curl->multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    wb_curl->multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
    uv_timer_init(loop, &h->timer);
    uv_timer_init(loop, &h->later);
    h->timer.data = h->later.data = h;
    h->handles = 2;
    *out = h;
    return 0;
}

uv_loop_t *wb_media_http_loop(const wb_media_http *h) { return h->loop; }
size_t wb_media_http_active(const wb_media_http *h) { return h->nactive; }
void wb_media_http_hold(wb_media_http *h) { h->holds++; }

void wb_media_http_release(wb_media_http *h) {
    h->holds--;
    maybe_closed(h);
}

/* The close, once every request has ended: libcurl's connections (their sockets' polls close
 * through socket_cb), then our timers; on_closed when the last handle has closed. */
static void maybe_closed(wb_media_http *h) {
    if (!h->closing || h->nactive || h->done || h->delivering || h->holds)
        return;
    if (h->multi) {
        CURLM *m = h->multi;
        wb_curl->multi_cleanup(m); /* may call socket_cb with CURL_POLL_REMOVE */
        h->multi = NULL;
        uv_close((uv_handle_t *)&h->timer, handle_closed);
        uv_close((uv_handle_t *)&h->later, handle_closed);
        return;
    }
    if (h->handles == 0) {
        void (*cb)(void *) = h->on_closed;
        void *ud = h->closed_ud;
        free(h->ca);
        free(h);
        if (cb)
            cb(ud);
    }
}

void wb_media_http_close(wb_media_http *h, void (*on_closed)(void *ud), void *ud) {
    if (h->closing)
        return;
    h->closing = 1;
    h->on_closed = on_closed;
    h->closed_ud = ud;
    for (impl *t = h->active; t; t = t->next)
        if (!t->abort)
            t->abort = WB_ECLOSED;
    uv_timer_start(&h->later, on_later, 0, 0); /* never from inside the caller's call */
}

/* ---- requests ---------------------------------------------------------------------------------- */

/* http:// or https://, parsed as libcurl will: 0, WB_EMALFORMED or WB_EUNSUPPORTED. */
static int check_url(const char *url) {
    CURLU *u = wb_curl->url();
    if (!u)
        return WB_ENOMEM;
    char *scheme = NULL;
    int rc = wb_curl->url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
                     wb_curl->url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK
                 ? WB_EMALFORMED
                 : strcmp(scheme, "http") && strcmp(scheme, "https") ? WB_EUNSUPPORTED : 0;
    wb_curl->free(scheme);
    wb_curl->url_cleanup(u);
    return rc;
}

int wb_media_http_start(wb_media_http *h, wb_media_req *r, const wb_media_req_opts *o,
                        wb_media_req_cb cb) {
    int post = o->method && strcmp(o->method, "GET") != 0;
    if (!o->url || !cb || (post && (strcmp(o->method, "POST") != 0 || !o->read)))
        return WB_EINVAL;
    for (size_t i = 0; i < o->nheaders; i++)
        if (!o->headers[i] || strpbrk(o->headers[i], "\r\n"))
            return WB_EINVAL;
    if (h->closing)
        return WB_ECLOSED;
    int rc = check_url(o->url);
    if (rc < 0)
        return rc;
    impl *t = calloc(1, sizeof *t);
    if (!t || !(t->easy = wb_curl->easy_init())) {
        free(t);
        return WB_ENOMEM;
    }
    t->h = h;
    t->r = r;
    t->cb = cb;
    t->read = o->read;
    t->write = o->write;
    t->progress = o->progress;
    t->max_body = o->max_body ? o->max_body : DEFAULT_MAX_BODY;
    t->post = post;
    struct curl_slist *hl = wb_curl->slist_append(NULL, "Expect:"); /* no 100-continue round trip */
    for (size_t i = 0; hl && i < o->nheaders; i++) {
        struct curl_slist *n = wb_curl->slist_append(hl, o->headers[i]);
        if (!n) {
            wb_curl->slist_free_all(hl);
            hl = NULL;
        }
        hl = n;
    }
    t->headers = hl;
    CURL *e = t->easy;
    int ok = hl != NULL;
    ok = ok && wb_curl->easy_setopt(e, CURLOPT_URL, o->url) == CURLE_OK;
    ok = ok && wb_curl->easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
    wb_curl->easy_setopt(e, CURLOPT_PRIVATE, t);
    wb_curl->easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    wb_curl->easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
    wb_curl->easy_setopt(e, CURLOPT_HTTPHEADER, hl);
    wb_curl->easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
    wb_curl->easy_setopt(e, CURLOPT_WRITEDATA, t);
    wb_curl->easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
    wb_curl->easy_setopt(e, CURLOPT_XFERINFOFUNCTION, progress_cb);
    wb_curl->easy_setopt(e, CURLOPT_XFERINFODATA, t);
    wb_curl->easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)h->connect_ms);
    wb_curl->easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L); /* the idle timeout: < 1 byte/s ... */
    wb_curl->easy_setopt(e, CURLOPT_LOW_SPEED_TIME, (long)h->idle_s); /* ... for idle_s seconds */
    wb_curl->easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)t->max_body);
    /* 256 KiB pieces each way instead of 16/64 KiB: a sixteenth of the callbacks and system
     * calls for a large file, for a quarter of a MiB per transfer */
    wb_curl->easy_setopt(e, CURLOPT_BUFFERSIZE, 256L * 1024);
    wb_curl->easy_setopt(e, CURLOPT_UPLOAD_BUFFERSIZE, 256L * 1024);
    if (post) {
        wb_curl->easy_setopt(e, CURLOPT_POST, 1L);
        wb_curl->easy_setopt(e, CURLOPT_READFUNCTION, read_cb);
        wb_curl->easy_setopt(e, CURLOPT_READDATA, t);
        wb_curl->easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)o->body_len);
    }
    if (h->ca) {
        struct curl_blob blob = {h->ca, h->ca_len, CURL_BLOB_COPY};
        ok = ok && wb_curl->easy_setopt(e, CURLOPT_CAINFO_BLOB, &blob) == CURLE_OK;
        /* exactly these certificates: not the system's bundle beside them */
        wb_curl->easy_setopt(e, CURLOPT_CAINFO, NULL);
        wb_curl->easy_setopt(e, CURLOPT_CAPATH, NULL);
    }
    if (!ok || wb_curl->multi_add_handle(h->multi, e) != CURLM_OK) {
        wb_curl->easy_cleanup(e);
        wb_curl->slist_free_all(t->headers);
        free(t);
        return WB_ENOMEM;
    }
    t->next = h->active;
    if (h->active)
        h->active->prev = &t->next;
    t->prev = &h->active;
    h->active = t;
    h->nactive++;
    r->impl_ = t;
    return 0;
}

void wb_media_http_cancel(wb_media_req *r) {
    impl *t = r->impl_;
    if (!t || !t->easy || t->abort)
        return; /* finished (its callback is queued or has run), or already ending */
    t->abort = WB_ECLOSED;
    uv_timer_start(&t->h->later, on_later, 0, 0);
}
