/* Token lookup by string (for the encoder): a pointer into the token pool is decoded in place;
 * any other string goes to an open-addressing table of every token, keyed by a mix of its
 * length and three of its bytes (first, middle, last), which is cheap to compute and spreads
 * the 1259 tokens well; a non-token nearly always meets an empty slot at once. Built once, on
 * first use. */
#include "binary/token.h"

#include <pthread.h>
#include <string.h>

#define SLOTS 8192 /* a power of two, 6.5 x the 1259 tokens */

static uint16_t slots[SLOTS]; /* pool offset of a token, 0 = empty (offset 0 is never a token) */
static pthread_once_t slots_once = PTHREAD_ONCE_INIT;
static int slots_ready;

static inline uint32_t slot_of(const char *s, size_t len) {
    uint32_t k = (uint32_t)len * 0x9e3779b1u ^ (uint8_t)s[0] * 0x85ebca6bu ^
                 (uint8_t)s[len >> 1] * 0x27d4eb2fu ^ (uint8_t)s[len - 1] * 0xc2b2ae35u;
    k ^= k >> 15;
    k *= 0x2c1b3c6du;
    return (k ^ (k >> 13)) & (SLOTS - 1);
}

/* Equality of two strings of n bytes, a word at a time (the strings are short). */
static inline int same(const char *a, const char *b, size_t n) {
    for (; n >= 8; a += 8, b += 8, n -= 8) {
        uint64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        if (x != y)
            return 0;
    }
    for (; n; a++, b++, n--)
        if (*a != *b)
            return 0;
    return 1;
}

static inline unsigned code_at(size_t off) {
    const uint8_t *p = (const uint8_t *)wb_token_pool + off;
    return ((unsigned)p[-3] << 8) | p[-2];
}

static void insert(const wb_token *t) {
    uint32_t h = slot_of(t->s, t->len);
    while (slots[h])
        h = (h + 1) & (SLOTS - 1);
    slots[h] = (uint16_t)(t->s - wb_token_pool);
}

static void build(void) {
    for (unsigned i = 1; i < WB_TOKEN_SINGLE_COUNT; i++)
        insert(&wb_tokens_single[i]);
    for (unsigned d = 0; d < WB_TOKEN_DOUBLE_DICTS; d++)
        for (unsigned i = 0; i < 256; i++)
            insert(&wb_tokens_double[d][i]);
    __atomic_store_n(&slots_ready, 1, __ATOMIC_RELEASE);
}

unsigned wb_token_lookup(const char *s, size_t len) {
    if (len == 0 || len > WB_TOKEN_MAX_LEN)
        return 0;
    uintptr_t rel = (uintptr_t)s - (uintptr_t)wb_token_pool;
    if (rel >= 3 && rel < wb_token_pool_size) {
        /* a string the decoder handed out: the three bytes before it name its token, which
         * is confirmed by the token's offset (any other pointer into the pool fails that) */
        unsigned code = code_at(rel);
        const wb_token *t = code < WB_TOKEN_SINGLE_COUNT ? &wb_tokens_single[code]
                            : code >= 256 && code < 256 + 256 * WB_TOKEN_DOUBLE_DICTS
                                ? &wb_tokens_double[(code - 256) >> 8][(code - 256) & 255]
                                : NULL;
        size_t off = t ? (size_t)(t->s - wb_token_pool) : 0;
        if (off == rel && code != 0 && (size_t)(uint8_t)s[-1] == len)
            return code;
    }
    if (!__atomic_load_n(&slots_ready, __ATOMIC_ACQUIRE))
        pthread_once(&slots_once, build);
    for (uint32_t h = slot_of(s, len);; h = (h + 1) & (SLOTS - 1)) {
        uint16_t off = slots[h];
        if (!off)
            return 0;
        const char *t = wb_token_pool + off;
        if (wb_token_len(t) == len && same(t, s, len))
            return code_at(off);
    }
    return 0;
}
