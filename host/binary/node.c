/* Node building, reading and the attribute reader (node.h). Every allocation goes to the node's
 * arena; a failed one marks the node WB_NODE_BROKEN so the encoder refuses the tree. */
#include "binary/node.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- building ------------------------------------------------------------------------------ */

static wb_node *broken(wb_node *n) {
    if (n)
        n->flags |= WB_NODE_BROKEN;
    return NULL;
}

wb_node *wb_node_new(wb_arena *a, const char *tag) {
    if (!a || !tag)
        return NULL;
    wb_node *n = wb_arena_zalloc(a, sizeof *n);
    if (!n)
        return NULL;
    size_t len = strlen(tag);
    n->arena = a;
    n->tag = wb_arena_strndup(a, tag, len);
    n->tag_len = (uint32_t)len;
    if (!n->tag || len > UINT32_MAX)
        return NULL;
    return n;
}

wb_node *wb_node_new_kv(wb_arena *a, const char *tag, const wb_kv *kv, size_t n) {
    wb_node *node = wb_node_new(a, tag);
    for (size_t i = 0; node && i < n; i++)
        if (kv[i].key && kv[i].value)
            wb_node_set(node, kv[i].key, kv[i].value);
    return node;
}

/* Grows an arena array of elem-byte items from *cap to at least want items. */
static int grow(wb_arena *a, void **arr, uint32_t *cap, uint32_t len, size_t elem) {
    if (*cap > len)
        return 0;
    uint32_t ncap = *cap ? *cap * 2 : 4;
    if (ncap <= *cap)
        return WB_ENOMEM;
    void *p = wb_arena_alloc(a, (size_t)ncap * elem);
    if (!p)
        return WB_ENOMEM;
    if (len)
        memcpy(p, *arr, (size_t)len * elem);
    *arr = p;
    *cap = ncap;
    return 0;
}

wb_node *wb_node_add(wb_node *parent, wb_node *child) {
    if (!parent)
        return NULL;
    if (!child)
        return broken(parent);
    if (parent->kind != WB_CONTENT_NODES)
        wb_node_set_empty_list(parent);
    if (grow(parent->arena, (void **)&parent->kids, &parent->kids_cap, parent->nkids,
             sizeof *parent->kids) < 0)
        return broken(parent);
    parent->kids[parent->nkids++] = child;
    return child;
}

wb_node *wb_node_add_new(wb_node *parent, const char *tag) {
    return parent ? wb_node_add(parent, wb_node_new(parent->arena, tag)) : NULL;
}

wb_node *wb_node_add_kv(wb_node *parent, const char *tag, const wb_kv *kv, size_t n) {
    return parent ? wb_node_add(parent, wb_node_new_kv(parent->arena, tag, kv, n)) : NULL;
}

wb_node *wb_node_append_attrn(wb_node *n, const char *key, size_t key_len, const char *value,
                              size_t value_len) {
    if (!n)
        return NULL;
    if (!key || !value || key_len > UINT32_MAX || value_len > UINT32_MAX)
        return broken(n);
    char *k = wb_arena_strndup(n->arena, key, key_len);
    char *v = wb_arena_strndup(n->arena, value, value_len);
    if (!k || !v ||
        grow(n->arena, (void **)&n->attrs, &n->attrs_cap, n->nattrs, sizeof *n->attrs) < 0)
        return broken(n);
    n->attrs[n->nattrs++] = (wb_attr){k, v, (uint32_t)key_len, (uint32_t)value_len};
    return n;
}

wb_node *wb_node_setn(wb_node *n, const char *key, const char *value, size_t len) {
    if (!n)
        return NULL;
    if (!key)
        return broken(n);
    if (!value)
        return wb_node_unset(n, key);
    size_t klen = strlen(key);
    for (uint32_t i = n->nattrs; i-- > 0;)
        if (n->attrs[i].key_len == klen && memcmp(n->attrs[i].key, key, klen) == 0) {
            char *v = wb_arena_strndup(n->arena, value, len);
            if (!v || len > UINT32_MAX)
                return broken(n);
            n->attrs[i].value = v;
            n->attrs[i].value_len = (uint32_t)len;
            return n;
        }
    return wb_node_append_attrn(n, key, klen, value, len);
}

wb_node *wb_node_set(wb_node *n, const char *key, const char *value) {
    return wb_node_setn(n, key, value, value ? strlen(value) : 0);
}

wb_node *wb_node_setf(wb_node *n, const char *key, const char *fmt, ...) {
    if (!n)
        return NULL;
    char small[128];
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (len < 0)
        return broken(n);
    if ((size_t)len < sizeof small)
        return wb_node_setn(n, key, small, (size_t)len);
    char *big = wb_arena_alloc(n->arena, (size_t)len + 1);
    if (!big)
        return broken(n);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)len + 1, fmt, ap);
    va_end(ap);
    return wb_node_setn(n, key, big, (size_t)len);
}

