/* The decoder of codec.h: node bytes -> a wb_node tree in an arena. Recursive descent over a
 * bounds-checked cursor; strings are copied (or, for tokens, pointed at) so the tree does not
 * borrow the input. Every failure names the byte where it was found.
 *
 * String readers return the string by value (it travels in registers); a failed read returns
 * {NULL, 0} with the error recorded in d->rc. Lengths need no overflow checks: every string is
 * at most the input (16 MiB) plus rendered JID punctuation, and the tree budget
 * (WB_NODE_MAX_TREE) caps the sum. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "binary/codec.h"
#include "binary/token.h"

typedef struct dec {
    const uint8_t *p;   /* next byte */
    const uint8_t *end; /* end of input */
    const uint8_t *base;
    wb_arena *a;
    wb_error *err;
    size_t bias;       /* added to offsets in errors */
    const char *where; /* prefix for error sentences */
    size_t nodes;      /* nodes so far */
    size_t used;       /* arena bytes so far */
    int rc;            /* the error, once one happened */
} dec;

/* A string in the tree: NUL-terminated, with its length (the same shape as a token). */
typedef wb_token str;
static const str no_str = {NULL, 0};
static const str empty_str = {"", 0};

__attribute__((format(printf, 4, 5), cold, noinline)) static int fail(dec *d, const uint8_t *at,
                                                                      int code, const char *fmt,
                                                                      ...) {
    if (d->err) {
        char what[sizeof d->err->what];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        wb_error_set(d->err, code, (size_t)(at - d->base) + d->bias, "%s%s", d->where, what);
    }
    return d->rc = code;
}

__attribute__((cold, noinline)) static int truncated(dec *d, const char *what) {
    return fail(d, d->end, WB_ETRUNC, "input ended inside %s", what);
}

__attribute__((cold, noinline)) static int nomem(dec *d) {
    if (d->used > WB_NODE_MAX_TREE)
        return fail(d, d->p, WB_ETOOBIG, "decoded tree over %zu bytes", WB_NODE_MAX_TREE);
    return fail(d, d->p, WB_ENOMEM, "out of memory");
}

static inline void *dalloc(dec *d, size_t n) {
    d->used += n + 8;
    if (__builtin_expect(d->used > WB_NODE_MAX_TREE, 0))
        return NULL;
    return wb_arena_alloc(d->a, n);
}

static inline size_t left(const dec *d) {
    return (size_t)(d->end - d->p);
}

/* ---- strings ------------------------------------------------------------------------------- */

static str read_string(dec *d, unsigned tag, int depth);

/* Reads a tag byte, then the string it starts; single-byte tokens (most strings) inline. */
static inline str read_tagged_string(dec *d, int depth, const char *what) {
    if (__builtin_expect(d->p == d->end, 0)) {
        truncated(d, what);
        return no_str;
    }
    unsigned tag = *d->p++;
    if (tag - 1u < WB_TOKEN_SINGLE_COUNT - 1u)
        return wb_tokens_single[tag];
    return read_string(d, tag, depth);
}

/* Reads a BINARY_n length (tag consumed) and checks it against the input; -1 on error. */
static size_t read_length(dec *d, unsigned tag) {
    const uint8_t *at = d->p - 1;
    size_t n;
    if (tag == WB_TAG_BINARY_8) {
        if (left(d) < 1)
            return truncated(d, "a BINARY_8 length"), (size_t)-1;
        n = d->p[0];
        d->p += 1;
    } else if (tag == WB_TAG_BINARY_20) {
        if (left(d) < 3)
            return truncated(d, "a BINARY_20 length"), (size_t)-1;
        n = ((size_t)(d->p[0] & 15) << 16) | ((size_t)d->p[1] << 8) | d->p[2];
        d->p += 3;
    } else {
        if (left(d) < 4)
            return truncated(d, "a BINARY_32 length"), (size_t)-1;
        n = wb_get_be32(d->p);
        d->p += 4;
    }
    if (n > left(d))
        return fail(d, at, WB_ETRUNC, "%zu bytes announced, %zu left", n, left(d)), (size_t)-1;
    return n;
}

