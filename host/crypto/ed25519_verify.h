/* Ed25519 verification for a key that signs many messages: a group's sender key signs every
 * SenderKeyMessage, and receiving a group backlog is mostly verifying the same few keys.
 *
 * wb_ed_key_init spends about three verifications' time once to build a table of the key's
 * multiples (the way libsodium tabulates the base point for signing); each wb_ed_key_verify then
 * costs about 0.4 of libsodium's crypto_sign_ed25519_verify_detached. The verdicts are
 * exactly libsodium's: cofactorless ([S]B - [h]A encoded and compared byte for byte with R),
 * S below L, a small-order R refused; a key that crypto_core_ed25519_is_valid_point refuses is
 * refused by wb_ed_key_init, and the caller then verifies with libsodium (which refuses or
 * accepts it the way it always has). Variable time: only public values pass through here. */
#ifndef WB_CRYPTO_ED25519_VERIFY_H
#define WB_CRYPTO_ED25519_VERIFY_H

#include <stddef.h>
#include <stdint.h>

/* A public key ready for repeated verification: the key and a table of its multiples, about
 * 30 KB (32 rows of 8 affine points). Opaque; allocated by wb_ed_key_new. */
typedef struct wb_ed_key wb_ed_key;

/* Allocates a key to be built by wb_ed_key_init; NULL when out of memory. */
wb_ed_key *wb_ed_key_new(void);
/* Frees k (NULL is ignored). */
void wb_ed_key_free(wb_ed_key *k);

/* Builds k for the Ed25519 public key edpub, replacing whatever k held. Returns 0, or
 * WB_EBADSIG when edpub is not a canonical encoding of a point of the prime-order subgroup other
 * than the identity (libsodium's crypto_core_ed25519_is_valid_point), or WB_ENOMEM. k must not
 * be used for verification after an error (until a successful wb_ed_key_init). */
int wb_ed_key_init(wb_ed_key *k, const uint8_t edpub[32]);

/* Verifies the Ed25519 signature sig (R || S) of msg under k's key. Returns 0 or WB_EBADSIG,
 * the same verdict as crypto_sign_ed25519_verify_detached(sig, msg, len, edpub) == 0. */
int wb_ed_key_verify(const wb_ed_key *k, const uint8_t *msg, size_t len, const uint8_t sig[64]);

/* out = in mod L, L = 2^252 + 27742317777372353535851937790883648493 (the order of the base
 * point), for a 64-byte little-endian in (a SHA-512 output); out is 32 bytes little-endian.
 * Exposed for the unit tests. */
void wb_ed_scalar_reduce(uint8_t out[32], const uint8_t in[64]);

#endif