wb_node *wb_node_set_i64(wb_node *n, const char *key, int64_t v) {
    return wb_node_setf(n, key, "%" PRId64, v);
}

wb_node *wb_node_set_jid(wb_node *n, const char *key, const wb_jid *jid) {
    if (!jid || wb_jid_is_empty(jid))
        return wb_node_unset(n, key);
    char s[WB_JID_STR_MAX];
    size_t len = wb_jid_format(jid, s, sizeof s);
    return wb_node_setn(n, key, s, len);
}

wb_node *wb_node_unset(wb_node *n, const char *key) {
    if (!n || !key)
        return n;
    size_t klen = strlen(key);
    uint32_t j = 0;
    for (uint32_t i = 0; i < n->nattrs; i++)
        if (!(n->attrs[i].key_len == klen && memcmp(n->attrs[i].key, key, klen) == 0))
            n->attrs[j++] = n->attrs[i];
    n->nattrs = j;
    return n;
}

static wb_node *set_data(wb_node *n, uint8_t kind, const void *p, size_t len) {
    if (!n)
        return NULL;
    if (!p && len)
        return broken(n);
    uint8_t *d = wb_arena_alloc(n->arena, len + 1);
    if (!d || len == SIZE_MAX)
        return broken(n);
    if (len)
        memcpy(d, p, len);
    d[len] = 0;
    n->kind = kind;
    n->data = d;
    n->data_len = len;
    return n;
}

wb_node *wb_node_set_bytes(wb_node *n, const void *p, size_t len) {
    return set_data(n, WB_CONTENT_BYTES, p, len);
}

wb_node *wb_node_set_textn(wb_node *n, const char *s, size_t len) {
    return set_data(n, WB_CONTENT_TEXT, s, len);
}

wb_node *wb_node_set_text(wb_node *n, const char *s) {
    return s ? set_data(n, WB_CONTENT_TEXT, s, strlen(s)) : broken(n);
}

wb_node *wb_node_set_empty_list(wb_node *n) {
    if (!n)
        return NULL;
    n->kind = WB_CONTENT_NODES;
    n->kids = NULL;
    n->nkids = n->kids_cap = 0;
    return n;
}

wb_node *wb_node_clear_content(wb_node *n) {
    if (n) {
        wb_node_set_empty_list(n);
        n->kind = WB_CONTENT_NONE;
    }
    return n;
}

static wb_node *clone_at(wb_arena *a, const wb_node *n, int depth) {
    if (!n || depth > 1024)
        return NULL;
    wb_node *c = wb_arena_zalloc(a, sizeof *c);
    if (!c)
        return NULL;
    c->arena = a;
    c->flags = n->flags;
    c->kind = n->kind;
    c->tag = wb_arena_strndup(a, n->tag, n->tag_len);
    c->tag_len = n->tag_len;
    if (!c->tag)
        return NULL;
    if (n->nattrs) {
        c->attrs = wb_arena_alloc(a, (size_t)n->nattrs * sizeof *c->attrs);
        if (!c->attrs)
            return NULL;
        c->nattrs = c->attrs_cap = n->nattrs;
        for (uint32_t i = 0; i < n->nattrs; i++) {
            const wb_attr *s = &n->attrs[i];
            c->attrs[i] = (wb_attr){wb_arena_strndup(a, s->key, s->key_len),
                                    wb_arena_strndup(a, s->value, s->value_len), s->key_len,
                                    s->value_len};
            if (!c->attrs[i].key || !c->attrs[i].value)
                return NULL;
        }
    }
    if (n->kind == WB_CONTENT_BYTES || n->kind == WB_CONTENT_TEXT) {
        if (!set_data(c, n->kind, n->data, n->data_len))
            return NULL;
    } else if (n->kind == WB_CONTENT_NODES && n->nkids) {
        c->kids = wb_arena_alloc(a, (size_t)n->nkids * sizeof *c->kids);
        if (!c->kids)
            return NULL;
        c->nkids = c->kids_cap = n->nkids;
        for (uint32_t i = 0; i < n->nkids; i++)
            if (!(c->kids[i] = clone_at(a, n->kids[i], depth + 1)))
                return NULL;
    }
    return c;
}

wb_node *wb_node_clone(wb_arena *a, const wb_node *n) {
    return clone_at(a, n, 0);
}

/* ---- reading ------------------------------------------------------------------------------- */

static int tag_is(const wb_node *n, const char *tag, size_t len) {
    return n->tag_len == len && memcmp(n->tag, tag, len) == 0;
}

int wb_node_is(const wb_node *n, const char *tag) {
    return n && tag && tag_is(n, tag, strlen(tag));
}