/* BINARY_n bytes, copied and NUL-terminated. */
static str read_raw(dec *d, unsigned tag) {
    size_t n = read_length(d, tag);
    if (n == (size_t)-1)
        return no_str;
    char *s = dalloc(d, n + 1);
    if (!s)
        return nomem(d), no_str;
    memcpy(s, d->p, n);
    s[n] = 0;
    d->p += n;
    return (str){s, n};
}

/* Packed strings: each byte holds two characters. The tables give, for every byte, both
 * characters (first in the low half) and, for nibbles, whether both halves are valid: 0-9, '-'
 * (10), '.' (11), NUL (15, the pad; Baileys keeps it as a character mid-string); 12-14 are bad. */
#define NIB(x) ((x) < 10 ? '0' + (x) : (x) == 10 ? '-' : (x) == 11 ? '.' : 0)
#define NIB_OK(x) ((x) < 12 || (x) == 15)
#define HEX(x) ((x) < 10 ? '0' + (x) : 'A' + (x) - 10)
#define NPAIR(b) (uint16_t)(NIB((b) >> 4) | NIB((b) & 15) << 8)
#define HPAIR(b) (uint16_t)(HEX((b) >> 4) | HEX((b) & 15) << 8)
#define NVALID(b) (uint8_t)(NIB_OK((b) >> 4) && NIB_OK((b) & 15))
#define ROW16(F, b)                                                                                \
    F(b), F(b + 1), F(b + 2), F(b + 3), F(b + 4), F(b + 5), F(b + 6), F(b + 7), F(b + 8),         \
        F(b + 9), F(b + 10), F(b + 11), F(b + 12), F(b + 13), F(b + 14), F(b + 15)
#define ALL256(F)                                                                                  \
    ROW16(F, 0), ROW16(F, 16), ROW16(F, 32), ROW16(F, 48), ROW16(F, 64), ROW16(F, 80),            \
        ROW16(F, 96), ROW16(F, 112), ROW16(F, 128), ROW16(F, 144), ROW16(F, 160), ROW16(F, 176),  \
        ROW16(F, 192), ROW16(F, 208), ROW16(F, 224), ROW16(F, 240)
static const uint16_t nibble_pairs[256] = {ALL256(NPAIR)};
static const uint16_t hex_pairs[256] = {ALL256(HPAIR)};
static const uint8_t nibble_valid[256] = {ALL256(NVALID)};

/* Decodes a packed string (tag consumed) into dst, which has room for 2 * 127 characters, or
 * into a new arena string when dst is NULL. */
static str read_packed_into(dec *d, unsigned tag, char *dst) {
    const uint8_t *at = d->p - 1;
    if (left(d) < 1)
        return truncated(d, "a packed string"), no_str;
    unsigned start = *d->p++;
    size_t n = start & 127;
    if (n > left(d))
        return fail(d, at, WB_ETRUNC, "packed string of %zu bytes, %zu left", n, left(d)), no_str;
    size_t len = 2 * n;
    if ((start & 128) && len)
        len--;
    char *s = dst ? dst : dalloc(d, 2 * n + 1);
    if (!s)
        return nomem(d), no_str;
    const uint8_t *q = d->p;
    const uint16_t *pairs = tag == WB_TAG_NIBBLE_8 ? nibble_pairs : hex_pairs;
    unsigned valid = 1;
    for (size_t i = 0; i < n; i++) {
        uint16_t two = pairs[q[i]];
        s[2 * i] = (char)(two & 255);
        s[2 * i + 1] = (char)(two >> 8);
        if (tag == WB_TAG_NIBBLE_8)
            valid &= nibble_valid[q[i]];
    }
    if (!valid)
        for (size_t i = 0; i < n; i++)
            if (!nibble_valid[q[i]])
                return fail(d, q + i, WB_EMALFORMED, "bad nibble %u",
                            NIB_OK(q[i] >> 4) ? q[i] & 15 : q[i] >> 4),
                       no_str;
    s[len] = 0;
    d->p += n;
    return (str){s, len};
}

/* Writes v in decimal at q; returns the number of digits. */
static size_t put_uint(char *q, unsigned v) {
    char tmp[10];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        q[i] = tmp[n - 1 - i];
    return n;
}

/* A JID as it is rendered: [integrator-]user[:device]@server. */
typedef struct jid_parts {
    int has_integrator, has_device;
    unsigned integrator, device;
    str server;
} jid_parts;

