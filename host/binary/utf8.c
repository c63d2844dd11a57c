/* UTF-8 validation and WHATWG replacement decoding (utf8.h). */
#include "binary/utf8.h"

/* Decodes one character at p (len > 0). Returns its byte length, or 0 when the bytes at p do
 * not start a valid character; in that case *bad is the length of the maximal subpart to
 * replace by one U+FFFD (at least 1). */
static size_t one(const uint8_t *p, size_t len, size_t *bad) {
    uint8_t c = p[0];
    size_t need;
    uint8_t lo = 0x80, hi = 0xbf;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
        need = 2;
        if (c == 0xe0)
            lo = 0xa0;
        if (c == 0xed)
            hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 3;
        if (c == 0xf0)
            lo = 0x90;
        if (c == 0xf4)
            hi = 0x8f;
    } else {
        *bad = 1;
        return 0;
    }
    for (size_t i = 1; i <= need; i++) {
        if (i >= len || p[i] < lo || p[i] > hi) {
            *bad = i;
            return 0;
        }
        lo = 0x80;
        hi = 0xbf;
    }
    return need + 1;
}

size_t wb_utf8_valid_prefix(const uint8_t *p, size_t len) {
    size_t i = 0, bad;
    while (i < len) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        size_t n = one(p + i, len - i, &bad);
        if (!n)
            break;
        i += n;
    }
    return i;
}

int wb_utf8_sanitize(wb_buf *out, const uint8_t *p, size_t len) {
    size_t i = 0;
    while (i < len) {
        size_t ok = wb_utf8_valid_prefix(p + i, len - i);
        if (ok && wb_buf_append(out, p + i, ok) < 0)
            return WB_ENOMEM;
        i += ok;
        if (i < len) {
            size_t bad = 1;
            one(p + i, len - i, &bad);
            if (wb_buf_append(out, "\xef\xbf\xbd", 3) < 0)
                return WB_ENOMEM;
            i += bad;
        }
    }
    return out->err;
}
