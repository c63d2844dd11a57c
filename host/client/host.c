/* The client's libuv host (host.h). Every socket or timer callback calls the client, then
 * re-arms the timer to the client's next deadline. The client never sees libuv: it asks for a
 * socket (io.connect), and a socket's end always comes back through wb_client_on_close from a
 * loop callback, never from inside the client's own call. The media engine (host/media) is made
 * at the first transfer (media_host.c) and closed with the rest at the stop. */
#include "client/host.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "core/log.h"
#include "media/http.h"
#include "net/tls.h"
#include "net/ws.h"

struct wb_client_host {
    uv_loop_t *loop;
    wb_client *c;
    char *url;
    wb_tls_ctx *tls;             /* NULL: the process's system-roots context */
    char *media_ca;              /* PEM for the media engine, or NULL */
    wb_media_http *media;        /* made at the first media transfer */
    wb_client_host_event_fn on_event;
    void *ud;
    uv_timer_t timer;
    uv_timer_t later;            /* a socket that failed to start: its end, on the next turn */
    wb_ws *ws;                   /* the current socket, or NULL */
    int ws_open;
    int stopping;
    int closing_handles;         /* the timers are being closed: arm no more */
    int to_close;                /* handles and engines still closing */
    void (*on_stopped)(void *ud);
    void *stopped_ud;
};

uint64_t wb_client_host_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static wb_tls_ctx *system_tls(void) {
    static wb_tls_ctx *ctx; /* one per process, made on first use; the loop's thread only */
    if (!ctx && wb_tls_ctx_new_client(&ctx, NULL, NULL) < 0)
        ctx = NULL;
    return ctx;
}

static void maybe_stopped(wb_client_host *h);

/* ---- the clock -------------------------------------------------------------------------------- */

static void on_timer(uv_timer_t *t);

static void arm(wb_client_host *h) {
    if (h->closing_handles)
        return;
    uint64_t d = wb_client_deadline(h->c), now = wb_client_host_now();
    if (d == UINT64_MAX) {
        uv_timer_stop(&h->timer);
        return;
    }
    uv_timer_start(&h->timer, on_timer, d > now ? d - now : 0, 0);
}

static void on_timer(uv_timer_t *t) {
    wb_client_host *h = t->data;
    wb_client_tick(h->c, wb_client_host_now());
    arm(h);
}

void wb_client_host_kick(wb_client_host *h) { arm(h); }

/* ---- the socket ------------------------------------------------------------------------------- */

static void ws_open(wb_ws *ws) {
    wb_client_host *h = ws->data;
    h->ws_open = 1;
    wb_client_on_open(h->c, wb_client_host_now());
    arm(h);
}

static void ws_message(wb_ws *ws, const uint8_t *data, size_t len) {
    wb_client_host *h = ws->data;
    wb_client_feed(h->c, data, len, wb_client_host_now());
    arm(h);
}

static void ws_close(wb_ws *ws, int status, int code, const char *reason) {
    wb_client_host *h = ws->data;
    free(ws);
    h->ws = NULL;
    h->ws_open = 0;
    WB_DEBUG("client", "socket closed (%s, close code %d): %s", wb_strerror(status), code,
             reason ? reason : "");
    wb_client_on_close(h->c, wb_client_host_now(), reason);
    arm(h);
    maybe_stopped(h);
}

static const wb_ws_callbacks ws_cbs = {ws_open, ws_message, ws_close};

static void on_later(uv_timer_t *t) {
    wb_client_host *h = t->data;
    wb_client_on_close(h->c, wb_client_host_now(), "cannot open a websocket");
    arm(h);
    maybe_stopped(h);
}

static void io_connect(void *ud) {
    wb_client_host *h = ud;
    wb_ws *ws = calloc(1, sizeof *ws);
    int rc = WB_ENOMEM;
    if (ws) {
        ws->data = h;
        /* the headers whatsmeow sends; Baileys sends the same Origin */
        static const wb_http_header headers[] = {{"Cache-Control", "no-cache"},
                                                 {"Pragma", "no-cache"}};
        /* the system's roots only for wss://: loading them costs ~1 MB of RSS and milliseconds
         * that a ws:// connection (a local simulator) has no use for */
        int wss = strncmp(h->url, "wss://", 6) == 0;
        wb_ws_connect_opts o = {.origin = "https://web.whatsapp.com", .headers = headers,
                                .nheaders = 2,
                                .tls = h->tls ? h->tls : wss ? system_tls() : NULL};
        rc = wb_ws_connect(h->loop, ws, h->url, &o, &ws_cbs);
    }
    if (rc < 0) {
        WB_WARN("client", "cannot open a websocket to %s: %s", h->url, wb_strerror(rc));
        free(ws);
        uv_timer_start(&h->later, on_later, 0, 0); /* never from inside the client's call */
        return;
    }
    h->ws = ws;
}

