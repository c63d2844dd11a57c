/* Token lookup by string (for the encoder): a pointer into the token pool is decoded in place;
 * any other string goes through an open-addressing hash table of every token, built once. */
#include "binary/token.h"

#include <pthread.h>
#include <string.h>

#define SLOTS 4096 /* a power of two, about 3 x the 1259 tokens */

static uint16_t slots[SLOTS]; /* pool offset of a token, 0 = empty (offset 0 is never a token) */
static pthread_once_t slots_once = PTHREAD_ONCE_INIT;

static inline uint32_t hash(const char *s, size_t len) {
    uint32_t h = 2166136261u ^ (uint32_t)len;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h ^ (h >> 15);
}

static inline unsigned code_at(size_t off) {
    const uint8_t *p = (const uint8_t *)wb_token_pool + off;
    return ((unsigned)p[-3] << 8) | p[-2];
}

static void insert(uint16_t off) {
    const char *t = wb_token_pool + off;
    uint32_t h = hash(t, wb_token_len(t)) & (SLOTS - 1);
    while (slots[h])
        h = (h + 1) & (SLOTS - 1);
    slots[h] = off;
}

static void build(void) {
    for (unsigned i = 1; i < WB_TOKEN_SINGLE_COUNT; i++)
        insert(wb_token_single_off[i]);
    for (unsigned d = 0; d < WB_TOKEN_DOUBLE_DICTS; d++)
        for (unsigned i = 0; i < 256; i++)
            insert(wb_token_double_off[d][i]);
}

unsigned wb_token_lookup(const char *s, size_t len) {
    if (len == 0 || len > WB_TOKEN_MAX_LEN)
        return 0;
    uintptr_t rel = (uintptr_t)s - (uintptr_t)wb_token_pool;
    if (rel >= 3 && rel < wb_token_pool_size) {
        /* a string the decoder handed out: the three bytes before it name its token, which
         * is confirmed by the token's offset (any other pointer into the pool fails that) */
        unsigned code = code_at(rel);
        size_t off = code < 256 ? (code < WB_TOKEN_SINGLE_COUNT ? wb_token_single_off[code] : 0)
                     : code < 256 + 256 * WB_TOKEN_DOUBLE_DICTS
                         ? wb_token_double_off[(code - 256) >> 8][(code - 256) & 255]
                         : 0;
        if (off == rel && code != 0 && (size_t)(uint8_t)s[-1] == len)
            return code;
    }
    pthread_once(&slots_once, build);
    uint32_t h = hash(s, len) & (SLOTS - 1);
    for (uint16_t off; (off = slots[h]) != 0; h = (h + 1) & (SLOTS - 1)) {
        const char *t = wb_token_pool + off;
        if (wb_token_len(t) == len && memcmp(t, s, len) == 0)
            return code_at(off);
    }
    return 0;
}
