/* The decoder of codec.h: node bytes -> a wb_node tree in an arena. Recursive descent over a
 * bounds-checked cursor; strings are copied (or, for tokens, pointed) so the tree does not
 * borrow the input. Every failure names the byte where it was found. */
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
    size_t bias;        /* added to offsets in errors */
    const char *where;  /* prefix for error sentences */
    size_t nodes;       /* nodes so far */
    size_t used;        /* arena bytes so far */
} dec;

typedef struct str {
    const char *p; /* NUL-terminated */
    size_t len;
} str;

__attribute__((format(printf, 4, 5))) static int fail(dec *d, const uint8_t *at, int code,
                                                      const char *fmt, ...) {
    if (d->err) {
        char what[sizeof d->err->what];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        wb_error_set(d->err, code, (size_t)(at - d->base) + d->bias, "%s%s", d->where, what);
    }
    return code;
}

static int truncated(dec *d, const char *what) {
    return fail(d, d->end, WB_ETRUNC, "input ended inside %s", what);
}

static inline void *dalloc(dec *d, size_t n) {
    d->used += n + 8;
    if (d->used > WB_NODE_MAX_TREE)
        return NULL;
    return wb_arena_alloc(d->a, n);
}

static int nomem(dec *d) {
    if (d->used > WB_NODE_MAX_TREE)
        return fail(d, d->p, WB_ETOOBIG, "decoded tree over %zu bytes", WB_NODE_MAX_TREE);
    return fail(d, d->p, WB_ENOMEM, "out of memory");
}

static inline size_t left(const dec *d) {
    return (size_t)(d->end - d->p);
}

/* ---- strings ------------------------------------------------------------------------------- */

static int read_string(dec *d, unsigned tag, int depth, str *out);

/* Reads a tag byte, then the string it starts. */
static int read_tagged_string(dec *d, int depth, str *out, const char *what) {
    if (d->p == d->end)
        return truncated(d, what);
    unsigned tag = *d->p++;
    return read_string(d, tag, depth, out);
}

/* Reads a BINARY_n length (tag consumed); checks it against the input. */
static int read_length(dec *d, unsigned tag, size_t *out) {
    const uint8_t *at = d->p - 1;
    size_t n;
    if (tag == WB_TAG_BINARY_8) {
        if (left(d) < 1)
            return truncated(d, "a BINARY_8 length");
        n = d->p[0];
        d->p += 1;
    } else if (tag == WB_TAG_BINARY_20) {
        if (left(d) < 3)
            return truncated(d, "a BINARY_20 length");
        n = ((size_t)(d->p[0] & 15) << 16) | ((size_t)d->p[1] << 8) | d->p[2];
        d->p += 3;
    } else {
        if (left(d) < 4)
            return truncated(d, "a BINARY_32 length");
        n = wb_get_be32(d->p);
        d->p += 4;
    }
    if (n > left(d))
        return fail(d, at, WB_ETRUNC, "%zu bytes announced, %zu left", n, left(d));
    *out = n;
    return 0;
}

static int read_raw(dec *d, unsigned tag, str *out) {
    size_t n = 0;
    int rc = read_length(d, tag, &n);
    if (rc < 0)
        return rc;
    char *s = dalloc(d, n + 1);
    if (!s)
        return nomem(d);
    memcpy(s, d->p, n);
    s[n] = 0;
    d->p += n;
    out->p = s;
    out->len = n;
    return 0;
}

/* 0-9, '-', '.', 15 = NUL; 0xff = invalid */
static const uint8_t nibble_chars[16] = {'0', '1', '2', '3', '4', '5', '6', '7',
                                         '8', '9', '-', '.', 0xff, 0xff, 0xff, 0};
static const char hex_chars[16] = "0123456789ABCDEF";

