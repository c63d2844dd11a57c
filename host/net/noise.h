/* Noise_XX_25519_AESGCM_SHA256 exactly as WhatsApp Web uses it (NOTES.md §1.3-1.5): the
 * handshake in both roles, then the transport that seals and opens every frame.
 *
 * Sans-I/O: handshake messages and transport frames go in and out as bytes; the caller frames
 * them (net/frame.h) and moves them over its socket. Messages are frame payloads: a serialized
 * HandshakeMessage during the handshake, ciphertext || tag afterwards.
 *
 * Initiator (the client):                     Responder (the server / simulator):
 *   wb_noise_hs_new_initiator(&hs, &cfg)        wb_noise_hs_new_responder(&hs, &cfg)
 *   wb_noise_hs_start(hs, out)   -> ClientHello
 *                                               wb_noise_hs_read(hs, hello, out)  -> ServerHello
 *   wb_noise_hs_read(hs, server_hello, out)
 *     -> ClientFinish, returns 1 (done)
 *                                               wb_noise_hs_read(hs, finish, out) returns 1
 *                                               wb_noise_hs_peer_static / wb_noise_hs_payload
 *   wb_noise_hs_split(hs, &t); wb_noise_hs_free(hs)   (both sides)
 *   wb_noise_seal(t, ...), wb_noise_open(t, ...) per frame; wb_noise_free(t)
 *
 * Any handshake error is final: the handshake object refuses every later call with that code,
 * and the connection must be dropped. The same holds for a transport frame that fails to open. */
#ifndef WB_NET_NOISE_H
#define WB_NET_NOISE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "crypto/curve.h"

/* "Noise_XX_25519_AESGCM_SHA256" padded with four NULs to 32 bytes: h and ck start as this. */
extern const uint8_t wb_noise_protocol_name[32];

/* Transport frames carry at least the 16-byte tag. */
#define WB_NOISE_TAG_LEN 16

typedef struct wb_noise_hs wb_noise_hs; /* a handshake in progress (opaque) */
typedef struct wb_noise wb_noise;       /* an established transport (opaque) */

typedef struct wb_noise_initiator_cfg {
    const wb_keypair *static_key; /* the client's noise key pair (copied) */
    const uint8_t *payload;       /* the serialized ClientPayload sent in ClientFinish (copied) */
    size_t payload_len;
    const uint8_t *root_pub;      /* the certificate root to trust; NULL: wb_cert_whatsapp_root */
    uint64_t now;                 /* Unix seconds for certificate validity; 0: the clock */
    const wb_keypair *ephemeral;  /* NULL: a fresh one (tests pass a fixed one for transcripts) */
} wb_noise_initiator_cfg;

typedef struct wb_noise_responder_cfg {
    const wb_keypair *static_key; /* the server's static key pair (copied) */
    const uint8_t *cert_chain;    /* the serialized CertChain to send (copied); net/cert.h */
    size_t cert_chain_len;
    const wb_keypair *ephemeral;  /* NULL: a fresh one */
} wb_noise_responder_cfg;

/* Creates a handshake. Returns 0 and *out, or WB_EINVAL (no static key), WB_ENOMEM or
 * WB_ECRYPTO. */
int wb_noise_hs_new_initiator(wb_noise_hs **out, const wb_noise_initiator_cfg *cfg);
int wb_noise_hs_new_responder(wb_noise_hs **out, const wb_noise_responder_cfg *cfg);
/* Frees hs and zeroes its secrets. NULL is a no-op. */
void wb_noise_hs_free(wb_noise_hs *hs);

/* Initiator only, once, first: appends the ClientHello message to out. Returns 0, WB_ESTATE
 * or WB_ENOMEM. */
int wb_noise_hs_start(wb_noise_hs *hs, wb_buf *out);
/* Takes the peer's next handshake message (one frame payload) and appends this side's answer,
 * if it has one, to out. Returns 0 (wait for the peer's next message), 1 (the handshake is
 * complete), or an error with a sentence in err (if not NULL):
 *   WB_EMALFORMED  not a HandshakeMessage protobuf
 *   WB_EPROTO      the expected hello/finish is missing, a key has the wrong length, or the peer
 *                  forced a low-order shared secret
 *   WB_EAUTH       a handshake ciphertext did not authenticate (tampered or wrong keys)
 *   WB_ECERT       initiator: the server's certificate chain was rejected (net/cert.h)
 *   WB_ESTATE      called after completion or after an error, or before wb_noise_hs_start. */
int wb_noise_hs_read(wb_noise_hs *hs, const uint8_t *msg, size_t len, wb_buf *out,
                     wb_error *err);
/* After completion: the peer's static public key (32 bytes, owned by hs). For the responder
 * this is the client's noise key, to be checked against the registered device; for the
 * initiator, the server's static key that the certificate chain vouched for. NULL before. */
const uint8_t *wb_noise_hs_peer_static(const wb_noise_hs *hs);
/* After completion: the peer's decrypted payload, owned by hs: for the responder the client's
 * ClientPayload bytes, for the initiator the server's certificate chain. NULL before. */
const uint8_t *wb_noise_hs_payload(const wb_noise_hs *hs, size_t *len);
/* After completion: derives the transport keys (HKDF(ck, "") -> 64 bytes; the initiator
 * sends with the first half and receives with the second, the responder the reverse) and
 * creates the transport. hs stays valid for the accessors above. Returns 0, WB_ESTATE,
 * WB_ENOMEM or WB_ECRYPTO. */
int wb_noise_hs_split(wb_noise_hs *hs, wb_noise **out);

/* ---- transport ------------------------------------------------------------------------------ */

/* Encrypts len bytes with the next send counter (IV = 8 zero bytes || be32(counter), no AAD)
 * and appends ciphertext || tag (len + 16 bytes) to out. pt must not point into out. Returns
 * 0, WB_ENOMEM, WB_ETOOBIG or WB_ERANGE (2^32 frames sent: the connection must be renewed). */
int wb_noise_seal(wb_noise *t, const uint8_t *pt, size_t len, wb_buf *out);
/* The same, preceded by the 3-byte frame length: appends a whole transport frame to out
 * (len + 16 must fit in 24 bits, else WB_ETOOBIG). */
int wb_noise_seal_frame(wb_noise *t, const uint8_t *pt, size_t len, wb_buf *out);
/* Decrypts one frame payload ct (len bytes, tag included) with the next receive counter into
 * out (len - 16 bytes; out may equal ct). Returns 0, or WB_ETRUNC (shorter than a tag) or
 * WB_EAUTH (tampered, reordered, replayed or from other keys): either is final, every later
 * call returns it too, and the caller must drop the connection. WB_ERANGE after 2^32 frames. */
int wb_noise_open(wb_noise *t, const uint8_t *ct, size_t len, uint8_t *out);
/* Frames sealed and opened so far. */
uint64_t wb_noise_sent(const wb_noise *t);
uint64_t wb_noise_received(const wb_noise *t);
/* Frees t and its key schedules. NULL is a no-op. */
void wb_noise_free(wb_noise *t);

#endif