/* Reads the user string of a JID straight into a buffer big enough for the whole rendering when
 * it is packed (the common case: phone numbers, LIDs), otherwise as any string; then appends the
 * rest of the rendering. The server is known before (AD_JID) or read by after_user (JID_PAIR,
 * FB_JID, INTEROP_JID) once the user has been read. */
static str render_jid(dec *d, int depth, const char *what, jid_parts *j,
                      int (*after_user)(dec *, int, jid_parts *), size_t server_gap) {
    if (d->p == d->end)
        return truncated(d, what), no_str;
    unsigned tag = *d->p;
    str user;
    char *buf = NULL;
    size_t cap = 0;
    enum { TAIL = 6 + 1 + 6 + 1 + 1 }; /* "65535-" ":65535" "@" NUL */
    if ((tag == WB_TAG_NIBBLE_8 || tag == WB_TAG_HEX_8) && left(d) >= 2) {
        /* room for the user, the tail and the server: known (AD_JID), or a single-byte token
         * server_gap bytes after the user (peeked), or else assumed no longer than any token;
         * a longer server gets a new buffer below */
        size_t n = d->p[1] & 127, srv = WB_TOKEN_MAX_LEN;
        if (j->server.s)
            srv = j->server.len;
        else if (left(d) > 2 + n + server_gap && d->p[2 + n + server_gap] - 1u < WB_TOKEN_SINGLE_COUNT - 1u)
            srv = wb_tokens_single[d->p[2 + n + server_gap]].len;
        cap = 2 * n + TAIL + srv;
        buf = dalloc(d, cap);
        if (!buf)
            return nomem(d), no_str;
        d->p++;
        user = read_packed_into(d, tag, buf + (j->has_integrator ? 6 : 0));
    } else if (tag == WB_TAG_LIST_EMPTY) {
        d->p++;
        user = empty_str;
    } else {
        user = read_tagged_string(d, depth, what);
    }
    if (!user.s || (after_user && after_user(d, depth, j) < 0))
        return no_str;
    size_t need = user.len + j->server.len + TAIL;
    if (!buf || need > cap) {
        buf = dalloc(d, need);
        if (!buf)
            return nomem(d), no_str;
    }
    char *s = buf;
    size_t n = 0;
    if (j->has_integrator) {
        /* the packed user sits at s + 6: move it right after the integrator */
        char digits[8];
        size_t k = put_uint(digits, j->integrator);
        memcpy(s, digits, k);
        s[k] = '-';
        memmove(s + k + 1, user.s, user.len);
        n = k + 1 + user.len;
    } else {
        if (user.s != s)
            memmove(s, user.s, user.len);
        n = user.len;
    }
    if (j->has_device) {
        s[n++] = ':';
        n += put_uint(s + n, j->device);
    }
    s[n++] = '@';
    memcpy(s + n, j->server.s, j->server.len);
    n += j->server.len;
    s[n] = 0;
    return (str){s, n};
}

/* JID_PAIR: the server follows the user. */
static int pair_server(dec *d, int depth, jid_parts *j) {
    const uint8_t *at = d->p;
    j->server = read_tagged_string(d, depth, "a JID");
    if (!j->server.s)
        return d->rc;
    if (j->server.len == 0)
        return fail(d, at, WB_EMALFORMED, "invalid JID: JID_PAIR without a server");
    return 0;
}

/* FB_JID: device (2 bytes), then the server. */
static int fb_rest(dec *d, int depth, jid_parts *j) {
    if (left(d) < 2)
        return truncated(d, "an FB_JID");
    j->device = ((unsigned)d->p[0] << 8) | d->p[1];
    d->p += 2;
    j->server = read_tagged_string(d, depth, "an FB_JID");
    return j->server.s ? 0 : d->rc;
}

/* INTEROP_JID: device, integrator (2 bytes each), then the server. */
static int interop_rest(dec *d, int depth, jid_parts *j) {
    if (left(d) < 4)
        return truncated(d, "an INTEROP_JID");
    j->device = ((unsigned)d->p[0] << 8) | d->p[1];
    j->integrator = ((unsigned)d->p[2] << 8) | d->p[3];
    d->p += 4;
    j->server = read_tagged_string(d, depth, "an INTEROP_JID");
    return j->server.s ? 0 : d->rc;
}