const char *wb_node_attrn(const wb_node *n, const char *key, size_t *len) {
    if (!n || !key)
        return NULL;
    size_t klen = strlen(key);
    for (uint32_t i = n->nattrs; i-- > 0;) {
        const wb_attr *at = &n->attrs[i];
        if (at->key_len == klen && memcmp(at->key, key, klen) == 0) {
            if (len)
                *len = at->value_len;
            return at->value;
        }
    }
    return NULL;
}

const char *wb_node_attr(const wb_node *n, const char *key) {
    return wb_node_attrn(n, key, NULL);
}

int wb_node_attr_is(const wb_node *n, const char *key, const char *value) {
    size_t len;
    const char *v = wb_node_attrn(n, key, &len);
    return v && value && strlen(value) == len && memcmp(v, value, len) == 0;
}

wb_node *wb_node_next(const wb_node *n, const char *tag, uint32_t *it) {
    if (!n || n->kind != WB_CONTENT_NODES)
        return NULL;
    size_t len = tag ? strlen(tag) : 0;
    while (*it < n->nkids) {
        wb_node *c = n->kids[(*it)++];
        if (!tag || tag_is(c, tag, len))
            return c;
    }
    return NULL;
}

wb_node *wb_node_child(const wb_node *n, const char *tag) {
    uint32_t it = 0;
    return wb_node_next(n, tag, &it);
}

wb_node *wb_node_path(const wb_node *n, ...) {
    va_list ap;
    va_start(ap, n);
    const char *tag;
    wb_node *cur = (wb_node *)n;
    while (cur && (tag = va_arg(ap, const char *)) != NULL)
        cur = wb_node_child(cur, tag);
    va_end(ap);
    return cur;
}

uint32_t wb_node_count(const wb_node *n, const char *tag) {
    uint32_t it = 0, count = 0;
    while (wb_node_next(n, tag, &it))
        count++;
    return count;
}

const uint8_t *wb_node_content(const wb_node *n, size_t *len) {
    if (!n || (n->kind != WB_CONTENT_BYTES && n->kind != WB_CONTENT_TEXT))
        return NULL;
    if (len)
        *len = n->data_len;
    return n->data;
}

/* ---- the attribute reader ------------------------------------------------------------------ */

wb_attrs wb_attrs_of(const wb_node *n) {
    wb_attrs a;
    a.node = n;
    a.err = 0;
    a.msg[0] = 0;
    return a;
}

/* Records the first error: "message: missing attribute 'id'" or "message: attribute 't' is not
 * an integer" (what == NULL means missing). */
static void attrs_fail(wb_attrs *a, int code, const char *key, const char *what) {
    if (a->err)
        return;
    a->err = code;
    const char *tag = a->node ? a->node->tag : "(no node)";
    if (what)
        snprintf(a->msg, sizeof a->msg, "%.32s: attribute '%.40s' is %s", tag, key, what);
    else
        snprintf(a->msg, sizeof a->msg, "%.32s: missing attribute '%.40s'", tag, key);
}

/* The value of key, or NULL (recording "missing" when required). */
static const char *attrs_get(wb_attrs *a, const char *key, int required, size_t *len) {
    const char *v = wb_node_attrn(a->node, key, len);
    if (!v && required)
        attrs_fail(a, WB_EPROTO, key, NULL);
    return v;
}

const char *wb_attrs_str(wb_attrs *a, const char *key) {
    return attrs_get(a, key, 1, NULL);
}

const char *wb_attrs_opt_str(wb_attrs *a, const char *key) {
    return attrs_get(a, key, 0, NULL);
}

static wb_jid attrs_jid(wb_attrs *a, const char *key, int required) {
    wb_jid j;
    memset(&j, 0, sizeof j);
    size_t len;
    const char *v = attrs_get(a, key, required, &len);
    if (v && wb_jid_parsen(&j, v, len) < 0) {
        memset(&j, 0, sizeof j);
        attrs_fail(a, WB_EMALFORMED, key, "not a JID");
    }
    return j;
}

wb_jid wb_attrs_jid(wb_attrs *a, const char *key) {
    return attrs_jid(a, key, 1);
}

wb_jid wb_attrs_opt_jid(wb_attrs *a, const char *key) {
    return attrs_jid(a, key, 0);
}

/* Parses a whole decimal integer ('-' allowed when is_signed) into *s or *u; 1 on success. */
static int parse_int(const char *v, size_t len, int is_signed, int64_t *s, uint64_t *u) {
    size_t i = is_signed && len && v[0] == '-' ? 1 : 0;
    if (i == len || len > 21)
        return 0;
    for (; i < len; i++)
        if (v[i] < '0' || v[i] > '9')
            return 0;
    char *end;
    errno = 0;
    if (is_signed)
        *s = strtoll(v, &end, 10);
    else
        *u = strtoull(v, &end, 10);
    return errno == 0 && end == v + len;
}

