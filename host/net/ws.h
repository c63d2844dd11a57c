/* WebSocket connections over libuv: the handle shared by both sides, and the client.
 *
 * A wb_ws carries binary messages (text messages are ignored, see ws_session.h) over ws:// or
 * wss://. Server-side handles are made by the HTTP server for its websocket routes
 * (http_server.h); client-side handles are the caller's memory, started by wb_ws_connect:
 *
 *     static void on_open(wb_ws *ws) { wb_ws_send(ws, hello, len); }
 *     static void on_message(wb_ws *ws, const uint8_t *p, size_t n) { ... }
 *     static void on_close(wb_ws *ws, int status, int code, const char *reason) { free(ws); }
 *     static const wb_ws_callbacks cbs = {on_open, on_message, on_close};
 *
 *     wb_ws *ws = calloc(1, sizeof *ws);
 *     ws->data = me;
 *     wb_http_header h[] = {{"Cache-Control", "no-cache"}, {"Pragma", "no-cache"}};
 *     wb_ws_connect_opts o = {.origin = "https://web.whatsapp.com", .headers = h, .nheaders = 2};
 *     if ((rc = wb_ws_connect(loop, ws, "wss://web.whatsapp.com/ws/chat", &o, &cbs)) < 0)
 *         free(ws);   // nothing will be called
 *
 * Contract, libuv style:
 *   - after wb_ws_connect returns 0, on_close is called exactly once, last; on_open comes before
 *     it if and only if the handshake succeeded; on_message only between the two;
 *   - the caller may free the handle inside on_close, or start it again there with
 *     wb_ws_connect (a reconnect); server-side handles are freed by the server right after
 *     on_close returns;
 *   - on_close's status is 0 when both close frames were exchanged, else the reason the connection
 *     ended (WB_ETIMEOUT, WB_ECERT, WB_EPROTO, WB_ETOOBIG, WB_EIO, WB_ECLOSED for a TCP close
 *     without a close frame...); code is the close code received (1005 when the frame had none),
 *     the code we sent when we failed the connection (1002, 1009), or 1006 when no close frame
 *     arrived; reason is a sentence for logs;
 *   - a peer that does not read is not buffered for without bound: a send that would queue more
 *     than write_queue_cap bytes drops the connection (WB_ETOOBIG). */
#ifndef WB_NET_WS_H
#define WB_NET_WS_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "net/http.h"
#include "net/tls.h"
#include "net/ws_session.h"

typedef struct wb_ws wb_ws;

typedef struct wb_ws_callbacks {
    /* Client: the handshake succeeded. Unused for server-side handles (the route's accept
     * callback plays its part). May be NULL. */
    void (*on_open)(wb_ws *ws);
    /* One complete binary message; data is valid during the call only. */
    void (*on_message)(wb_ws *ws, const uint8_t *data, size_t len);
    /* The end (see the contract above). */
    void (*on_close)(wb_ws *ws, int status, int code, const char *reason);
} wb_ws_callbacks;

struct wb_ws {
    void *data;                /* the caller's */
    struct wb_ws_impl *impl_;  /* private */
    char peer_[64];            /* private: the peer's address, kept for on_close's logs */
};

typedef struct wb_ws_connect_opts {
    const char *origin;             /* the Origin header, or NULL for none */
    const wb_http_header *headers;  /* more request headers (at most 16) */
    size_t nheaders;
    wb_tls_ctx *tls;                /* trust for wss://; NULL: the system's roots. Borrowed for the
                                       call only. */
    unsigned timeout_ms;            /* TCP connect + TLS + upgrade; 0: 20 s (as Baileys) */
    size_t max_message;             /* 0: 16 MiB */
    size_t write_queue_cap;         /* 0: 64 MiB */
} wb_ws_connect_opts;

/* Opens a websocket to url (ws:// or wss://). opts may be NULL. Returns 0, or (and then nothing
 * is ever called) WB_EMALFORMED/WB_EUNSUPPORTED for a bad URL, WB_EINVAL for an http(s) URL or
 * a header that would break the request, WB_ECRYPTO/WB_ENOMEM. */
int wb_ws_connect(uv_loop_t *loop, wb_ws *ws, const char *url, const wb_ws_connect_opts *opts,
                  const wb_ws_callbacks *cb);

/* Sends one binary message (copied). Returns 0; WB_ECLOSED before open, after a close was
 * started or after the connection ended; WB_ETOOBIG when the peer is too slow (the connection is
 * being dropped; on_close follows); WB_ENOMEM. */
int wb_ws_send(wb_ws *ws, const void *data, size_t len);

/* Sends a ping (payload up to 125 bytes); the pong is absorbed. Returns as wb_ws_send, or
 * WB_EINVAL. */
int wb_ws_ping(wb_ws *ws, const void *data, size_t len);

/* Starts the closing handshake with code (1000..1003, 1007..1011, 3000..4999) and an optional
 * reason (<= 123 bytes). The connection ends when the peer answers, or after 5 s. Before the
 * client handshake finished, it just drops the connection. Returns 0, WB_EINVAL, or WB_ECLOSED
 * when already closing (on_close is coming either way). */
int wb_ws_close(wb_ws *ws, int code, const char *reason);

/* Drops the connection at once, without a close frame (for fault injection, or a client that
 * gives up on a dead peer): on_close follows with WB_ECLOSED and code 1006. reason goes to the
 * log and to on_close. Returns 0, or WB_ECLOSED when already closed. */
int wb_ws_abort(wb_ws *ws, const char *reason);

/* Bytes accepted by wb_ws_send and not yet handed to the kernel, for callers that want to slow
 * down before write_queue_cap drops the connection. */
size_t wb_ws_buffered(const wb_ws *ws);

/* The peer's address ("127.0.0.1:5555"); still valid inside on_close. */
const char *wb_ws_peer(const wb_ws *ws);

#endif
