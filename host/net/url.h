/* URLs of the four schemes the transport speaks: ws://, wss://, http://, https://.
 *
 * Used by the websocket client (net/ws.h) to find the host, port and request target, and by
 * anyone building a Host header. Only what that client needs:
 * no user info, no relative references; the fragment is dropped. */
#ifndef WB_NET_URL_H
#define WB_NET_URL_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

enum { WB_URL_HOST_MAX = 255, WB_URL_TARGET_MAX = 8192 };

typedef struct wb_url {
    char scheme[8];                 /* "ws", "wss", "http" or "https", lowercase */
    char host[WB_URL_HOST_MAX + 1]; /* lowercase name, dotted IPv4, or IPv6 without brackets */
    uint16_t port;                  /* explicit, or the scheme's default (80 or 443) */
    int tls;                        /* 1 for wss and https */
    int websocket;                  /* 1 for ws and wss */
    int host_is_ip;                 /* 1 when host is a numeric IPv4 or IPv6 address */
    int port_explicit;              /* 1 when the URL named a port */
    char target[WB_URL_TARGET_MAX]; /* path and query as sent in the request line; "/" at least */
} wb_url;

/* Parses text into *out. Returns 0, or WB_EMALFORMED (bad syntax, user info, bad port),
 * WB_EUNSUPPORTED (another scheme) or WB_ETOOBIG (host or target too long), with a sentence in
 * err when err is not NULL. *out is written only on success. */
int wb_url_parse(const char *text, wb_url *out, wb_error *err);

/* Writes the Host header value for u ("example.com", "127.0.0.1:8080", "[::1]:8443"; the port
 * only when it is not the scheme's default) into out, NUL-terminated. Returns its length, or
 * WB_ETOOBIG when cap is too small. */
int wb_url_host_header(const wb_url *u, char *out, size_t cap);

#endif
