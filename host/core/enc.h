/* Text encodings of bytes: hex and base64 (standard and URL-safe alphabets). */
#ifndef WB_CORE_ENC_H
#define WB_CORE_ENC_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* Appends 2*len lowercase hex digits (no terminator) to out. */
int wb_hex_encode(wb_buf *out, const uint8_t *data, size_t len);
/* Decodes hex text (either case, even length, nothing else) into out. WB_EMALFORMED on bad text. */
int wb_hex_decode(wb_buf *out, const char *text, size_t len);

enum { WB_B64_STD = 0, WB_B64_URL = 1 };
/* Appends padded base64 (WB_B64_STD) or unpadded base64url (WB_B64_URL), no terminator. */
int wb_b64_encode(wb_buf *out, const uint8_t *data, size_t len, int variant);
/* Decodes base64 in the given alphabet; padding optional. WB_EMALFORMED on bad text. */
int wb_b64_decode(wb_buf *out, const char *text, size_t len, int variant);

#endif
