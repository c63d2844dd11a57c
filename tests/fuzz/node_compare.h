/* Tree comparison for the binary fuzz targets (fuzz_binary_decode.c, fuzz_node_json.c).
 *
 * Re-encoding a decoded tree may change it once, in the two ways Baileys' own encoder and decoder
 * do: a string `user:0@server` (server s.whatsapp.net, lid, hosted, hosted.lid) is written as
 * AD_JID device 0 and reads back as `user@server`, and text content written as raw bytes reads
 * back as bytes. same_tree(a, b, 1) allows exactly those; same_tree(a, b, 0) is exact. */
#ifndef WB_FUZZ_NODE_COMPARE_H
#define WB_FUZZ_NODE_COMPARE_H

#include <stdlib.h>
#include <string.h>

#include "binary/node.h"

/* Writes s with the device-0 normalisation applied (out has room for len bytes); returns the
 * new length. "U:0@S" -> "U@S" when S is an AD_JID server and U has no ':' or '_'; a server
 * part that is itself a JID is normalised first. */
static inline size_t normalize(const char *s, size_t len, char *out) {
    const char *at = memchr(s, '@', len);
    if (!at) {
        memcpy(out, s, len);
        return len;
    }
    size_t ulen = (size_t)(at - s);
    size_t slen = normalize(at + 1, len - ulen - 1, out + ulen + 1);
    const char *srv = out + ulen + 1;
    int ad = (slen == 14 && memcmp(srv, "s.whatsapp.net", 14) == 0) ||
             (slen == 3 && memcmp(srv, "lid", 3) == 0) || (slen == 6 && memcmp(srv, "hosted", 6) == 0) ||
             (slen == 10 && memcmp(srv, "hosted.lid", 10) == 0);
    const char *colon = ulen ? memchr(s, ':', ulen) : NULL;
    if (ad && colon && colon + 2 == at && colon[1] == '0' && !memchr(s, '_', ulen)) {
        size_t u0 = (size_t)(colon - s);
        memcpy(out, s, u0);
        out[u0] = '@';
        memmove(out + u0 + 1, srv, slen);
        return u0 + 1 + slen;
    }
    memcpy(out, s, ulen);
    out[ulen] = '@';
    return ulen + 1 + slen;
}

/* 1 when the strings are equal (exact) or equal after normalisation (loose). */
static inline int same_str(const char *a, size_t alen, const char *b, size_t blen, int loose) {
    if (alen == blen && memcmp(a, b, alen) == 0)
        return 1;
    if (!loose)
        return 0;
    char *x = malloc(alen + 1), *y = malloc(blen + 1);
    size_t xn = normalize(a, alen, x), yn = normalize(b, blen, y);
    int same = xn == yn && memcmp(x, y, xn) == 0;
    free(x);
    free(y);
    return same;
}

/* Tree equality; loose allows the normalisations above (text -> bytes, device 0). */
static inline int same_tree(const wb_node *a, const wb_node *b, int loose) {
    if (!same_str(a->tag, a->tag_len, b->tag, b->tag_len, loose) || a->nattrs != b->nattrs)
        return 0;
    for (uint32_t i = 0; i < a->nattrs; i++) {
        const wb_attr *x = &a->attrs[i], *y = &b->attrs[i];
        if (!same_str(x->key, x->key_len, y->key, y->key_len, loose) ||
            !same_str(x->value, x->value_len, y->value, y->value_len, loose))
            return 0;
    }
    if (a->kind == WB_CONTENT_NODES || b->kind == WB_CONTENT_NODES) {
        if (a->kind != b->kind || a->nkids != b->nkids)
            return 0;
        for (uint32_t i = 0; i < a->nkids; i++)
            if (!same_tree(a->kids[i], b->kids[i], loose))
                return 0;
        return 1;
    }
    if (a->kind == WB_CONTENT_NONE || b->kind == WB_CONTENT_NONE)
        return a->kind == b->kind;
    if (a->kind != b->kind && !(loose && a->kind == WB_CONTENT_TEXT && b->kind == WB_CONTENT_BYTES))
        return 0;
    return same_str((const char *)a->data, a->data_len, (const char *)b->data, b->data_len,
                    loose && a->kind == WB_CONTENT_TEXT);
}

#endif
