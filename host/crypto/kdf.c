/* Key derivation on HMAC-SHA256 (hash.h): HKDF (RFC 5869) for Noise, Signal and media keys, and
 * PBKDF2 (RFC 8018) for the pairing-code key. Both reuse one precomputed wb_hmac per key. */
#include <pthread.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"
#include "crypto/hash.h"

/* Copies as much of block t as still fits into out (outlen bytes, done filled); returns the new
 * count of filled bytes. */
static size_t emit(uint8_t *out, size_t outlen, size_t done, const uint8_t t[WB_SHA256_LEN]) {
    size_t n = outlen - done < WB_SHA256_LEN ? outlen - done : WB_SHA256_LEN;
    memcpy(out + done, t, n);
    return done + n;
}

/* The HMAC key state of the all-zero salt, which Signal's message keys use at every message:
 * computed once, it saves two of the extract step's four compressions. Not secret. */
static wb_hmac zero_salt;

static void zero_salt_init(void) {
    static const uint8_t zero[WB_SHA256_LEN];
    wb_hmac_init(&zero_salt, zero, sizeof zero);
}

int wb_hkdf_sha256(uint8_t *out, size_t outlen, const uint8_t *ikm, size_t ikmlen,
                   const uint8_t *salt, size_t saltlen, const uint8_t *info, size_t infolen) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    if (outlen > 255 * WB_SHA256_LEN || (outlen && !out))
        return WB_EINVAL;
    uint8_t prk[WB_SHA256_LEN], t[WB_SHA256_LEN];
    wb_hmac h;

    /* extract: PRK = HMAC(salt, IKM), a missing salt being 32 zero bytes */
    if (!salt || !saltlen) {
        pthread_once(&once, zero_salt_init);
        wb_hmac_mac(&zero_salt, ikm, ikmlen, prk);
    } else {
        wb_hmac_sha256(prk, salt, saltlen, ikm, ikmlen);
    }

    /* expand: T(i) = HMAC(PRK, T(i-1) || info || i) */
    wb_hmac_init(&h, prk, sizeof prk);
    size_t done = 0;
    for (uint8_t i = 1; done < outlen; i++) {
        wb_hmac_start(&h);
        if (i > 1)
            wb_hmac_update(&h, t, sizeof t);
        if (infolen)
            wb_hmac_update(&h, info, infolen);
        wb_hmac_update(&h, &i, 1);
        wb_hmac_final(&h, t);
        done = emit(out, outlen, done, t);
    }
    wb_hmac_clear(&h);
    wb_zero(prk, sizeof prk);
    wb_zero(t, sizeof t);
    return 0;
}

int wb_pbkdf2_sha256(uint8_t *out, size_t outlen, const uint8_t *password, size_t passlen,
                     const uint8_t *salt, size_t saltlen, uint32_t iterations) {
    if (iterations == 0 || (outlen && !out) || outlen > (size_t)UINT32_MAX * WB_SHA256_LEN)
        return WB_EINVAL;
    wb_hmac h;
    uint8_t u[WB_SHA256_LEN], t[WB_SHA256_LEN], ctr[4];
    wb_hmac_init(&h, password, passlen);
    size_t done = 0;
    for (uint32_t block = 1; done < outlen; block++) {
        /* U1 = HMAC(P, S || be32(block)); T = U1 ^ U2 ^ ... ^ Uc, Uj = HMAC(P, Uj-1) */
        wb_put_be32(ctr, block);
        wb_hmac_start(&h);
        wb_hmac_update(&h, salt, saltlen);
        wb_hmac_update(&h, ctr, sizeof ctr);
        wb_hmac_final(&h, u);
        memcpy(t, u, sizeof t);
        for (uint32_t j = 1; j < iterations; j++) {
            wb_hmac_mac(&h, u, sizeof u, u);
            for (size_t k = 0; k < sizeof t; k++)
                t[k] ^= u[k];
        }
        done = emit(out, outlen, done, t);
    }
    wb_hmac_clear(&h);
    wb_zero(u, sizeof u);
    wb_zero(t, sizeof t);
    return 0;
}
