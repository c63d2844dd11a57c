/* One Noise connection, sans-I/O: the frame codec (net/frame.h), the handshake and the transport
 * (net/noise.h) put together for one side of one socket. This is what the client and the
 * simulator hold per connection; the websocket code beside it only moves bytes.
 *
 *     socket bytes in  -> wb_noise_conn_feed      -> on_handshake once, then on_frame per frame
 *     wb_noise_conn_send(plaintext)               -> send(framed ciphertext)
 *
 * The initiator's first send carries the intro header and the ClientHello (wb_noise_conn_start);
 * the responder expects the intro in front of the client's first frame. Every error is final:
 * the connection object refuses further work with the same code, and the caller closes the
 * socket. Nothing here blocks, allocates per frame in steady state, or touches libuv. */
#ifndef WB_NET_NOISE_CONN_H
#define WB_NET_NOISE_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "net/noise.h"

typedef struct wb_noise_conn wb_noise_conn;

typedef struct wb_noise_conn_callbacks {
    /* Bytes for the socket, in order: whole frames (the first one with the intro header on the
     * initiator). Valid only during the call. A negative return aborts the current call with
     * that code. Never NULL. */
    int (*send)(void *user_data, const uint8_t *data, size_t len);
    /* The handshake completed (called once, before any on_frame). peer_static is the peer's
     * static key: for the responder the client's noise key, to check against the registered
     * device; payload is the ClientPayload (responder) or the server's certificate chain
     * (initiator). Both valid during the call. Return negative to refuse the peer (the code is
     * returned from wb_noise_conn_feed). May be NULL. */
    int (*on_handshake)(void *user_data, const uint8_t peer_static[32], const uint8_t *payload,
                        size_t len);
    /* One decrypted transport frame, valid during the call. The callback may call
     * wb_noise_conn_send but not wb_noise_conn_feed. Return negative to stop. Never NULL. */
    int (*on_frame)(void *user_data, const uint8_t *payload, size_t len);
    /* Responder only, may be NULL: the routing info of an 'ED' intro header (len 0 for the
     * plain header). */
    int (*on_intro)(void *user_data, const uint8_t *routing, size_t len);
} wb_noise_conn_callbacks;

/* Creates the client side. routing (len bytes, may be NULL) selects the 'ED' intro header.
 * Nothing is sent until wb_noise_conn_start. Returns 0, WB_EINVAL, WB_ETOOBIG (routing info
 * too long), WB_ENOMEM or WB_ECRYPTO. */
int wb_noise_conn_new_initiator(wb_noise_conn **out, const wb_noise_initiator_cfg *cfg,
                                const uint8_t *routing, size_t routing_len,
                                const wb_noise_conn_callbacks *cb, void *user_data);
/* Creates the server side; it waits for the client's intro and ClientHello. */
int wb_noise_conn_new_responder(wb_noise_conn **out, const wb_noise_responder_cfg *cfg,
                                const wb_noise_conn_callbacks *cb, void *user_data);
void wb_noise_conn_free(wb_noise_conn *c);

/* Initiator: sends the intro header and the ClientHello through cb.send. Returns 0 or an
 * error (WB_ESTATE on the responder or when called twice). */
int wb_noise_conn_start(wb_noise_conn *c);
/* Bytes received from the socket, split or coalesced in any way. Returns 0 or the first error
 * (frame.h's, noise.h's handshake and transport codes, or a callback's); err (may be NULL)
 * says more for handshake failures. */
int wb_noise_conn_feed(wb_noise_conn *c, const uint8_t *data, size_t len, wb_error *err);
/* After the handshake: seals len bytes as one frame and passes it to cb.send. Returns 0,
 * WB_ESTATE (handshake not complete, or the connection failed), or noise.h's seal codes. */
int wb_noise_conn_send(wb_noise_conn *c, const uint8_t *payload, size_t len);
/* 1 once the handshake is complete and the connection has not failed. */
int wb_noise_conn_ready(const wb_noise_conn *c);
/* Bytes the connection holds in buffers now (a frame arriving in pieces, the last frame in and
 * out), by capacity: for a caller's memory budget. */
size_t wb_noise_conn_buffered(const wb_noise_conn *c);
/* The transport, for counters (NULL before the handshake completes). */
const wb_noise *wb_noise_conn_transport(const wb_noise_conn *c);

#endif
