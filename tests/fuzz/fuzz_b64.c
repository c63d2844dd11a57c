/* Fuzz target: base64 and hex decoding of untrusted text (core/enc.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/enc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    wb_buf out = WB_BUF_INIT, again = WB_BUF_INIT;
    if (wb_b64_decode(&out, (const char *)data, size, WB_B64_STD) == 0) {
        /* whatever decodes must re-encode and decode to the same bytes */
        wb_buf enc = WB_BUF_INIT;
        if (wb_b64_encode(&enc, out.data, out.len, WB_B64_STD) == 0 &&
            wb_b64_decode(&again, (const char *)enc.data, enc.len, WB_B64_STD) == 0 &&
            (again.len != out.len || (out.len && memcmp(again.data, out.data, out.len) != 0)))
            abort();
        wb_buf_free(&enc);
    }
    wb_buf_reset(&out);
    wb_b64_decode(&out, (const char *)data, size, WB_B64_URL);
    wb_buf_reset(&out);
    wb_hex_decode(&out, (const char *)data, size);
    wb_buf_free(&out);
    wb_buf_free(&again);
    return 0;
}
