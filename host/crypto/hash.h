/* Hashes and MACs: SHA-256, SHA-512, HMAC-SHA256, HKDF-SHA256, PBKDF2-HMAC-SHA256.
 *
 * The HMAC runs over the CPU's SHA extensions where present (OpenSSL's low-level SHA-256), with
 * the key's inner and outer states computed once per wb_hmac key, because HMAC is the hot path of
 * the Signal ratchet. */
#ifndef WB_CRYPTO_HASH_H
#define WB_CRYPTO_HASH_H

#include <stddef.h>
#include <stdint.h>

#define WB_SHA256_LEN 32
#define WB_SHA512_LEN 64

void wb_sha256(uint8_t out[WB_SHA256_LEN], const void *data, size_t len);
void wb_sha512(uint8_t out[WB_SHA512_LEN], const void *data, size_t len);
/* MD5, for the one place the protocol uses it: the registration payload's build hash. */
#define WB_MD5_LEN 16
void wb_md5(uint8_t out[WB_MD5_LEN], const void *data, size_t len);

/* Incremental SHA-256. The state is opaque storage large enough for any backend. */
typedef struct wb_sha256_ctx {
    uint64_t opaque[16];
} wb_sha256_ctx;
void wb_sha256_init(wb_sha256_ctx *c);
void wb_sha256_update(wb_sha256_ctx *c, const void *data, size_t len);
void wb_sha256_final(wb_sha256_ctx *c, uint8_t out[WB_SHA256_LEN]);

/* HMAC-SHA256 with a precomputed key: init once, then any number of one-shot MACs (wb_hmac_mac)
 * or incremental ones (start/update/final). Zero it with wb_hmac_clear when the key is secret. */
typedef struct wb_hmac {
    wb_sha256_ctx inner, outer; /* states after absorbing key^ipad and key^opad */
    wb_sha256_ctx work;         /* the running inner hash of an incremental MAC */
} wb_hmac;
void wb_hmac_init(wb_hmac *h, const uint8_t *key, size_t keylen);
void wb_hmac_mac(const wb_hmac *h, const void *data, size_t len, uint8_t out[WB_SHA256_LEN]);
void wb_hmac_start(wb_hmac *h);
void wb_hmac_update(wb_hmac *h, const void *data, size_t len);
void wb_hmac_final(wb_hmac *h, uint8_t out[WB_SHA256_LEN]);
void wb_hmac_clear(wb_hmac *h);

/* One-shot HMAC-SHA256(key, data). */
void wb_hmac_sha256(uint8_t out[WB_SHA256_LEN], const uint8_t *key, size_t keylen,
                    const void *data, size_t len);

/* HKDF-SHA256 (RFC 5869). salt may be NULL/0 (meaning 32 zero bytes); info may be NULL/0.
 * outlen <= 255*32. Returns 0 or WB_EINVAL. */
int wb_hkdf_sha256(uint8_t *out, size_t outlen, const uint8_t *ikm, size_t ikmlen,
                   const uint8_t *salt, size_t saltlen, const uint8_t *info, size_t infolen);

/* PBKDF2-HMAC-SHA256. Returns 0, or WB_EINVAL for zero iterations. */
int wb_pbkdf2_sha256(uint8_t *out, size_t outlen, const uint8_t *password, size_t passlen,
                     const uint8_t *salt, size_t saltlen, uint32_t iterations);

#endif
