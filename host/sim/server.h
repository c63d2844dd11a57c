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
    /* An ip that is not a loopback address is refused unless this is set: the admin API has no
     * authentication, so whoever reaches the port controls every simulated phone. */
    int allow_remote;
    unsigned handshake_timeout_ms; /* the Noise handshake after the upgrade; 0: 10 s */
    unsigned idle_timeout_ms;      /* a websocket that sends nothing (no ping, no stanza) for
                                      this long is closed; 0: 90 s */
    unsigned request_timeout_ms;   /* an HTTP request's head, and its body's first allowance
                                      (then 16 KiB/s earn more); 0: 30 s */
    size_t max_buffered;           /* bytes held for all connections together (bodies, unread
                                      input, write queues, faults' queues); 0: 128 MiB */
    size_t max_ws_per_addr;        /* websockets of one address; 0: 256 */
    size_t max_http_per_addr;      /* other connections of one address; 0: 64 */
    wb_sim_opts sim;      /* state directory, stanza log */
} wb_sim_server_opts;

/* Makes the simulator and starts listening. Returns 0 and *out, or a negative code with a
 * sentence in err (bad certificate, address in use, state that cannot be opened, a
 * non-loopback address without allow_remote).
 *
 * Local by design: the admin routes and /ws/chat refuse (403) a browser's Origin that is not
 * the simulator's own (http(s)://127.0.0.1|localhost|[::1]|IP:PORT; /ws/chat also takes
 * https://web.whatsapp.com, which Baileys and whatsmeow send), and every route refuses a Host
 * that is not localhost or an address of the simulator (DNS rebinding); clients that send no
 * Origin (Node, curl, wabot) are served. The media port serves media routes only. */
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
