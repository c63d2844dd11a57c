/* HMAC-SHA256 with precomputed key states (hash.h). The key's inner (key ^ ipad) and outer
 * (key ^ opad) blocks are absorbed once by wb_hmac_init; every MAC then copies those states and
 * hashes only the message and the inner digest, two SHA-256 compressions fewer per call than a
 * textbook HMAC. The Signal chain-key ratchet, HKDF and PBKDF2 (kdf.c) sit on this. */
#include <string.h>

#include "core/mem.h"
#include "crypto/hash.h"

#define BLOCK 64

void wb_hmac_init(wb_hmac *h, const uint8_t *key, size_t keylen) {
    uint8_t k[BLOCK], pad[BLOCK];
    memset(k, 0, sizeof k);
    if (keylen > BLOCK)
        wb_sha256(k, key, keylen);
    else if (keylen)
        memcpy(k, key, keylen);
    for (size_t i = 0; i < BLOCK; i++)
        pad[i] = k[i] ^ 0x36;
    wb_sha256_init(&h->inner);
    wb_sha256_update(&h->inner, pad, BLOCK);
    for (size_t i = 0; i < BLOCK; i++)
        pad[i] = k[i] ^ 0x5c;
    wb_sha256_init(&h->outer);
    wb_sha256_update(&h->outer, pad, BLOCK);
    h->work = h->inner;
    wb_zero(k, sizeof k);
    wb_zero(pad, sizeof pad);
}

/* Finishes an inner hash in work and writes the MAC: out = H(outer || H(inner || msg)). */
static void finish(const wb_hmac *h, wb_sha256_ctx *work, uint8_t out[WB_SHA256_LEN]) {
    uint8_t d[WB_SHA256_LEN];
    wb_sha256_final(work, d);
    *work = h->outer;
    wb_sha256_update(work, d, sizeof d);
    wb_sha256_final(work, out);
    wb_zero(d, sizeof d);
}

void wb_hmac_mac(const wb_hmac *h, const void *data, size_t len, uint8_t out[WB_SHA256_LEN]) {
    wb_sha256_ctx work = h->inner;
    wb_sha256_update(&work, data, len);
    finish(h, &work, out);
    wb_zero(&work, sizeof work);
}

void wb_hmac_start(wb_hmac *h) { h->work = h->inner; }

void wb_hmac_update(wb_hmac *h, const void *data, size_t len) {
    wb_sha256_update(&h->work, data, len);
}

void wb_hmac_final(wb_hmac *h, uint8_t out[WB_SHA256_LEN]) {
    finish(h, &h->work, out);
    h->work = h->inner;
}

void wb_hmac_clear(wb_hmac *h) { wb_zero(h, sizeof *h); }

void wb_hmac_sha256(uint8_t out[WB_SHA256_LEN], const uint8_t *key, size_t keylen,
                    const void *data, size_t len) {
    wb_hmac h;
    wb_hmac_init(&h, key, keylen);
    wb_hmac_mac(&h, data, len, out);
    wb_hmac_clear(&h);
}
