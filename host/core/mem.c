/* Secret-safe memory helpers (mem.h), on libsodium's primitives. */
#include "core/mem.h"

#include <sodium.h>
#include <stdlib.h>

void wb_zero(void *p, size_t n) {
    if (p && n)
        sodium_memzero(p, n);
}

void wb_free_secret(void *p, size_t n) {
    wb_zero(p, n);
    free(p);
}

int wb_memneq(const void *a, const void *b, size_t n) {
    return sodium_memcmp(a, b, n) != 0;
}
