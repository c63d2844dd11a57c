/* Helpers over parsed HTTP messages: header lookup, comma-separated tokens, query strings and
 * percent-decoding (see http.h). Used by the server's routes, the websocket handshake and the
 * simulator's handlers. */
#include <string.h>
#include <strings.h>

#include "net/http.h"

const char *wb_http_msg_header(const wb_http_msg *m, const char *name) {
    for (size_t i = 0; i < m->nheaders; i++)
        if (strcasecmp(m->headers[i].name, name) == 0)
            return m->headers[i].value;
    return NULL;
}

/* 1 when the comma-separated list v holds token (case-insensitive, whitespace around elements
 * ignored). */
static int list_has_token(const char *v, const char *token) {
    size_t tl = strlen(token);
    while (*v) {
        while (*v == ' ' || *v == '\t' || *v == ',')
            v++;
        const char *e = v + strcspn(v, ",");
        const char *t = e;
        while (t > v && (t[-1] == ' ' || t[-1] == '\t'))
            t--;
        if ((size_t)(t - v) == tl && strncasecmp(v, token, tl) == 0)
            return 1;
        v = e;
    }
    return 0;
}

int wb_http_msg_has_token(const wb_http_msg *m, const char *name, const char *token) {
    for (size_t i = 0; i < m->nheaders; i++)
        if (strcasecmp(m->headers[i].name, name) == 0 && list_has_token(m->headers[i].value, token))
            return 1;
    return 0;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int wb_http_percent_decode(wb_buf *out, const char *s, size_t len, int plus_is_space) {
    for (size_t i = 0; i < len; i++) {
        uint8_t c = (uint8_t)s[i];
        if (c == '%') {
            if (len - i < 3)
                return WB_EMALFORMED;
            int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0)
                return WB_EMALFORMED;
            c = (uint8_t)(hi << 4 | lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        if (wb_buf_put_u8(out, c) < 0)
            return WB_ENOMEM;
    }
    return 0;
}

int wb_http_query_get(const char *query, const char *name, wb_buf *out) {
    size_t nl = strlen(name);
    const char *q = query;
    while (*q) {
        const char *e = q + strcspn(q, "&");
        const char *eq = memchr(q, '=', (size_t)(e - q));
        const char *ke = eq ? eq : e;
        /* names are compared after decoding, so "a%62" finds "ab" */
        wb_buf key = WB_BUF_INIT;
        int rc = wb_http_percent_decode(&key, q, (size_t)(ke - q), 1);
        int match = rc == 0 && key.len == nl && (nl == 0 || memcmp(key.data, name, nl) == 0);
        wb_buf_free(&key);
        if (rc < 0)
            return rc;
        if (match) {
            if (eq && (rc = wb_http_percent_decode(out, eq + 1, (size_t)(e - eq - 1), 1)) < 0)
                return rc;
            return 1;
        }
        q = *e ? e + 1 : e;
    }
    return 0;
}