static int io_send(void *ud, const uint8_t *data, size_t len) {
    wb_client_host *h = ud;
    return h->ws && h->ws_open ? wb_ws_send(h->ws, data, len) : WB_ECLOSED;
}

static void io_close(void *ud, int abort, const char *why) {
    wb_client_host *h = ud;
    if (!h->ws)
        return; /* a socket still starting ends through on_later or ws_close */
    if (abort || !h->ws_open)
        wb_ws_abort(h->ws, why);
    else
        wb_ws_close(h->ws, 1000, NULL);
}

static void io_event(void *ud, const wb_client_event *ev) {
    wb_client_host *h = ud;
    if (h->on_event)
        h->on_event(h->ud, h->c, ev);
#ifdef __GLIBC__
    /* Once logged in with the backlog processed, a process usually sits idle for hours: what
     * the login (812 prekeys made at the first one) and the backlog's batches freed goes back to
     * the system instead of staying in glibc's heap (about 1 MB of an idle process's RSS). */
    if (ev->type == WB_CLIENT_EV_BACKLOG_DONE)
        malloc_trim(0);
#endif
}

static uint64_t io_now(void *ud) { return wb_client_host_now(); }

static const wb_client_io host_io = {io_connect, io_send, io_close, io_event, io_now};

/* ---- life ------------------------------------------------------------------------------------- */

int wb_client_host_new(wb_client_host **out, uv_loop_t *loop, const wb_client_config *cfg,
                       const wb_client_host_opts *opts, wb_client_host_event_fn on_event,
                       void *ud) {
    const char *url = opts && opts->url ? opts->url : WB_CLIENT_DEFAULT_URL;
    if (strncmp(url, "ws://", 5) != 0 && strncmp(url, "wss://", 6) != 0)
        return WB_EINVAL;
    wb_client_host *h = calloc(1, sizeof *h);
    if (!h || !(h->url = strdup(url))) {
        free(h);
        return WB_ENOMEM;
    }
    h->loop = loop;
    h->on_event = on_event;
    h->ud = ud;
    int rc = 0;
    if (opts && opts->media_ca_pem && !(h->media_ca = strdup(opts->media_ca_pem)))
        rc = WB_ENOMEM;
    if (rc == 0 && opts && opts->ca_pem)
        rc = wb_tls_ctx_new_client(&h->tls, opts->ca_pem, NULL);
    else if (strncmp(url, "wss://", 6) == 0 && !system_tls())
        rc = WB_ECRYPTO;
    if (rc == 0)
        rc = wb_client_new(&h->c, cfg, &host_io, h);
    if (rc < 0) {
        wb_tls_ctx_free(h->tls);
        free(h->media_ca);
        free(h->url);
        free(h);
        return rc;
    }
    uv_timer_init(loop, &h->timer);
    uv_timer_init(loop, &h->later);
    h->timer.data = h->later.data = h;
    *out = h;
    return 0;
}

int wb_client_host_start(wb_client_host *h) {
    int rc = wb_client_start(h->c, wb_client_host_now());
    arm(h);
    return rc;
}

wb_client *wb_client_host_client(wb_client_host *h) { return h->c; }

static void one_closed(wb_client_host *h) {
    if (--h->to_close == 0 && h->on_stopped)
        h->on_stopped(h->stopped_ud);
}

static void handle_closed(uv_handle_t *handle) { one_closed(handle->data); }

static void media_closed(void *ud) {
    wb_client_host *h = ud;
    h->media = NULL;
    one_closed(h);
}

static void maybe_stopped(wb_client_host *h) {
    if (!h->stopping || h->ws || h->closing_handles)
        return;
    h->closing_handles = 1;
    h->to_close = 2 + (h->media != NULL);
    uv_timer_stop(&h->timer);
    uv_close((uv_handle_t *)&h->timer, handle_closed);
    uv_close((uv_handle_t *)&h->later, handle_closed);
    if (h->media) /* transfers still running end with WB_ECLOSED */
        wb_media_http_close(h->media, media_closed, h);
}

wb_media_http *wb_client_host_media_http(wb_client_host *h) {
    if (!h->media && !h->stopping) {
        wb_media_http_opts o = {.ca_pem = h->media_ca};
        if (wb_media_http_new(&h->media, h->loop, &o) < 0)
            h->media = NULL;
    }
    return h->stopping ? NULL : h->media;
}

void wb_client_host_stop(wb_client_host *h, void (*on_stopped)(void *ud), void *ud) {
    if (h->stopping)
        return;
    h->stopping = 1;
    h->on_stopped = on_stopped;
    h->stopped_ud = ud;
    wb_client_stop(h->c, wb_client_host_now());
    maybe_stopped(h);
}

void wb_client_host_free(wb_client_host *h) {
    if (!h)
        return;
    wb_client_free(h->c);
    wb_tls_ctx_free(h->tls);
    free(h->media_ca);
    free(h->url);
    free(h);
}
