/* The encoder of codec.h: a wb_node tree -> node bytes, written straight into the caller's
 * wb_buf through a cursor that grows the buffer when needed. String forms are chosen as
 * Baileys chooses them (see codec.h for the JID rules). */
#include <string.h>

#include "binary/codec.h"
#include "binary/jid_internal.h"
#include "binary/token.h"

typedef struct enc {
    uint8_t *p;   /* next byte to write in out->data */
    uint8_t *end; /* end of out's capacity */
    wb_buf *out;
    size_t start; /* out->len when encoding began */
} enc;

/* Makes room for n more bytes. */
static int grow(enc *e, size_t n) {
    wb_buf *b = e->out;
    b->len = (size_t)(e->p - b->data);
    if (b->len - e->start + n > WB_NODE_MAX_PAYLOAD + 64)
        return WB_ETOOBIG;
    if (wb_buf_reserve(b, n < 256 ? 256 : n) < 0)
        return WB_ENOMEM;
    e->p = b->data + b->len;
    e->end = b->data + b->cap;
    return 0;
}

static inline int room(enc *e, size_t n) {
    return (size_t)(e->end - e->p) >= n ? 0 : grow(e, n);
}

/* Character classes for the packed forms. */
enum { C_NIBBLE = 1, C_HEX = 2 };
static const uint8_t cls[256] = {
    ['-'] = C_NIBBLE, ['.'] = C_NIBBLE,
    ['0'] = C_NIBBLE | C_HEX, ['1'] = C_NIBBLE | C_HEX, ['2'] = C_NIBBLE | C_HEX,
    ['3'] = C_NIBBLE | C_HEX, ['4'] = C_NIBBLE | C_HEX, ['5'] = C_NIBBLE | C_HEX,
    ['6'] = C_NIBBLE | C_HEX, ['7'] = C_NIBBLE | C_HEX, ['8'] = C_NIBBLE | C_HEX,
    ['9'] = C_NIBBLE | C_HEX,
    ['A'] = C_HEX, ['B'] = C_HEX, ['C'] = C_HEX, ['D'] = C_HEX, ['E'] = C_HEX, ['F'] = C_HEX,
};
/* The nibble or hex value of a packable character. */
static const uint8_t packed_value[256] = {
    ['0'] = 0, ['1'] = 1, ['2'] = 2, ['3'] = 3, ['4'] = 4, ['5'] = 5, ['6'] = 6, ['7'] = 7,
    ['8'] = 8, ['9'] = 9, ['-'] = 10, ['.'] = 11, ['A'] = 10, ['B'] = 11, ['C'] = 12,
    ['D'] = 13, ['E'] = 14, ['F'] = 15,
};

static int write_bytes(enc *e, const void *p, size_t n) {
    int rc;
    if ((rc = room(e, n + 5)) < 0)
        return rc;
    if (n < 256) {
        *e->p++ = WB_TAG_BINARY_8;
        *e->p++ = (uint8_t)n;
    } else if (n < ((size_t)1 << 20)) {
        *e->p++ = WB_TAG_BINARY_20;
        *e->p++ = (uint8_t)(n >> 16);
        *e->p++ = (uint8_t)(n >> 8);
        *e->p++ = (uint8_t)n;
    } else {
        if (n > UINT32_MAX)
            return WB_ETOOBIG;
        *e->p++ = WB_TAG_BINARY_32;
        wb_put_be32(e->p, (uint32_t)n);
        e->p += 4;
    }
    if (n)
        memcpy(e->p, p, n);
    e->p += n;
    return 0;
}

static int write_packed(enc *e, const char *s, size_t len, uint8_t tag) {
    int rc;
    if ((rc = room(e, len / 2 + 3)) < 0)
        return rc;
    uint8_t *q = e->p;
    *q++ = tag;
    *q++ = (uint8_t)(((len + 1) / 2) | (len & 1 ? 128 : 0));
    size_t i = 0;
    for (; i + 1 < len; i += 2)
        *q++ = (uint8_t)(packed_value[(uint8_t)s[i]] << 4 | packed_value[(uint8_t)s[i + 1]]);
    if (len & 1)
        *q++ = (uint8_t)(packed_value[(uint8_t)s[i]] << 4 | 15);
    e->p = q;
    return 0;
}

