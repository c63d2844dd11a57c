/* wabot sim: a WhatsApp Web server and phone simulator that real clients (Baileys, whatsmeow,
 * wabot) accept. It plays the server and every account's phone: Noise responder with its own
 * certificate root, registration and login, QR and pairing-code linking with the real ADV and
 * pairing cryptography, prekeys, usync, presence, delivery with per-device offline queues, an
 * admin API over HTTP, a stanza log and counters.
 *
 * The simulator core is sans-I/O: the host (server.c binds it to net/'s libuv HTTP and websocket
 * server; tests and fuzz targets drive it from memory) hands it each socket's bytes and HTTP
 * requests, and it answers through the wb_sim_io callbacks and wb_sim_reply:
 *
 *     wb_sim *sim;
 *     wb_sim_new(&sim, &(wb_sim_opts){.state_dir = dir}, &err);
 *     wb_sim_set_io(sim, &(wb_sim_io){my_send, my_close, my_fault});
 *     wb_sim_conn *c; wb_sim_conn_new(sim, sock, "127.0.0.1:5555", &c);   // per websocket
 *     wb_sim_conn_feed(c, bytes, n);            // every binary websocket message
 *     wb_sim_conn_free(c);                      // when the socket has closed
 *     wb_sim_http(sim, &req, &reply);           // every other HTTP request
 *     wb_sim_free(sim);
 *
 * One thread: every call comes from the host's loop, never concurrently. */
#ifndef WB_SIM_SIM_H
#define WB_SIM_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "net/http.h"

typedef struct wb_sim wb_sim;
typedef struct wb_sim_conn wb_sim_conn;

typedef struct wb_sim_opts {
    /* Directory for the database (sim.db: root key, accounts, devices, keys, queues), made
     * 0700 when missing. NULL: everything in memory, gone at exit. */
    const char *state_dir;
    /* File that receives one line per stanza (both directions) and per connection event, key
     * bytes elided; "-" for stderr; NULL for none. */
    const char *stanza_log;
    /* Unix time in milliseconds; NULL: the system clock. For tests. */
    uint64_t (*clock)(void *ud);
    void *clock_ud;
} wb_sim_opts;

/* Makes a simulator: opens (or creates) the state, loads or makes the root, intermediate and
 * Noise keys, loads the accounts. Returns 0 and *out, or WB_EIO / WB_ESTORE / WB_EUNSUPPORTED /
 * WB_ENOMEM with a sentence in err (may be NULL). */
int wb_sim_new(wb_sim **out, const wb_sim_opts *opts, wb_error *err);
/* Frees the simulator. Connections must have been freed first (the host closes its sockets,
 * then calls wb_sim_conn_free for each, then this). NULL is a no-op. */
void wb_sim_free(wb_sim *sim);

/* The public half of the certificate root: clients trust it (Baileys: WA_CERT_DETAILS.PUBLIC_KEY). */
void wb_sim_root_pub(const wb_sim *sim, uint8_t out[32]);
/* The certificate of the media host (PEM, as /admin/info's mediaCert), or NULL before the
 * server set it. */
const char *wb_sim_media_cert(const wb_sim *sim);

/* What /admin/info reports: the websocket URL clients use, the media host ("127.0.0.1:PORT")
 * and the PEM certificate it serves with. Strings are copied; NULL leaves a value unset. */
int wb_sim_set_endpoints(wb_sim *sim, const char *ws_url, const char *media_host,
                         const char *media_cert_pem);

/* ---- sockets ------------------------------------------------------------------------------------ */

enum wb_sim_fault {
    WB_SIM_FAULT_STALL = 1, /* hold this socket's bytes in both directions for `seconds` (0:
                               until the socket closes) */
    WB_SIM_FAULT_DELAY = 2, /* deliver every later outgoing message `seconds` late */
};

typedef struct wb_sim_io {
    /* Bytes for the socket of io_ud, in order (each call one websocket message). Returns 0, or
     * negative when the socket is gone (the simulator then treats it as closing). Never NULL. */
    int (*send)(void *io_ud, const uint8_t *data, size_t len);
    /* Close the socket after what was sent has gone out; reason is for logs. The host calls
     * wb_sim_conn_free once the socket has closed (maybe later). Never NULL. */
    void (*close)(void *io_ud, const char *reason);
    /* A transport fault (enum wb_sim_fault) for this socket. Returns 0 or WB_EUNSUPPORTED.
     * May be NULL (faults other than close and stream errors are then refused). */
    int (*fault)(void *io_ud, int fault, unsigned seconds);
} wb_sim_io;

