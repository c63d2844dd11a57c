/* The simulator is local by design (server.h): which Host and Origin headers a request may
 * carry. A web page the developer visits can make the browser send requests to 127.0.0.1; the
 * browser then says where the page came from (Origin), and a page that rebinds its own DNS name
 * to 127.0.0.1 still names itself in Host. So:
 *
 *   - Host must be localhost or an address of the simulator: a loopback address, the address
 *     it listens on, or, listening on every address (0.0.0.0, ::), any numeric address. Names
 *     are refused (an attacker's name can point anywhere); no Host at all is allowed (HTTP/1.0
 *     tools; browsers always send one).
 *   - Origin, when present, must be the simulator's own: its scheme, one of the hosts above and
 *     its port. /ws/chat also takes https://web.whatsapp.com, the Origin Baileys and whatsmeow
 *     send. No Origin at all is allowed: Node, curl and wabot's own client send none.
 *
 * Pure functions over the header values, without I/O; unit-tested in test_sim_server.c. */
#ifndef WB_SIM_LOCAL_H
#define WB_SIM_LOCAL_H

#define WB_SIM_WHATSAPP_ORIGIN "https://web.whatsapp.com"

typedef struct wb_sim_local {
    char ip[64];  /* the address listened on, as given */
    int wildcard; /* 0.0.0.0 or :: */
    int port;
    int tls;      /* the scheme of the simulator's own origin: https, else http */
} wb_sim_local;

void wb_sim_local_init(wb_sim_local *l, const char *ip, int port, int tls);
/* 1 when a numeric address is a loopback one (127.0.0.0/8, ::1, ::ffff:127.x). */
int wb_sim_local_is_loopback(const char *ip);
/* 1 when the Host header (NULL: none) names the simulator. */
int wb_sim_local_host_ok(const wb_sim_local *l, const char *host);
/* 1 when the Origin header (NULL: none) is the simulator's own, or, with whatsapp set,
 * https://web.whatsapp.com. */
int wb_sim_local_origin_ok(const wb_sim_local *l, const char *origin, int whatsapp);

#endif
