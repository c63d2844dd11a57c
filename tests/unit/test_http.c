/* HTTP/1.1 parser and writers (net/http.h) and URLs (net/url.h): scripted byte streams fed whole,
 * split at every offset and byte by byte must give the same messages; every rejection names its
 * status. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "net/http.h"
#include "net/url.h"

/* What a stream parsed into: up to 4 messages, summarised as text, or the error. */
typedef struct summary {
    int n;
    char msg[4][512];
    int err, status;
    size_t tail; /* bytes left after the last complete message, when stopping there */
} summary;

static void describe(const wb_http_msg *m, char *out, size_t cap) {
    int w = snprintf(out, cap, "%s %s|%s|%s v%d st%d ka%d up%d ch%d ex%d", m->method ? m->method : "-",
                     m->target ? m->target : "-", m->path ? m->path : "-", m->query ? m->query : "-",
                     m->version, m->status, m->keep_alive, m->upgrade, m->chunked,
                     m->expect_continue);
    for (size_t i = 0; i < m->nheaders && w > 0 && (size_t)w < cap; i++)
        w += snprintf(out + w, cap - (size_t)w, "|%s=%s", m->headers[i].name, m->headers[i].value);
    if (w > 0 && (size_t)w < cap)
        w += snprintf(out + w, cap - (size_t)w, "|body%zu:", m->body_len);
    for (size_t i = 0; i < m->body_len && w > 0 && (size_t)w + 1 < cap && i < 64; i++)
        out[w++] = (char)m->body[i], out[w] = 0;
}

/* Feeds text in pieces cut at the given offsets (sorted, may be empty); stops at the first error
 * or after stop_after messages. */
static summary parse_split(wb_http_kind kind, const wb_http_limits *lim, const char *text,
                           size_t len, const size_t *cuts, size_t ncuts, int no_body, int eof) {
    summary s;
    memset(&s, 0, sizeof s);
    wb_http_parser p;
    wb_http_parser_init(&p, kind, lim);
    p.no_body = no_body;
    size_t prev = 0;
    for (size_t c = 0; c <= ncuts && !s.err; c++) {
        size_t end = c < ncuts ? cuts[c] : len;
        const uint8_t *d = (const uint8_t *)text + prev;
        size_t n = end - prev;
        prev = end;
        while (n && !s.err) {
            size_t used;
            wb_error e;
            int rc = wb_http_parser_feed(&p, d, n, &used, &e);
            CHECK(used <= n);
            d += used;
            n -= used;
            if (rc < 0) {
                s.err = rc;
                s.status = p.status;
                CHECK(e.code == rc);
            } else if (rc == WB_HTTP_DONE) {
                if (s.n < 4)
                    describe(&p.msg, s.msg[s.n], sizeof s.msg[0]);
                s.n++;
                wb_http_parser_next(&p);
                p.no_body = no_body;
            } else {
                CHECK(n == 0);
            }
        }
    }
    if (!s.err && eof) {
        int rc = wb_http_parser_eof(&p, NULL);
        if (rc == WB_HTTP_DONE) {
            describe(&p.msg, s.msg[s.n < 4 ? s.n : 3], sizeof s.msg[0]);
            s.n++;
        } else if (rc < 0) {
            s.err = rc;
            s.status = p.status;
        }
    }
    wb_http_parser_free(&p);
    return s;
}

static int same(const summary *a, const summary *b) {
    if (a->n != b->n || a->err != b->err || a->status != b->status)
        return 0;
    for (int i = 0; i < a->n && i < 4; i++)
        if (strcmp(a->msg[i], b->msg[i]) != 0)
            return 0;
    return 1;
}

/* Whole, every two-way split, byte by byte: all must agree. Returns the whole-feed summary. */
static summary parse_all_ways(wb_http_kind kind, const wb_http_limits *lim, const char *text,
                              int no_body, int eof) {
    size_t len = strlen(text);
    summary whole = parse_split(kind, lim, text, len, NULL, 0, no_body, eof);
    for (size_t cut = 1; cut < len; cut++) {
        summary s = parse_split(kind, lim, text, len, &cut, 1, no_body, eof);
        if (!same(&whole, &s)) {
            fprintf(stderr, "split at %zu differs: %s / %s (err %d/%d)\n", cut, whole.msg[0],
                    s.msg[0], whole.err, s.err);
            CHECK(0);
            break;
        }
    }
    size_t *cuts = malloc(len * sizeof *cuts);
    for (size_t i = 0; i < len; i++)
        cuts[i] = i + 1;
    summary bytes = parse_split(kind, lim, text, len, cuts, len ? len - 1 : 0, no_body, eof);
    CHECK(same(&whole, &bytes));
    free(cuts);
    return whole;
}

