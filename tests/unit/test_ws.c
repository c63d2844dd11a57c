/* The websocket handshake (net/ws_handshake.h) and session (net/ws_session.h): the RFC 6455
 * example key, both handshake sides against each other, and a client and a server session
 * exchanging messages through scripted byte streams cut at awkward offsets; every protocol
 * violation closes with the RFC's code. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/buf.h"
#include "crypto/random.h"
#include "net/http.h"
#include "net/ws_handshake.h"
#include "net/ws_session.h"

/* ---- handshake ----------------------------------------------------------------------------- */

static void test_ws_accept_matches_rfc6455_example(void) {
    char accept[WB_WS_ACCEPT_LEN + 1];
    wb_ws_handshake_accept("dGhlIHNhbXBsZSBub25jZQ==", accept);
    CHECK_STR(accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

static int parse_one(wb_http_kind kind, const wb_buf *b, wb_http_parser *p) {
    size_t used;
    wb_http_parser_init(p, kind, NULL);
    return wb_http_parser_feed(p, b->data, b->len, &used, NULL);
}

static void test_ws_handshake_client_and_server_agree(void) {
    char key[WB_WS_KEY_LEN + 1], key2[WB_WS_KEY_LEN + 1];
    wb_ws_handshake_key(key);
    wb_ws_handshake_key(key2);
    CHECK_EQ(strlen(key), WB_WS_KEY_LEN);
    CHECK(strcmp(key, key2) != 0);
    wb_buf req = WB_BUF_INIT, res = WB_BUF_INIT;
    wb_http_header extra[] = {{"Cache-Control", "no-cache"}, {"Pragma", "no-cache"}};
    CHECK_EQ(wb_ws_handshake_write_request(&req, "/ws/chat", "web.whatsapp.com", key,
                                           "https://web.whatsapp.com", extra, 2),
             0);
    wb_http_parser p, q;
    CHECK_EQ(parse_one(WB_HTTP_REQUEST, &req, &p), WB_HTTP_DONE);
    CHECK_STR(wb_http_msg_header(&p.msg, "origin"), "https://web.whatsapp.com");
    CHECK_STR(wb_http_msg_header(&p.msg, "pragma"), "no-cache");
    char accept[WB_WS_ACCEPT_LEN + 1];
    int status = 0;
    CHECK_EQ(wb_ws_handshake_check_request(&p.msg, accept, &status, NULL), 0);
    CHECK_EQ(wb_ws_handshake_write_response(&res, accept, NULL, 0), 0);
    CHECK_EQ(parse_one(WB_HTTP_RESPONSE, &res, &q), WB_HTTP_DONE);
    CHECK_EQ(q.msg.status, 101);
    CHECK_EQ(wb_ws_handshake_check_response(&q.msg, key, NULL), 0);
    wb_error e;
    CHECK_EQ(wb_ws_handshake_check_response(&q.msg, key2, &e), WB_EPROTO);
    CHECK(strstr(e.what, "Accept") != NULL);
    wb_http_parser_free(&p);
    wb_http_parser_free(&q);
    wb_buf_free(&req);
    wb_buf_free(&res);
}

/* Checks one request text; returns the status it would be refused with, 0 if accepted. */
static int request_status(const char *text) {
    wb_http_parser p;
    wb_http_parser_init(&p, WB_HTTP_REQUEST, NULL);
    size_t used;
    int st = -1;
    if (wb_http_parser_feed(&p, (const uint8_t *)text, strlen(text), &used, NULL) == WB_HTTP_DONE) {
        char accept[WB_WS_ACCEPT_LEN + 1];
        wb_error e;
        st = 0;
        if (wb_ws_handshake_check_request(&p.msg, accept, &st, &e) == 0)
            st = 0;
    }
    wb_http_parser_free(&p);
    return st;
}

#define WS_OK "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
#define WS_KEY "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"

static void test_ws_handshake_request_checks(void) {
    CHECK_EQ(request_status("GET /ws HTTP/1.1\r\nHost: h\r\n" WS_OK WS_KEY "\r\n"), 0);
    /* node's ws: lowercase values, keep-alive in the list, an extension offer we ignore */
    CHECK_EQ(request_status("GET /ws HTTP/1.1\r\nHost: h\r\nconnection: keep-alive, upgrade\r\n"
                            "upgrade: WebSocket\r\nsec-websocket-version: 13\r\n" WS_KEY
                            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"),
             0);
    CHECK_EQ(request_status("POST /ws HTTP/1.1\r\nHost: h\r\n" WS_OK WS_KEY "Content-Length: 0\r\n\r\n"), 400);
    CHECK_EQ(request_status("GET /ws HTTP/1.0\r\nHost: h\r\n" WS_OK WS_KEY "\r\n"), 400);
    CHECK_EQ(request_status("GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\n"
                            "Sec-WebSocket-Version: 13\r\n" WS_KEY "\r\n"),
             400);
    CHECK_EQ(request_status("GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
                            "Sec-WebSocket-Version: 13\r\n" WS_KEY "\r\n"),
             400);
    CHECK_EQ(request_status("GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            "Sec-WebSocket-Version: 8\r\n" WS_KEY "\r\n"),
             426);
    CHECK_EQ(request_status("GET /ws HTTP/1.1\r\nHost: h\r\n" WS_OK "\r\n"), 400);
    CHECK_EQ(request_status("GET /ws HTTP/1.1\r\nHost: h\r\n" WS_OK WS_KEY WS_KEY "\r\n"), 400);
    CHECK_EQ(request_status("GET /ws HTTP/1.1\r\nHost: h\r\n" WS_OK "Sec-WebSocket-Key: c2hvcnQ=\r\n\r\n"), 400);
    CHECK_EQ(request_status("GET /ws HTTP/1.1\r\nHost: h\r\n" WS_OK
                            "Sec-WebSocket-Key: !!!!!!!!!!!!!!!!!!!!!!!!\r\n\r\n"),
             400);
}

static int response_ok(const char *text, const char *key) {
    wb_http_parser p;
    wb_http_parser_init(&p, WB_HTTP_RESPONSE, NULL);
    size_t used;
    int rc = wb_http_parser_feed(&p, (const uint8_t *)text, strlen(text), &used, NULL);
    if (rc == WB_HTTP_DONE)
        rc = wb_ws_handshake_check_response(&p.msg, key, NULL);
    wb_http_parser_free(&p);
    return rc;
}

static void test_ws_handshake_response_checks(void) {
    const char *key = "dGhlIHNhbXBsZSBub25jZQ==";
    CHECK_EQ(response_ok("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                         "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
                         key),
             0);
    CHECK_EQ(response_ok("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", key), WB_EPROTO);
    CHECK_EQ(response_ok("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                         "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
                         key),
             WB_EPROTO);
    CHECK_EQ(response_ok("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                         "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                         "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
                         key),
             WB_EPROTO);
}

/* ---- sessions -------------------------------------------------------------------------------- */

/* One endpoint: what it received and what it wants to send. */
typedef struct end {
    wb_ws_session *s;
    wb_buf out;       /* bytes for the other side */
    wb_buf last;      /* the last message received */
    size_t messages;
    uint64_t total;   /* bytes of all messages */
    int close_code;   /* from on_close */
    char reason[128];
    int echo;         /* send every message back */
} end;

static void on_output(void *ud, const uint8_t *d, size_t n) {
    wb_buf_append(&((end *)ud)->out, d, n);
}

static void on_message(void *ud, const uint8_t *d, size_t n) {
    end *e = ud;
    e->messages++;
    e->total += n;
    wb_buf_reset(&e->last);
    wb_buf_append(&e->last, d, n);
    if (e->echo)
        CHECK_EQ(wb_ws_session_send(e->s, d, n), 0);
}

static void on_close(void *ud, int code, const uint8_t *reason, size_t len) {
    end *e = ud;
    e->close_code = code;
    snprintf(e->reason, sizeof e->reason, "%.*s", (int)len, (const char *)reason);
}

static const wb_ws_session_callbacks cbs = {on_message, on_output, on_close};

static void end_init(end *e, wb_ws_role role, size_t max) {
    memset(e, 0, sizeof *e);
    CHECK_EQ(wb_ws_session_new(&e->s, role, max, &cbs, e), 0);
}

static void end_free(end *e) {
    wb_ws_session_free(e->s);
    wb_buf_free(&e->out);
    wb_buf_free(&e->last);
}

/* Moves from's output into to, in pieces of `piece` bytes (0 = all at once). Returns the last
 * feed result. */
static int deliver(end *from, end *to, size_t piece) {
    int rc = 0;
    wb_buf pending = from->out;
    wb_buf_init(&from->out);
    for (size_t off = 0; off < pending.len && rc == 0;) {
        size_t n = piece && pending.len - off > piece ? piece : pending.len - off;
        rc = wb_ws_session_feed(to->s, pending.data + off, n);
        off += n;
    }
    wb_buf_free(&pending);
    return rc;
}

/* Feeds bytes into an endpoint in pieces; returns the first error. */
static int deliver_bytes(end *to, const uint8_t *d, size_t n, size_t piece) {
    int rc = 0;
    for (size_t off = 0; off < n && rc == 0; off += piece)
        rc = wb_ws_session_feed(to->s, d + off, n - off < piece ? n - off : piece);
    return rc;
}

static void test_ws_session_messages_of_every_size_survive_any_split(void) {
    static const size_t sizes[] = {0, 1, 125, 126, 127, 65535, 65536, 70000, 1 << 20};
    static const size_t pieces[] = {0, 1, 2, 3, 7, 13, 4096, 4097, 65537};
    uint8_t *data = malloc(1 << 20);
    wb_random_bytes(data, 1 << 20);
    for (size_t pi = 0; pi < sizeof pieces / sizeof pieces[0]; pi++) {
        end c, s;
        end_init(&c, WB_WS_CLIENT, 0);
        end_init(&s, WB_WS_SERVER, 0);
        s.echo = 1;
        for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
            size_t n = sizes[si];
            if (pieces[pi] == 1 && n > 70000)
                continue; /* byte by byte through a megabyte adds nothing but time */
            CHECK_EQ(wb_ws_session_send(c.s, data, n), 0);
            CHECK_EQ(deliver(&c, &s, pieces[pi]), 0);
            CHECK_EQ(s.last.len, n);
            CHECK(n == 0 || memcmp(s.last.data, data, n) == 0);
            CHECK_EQ(deliver(&s, &c, pieces[pi]), 0);
            CHECK_EQ(c.last.len, n);
            CHECK(n == 0 || memcmp(c.last.data, data, n) == 0);
        }
        CHECK_EQ(c.messages, s.messages);
        end_free(&c);
        end_free(&s);
    }
    free(data);
}

static void test_ws_session_many_messages_in_one_read(void) {
    end c, s;
    end_init(&c, WB_WS_CLIENT, 0);
    end_init(&s, WB_WS_SERVER, 0);
    for (int i = 0; i < 1000; i++) {
        uint8_t m[8];
        memcpy(m, &i, sizeof i);
        memcpy(m + 4, "abcd", 4);
        CHECK_EQ(wb_ws_session_send(c.s, m, sizeof m), 0);
    }
    CHECK_EQ(deliver(&c, &s, 0), 0);
    CHECK_EQ(s.messages, 1000);
    CHECK_EQ(s.total, 8000);
    end_free(&c);
    end_free(&s);
}

static void test_ws_session_close_handshake_both_ways(void) {
    end c, s;
    end_init(&c, WB_WS_CLIENT, 0);
    end_init(&s, WB_WS_SERVER, 0);
    CHECK_EQ(wb_ws_session_close(c.s, 1000, "bye"), 0);
    CHECK(wb_ws_session_close_sent(c.s));
    CHECK_EQ(wb_ws_session_send(c.s, (const uint8_t *)"x", 1), WB_ECLOSED);
    CHECK_EQ(wb_ws_session_close(c.s, 1000, NULL), WB_ECLOSED);
    CHECK_EQ(deliver(&c, &s, 1), 0);
    CHECK_EQ(s.close_code, 1000);
    CHECK_STR(s.reason, "bye");
    CHECK(wb_ws_session_finished(s.s)); /* the server answered at once */
    CHECK_EQ(wb_ws_session_code_received(s.s), 1000);
    CHECK_EQ(deliver(&s, &c, 0), 0);
    CHECK_EQ(c.close_code, 1000);
    CHECK(wb_ws_session_finished(c.s));
    /* bytes after the close are refused */
    CHECK_EQ(wb_ws_session_feed(s.s, (const uint8_t *)"\x82\x80", 2), WB_ECLOSED);
    end_free(&c);
    end_free(&s);

    /* Baileys' ws.close() sends a close frame without a code: reported as 1005 */
    end_init(&c, WB_WS_CLIENT, 0);
    end_init(&s, WB_WS_SERVER, 0);
    CHECK_EQ(wb_ws_session_feed(s.s, (const uint8_t *)"\x88\x80\x01\x02\x03\x04", 6), 0);
    CHECK_EQ(s.close_code, WB_WS_CLOSE_NO_STATUS);
    CHECK(wb_ws_session_finished(s.s));
    end_free(&c);
    end_free(&s);
}

static void test_ws_session_answers_pings_and_ignores_text(void) {
    end c, s;
    end_init(&c, WB_WS_CLIENT, 0);
    end_init(&s, WB_WS_SERVER, 0);
    CHECK_EQ(wb_ws_session_ping(c.s, (const uint8_t *)"hb", 2), 0);
    CHECK_EQ(deliver(&c, &s, 1), 0);
    CHECK_EQ(s.out.len, 4); /* an unmasked pong carrying "hb" */
    CHECK_MEM(s.out.data, "\x8a\x02hb", 4);
    CHECK_EQ(deliver(&s, &c, 0), 0);
    /* a masked text frame "hi" from the client: ignored, not an error */
    CHECK_EQ(wb_ws_session_feed(s.s, (const uint8_t *)"\x81\x82\x00\x00\x00\x00hi", 8), 0);
    CHECK_EQ(s.messages, 0);
    CHECK_EQ(wb_ws_session_text_ignored(s.s), 1);
    CHECK_EQ(wb_ws_session_ping(c.s, NULL, 126), WB_EINVAL);
    end_free(&c);
    end_free(&s);
}

static void test_ws_session_reassembles_fragments_with_interleaved_ping(void) {
    end s;
    end_init(&s, WB_WS_SERVER, 0);
    /* binary "ab" (FIN=0), ping, continuation "cd" (FIN=1); zero masks keep the bytes readable */
    const uint8_t frames[] = {0x02, 0x82, 0, 0, 0, 0, 'a', 'b', 0x89, 0x80, 0, 0, 0, 0,
                              0x80, 0x82, 0, 0, 0, 0, 'c', 'd'};
    for (size_t cut = 0; cut <= sizeof frames; cut++) {
        wb_buf_reset(&s.last);
        s.messages = 0;
        CHECK_EQ(wb_ws_session_feed(s.s, frames, cut), 0);
        CHECK_EQ(wb_ws_session_feed(s.s, frames + cut, sizeof frames - cut), 0);
        CHECK_EQ(s.messages, 1);
        CHECK_EQ(s.last.len, 4);
        CHECK_MEM(s.last.data, "abcd", 4);
    }
    end_free(&s);
}

static void test_ws_session_reassembles_a_message_of_2000_one_byte_fragments(void) {
    end s;
    end_init(&s, WB_WS_SERVER, 0);
    wb_buf in = WB_BUF_INIT;
    for (int i = 0; i < 2000; i++) {
        uint8_t f[7] = {(uint8_t)((i == 1999 ? 0x80 : 0) | (i == 0 ? 0x02 : 0x00)), 0x81, 0, 0, 0, 0,
                        (uint8_t)i};
        wb_buf_append(&in, f, sizeof f);
    }
    CHECK_EQ(deliver_bytes(&s, in.data, in.len, 333), 0);
    CHECK_EQ(s.messages, 1);
    CHECK_EQ(s.last.len, 2000);
    int ok = s.last.len == 2000;
    for (int i = 0; ok && i < 2000; i++)
        ok = s.last.data[i] == (uint8_t)i;
    CHECK(ok);
    wb_buf_free(&in);
    end_free(&s);
}

/* Feeds bad bytes to a fresh server; checks the error and the close code it sent. */
static void expect_close(wb_ws_role role, size_t max, const uint8_t *bytes, size_t n, int rc, int code) {
    end e;
    end_init(&e, role, max);
    int got = wb_ws_session_feed(e.s, bytes, n);
    if (got != rc || wb_ws_session_code_sent(e.s) != code)
        fprintf(stderr, "  feed gave %d code %d (%zu bytes, first %02x)\n", got, wb_ws_session_code_sent(e.s), n, bytes[0]);
    CHECK_EQ(got, rc);
    CHECK_EQ(wb_ws_session_code_sent(e.s), code);
    CHECK(wb_ws_session_finished(e.s));
    /* the close frame is on the wire, with the code in network order */
    size_t hdr = role == WB_WS_CLIENT ? 6 : 2;
    CHECK(e.out.len >= hdr + 2);
    if (e.out.len >= hdr + 2 && role == WB_WS_SERVER) {
        CHECK_EQ(e.out.data[0], 0x88);
        CHECK_EQ((e.out.data[2] << 8) | e.out.data[3], code);
    }
    CHECK_EQ(wb_ws_session_send(e.s, (const uint8_t *)"x", 1), WB_ECLOSED);
    CHECK_EQ(wb_ws_session_feed(e.s, bytes, n), rc); /* stays failed */
    end_free(&e);
}

static void test_ws_session_protocol_errors_close_with_rfc_codes(void) {
    /* an unmasked frame from a client */
    expect_close(WB_WS_SERVER, 0, (const uint8_t *)"\x82\x01x", 3, WB_EPROTO, 1002);
    /* a masked frame from a server */
    expect_close(WB_WS_CLIENT, 0, (const uint8_t *)"\x82\x81\0\0\0\0x", 7, WB_EPROTO, 1002);
    /* reserved opcode 3 */
    expect_close(WB_WS_SERVER, 0, (const uint8_t *)"\x83\x80\0\0\0\0", 6, WB_EPROTO, 1002);
    /* RSV1 without an extension */
    expect_close(WB_WS_SERVER, 0, (const uint8_t *)"\xc2\x80\0\0\0\0", 6, WB_EPROTO, 1002);
    /* a continuation with nothing to continue */
    expect_close(WB_WS_SERVER, 0, (const uint8_t *)"\x80\x80\0\0\0\0", 6, WB_EPROTO, 1002);
    /* a new data frame inside a fragmented message */
    expect_close(WB_WS_SERVER, 0, (const uint8_t *)"\x02\x80\0\0\0\0\x82\x80\0\0\0\0", 12, WB_EPROTO, 1002);
    /* a fragmented ping and a ping over 125 bytes: wslay's header check, 1002 written by us */
    expect_close(WB_WS_SERVER, 0, (const uint8_t *)"\x09\x80\0\0\0\0", 6, WB_EPROTO, 1002);
    expect_close(WB_WS_SERVER, 0, (const uint8_t *)"\x89\xfe\x00\x7e\0\0\0\0", 8, WB_EPROTO, 1002);
    expect_close(WB_WS_CLIENT, 0, (const uint8_t *)"\x89\x7e\x00\x7e", 4, WB_EPROTO, 1002);
    /* a 16-bit length that fits in 7 bits; a 64-bit length with the top bit set */
    expect_close(WB_WS_SERVER, 0, (const uint8_t *)"\x82\xfe\x00\x05\0\0\0\0", 8, WB_EPROTO, 1002);
    expect_close(WB_WS_SERVER, 0, (const uint8_t *)"\x82\xff\x80\0\0\0\0\0\0\0", 10, WB_EPROTO, 1002);
    /* a close frame with a code that may not be sent */
    expect_close(WB_WS_SERVER, 0, (const uint8_t *)"\x88\x82\0\0\0\0\x03\xed", 8, WB_EPROTO, 1002);
    /* a close frame with a one-byte payload */
    expect_close(WB_WS_SERVER, 0, (const uint8_t *)"\x88\x81\0\0\0\0\x03", 7, WB_EPROTO, 1002);
    /* invalid UTF-8 in a text message */
    expect_close(WB_WS_SERVER, 0, (const uint8_t *)"\x81\x82\0\0\0\0\xc3\x28", 8, WB_EPROTO, 1007);
    /* a message over the limit, detected at its first payload byte */
    expect_close(WB_WS_SERVER, 100, (const uint8_t *)"\x82\xfe\x00\xc8\0\0\0\0x", 9, WB_ETOOBIG, 1009);
    /* and across fragments */
    expect_close(WB_WS_SERVER, 100,
                 (const uint8_t *)"\x02\xc0\0\0\0\0"
                                  "0123456789012345678901234567890123456789012345678901234567890123"
                                  "\x80\xc0\0\0\0\0x",
                 77, WB_ETOOBIG, 1009);
}

/* A close frame is judged the same however TCP cuts it: wslay checks a close reason's UTF-8 per
 * piece, so the session hands it control frames whole (ws_session.c). */
static void test_ws_session_close_reason_is_judged_whole_however_it_is_cut(void) {
    /* code 1000, reason "été" in UTF-8; then the same with a bad byte in the reason */
    const uint8_t good[] = {0x88, 0x87, 0, 0, 0, 0, 0x03, 0xe8, 0xc3, 0xa9, 't', 0xc3, 0xa9};
    const uint8_t bad[] = {0x88, 0x87, 0, 0, 0, 0, 0x03, 0xe8, 0xc3, 0xa9, 't', 0xf8, 0xa9};
    for (size_t cut = 0; cut <= sizeof good; cut++) {
        for (int which = 0; which < 2; which++) {
            const uint8_t *f = which ? bad : good;
            end e;
            end_init(&e, WB_WS_SERVER, 0);
            int a = wb_ws_session_feed(e.s, f, cut);
            int b = a < 0 ? a : wb_ws_session_feed(e.s, f + cut, sizeof good - cut);
            if (which) {
                CHECK_EQ(b, WB_EPROTO);
                CHECK_EQ(wb_ws_session_code_sent(e.s), 1007);
            } else {
                CHECK_EQ(a, 0);
                CHECK_EQ(b, 0);
                CHECK_EQ(e.close_code, 1000);
                CHECK_STR(e.reason, "\xc3\xa9t\xc3\xa9");
            }
            end_free(&e);
        }
    }
}

static void test_ws_session_limit_allows_exactly_max(void) {
    end c, s;
    end_init(&c, WB_WS_CLIENT, 0);
    end_init(&s, WB_WS_SERVER, 1000);
    uint8_t buf[1000] = {0};
    CHECK_EQ(wb_ws_session_send(c.s, buf, sizeof buf), 0);
    CHECK_EQ(deliver(&c, &s, 100), 0);
    CHECK_EQ(s.messages, 1);
    end_free(&c);
    end_free(&s);
}

static void test_ws_session_close_argument_checks(void) {
    end c;
    end_init(&c, WB_WS_CLIENT, 0);
    char long_reason[200];
    memset(long_reason, 'r', sizeof long_reason - 1);
    long_reason[199] = 0;
    CHECK_EQ(wb_ws_session_close(c.s, 1005, NULL), WB_EINVAL);
    CHECK_EQ(wb_ws_session_close(c.s, 1006, NULL), WB_EINVAL);
    CHECK_EQ(wb_ws_session_close(c.s, 999, NULL), WB_EINVAL);
    CHECK_EQ(wb_ws_session_close(c.s, 5000, NULL), WB_EINVAL);
    CHECK_EQ(wb_ws_session_close(c.s, 1000, long_reason), WB_EINVAL);
    CHECK_EQ(wb_ws_session_close(c.s, 4000, "app"), 0);
    CHECK_EQ(wb_ws_session_code_sent(c.s), 4000);
    end_free(&c);
}

int main(void) {
    wb_crypto_init();
    RUN(test_ws_accept_matches_rfc6455_example);
    RUN(test_ws_handshake_client_and_server_agree);
    RUN(test_ws_handshake_request_checks);
    RUN(test_ws_handshake_response_checks);
    RUN(test_ws_session_messages_of_every_size_survive_any_split);
    RUN(test_ws_session_many_messages_in_one_read);
    RUN(test_ws_session_close_handshake_both_ways);
    RUN(test_ws_session_answers_pings_and_ignores_text);
    RUN(test_ws_session_reassembles_fragments_with_interleaved_ping);
    RUN(test_ws_session_reassembles_a_message_of_2000_one_byte_fragments);
    RUN(test_ws_session_protocol_errors_close_with_rfc_codes);
    RUN(test_ws_session_close_reason_is_judged_whole_however_it_is_cut);
    RUN(test_ws_session_limit_allows_exactly_max);
    RUN(test_ws_session_close_argument_checks);
    return check_summary();
}