static int read_packed(dec *d, unsigned tag, str *out) {
    const uint8_t *at = d->p - 1;
    if (left(d) < 1)
        return truncated(d, "a packed string");
    unsigned start = *d->p++;
    size_t n = start & 127;
    if (n > left(d))
        return fail(d, at, WB_ETRUNC, "packed string of %zu bytes, %zu left", n, left(d));
    size_t len = 2 * n;
    if ((start & 128) && len)
        len--;
    char *s = dalloc(d, 2 * n + 1);
    if (!s)
        return nomem(d);
    const uint8_t *q = d->p;
    if (tag == WB_TAG_NIBBLE_8) {
        for (size_t i = 0; i < n; i++) {
            uint8_t hi = nibble_chars[q[i] >> 4], lo = nibble_chars[q[i] & 15];
            if (hi == 0xff || lo == 0xff)
                return fail(d, q + i, WB_EMALFORMED, "bad nibble %u",
                            hi == 0xff ? q[i] >> 4 : q[i] & 15);
            s[2 * i] = (char)hi;
            s[2 * i + 1] = (char)lo;
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            s[2 * i] = hex_chars[q[i] >> 4];
            s[2 * i + 1] = hex_chars[q[i] & 15];
        }
    }
    s[len] = 0;
    d->p += n;
    out->p = s;
    out->len = len;
    return 0;
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

/* Renders [prefix-]user[:device]@server into the arena. */
static int render_jid(dec *d, int has_integrator, unsigned integrator, str user, int has_device,
                      unsigned device, str server, str *out) {
    size_t cap = user.len + server.len + 16;
    char *s = dalloc(d, cap);
    if (!s)
        return nomem(d);
    size_t n = 0;
    if (has_integrator) {
        n += put_uint(s, integrator);
        s[n++] = '-';
    }
    memcpy(s + n, user.p, user.len);
    n += user.len;
    if (has_device) {
        s[n++] = ':';
        n += put_uint(s + n, device);
    }
    s[n++] = '@';
    memcpy(s + n, server.p, server.len);
    n += server.len;
    s[n] = 0;
    out->p = s;
    out->len = n;
    return 0;
}

static const str empty_str = {"", 0};

static int read_jid(dec *d, unsigned tag, int depth, str *out) {
    const uint8_t *at = d->p - 1;
    if (depth + 1 > WB_NODE_MAX_DEPTH)
        return fail(d, at, WB_EDEPTH, "JIDs nested deeper than %d levels", WB_NODE_MAX_DEPTH);
    str user, server;
    int rc;
    switch (tag) {
    case WB_TAG_JID_PAIR:
        if ((rc = read_tagged_string(d, depth + 1, &user, "a JID")) < 0 ||
            (rc = read_tagged_string(d, depth + 1, &server, "a JID")) < 0)
            return rc;
        if (server.len == 0)
            return fail(d, at, WB_EMALFORMED, "invalid JID: JID_PAIR without a server");
        return render_jid(d, 0, 0, user, 0, 0, server, out);
    case WB_TAG_AD_JID: {
        if (left(d) < 2)
            return truncated(d, "an AD_JID");
        unsigned domain = d->p[0], device = d->p[1];
        d->p += 2;
        if ((rc = read_tagged_string(d, depth + 1, &user, "an AD_JID")) < 0)
            return rc;
        server = domain == 1     ? (str){"lid", 3}
                 : domain == 128 ? (str){"hosted", 6}
                 : domain == 129 ? (str){"hosted.lid", 10}
                                 : (str){"s.whatsapp.net", 14};
        return render_jid(d, 0, 0, user, device != 0, device, server, out);
    }
    case WB_TAG_FB_JID: {
        if ((rc = read_tagged_string(d, depth + 1, &user, "an FB_JID")) < 0)
            return rc;
        if (left(d) < 2)
            return truncated(d, "an FB_JID");
        unsigned device = ((unsigned)d->p[0] << 8) | d->p[1];
        d->p += 2;
        if ((rc = read_tagged_string(d, depth + 1, &server, "an FB_JID")) < 0)
            return rc;
        return render_jid(d, 0, 0, user, 1, device, server, out);
    }
    default: { /* INTEROP_JID */
        if ((rc = read_tagged_string(d, depth + 1, &user, "an INTEROP_JID")) < 0)
            return rc;
        if (left(d) < 4)
            return truncated(d, "an INTEROP_JID");
        unsigned device = ((unsigned)d->p[0] << 8) | d->p[1];
        unsigned integrator = ((unsigned)d->p[2] << 8) | d->p[3];
        d->p += 4;
        if ((rc = read_tagged_string(d, depth + 1, &server, "an INTEROP_JID")) < 0)
            return rc;
        return render_jid(d, 1, integrator, user, 1, device, server, out);
    }
    }
}

/* Reads the string that tag (already consumed) starts. */
static int read_string(dec *d, unsigned tag, int depth, str *out) {
    if (tag >= 1 && tag < WB_TOKEN_SINGLE_COUNT) {
        const char *t = wb_token_single(tag);
        out->p = t;
        out->len = wb_token_len(t);
        return 0;
    }
    switch (tag) {
    case WB_TAG_LIST_EMPTY:
        *out = empty_str;
        return 0;
    case WB_TAG_DICTIONARY_0:
    case WB_TAG_DICTIONARY_0 + 1:
    case WB_TAG_DICTIONARY_0 + 2:
    case WB_TAG_DICTIONARY_3: {
        if (d->p == d->end)
            return truncated(d, "a double-byte token");
        const char *t = wb_token_double(tag - WB_TAG_DICTIONARY_0, *d->p++);
        out->p = t;
        out->len = wb_token_len(t);
        return 0;
    }
    case WB_TAG_BINARY_8:
    case WB_TAG_BINARY_20:
    case WB_TAG_BINARY_32:
        return read_raw(d, tag, out);
    case WB_TAG_NIBBLE_8:
    case WB_TAG_HEX_8:
        return read_packed(d, tag, out);
    case WB_TAG_JID_PAIR:
    case WB_TAG_AD_JID:
    case WB_TAG_FB_JID:
    case WB_TAG_INTEROP_JID:
        return read_jid(d, tag, depth, out);
    case WB_TAG_LIST_8:
    case WB_TAG_LIST_16:
        return fail(d, d->p - 1, WB_EMALFORMED, "list (tag %u) where a string belongs", tag);
    default:
        return fail(d, d->p - 1, WB_EMALFORMED, "unknown tag %u", tag);
    }
}

/* ---- nodes --------------------------------------------------------------------------------- */

static int read_node(dec *d, int depth, wb_node *n);

/* Reads a list size after its tag byte (LIST_EMPTY, LIST_8 or LIST_16). */
static int read_list_size(dec *d, unsigned tag, size_t *out) {
    if (tag == WB_TAG_LIST_EMPTY) {
        *out = 0;
    } else if (tag == WB_TAG_LIST_8) {
        if (left(d) < 1)
            return truncated(d, "a list size");
        *out = *d->p++;
    } else {
        if (left(d) < 2)
            return truncated(d, "a list size");
        *out = ((size_t)d->p[0] << 8) | d->p[1];
        d->p += 2;
    }
    return 0;
}

static int read_children(dec *d, unsigned tag, int depth, wb_node *n) {
    const uint8_t *at = d->p - 1;
    size_t count;
    int rc = read_list_size(d, tag, &count);
    if (rc < 0)
        return rc;
    n->kind = WB_CONTENT_NODES;
    if (count == 0)
        return 0;
    if (depth + 1 > WB_NODE_MAX_DEPTH)
        return fail(d, at, WB_EDEPTH, "nodes nested deeper than %d levels", WB_NODE_MAX_DEPTH);
    if (count > left(d) / 3) /* a node takes at least 3 bytes */
        return fail(d, at, WB_ETOOBIG, "list too long: %zu nodes cannot fit in %zu bytes", count,
                    left(d));
    wb_node *kids = dalloc(d, count * sizeof *kids);
    wb_node **ptrs = kids ? dalloc(d, count * sizeof *ptrs) : NULL;
    if (!ptrs)
        return nomem(d);
    n->kids = ptrs;
    n->nkids = n->kids_cap = (uint32_t)count;
    for (size_t i = 0; i < count; i++) {
        ptrs[i] = &kids[i];
        if ((rc = read_node(d, depth + 1, &kids[i])) < 0)
            return rc;
    }
    return 0;
}

static int read_content(dec *d, int depth, wb_node *n) {
    if (d->p == d->end)
        return truncated(d, "node content");
    unsigned tag = *d->p++;
    int rc;
    switch (tag) {
    case WB_TAG_LIST_EMPTY:
    case WB_TAG_LIST_8:
    case WB_TAG_LIST_16:
        return read_children(d, tag, depth, n);
    case WB_TAG_BINARY_8:
    case WB_TAG_BINARY_20:
    case WB_TAG_BINARY_32: {
        str s;
        if ((rc = read_raw(d, tag, &s)) < 0)
            return rc;
        n->kind = WB_CONTENT_BYTES;
        n->data = (const uint8_t *)s.p;
        n->data_len = s.len;
        return 0;
    }
    default: {
        str s;
        if ((rc = read_string(d, tag, depth, &s)) < 0)
            return rc;
        n->kind = WB_CONTENT_TEXT;
        n->data = (const uint8_t *)s.p;
        n->data_len = s.len;
        return 0;
    }
    }
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
    size_t size;
    int rc = read_list_size(d, tag, &size);
    if (rc < 0)
        return rc;
    if (size == 0)
        return fail(d, at, WB_EMALFORMED, "invalid node: empty list");
    str s;
    if ((rc = read_tagged_string(d, depth, &s, "a node tag")) < 0)
        return rc;
    if (s.len == 0)
        return fail(d, at, WB_EMALFORMED, "invalid node: empty tag");
    if (s.len > UINT32_MAX)
        return fail(d, at, WB_ETOOBIG, "tag too long");
    n->tag = s.p;
    n->tag_len = (uint32_t)s.len;
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
            str k, v;
            if ((rc = read_tagged_string(d, depth, &k, "an attribute")) < 0 ||
                (rc = read_tagged_string(d, depth, &v, "an attribute")) < 0)
                return rc;
            if (k.len > UINT32_MAX || v.len > UINT32_MAX)
                return fail(d, at, WB_ETOOBIG, "attribute too long");
            attrs[i] = (wb_attr){k.p, v.p, (uint32_t)k.len, (uint32_t)v.len};
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
    dec d = {p, p + len, p, a, err, bias, where, 0, 0};
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
