/* Secure randomness from the operating system (libsodium's randombytes). */
#ifndef WB_CRYPTO_RANDOM_H
#define WB_CRYPTO_RANDOM_H

#include <stddef.h>
#include <stdint.h>

/* Initialises the crypto libraries once per process; safe to call repeatedly and from any
 * layer's init. Returns 0 or WB_ECRYPTO. */
int wb_crypto_init(void);
void wb_random_bytes(void *out, size_t len);
/* A uniformly random integer in [0, upper). */
uint32_t wb_random_uniform(uint32_t upper);

#endif
