/* Hex and base64 (enc.h) over libsodium's constant-time codecs. */
#include "core/enc.h"

#include <sodium.h>

int wb_hex_encode(wb_buf *out, const uint8_t *data, size_t len) {
    if (len > (SIZE_MAX - 1) / 2)
        return WB_ETOOBIG;
    uint8_t *q = wb_buf_extend(out, len * 2 + 1);
    if (!q)
        return out->err;
    sodium_bin2hex((char *)q, len * 2 + 1, data, len);
    out->len -= 1; /* drop the terminator sodium writes */
    return 0;
}

int wb_hex_decode(wb_buf *out, const char *text, size_t len) {
    if (len % 2)
        return WB_EMALFORMED;
    size_t start = out->len, got = 0;
    const char *end = NULL;
    uint8_t *q = wb_buf_extend(out, len / 2);
    if (!q)
        return out->err;
    if (sodium_hex2bin(q, len / 2, text, len, NULL, &got, &end) != 0 || got != len / 2 ||
        end != text + len) {
        out->len = start;
        return WB_EMALFORMED;
    }
    return 0;
}

static int sodium_variant(int variant, int padded) {
    if (variant == WB_B64_URL)
        return padded ? sodium_base64_VARIANT_URLSAFE : sodium_base64_VARIANT_URLSAFE_NO_PADDING;
    return padded ? sodium_base64_VARIANT_ORIGINAL : sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
}

int wb_b64_encode(wb_buf *out, const uint8_t *data, size_t len, int variant) {
    int v = sodium_variant(variant, variant == WB_B64_STD);
    size_t n = sodium_base64_encoded_len(len, v);
    uint8_t *q = wb_buf_extend(out, n);
    if (!q)
        return out->err;
    sodium_bin2base64((char *)q, n, data, len, v);
    out->len -= 1;
    return 0;
}

int wb_b64_decode(wb_buf *out, const char *text, size_t len, int variant) {
    /* Accept both padded and unpadded input: strip '=' and decode unpadded. */
    while (len > 0 && text[len - 1] == '=')
        len--;
    size_t start = out->len, got = 0;
    const char *end = NULL;
    uint8_t *q = wb_buf_extend(out, len / 4 * 3 + 3);
    if (!q)
        return out->err;
    if (sodium_base642bin(q, len / 4 * 3 + 3, text, len, NULL, &got, &end,
                          sodium_variant(variant, 0)) != 0 ||
        end != text + len) {
        out->len = start;
        return WB_EMALFORMED;
    }
    out->len = start + got;
    return 0;
}