static int write_string(enc *e, const char *s, size_t len, int depth);

/* The AD_JID domain type of a server, or -1 for a server AD_JID cannot name. */
static int ad_domain(const char *s, size_t len) {
    switch (len) {
    case 3:
        return memcmp(s, "lid", 3) == 0 ? WB_DOMAIN_LID : -1;
    case 6:
        return memcmp(s, "hosted", 6) == 0 ? WB_DOMAIN_HOSTED : -1;
    case 10:
        return memcmp(s, "hosted.lid", 10) == 0 ? WB_DOMAIN_HOSTED_LID : -1;
    case 14:
        return memcmp(s, "s.whatsapp.net", 14) == 0 ? WB_DOMAIN_WHATSAPP : -1;
    default:
        return -1;
    }
}

static int is(const char *s, size_t len, const char *lit) {
    return strlen(lit) == len && memcmp(s, lit, len) == 0;
}

/* Writes s (which contains '@' at at) as a JID. Returns 1 when written, 0 when s must be written
 * raw instead (no server, or the nesting limit reached), or a negative error. */
static int write_jid(enc *e, const char *s, size_t len, const char *at, int depth) {
    const char *server = at + 1;
    size_t slen = len - (size_t)(server - s), ulen = (size_t)(at - s);
    int rc;
    if (slen == 0 || depth + 1 > WB_NODE_MAX_DEPTH)
        return 0;
    if ((rc = room(e, 8)) < 0)
        return rc;
    const char *colon = ulen ? memchr(s, ':', ulen) : NULL;
    unsigned device;
    if (colon && wb_jid_decimal(colon + 1, (size_t)(at - colon - 1), 65535, &device)) {
        size_t u0 = (size_t)(colon - s);
        int dom = ad_domain(server, slen);
        if (dom >= 0 && device <= 255 && !memchr(s, '_', u0)) {
            /* user:device@s.whatsapp.net|lid|hosted|hosted.lid, as Baileys writes it */
            *e->p++ = WB_TAG_AD_JID;
            *e->p++ = (uint8_t)dom;
            *e->p++ = (uint8_t)device;
            return (rc = write_string(e, s, u0, depth + 1)) < 0 ? rc : 1;
        }
        if (is(server, slen, WB_SERVER_MSGR)) {
            *e->p++ = WB_TAG_FB_JID;
            if ((rc = write_string(e, s, u0, depth + 1)) < 0 || (rc = room(e, 2)) < 0)
                return rc;
            wb_put_be16(e->p, (uint16_t)device);
            e->p += 2;
            return (rc = write_string(e, server, slen, depth + 1)) < 0 ? rc : 1;
        }
        const char *dash = u0 ? memchr(s, '-', u0) : NULL;
        unsigned integrator;
        if (dash && is(server, slen, WB_SERVER_INTEROP) &&
            wb_jid_decimal(s, (size_t)(dash - s), 65535, &integrator)) {
            *e->p++ = WB_TAG_INTEROP_JID;
            if ((rc = write_string(e, dash + 1, (size_t)(colon - dash - 1), depth + 1)) < 0 ||
                (rc = room(e, 4)) < 0)
                return rc;
            wb_put_be16(e->p, (uint16_t)device);
            wb_put_be16(e->p + 2, (uint16_t)integrator);
            e->p += 4;
            return (rc = write_string(e, server, slen, depth + 1)) < 0 ? rc : 1;
        }
    }
    /* user@server, and every user part that AD/FB/INTEROP cannot carry intact */
    *e->p++ = WB_TAG_JID_PAIR;
    if (ulen == 0)
        *e->p++ = WB_TAG_LIST_EMPTY;
    else if ((rc = write_string(e, s, ulen, depth + 1)) < 0)
        return rc;
    return (rc = write_string(e, server, slen, depth + 1)) < 0 ? rc : 1;
}

