/* A TCP connection over libuv with optional TLS, a bounded write queue and one deadline timer:
 * the piece the HTTP server (http_server.c) and the websocket client (ws_client.c) share.
 * Internal to net/: other layers use those two. (HTTP as a client, for media, is libcurl's:
 * media/http.h.)
 *
 * The owner embeds a wb_conn, starts it with wb_conn_accept or wb_conn_connect, and gets
 * plaintext through on_data. Exactly one on_closed call ends every started connection, after
 * every libuv handle and request of it has finished, so the owner may free the memory there.
 *
 * Closing: wb_conn_close drops the connection now (queued writes are cancelled);
 * wb_conn_close_after_flush sends TLS close_notify, lets the write queue drain, shuts down the
 * sending side and, with linger, reads and discards until the peer closes (at most 2 s), so that
 * a final response (a 400 to a malformed request) is not destroyed by a TCP reset. The first
 * status and reason given are the ones reported (and logged) at the end.
 *
 * Backpressure: writes that cannot go out at once are queued up to write_queue_cap bytes; a
 * write beyond that closes the connection with WB_ETOOBIG ("peer too slow") instead of buffering
 * without bound. on_drained tells the owner when a queue that had to wait is empty again, so it
 * can stop producing while the peer does not read.
 *
 * Memory: with a budget (wb_conn_set_budget), what the connection holds - its write queue plus
 * what its owner declares with wb_conn_hold (unparsed input, a body) - is charged to the budget
 * beyond a free allowance of WB_CONN_FREE_BYTES per connection (so a small answer never waits for
 * the budget; the connection cap bounds the allowances). A write the budget refuses closes the
 * connection with WB_ETOOBIG; a refused hold is the owner's to answer. */
#ifndef WB_NET_CONN_H
#define WB_NET_CONN_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "core/budget.h"
#include "net/tls.h"

#define WB_CONN_DEFAULT_WRITE_CAP (64u * 1024 * 1024)
#define WB_CONN_FREE_BYTES (64u * 1024)

typedef struct wb_conn wb_conn;

typedef struct wb_conn_callbacks {
    /* Client: connected, and the TLS handshake (if any) finished. Server: not called. */
    void (*on_ready)(wb_conn *c);
    /* Plaintext from the peer. Not called once the connection is closing. */
    void (*on_data)(wb_conn *c, const uint8_t *data, size_t len);
    /* The peer finished sending (TCP FIN or TLS close_notify). NULL: close with WB_ECLOSED. */
    void (*on_eof)(wb_conn *c);
    /* The end: c->status (0 or negative) and c->reason say why. */
    void (*on_closed)(wb_conn *c);
    /* The write queue is empty again after a write had to wait (may be NULL). */
    void (*on_drained)(wb_conn *c);
    /* The deadline of wb_conn_set_timeout passed (c->timeout_reason says which): the owner
     * closes (with WB_ETIMEOUT, maybe after a last answer). NULL: closed with WB_ETIMEOUT. */
    void (*on_timeout)(wb_conn *c);
} wb_conn_callbacks;

enum { WB_CONN_CONNECTING, WB_CONN_OPEN, WB_CONN_DRAINING, WB_CONN_LINGER, WB_CONN_CLOSING, WB_CONN_CLOSED };

struct wb_conn {
    void *owner; /* the owner's pointer, untouched */
    uv_loop_t *loop;
    uv_tcp_t tcp;
    uv_timer_t timer;
    uv_getaddrinfo_t gai;
    uv_connect_t connect_req;
    uv_shutdown_t shutdown_req;
    wb_tls *tls; /* NULL for plain TCP */
    const wb_conn_callbacks *cb;
    int state;
    int pending; /* handles and requests still to report back before on_closed */
    int linger;
    int paused;
    int resolving; /* a getaddrinfo request is out */
    size_t queued; /* bytes handed to libuv and not yet written */
    size_t write_cap;
    wb_budget *budget; /* NULL: none */
    size_t held;       /* what the owner declared (wb_conn_hold) */
    size_t charged;    /* what is taken from the budget now */
    int status;         /* why it closed: 0, or a negative code */
    char reason[200];   /* a sentence, "" when nothing happened */
    char timeout_reason[120];
    char peer[64];      /* "127.0.0.1:5555" once known */
    char host[256];     /* client: the host connected to */
    uint16_t port;
    uint8_t *rbuf;
};

/* Accepts a pending connection from server (which has one, as libuv promised in its connection
 * callback), with TLS from tls_ctx when not NULL (borrowed for the call only). Never fails
 * synchronously: a failure is reported through on_closed. write_cap 0 means the default. */
void wb_conn_accept(wb_conn *c, uv_loop_t *loop, uv_stream_t *server, wb_tls_ctx *tls_ctx,
                    size_t write_cap, const wb_conn_callbacks *cb, void *owner);

/* Connects to host:port (a name, resolved asynchronously, or a numeric address), then, with
 * use_tls, runs a TLS handshake trusting tls_ctx (borrowed for the call only; NULL: the system's
 * roots) and checking that the certificate names host. Bound the time with wb_conn_set_timeout
 * right after. Returns 0 (then on_closed will be called) or WB_EINVAL/WB_ENOMEM/WB_ECRYPTO (then
 * nothing is called). */
int wb_conn_connect(wb_conn *c, uv_loop_t *loop, const char *host, uint16_t port, int use_tls,
                    wb_tls_ctx *tls_ctx, size_t write_cap, const wb_conn_callbacks *cb,
                    void *owner);

/* Charges what the connection holds to budget (borrowed; must outlive the connection). Call
 * right after wb_conn_accept or wb_conn_connect. */
void wb_conn_set_budget(wb_conn *c, wb_budget *budget);
/* The owner holds bytes for this connection now (its total, not a difference). Returns 0, or
 * WB_ETOOBIG when the budget cannot take it (the previous amount stays charged). */
int wb_conn_hold(wb_conn *c, size_t bytes);

/* Sends plaintext (encrypted first with TLS). Returns 0; WB_ECLOSED when not open; WB_ETOOBIG
 * when the write queue would pass write_cap or the budget (the connection is then closing). */
int wb_conn_write(wb_conn *c, const void *data, size_t len);

/* Closes now. status/reason are recorded unless an earlier close recorded its own. */
void wb_conn_close(wb_conn *c, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Closes once the queued bytes are written (see the header comment). */
void wb_conn_close_after_flush(wb_conn *c, int status, int linger, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Arms the deadline: after ms milliseconds (0 disarms) the connection closes with WB_ETIMEOUT
 * and the given reason. Re-arming restarts the clock. */
void wb_conn_set_timeout(wb_conn *c, unsigned ms, const char *reason);

/* Stops and restarts reading from the peer (for a server waiting on a handler). */
void wb_conn_pause(wb_conn *c);
void wb_conn_resume(wb_conn *c);

/* 1 while the connection can send (open, not closing). */
int wb_conn_writable(const wb_conn *c);

#endif
