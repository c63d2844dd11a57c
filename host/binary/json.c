/* The JSON form of nodes (json.h). Writing is our own emitter (it must carry any bytes as
 * UTF-8 with replacement, which cJSON cannot); reading goes through cJSON. Callers: the CLI
 * (host/cli/node.c), the interop helper, the fuzz target fuzz_node_json. */
#include "binary/json.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "binary/codec.h"
#include "binary/utf8.h"
#include "core/enc.h"

/* ---- writing ------------------------------------------------------------------------------- */

static void put_json_string(wb_buf *out, const char *s, size_t len) {
    wb_buf clean = WB_BUF_INIT;
    const uint8_t *p = (const uint8_t *)s;
    if (wb_utf8_valid_prefix(p, len) != len) {
        if (wb_utf8_sanitize(&clean, p, len) < 0) {
            out->err = WB_ENOMEM;
            wb_buf_free(&clean);
            return;
        }
        p = clean.data;
        len = clean.len;
    }
    wb_buf_put_u8(out, '"');
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = p[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        wb_buf_append(out, p + run, i - run);
        run = i + 1;
        char e[8];
        switch (c) {
        case '"': wb_buf_append(out, "\\\"", 2); break;
        case '\\': wb_buf_append(out, "\\\\", 2); break;
        case '\n': wb_buf_append(out, "\\n", 2); break;
        case '\r': wb_buf_append(out, "\\r", 2); break;
        case '\t': wb_buf_append(out, "\\t", 2); break;
        default:
            snprintf(e, sizeof e, "\\u%04x", c);
            wb_buf_append(out, e, 6);
        }
    }
    wb_buf_append(out, p + run, len - run);
    wb_buf_put_u8(out, '"');
    wb_buf_free(&clean);
}

static void newline(wb_buf *out, int flags, int depth) {
    if (!(flags & WB_JSON_PRETTY))
        return;
    wb_buf_put_u8(out, '\n');
    for (int i = 0; i < depth; i++)
        wb_buf_append(out, "  ", 2);
}

static void put_lit(wb_buf *out, const char *s) {
    wb_buf_append(out, s, strlen(s));
}

static int write_node(const wb_node *n, wb_buf *out, int flags, int depth) {
    if (depth > 4 * WB_NODE_MAX_DEPTH)
        return WB_EDEPTH;
    const char *sep = flags & WB_JSON_PRETTY ? ": " : ":";
    wb_buf_put_u8(out, '{');
    newline(out, flags, depth + 1);
    put_lit(out, "\"tag\"");
    put_lit(out, sep);
    put_json_string(out, n->tag, n->tag_len);
    wb_buf_put_u8(out, ',');
    newline(out, flags, depth + 1);
    put_lit(out, "\"attrs\"");
    put_lit(out, sep);
    wb_buf_put_u8(out, '{');
    for (uint32_t i = 0; i < n->nattrs; i++) {
        if (i)
            wb_buf_put_u8(out, ',');
        newline(out, flags, depth + 2);
        put_json_string(out, n->attrs[i].key, n->attrs[i].key_len);
        put_lit(out, sep);
        put_json_string(out, n->attrs[i].value, n->attrs[i].value_len);
    }
    if (n->nattrs)
        newline(out, flags, depth + 1);
    wb_buf_put_u8(out, '}');
    if (n->kind != WB_CONTENT_NONE) {
        wb_buf_put_u8(out, ',');
        newline(out, flags, depth + 1);
        put_lit(out, "\"content\"");
        put_lit(out, sep);
    }
    int rc = 0;
    switch (n->kind) {
    case WB_CONTENT_NODES:
        wb_buf_put_u8(out, '[');
        for (uint32_t i = 0; i < n->nkids && rc == 0; i++) {
            if (i)
                wb_buf_put_u8(out, ',');
            newline(out, flags, depth + 2);
            rc = write_node(n->kids[i], out, flags, depth + 2);
        }
        if (n->nkids)
            newline(out, flags, depth + 1);
        wb_buf_put_u8(out, ']');
        break;
    case WB_CONTENT_TEXT:
        put_json_string(out, (const char *)n->data, n->data_len);
        break;
    case WB_CONTENT_BYTES:
        put_lit(out, "{\"base64\"");
        put_lit(out, sep);
        wb_buf_put_u8(out, '"');
        wb_b64_encode(out, n->data, n->data_len, WB_B64_STD);
        put_lit(out, "\"}");
        break;
    default:
        break;
    }
    newline(out, flags, depth);
    wb_buf_put_u8(out, '}');
    return rc < 0 ? rc : out->err;
}

