/* The token dictionaries of the binary node format (dictionary version 3) and lookups in both
 * directions. Used by the codec (decode.c, encode.c); exported for tests and the interop helper.
 *
 * A token code is 1..235 for a single-byte token and 256 + dict*256 + index for a double-byte
 * token (dict 0..3, written on the wire as DICTIONARY_0 + dict, index). */
#ifndef WB_BINARY_TOKEN_H
#define WB_BINARY_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#define WB_TOKEN_DICT_VERSION 3
#define WB_TOKEN_SINGLE_COUNT 236
#define WB_TOKEN_DOUBLE_DICTS 4
#define WB_TOKEN_MAX_LEN 48 /* the longest token */

/* Tag bytes of the format. 1..235 are single-byte tokens. */
enum {
    WB_TAG_LIST_EMPTY = 0,
    WB_TAG_DICTIONARY_0 = 236,
    WB_TAG_DICTIONARY_3 = 239,
    WB_TAG_INTEROP_JID = 245,
    WB_TAG_FB_JID = 246,
    WB_TAG_AD_JID = 247,
    WB_TAG_LIST_8 = 248,
    WB_TAG_LIST_16 = 249,
    WB_TAG_JID_PAIR = 250,
    WB_TAG_HEX_8 = 251,
    WB_TAG_BINARY_8 = 252,
    WB_TAG_BINARY_20 = 253,
    WB_TAG_BINARY_32 = 254,
    WB_TAG_NIBBLE_8 = 255,
    WB_PACKED_MAX = 127,
};

/* A token: a NUL-terminated string with static lifetime, and its length. */
typedef struct wb_token {
    const char *s;
    size_t len;
} wb_token;

/* The data (token_data.c). Every token string lies inside wb_token_pool, preceded by three
 * bytes: its code (big-endian) and its length. */
extern const char wb_token_pool[];
extern const size_t wb_token_pool_size;
extern const wb_token wb_tokens_single[WB_TOKEN_SINGLE_COUNT];
extern const wb_token wb_tokens_double[WB_TOKEN_DOUBLE_DICTS][256];

/* The single-byte token i (0..235; 0 is ""). */
static inline const char *wb_token_single(unsigned i) {
    return wb_tokens_single[i].s;
}
/* The double-byte token (dict 0..3, index 0..255). */
static inline const char *wb_token_double(unsigned dict, unsigned index) {
    return wb_tokens_double[dict][index].s;
}
/* The length of a token string returned by the two functions above. */
static inline size_t wb_token_len(const char *tok) {
    return (uint8_t)tok[-1];
}

/* Returns the token code of s (len bytes), or 0 when s is not a token. The empty string is not
 * a token. O(1): a string that points into the pool is recognised by address, any other by a
 * hash table built on first use (thread-safe). */
unsigned wb_token_lookup(const char *s, size_t len);

#endif