static void test_http_request_get_with_headers(void) {
    summary s = parse_all_ways(WB_HTTP_REQUEST, NULL,
                               "GET /admin/info?x=1&y=%20 HTTP/1.1\r\nHost: 127.0.0.1:5000\r\n"
                               "User-Agent:  curl/8 \r\nAccept: */*\r\n\r\n",
                               0, 0);
    CHECK_EQ(s.n, 1);
    CHECK_EQ(s.err, 0);
    CHECK_STR(s.msg[0], "GET /admin/info?x=1&y=%20|/admin/info|x=1&y=%20 v11 st0 ka1 up0 ch0 ex0"
                        "|Host=127.0.0.1:5000|User-Agent=curl/8|Accept=*/*|body0:");
}

static void test_http_request_content_length_body(void) {
    summary s = parse_all_ways(WB_HTTP_REQUEST, NULL,
                               "POST /admin/x HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n"
                               "Content-Type: application/json\r\n\r\n{\"a\":[1,2]}",
                               0, 0);
    CHECK_EQ(s.n, 1);
    CHECK(strstr(s.msg[0], "|body11:{\"a\":[1,2]}") != NULL);
}

static void test_http_request_chunked_body_with_extensions_and_trailers(void) {
    summary s = parse_all_ways(WB_HTTP_REQUEST, NULL,
                               "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                               "5;name=val\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n"
                               "0\r\nX-Trailer: 1\r\n\r\n",
                               0, 0);
    CHECK_EQ(s.n, 1);
    CHECK_EQ(s.err, 0);
    CHECK(strstr(s.msg[0], "ch1") != NULL);
    CHECK(strstr(s.msg[0], "|body16:hello 0123456789") != NULL);
}

static void test_http_request_pipelined_messages_stop_at_each_end(void) {
    const char *two = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
                      "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz"
                      "GET /c HTTP/1.0\r\n\r\n";
    summary s = parse_all_ways(WB_HTTP_REQUEST, NULL, two, 0, 0);
    CHECK_EQ(s.n, 3);
    CHECK(strncmp(s.msg[0], "GET /a|", 7) == 0);
    CHECK(strstr(s.msg[1], "body3:xyz") != NULL);
    CHECK(strstr(s.msg[2], "v10 st0 ka0") != NULL);

    /* the parser takes exactly the first message */
    wb_http_parser p;
    wb_http_parser_init(&p, WB_HTTP_REQUEST, NULL);
    size_t used;
    CHECK_EQ(wb_http_parser_feed(&p, (const uint8_t *)two, strlen(two), &used, NULL), WB_HTTP_DONE);
    CHECK_EQ(used, strlen("GET /a HTTP/1.1\r\nHost: h\r\n\r\n"));
    /* a completed parser takes nothing more until next */
    size_t again;
    CHECK_EQ(wb_http_parser_feed(&p, (const uint8_t *)two + used, 5, &again, NULL), WB_HTTP_DONE);
    CHECK_EQ(again, 0);
    wb_http_parser_free(&p);
}

