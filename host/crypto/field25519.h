/* Arithmetic mod p = 2^255 - 19 for the maps between Curve25519's Montgomery u and Ed25519's
 * Edwards y (curve.c): key generation through the Edwards base-point tables and XEdDSA
 * verification both need one such map, which is one field inversion. libsodium keeps its field
 * arithmetic private and OpenSSL's BIGNUM inversion costs 8-10 us, a tenth of a Signal ratchet
 * step; this one costs about 3 us (Release build). Variable time: it only ever sees public keys. */
#ifndef WB_CRYPTO_FIELD25519_H
#define WB_CRYPTO_FIELD25519_H

#include <stdint.h>

/* out = (x + a) / (sx * x + b) mod p, for small constants a and b (|a|, |b| <= 1000) and
 * sx = +1 or -1. x is 32 bytes little-endian with its top bit ignored (values >= p are reduced);
 * out is the canonical little-endian encoding. Returns 0, or -1 when the denominator is 0 mod p
 * (out is then left untouched). */
int wb_fe25519_fraction(uint8_t out[32], const uint8_t x[32], int a, int sx, int b);

#endif
