/* The log printer of print.h. Callers: log lines in the client and simulator, `wabot node
 * decode --xml`. */
#include "binary/print.h"

#include <stdio.h>
#include <string.h>

#include "binary/utf8.h"

#define PRINT_MAX_TEXT 256
#define PRINT_MAX_BYTES_AS_TEXT 64
#define PRINT_MAX_DEPTH 64

/* Appends s escaped for an attribute value or text: entities for & < > ", \xNN for control
 * bytes and invalid UTF-8; cut after PRINT_MAX_TEXT bytes. */
static void put_escaped(wb_buf *out, const char *s, size_t len) {
    size_t n = len > PRINT_MAX_TEXT ? PRINT_MAX_TEXT : len;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t run = c >= 0x80 ? wb_utf8_valid_prefix((const uint8_t *)s + i, n - i) : 0;
        if (c >= 0x80 && run > 0) {
            wb_buf_append(out, s + i, run);
            i += run;
            continue;
        }
        switch (c) {
        case '&': wb_buf_append(out, "&amp;", 5); break;
        case '<': wb_buf_append(out, "&lt;", 4); break;
        case '>': wb_buf_append(out, "&gt;", 4); break;
        case '"': wb_buf_append(out, "&quot;", 6); break;
        default:
            if (c < 0x20 || c >= 0x7f) {
                char hex[5];
                snprintf(hex, sizeof hex, "\\x%02x", c);
                wb_buf_append(out, hex, 4);
            } else {
                wb_buf_put_u8(out, c);
            }
        }
        i++;
    }
    if (n < len) {
        char more[40];
        int m = snprintf(more, sizeof more, "...[+%zu bytes]", len - n);
        wb_buf_append(out, more, (size_t)m);
    }
}

static void put_str(wb_buf *out, const char *s) {
    wb_buf_append(out, s, strlen(s));
}

/* Short printable text (no control characters, valid UTF-8) may be shown. */
static int printable(const uint8_t *p, size_t len) {
    if (len == 0 || len > PRINT_MAX_BYTES_AS_TEXT ||
        wb_utf8_valid_prefix(p, len) != len)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (p[i] < 0x20 || p[i] == 0x7f)
            return 0;
    return 1;
}

static void indent(wb_buf *out, int flags, int depth) {
    if (!(flags & WB_PRINT_INDENT))
        return;
    if (out->len)
        wb_buf_put_u8(out, '\n');
    for (int i = 1; i < depth; i++)
        wb_buf_append(out, "  ", 2);
}

static void print_node(const wb_node *n, wb_buf *out, int flags, int depth) {
    indent(out, flags, depth);
    if (depth > PRINT_MAX_DEPTH) {
        put_str(out, "<.../>");
        return;
    }
    wb_buf_put_u8(out, '<');
    put_escaped(out, n->tag, n->tag_len);
    for (uint32_t i = 0; i < n->nattrs; i++) {
        wb_buf_put_u8(out, ' ');
        put_escaped(out, n->attrs[i].key, n->attrs[i].key_len);
        wb_buf_append(out, "=\"", 2);
        put_escaped(out, n->attrs[i].value, n->attrs[i].value_len);
        wb_buf_put_u8(out, '"');
    }
    switch (n->kind) {
    case WB_CONTENT_NONE:
        wb_buf_append(out, "/>", 2);
        return;
    case WB_CONTENT_NODES:
        wb_buf_put_u8(out, '>');
        for (uint32_t i = 0; i < n->nkids; i++)
            print_node(n->kids[i], out, flags, depth + 1);
        if (n->nkids)
            indent(out, flags, depth);
        break;
    case WB_CONTENT_TEXT:
        wb_buf_put_u8(out, '>');
        put_escaped(out, (const char *)n->data, n->data_len);
        break;
    case WB_CONTENT_BYTES:
        wb_buf_put_u8(out, '>');
        if (printable(n->data, n->data_len)) {
            put_escaped(out, (const char *)n->data, n->data_len);
        } else {
            char b[40];
            int m = snprintf(b, sizeof b, "[%zu bytes]", n->data_len);
            wb_buf_append(out, b, (size_t)m);
        }
        break;
    }
    wb_buf_append(out, "</", 2);
    put_escaped(out, n->tag, n->tag_len);
    wb_buf_put_u8(out, '>');
}

int wb_node_print(const wb_node *n, wb_buf *out, int flags) {
    if (!n)
        return WB_EINVAL;
    size_t start = out->len;
    wb_buf tmp = WB_BUF_INIT;
    print_node(n, &tmp, flags, 1);
    int rc = tmp.err ? tmp.err : wb_buf_append(out, tmp.data, tmp.len);
    wb_buf_free(&tmp);
    if (rc < 0)
        out->len = start;
    return rc;
}

const char *wb_node_str(const wb_node *n, wb_buf *scratch) {
    wb_buf_reset(scratch);
    if (wb_node_print(n, scratch, 0) < 0 || wb_buf_put_u8(scratch, 0) < 0)
        return "";
    return (const char *)scratch->data;
}