static void test_http_request_upgrade_leaves_websocket_bytes(void) {
    const char *req = "GET /ws/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive, Upgrade\r\n"
                      "Upgrade: websocket\r\nOrigin: https://web.whatsapp.com\r\n\r\n\x82\x85";
    wb_http_parser p;
    wb_http_parser_init(&p, WB_HTTP_REQUEST, NULL);
    size_t used;
    CHECK_EQ(wb_http_parser_feed(&p, (const uint8_t *)req, strlen(req), &used, NULL), WB_HTTP_DONE);
    CHECK_EQ(used, strlen(req) - 2);
    CHECK(p.msg.upgrade);
    CHECK_STR(wb_http_msg_header(&p.msg, "origin"), "https://web.whatsapp.com");
    CHECK(wb_http_msg_has_token(&p.msg, "Connection", "upgrade"));
    CHECK(!wb_http_msg_has_token(&p.msg, "Connection", "close"));
    wb_http_msg taken;
    CHECK_EQ(wb_http_parser_take(&p, &taken), 0);
    CHECK_STR(taken.path, "/ws/chat");
    CHECK_EQ(wb_http_parser_take(&p, &taken) == WB_ESTATE, 1);
    wb_http_msg_free(&taken);
    wb_http_parser_free(&p);
}

static void test_http_request_skips_leading_empty_lines_and_reads_absolute_form(void) {
    summary s = parse_all_ways(WB_HTTP_REQUEST, NULL,
                               "\r\n\r\nGET http://example.com:80/p/q?z HTTP/1.1\r\nHost: example.com\r\n\r\n"
                               "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
                               0, 0);
    CHECK_EQ(s.n, 2);
    CHECK(strncmp(s.msg[0], "GET http://example.com:80/p/q?z|/p/q|z ", 39) == 0);
    CHECK(strncmp(s.msg[1], "OPTIONS *|*| ", 13) == 0);
}

static void test_http_request_expect_continue_and_connection_close(void) {
    summary s = parse_all_ways(WB_HTTP_REQUEST, NULL,
                               "PUT /f HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nConnection: close\r\n"
                               "Content-Length: 0\r\n\r\n",
                               0, 0);
    CHECK_EQ(s.n, 1);
    CHECK(strstr(s.msg[0], "ka0 up0 ch0 ex1") != NULL);
}

/* One rejection: the error code and the status a server answers with. */
static void expect_reject(const char *text, const wb_http_limits *lim, int err, int status) {
    summary s = parse_all_ways(WB_HTTP_REQUEST, lim, text, 0, 0);
    if (s.err != err || s.status != status)
        fprintf(stderr, "for %.60s: got err %d status %d\n", text, s.err, s.status);
    CHECK_EQ(s.err, err);
    CHECK_EQ(s.status, status);
    CHECK_EQ(s.n, 0);
}

static void test_http_request_rejects_malformed_heads_with_400(void) {
    expect_reject("GET / HTTP/1.1\nHost: h\r\n\r\n", NULL, WB_EMALFORMED, 400);           /* bare LF */
    expect_reject("GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n", NULL, WB_EMALFORMED, 400);   /* bare CR */
    expect_reject("GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n", NULL, WB_EMALFORMED, 400);
    expect_reject("GET / HTTP/1.1\r\nHost : h\r\n\r\n", NULL, WB_EMALFORMED, 400);
    expect_reject("GET / HTTP/1.1\r\nNoColon\r\n\r\n", NULL, WB_EMALFORMED, 400);
    expect_reject("GET / HTTP/1.1\r\n: v\r\nHost: h\r\n\r\n", NULL, WB_EMALFORMED, 400);
    expect_reject("GET / HTTP/1.1\r\nHost: h\x01\r\n\r\n", NULL, WB_EMALFORMED, 400);
    expect_reject("GET  / HTTP/1.1\r\nHost: h\r\n\r\n", NULL, WB_EMALFORMED, 400);
    expect_reject("G(T / HTTP/1.1\r\nHost: h\r\n\r\n", NULL, WB_EMALFORMED, 400);
    expect_reject("GET /a b HTTP/1.1\r\nHost: h\r\n\r\n", NULL, WB_EMALFORMED, 400);
    expect_reject("GET / HTTP/1.1 \r\nHost: h\r\n\r\n", NULL, WB_EMALFORMED, 400);
    expect_reject("GET / FTP/1.1\r\nHost: h\r\n\r\n", NULL, WB_EMALFORMED, 400);
    expect_reject("GET noslash HTTP/1.1\r\nHost: h\r\n\r\n", NULL, WB_EMALFORMED, 400);
    expect_reject("GET /\xff HTTP/1.1\r\nHost: h\r\n\r\n", NULL, WB_EMALFORMED, 400);
    expect_reject("GET / HTTP/1.1\r\n\r\n", NULL, WB_EMALFORMED, 400);                    /* no Host */
    expect_reject("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", NULL, WB_EMALFORMED, 400);
}