static str read_jid(dec *d, unsigned tag, int depth) {
    const uint8_t *at = d->p - 1;
    if (depth + 1 > WB_NODE_MAX_DEPTH)
        return fail(d, at, WB_EDEPTH, "JIDs nested deeper than %d levels", WB_NODE_MAX_DEPTH),
               no_str;
    jid_parts j = {0, 0, 0, 0, {NULL, 0}};
    switch (tag) {
    case WB_TAG_JID_PAIR:
        return render_jid(d, depth + 1, "a JID", &j, pair_server, 0);
    case WB_TAG_AD_JID: {
        if (left(d) < 2)
            return truncated(d, "an AD_JID"), no_str;
        unsigned domain = d->p[0];
        j.device = d->p[1];
        j.has_device = j.device != 0;
        d->p += 2;
        j.server = domain == 1     ? (str){"lid", 3}
                   : domain == 128 ? (str){"hosted", 6}
                   : domain == 129 ? (str){"hosted.lid", 10}
                                   : (str){"s.whatsapp.net", 14};
        return render_jid(d, depth + 1, "an AD_JID", &j, NULL, 0);
    }
    case WB_TAG_FB_JID:
        j.has_device = 1;
        return render_jid(d, depth + 1, "an FB_JID", &j, fb_rest, 2);
    default: /* INTEROP_JID */
        j.has_device = j.has_integrator = 1;
        return render_jid(d, depth + 1, "an INTEROP_JID", &j, interop_rest, 4);
    }
}

/* Reads the string that tag (already consumed) starts. */
static str read_string(dec *d, unsigned tag, int depth) {
    if (tag - 1u < WB_TOKEN_SINGLE_COUNT - 1u)
        return wb_tokens_single[tag];
    switch (tag) {
    case WB_TAG_LIST_EMPTY:
        return empty_str;
    case WB_TAG_DICTIONARY_0:
    case WB_TAG_DICTIONARY_0 + 1:
    case WB_TAG_DICTIONARY_0 + 2:
    case WB_TAG_DICTIONARY_3:
        if (d->p == d->end)
            return truncated(d, "a double-byte token"), no_str;
        return wb_tokens_double[tag - WB_TAG_DICTIONARY_0][*d->p++];
    case WB_TAG_BINARY_8:
    case WB_TAG_BINARY_20:
    case WB_TAG_BINARY_32:
        return read_raw(d, tag);
    case WB_TAG_NIBBLE_8:
    case WB_TAG_HEX_8:
        return read_packed_into(d, tag, NULL);
    case WB_TAG_JID_PAIR:
    case WB_TAG_AD_JID:
    case WB_TAG_FB_JID:
    case WB_TAG_INTEROP_JID:
        return read_jid(d, tag, depth);
    case WB_TAG_LIST_8:
    case WB_TAG_LIST_16:
        return fail(d, d->p - 1, WB_EMALFORMED, "list (tag %u) where a string belongs", tag),
               no_str;
    default:
        return fail(d, d->p - 1, WB_EMALFORMED, "unknown tag %u", tag), no_str;
    }
}

/* ---- nodes --------------------------------------------------------------------------------- */

static int read_node(dec *d, int depth, wb_node *n);

/* Reads a list size after its tag byte (LIST_EMPTY, LIST_8 or LIST_16); -1 on error. */
static size_t read_list_size(dec *d, unsigned tag) {
    if (tag == WB_TAG_LIST_EMPTY)
        return 0;
    if (tag == WB_TAG_LIST_8) {
        if (left(d) < 1)
            return truncated(d, "a list size"), (size_t)-1;
        return *d->p++;
    }
    if (left(d) < 2)
        return truncated(d, "a list size"), (size_t)-1;
    size_t n = ((size_t)d->p[0] << 8) | d->p[1];
    d->p += 2;
    return n;
}

