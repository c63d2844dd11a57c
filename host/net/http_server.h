/* An HTTP/1.1 server over libuv, with websocket routes and optional TLS on the same port.
 *
 * The simulator serves its WhatsApp websocket (/ws/chat), its admin API and its media on one of
 * these (or media on a second one with a self-signed certificate). A typical setup:
 *
 *     wb_http_server srv;
 *     srv.data = sim;
 *     wb_http_server_opts o = {.tls = tls_ctx_or_NULL};
 *     wb_http_server_init(loop, &srv, &o);
 *     wb_http_server_ws_route(&srv, "/ws/chat", on_chat_accept, &chat_cbs, sim);
 *     wb_http_server_route(&srv, "GET", "/admin/info", on_info, sim);
 *     wb_http_server_route(&srv, "POST", "/admin/" "*", on_admin, sim);  // a prefix
 *     if ((rc = wb_http_server_listen(&srv, "127.0.0.1", port)) < 0) ...
 *     printf("listening on %d\n", wb_http_server_port(&srv));
 *     ...
 *     wb_http_server_close(&srv, on_server_closed);   // every connection ends, then the callback
 *
 *     static void on_info(wb_http_exchange *x, const wb_http_msg *req, void *ud) {
 *         wb_http_header h[] = {{"Content-Type", "application/json"}};
 *         wb_http_respond(x, 200, h, 1, json, strlen(json));    // now or later, exactly once
 *     }
 *     static int on_chat_accept(wb_ws *ws, const wb_http_msg *req, void *ud) {
 *         ws->data = new_session(ud, req);   // then messages arrive through chat_cbs
 *         return 0;                          // or an HTTP status to refuse (403...)
 *     }
 *
 * Requests: a route is a method (NULL: any) and a path (exact, or a prefix when it ends in '*');
 * the first registered match wins; no path match answers 404, a path match with the wrong method
 * 405. The request (head and whole decoded body, Content-Length or chunked) is parsed before the
 * handler runs; "Expect: 100-continue" is answered. A body the owner wants in pieces
 * (opts.stream_body: a media upload hashed and written as it arrives) is the exception: its
 * request reaches the handler at its head (req->body_follows) and the handler takes the body
 * with wb_http_exchange_read_body; such a body charges the budget nothing but its pieces in
 * flight, and is bounded by limits.max_streamed_body. Keep-alive and pipelining work: the next
 * request on a connection is read only after the current one is answered, and only while the
 * peer reads its answers. The per-connection logic is net/http_conn.h (sans-I/O, fuzzed).
 *
 * Misbehaving connections are closed with a logged reason and never affect others: a malformed
 * request gets 400 (413, 414, 431, 501, 505 as fits) and the connection closes after the answer
 * is delivered; websocket protocol errors close with 1002 (1009 for an oversized message); TLS
 * garbage is dropped; a peer that does not read is dropped once write_queue_cap bytes wait for
 * it.
 *
 * Deadlines: a request head must arrive whole within idle_timeout_ms of the accept or of the
 * previous answer; a body gets body_timeout_ms after its head plus one second per body_min_rate
 * bytes it brings, so trickling cannot hold a connection; a websocket that sends nothing for
 * ws_idle_timeout_ms is dropped, when set.
 *
 * Bounds, so that no one client can lock out the others (or the same client's next request):
 *   - max_connections in all; more are accepted and closed at once;
 *   - max_http_per_addr connections per remote address that are not websockets (requests, and
 *     upgrades not yet done): more from that address are closed at once;
 *   - max_ws_per_addr websockets per remote address: more upgrades are answered 503;
 *   - memory: what connections hold (bodies, unread input, write queues) is charged to a budget
 *     (the caller's, or one of max_buffered bytes); a body that does not fit is answered 503
 *     before it is read, a write that does not fit closes its connection (see conn.h); a body
 *     taken in pieces or an answer streamed from a source is charged only what is in flight.
 * Each cap reached is logged once (with the counts) until the count is below it again, and
 * reported to on_refused every time. */
#ifndef WB_NET_HTTP_SERVER_H
#define WB_NET_HTTP_SERVER_H

#include <stddef.h>
#include <uv.h>

#include "core/budget.h"
#include "net/http.h"
#include "net/tls.h"
#include "net/ws.h"

typedef struct wb_http_server wb_http_server;
typedef struct wb_http_exchange wb_http_exchange;

typedef struct wb_http_server_opts {
    wb_tls_ctx *tls;          /* a server context for HTTPS/wss on this port, or NULL; borrowed
                                 until the server's close callback */
    wb_http_limits limits;    /* zero fields: 16 KiB head, 100 headers, 64 MiB body */
    size_t max_ws_message;    /* 0: 16 MiB */
    size_t max_connections;   /* 0: 1024; more are accepted and closed at once */
    size_t max_http_per_addr; /* connections of one address that are not websockets; 0: 64 */
    size_t max_ws_per_addr;   /* websockets of one address; 0: 256 */
    size_t write_queue_cap;   /* per connection; 0: 64 MiB */
    wb_budget *budget;        /* shared memory budget (borrowed; must outlive the server), or
                                 NULL for one of the server's own of max_buffered bytes */
    size_t max_buffered;      /* 0: 256 MiB */
    unsigned idle_timeout_ms; /* a request's head must arrive within this of the previous answer
                                 (or the accept); 0: 60 s */
    unsigned body_timeout_ms; /* a body's time after its head, before its rate counts; 0: as
                                 idle_timeout_ms */
    size_t body_min_rate;     /* bytes per second that earn a body one more second; 0: 16 KiB */
    unsigned ws_idle_timeout_ms; /* a websocket that sends nothing for this long is dropped;
                                    0: never (Baileys sends no pings, only 30 s keepalive IQs) */
    /* A connection or request refused by a cap or ended by a deadline, for the caller's
     * counters: what is "connections", "http_per_address", "websockets_per_address",
     * "request_timeout" (a request, or a peer not reading its answers, cut off at its deadline;
     * not an idle keep-alive connection) or "websocket_idle"; peer is the address. May be
     * NULL. */
    void (*on_refused)(wb_http_server *s, const char *what, const char *peer);
    /* 1 when the body of the request whose head this is should be taken in pieces (see the top;
     * the handler then calls wb_http_exchange_read_body), 0 to have it buffered whole. NULL:
     * always buffered. */
    int (*stream_body)(wb_http_server *s, const wb_http_msg *head);
} wb_http_server_opts;

