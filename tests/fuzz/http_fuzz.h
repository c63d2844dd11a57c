/* Shared by fuzz_http_request.c and fuzz_http_response.c: run the HTTP parser over a byte stream
 * fed whole and in pieces, summarise what came out, and insist the two agree (the parser must not
 * depend on how the stream was cut). Requests run a third time with every body taken in pieces
 * (stop_at_head, wb_http_parser_stream): the heads and the pieces put together must be what the
 * buffered run saw, with the same errors. */
#ifndef WB_FUZZ_HTTP_H
#define WB_FUZZ_HTTP_H

#include <stdlib.h>
#include <string.h>

#include "net/http.h"

typedef struct http_summary {
    int messages;
    int err, status;
    uint64_t digest; /* of every message's fields and body */
} http_summary;

static uint64_t mix(uint64_t h, const void *p, size_t n) {
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static uint64_t mix_str(uint64_t h, const char *s) {
    return s ? mix(h, s, strlen(s) + 1) : mix(h, "\xff", 1);
}

static void check_msg(const wb_http_msg *m, http_summary *s) {
    uint64_t h = s->digest;
    h = mix_str(h, m->method);
    h = mix_str(h, m->target);
    h = mix_str(h, m->path);
    h = mix_str(h, m->query);
    h = mix_str(h, m->reason);
    int f[6] = {m->status, m->version, m->keep_alive, m->upgrade, m->chunked, m->expect_continue};
    h = mix(h, f, sizeof f);
    for (size_t i = 0; i < m->nheaders; i++) {
        h = mix_str(h, m->headers[i].name);
        h = mix_str(h, m->headers[i].value);
    }
    if (m->body_len)
        h = mix(h, m->body, m->body_len);
    h = mix(h, &m->body_len, sizeof m->body_len);
    /* the helpers must cope with whatever the parser accepted */
    wb_http_msg_header(m, "host");
    wb_http_msg_has_token(m, "connection", "upgrade");
    if (m->query) {
        wb_buf v = WB_BUF_INIT;
        wb_http_query_get(m->query, "auth", &v);
        wb_buf_free(&v);
    }
    s->digest = h;
    s->messages++;
}

/* Feeds data in pieces of `piece` bytes (0: whole); no_body applies to responses; stream takes
 * request bodies in pieces. */
static http_summary http_run(wb_http_kind kind, const wb_http_limits *lim, const uint8_t *data,
                             size_t size, size_t piece, int no_body, int eof, int stream) {
    http_summary s = {0};
    wb_http_parser p;
    wb_http_parser_init(&p, kind, lim);
    p.no_body = no_body;
    p.stop_at_head = stream;
    wb_http_msg head = {0}; /* a streamed request's head, its pieces gathered in body */
    wb_buf body = WB_BUF_INIT;
    int streaming = 0;
    size_t off = 0;
    while (off < size && !s.err) {
        size_t n = piece && size - off > piece ? piece : size - off;
        const uint8_t *d = data + off;
        off += n;
        while (n && !s.err) {
            size_t used;
            wb_error e;
            int rc = wb_http_parser_feed(&p, d, n, &used, &e);
            if (used > n)
                abort();
            d += used;
            n -= used;
            if (rc == WB_HTTP_HEAD) {
                if (!stream || streaming)
                    abort();
                int src = wb_http_parser_stream(&p, 1, &e);
                if (src == 0 && wb_http_parser_take_head(&p, &head) != 0)
                    abort();
                streaming = src == 0;
                if (src < 0) /* over the limit: the same refusal as the buffered run's */
                    rc = src;
                else
                    continue;
            } else if (rc == WB_HTTP_BODY) {
                if (!streaming || p.piece < data || p.piece + p.piece_len > data + size)
                    abort(); /* a piece must lie within the input */
                wb_buf_append(&body, p.piece, p.piece_len);
                size_t none;
                /* the piece may have been the last: the end must not wait for more input */
                if ((rc = wb_http_parser_feed(&p, NULL, 0, &none, &e)) != WB_HTTP_DONE)
                    continue;
            }
            if (rc < 0) {
                s.err = rc;
                s.status = p.status;
                if (e.code != rc || !p.status)
                    abort();
            } else if (rc == WB_HTTP_DONE && streaming) {
                if (p.msg.body_len)
                    abort(); /* a streamed body is never also buffered */
                head.body = body.len ? body.data : NULL;
                head.body_len = body.len;
                check_msg(&head, &s);
                wb_http_msg_free(&head);
                wb_buf_reset(&body);
                streaming = 0;
                wb_http_parser_next(&p);
            } else if (rc == WB_HTTP_DONE) {
                check_msg(&p.msg, &s);
                wb_http_parser_next(&p);
                p.no_body = no_body;
            } else if (n) {
                abort(); /* MORE must mean all was taken */
            }
        }
    }
    if (!s.err && eof) {
        int rc = wb_http_parser_eof(&p, NULL);
        if (rc == WB_HTTP_DONE)
            check_msg(&p.msg, &s);
        else if (rc < 0)
            s.err = rc;
    }
    wb_http_msg_free(&head);
    wb_buf_free(&body);
    wb_http_parser_free(&p);
    return s;
}

static void http_fuzz(wb_http_kind kind, const uint8_t *data, size_t size) {
    if (size < 1)
        return;
    uint8_t mode = data[0];
    data++;
    size--;
    wb_http_limits lim = {mode & 1 ? 200 : 0, mode & 2 ? 3 : 0, mode & 4 ? 50 : 0, 0};
    int no_body = (mode >> 3) & 1;
    size_t piece = (size_t)(mode >> 4) + 1;
    int resp = kind == WB_HTTP_RESPONSE;
    http_summary whole = http_run(kind, &lim, data, size, 0, no_body, resp, 0);
    http_summary cut = http_run(kind, &lim, data, size, piece, no_body, resp, 0);
    if (whole.messages != cut.messages || whole.err != cut.err || whole.status != cut.status ||
        whole.digest != cut.digest)
        abort();
    if (resp)
        return;
    http_summary streamed = http_run(kind, &lim, data, size, piece, no_body, 0, 1);
    if (whole.messages != streamed.messages || whole.err != streamed.err ||
        whole.status != streamed.status || whole.digest != streamed.digest)
        abort();
}

#endif