static void test_http_request_rejects_nul_byte(void) {
    const char req[] = "GET / HTTP/1.1\r\nHost: h\r\nX: a\0b\r\n\r\n";
    summary s = parse_split(WB_HTTP_REQUEST, NULL, req, sizeof req - 1, NULL, 0, 0, 0);
    CHECK_EQ(s.err, WB_EMALFORMED);
    CHECK_EQ(s.status, 400);
}

static void test_http_request_rejects_ambiguous_framing(void) {
    expect_reject("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
                  NULL, WB_EMALFORMED, 400);
    expect_reject("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
                  NULL, WB_EMALFORMED, 400);
    expect_reject("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 4\r\n\r\nabcd", NULL,
                  WB_EMALFORMED, 400);
    expect_reject("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", NULL, WB_EMALFORMED, 400);
    expect_reject("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x10\r\n\r\n", NULL, WB_EMALFORMED, 400);
    expect_reject("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", NULL,
                  WB_EUNSUPPORTED, 501);
    expect_reject("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", NULL,
                  WB_EMALFORMED, 400);
    expect_reject("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", NULL, WB_EMALFORMED, 400);
    expect_reject("GET / HTTP/2.0\r\nHost: h\r\n\r\n", NULL, WB_EUNSUPPORTED, 505);
    /* equal repeated lengths are one length */
    summary s = parse_all_ways(WB_HTTP_REQUEST, NULL,
                               "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 3\r\n"
                               "Content-Length: 3\r\n\r\nabc",
                               0, 0);
    CHECK_EQ(s.n, 1);
    CHECK(strstr(s.msg[0], "body3:abc") != NULL);
}

static void test_http_request_rejects_bad_chunked_framing(void) {
    const char *h = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
    const char *bodies[] = {
        "g\r\n",                /* not hex */
        "\r\n",                 /* empty size */
        "5 x\r\nhello\r\n0\r\n\r\n", /* junk after size */
        "5\r\nhelloXY0\r\n\r\n", /* data not followed by CRLF */
        "5\nhello\r\n0\r\n\r\n", /* bare LF */
        "0\r\nnocolon\r\n\r\n", /* bad trailer */
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, "%s%s", h, bodies[i]);
        expect_reject(text, NULL, WB_EMALFORMED, 400);
    }
}

static void test_http_request_limits_give_413_414_431(void) {
    wb_http_limits lim = {256, 4, 10, 0};
    char text[2048];
    snprintf(text, sizeof text, "GET /%0300d HTTP/1.1\r\nHost: h\r\n\r\n", 0);
    expect_reject(text, &lim, WB_ETOOBIG, 414);
    snprintf(text, sizeof text, "GET / HTTP/1.1\r\nHost: h\r\nX: %0300d\r\n\r\n", 0);
    expect_reject(text, &lim, WB_ETOOBIG, 431);
    expect_reject("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", &lim, WB_ETOOBIG, 431);
    expect_reject("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", &lim, WB_ETOOBIG, 413);
    expect_reject("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999\r\n\r\n", &lim,
                  WB_ETOOBIG, 413);
    expect_reject("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n5\r\nabcde\r\n",
                  &lim, WB_ETOOBIG, 413);
    expect_reject("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
                  &lim, WB_ETOOBIG, 413);
    /* exactly at the limits passes */
    summary s = parse_all_ways(WB_HTTP_REQUEST, &lim,
                               "POST / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nContent-Length: 10\r\n\r\n0123456789",
                               0, 0);
    CHECK_EQ(s.n, 1);
    CHECK_EQ(s.err, 0);
}

