/* Process-wide crypto initialisation and secure randomness (random.h). */
#include "crypto/random.h"

#include <openssl/crypto.h>
#include <sodium.h>

#include "core/err.h"

int wb_crypto_init(void) {
    /* OpenSSL without the system's openssl.cnf: wabot's TLS settings are its own (TLS 1.2 or
     * newer, the system's roots or --ca), and reading the file loads its modules: ~600 kB of
     * an idle client's 10 MB. Idempotent; the first call anywhere in the process decides. */
    if (!OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL))
        return WB_ECRYPTO;
    /* sodium_init is idempotent and thread-safe: 0 first time, 1 afterwards, -1 on failure. */
    return sodium_init() < 0 ? WB_ECRYPTO : 0;
}

void wb_random_bytes(void *out, size_t len) { randombytes_buf(out, len); }

uint32_t wb_random_uniform(uint32_t upper) { return randombytes_uniform(upper); }
