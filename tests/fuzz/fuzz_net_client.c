/* Fuzz target: the clients' glue after the answer (net/ws_client.c), sans-I/O: the websocket
 * client reads the server's 101 and hands the bytes behind it, which may come in the same piece,
 * to its websocket session; and the HTTP parser reads an answer and the end of the stream (as
 * the one-shot HTTP client did before media's libcurl engine replaced it).
 *
 * Input byte 0: bit 0 picks the client (0 websocket, 1 HTTP), bit 1 puts a valid 101 for the
 * key in front of the rest (the accept value is a SHA-1 a fuzzer would not find), the other bits
 * the piece size (1..64). Oracle: whatever the slicing, the outcome (error, messages received,
 * close code, the answer) is the one of the whole stream fed at once. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/http.h"
#include "net/ws_handshake.h"
#include "net/ws_session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char key[] = "dGhlIHNhbXBsZSBub25jZQ==";

typedef struct outcome {
    int rc;           /* the handshake's or the answer's result */
    int feed_rc;      /* the websocket session's first error */
    uint64_t digest;  /* of messages received (or of the answer) */
    size_t messages;
    int close_code;
} outcome;

static uint64_t mix(uint64_t h, const void *p, size_t n) {
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static void on_message(void *ud, const uint8_t *p, size_t n) {
    outcome *o = ud;
    o->messages++;
    o->digest = mix(o->digest, &n, sizeof n);
    o->digest = mix(o->digest, p, n);
}

static void on_output(void *ud, const uint8_t *p, size_t n) {}

static void on_close(void *ud, int code, const uint8_t *reason, size_t len) {
    ((outcome *)ud)->close_code = code;
}

static const wb_ws_session_callbacks sess_cbs = {on_message, on_output, on_close};

/* The websocket client: handshake bytes, then everything after them to the session. */
static outcome ws_run(const uint8_t *d, size_t n, size_t piece) {
    outcome o = {0};
    wb_http_parser p;
    wb_http_parser_init(&p, WB_HTTP_RESPONSE, NULL);
    p.no_body = 1;
    wb_ws_session *s = NULL;
    for (size_t off = 0; off < n && !o.rc && !o.feed_rc;) {
        size_t len = piece && n - off > piece ? piece : n - off;
        const uint8_t *q = d + off;
        off += len;
        if (!s) {
            size_t used;
            int rc = wb_ws_handshake_client_feed(&p, key, q, len, &used, NULL);
            if (rc < 0) {
                o.rc = rc;
                break;
            }
            if (used > len)
                abort();
            if (rc == WB_HTTP_MORE) {
                if (used != len)
                    abort();
                continue;
            }
            if (wb_ws_session_new(&s, WB_WS_CLIENT, 4096, &sess_cbs, &o) < 0)
                abort();
            q += used;
            len -= used;
            if (!len)
                continue;
        }
        int rc = wb_ws_session_feed(s, q, len);
        if (rc < 0 && rc != WB_ECLOSED)
            o.feed_rc = rc;
    }
    o.messages += s ? 1000000 : 0; /* opened or not is part of the outcome */
    wb_ws_session_free(s);
    wb_http_parser_free(&p);
    return o;
}

/* An HTTP answer, then the end of the stream unless it was complete; failures read as a client
 * reports them: WB_ETOOBIG for a body over its limit, WB_EPROTO for anything else. */
static outcome http_run(const uint8_t *d, size_t n, size_t piece) {
    outcome o = {0};
    wb_http_limits lim = {0, 0, 4096, 0};
    wb_http_parser p;
    wb_http_parser_init(&p, WB_HTTP_RESPONSE, &lim);
    int rc = WB_HTTP_MORE;
    for (size_t off = 0; off < n && rc == WB_HTTP_MORE;) {
        size_t len = piece && n - off > piece ? piece : n - off;
        size_t used;
        rc = wb_http_parser_feed(&p, d + off, len, &used, NULL);
        if (rc < 0)
            rc = rc == WB_ETOOBIG && p.status == 413 ? WB_ETOOBIG : WB_EPROTO;
        off += len;
    }
    if (rc == WB_HTTP_MORE && wb_http_parser_eof(&p, NULL) != WB_HTTP_DONE)
        rc = WB_EPROTO;
    else if (rc == WB_HTTP_MORE)
        rc = WB_HTTP_DONE;
    o.rc = rc;
    if (rc == WB_HTTP_DONE) {
        wb_http_msg m;
        if (wb_http_parser_take(&p, &m) < 0)
            abort();
        o.close_code = m.status;
        o.digest = mix(o.digest, &m.body_len, sizeof m.body_len);
        if (m.body_len)
            o.digest = mix(o.digest, m.body, m.body_len);
        wb_http_msg_free(&m);
    } else if (rc != WB_EPROTO && rc != WB_ETOOBIG) {
        abort();
    }
    wb_http_parser_free(&p);
    return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    int http = data[0] & 1, prefix = data[0] & 2;
    size_t piece = (size_t)(data[0] >> 2) + 1;
    wb_buf in = WB_BUF_INIT;
    if (prefix && !http) {
        char accept[WB_WS_ACCEPT_LEN + 1];
        wb_ws_handshake_accept(key, accept);
        if (wb_ws_handshake_write_response(&in, accept, NULL, 0) < 0)
            abort();
    }
    wb_buf_append(&in, data + 1, size - 1);
    outcome a = http ? http_run(in.data, in.len, 0) : ws_run(in.data, in.len, 0);
    outcome b = http ? http_run(in.data, in.len, piece) : ws_run(in.data, in.len, piece);
    if (a.rc != b.rc || a.feed_rc != b.feed_rc || a.digest != b.digest || a.messages != b.messages ||
        a.close_code != b.close_code)
        abort();
    wb_buf_free(&in);
    return 0;
}
