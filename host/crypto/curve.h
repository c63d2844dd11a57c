/* Curve25519 as Signal and WhatsApp use it: X25519 key agreement and XEdDSA signatures made
 * with the same Montgomery key pair.
 *
 * Keys are raw 32-byte strings. Signal's wire form prefixes public keys with the type byte 0x05
 * (WB_KEY_TYPE_DJB); these functions take and give the bare 32 bytes. */
#ifndef WB_CRYPTO_CURVE_H
#define WB_CRYPTO_CURVE_H

#include <stddef.h>
#include <stdint.h>

#define WB_KEY_LEN 32
#define WB_SIG_LEN 64
#define WB_KEY_TYPE_DJB 0x05

typedef struct wb_keypair {
    uint8_t pub[WB_KEY_LEN];
    uint8_t priv[WB_KEY_LEN]; /* clamped X25519 scalar */
} wb_keypair;

/* Generates a key pair from the system's secure random source. Returns 0 or WB_ECRYPTO. */
int wb_keypair_generate(wb_keypair *kp);
/* Derives pub from priv (priv is clamped first, as X25519 does). */
void wb_curve_public(uint8_t pub[WB_KEY_LEN], const uint8_t priv[WB_KEY_LEN]);
/* X25519(priv, pub) into shared. Returns 0, or WB_ECRYPTO for a low-order public key (an
 * all-zero result), which a peer must never be allowed to force. */
int wb_curve_agree(uint8_t shared[WB_KEY_LEN], const uint8_t priv[WB_KEY_LEN],
                   const uint8_t pub[WB_KEY_LEN]);

/* XEdDSA signature (Signal's calculateSignature) over msg with the Montgomery private key,
 * using 64 bytes of fresh randomness. Returns 0 or WB_ECRYPTO. Each thread remembers the Edwards
 * public key of the last few keys it signed with (by a hash of the key; a sender key signs every
 * group message), which saves a third of a signature. */
int wb_xeddsa_sign(uint8_t sig[WB_SIG_LEN], const uint8_t priv[WB_KEY_LEN], const uint8_t *msg,
                   size_t len);
/* The same with caller-supplied randomness: deterministic, for known-answer tests (it gives the
 * bytes of curve25519-js's sign(priv, msg, random)). Production code calls wb_xeddsa_sign. */
int wb_xeddsa_sign_rnd(uint8_t sig[WB_SIG_LEN], const uint8_t priv[WB_KEY_LEN],
                       const uint8_t *msg, size_t len, const uint8_t random[64]);
/* Verifies an XEdDSA signature with the Montgomery public key (Signal's verifySignature: the
 * Edwards sign bit travels in the top bit of sig[63]). Returns 0 or WB_EBADSIG (also for a
 * public key that has no Edwards form or is of small order, and for a non-canonical S), or
 * WB_ENOMEM / WB_ECRYPTO when the library fails. Each thread remembers the Edwards form of the
 * last few keys it verified with (sender keys sign every group message). */
int wb_xeddsa_verify(const uint8_t pub[WB_KEY_LEN], const uint8_t *msg, size_t len,
                     const uint8_t sig[WB_SIG_LEN]);

#endif