static int read_children(dec *d, unsigned tag, int depth, wb_node *n) {
    const uint8_t *at = d->p - 1;
    size_t count = read_list_size(d, tag);
    if (count == (size_t)-1)
        return d->rc;
    n->kind = WB_CONTENT_NODES;
    if (count == 0)
        return 0;
    if (depth + 1 > WB_NODE_MAX_DEPTH)
        return fail(d, at, WB_EDEPTH, "nodes nested deeper than %d levels", WB_NODE_MAX_DEPTH);
    if (count > left(d) / 3) /* a node takes at least 3 bytes */
        return fail(d, at, WB_ETOOBIG, "list too long: %zu nodes cannot fit in %zu bytes", count,
                    left(d));
    /* the nodes and the pointer array the tree exposes, in one allocation */
    wb_node *kids = dalloc(d, count * (sizeof *kids + sizeof(wb_node *)));
    if (!kids)
        return nomem(d);
    wb_node **ptrs = (wb_node **)(kids + count);
    n->kids = ptrs;
    n->nkids = n->kids_cap = (uint32_t)count;
    for (size_t i = 0; i < count; i++) {
        ptrs[i] = &kids[i];
        int rc = read_node(d, depth + 1, &kids[i]);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int read_content(dec *d, int depth, wb_node *n) {
    if (d->p == d->end)
        return truncated(d, "node content");
    unsigned tag = *d->p++;
    str s;
    switch (tag) {
    case WB_TAG_LIST_EMPTY:
    case WB_TAG_LIST_8:
    case WB_TAG_LIST_16:
        return read_children(d, tag, depth, n);
    case WB_TAG_BINARY_8:
    case WB_TAG_BINARY_20:
    case WB_TAG_BINARY_32:
        s = read_raw(d, tag);
        n->kind = WB_CONTENT_BYTES;
        break;
    default:
        s = read_string(d, tag, depth);
        n->kind = WB_CONTENT_TEXT;
        break;
    }
    if (!s.s)
        return d->rc;
    n->data = (const uint8_t *)s.s;
    n->data_len = s.len;
    return 0;
}

static int read_node(dec *d, int depth, wb_node *n) {
    const uint8_t *at = d->p;
    memset(n, 0, sizeof *n);
    n->arena = d->a;
    if (++d->nodes > WB_NODE_MAX_NODES)
        return fail(d, at, WB_ETOOBIG, "more than %zu nodes", WB_NODE_MAX_NODES);
    if (d->p == d->end)
        return truncated(d, "a node");
    unsigned tag = *d->p++;
    if (tag != WB_TAG_LIST_8 && tag != WB_TAG_LIST_16)
        return fail(d, at, WB_EMALFORMED,
                    tag == WB_TAG_LIST_EMPTY ? "invalid node: empty list"
                                             : "invalid node: tag %u where a list belongs",
                    tag);
    size_t size = read_list_size(d, tag);
    if (size == (size_t)-1)
        return d->rc;
    if (size == 0)
        return fail(d, at, WB_EMALFORMED, "invalid node: empty list");
    str t = read_tagged_string(d, depth, "a node tag");
    if (!t.s)
        return d->rc;
    if (t.len == 0)
        return fail(d, at, WB_EMALFORMED, "invalid node: empty tag");
    n->tag = t.s;
    n->tag_len = (uint32_t)t.len;
    size_t nattrs = (size - 1) / 2;
    if (nattrs) {
        if (nattrs > left(d) / 2)
            return fail(d, at, WB_ETOOBIG, "list too long: %zu attributes cannot fit in %zu bytes",
                        nattrs, left(d));
        wb_attr *attrs = dalloc(d, nattrs * sizeof *attrs);
        if (!attrs)
            return nomem(d);
        n->attrs = attrs;
        n->nattrs = n->attrs_cap = (uint32_t)nattrs;
        for (size_t i = 0; i < nattrs; i++) {
            str k = read_tagged_string(d, depth, "an attribute");
            if (!k.s)
                return d->rc;
            str v = read_tagged_string(d, depth, "an attribute");
            if (!v.s)
                return d->rc;
            attrs[i] = (wb_attr){k.s, v.s, (uint32_t)k.len, (uint32_t)v.len};
        }
    }
    if (size % 2 == 0)
        return read_content(d, depth, n);
    return 0;
}

/* ---- entry points -------------------------------------------------------------------------- */

static int decode_at(wb_arena *a, const uint8_t *p, size_t len, size_t bias, const char *where,
                     wb_node **out, wb_error *err) {
    static const uint8_t none[1];
    if (!p)
        p = none; /* len is 0: keeps pointer arithmetic off NULL */
    dec d = {p, p + len, p, a, err, bias, where, 0, 0, 0};
    if (len > WB_NODE_MAX_PAYLOAD)
        return fail(&d, p, WB_ETOOBIG, "payload of %zu bytes is over the %zu-byte limit", len,
                    WB_NODE_MAX_PAYLOAD);
    wb_node *root = dalloc(&d, sizeof *root);
    if (!root)
        return nomem(&d);
    int rc = read_node(&d, 1, root);
    if (rc < 0)
        return rc;
    if (d.p != d.end)
        return fail(&d, d.p, WB_EMALFORMED, "%zu bytes after the node", left(&d));
    *out = root;
    return 0;
}

int wb_node_decode(wb_arena *a, const uint8_t *p, size_t len, wb_node **out, wb_error *err) {
    if (!a || (!p && len) || !out)
        return wb_error_set(err, WB_EINVAL, 0, "invalid arguments");
    return decode_at(a, p, len, 0, "", out, err);
}

/* Inflates a zlib stream into out, refusing more than WB_NODE_MAX_PAYLOAD bytes. */
static int inflate_payload(const uint8_t *p, size_t len, wb_buf *out, wb_error *err) {
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit(&z) != Z_OK)
        return wb_error_set(err, WB_ENOMEM, 1, "zlib: cannot initialise");
    z.next_in = (Bytef *)p;
    z.avail_in = (uInt)len;
    int rc = 0, zr = Z_OK;
    while (zr != Z_STREAM_END) {
        size_t room = out->len < 4096 ? 16384 : out->len;
        if (out->len + room > WB_NODE_MAX_PAYLOAD + 1)
            room = WB_NODE_MAX_PAYLOAD + 1 - out->len;
        if (room == 0) {
            rc = wb_error_set(err, WB_ETOOBIG, 1, "inflated payload over %zu bytes",
                              WB_NODE_MAX_PAYLOAD);
            goto done;
        }
        if (wb_buf_reserve(out, room) < 0) {
            rc = wb_error_set(err, WB_ENOMEM, 1, "out of memory inflating the payload");
            goto done;
        }
        z.next_out = out->data + out->len;
        z.avail_out = (uInt)room;
        zr = inflate(&z, Z_NO_FLUSH);
        out->len += room - z.avail_out;
        if (zr == Z_STREAM_END)
            break;
        if (zr == Z_BUF_ERROR || (zr == Z_OK && z.avail_in == 0 && z.avail_out != 0)) {
            rc = wb_error_set(err, WB_ETRUNC, 1 + len, "compressed payload ends early");
            goto done;
        }
        if (zr != Z_OK) {
            rc = wb_error_set(err, WB_EMALFORMED, 1 + (size_t)(z.next_in - p),
                              "compressed payload: %s", z.msg ? z.msg : "bad zlib stream");
            goto done;
        }
    }
    if (out->len > WB_NODE_MAX_PAYLOAD)
        rc = wb_error_set(err, WB_ETOOBIG, 1, "inflated payload over %zu bytes",
                          WB_NODE_MAX_PAYLOAD);
done:
    inflateEnd(&z);
    return rc;
}

int wb_node_decode_payload(wb_arena *a, const uint8_t *p, size_t len, wb_node **out,
                           wb_error *err) {
    if (!a || (!p && len) || !out)
        return wb_error_set(err, WB_EINVAL, 0, "invalid arguments");
    if (len == 0)
        return wb_error_set(err, WB_ETRUNC, 0, "empty payload: no flag byte");
    if (len > WB_NODE_MAX_PAYLOAD + 1)
        return wb_error_set(err, WB_ETOOBIG, 0, "payload of %zu bytes is over the limit", len);
    if (!(p[0] & WB_NODE_FLAG_COMPRESSED))
        return decode_at(a, p + 1, len - 1, 1, "", out, err);
    wb_buf raw = WB_BUF_INIT;
    int rc = inflate_payload(p + 1, len - 1, &raw, err);
    if (rc == 0)
        rc = decode_at(a, raw.data, raw.len, 0, "inflated payload: ", out, err);
    wb_buf_free(&raw);
    return rc;
}
