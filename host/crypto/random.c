/* Process-wide crypto initialisation and secure randomness (random.h). */
#include "crypto/random.h"

#include <sodium.h>

#include "core/err.h"

int wb_crypto_init(void) {
    /* sodium_init is idempotent and thread-safe: 0 first time, 1 afterwards, -1 on failure. */
    return sodium_init() < 0 ? WB_ECRYPTO : 0;
}

void wb_random_bytes(void *out, size_t len) { randombytes_buf(out, len); }

uint32_t wb_random_uniform(uint32_t upper) { return randombytes_uniform(upper); }