#define WB_HTTP_SERVER_DEFAULT_MAX_BODY (64u * 1024 * 1024)

/* A request handler. req (and its strings and body) stays valid until x is answered. */
typedef void (*wb_http_handler)(wb_http_exchange *x, const wb_http_msg *req, void *ud);
/* Decides on a websocket upgrade whose handshake was valid. Return 0 to accept (ws is then live:
 * set ws->data; the route's callbacks follow), or an HTTP status (400..599) to refuse. */
typedef int (*wb_ws_accept_fn)(wb_ws *ws, const wb_http_msg *req, void *ud);
typedef void (*wb_http_server_close_cb)(wb_http_server *s);

struct wb_http_server {
    void *data;                     /* the caller's */
    struct wb_http_server_impl *impl_; /* private */
};

/* Prepares s (the caller's memory). opts may be NULL. Returns 0 or WB_ENOMEM. */
int wb_http_server_init(uv_loop_t *loop, wb_http_server *s, const wb_http_server_opts *opts);

/* Adds a request route. method NULL matches any method; path ending in '*' is a prefix. Both are
 * copied. Returns 0, WB_EINVAL or WB_ENOMEM. */
int wb_http_server_route(wb_http_server *s, const char *method, const char *path,
                         wb_http_handler handler, void *ud);

/* Adds a websocket route: upgrade requests for exactly this path go through accept, then cb.
 * cb must outlive the server. Returns 0, WB_EINVAL or WB_ENOMEM. */
int wb_http_server_ws_route(wb_http_server *s, const char *path, wb_ws_accept_fn accept,
                            const wb_ws_callbacks *cb, void *ud);

/* Listens on ip:port (port 0: any free port). Returns 0, WB_EINVAL (bad address) or WB_EIO
 * (address in use...), with the reason logged. */
int wb_http_server_listen(wb_http_server *s, const char *ip, int port);
/* The port listened on, or 0. */
int wb_http_server_port(const wb_http_server *s);
/* Connections open now, and how many of them are websockets. */
size_t wb_http_server_connections(const wb_http_server *s, size_t *websockets);

/* Stops listening and ends every connection (websockets get a 1001 close frame); cb (may be
 * NULL) runs when all handles are closed, after which s may be freed. Exchanges not yet
 * answered stay valid until answered (the answer goes nowhere). Calling it twice is harmless. */
void wb_http_server_close(wb_http_server *s, wb_http_server_close_cb cb);

/* Answers the exchange: status, headers (no Content-Length or Connection: the server adds
 * them) and body, copied. Frees x, so it is called exactly once per exchange. Returns 0,
 * WB_ECLOSED (the connection is gone; x is freed anyway) or WB_EINVAL (a header that would
 * break the framing; a 500 is sent instead). For HEAD requests the body is not sent. */
int wb_http_respond(wb_http_exchange *x, int status, const wb_http_header *headers,
                    size_t nheaders, const void *body, size_t len);
/* Answers the exchange with a body of len bytes produced by src in pieces as the connection
 * drains (net/http.h): the first byte leaves at once and the connection holds one piece
 * (256 KiB), however big the body; a peer that takes none of it for idle_timeout_ms is cut off.
 * Content-Length is len; for HEAD nothing is read. Frees x. Returns 0, and src->done is then
 * called exactly once (0 when the body went out whole, negative when it was cut off); or a
 * negative code as wb_http_respond, and src->done is never called. */
int wb_http_respond_source(wb_http_exchange *x, int status, const wb_http_header *headers,
                           size_t nheaders, uint64_t len, const wb_http_body_source *src);
/* The pieces of a streamed body (req->body_follows): status 0 with data for each, then data
 * NULL and status 0 at its end, or data NULL and a negative status when it was cut off (the
 * peer went away or broke the framing, the body passed its deadline or limit): x is then
 * detached, and answering it only frees it. Never called after x was answered. */
typedef void (*wb_http_body_cb)(wb_http_exchange *x, const uint8_t *data, size_t len, int status,
                                void *ud);
/* Starts taking the body of a request whose body follows (req->body_follows): cb gets it as it
 * arrives, until its end. Answering before the end is allowed (an early refusal): the rest is
 * not read and the connection closes after the answer. Returns 0, WB_ESTATE (no body follows,
 * or it is taken already) or WB_ECLOSED (the connection is gone); on error cb is never called. */
int wb_http_exchange_read_body(wb_http_exchange *x, wb_http_body_cb cb, void *ud);
/* The client's address ("127.0.0.1:5555"), "" once the connection is gone. */
const char *wb_http_exchange_peer(const wb_http_exchange *x);
/* The server, or NULL once the connection is gone. */
wb_http_server *wb_http_exchange_server(const wb_http_exchange *x);

#endif
