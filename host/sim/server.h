/* The simulator on a network: binds the sans-I/O simulator (sim.h) to net/'s libuv HTTP and
 * websocket server. One port serves the WhatsApp websocket (/ws/chat, ws:// or wss:// with a
 * TLS certificate) and every HTTP route (the admin API, media); without a certificate a second
 * port serves HTTPS with the simulator's own self-signed certificate for media (Baileys only
 * builds https:// media URLs), with one the main port is also the media host.
 * This and host/cli/sim.c are the only parts of the simulator that touch libuv.
 *
 *     wb_sim_server *s;
 *     if (wb_sim_server_start(loop, &opts, &s, &err) < 0) ...
 *     puts(wb_sim_server_url(s));                 // ws://127.0.0.1:PORT/ws/chat
 *     ... uv_run ...
 *     wb_sim_server_close(s, on_closed, ud);      // every socket ends, then on_closed(ud)
 *     wb_sim_server_free(s);                      // after on_closed */
#ifndef WB_SIM_SERVER_H
#define WB_SIM_SERVER_H

#include <uv.h>

#include "sim/sim.h"

typedef struct wb_sim_server wb_sim_server;

typedef struct wb_sim_server_opts {
    const char *ip;       /* NULL: 127.0.0.1 */
    int port;             /* 0: any free port */
    const char *cert_pem; /* with key_pem: serve wss:// and https:// on the main port */
    const char *key_pem;
    wb_sim_opts sim;      /* state directory, stanza log */
} wb_sim_server_opts;

/* Makes the simulator and starts listening. Returns 0 and *out, or a negative code with a
 * sentence in err (bad certificate, address in use, state that cannot be opened). */
int wb_sim_server_start(uv_loop_t *loop, const wb_sim_server_opts *opts, wb_sim_server **out,
                        wb_error *err);
/* The websocket URL clients connect to. */
const char *wb_sim_server_url(const wb_sim_server *s);
wb_sim *wb_sim_server_sim(wb_sim_server *s);
/* Stops listening and ends every connection; cb(ud) runs once all are gone. */
void wb_sim_server_close(wb_sim_server *s, void (*cb)(void *ud), void *ud);
/* Frees the server and the simulator (after the close callback). NULL is a no-op. */
void wb_sim_server_free(wb_sim_server *s);

#endif
