/* The client on libuv (client.h's host): a websocket from net/ws.h per connection, a timer for
 * the client's deadlines, the wall clock. This is the only file of host/client that knows libuv,
 * as host/sim/server.c is the simulator's.
 *
 *     wb_client_host *h;
 *     wb_client_host_new(&h, loop, &cfg, &(wb_client_host_opts){.url = url}, on_event, me);
 *     wb_client_host_start(h);
 *     ... uv_run; on_event gets every event; wb_client_host_client(h) sends ...
 *     wb_client_host_stop(h, on_stopped, me);   // on_stopped once the socket and timer closed
 *     wb_client_host_free(h);                   // then, from on_stopped or after uv_run
 *
 * TLS for wss:// uses one client context per process (the system's roots, loaded once: reading
 * the CA bundle costs tens of milliseconds of a blocked loop) unless ca_pem names the
 * certificates to trust instead. */
#ifndef WB_CLIENT_HOST_H
#define WB_CLIENT_HOST_H

#include <uv.h>

#include "client/client.h"
#include "core/buf.h"

#define WB_CLIENT_DEFAULT_URL "wss://web.whatsapp.com/ws/chat"

typedef struct wb_client_host wb_client_host;

typedef struct wb_client_host_opts {
    const char *url;    /* ws:// or wss://; NULL: WB_CLIENT_DEFAULT_URL */
    const char *ca_pem; /* PEM certificates to trust for wss:// instead of the system's (tests,
                           a local simulator with its own certificate); copied */
    const char *media_ca_pem; /* PEM certificates to trust for the media hosts (https://)
                                 instead of the system's (a simulator's mediaCert); copied */
} wb_client_host_opts;

/* Events for the host's user; c is the client (for sends from inside). */
typedef void (*wb_client_host_event_fn)(void *ud, wb_client *c, const wb_client_event *ev);

/* Makes the client (cfg as wb_client_new) bound to loop. Returns 0 and *out, or an error from
 * wb_client_new, WB_EINVAL (a URL that is not ws:// or wss://), WB_ECRYPTO (TLS roots). */
int wb_client_host_new(wb_client_host **out, uv_loop_t *loop, const wb_client_config *cfg,
                       const wb_client_host_opts *opts, wb_client_host_event_fn on_event,
                       void *ud);
/* Starts the client (wb_client_start): pending events, then the first connection. */
int wb_client_host_start(wb_client_host *h);
/* Stops the client; on_stopped (may be NULL) runs once its socket and timer have closed. */
void wb_client_host_stop(wb_client_host *h, void (*on_stopped)(void *ud), void *ud);
/* Frees a stopped host (or one never started). */
void wb_client_host_free(wb_client_host *h);
wb_client *wb_client_host_client(wb_client_host *h);
/* The current time as the client counts it (Unix ms). */
uint64_t wb_client_host_now(void);
/* Re-arms the timer after the user called the client directly (sends do it themselves: any
 * call made from outside an event should be followed by this). */
void wb_client_host_kick(wb_client_host *h);

/* ---- media (media_host.c) ------------------------------------------------------------------- *
 *
 * Media files up and down through host/media's HTTP engine on the host's loop (made at the first
 * use, closed by wb_client_host_stop, which waits for it). Both ask the client for media_conn
 * first (cached until its TTL): uploads go to its hosts with its token, downloads come from
 * https://<its host><the message's directPath>. Each call gets exactly one callback, never from
 * inside the call; an error return means none. Operations still running when the host stops
 * end with WB_ECLOSED. */

typedef struct wb_client_upload_opts {
    const char *kind;          /* "image", "video", "audio", "voice", "document", "sticker" */
    const char *path;          /* the file; or, when NULL, */
    const uint8_t *data;       /* its bytes (copied) */
    size_t len;
    void (*progress)(void *ud, uint64_t done, uint64_t total); /* blob bytes sent */
} wb_client_upload_opts;

/* status 0 with md: the file's fields for its message (kind, url, direct_path, media_key,
 * file_sha256, file_enc_sha256, file_length, media_key_timestamp; strings valid during the
 * call); the caller adds mimetype, caption, ... and builds it with wb_client_media_message. Or
 * a negative code (transfer.h's, or media_conn's: WB_ECLOSED not logged in, WB_ETIMEOUT) with a
 * sentence in why. */
typedef void (*wb_client_uploaded_fn)(void *ud, int status, const wb_client_media *md,
                                      const char *why);
/* Uploads a file for a message of kind o->kind. An upload the hosts refuse with 401/403 is
 * tried once more with a fresh media_conn. Returns 0 (fn will be called) or WB_EINVAL (a kind
 * that is not media, neither path nor data), WB_ENOTFOUND / WB_EIO (the file), WB_ECLOSED (not
 * logged in, or stopping), WB_ENOMEM. */
int wb_client_host_media_upload(wb_client_host *h, const wb_client_upload_opts *o,
                                wb_client_uploaded_fn fn, void *ud);

/* status 0: the verified file is at path (or appended to memory); else a negative code with a
 * sentence in why (WB_EAUTH / WB_EMALFORMED: it did not verify, and nothing was written). */
typedef void (*wb_client_downloaded_fn)(void *ud, int status, const char *why);
/* Downloads the media md describes (wb_client_media_of of a received or sent message: its
 * kind, media key, hashes, file_length and direct_path are used) into path, or memory when
 * path is NULL. Returns 0 (fn will be called) or WB_EINVAL (no key, no direct path),
 * WB_ENOTFOUND / WB_EIO (path's directory), WB_ECLOSED, WB_ENOMEM. */
int wb_client_host_media_download(wb_client_host *h, const wb_client_media *md, const char *path,
                                  wb_buf *memory,
                                  void (*progress)(void *ud, uint64_t done, uint64_t total),
                                  wb_client_downloaded_fn fn, void *ud);

/* The host's media engine, made at its first use (NULL once the host is stopping or when it
 * cannot be made). For media_host.c. */
struct wb_media_http *wb_client_host_media_http(wb_client_host *h);

#endif