/* Reads key as a decimal integer into *s (is_signed) or *u. Returns 1 when a value was read. */
static int attrs_int(wb_attrs *a, const char *key, int required, int is_signed, int64_t *s,
                     uint64_t *u) {
    size_t len;
    const char *v = attrs_get(a, key, required, &len);
    if (!v)
        return 0;
    if (!parse_int(v, len, is_signed, s, u)) {
        attrs_fail(a, WB_EMALFORMED, key, is_signed ? "not an integer" : "not an unsigned integer");
        return 0;
    }
    return 1;
}

int64_t wb_attrs_i64(wb_attrs *a, const char *key) {
    int64_t x;
    return attrs_int(a, key, 1, 1, &x, NULL) ? x : 0;
}

int64_t wb_attrs_opt_i64(wb_attrs *a, const char *key, int64_t dflt) {
    int64_t x;
    return attrs_int(a, key, 0, 1, &x, NULL) ? x : dflt;
}

uint64_t wb_attrs_u64(wb_attrs *a, const char *key) {
    uint64_t x;
    return attrs_int(a, key, 1, 0, NULL, &x) ? x : 0;
}

uint64_t wb_attrs_opt_u64(wb_attrs *a, const char *key, uint64_t dflt) {
    uint64_t x;
    return attrs_int(a, key, 0, 0, NULL, &x) ? x : dflt;
}

static int attrs_bool(wb_attrs *a, const char *key, int required, int dflt) {
    const char *v = attrs_get(a, key, required, NULL);
    if (!v)
        return required ? 0 : dflt;
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
        return 1;
    if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
        return 0;
    attrs_fail(a, WB_EMALFORMED, key, "not a boolean");
    return required ? 0 : dflt;
}

int wb_attrs_bool(wb_attrs *a, const char *key) {
    return attrs_bool(a, key, 1, 0);
}

int wb_attrs_opt_bool(wb_attrs *a, const char *key, int dflt) {
    return attrs_bool(a, key, 0, dflt);
}

/* The content of child tag, checked against len (see node.h); NULL after recording an error
 * (a missing child only when required). */
static const uint8_t *attrs_child(wb_attrs *a, const char *tag, size_t len, size_t *got,
                                  int required) {
    size_t n;
    const uint8_t *p = wb_node_content(wb_node_child(a->node, tag), &n);
    if (!p) {
        if (required && !a->err) {
            a->err = WB_EPROTO;
            snprintf(a->msg, sizeof a->msg, "%.32s: missing child <%.40s>",
                     a->node ? a->node->tag : "(no node)", tag);
        }
        return NULL;
    }
    if (len && n != len) {
        if (!a->err) {
            a->err = WB_EMALFORMED;
            snprintf(a->msg, sizeof a->msg, "%.32s: child <%.40s> has %zu bytes, not %zu",
                     a->node->tag, tag, n, len);
        }
        return NULL;
    }
    if (got)
        *got = n;
    return p;
}

const uint8_t *wb_attrs_child_bytes(wb_attrs *a, const char *tag, size_t len, size_t *got) {
    return attrs_child(a, tag, len, got, 1);
}

const uint8_t *wb_attrs_opt_child_bytes(wb_attrs *a, const char *tag, size_t len, size_t *got) {
    return attrs_child(a, tag, len, got, 0);
}

static uint64_t child_uint(wb_attrs *a, const char *tag, size_t len, int required, uint64_t dflt) {
    if (len < 1 || len > 8) {
        attrs_fail(a, WB_EINVAL, tag, "read with a bad length");
        return 0;
    }
    if (!required && !wb_node_child(a->node, tag))
        return dflt;
    const uint8_t *p = attrs_child(a, tag, len, NULL, 1);
    uint64_t v = 0;
    for (size_t i = 0; p && i < len; i++)
        v = v << 8 | p[i];
    return v;
}

uint64_t wb_attrs_child_uint(wb_attrs *a, const char *tag, size_t len) {
    return child_uint(a, tag, len, 1, 0);
}

uint64_t wb_attrs_opt_child_uint(wb_attrs *a, const char *tag, size_t len, uint64_t dflt) {
    return child_uint(a, tag, len, 0, dflt);
}

int wb_attrs_ok(const wb_attrs *a) {
    return a->err == 0;
}

int wb_attrs_err(const wb_attrs *a) {
    return a->err;
}

const char *wb_attrs_errmsg(const wb_attrs *a) {
    return a->msg;
}

int wb_attrs_check(const wb_attrs *a, wb_error *err) {
    return a->err ? wb_error_set(err, a->err, 0, "%s", a->msg) : 0;
}