static void test_http_request_error_reports_offset(void) {
    wb_http_parser p;
    wb_http_parser_init(&p, WB_HTTP_REQUEST, NULL);
    const char *req = "GET / HTTP/1.1\r\nHost: h\r\nBad Name: v\r\n\r\n";
    size_t used;
    wb_error e;
    CHECK_EQ(wb_http_parser_feed(&p, (const uint8_t *)req, strlen(req), &used, &e), WB_EMALFORMED);
    CHECK_EQ(e.offset, strlen("GET / HTTP/1.1\r\nHost: h\r\nBad"));
    CHECK(strstr(e.what, "token") != NULL);
    /* a failed parser keeps failing */
    CHECK_EQ(wb_http_parser_feed(&p, (const uint8_t *)"x", 1, &used, NULL), WB_EMALFORMED);
    CHECK_EQ(used, 0);
    wb_http_parser_free(&p);
}

static void test_http_response_framings(void) {
    summary s = parse_all_ways(WB_HTTP_RESPONSE, NULL,
                               "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"
                               "HTTP/1.1 204 No Content\r\n\r\n"
                               "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
                               "HTTP/1.0 404\r\n\r\ntill the end",
                               0, 1);
    CHECK_EQ(s.err, 0);
    CHECK_EQ(s.n, 4);
    CHECK(strstr(s.msg[0], "st200 ka1") && strstr(s.msg[0], "body2:hi"));
    CHECK(strstr(s.msg[1], "st204") && strstr(s.msg[1], "body0:"));
    CHECK(strstr(s.msg[2], "ch1") && strstr(s.msg[2], "body3:abc"));
    CHECK(strstr(s.msg[3], "v10 st404 ka0") && strstr(s.msg[3], "body12:till the end"));
}

static void test_http_response_skips_interim_and_stops_after_101(void) {
    const char *text = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                       "Connection: Upgrade\r\n\r\n\x81\x02hi";
    wb_http_parser p;
    wb_http_parser_init(&p, WB_HTTP_RESPONSE, NULL);
    size_t used;
    CHECK_EQ(wb_http_parser_feed(&p, (const uint8_t *)text, strlen(text), &used, NULL), WB_HTTP_DONE);
    CHECK_EQ(p.msg.status, 101);
    CHECK_STR(p.msg.reason, "Switching Protocols");
    CHECK_EQ(strlen(text) - used, 4);
    wb_http_parser_free(&p);
}

static void test_http_response_to_head_has_no_body(void) {
    summary s = parse_all_ways(WB_HTTP_RESPONSE, NULL,
                               "HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n", 1, 0);
    CHECK_EQ(s.n, 1);
    CHECK(strstr(s.msg[0], "body0:") != NULL);
}

static void test_http_response_truncation_is_an_error_at_eof(void) {
    summary s = parse_split(WB_HTTP_RESPONSE, NULL, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab", 40,
                            NULL, 0, 0, 1);
    CHECK_EQ(s.err, WB_ETRUNC);
    s = parse_split(WB_HTTP_RESPONSE, NULL, "HTTP/1.1 200", 12, NULL, 0, 0, 1);
    CHECK_EQ(s.err, WB_ETRUNC);
    s = parse_split(WB_HTTP_RESPONSE, NULL, "", 0, NULL, 0, 0, 1);
    CHECK_EQ(s.err, 0);
    CHECK_EQ(s.n, 0);
}

static void test_http_response_rejects_bad_status_lines(void) {
    const char *bad[] = {"HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1  200 OK\r\n\r\n",
                         "HTTX/1.1 200 OK\r\n\r\n", "HTTP/1.1 200 O\x01K\r\n\r\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        summary s = parse_all_ways(WB_HTTP_RESPONSE, NULL, bad[i], 0, 0);
        CHECK_EQ(s.err, WB_EMALFORMED);
    }
    summary s = parse_all_ways(WB_HTTP_RESPONSE, NULL, "HTTP/3.0 200 OK\r\n\r\n", 0, 0);
    CHECK_EQ(s.err, WB_EUNSUPPORTED);
}

