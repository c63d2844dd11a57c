/* The websocket opening handshake (RFC 6455 section 4), without I/O.
 *
 * Server side (net/http_server.c): check an upgrade request and write the 101 answer. Client side
 * (net/ws_client.c): make a key, write the upgrade request, check the 101 answer. Neither side
 * negotiates extensions or subprotocols: a client's permessage-deflate offer is simply not
 * accepted, which every client (Node's ws included) handles by sending uncompressed frames. */
#ifndef WB_NET_WS_HANDSHAKE_H
#define WB_NET_WS_HANDSHAKE_H

#include "core/buf.h"
#include "core/err.h"
#include "net/http.h"

#define WB_WS_KEY_LEN 24    /* base64 of 16 random bytes */
#define WB_WS_ACCEPT_LEN 28 /* base64 of a SHA-1 digest */

/* Computes Sec-WebSocket-Accept for key: base64(SHA-1(key "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")).
 * accept receives WB_WS_ACCEPT_LEN characters and a NUL. */
void wb_ws_handshake_accept(const char *key, char accept[WB_WS_ACCEPT_LEN + 1]);

/* Checks that req is a websocket opening request: GET, HTTP/1.1, "Upgrade: websocket",
 * "Connection: upgrade", "Sec-WebSocket-Version: 13", one Sec-WebSocket-Key of 16 base64 bytes,
 * no body. Returns 0 and writes the accept value, or WB_EPROTO with *status set to the answer to
 * send (400, or 426 for another version, to be answered with "Sec-WebSocket-Version: 13") and a
 * sentence in err. accept and *status are written only as described. */
int wb_ws_handshake_check_request(const wb_http_msg *req, char accept[WB_WS_ACCEPT_LEN + 1],
                                  int *status, wb_error *err);

/* Appends the "101 Switching Protocols" answer carrying accept, plus extra headers. */
int wb_ws_handshake_write_response(wb_buf *out, const char *accept, const wb_http_header *extra,
                                   size_t nextra);

/* Writes a fresh random key (WB_WS_KEY_LEN characters and a NUL). */
void wb_ws_handshake_key(char key[WB_WS_KEY_LEN + 1]);

/* Appends the client's upgrade request: GET target, Host, Upgrade, Connection, the key, version
 * 13, Origin when origin is not NULL, then extra headers. Returns 0, WB_EINVAL or WB_ENOMEM. */
int wb_ws_handshake_write_request(wb_buf *out, const char *target, const char *host,
                                  const char *key, const char *origin, const wb_http_header *extra,
                                  size_t nextra);

/* Checks the server's answer to a request made with key: status 101, "Upgrade: websocket",
 * "Connection: upgrade", the matching Sec-WebSocket-Accept, no extension or subprotocol we did
 * not offer. Returns 0 or WB_EPROTO with a sentence in err. */
int wb_ws_handshake_check_response(const wb_http_msg *res, const char *key, wb_error *err);

/* The client after its request went out: the server's bytes, in pieces of any size, go to p (a
 * WB_HTTP_RESPONSE parser with no_body set) until the answer is complete. Returns WB_HTTP_MORE
 * (all taken), WB_HTTP_DONE (a valid 101: data + *used is the first websocket byte, which may
 * have come in the same piece) or WB_EPROTO with a sentence in err. */
int wb_ws_handshake_client_feed(wb_http_parser *p, const char *key, const uint8_t *data,
                                size_t len, size_t *used, wb_error *err);

#endif
