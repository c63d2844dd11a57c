/* Host and Origin checks for the simulator's local-only policy (local.h). */
#include "sim/local.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "net/url.h"

void wb_sim_local_init(wb_sim_local *l, const char *ip, int port, int tls) {
    memset(l, 0, sizeof *l);
    snprintf(l->ip, sizeof l->ip, "%s", ip ? ip : "127.0.0.1");
    l->wildcard = strcmp(l->ip, "0.0.0.0") == 0 || strcmp(l->ip, "::") == 0;
    l->port = port;
    l->tls = tls;
}

/* Parses a numeric address into 16 bytes (IPv4 as ::ffff:a.b.c.d). Returns 1 when it is one. */
static int parse_ip(const char *s, unsigned char out[16]) {
    unsigned char v4[4];
    if (inet_pton(AF_INET, s, v4) == 1) {
        memset(out, 0, 10);
        out[10] = out[11] = 0xff;
        memcpy(out + 12, v4, 4);
        return 1;
    }
    return inet_pton(AF_INET6, s, out) == 1;
}

static int is_loopback(const unsigned char a[16]) {
    static const unsigned char v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const unsigned char one[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return (memcmp(a, v4mapped, 12) == 0 && a[12] == 127) || memcmp(a, one, 16) == 0;
}

int wb_sim_local_is_loopback(const char *ip) {
    unsigned char a[16];
    return ip && parse_ip(ip, a) && is_loopback(a);
}

/* A host name or address that is the simulator. */
static int names_us(const wb_sim_local *l, const char *host) {
    if (strcasecmp(host, "localhost") == 0)
        return 1;
    unsigned char a[16], mine[16];
    if (!parse_ip(host, a))
        return 0;
    if (is_loopback(a) || l->wildcard)
        return 1;
    return parse_ip(l->ip, mine) && memcmp(a, mine, 16) == 0;
}

int wb_sim_local_host_ok(const wb_sim_local *l, const char *host) {
    if (!host)
        return 1;
    char url[300];
    wb_url u;
    /* a Host value is a URL's authority: parse it as one (it may carry no path or user info) */
    if (strpbrk(host, "/?#@") || snprintf(url, sizeof url, "http://%s", host) >= (int)sizeof url ||
        wb_url_parse(url, &u, NULL) < 0)
        return 0;
    return names_us(l, u.host);
}

int wb_sim_local_origin_ok(const wb_sim_local *l, const char *origin, int whatsapp) {
    if (!origin)
        return 1;
    if (whatsapp && strcmp(origin, WB_SIM_WHATSAPP_ORIGIN) == 0)
        return 1;
    wb_url u;
    if (wb_url_parse(origin, &u, NULL) < 0 || u.websocket || u.tls != l->tls ||
        strcmp(u.target, "/") != 0 || strchr(origin + strlen(u.scheme) + 3, '/'))
        return 0; /* an origin is a scheme, a host and a port: nothing more */
    return names_us(l, u.host) && u.port == l->port;
}
