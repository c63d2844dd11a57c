/* QR strings (qr.h). */
#include "wa/qr.h"

#include <stdio.h>
#include <string.h>

#include "core/enc.h"
#include "core/err.h"
#include "core/mem.h"

int wb_wa_qr_format(const char *ref, size_t ref_len, const uint8_t noise_pub[32],
                    const uint8_t identity_pub[32], const uint8_t adv_secret[32],
                    const char *platform, wb_buf *out) {
    wb_buf_append(out, WB_WA_QR_PREFIX, sizeof WB_WA_QR_PREFIX - 1);
    wb_buf_append(out, ref, ref_len);
    wb_buf_put_u8(out, ',');
    wb_b64_encode(out, noise_pub, 32, WB_B64_STD);
    wb_buf_put_u8(out, ',');
    wb_b64_encode(out, identity_pub, 32, WB_B64_STD);
    wb_buf_put_u8(out, ',');
    wb_b64_encode(out, adv_secret, 32, WB_B64_STD);
    wb_buf_put_u8(out, ',');
    return wb_buf_append(out, platform, strlen(platform));
}

/* A 32-byte key in standard base64. */
static int key_of(const char *b64, size_t len, uint8_t out[32]) {
    wb_buf b = WB_BUF_INIT;
    int rc = wb_b64_decode(&b, b64, len, WB_B64_STD);
    if (rc == 0 && b.len != 32)
        rc = WB_EMALFORMED;
    if (rc == 0)
        memcpy(out, b.data, 32);
    wb_buf_free_secret(&b);
    return rc < 0 ? WB_EMALFORMED : 0;
}

int wb_wa_qr_parse(const char *text, size_t len, wb_wa_qr *out) {
    const char *hash = memchr(text, '#', len);
    if (hash) {
        len -= (size_t)(hash + 1 - text);
        text = hash + 1;
    }
    const char *part[5];
    size_t plen[5];
    int n = 0;
    for (;;) {
        const char *comma = memchr(text, ',', len);
        size_t k = comma ? (size_t)(comma - text) : len;
        if (n == 5)
            return WB_EMALFORMED;
        part[n] = text;
        plen[n++] = k;
        if (!comma)
            break;
        len -= k + 1;
        text = comma + 1;
    }
    wb_wa_qr q;
    if (n < 4 || plen[0] == 0 || plen[0] > WB_WA_QR_REF_MAX ||
        (n == 5 && plen[4] >= sizeof q.platform) || memchr(part[0], 0, plen[0]))
        return WB_EMALFORMED;
    if (key_of(part[1], plen[1], q.noise_pub) < 0 || key_of(part[2], plen[2], q.identity_pub) < 0 ||
        key_of(part[3], plen[3], q.adv_secret) < 0) {
        wb_zero(&q, sizeof q);
        return WB_EMALFORMED;
    }
    snprintf(q.ref, sizeof q.ref, "%.*s", (int)plen[0], part[0]);
    snprintf(q.platform, sizeof q.platform, "%.*s", n == 5 ? (int)plen[4] : 0, n == 5 ? part[4] : "");
    *out = q;
    wb_zero(&q, sizeof q);
    return 0;
}