static void test_http_query_get_decodes_values(void) {
    wb_buf v = WB_BUF_INIT;
    CHECK_EQ(wb_http_query_get("auth=a%2Bb%3D&token=x+y&empty=&flag", "auth", &v), 1);
    CHECK_EQ(v.len, 4);
    CHECK_MEM(v.data, "a+b=", 4);
    wb_buf_reset(&v);
    CHECK_EQ(wb_http_query_get("auth=a%2Bb%3D&token=x+y&empty=&flag", "token", &v), 1);
    CHECK_MEM(v.data, "x y", 3);
    wb_buf_reset(&v);
    CHECK_EQ(wb_http_query_get("auth=1&empty=&flag", "empty", &v), 1);
    CHECK_EQ(v.len, 0);
    CHECK_EQ(wb_http_query_get("auth=1&empty=&flag", "flag", &v), 1);
    CHECK_EQ(wb_http_query_get("auth=1&empty=&flag", "nope", &v), 0);
    CHECK_EQ(wb_http_query_get("a=%zz", "a", &v), WB_EMALFORMED);
    CHECK_EQ(wb_http_query_get("a=%4", "a", &v), WB_EMALFORMED);
    CHECK_EQ(wb_http_query_get("", "a", &v), 0);
    wb_buf_free(&v);
}

static void test_http_writers_frame_and_refuse_injection(void) {
    wb_buf b = WB_BUF_INIT;
    wb_http_header h[] = {{"Content-Type", "application/json"}};
    CHECK_EQ(wb_http_write_response_head(&b, 200, h, 1, 2, 1), 0);
    wb_buf_append(&b, "{}", 2);
    wb_buf_put_u8(&b, 0);
    CHECK_STR((const char *)b.data, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                    "Content-Length: 2\r\nConnection: close\r\n\r\n{}");
    wb_buf_reset(&b);
    CHECK_EQ(wb_http_write_response_head(&b, 204, NULL, 0, 0, 0), 0);
    wb_buf_put_u8(&b, 0);
    CHECK_STR((const char *)b.data, "HTTP/1.1 204 No Content\r\n\r\n");
    wb_buf_reset(&b);
    wb_http_header evil[] = {{"X", "a\r\nInjected: 1"}};
    CHECK_EQ(wb_http_write_response_head(&b, 200, evil, 1, 0, 0), WB_EINVAL);
    CHECK_EQ(b.len, 0);
    wb_http_header evil2[] = {{"X Y", "a"}};
    CHECK_EQ(wb_http_write_request(&b, "GET", "/", "h", evil2, 1, NULL, 0), WB_EINVAL);
    CHECK_EQ(wb_http_write_request(&b, "GET", "/a b", "h", NULL, 0, NULL, 0), WB_EINVAL);
    CHECK_EQ(wb_http_write_request(&b, "GET", "/", "h\r\nX: y", NULL, 0, NULL, 0), WB_EINVAL);
    CHECK_EQ(b.len, 0);
    CHECK_EQ(wb_http_write_request(&b, "POST", "/up?x=1", "example.com:8443", h, 1, "abc", 3), 0);
    wb_buf_put_u8(&b, 0);
    CHECK_STR((const char *)b.data, "POST /up?x=1 HTTP/1.1\r\nHost: example.com:8443\r\n"
                                    "Content-Type: application/json\r\nContent-Length: 3\r\n\r\nabc");
    /* what we write, we parse */
    wb_http_parser p;
    wb_http_parser_init(&p, WB_HTTP_REQUEST, NULL);
    size_t used;
    CHECK_EQ(wb_http_parser_feed(&p, b.data, b.len - 1, &used, NULL), WB_HTTP_DONE);
    CHECK_EQ(p.msg.body_len, 3);
    CHECK_STR(p.msg.query, "x=1");
    wb_http_parser_free(&p);
    wb_buf_free(&b);
    CHECK_STR(wb_http_reason(431), "Request Header Fields Too Large");
    CHECK_STR(wb_http_reason(799), "");
}

