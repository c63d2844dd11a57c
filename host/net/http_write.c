/* Writers for HTTP/1.1 request and response heads (see http.h). Used by the server to answer,
 * by the clients to ask, and by the websocket handshake. Every caller-supplied string is checked
 * so that no value can end a line early and smuggle a header or a second message. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "net/http.h"

static const struct {
    int status;
    const char *reason;
} reasons[] = {
    {100, "Continue"},
    {101, "Switching Protocols"},
    {200, "OK"},
    {201, "Created"},
    {202, "Accepted"},
    {204, "No Content"},
    {206, "Partial Content"},
    {301, "Moved Permanently"},
    {302, "Found"},
    {304, "Not Modified"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {408, "Request Timeout"},
    {409, "Conflict"},
    {411, "Length Required"},
    {413, "Content Too Large"},
    {414, "URI Too Long"},
    {415, "Unsupported Media Type"},
    {416, "Range Not Satisfiable"},
    {417, "Expectation Failed"},
    {426, "Upgrade Required"},
    {429, "Too Many Requests"},
    {431, "Request Header Fields Too Large"},
    {500, "Internal Server Error"},
    {501, "Not Implemented"},
    {502, "Bad Gateway"},
    {503, "Service Unavailable"},
    {504, "Gateway Timeout"},
    {505, "HTTP Version Not Supported"},
};

const char *wb_http_reason(int status) {
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
        if (reasons[i].status == status)
            return reasons[i].reason;
    return "";
}

static int is_token(const char *s) {
    if (!*s)
        return 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              strchr("!#$%&'*+-.^_`|~", c)))
            return 0;
    }
    return 1;
}

int wb_http_header_ok(const char *name, const char *value) {
    if (!name || !value || !is_token(name))
        return 0;
    for (const char *q = value; *q; q++)
        if (*q == '\r' || *q == '\n')
            return 0;
    return 1;
}

static void put_str(wb_buf *out, const char *s) {
    wb_buf_append(out, s, strlen(s));
}

static int put_headers(wb_buf *out, const wb_http_header *h, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (!wb_http_header_ok(h[i].name, h[i].value))
            return WB_EINVAL;
        put_str(out, h[i].name);
        put_str(out, ": ");
        put_str(out, h[i].value);
        put_str(out, "\r\n");
    }
    return 0;
}

int wb_http_write_request(wb_buf *out, const char *method, const char *target, const char *host,
                          const wb_http_header *headers, size_t nheaders, const void *body,
                          size_t body_len) {
    if (!is_token(method) || !target[0] || !wb_http_header_ok("Host", host))
        return WB_EINVAL;
    for (const char *q = target; *q; q++)
        if ((unsigned char)*q <= 0x20 || (unsigned char)*q >= 0x7f)
            return WB_EINVAL;
    size_t mark = out->len;
    put_str(out, method);
    put_str(out, " ");
    put_str(out, target);
    put_str(out, " HTTP/1.1\r\nHost: ");
    put_str(out, host);
    put_str(out, "\r\n");
    if (put_headers(out, headers, nheaders) < 0) {
        out->len = mark;
        return WB_EINVAL;
    }
    if (body_len || !strcasecmp(method, "POST") || !strcasecmp(method, "PUT") ||
        !strcasecmp(method, "PATCH")) {
        char cl[48];
        snprintf(cl, sizeof cl, "Content-Length: %zu\r\n", body_len);
        put_str(out, cl);
    }
    put_str(out, "\r\n");
    if (body_len)
        wb_buf_append(out, body, body_len);
    return out->err ? WB_ENOMEM : 0;
}

int wb_http_write_response_head(wb_buf *out, int status, const wb_http_header *headers,
                                size_t nheaders, int64_t content_length, int close) {
    if (status < 100 || status > 999)
        return WB_EINVAL;
    size_t mark = out->len;
    char line[64];
    snprintf(line, sizeof line, "HTTP/1.1 %d %s\r\n", status, wb_http_reason(status));
    put_str(out, line);
    if (put_headers(out, headers, nheaders) < 0) {
        out->len = mark;
        return WB_EINVAL;
    }
    int bodiless = (status >= 100 && status < 200) || status == 204 || status == 304;
    if (content_length >= 0 && !bodiless) {
        snprintf(line, sizeof line, "Content-Length: %lld\r\n", (long long)content_length);
        put_str(out, line);
    }
    if (close)
        put_str(out, "Connection: close\r\n");
    put_str(out, "\r\n");
    return out->err ? WB_ENOMEM : 0;
}
