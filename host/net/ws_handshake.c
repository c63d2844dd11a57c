/* The websocket opening handshake, both sides (see ws_handshake.h). */
#include "net/ws_handshake.h"

#include <openssl/evp.h>
#include <string.h>
#include <strings.h>

#include "core/enc.h"
#include "crypto/random.h"

static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/* base64 of exactly n bytes into out (which holds 4*ceil(n/3)+1 characters). */
static void b64_fixed(char *out, const uint8_t *data, size_t n) {
    wb_buf b = WB_BUF_INIT;
    if (wb_b64_encode(&b, data, n, WB_B64_STD) == 0) {
        memcpy(out, b.data, b.len);
        out[b.len] = 0;
    } else {
        out[0] = 0; /* only on allocation failure; the handshake then fails to match */
    }
    wb_buf_free(&b);
}

void wb_ws_handshake_accept(const char *key, char accept[WB_WS_ACCEPT_LEN + 1]) {
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (!c || !EVP_DigestInit_ex(c, EVP_sha1(), NULL) || !EVP_DigestUpdate(c, key, strlen(key)) ||
        !EVP_DigestUpdate(c, ws_guid, sizeof ws_guid - 1) || !EVP_DigestFinal_ex(c, md, &mdlen) ||
        mdlen != 20)
        mdlen = 0;
    EVP_MD_CTX_free(c);
    if (mdlen)
        b64_fixed(accept, md, mdlen);
    else
        accept[0] = 0; /* a digest failure makes the accept values differ, failing the handshake */
}

void wb_ws_handshake_key(char key[WB_WS_KEY_LEN + 1]) {
    uint8_t raw[16];
    wb_random_bytes(raw, sizeof raw);
    b64_fixed(key, raw, sizeof raw);
}

int wb_ws_handshake_check_request(const wb_http_msg *req, char accept[WB_WS_ACCEPT_LEN + 1],
                                  int *status, wb_error *err) {
    const char *why = NULL;
    int st = 400;
    const char *key = wb_http_msg_header(req, "sec-websocket-key");
    const char *ver = wb_http_msg_header(req, "sec-websocket-version");
    int nkeys = 0;
    for (size_t i = 0; i < req->nheaders; i++)
        nkeys += strcasecmp(req->headers[i].name, "sec-websocket-key") == 0;
    wb_buf raw = WB_BUF_INIT;
    if (strcmp(req->method, "GET") != 0)
        why = "websocket upgrade must use GET";
    else if (req->version != 11)
        why = "websocket upgrade needs HTTP/1.1";
    else if (!wb_http_msg_has_token(req, "upgrade", "websocket"))
        why = "no \"Upgrade: websocket\"";
    else if (!wb_http_msg_has_token(req, "connection", "upgrade"))
        why = "no \"Connection: upgrade\"";
    else if (!ver || strcmp(ver, "13") != 0)
        why = "Sec-WebSocket-Version is not 13", st = 426;
    else if (nkeys != 1)
        why = nkeys ? "more than one Sec-WebSocket-Key" : "no Sec-WebSocket-Key";
    else if (strlen(key) != WB_WS_KEY_LEN ||
             wb_b64_decode(&raw, key, strlen(key), WB_B64_STD) < 0 || raw.len != 16)
        why = "Sec-WebSocket-Key is not 16 bytes of base64";
    else if (req->body_len)
        why = "websocket upgrade request has a body";
    wb_buf_free(&raw);
    if (why) {
        *status = st;
        return wb_error_set(err, WB_EPROTO, 0, "%s", why);
    }
    wb_ws_handshake_accept(key, accept);
    return 0;
}

int wb_ws_handshake_write_response(wb_buf *out, const char *accept, const wb_http_header *extra,
                                   size_t nextra) {
    enum { N = 8 };
    wb_http_header h[N + 3] = {
        {"Upgrade", "websocket"},
        {"Connection", "Upgrade"},
        {"Sec-WebSocket-Accept", accept},
    };
    if (nextra > N)
        return WB_EINVAL;
    for (size_t i = 0; i < nextra; i++)
        h[3 + i] = extra[i];
    return wb_http_write_response_head(out, 101, h, 3 + nextra, -1, 0);
}

int wb_ws_handshake_write_request(wb_buf *out, const char *target, const char *host,
                                  const char *key, const char *origin, const wb_http_header *extra,
                                  size_t nextra) {
    enum { N = 16 };
    wb_http_header h[N + 5] = {
        {"Upgrade", "websocket"},
        {"Connection", "Upgrade"},
        {"Sec-WebSocket-Key", key},
        {"Sec-WebSocket-Version", "13"},
    };
    size_t n = 4;
    if (origin)
        h[n++] = (wb_http_header){"Origin", origin};
    if (nextra > N)
        return WB_EINVAL;
    for (size_t i = 0; i < nextra; i++)
        h[n++] = extra[i];
    return wb_http_write_request(out, "GET", target, host, h, n, NULL, 0);
}

int wb_ws_handshake_check_response(const wb_http_msg *res, const char *key, wb_error *err) {
    char want[WB_WS_ACCEPT_LEN + 1];
    const char *got = wb_http_msg_header(res, "sec-websocket-accept");
    if (res->status != 101)
        return wb_error_set(err, WB_EPROTO, 0, "server answered %d %s instead of 101", res->status,
                            res->reason ? res->reason : "");
    if (!wb_http_msg_has_token(res, "upgrade", "websocket"))
        return wb_error_set(err, WB_EPROTO, 0, "101 answer lacks \"Upgrade: websocket\"");
    if (!wb_http_msg_has_token(res, "connection", "upgrade"))
        return wb_error_set(err, WB_EPROTO, 0, "101 answer lacks \"Connection: upgrade\"");
    wb_ws_handshake_accept(key, want);
    if (!got || strcmp(got, want) != 0)
        return wb_error_set(err, WB_EPROTO, 0, "Sec-WebSocket-Accept does not match our key");
    if (wb_http_msg_header(res, "sec-websocket-extensions"))
        return wb_error_set(err, WB_EPROTO, 0, "server chose an extension we did not offer");
    if (wb_http_msg_header(res, "sec-websocket-protocol"))
        return wb_error_set(err, WB_EPROTO, 0, "server chose a subprotocol we did not offer");
    return 0;
}

int wb_ws_handshake_client_feed(wb_http_parser *p, const char *key, const uint8_t *data,
                                size_t len, size_t *used, wb_error *err) {
    wb_error e = {0};
    int rc = wb_http_parser_feed(p, data, len, used, &e);
    if (rc == WB_HTTP_MORE)
        return rc;
    if (rc < 0)
        return wb_error_set(err, WB_EPROTO, e.offset, "bad HTTP answer: %s", e.what);
    if ((rc = wb_ws_handshake_check_response(&p->msg, key, err)) < 0)
        return rc;
    return WB_HTTP_DONE;
}