int wb_node_to_json(const wb_node *n, wb_buf *out, int flags) {
    if (!n || !out)
        return WB_EINVAL;
    size_t start = out->len;
    int rc = write_node(n, out, flags, 0);
    if (rc < 0)
        out->len = start;
    return rc;
}

/* ---- reading ------------------------------------------------------------------------------- */

/* The path of the value being read, for error sentences: "content[2].attrs.id". */
typedef struct path {
    char s[200];
    size_t len;
} path;

/* Appends ".part" (just "part" at the start) or, for part NULL, "[index]"; returns the old
 * length, for path_pop. */
static size_t path_push(path *p, const char *part, int index) {
    size_t old = p->len;
    if (p->len < sizeof p->s) {
        int n = part ? snprintf(p->s + p->len, sizeof p->s - p->len, "%s%.40s", p->len ? "." : "",
                                part)
                     : snprintf(p->s + p->len, sizeof p->s - p->len, "[%d]", index);
        if (n > 0)
            p->len += (size_t)n;
        if (p->len >= sizeof p->s)
            p->len = sizeof p->s - 1;
    }
    return old;
}

static void path_pop(path *p, size_t mark) {
    p->len = mark;
    p->s[mark] = 0;
}

__attribute__((format(printf, 4, 5))) static int bad(wb_error *err, int code, const path *p,
                                                     const char *fmt, ...) {
    char what[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return wb_error_set(err, code, SIZE_MAX, "%.*s%s%s", (int)p->len, p->s, p->len ? ": " : "",
                        what);
}

static int build(wb_arena *a, const cJSON *j, path *p, int depth, wb_node **out, wb_error *err);

static int build_content(wb_arena *a, const cJSON *c, wb_node *n, path *p, int depth,
                         wb_error *err) {
    int rc;
    if (cJSON_IsString(c)) {
        if (!wb_node_set_text(n, c->valuestring))
            return bad(err, WB_ENOMEM, p, "out of memory");
        return 0;
    }
    if (cJSON_IsArray(c)) {
        wb_node_set_empty_list(n);
        int i = 0;
        for (const cJSON *k = c->child; k; k = k->next, i++) {
            size_t mark = path_push(p, NULL, i);
            wb_node *kid;
            if ((rc = build(a, k, p, depth + 1, &kid, err)) < 0)
                return rc;
            path_pop(p, mark);
            if (!wb_node_add(n, kid))
                return bad(err, WB_ENOMEM, p, "out of memory");
        }
        if (i > 65535)
            return bad(err, WB_ETOOBIG, p, "more than 65535 children");
        return 0;
    }
    if (cJSON_IsObject(c)) {
        const cJSON *b = c->child;
        if (!b || b->next || !b->string || strcmp(b->string, "base64") != 0)
            return bad(err, WB_EMALFORMED, p, "an object here must be {\"base64\": \"...\"}");
        if (!cJSON_IsString(b))
            return bad(err, WB_EMALFORMED, p, "base64 is not a string");
        wb_buf raw = WB_BUF_INIT;
        rc = wb_b64_decode(&raw, b->valuestring, strlen(b->valuestring), WB_B64_STD);
        if (rc == 0 && raw.len > WB_NODE_MAX_PAYLOAD)
            rc = WB_ETOOBIG;
        if (rc == 0 && !wb_node_set_bytes(n, raw.data, raw.len))
            rc = WB_ENOMEM;
        wb_buf_free(&raw);
        if (rc < 0)
            return bad(err, rc, p, "%s",
                       rc == WB_EMALFORMED ? "base64 is not valid base64"
                       : rc == WB_ETOOBIG  ? "bytes over the payload limit"
                                           : "out of memory");
        return 0;
    }
    return bad(err, WB_EMALFORMED, p, "content must be a list, a string or {\"base64\"}");
}

static int build(wb_arena *a, const cJSON *j, path *p, int depth, wb_node **out, wb_error *err) {
    if (depth > WB_NODE_MAX_DEPTH)
        return bad(err, WB_EDEPTH, p, "nested deeper than %d levels", WB_NODE_MAX_DEPTH);
    if (!cJSON_IsObject(j))
        return bad(err, WB_EMALFORMED, p, "a node must be an object");
    const cJSON *tag = NULL, *attrs = NULL, *content = NULL;
    for (const cJSON *f = j->child; f; f = f->next) {
        const cJSON **slot = strcmp(f->string, "tag") == 0       ? &tag
                             : strcmp(f->string, "attrs") == 0   ? &attrs
                             : strcmp(f->string, "content") == 0 ? &content
                                                                 : NULL;
        if (!slot)
            return bad(err, WB_EMALFORMED, p, "unexpected field '%.40s'", f->string);
        if (*slot)
            return bad(err, WB_EMALFORMED, p, "repeated field '%.40s'", f->string);
        *slot = f;
    }
    if (!cJSON_IsString(tag) || !tag->valuestring[0])
        return bad(err, WB_EMALFORMED, p, "tag must be a non-empty string");
    wb_node *n = wb_node_new(a, tag->valuestring);
    if (!n)
        return bad(err, WB_ENOMEM, p, "out of memory");
    if (attrs && !cJSON_IsObject(attrs))
        return bad(err, WB_EMALFORMED, p, "attrs must be an object");
    for (const cJSON *v = attrs ? attrs->child : NULL; v; v = v->next) {
        if (!cJSON_IsString(v)) {
            path_push(p, "attrs", 0);
            path_push(p, v->string, 0);
            return bad(err, WB_EMALFORMED, p, "not a string");
        }
        /* appended, not set: the order and any repeated key are kept */
        if (n->nattrs >= 32766)
            return bad(err, WB_ETOOBIG, p, "more than 32766 attributes");
        if (!wb_node_append_attrn(n, v->string, strlen(v->string), v->valuestring,
                                  strlen(v->valuestring)))
            return bad(err, WB_ENOMEM, p, "out of memory");
    }
    if (content) {
        size_t mark = path_push(p, "content", 0);
        int rc = build_content(a, content, n, p, depth, err);
        if (rc < 0)
            return rc;
        path_pop(p, mark);
    }
    *out = n;
    return 0;
}

int wb_node_from_cjson(wb_arena *a, const cJSON *j, wb_node **out, wb_error *err) {
    path p = {{0}, 0};
    wb_node *n;
    int rc = build(a, j, &p, 1, &n, err);
    if (rc == 0)
        *out = n;
    return rc;
}

/* Finds a \u0000 escape in JSON text (outside strings it cannot appear). Returns its offset or
 * (size_t)-1. */
static size_t find_nul_escape(const char *text, size_t len) {
    for (size_t i = 0; i + 6 <= len; i++) {
        if (text[i] != '\\')
            continue;
        if (text[i + 1] == 'u' && memcmp(text + i + 2, "0000", 4) == 0)
            return i;
        i++; /* skip the escaped character */
    }
    return (size_t)-1;
}

int wb_node_from_json(wb_arena *a, const char *text, size_t len, wb_node **out, wb_error *err) {
    size_t nul = find_nul_escape(text, len);
    if (nul != (size_t)-1)
        return wb_error_set(err, WB_EMALFORMED, nul, "strings with U+0000 are not supported");
    cJSON *j = cJSON_ParseWithLength(text, len);
    if (!j) {
        const char *at = cJSON_GetErrorPtr();
        size_t off = at && at >= text && at <= text + len ? (size_t)(at - text) : 0;
        return wb_error_set(err, WB_EMALFORMED, off, "not valid JSON");
    }
    int rc = wb_node_from_cjson(a, j, out, err);
    cJSON_Delete(j);
    return rc;
}
