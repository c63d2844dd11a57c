/* X3DH and the Double Ratchet on one session state (record.h), computed exactly as
 * libsignal-node 6.0.0 does (session_builder.js, session_cipher.js). Called by session.c.
 *
 * These functions change the state in memory only. A failed decrypt may leave it half-changed:
 * the caller throws such a state away and never writes it, which is what keeps a failed message
 * from touching the stored record. */
#ifndef WB_SIGNAL_RATCHET_H
#define WB_SIGNAL_RATCHET_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "crypto/curve.h"
#include "signal/record.h"
#include "signal/signal.h"
#include "signal/wire.h"

/* A new state for a session we start from the peer's bundle (Alice). The bundle's signature must
 * have been checked. The base key is generated here. */
int wb_sig_state_init_alice(wb_sig_state *s, const wb_keypair *our_identity,
                            const wb_signal_bundle *b);

/* A new state for a session the peer started with a pkmsg (Bob): our signed prekey pair, our
 * one-time prekey pair (NULL if the message named none), and the message's fields. */
int wb_sig_state_init_bob(wb_sig_state *s, const wb_keypair *our_identity,
                          const wb_keypair *signed_prekey, const wb_keypair *prekey,
                          const wb_sig_prekey_message *m);

/* Encrypts pt on the sending chain, appending a whole msg (version byte, protobuf, MAC) to out.
 * WB_ESTATE if the state has no sending chain. */
int wb_sig_state_encrypt(wb_sig_state *s, const uint8_t our_identity[32], const uint8_t *pt,
                         size_t len, wb_buf *out);

/* Decrypts m, stepping the ratchet if it carries a new ratchet key, appending the plaintext to pt
 * (left as it was on failure). Errors as wb_signal_decrypt's. */
int wb_sig_state_decrypt(wb_sig_state *s, const uint8_t our_identity[32], const wb_sig_message *m,
                         wb_buf *pt);

/* WB_EDUPLICATE if m is on a chain this state has retired and below its end (a replay),
 * WB_EPROTO if beyond it, 0 if m's ratchet key is not a retired one. */
int wb_sig_state_retired(const wb_sig_state *s, const wb_sig_message *m);

/* The receiving chain for a remote ratchet key, or NULL. */
wb_sig_chain *wb_sig_state_chain(wb_sig_state *s, const uint8_t ratchet[32]);

#endif
