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

#define WB_CLIENT_DEFAULT_URL "wss://web.whatsapp.com/ws/chat"

typedef struct wb_client_host wb_client_host;

typedef struct wb_client_host_opts {
    const char *url;    /* ws:// or wss://; NULL: WB_CLIENT_DEFAULT_URL */
    const char *ca_pem; /* PEM certificates to trust for wss:// instead of the system's (tests,
                           a local simulator with its own certificate); copied */
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

#endif