/* Sets the callbacks (copied). Must be called before the first connection. */
void wb_sim_set_io(wb_sim *sim, const wb_sim_io *io);

/* A new websocket: the simulator expects the client's intro header and ClientHello. peer is
 * the address for logs. Returns 0 and *out, or WB_ENOMEM / WB_ECRYPTO. */
int wb_sim_conn_new(wb_sim *sim, void *io_ud, const char *peer, wb_sim_conn **out);
/* One websocket message (or any slice of the stream). Returns 0, or a negative code when the
 * client broke the protocol or the connection is closing: the simulator has then logged the
 * reason and asked io.close; more bytes are ignored. Other clients are never affected. */
int wb_sim_conn_feed(wb_sim_conn *c, const uint8_t *data, size_t len);
/* The socket has closed: forgets the connection (a logged-in device goes offline). */
void wb_sim_conn_free(wb_sim_conn *c);
/* The host's handle given to wb_sim_conn_new. */
void *wb_sim_conn_io(const wb_sim_conn *c);

/* ---- HTTP: the admin API and whatever else families serve ------------------------------------- */

typedef struct wb_sim_request {
    const char *method; /* "GET", "POST" ... */
    const char *path;   /* "/admin/info", not decoded */
    const char *query;  /* after '?', or "" */
    const uint8_t *body;
    size_t body_len;
    /* The body is still to come (a route of wb_sim_http_streams, called at the head): body is
     * NULL, and the handler takes the body through reply->read_body. */
    int body_follows;
} wb_sim_request;

/* How a handler answers. The host fills respond (which must copy what it needs and may free r),
 * respond_source (or NULL) and data. The simulator calls one of them exactly once per
 * wb_sim_http call, possibly later (scan-qr answers once the companion is linked). */
typedef struct wb_sim_reply wb_sim_reply;
struct wb_sim_reply {
    void (*respond)(wb_sim_reply *r, int status, const char *content_type, const void *body,
                    size_t len);
    /* Answers with a body of len bytes read from src in pieces as the client takes them (media
     * downloads); src->done is called exactly once, even when the answer cannot be given. NULL:
     * the simulator reads the body whole and calls respond. */
    void (*respond_source)(wb_sim_reply *r, int status, const char *content_type, uint64_t len,
                           const wb_http_body_source *src);
    /* For a request whose body follows: fn gets the body's pieces (status 0), then its end
     * (data NULL, status 0) or its loss (data NULL, status negative: the client went away, broke
     * the framing or passed a deadline; the answer then goes nowhere, but is still given, once).
     * Never called after the answer; answering before the end refuses the rest. Returns 0, or
     * a negative code (fn is then never called). Filled by hosts that stream (may be NULL). */
    int (*read_body)(wb_sim_reply *r, void (*fn)(void *ud, const uint8_t *data, size_t len,
                                                 int status),
                     void *ud);
    void *data;
};

/* 1 when the route of method and path takes its body in pieces (media uploads): a host that
 * can stream then calls wb_sim_http at the head, with body_follows set, and passes the body on
 * through the reply's read_body; else 0 (the body comes whole). */
int wb_sim_http_streams(wb_sim *sim, const char *method, const char *path);
/* Routes one request (404 when no route has its path, 405 when the method is wrong). */
void wb_sim_http(wb_sim *sim, const wb_sim_request *req, wb_sim_reply *reply);
/* Answers with a JSON body (text of len bytes). */
void wb_sim_reply_json(wb_sim_reply *r, int status, const char *json, size_t len);
/* Answers with a body read from src (respond_source, or read whole and respond). */
void wb_sim_reply_source(wb_sim_reply *r, int status, const char *content_type, uint64_t len,
                         const wb_http_body_source *src);
/* Answers {"error": "<message>"} with status. */
void wb_sim_reply_error(wb_sim_reply *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Appends the /admin/stats JSON to out. Returns 0 or WB_ENOMEM. */
int wb_sim_stats(wb_sim *sim, wb_buf *out);

#endif
