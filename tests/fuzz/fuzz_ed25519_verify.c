/* Fuzz target: the Ed25519 verifier with per-key tables (host/crypto/ed25519_verify.c) against
 * libsodium's crypto_sign_ed25519_verify_detached, on untrusted keys, signatures and messages.
 * Input: mode (1 byte) || key (32) || sig (64) || msg (the rest). Random bytes almost never make
 * a valid signature, so the mode lets the fuzzer start from valid ones:
 *   bit 0  the key is a fixed libsodium key (else the input's key)
 *   bit 1  the signature is libsodium's signature of msg under the fixed key, XORed with the
 *          input's signature bytes (all zeros: a valid signature; a few bits: near misses)
 *   bit 2  the key is the fixed key XORed with the input's key (near-valid keys)
 * A key our init refuses must be one libsodium's validity check refuses; otherwise both verdicts
 * must be the same. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/ed25519_verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static wb_ed_key *k;
    static uint8_t fixed_pk[32], fixed_sk[64];
    if (!k) {
        static const uint8_t seed[32] = {'w', 'a', 'b', 'o', 't', ' ', 'f', 'u', 'z', 'z'};
        if (sodium_init() < 0 || !(k = wb_ed_key_new()))
            abort();
        crypto_sign_seed_keypair(fixed_pk, fixed_sk, seed);
    }
    if (size < 1 + 32 + 64)
        return 0;
    uint8_t mode = data[0], key[32], sig[64];
    const uint8_t *msg = data + 97;
    size_t len = size - 97;
    memcpy(key, data + 1, 32);
    memcpy(sig, data + 33, 64);
    if (mode & 1)
        memcpy(key, fixed_pk, 32);
    if (mode & 4)
        for (int i = 0; i < 32; i++)
            key[i] = (uint8_t)(fixed_pk[i] ^ data[1 + i]);
    if (mode & 2) {
        uint8_t good[64];
        crypto_sign_detached(good, NULL, msg, len, fixed_sk);
        for (int i = 0; i < 64; i++)
            sig[i] ^= good[i];
    }
    int want = crypto_sign_ed25519_verify_detached(sig, msg, len, key) == 0;
    if (wb_ed_key_init(k, key) != 0) {
        if (crypto_core_ed25519_is_valid_point(key) == 1)
            abort(); /* a key libsodium calls valid must get a table */
        return 0;
    }
    int got = wb_ed_key_verify(k, msg, len, sig) == 0;
    if (got != want)
        abort();
    return 0;
}