static void test_url_parses_the_four_schemes(void) {
    wb_url u;
    CHECK_EQ(wb_url_parse("wss://web.whatsapp.com/ws/chat", &u, NULL), 0);
    CHECK_STR(u.scheme, "wss");
    CHECK_STR(u.host, "web.whatsapp.com");
    CHECK_EQ(u.port, 443);
    CHECK(u.tls && u.websocket && !u.host_is_ip && !u.port_explicit);
    CHECK_STR(u.target, "/ws/chat");
    char host[300];
    CHECK_EQ(wb_url_host_header(&u, host, sizeof host), 16);
    CHECK_STR(host, "web.whatsapp.com");

    CHECK_EQ(wb_url_parse("ws://127.0.0.1:18765/ws/chat?ED=1#frag", &u, NULL), 0);
    CHECK_EQ(u.port, 18765);
    CHECK(u.host_is_ip && !u.tls);
    CHECK_STR(u.target, "/ws/chat?ED=1");
    wb_url_host_header(&u, host, sizeof host);
    CHECK_STR(host, "127.0.0.1:18765");

    CHECK_EQ(wb_url_parse("HTTPS://[::1]:8443", &u, NULL), 0);
    CHECK_STR(u.host, "::1");
    CHECK(u.host_is_ip);
    CHECK_STR(u.target, "/");
    wb_url_host_header(&u, host, sizeof host);
    CHECK_STR(host, "[::1]:8443");

    CHECK_EQ(wb_url_parse("http://Example.COM?q=1", &u, NULL), 0);
    CHECK_STR(u.host, "example.com");
    CHECK_STR(u.target, "/?q=1");
    CHECK_EQ(u.port, 80);
}

static void test_url_rejects_what_it_cannot_send(void) {
    wb_url u;
    wb_error e;
    CHECK_EQ(wb_url_parse("ftp://x/", &u, &e), WB_EUNSUPPORTED);
    CHECK_EQ(wb_url_parse("web.whatsapp.com/ws", &u, &e), WB_EMALFORMED);
    CHECK_EQ(wb_url_parse("wss://user:pw@host/", &u, &e), WB_EMALFORMED);
    CHECK_EQ(wb_url_parse("wss://host:0/", &u, &e), WB_EMALFORMED);
    CHECK_EQ(wb_url_parse("wss://host:65536/", &u, &e), WB_EMALFORMED);
    CHECK_EQ(wb_url_parse("wss://host:/", &u, &e), WB_EMALFORMED);
    CHECK_EQ(wb_url_parse("wss://host:12a/", &u, &e), WB_EMALFORMED);
    CHECK_EQ(wb_url_parse("wss:///path", &u, &e), WB_EMALFORMED);
    CHECK_EQ(wb_url_parse("wss://[::1/", &u, &e), WB_EMALFORMED);
    CHECK_EQ(wb_url_parse("wss://[nothex]/", &u, &e), WB_EMALFORMED);
    CHECK_EQ(wb_url_parse("wss://ho st/", &u, &e), WB_EMALFORMED);
    CHECK_EQ(wb_url_parse("wss://host/a b", &u, &e), WB_EMALFORMED);
    CHECK_EQ(wb_url_parse("wss://host/a\r\nX: y", &u, &e), WB_EMALFORMED);
    CHECK(strstr(e.what, "percent") != NULL);
}

/* Feeds text whole to a parser that stops at heads and streams bodies; returns the body put
 * together from its pieces (into out) and the last feed's result. */
static int stream_all(const char *text, const wb_http_limits *lim, wb_buf *out, wb_http_msg *head,
                      int *status) {
    wb_http_parser p;
    wb_http_parser_init(&p, WB_HTTP_REQUEST, lim);
    p.stop_at_head = 1;
    const uint8_t *d = (const uint8_t *)text;
    size_t n = strlen(text), used;
    int rc;
    for (;;) {
        rc = wb_http_parser_feed(&p, d, n, &used, NULL);
        d += used;
        n -= used;
        if (rc == WB_HTTP_HEAD) {
            if ((rc = wb_http_parser_stream(&p, 1, NULL)) < 0)
                break;
            CHECK_EQ(wb_http_parser_take_head(&p, head), 0);
            CHECK_EQ(wb_http_parser_take_head(&p, head), WB_ESTATE); /* once */
        } else if (rc == WB_HTTP_BODY) {
            CHECK(p.piece >= (const uint8_t *)text && p.piece + p.piece_len <= d);
            CHECK(wb_http_parser_held(&p) < 256); /* nothing of the body is held */
            wb_buf_append(out, p.piece, p.piece_len);
        } else {
            break;
        }
    }
    *status = p.status;
    if (rc == WB_HTTP_DONE)
        CHECK(p.msg.body_len == 0);
    wb_http_parser_free(&p);
    return rc;
}

