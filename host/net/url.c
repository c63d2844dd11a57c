/* URL parsing for the transport's clients (see url.h). */
#include "net/url.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    uint16_t port;
    int tls, websocket;
} schemes[] = {
    {"ws", 80, 0, 1},
    {"wss", 443, 1, 1},
    {"http", 80, 0, 0},
    {"https", 443, 1, 0},
};

/* Bytes allowed in a request target as we send it: RFC 3986 unreserved, sub-delims, ':', '@',
 * '/', '?', '%'. Anything else (spaces, controls, quotes, non-ASCII) is refused rather than
 * escaped, because a client that silently rewrites a URL hides bugs. */
static int target_char_ok(unsigned char c) {
    if (isalnum(c))
        return 1;
    return strchr("-._~!$&'()*+,;=:@/?%", c) != NULL && c != 0;
}

int wb_url_parse(const char *text, wb_url *out, wb_error *err) {
    wb_url u;
    memset(&u, 0, sizeof u);
    const char *colon = strstr(text, "://");
    if (!colon)
        return wb_error_set(err, WB_EMALFORMED, 0, "URL has no scheme");
    size_t slen = (size_t)(colon - text);
    int found = -1;
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
        if (strlen(schemes[i].name) == slen && strncasecmp(text, schemes[i].name, slen) == 0)
            found = (int)i;
    if (found < 0)
        return wb_error_set(err, WB_EUNSUPPORTED, 0, "URL scheme is not ws, wss, http or https");
    snprintf(u.scheme, sizeof u.scheme, "%s", schemes[found].name);
    u.port = schemes[found].port;
    u.tls = schemes[found].tls;
    u.websocket = schemes[found].websocket;

    const char *p = colon + 3;
    size_t auth_len = strcspn(p, "/?#");
    const char *auth_end = p + auth_len;
    if (memchr(p, '@', auth_len))
        return wb_error_set(err, WB_EMALFORMED, (size_t)(p - text), "URL has user info");
    const char *host = p, *host_end;
    if (*p == '[') {
        host = p + 1;
        host_end = memchr(host, ']', (size_t)(auth_end - host));
        if (!host_end)
            return wb_error_set(err, WB_EMALFORMED, (size_t)(p - text), "IPv6 host has no ']'");
        p = host_end + 1;
    } else {
        host_end = memchr(p, ':', auth_len);
        if (!host_end)
            host_end = auth_end;
        p = host_end;
    }
    size_t hlen = (size_t)(host_end - host);
    if (hlen == 0)
        return wb_error_set(err, WB_EMALFORMED, (size_t)(host - text), "URL has an empty host");
    if (hlen > WB_URL_HOST_MAX)
        return wb_error_set(err, WB_ETOOBIG, (size_t)(host - text), "URL host is too long");
    for (size_t i = 0; i < hlen; i++) {
        unsigned char c = (unsigned char)host[i];
        if (!(isalnum(c) || c == '-' || c == '.' || c == '_' || (c == ':' && host[-1] == '[')))
            return wb_error_set(err, WB_EMALFORMED, (size_t)(host + i - text),
                                "URL host has a character not allowed in a host name");
        u.host[i] = (char)tolower(c);
    }
    u.host[hlen] = 0;
    unsigned char addr[16];
    if (host[-1] == '[') {
        if (inet_pton(AF_INET6, u.host, addr) != 1)
            return wb_error_set(err, WB_EMALFORMED, (size_t)(host - text),
                                "bracketed host is not an IPv6 address");
        u.host_is_ip = 1;
    } else {
        u.host_is_ip = inet_pton(AF_INET, u.host, addr) == 1;
    }

    if (p < auth_end) {
        if (*p != ':')
            return wb_error_set(err, WB_EMALFORMED, (size_t)(p - text), "junk after the URL host");
        p++;
        unsigned long port = 0;
        if (p == auth_end)
            return wb_error_set(err, WB_EMALFORMED, (size_t)(p - text), "URL port is empty");
        for (; p < auth_end; p++) {
            if (!isdigit((unsigned char)*p) || port > 65535)
                return wb_error_set(err, WB_EMALFORMED, (size_t)(p - text), "URL port is not a number");
            port = port * 10 + (unsigned long)(*p - '0');
        }
        if (port == 0 || port > 65535)
            return wb_error_set(err, WB_EMALFORMED, (size_t)(p - text), "URL port is out of range");
        u.port = (uint16_t)port;
        u.port_explicit = 1;
    }

    size_t tlen = strcspn(auth_end, "#");
    const char *target = auth_end;
    size_t off = 0;
    if (tlen == 0 || target[0] != '/')
        u.target[off++] = '/'; /* "http://h" and "http://h?q" both mean path "/" */
    if (off + tlen >= sizeof u.target)
        return wb_error_set(err, WB_ETOOBIG, (size_t)(target - text), "URL path is too long");
    for (size_t i = 0; i < tlen; i++)
        if (!target_char_ok((unsigned char)target[i]))
            return wb_error_set(err, WB_EMALFORMED, (size_t)(target + i - text),
                                "URL path has a character that must be percent-encoded");
    memcpy(u.target + off, target, tlen);
    u.target[off + tlen] = 0;
    *out = u;
    return 0;
}

int wb_url_host_header(const wb_url *u, char *out, size_t cap) {
    int is6 = strchr(u->host, ':') != NULL;
    int dflt = u->port == (u->tls ? 443 : 80);
    int n = dflt ? snprintf(out, cap, is6 ? "[%s]" : "%s", u->host)
                 : snprintf(out, cap, is6 ? "[%s]:%u" : "%s:%u", u->host, (unsigned)u->port);
    if (n < 0 || (size_t)n >= cap)
        return WB_ETOOBIG;
    return n;
}
