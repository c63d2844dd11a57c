/* SHA-256 and SHA-512 (hash.h) on OpenSSL's low-level digests, which use the CPU's SHA
 * extensions where present. The incremental SHA-256 keeps OpenSSL's SHA256_CTX inside the
 * opaque wb_sha256_ctx, so HMAC (hmac.c) can copy precomputed states by value.
 *
 * SHA256_Init and friends are deprecated in OpenSSL 3 in favour of EVP, whose per-call dispatch
 * costs several times the compression of a short message; the low-level API is still shipped. */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "crypto/hash.h"

_Static_assert(sizeof(SHA256_CTX) <= sizeof(wb_sha256_ctx), "wb_sha256_ctx too small");
_Static_assert(_Alignof(SHA256_CTX) <= _Alignof(wb_sha256_ctx), "wb_sha256_ctx misaligned");

static SHA256_CTX *wb_sha256_state(wb_sha256_ctx *c) { return (SHA256_CTX *)(void *)c->opaque; }

void wb_sha256(uint8_t out[WB_SHA256_LEN], const void *data, size_t len) {
    SHA256(data, len, out);
}

void wb_sha512(uint8_t out[WB_SHA512_LEN], const void *data, size_t len) {
    SHA512(data, len, out);
}

void wb_sha256_init(wb_sha256_ctx *c) { SHA256_Init(wb_sha256_state(c)); }

void wb_sha256_update(wb_sha256_ctx *c, const void *data, size_t len) {
    SHA256_Update(wb_sha256_state(c), data, len);
}

void wb_sha256_final(wb_sha256_ctx *c, uint8_t out[WB_SHA256_LEN]) {
    SHA256_Final(out, wb_sha256_state(c));
}

void wb_md5(uint8_t out[WB_MD5_LEN], const void *data, size_t len) {
    unsigned int n = WB_MD5_LEN;
    EVP_Digest(data, len, out, &n, EVP_md5(), NULL);
}