static int write_string(enc *e, const char *s, size_t len, int depth) {
    int rc;
    if (len == 0)
        return write_bytes(e, s, 0);
    unsigned code = wb_token_lookup(s, len);
    if (code) {
        if ((rc = room(e, 2)) < 0)
            return rc;
        if (code < 256) {
            *e->p++ = (uint8_t)code;
        } else {
            *e->p++ = (uint8_t)(WB_TAG_DICTIONARY_0 + ((code - 256) >> 8));
            *e->p++ = (uint8_t)(code & 255);
        }
        return 0;
    }
    if (len <= WB_PACKED_MAX) {
        unsigned all = C_NIBBLE | C_HEX;
        for (size_t i = 0; i < len && all; i++)
            all &= cls[(uint8_t)s[i]];
        if (all & C_NIBBLE)
            return write_packed(e, s, len, WB_TAG_NIBBLE_8);
        if (all & C_HEX)
            return write_packed(e, s, len, WB_TAG_HEX_8);
    }
    const char *at = memchr(s, '@', len);
    if (at && (rc = write_jid(e, s, len, at, depth)) != 0)
        return rc < 0 ? rc : 0;
    return write_bytes(e, s, len);
}

static int write_list_start(enc *e, size_t n) {
    int rc;
    if (n > 65535)
        return WB_ETOOBIG;
    if ((rc = room(e, 3)) < 0)
        return rc;
    if (n == 0) {
        *e->p++ = WB_TAG_LIST_EMPTY;
    } else if (n < 256) {
        *e->p++ = WB_TAG_LIST_8;
        *e->p++ = (uint8_t)n;
    } else {
        *e->p++ = WB_TAG_LIST_16;
        wb_put_be16(e->p, (uint16_t)n);
        e->p += 2;
    }
    return 0;
}

static int write_node(enc *e, const wb_node *n, int depth) {
    int rc;
    if (!n || n->tag_len == 0)
        return WB_EINVAL;
    if (n->flags & WB_NODE_BROKEN)
        return WB_ENOMEM;
    if (depth > WB_NODE_MAX_DEPTH)
        return WB_EDEPTH;
    int has_content = n->kind != WB_CONTENT_NONE;
    if ((rc = write_list_start(e, 1 + 2 * (size_t)n->nattrs + (size_t)has_content)) < 0 ||
        (rc = write_string(e, n->tag, n->tag_len, depth)) < 0)
        return rc;
    for (uint32_t i = 0; i < n->nattrs; i++) {
        const wb_attr *a = &n->attrs[i];
        if ((rc = write_string(e, a->key, a->key_len, depth)) < 0 ||
            (rc = write_string(e, a->value, a->value_len, depth)) < 0)
            return rc;
    }
    switch (n->kind) {
    case WB_CONTENT_NODES:
        if ((rc = write_list_start(e, n->nkids)) < 0)
            return rc;
        if (n->nkids && depth + 1 > WB_NODE_MAX_DEPTH)
            return WB_EDEPTH;
        for (uint32_t i = 0; i < n->nkids; i++)
            if ((rc = write_node(e, n->kids[i], depth + 1)) < 0)
                return rc;
        return 0;
    case WB_CONTENT_BYTES:
        return write_bytes(e, n->data, n->data_len);
    case WB_CONTENT_TEXT:
        return write_string(e, (const char *)n->data, n->data_len, depth);
    default:
        return 0;
    }
}

int wb_node_encode(const wb_node *n, wb_buf *out) {
    if (!out)
        return WB_EINVAL;
    if (wb_buf_reserve(out, 256) < 0)
        return WB_ENOMEM;
    enc e = {out->data + out->len, out->data + out->cap, out, out->len};
    int rc = write_node(&e, n, 1);
    out->len = (size_t)(e.p - out->data);
    if (rc == 0 && out->len - e.start > WB_NODE_MAX_PAYLOAD)
        rc = WB_ETOOBIG;
    return rc;
}

int wb_node_encode_payload(const wb_node *n, wb_buf *out) {
    int rc = wb_buf_put_u8(out, 0);
    return rc < 0 ? rc : wb_node_encode(n, out);
}