static void test_http_request_body_in_pieces(void) {
    wb_http_limits lim = {0, 0, 10, 100}; /* buffered bodies up to 10 bytes, streamed 100 */
    wb_buf b = WB_BUF_INIT;
    wb_http_msg head = {0};
    int status;
    CHECK_EQ(stream_all("POST /a?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 50\r\n\r\n"
                        "0123456789012345678901234567890123456789012345678X",
                        &lim, &b, &head, &status), WB_HTTP_DONE);
    CHECK(b.len == 50 && b.data[49] == 'X');
    CHECK(head.body_follows && !head.body && strcmp(head.path, "/a") == 0 &&
          strcmp(head.query, "x=1") == 0);
    wb_http_msg_free(&head);
    wb_buf_reset(&b);
    CHECK_EQ(stream_all("POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "3\r\nabc\r\n2;e=1\r\nde\r\n0\r\n\r\n", &lim, &b, &head, &status),
             WB_HTTP_DONE);
    CHECK(b.len == 5 && memcmp(b.data, "abcde", 5) == 0 && head.chunked);
    wb_http_msg_free(&head);
    wb_buf_reset(&b);
    /* over the streamed limit: 413, declared or chunked */
    CHECK_EQ(stream_all("POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 101\r\n\r\n", &lim, &b,
                        &head, &status), WB_ETOOBIG);
    CHECK_EQ(status, 413);
    CHECK_EQ(stream_all("POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "65\r\n", &lim, &b, &head, &status), WB_ETOOBIG);
    CHECK_EQ(status, 413);
    wb_http_msg_free(&head);
    /* buffered, the smaller limit holds: 50 bytes are refused whether chosen or defaulted */
    wb_http_parser p;
    wb_http_parser_init(&p, WB_HTTP_REQUEST, &lim);
    p.stop_at_head = 1;
    const char *t = "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 50\r\n\r\n";
    size_t used;
    CHECK_EQ(wb_http_parser_feed(&p, (const uint8_t *)t, strlen(t), &used, NULL), WB_HTTP_HEAD);
    CHECK_EQ(wb_http_parser_stream(&p, 0, NULL), WB_ETOOBIG);
    CHECK_EQ(p.status, 413);
    wb_http_parser_free(&p);
    wb_http_parser_init(&p, WB_HTTP_REQUEST, &lim);
    CHECK_EQ(wb_http_parser_feed(&p, (const uint8_t *)t, strlen(t), &used, NULL), WB_HTTP_MORE);
    CHECK_EQ(wb_http_parser_feed(&p, (const uint8_t *)"x", 1, &used, NULL), WB_ETOOBIG);
    CHECK_EQ(wb_http_parser_stream(&p, 1, NULL), WB_ESTATE); /* too late to choose */
    wb_http_parser_free(&p);
    wb_buf_free(&b);
}

int main(void) {
    RUN(test_http_request_get_with_headers);
    RUN(test_http_request_content_length_body);
    RUN(test_http_request_chunked_body_with_extensions_and_trailers);
    RUN(test_http_request_pipelined_messages_stop_at_each_end);
    RUN(test_http_request_upgrade_leaves_websocket_bytes);
    RUN(test_http_request_skips_leading_empty_lines_and_reads_absolute_form);
    RUN(test_http_request_expect_continue_and_connection_close);
    RUN(test_http_request_rejects_malformed_heads_with_400);
    RUN(test_http_request_rejects_nul_byte);
    RUN(test_http_request_rejects_ambiguous_framing);
    RUN(test_http_request_rejects_bad_chunked_framing);
    RUN(test_http_request_limits_give_413_414_431);
    RUN(test_http_request_error_reports_offset);
    RUN(test_http_response_framings);
    RUN(test_http_response_skips_interim_and_stops_after_101);
    RUN(test_http_response_to_head_has_no_body);
    RUN(test_http_response_truncation_is_an_error_at_eof);
    RUN(test_http_response_rejects_bad_status_lines);
    RUN(test_http_query_get_decodes_values);
    RUN(test_http_writers_frame_and_refuse_injection);
    RUN(test_http_request_body_in_pieces);
    RUN(test_url_parses_the_four_schemes);
    RUN(test_url_rejects_what_it_cannot_send);
    return check_summary();
}
